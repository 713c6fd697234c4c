//! Random bytes for nonces and session ids.
//!
//! An OS call per draw would cost a new session's nonce and id nearly as
//! much as sealing it (benches/hardening.rs), so nonces and ids come from `rand`'s
//! thread-local CSPRNG (ChaCha12, seeded from the OS, reseeded from the OS
//! after every 64 KiB of output). Keys come straight from the OS (see
//! [`Key::generate`](crate::Key::generate)).
//!
//! A `fork()` copies that generator into the child, which would then repeat
//! the parent's next nonces and session ids. `rand` no longer reseeds on
//! fork, and a fork handler needs `unsafe` (and misses raw `clone`s), so
//! every draw on Unix compares the process id with the one this thread last
//! drew under and reseeds from the OS when it changed. `getpid` is a system
//! call, a third of the cost of drawing from the OS; it is the price of
//! needing nothing from the user. A fresh thread's first draw reseeds as
//! well: the generator is shared with every other user of `rand::rng()` on
//! the thread, which may have advanced it before a fork that this module
//! never saw.
//!
//! The one case this cannot see: a process that forks, never draws, and
//! forks again, whose grandchild then receives the pid of the original
//! process after that one exited (pids are reused). The grandchild would
//! repeat what the original drew after the first fork. That needs a
//! descendant to be handed its dead ancestor's pid by the kernel; it is
//! documented rather than defended against.

use rand::Rng;

/// Fills `out` with bytes from the thread-local CSPRNG, reseeded first if
/// this thread has not drawn in the current process yet.
///
/// # Panics
///
/// When the process changed (or this thread draws for the first time) and
/// the operating system has no random bytes to give. Going on would repeat
/// the parent's output, and `rand` panics the same way when its periodic
/// reseed fails.
pub(crate) fn fill(out: &mut [u8]) {
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
/// no process id reveals.
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
