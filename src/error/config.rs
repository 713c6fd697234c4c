//! Configuration mistakes: reported when a sealer, ring or store is built,
//! never on a request.

use core::fmt;

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
    /// Two keys in one ring hold the same 32 secret bytes, whatever their
    /// ids and algorithms: one secret under two algorithms, or a key copied
    /// under a new id instead of generated. Names the keys by id, never by
    /// their bytes.
    DuplicateKeySecret {
        /// The id of the later of the two keys, in ring order.
        key_id: u32,
        /// The id of the earlier key that holds the same bytes.
        same_as: u32,
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
    /// The Redis server does not persist writes (`appendonly` is not
    /// `yes`): a restart would forget every revocation.
    RedisPersistence,
    /// The TLS settings of a Redis store are unusable: the root CA holds no
    /// PEM certificate, or a root CA was given with a URL that is not
    /// `rediss://`.
    RedisTls,
    /// The node list of a Redis Cluster store is empty, or a node's URL
    /// does not parse.
    RedisCluster,
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
    /// A session type's schema could not be derived from its serde shape:
    /// give it an explicit version
    /// ([`SealerBuilder::with_schema_version`](crate::SealerBuilder::with_schema_version)).
    UntraceableSchema {
        /// Why tracing failed.
        reason: super::UntraceableReason,
    },
    /// The revocation has no store ([`Stateless`](crate::revocation::Stateless)):
    /// "log out everywhere" and `revoke_all` need one to keep a not-before.
    NoRevocationStore,
    /// Two schema declarations of one sealer collide: two types pinned to
    /// one version, two migrations from one schema, or a migration whose
    /// source has the schema of its target.
    ConflictingSchema {
        /// The schema id declared twice.
        schema: u32,
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
            ConfigError::UntraceableSchema { reason } => write!(
                f,
                "session type has no traceable schema ({reason}): give it an explicit version"
            ),
            ConfigError::NoRevocationStore => f.write_str(
                "no revocation store (stateless): log out everywhere and revoke_all need one",
            ),
            ConfigError::ConflictingSchema { schema } => {
                write!(f, "schema {schema:#010x} is declared twice")
            }
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
            ConfigError::DuplicateKeySecret { key_id, same_as } => write!(
                f,
                "key {key_id} holds the same secret as key {same_as}: give each key its own"
            ),
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
            ConfigError::RedisPersistence => {
                f.write_str("Redis must persist writes (appendonly yes)")
            }
            ConfigError::RedisTls => {
                f.write_str("Redis TLS settings unusable (root CA PEM or URL scheme)")
            }
            ConfigError::RedisCluster => f.write_str("Redis Cluster node list empty or unparsable"),
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
