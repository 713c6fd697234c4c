//! CSRF tokens bound to a session (the synchronizer-token pattern): a
//! token is an HMAC of the session id under a server key, so it changes
//! whenever the id does (login, `renew_id`), needs no storage, and cannot
//! be made without the key or read off the cookie (the id is inside the
//! encrypted value). Also a random-token helper.

use super::SessionId;
use crate::wire::codec;
use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Domain of the MAC: a token is good for this use only.
const LABEL: &[u8] = b"sealed-session csrf v1\0";
/// Characters of a token: 32 bytes of HMAC-SHA256 in unpadded base64url.
pub const CSRF_TOKEN_LEN: usize = 43;

/// The server key CSRF tokens are derived with: 32 bytes, wiped when
/// dropped, never printed. Share it across a fleet like the session keys
/// (a token made on one node verifies on every other).
///
/// ```
/// use sealed_session::{CsrfKey, SessionId};
/// let key = CsrfKey::generate();
/// let id = SessionId::random();
/// let token = key.token(&id);
/// assert!(key.verify(&id, &token));
/// assert!(!key.verify(&SessionId::random(), &token), "another session");
/// assert_eq!(format!("{key:?}"), "CsrfKey(..)");
/// ```
#[derive(Clone)]
pub struct CsrfKey(Zeroizing<[u8; 32]>);

impl CsrfKey {
    /// A new random key from the CSPRNG (one node only: a fleet needs one
    /// shared key, [`from_bytes`](Self::from_bytes)).
    ///
    /// ```
    /// let key = sealed_session::CsrfKey::generate();
    /// # let _ = key;
    /// ```
    pub fn generate() -> CsrfKey {
        let mut bytes = Zeroizing::new([0; 32]);
        crate::random::fill(&mut bytes[..]);
        CsrfKey(bytes)
    }

    /// The key with these bytes (from a secret manager).
    ///
    /// ```
    /// let key = sealed_session::CsrfKey::from_bytes([7; 32]);
    /// # let _ = key;
    /// ```
    pub fn from_bytes(bytes: [u8; 32]) -> CsrfKey {
        CsrfKey(Zeroizing::new(bytes))
    }

    fn mac(&self, session: &SessionId) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0[..]).expect("HMAC takes keys of any length");
        mac.update(LABEL);
        mac.update(session.as_bytes());
        mac
    }

    /// The token of `session`: 43 characters of unpadded base64url, safe
    /// in a form field, a header or a `<meta>` tag.
    ///
    /// ```
    /// # use sealed_session::{CsrfKey, SessionId};
    /// let token = CsrfKey::from_bytes([1; 32]).token(&SessionId::from_bytes([2; 16]));
    /// assert_eq!(token.len(), sealed_session::CSRF_TOKEN_LEN);
    /// ```
    pub fn token(&self, session: &SessionId) -> String {
        let tag = self.mac(session).finalize().into_bytes();
        let mut out = String::with_capacity(CSRF_TOKEN_LEN);
        codec::encode_base64(&tag, &mut out);
        out
    }

    /// Whether `token` is `session`'s, compared in constant time. Any
    /// other text (empty, too long, not base64url) is `false`.
    ///
    /// ```
    /// # use sealed_session::{CsrfKey, SessionId};
    /// let key = CsrfKey::from_bytes([1; 32]);
    /// let id = SessionId::from_bytes([2; 16]);
    /// assert!(!key.verify(&id, ""));
    /// assert!(!key.verify(&id, &"A".repeat(43)));
    /// ```
    pub fn verify(&self, session: &SessionId, token: &str) -> bool {
        if token.len() != CSRF_TOKEN_LEN {
            return false;
        }
        let Ok(tag) = codec::decode_base64(token) else {
            return false;
        };
        self.mac(session).verify_slice(&tag).is_ok()
    }
}

impl core::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("CsrfKey(..)")
    }
}

/// 32 random bytes from the crate's fork-safe CSPRNG as 43 characters of
/// unpadded base64url: for nonces, one-time links, API keys.
///
/// ```
/// let a = sealed_session::random_token();
/// assert_eq!(a.len(), 43);
/// assert_ne!(a, sealed_session::random_token());
/// ```
pub fn random_token() -> String {
    let mut bytes = Zeroizing::new([0; 32]);
    crate::random::fill(&mut bytes[..]);
    let mut out = String::with_capacity(CSRF_TOKEN_LEN);
    codec::encode_base64(&bytes[..], &mut out);
    out
}
