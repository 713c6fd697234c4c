//! What the Redis store tests seal and open: a `u32` session, optionally
//! with a subject, through a `Revocation`; one fixed key for the tests
//! that need no particular sealer.

// Each test file uses a different subset.
#![allow(dead_code)]

use sealed_session::revocation::{Revocation, RevocationStore};
use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session};

/// A sealer over one fixed XChaCha20-Poly1305 key (id 1).
pub fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::from_bytes(
        sealed_session::Algorithm::XChaCha20Poly1305,
        1,
        &[7; 32],
    )))
    .build()
    .unwrap()
}

/// A cookie value for a session holding 7, with `subject`.
pub fn cookie<S: RevocationStore>(r: &Revocation<S>, subject: Option<&str>) -> String {
    let mut session = Session::new(7u32);
    if let Some(subject) = subject {
        session.set_subject(subject).unwrap();
    }
    r.sealer().seal_value(&session).unwrap()
}

/// The data of `cookie` once opened and checked, or why not.
pub async fn open<S: RevocationStore>(r: &Revocation<S>, cookie: &str) -> Result<u32, Error> {
    r.open_checked::<u32>(cookie)
        .await
        .map(|c| *c.session().data())
}

/// What `open` gives for a revoked cookie.
pub fn revoked(reason: RevokedReason) -> Result<u32, Error> {
    Err(Error::Revoked { reason })
}
