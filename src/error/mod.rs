//! The one error type of the crate, with a distinct reason per rejection.
//!
//! Nothing in here ever holds key bytes, cookie bytes or plaintext: every
//! variant carries only lengths, ids, or a static description, so logging an
//! [`Error`] with `{}` or `{:?}` is always safe.

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
    /// The session claims to be issued in the future, beyond the leeway.
    NotYetValid,
    /// The cookie (full `Set-Cookie` line when sealing, the value when
    /// opening) is larger than the configured limit. With chunking
    /// (`Chunking`), the sealed value's length against the longest value
    /// the maximum chunk count and the request-header budget carry.
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
    /// The authenticated payload does not deserialize into the requested type
    /// (for example after a change of the session struct).
    Deserialize,
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

/// Why a cookie value is not a well-formed sealed value.
///
/// ```
/// use sealed_session::{Error, Malformed};
/// assert_eq!(Error::from(Malformed::Empty).to_string(), "malformed session cookie: empty value");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The value is empty.
    Empty,
    /// The value is not canonical unpadded base64url.
    Base64,
    /// The decoded value is shorter than header, nonce and tag.
    TooShort,
    /// The algorithm byte names no known algorithm.
    UnknownAlgorithm,
    /// The authenticated envelope is truncated or carries unknown flags,
    /// inconsistent deadlines or a non-UTF-8 subject.
    Envelope,
    /// The compressed payload is not valid deflate data.
    Compression,
    /// The payload is compressed but this build lacks the `compression`
    /// feature.
    CompressionUnsupported,
    /// A chunked session's cookies do not fit together: the first chunk
    /// lacks a valid chunk count, or a chunk it counts is missing or empty
    /// (see FORMAT.md, "Chunked values").
    Chunks,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Empty => "empty value",
            Malformed::Base64 => "not canonical unpadded base64url",
            Malformed::TooShort => "shorter than header, nonce and tag",
            Malformed::UnknownAlgorithm => "unknown algorithm",
            Malformed::Envelope => "invalid envelope",
            Malformed::Compression => "invalid compressed payload",
            Malformed::CompressionUnsupported => "compressed payload, built without compression",
            Malformed::Chunks => "chunked cookies missing, extra or without a valid count",
        })
    }
}

/// A configuration value rejected when building a [`Sealer`](crate::Sealer),
/// a [`Key`](crate::Key) or a [`KeyRing`](crate::KeyRing).
///
/// ```
/// use sealed_session::{ConfigError, Error, Key, KeyRing, Sealer};
/// use time::Duration;
///
/// let err = Sealer::builder(KeyRing::new(Key::generate(1)))
///     .with_ttl(Duration::ZERO)
///     .build()
///     .unwrap_err();
/// assert_eq!(err, Error::InvalidConfig(ConfigError::Ttl));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The cookie name is empty or has characters not allowed in a cookie name.
    CookieName,
    /// The purpose is longer than 255 bytes.
    Purpose,
    /// The absolute TTL is not positive or is longer than `u32::MAX` seconds.
    Ttl,
    /// The idle timeout is not positive or not shorter than the absolute TTL.
    IdleTimeout,
    /// The renewal threshold is not in `0.0..=1.0`.
    RenewalThreshold,
    /// The leeway is negative or longer than an hour.
    Leeway,
    /// The maximum cookie size is too small to hold any sealed value.
    MaxCookieSize,
    /// The `Domain` or `Path` attribute has characters not allowed there.
    Attribute,
    /// A `__Host-` cookie must be `Secure`, have `Path=/` and no `Domain`;
    /// a `__Secure-` cookie must be `Secure`; `SameSite=None` needs `Secure`.
    Prefix,
    /// The primary key is retired at the time the sealer is built.
    RetiredPrimary {
        /// The primary key's id.
        key_id: u32,
    },
    /// Two keys in one ring share an id.
    DuplicateKeyId {
        /// The id used twice.
        key_id: u32,
    },
    /// The key text is not `ss1:<algorithm>:<id>:<base64url 32 bytes>`.
    KeyText,
    /// A master secret for key derivation is shorter than 32 bytes.
    MasterSecret,
    /// The compression threshold or decompression cap is out of range.
    Compression,
    /// The clock passed to a `*_at` method is before 1970 or after 9999.
    Clock,
    /// A session subject is longer than 255 bytes.
    Subject,
    /// The maximum number of revocation entries is zero.
    RevocationCapacity,
    /// Chunking settings out of range: the maximum chunk count must be 2
    /// to 255, and the request-header budget must hold at least one cookie.
    Chunking,
    /// A revocation store timeout is zero.
    RevocationTimeout,
    /// The longest session lifetime given to revocation is shorter than the
    /// sealer's TTL or longer than `u32::MAX` seconds.
    RevocationMaxTtl,
    /// The Redis connection URL does not parse.
    RedisUrl,
    /// The Redis server's `maxmemory-policy` is not `noeviction`: under any
    /// eviction policy Redis may silently delete revocations.
    RedisEvictionPolicy,
    /// An entry of a key ring's text form is invalid. Names the entry and,
    /// once its key text parsed, the key id; never the key bytes.
    RingEntry {
        /// 1-based position of the entry in the text (1 = the primary key).
        position: usize,
        /// The entry's key id, when its key text was readable.
        key_id: Option<u32>,
        /// What is wrong with the entry.
        reason: RingEntryError,
    },
    /// The environment variable that should hold a key ring is not set or
    /// is not valid UTF-8.
    EnvVar {
        /// The variable's name.
        name: String,
    },
    /// No key in the ring has this id.
    NoSuchKey {
        /// The id asked for.
        key_id: u32,
    },
    /// An epoch configuration that cannot work: a period under 1 s, not
    /// whole seconds, or not longer than the leeway; or more than 1024
    /// previous epochs needed or asked for (the TTL spans too many periods).
    EpochConfig,
    /// Fewer previous epochs are accepted than sessions live: a cookie
    /// would stop opening before its deadline.
    EpochWindow {
        /// The fewest previous epochs that cover the TTL plus the leeway.
        needed: u32,
    },
}

