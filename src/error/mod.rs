//! The one error type of the crate, with a distinct reason per rejection.
//!
//! Nothing in here ever holds key bytes, cookie bytes or plaintext: every
//! variant carries only lengths, ids, or a static description, so logging an
//! [`Error`] with `{}` or `{:?}` is always safe.

mod config;
mod malformed;
mod revocation;
mod schema;

pub use config::{ConfigError, RingEntryError};
pub use malformed::Malformed;
pub use revocation::{RevokedReason, SnapshotError, UnavailableReason};
pub use schema::UntraceableReason;

use core::fmt;

/// Every way sealing or opening a session can fail.
///
/// Matching on the variant tells *why* a cookie was rejected; the web
/// integration usually treats every opening error except
/// [`Error::is_client_fault`] == `false` ones as "no session".
///
/// ```
/// use sealed_session::{Error, Key, KeyRing, Sealer};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let err = sealer.open::<String>("not a cookie!").unwrap_err();
/// assert!(matches!(err, Error::Malformed(_)));
/// assert!(err.is_client_fault());
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The cookie value is not a well-formed v1 sealed value.
    Malformed(Malformed),
    /// The version byte names a format version this build does not know.
    UnsupportedVersion {
        /// The version byte found in the cookie.
        version: u8,
    },
    /// No key with this id is in the ring (rotated out, or never existed).
    UnknownKey {
        /// The key id found in the cookie header.
        key_id: u32,
    },
    /// The key with this id exists but its retire-at time has passed.
    RetiredKey {
        /// The key id found in the cookie header.
        key_id: u32,
    },
    /// The header names an algorithm other than the one the key with this id
    /// is bound to. The cookie is never decrypted with the other cipher.
    AlgorithmMismatch {
        /// The key id found in the cookie header.
        key_id: u32,
    },
    /// Authentication failed: the value was altered, sealed under another
    /// key, or presented under another cookie name or purpose.
    Unauthenticated,
    /// The absolute deadline (plus leeway) has passed.
    Expired,
    /// The idle deadline (plus leeway) has passed.
    IdleExpired,
    /// The session claims to be issued in the future, beyond twice the
    /// leeway (one leeway for the sealing node's clock, one for a session
    /// stamped at a not-before that lies a leeway ahead).
    NotYetValid,
    /// The session's lifetime (absolute deadline minus issue time) is
    /// longer than this sealer's TTL: it was sealed under a longer TTL (or
    /// by another configuration). Readers cap lifetimes by their own TTL,
    /// so shortening the TTL ends longer sessions at once, and revocation
    /// entries, which live for the TTL, always outlive every session that
    /// can still open.
    LifetimeTooLong,
    /// The cookie (full `Set-Cookie` line when sealing, the value when
    /// opening) is larger than the configured limit. With chunking
    /// (`Chunking`): when sealing, the sealed value's length against the
    /// longest value any layout carries (one cookie, or up to the maximum
    /// chunk count within the request-header budget); when opening, the
    /// chunks' joined length against the count times the cookie limit.
    TooLarge {
        /// The size in bytes that was measured.
        size: usize,
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The decompressed payload would exceed the configured cap.
    DecompressedTooLarge {
        /// The configured cap in bytes.
        limit: usize,
    },
    /// The session data could not be serialized.
    Serialize,
    /// The authenticated payload does not deserialize into the requested
    /// type although its schema matched (a type whose `Deserialize` refuses
    /// some values, or a self-describing payload that lacks a field). Not
    /// the client's fault: the cookie is authentic.
    Deserialize,
    /// The cookie's payload follows another schema than the session type
    /// (the type changed between deploys) and no migration or staged
    /// schema of this sealer reads it. Not the client's fault: the cookie
    /// is authentic; README, "Changing the session type".
    SchemaMismatch {
        /// The schema id in the cookie.
        found: u32,
        /// The schema id of the requested type.
        expected: u32,
    },
    /// A migration from the cookie's schema failed: its payload did not
    /// deserialize as the old type, or the migration function refused it.
    MigrationFailed {
        /// The schema id in the cookie.
        from: u32,
    },
    /// A configuration value was rejected when the sealer or key was built.
    InvalidConfig(ConfigError),
    /// The session was revoked: logged out, logged out everywhere, or
    /// issued before a global not-before time.
    Revoked {
        /// Which rule rejected it.
        reason: RevokedReason,
    },
    /// The revocation store could not answer (timeout, connection lost,
    /// unexpected reply). Revocation fails closed on this error unless the
    /// fail-open policy was chosen explicitly.
    RevocationUnavailable {
        /// What went wrong.
        reason: UnavailableReason,
    },
    /// The in-memory revocation list holds its configured maximum of
    /// entries and none has expired: the revocation was *not* recorded.
    /// Raise the bound, set a global not-before, or rotate keys.
    RevocationFull {
        /// The configured maximum number of entries.
        limit: usize,
    },
    /// A revocation snapshot was rejected on import.
    InvalidSnapshot(SnapshotError),
}

