//! Random bytes for nonces and session ids.
//!
//! One OS call per seal costs more than the whole AEAD of a small cookie, so
//! nonces come from `rand`'s thread-local CSPRNG (ChaCha12, seeded from the
//! OS, reseeded from the OS after every 64 KiB of output). Keys come straight
//! from the OS (see [`Key::generate`](crate::Key::generate)).

use rand::Rng;

/// Fills `out` with bytes from the thread-local CSPRNG.
pub(crate) fn fill(out: &mut [u8]) {
    rand::rng().fill_bytes(out);
}

/// Reseeds the calling thread's nonce generator from the operating system.
///
/// Call this in the child right after a `fork()` that is not followed by
/// `exec`, before the child seals anything: a forked child inherits the
/// parent's generator state and would otherwise repeat the parent's nonces
/// and session ids. Threads started after the fork seed themselves and need
/// nothing. Programs that never fork (nearly all Rust servers, every
/// serverless runtime) never need to call it.
///
/// ```
/// sealed_session::reseed_nonce_source().expect("OS random source");
/// ```
///
/// # Errors
///
/// Returns the operating system's error if it has no random bytes to give.
pub fn reseed_nonce_source() -> Result<(), getrandom::Error> {
    rand::rng().reseed()
}
