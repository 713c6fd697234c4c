//! `RedisStore`: the revocation store shared by a fleet of nodes. This
//! file configures it; `connect.rs` connects it, `tls.rs` adds `rediss://`
//! (feature `redis-tls`), `cluster.rs` runs it on a Redis Cluster (feature
//! `redis-cluster`), `keys.rs` lays out its keys, and `store.rs` answers
//! the store's calls with one round trip each.

use crate::Result;
use connect::Conn;
use keys::Keys;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};
use time::Duration;

/// The part of the "deny a session with a subject" script that the single
/// primary and the cluster share: with `issued` bound, the subject's
/// not-before (KEYS[3]), the id (KEYS[1]) and the quota (KEYS[2]); ARGV:
/// until, quota. One text, so the two stores cannot drift apart.
macro_rules! deny_subject_tail {
    () => {
        "\
local held = redis.call('GET', KEYS[3])
local nb = tonumber(held or '0') or 0
if issued < nb then return {3, nb} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0} end
local n = redis.call('INCR', KEYS[2])
extend(KEYS[2], ARGV[1], n == 1)
if n <= tonumber(ARGV[2]) then
  redis.call('SET', KEYS[1], 1, 'EXAT', ARGV[1])
  return {1, 0}
end
local fold = issued + 1
if fold > nb then
  redis.call('SET', KEYS[3], fold, 'KEEPTTL')
  nb = fold
end
extend(KEYS[3], ARGV[1], not held)
return {2, nb}"
    };
}

/// The part of the "deny an anonymous id" script both stores share: the id
/// (KEYS[1]) counted in the anonymous set (KEYS[2]); ARGV: id, until,
/// limit, now. Returns 1 recorded, 0 listed already, -1 full.
macro_rules! deny_anonymous_tail {
    () => {
        "\
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
local count = redis.call('ZCARD', KEYS[2])
if count >= tonumber(ARGV[3]) then return -1 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
extend(KEYS[2], ARGV[2], count == 0)
redis.call('SET', KEYS[1], 1, 'EXAT', ARGV[2])
return 1"
    };
}

mod cluster;
mod cluster_store;
mod connect;
mod keys;
mod store;
mod tls;

use connect::unavailable;

#[cfg(feature = "redis-cluster")]
pub use cluster::DEFAULT_REDIS_REFRESH_INTERVAL;

/// The default key prefix. Every key starts with the prefix's length in
/// decimal, a colon and the prefix (`15:sealed-session:`), so the key spaces
/// of two different prefixes are disjoint even when one prefix starts with
/// the other (`app:` and `app:u:`).
///
/// ```
/// assert_eq!(sealed_session::revocation::DEFAULT_REDIS_PREFIX, "sealed-session:");
/// ```
pub const DEFAULT_REDIS_PREFIX: &str = "sealed-session:";

/// The default timeout of each Redis call: 500 ms.
///
/// ```
/// assert_eq!(sealed_session::revocation::DEFAULT_REDIS_TIMEOUT, time::Duration::milliseconds(500));
/// ```
pub const DEFAULT_REDIS_TIMEOUT: Duration = Duration::milliseconds(500);