impl Error {
    /// Whether the error is caused by the presented cookie (bad, old or
    /// forged input) rather than by the server's configuration or data.
    ///
    /// Web integrations treat client-fault errors as "no session".
    ///
    /// ```
    /// use sealed_session::Error;
    /// assert!(Error::Expired.is_client_fault());
    /// assert!(!Error::Serialize.is_client_fault());
    /// ```
    pub fn is_client_fault(&self) -> bool {
        !matches!(
            self,
            Error::Serialize
                // Authentic (the flags are inside the ciphertext), but this
                // build cannot read it: another node may.
                | Error::Malformed(Malformed::CodecUnsupported | Malformed::CompressionUnsupported)
                | Error::Deserialize
                | Error::SchemaMismatch { .. }
                | Error::MigrationFailed { .. }
                | Error::InvalidConfig(_)
                | Error::RevocationUnavailable { .. }
                | Error::RevocationFull { .. }
                | Error::InvalidSnapshot(_)
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed(why) => write!(f, "malformed session cookie: {why}"),
            Error::UnsupportedVersion { version } => {
                write!(f, "unsupported session cookie version {version}")
            }
            Error::UnknownKey { key_id } => write!(f, "no key with id {key_id} in the key ring"),
            Error::RetiredKey { key_id } => write!(f, "key {key_id} is retired"),
            Error::AlgorithmMismatch { key_id } => {
                write!(f, "cookie names another algorithm than key {key_id}")
            }
            Error::Unauthenticated => f.write_str("session cookie failed authentication"),
            Error::Expired => f.write_str("session expired"),
            Error::IdleExpired => f.write_str("session idle timeout passed"),
            Error::NotYetValid => f.write_str("session issued in the future"),
            Error::LifetimeTooLong => f.write_str("session lifetime exceeds the TTL"),
            Error::TooLarge { size, limit } => {
                write!(
                    f,
                    "session cookie is {size} bytes, over the {limit} byte limit"
                )
            }
            Error::DecompressedTooLarge { limit } => {
                write!(f, "decompressed session exceeds the {limit} byte cap")
            }
            Error::Serialize => f.write_str("session data could not be serialized"),
            Error::Deserialize => f.write_str("session data could not be deserialized"),
            Error::SchemaMismatch { found, expected } => write!(
                f,
                "session cookie has schema {found:#010x}, the session type {expected:#010x}"
            ),
            Error::MigrationFailed { from } => {
                write!(f, "migrating a session of schema {from:#010x} failed")
            }
            Error::InvalidConfig(why) => write!(f, "invalid configuration: {why}"),
            Error::Revoked { reason } => write!(f, "session revoked: {reason}"),
            Error::RevocationUnavailable { reason } => {
                write!(f, "revocation store unavailable: {reason}")
            }
            Error::RevocationFull { limit } => {
                write!(f, "revocation list is full ({limit} entries)")
            }
            Error::InvalidSnapshot(why) => write!(f, "invalid revocation snapshot: {why}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Malformed> for Error {
    fn from(why: Malformed) -> Self {
        Error::Malformed(why)
    }
}

impl From<ConfigError> for Error {
    fn from(why: ConfigError) -> Self {
        Error::InvalidConfig(why)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
