//! A per-thread byte buffer that sealing and opening work in, so that a
//! request's only allocation is the string it returns. The plaintext is
//! decrypted in place here (and serialized here before it is encrypted), so
//! the bytes each use wrote are wiped when it ends: no session outlives its
//! request in this thread's memory.

use std::cell::RefCell;
use zeroize::{Zeroize, Zeroizing};

/// Buffers that grew past this (large compressed sessions) are released
/// after use rather than kept for the thread's lifetime.
const RETAIN_LIMIT: usize = 16 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with an empty buffer: this thread's, or a fresh one when that is
/// already in use (a `Serialize` impl that seals re-entrantly) or the thread
/// is shutting down. Either is wiped when `f` returns, fails or panics.
pub(crate) fn with_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut f = Some(f);
    let done = SCRATCH
        .try_with(|cell| {
            let mut buf = cell.try_borrow_mut().ok()?;
            let result = {
                let wipe = WipeOnDrop(&mut buf);
                f.take().map(|f| f(wipe.0))
            };
            if buf.capacity() > RETAIN_LIMIT {
                *buf = Vec::new();
            }
            result
        })
        .ok()
        .flatten();
    match (done, f) {
        (Some(result), _) => result,
        (None, Some(f)) => f(&mut Zeroizing::new(Vec::new())),
        // `f` was taken only when it ran and produced `done`.
        (None, None) => unreachable!("scratch closure ran without a result"),
    }
}

/// Wipes the buffer on every way out of `f`, unwinding included.
///
/// Only up to `len`: wiping the whole capacity (4615 bytes once a thread
/// has sealed) costs about a tenth of a small seal + open, against under 2 %
/// for the bytes used (benches/hardening.rs). So `f` must not shrink the
/// buffer past secret bytes without wiping them first; dropping the
/// associated data at the end of a seal is fine, it is public.
struct WipeOnDrop<'a>(&'a mut Vec<u8>);

impl Drop for WipeOnDrop<'_> {
    fn drop(&mut self) {
        // A bulk fill; `Vec::zeroize` would write one volatile byte at a
        // time and then the spare capacity too.
        self.0.as_mut_slice().zeroize();
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::with_buffer;

    #[test]
    fn nested_use_gets_its_own_buffer() {
        let outer = with_buffer(|a| {
            a.extend_from_slice(b"outer");
            let inner = with_buffer(|b| {
                assert!(b.is_empty());
                b.extend_from_slice(b"inner");
                b.clone()
            });
            assert_eq!(a.as_slice(), b"outer");
            inner
        });
        assert_eq!(outer, b"inner");
        with_buffer(|a| assert!(a.is_empty(), "cleared between uses"));
    }

    #[test]
    fn large_buffers_are_released() {
        with_buffer(|a| a.resize(super::RETAIN_LIMIT + 1, 0));
        with_buffer(|a| assert!(a.capacity() <= super::RETAIN_LIMIT));
    }
}