/// A revocation store in Redis (feature `redis`), shared by every node that
/// connects to it: a logout on one node is seen by all on their next
/// check.
///
/// - One round trip per check: a single `MGET` of the session's entry, the
///   global not-before, the store's sentinel and (for a session with a
///   subject) the subject's not-before. On a Redis Cluster
///   ([`RedisStore::cluster_builder`], feature `redis-cluster`) still one
///   command on one node: hash tags put a check's keys in one slot, and
///   each node holds the global not-before, refreshed once per
///   [`RedisStoreBuilder::with_refresh_interval`]; writes wait for a
///   replica ([`RedisStoreBuilder::with_replica_acks`]).
/// - `rediss://` URLs with feature `redis-tls`: the system's roots, or a
///   private CA ([`RedisStoreBuilder::with_root_ca_pem`]).
/// - Entries expire on their own (`EXAT`); denials run as Lua scripts, so
///   "already revoked?", the subject's quota and the fold into its
///   not-before are atomic. Ids of anonymous sessions live in one sorted
///   set bounded by [`RedisStoreBuilder::with_anonymous_limit`].
/// - **Persistence.** `connect` requires `appendonly yes` (a Redis that
///   forgets its data on restart revives every revoked session), and
///   writes a sentinel key. A node that finds its sentinel gone or changed
///   (a restart without persistence, `FLUSHALL`, a failover to an empty
///   replica) sets the global not-before to its current time, so every
///   session issued before the loss is refused, revoked ones included.
/// - Every call is bounded by the configured timeout (default 500 ms) and
///   fails with [`Error::RevocationUnavailable`](crate::Error::RevocationUnavailable) instead of hanging; the
///   connection manager reconnects in the background after a failure.
///
/// **Redis must run with `maxmemory-policy noeviction`.** Under any
/// eviction policy a full Redis deletes keys with a TTL first, and a
/// deleted deny-list key is a silently revived session. `connect` checks
/// the policy with `CONFIG GET` and refuses to start otherwise (turn the
/// check off with [`RedisStoreBuilder::with_eviction_check`] only where
/// `CONFIG` is disabled and you have checked the policy yourself). With
/// `noeviction`, a full Redis refuses writes: logouts fail with an error
/// instead. Needs Redis 7.0 or newer, and a Tokio runtime with time enabled
/// (`#[tokio::main]` has it).
///
/// ```no_run
/// use sealed_session::revocation::{RedisStore, Revocation};
/// use sealed_session::{Key, KeyRing, Sealer};
/// use time::Duration;
///
/// # async fn run() -> sealed_session::Result<()> {
/// let store = RedisStore::builder("redis://127.0.0.1:6379/")
///     .with_prefix("myapp:sessions:")
///     .with_timeout(Duration::milliseconds(200))
///     .connect()
///     .await?;
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Revocation::new(sealer, store)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: Conn,
    keys: Arc<Keys>,
    timeout: std::time::Duration,
    anonymous_limit: u64,
    quota: u32,
    /// The sentinel value this node armed or adopted at connect.
    sentinel: Arc<Mutex<Vec<u8>>>,
    /// Whether the eviction policy is re-checked, and when it last was
    /// (unix seconds).
    eviction_check: bool,
    policy_checked_at: Arc<AtomicI64>,
    /// On a cluster: the global not-before and sentinel held locally, and
    /// how writes wait for replicas.
    cluster: Option<Arc<cluster::Shared>>,
}

impl core::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStore")
            .field("keys", &self.keys)
            .field("timeout", &self.timeout)
            .field("anonymous_limit", &self.anonymous_limit)
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

/// The default bound on anonymous session ids in a [`RedisStore`].
///
/// ```
/// assert_eq!(sealed_session::revocation::DEFAULT_REDIS_ANONYMOUS_LIMIT, 100_000);
/// ```
pub const DEFAULT_REDIS_ANONYMOUS_LIMIT: u64 = 100_000;

/// Configures a [`RedisStore`]; made by [`RedisStore::builder`].
///
/// ```
/// use sealed_session::revocation::RedisStore;
/// let builder = RedisStore::builder("redis://:secret@127.0.0.1/").with_prefix("app:");
/// assert!(!format!("{builder:?}").contains("secret"));
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until .connect()"]
pub struct RedisStoreBuilder {
    url: String,
    prefix: String,
    timeout: Duration,
    eviction_check: bool,
    persistence_check: bool,
    anonymous_limit: u64,
    quota: u32,
    /// The custom root CA (PEM), feature `redis-tls`.
    #[cfg(feature = "redis-tls")]
    root_ca: Option<Vec<u8>>,
    /// The seed nodes of a cluster, feature `redis-cluster`.
    #[cfg(feature = "redis-cluster")]
    cluster_nodes: Option<Vec<String>>,
    cluster: cluster::Settings,
}

