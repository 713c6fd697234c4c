//! The session id: 128 random bits that survive re-seals.

use crate::wire::envelope::SESSION_ID_LEN;
use core::fmt;

/// A random 128-bit session id. It survives re-seals and changes only on
/// [`Revocation::renew_id`](crate::revocation::Revocation::renew_id); revocation lists key on it.
///
/// `Display` prints 32 lowercase hex digits.
///
/// ```
/// use sealed_session::SessionId;
/// let id = SessionId::from_bytes([0xab; 16]);
/// assert_eq!(id.to_string(), "abababababababababababababababab");
/// assert_ne!(SessionId::random(), SessionId::random());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; SESSION_ID_LEN]);

impl SessionId {
    /// A new id from the CSPRNG.
    ///
    /// ```
    /// let id = sealed_session::SessionId::random();
    /// assert_eq!(id.as_bytes().len(), 16);
    /// ```
    pub fn random() -> SessionId {
        let mut bytes = [0; SESSION_ID_LEN];
        crate::random::fill(&mut bytes);
        SessionId(bytes)
    }

    /// The id with these bytes (for stores and tests).
    ///
    /// ```
    /// let id = sealed_session::SessionId::from_bytes([1; 16]);
    /// assert_eq!(id.as_bytes(), &[1; 16]);
    /// ```
    pub const fn from_bytes(bytes: [u8; SESSION_ID_LEN]) -> SessionId {
        SessionId(bytes)
    }

    /// The id's 16 bytes.
    ///
    /// ```
    /// let id = sealed_session::SessionId::from_bytes([2; 16]);
    /// assert_eq!(id.as_bytes()[0], 2);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; SESSION_ID_LEN] {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}