/// What is wrong with one entry of a key ring's text form; see
/// [`ConfigError::RingEntry`].
///
/// ```
/// use sealed_session::{ConfigError, Error, KeyRing, RingEntryError};
/// let err = KeyRing::from_text("ss1:aes256gcm:1:short").unwrap_err();
/// assert_eq!(
///     err,
///     Error::InvalidConfig(ConfigError::RingEntry {
///         position: 1,
///         key_id: None,
///         reason: RingEntryError::KeyText,
///     })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RingEntryError {
    /// The entry is empty (an empty text, or two commas in a row).
    Empty,
    /// The key text is not `ss1:<algorithm>:<id>:<base64url 32 bytes>`.
    KeyText,
    /// An attribute other than `since=` or `retire=`.
    UnknownAttribute,
    /// The same attribute twice.
    RepeatedAttribute,
    /// A time that is not RFC 3339 (`2030-01-01T00:00:00Z`).
    Time,
}

impl fmt::Display for RingEntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RingEntryError::Empty => "empty entry",
            RingEntryError::KeyText => "key text is not ss1:<algorithm>:<id>:<base64url 32 bytes>",
            RingEntryError::UnknownAttribute => "unknown attribute (expected since= or retire=)",
            RingEntryError::RepeatedAttribute => "attribute given twice",
            RingEntryError::Time => "time is not RFC 3339 (e.g. 2030-01-01T00:00:00Z)",
        })
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::CookieName => f.write_str("cookie name is empty or not a valid token"),
            ConfigError::Purpose => f.write_str("purpose is longer than 255 bytes"),
            ConfigError::Ttl => f.write_str("TTL must be between 1 s and u32::MAX s"),
            ConfigError::IdleTimeout => {
                f.write_str("idle timeout must be positive and shorter than the TTL")
            }
            ConfigError::RenewalThreshold => f.write_str("renewal threshold must be in 0..=1"),
            ConfigError::Leeway => f.write_str("leeway must be between 0 and 1 hour"),
            ConfigError::MaxCookieSize => f.write_str("maximum cookie size is too small"),
            ConfigError::Attribute => f.write_str("Domain or Path has invalid characters"),
            ConfigError::Prefix => {
                f.write_str("cookie name prefix or SameSite=None conflicts with the attributes")
            }
            ConfigError::RetiredPrimary { key_id } => {
                write!(f, "primary key {key_id} is already retired")
            }
            ConfigError::DuplicateKeyId { key_id } => write!(f, "key id {key_id} is used twice"),
            ConfigError::KeyText => {
                f.write_str("key text is not ss1:<algorithm>:<id>:<base64url 32 bytes>")
            }
            ConfigError::MasterSecret => f.write_str("master secret is shorter than 32 bytes"),
            ConfigError::Compression => {
                f.write_str("compression threshold or decompression cap out of range")
            }
            ConfigError::Clock => f.write_str("clock is before 1970 or after year 9999"),
            ConfigError::Subject => f.write_str("subject is longer than 255 bytes"),
            ConfigError::Chunking => f.write_str(
                "chunking: maximum chunk count must be 2..=255 and the header budget at least one cookie",
            ),
            ConfigError::RevocationCapacity => {
                f.write_str("revocation list needs room for at least one entry")
            }
            ConfigError::RevocationTimeout => f.write_str("revocation timeout must be positive"),
            ConfigError::RevocationMaxTtl => {
                f.write_str("revocation max TTL must cover the sealer's TTL and fit u32 seconds")
            }
            ConfigError::RedisUrl => f.write_str("Redis URL does not parse"),
            ConfigError::RedisEvictionPolicy => {
                f.write_str("Redis maxmemory-policy must be noeviction")
            }
            ConfigError::RingEntry {
                position,
                key_id: Some(id),
                reason,
            } => write!(f, "key ring entry {position} (key {id}): {reason}"),
            ConfigError::RingEntry {
                position,
                key_id: None,
                reason,
            } => write!(f, "key ring entry {position}: {reason}"),
            ConfigError::EnvVar { name } => {
                write!(f, "environment variable {name} is not set or not UTF-8")
            }
            ConfigError::NoSuchKey { key_id } => write!(f, "no key with id {key_id} in the ring"),
            ConfigError::EpochConfig => f.write_str(
                "epoch period must be whole seconds, longer than the leeway, and at least 1/1024 of the TTL",
            ),
            ConfigError::EpochWindow { needed } => write!(
                f,
                "TTL plus leeway spans more epochs than accepted: accept at least {needed} previous epochs"
            ),
        }
    }
}

