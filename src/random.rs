//! Random bytes for nonces and session ids.
//!
//! Every draw must be fork-safe: a `fork()` copies any generator state in
//! memory into the child, which would then repeat the parent's next nonces
//! and session ids. Two sources are, and which is cheaper depends on the C
//! library, so each process measures both once, at its first draw, and
//! keeps the cheaper ([`nonce_source`]):
//!
//! - [`NonceSource::ThreadRng`]: `rand`'s thread-local CSPRNG (ChaCha12,
//!   seeded from the OS, reseeded from the OS after every 64 KiB of output).
//!   `rand` no longer reseeds on fork, and a fork handler needs `unsafe`
//!   (and misses raw `clone`s), so every draw on Unix compares the process
//!   id with the one this thread last drew under and reseeds from the OS
//!   when it changed. `getpid` is a system call: about 160 ns on the VMs
//!   this crate is measured on, most of a new session's randomness cost.
//!   A fresh thread's first draw reseeds as well: the generator is shared
//!   with every other user of `rand::rng()` on the thread, which may have
//!   advanced it before a fork that this module never saw.
//! - [`NonceSource::Os`]: every draw straight from the OS (`getrandom`).
//!   Nothing is kept in memory, so there is nothing a fork could copy. Where
//!   `getrandom` is a system call, a draw costs two to three times the
//!   check above; where the C library serves it from the kernel's vDSO
//!   (glibc 2.41 and later on Linux 6.11 and later) it costs less than
//!   `getpid` alone (72 against 162 ns measured on one VM), and then it
//!   wins. The first call there maps the vDSO's per-thread state, which is
//!   why the probe keeps the fastest of several tries.
//!
//! The measurement only picks between two sources that are both safe: a
//! preempted probe can cost speed, never a repeated nonce.
//!
//! The one case the process id cannot see: a process that forks, never
//! draws, and forks again, whose grandchild then receives the pid of the
//! original process after that one exited (pids are reused). The grandchild
//! would repeat what the original drew after the first fork, with the
//! thread-local source only. That needs a descendant to be handed its dead
//! ancestor's pid by the kernel; it is documented rather than defended
//! against.

use rand::Rng;

/// Where this process draws nonces and session ids from: the cheaper of two
/// fork-safe sources, measured once at the process's first draw (see the
/// README, "Randomness").
///
/// ```
/// use sealed_session::{NonceSource, nonce_source};
/// // Either way, a forked child never repeats its parent's nonces.
/// assert!(matches!(nonce_source(), NonceSource::Os | NonceSource::ThreadRng));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceSource {
    /// Every draw from the operating system's `getrandom`: chosen where that
    /// is cheaper than a process-id check (a vDSO `getrandom`).
    Os,
    /// `rand`'s thread-local CSPRNG, with a process-id check before every
    /// draw on Unix (none on targets without `fork`).
    ThreadRng,
}

/// The source this process draws nonces and session ids from, measured and
/// fixed at its first draw (this call makes that draw's choice if none was
/// made yet).
///
/// ```
/// let source = sealed_session::nonce_source();
/// assert_eq!(source, sealed_session::nonce_source(), "fixed for the process");
/// ```
pub fn nonce_source() -> NonceSource {
    static SOURCE: std::sync::OnceLock<NonceSource> = std::sync::OnceLock::new();
    *SOURCE.get_or_init(probe::cheaper)
}

/// Fills `out` with bytes from this process's [`nonce_source`].
///
/// # Panics
///
/// When the thread-local generator must be reseeded (a fork, or this
/// thread's first draw) and the operating system has no random bytes to
/// give. Going on would repeat the parent's output, and `rand` panics the
/// same way when its periodic reseed fails. An OS source that fails once
/// falls back to the thread-local generator rather than panicking.
pub(crate) fn fill(out: &mut [u8]) {
    if nonce_source() == NonceSource::Os && getrandom::fill(out).is_ok() {
        return;
    }
    let mut rng = rand::rng();
    if fork::needs_reseed() {
        rng.reseed().expect("operating system random source failed");
    }
    rng.fill_bytes(out);
}