impl core::fmt::Debug for RedisStoreBuilder {
    // The URL may hold a password.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("eviction_check", &self.eviction_check)
            .field("persistence_check", &self.persistence_check)
            .field("anonymous_limit", &self.anonymous_limit)
            .field("quota", &self.quota)
            .field("cluster", &self.cluster)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Starts configuring a store on the Redis at `url`
    /// (`redis://[:password@]host[:port][/db]`, or `rediss://` for TLS with
    /// feature `redis-tls`).
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/");
    /// ```
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            url: url.into(),
            prefix: DEFAULT_REDIS_PREFIX.into(),
            timeout: DEFAULT_REDIS_TIMEOUT,
            eviction_check: true,
            persistence_check: true,
            anonymous_limit: DEFAULT_REDIS_ANONYMOUS_LIMIT,
            quota: super::DEFAULT_SUBJECT_QUOTA,
            #[cfg(feature = "redis-tls")]
            root_ca: None,
            #[cfg(feature = "redis-cluster")]
            cluster_nodes: None,
            cluster: cluster::Settings::default(),
        }
    }

    /// Connects with the defaults.
    ///
    /// ```no_run
    /// # async fn run() -> sealed_session::Result<()> {
    /// let store = sealed_session::revocation::RedisStore::connect("redis://127.0.0.1/").await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`RedisStoreBuilder::connect`].
    pub async fn connect(url: &str) -> Result<RedisStore> {
        RedisStore::builder(url).connect().await
    }
}

impl RedisStoreBuilder {
    /// The prefix of every key (default [`DEFAULT_REDIS_PREFIX`]). Give
    /// each application its own when several share one Redis: subjects
    /// are only unique within an application.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_prefix("shop:sessions:");
    /// ```
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The timeout of each call, connecting included (default
    /// [`DEFAULT_REDIS_TIMEOUT`]). A check that takes longer fails with
    /// [`UnavailableReason::Timeout`](crate::UnavailableReason::Timeout).
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_timeout(time::Duration::milliseconds(100));
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether `connect` checks that the server runs with `maxmemory-policy
    /// noeviction` (default `true`); checks then repeat it once a minute,
    /// failing closed with [`UnavailableReason::Misconfigured`](crate::UnavailableReason::Misconfigured) if the
    /// policy was changed while running.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_eviction_check(false); // CONFIG is disabled on this server
    /// ```
    pub fn with_eviction_check(mut self, check: bool) -> Self {
        self.eviction_check = check;
        self
    }

    /// Whether `connect` checks that the server persists writes
    /// (`appendonly yes`; default `true`). Turn it off only where `CONFIG`
    /// is disabled and the service persists by other means, or where
    /// losing revocations on a restart is acceptable: the sentinel then
    /// still turns a detected loss into a global not-before.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_persistence_check(false);
    /// ```
    pub fn with_persistence_check(mut self, check: bool) -> Self {
        self.persistence_check = check;
        self
    }

    /// How many ids of sessions without a subject the store holds (default
    /// [`DEFAULT_REDIS_ANONYMOUS_LIMIT`]): anyone can fill them, and then
    /// anonymous logouts fail with [`Error::RevocationFull`](crate::Error::RevocationFull) while every
    /// other logout goes on. See [`MemoryStore`](super::MemoryStore) for
    /// the rules, which are the same.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_anonymous_limit(10_000);
    /// ```
    pub fn with_anonymous_limit(mut self, ids: u64) -> Self {
        self.anonymous_limit = ids;
        self
    }

    /// How many session ids one subject may hold within a session lifetime
    /// (default [`DEFAULT_SUBJECT_QUOTA`](super::DEFAULT_SUBJECT_QUOTA));
    /// further logouts of that subject fold into its not-before.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_subject_quota(4);
    /// ```
    pub fn with_subject_quota(mut self, ids: u32) -> Self {
        self.quota = ids;
        self
    }
}