/// Which revocation rule rejected a session; see [`Error::Revoked`].
///
/// When several rules apply, the most specific is reported: the session id
/// first, then the subject, then the global not-before.
///
/// ```
/// use sealed_session::{Error, RevokedReason};
/// let err = Error::Revoked { reason: RevokedReason::SessionId };
/// assert_eq!(err.to_string(), "session revoked: this session was logged out");
/// assert!(err.is_client_fault());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokedReason {
    /// The session id is on the deny-list (logout, or an id renewed away).
    SessionId,
    /// The session was issued before its subject's not-before time ("log
    /// out everywhere", password change).
    SubjectNotBefore,
    /// The session was issued before the global not-before time.
    GlobalNotBefore,
}

impl fmt::Display for RevokedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevokedReason::SessionId => "this session was logged out",
            RevokedReason::SubjectNotBefore => "issued before its subject's not-before time",
            RevokedReason::GlobalNotBefore => "issued before the global not-before time",
        })
    }
}

/// Why a revocation store could not answer; see
/// [`Error::RevocationUnavailable`].
///
/// ```
/// use sealed_session::{Error, UnavailableReason};
/// let err = Error::RevocationUnavailable { reason: UnavailableReason::Timeout };
/// assert!(!err.is_client_fault());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnavailableReason {
    /// The store did not answer within its configured timeout.
    Timeout,
    /// The connection to the store failed or was lost.
    Connection,
    /// The store answered with an error or a reply this crate cannot read.
    Reply,
    /// A store future was not ready when polled by
    /// [`revocation::run_ready`](crate::revocation::run_ready), which never
    /// blocks: that store needs an async runtime.
    NotReady,
}

impl fmt::Display for UnavailableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnavailableReason::Timeout => "timed out",
            UnavailableReason::Connection => "connection failed",
            UnavailableReason::Reply => "error or unreadable reply",
            UnavailableReason::NotReady => "store future not ready without a runtime",
        })
    }
}

/// Why a revocation snapshot was rejected on import; see
/// [`Error::InvalidSnapshot`] and the format in
/// [`MemoryStore::export`](crate::revocation::MemoryStore::export).
///
/// ```
/// use sealed_session::{Error, SnapshotError};
/// let err = Error::InvalidSnapshot(SnapshotError::Magic);
/// assert_eq!(err.to_string(), "invalid revocation snapshot: does not start with SSRV");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes do not start with the magic `SSRV`.
    Magic,
    /// The version byte names a snapshot version this build does not know.
    UnsupportedVersion {
        /// The version byte found.
        version: u8,
    },
    /// The flags byte has unknown bits set.
    Flags,
    /// The bytes end before the entries their header announces.
    Truncated,
    /// There are bytes after the last entry and the checksum.
    TrailingBytes,
    /// The CRC-32 does not match: the snapshot was corrupted in transit.
    Checksum,
    /// A subject is not UTF-8.
    Subject,
    /// An entry expires before the time it starts from.
    Times,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Magic => f.write_str("does not start with SSRV"),
            SnapshotError::UnsupportedVersion { version } => {
                write!(f, "unsupported snapshot version {version}")
            }
            SnapshotError::Flags => f.write_str("unknown flags"),
            SnapshotError::Truncated => f.write_str("truncated"),
            SnapshotError::TrailingBytes => f.write_str("bytes after the end"),
            SnapshotError::Checksum => f.write_str("checksum mismatch"),
            SnapshotError::Subject => f.write_str("subject is not UTF-8"),
            SnapshotError::Times => f.write_str("entry expires before it starts"),
        }
    }
}

impl From<SnapshotError> for Error {
    fn from(why: SnapshotError) -> Self {
        Error::InvalidSnapshot(why)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