/// Reseeds the calling thread's nonce generator from the operating system.
///
/// Nothing needs this: every nonce and session id is drawn after checking
/// that the process has not changed since this thread's last draw, and the
/// generator reseeds itself after a `fork()` (on Unix; other targets have
/// no fork). It remains for programs that want fresh OS entropy at a point
/// of their choosing, such as right after restoring a snapshotted VM, which
/// no process id reveals. Under [`NonceSource::Os`] draws do not use this
/// generator at all (only a fallback after an OS error would).
///
/// ```
/// sealed_session::reseed_nonce_source().expect("OS random source");
/// ```
///
/// # Errors
///
/// Returns the operating system's error if it has no random bytes to give.
pub fn reseed_nonce_source() -> Result<(), getrandom::Error> {
    rand::rng().reseed()?;
    fork::mark_seeded();
    Ok(())
}

/// The one-time measurement behind [`nonce_source`].
#[cfg(unix)]
mod probe {
    use super::NonceSource;
    use std::time::{Duration, Instant};

    /// Tries per source; the fastest of each counts, so that a preemption
    /// during one try does not decide.
    const TRIES: usize = 8;

    pub(super) fn cheaper() -> NonceSource {
        let mut nonce = [0u8; 24];
        let os = fastest(|| getrandom::fill(&mut nonce).is_ok());
        let check = fastest(|| std::hint::black_box(std::process::id()) != 0);
        match (os, check) {
            (Some(os), Some(check)) => choose(os, check),
            _ => NonceSource::ThreadRng,
        }
    }

    /// The OS source only when a whole draw from it is cheaper than the
    /// check that the thread-local source adds to each of its draws.
    pub(super) fn choose(os: Duration, check: Duration) -> NonceSource {
        if os < check {
            NonceSource::Os
        } else {
            NonceSource::ThreadRng
        }
    }

    /// The fastest of [`TRIES`] timed calls of `f`, or `None` if one failed.
    fn fastest(mut f: impl FnMut() -> bool) -> Option<Duration> {
        let mut best = Duration::MAX;
        for _ in 0..TRIES {
            let start = Instant::now();
            if !f() {
                return None;
            }
            best = best.min(start.elapsed());
        }
        Some(best)
    }
}

/// No fork to guard against (and no clock on wasm32-unknown-unknown to
/// measure with): the thread-local generator, unchecked, is the cheaper.
#[cfg(not(unix))]
mod probe {
    use super::NonceSource;

    pub(super) fn cheaper() -> NonceSource {
        NonceSource::ThreadRng
    }
}

/// Fork detection by process id, per thread.
#[cfg(unix)]
mod fork {
    use std::cell::Cell;

    thread_local! {
        // The process id this thread's generator was last seeded or drawn
        // under; 0 (no process has it) until the thread's first draw.
        static SEEN: Cell<u32> = const { Cell::new(0) };
    }

    /// Whether the generator must be reseeded before drawing: the process
    /// id differs from the one this thread last drew under (a fork) or the
    /// thread has not drawn yet. Records the current id.
    pub(super) fn needs_reseed() -> bool {
        let pid = std::process::id();
        // During thread teardown the cell may be gone: reseed every time
        // rather than trust a generator whose history is unknown.
        SEEN.try_with(|seen| seen.replace(pid) != pid)
            .unwrap_or(true)
    }

    pub(super) fn mark_seeded() {
        let _ = SEEN.try_with(|seen| seen.set(std::process::id()));
    }
}

/// No fork on this target (Windows, wasm32-unknown-unknown, WASI), and no
/// process id to read on some of them (`std::process::id` panics on
/// wasm32-unknown-unknown).
#[cfg(not(unix))]
mod fork {
    pub(super) fn needs_reseed() -> bool {
        false
    }

    pub(super) fn mark_seeded() {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::{NonceSource, probe::choose};
    use std::time::Duration;

    #[test]
    fn the_os_source_only_where_a_draw_costs_less_than_the_check() {
        let ns = Duration::from_nanos;
        // glibc 2.41 on Linux 6.18: a vDSO draw 72 ns, getpid 162 ns.
        assert_eq!(choose(ns(72), ns(162)), NonceSource::Os);
        // glibc 2.36, same kernel: the draw is a system call, 414 ns.
        assert_eq!(choose(ns(414), ns(162)), NonceSource::ThreadRng);
        assert_eq!(
            choose(ns(162), ns(162)),
            NonceSource::ThreadRng,
            "a tie keeps the old source"
        );
    }

    #[test]
    fn first_draw_of_a_thread_reseeds_and_later_ones_do_not() {
        std::thread::spawn(|| {
            assert!(super::fork::needs_reseed(), "first draw");
            assert!(!super::fork::needs_reseed(), "same process, same thread");
        })
        .join()
        .unwrap();
    }
}
