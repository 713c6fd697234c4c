//! `RedisStore` on a Redis Cluster (feature `redis-cluster`).
//!
//! # Key layout, and why
//!
//! On one primary a check is one `MGET` of the session's entry, its
//! subject's not-before, the global not-before and the sentinel. On a
//! cluster those keys would hash to up to four slots on up to four nodes.
//! The cluster layout (see `keys.rs`) keeps a check at **one round trip to
//! one node**, the cost of a single primary:
//!
//! - **Hash tags by subject.** A session's entry carries its subject's tag,
//!   as do the subject's not-before and quota, so the `MGET` of a check and
//!   the logout script touch one slot. Subjects spread over the slots.
//!   Anonymous sessions share one tag with the set that bounds them: one
//!   slot holds every anonymous revocation (they are bounded by
//!   [`RedisStoreBuilder::with_anonymous_limit`]).
//! - **The global not-before and the sentinel are held locally.** They
//!   share their own tag and are read by every check on one primary; on a
//!   cluster each node keeps a copy and reads it again (one `MGET`, run
//!   beside the check's own, so the check still waits one round trip) when
//!   the copy is older than the refresh interval
//!   ([`RedisStoreBuilder::with_refresh_interval`], default 1 s). A failed
//!   read keeps the copy for up to three intervals; past that, checks fail
//!   closed with the read's error. The cost: a `revoke_all` made on another
//!   node is seen within one interval rather than at once (the node that
//!   makes it sees it at once). A lost sentinel re-arms as on one primary.
//! - **Writes wait for a replica.** Replication is asynchronous: a primary
//!   that acknowledged a logout and died before its replica had it would
//!   revive the session on failover. Every write is followed by `WAIT` on
//!   its primary for [`RedisStoreBuilder::with_replica_acks`] replicas
//!   (default 1); too few within the timeout fail the logout with
//!   [`UnavailableReason::Replication`], so a logout is never reported
//!   recorded while one failover could lose it. Retrying is safe. A logout
//!   is thus two round trips to one node (checks stay at one). Writes and
//!   their `WAIT` go over connections of their own: `WAIT` blocks the
//!   connection it is sent on, for its whole timeout when a shard has lost
//!   its replica, and checks on that shard would queue behind it.
//! - `connect` checks `maxmemory-policy noeviction` and `appendonly yes`
//!   on **every** primary. The sentinel detects a loss of the shard that
//!   holds it only; the other shards rely on persistence and on `WAIT`.
//!   A replica added later should be configured the same way.

#![cfg_attr(not(feature = "redis-cluster"), allow(dead_code))]

use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

#[cfg(feature = "redis-cluster")]
use super::connect::{Conn, unavailable, within};
#[cfg(feature = "redis-cluster")]
use crate::UnavailableReason;

#[cfg(feature = "redis-cluster")]
use super::{RedisStore, RedisStoreBuilder};
#[cfg(feature = "redis-cluster")]
use crate::ConfigError;
#[cfg(feature = "redis-cluster")]
use crate::Result;

/// The default interval at which a cluster store reads the global
/// not-before and the sentinel again: 1 s.
///
/// ```
/// assert_eq!(
///     sealed_session::revocation::DEFAULT_REDIS_REFRESH_INTERVAL,
///     time::Duration::seconds(1)
/// );
/// ```
pub const DEFAULT_REDIS_REFRESH_INTERVAL: time::Duration = time::Duration::seconds(1);

/// The cluster settings of a builder.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    refresh: time::Duration,
    replica_acks: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            refresh: DEFAULT_REDIS_REFRESH_INTERVAL,
            replica_acks: 1,
        }
    }
}

/// What one node of a cluster store holds of the shared state.
pub(super) struct Shared {
    pub(super) refresh: Duration,
    pub(super) replica_acks: u32,
    held: Mutex<Held>,
    pub(super) refreshing: AtomicBool,
}

/// The held copy of the global not-before, and when it was read.
#[derive(Clone, Copy)]
pub(super) struct Held {
    pub(super) global: Option<i64>,
    pub(super) at: Option<Instant>,
}

impl Shared {
    /// Adopts a global not-before just read, keeping a later one held (a
    /// not-before never moves back; one that expired refuses only expired
    /// sessions).
    pub(super) fn adopt(&self, global: Option<i64>) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.global = held.global.max(global);
        held.at = Some(Instant::now());
    }

    pub(super) fn raise(&self, not_before: i64) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.global = held.global.max(Some(not_before));
    }

    pub(super) fn held(&self) -> Held {
        *self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(feature = "redis-cluster")]
impl RedisStore {
    /// Starts configuring a store on a Redis Cluster (feature
    /// `redis-cluster`), given one or more of its nodes as URLs
    /// (`redis://host:port`, or `rediss://` with feature `redis-tls`); the
    /// client finds the others. See the key layout in the module docs of
    /// [`RedisStore`]: a check is still one round trip to one node.
    ///
    /// ```no_run
    /// # async fn run() -> sealed_session::Result<()> {
    /// use sealed_session::revocation::RedisStore;
    /// let store = RedisStore::cluster_builder(["redis://redis-1.internal:7000", "redis://redis-2.internal:7000"])
    ///     .with_prefix("myapp:sessions:")
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn cluster_builder<S: Into<String>>(
        nodes: impl IntoIterator<Item = S>,
    ) -> RedisStoreBuilder {
        let mut builder = RedisStore::builder(String::new());
        builder.cluster_nodes = Some(nodes.into_iter().map(Into::into).collect());
        builder
    }
}

#[cfg(feature = "redis-cluster")]
impl RedisStoreBuilder {
    /// How often a cluster store reads the global not-before and the
    /// sentinel again (default [`DEFAULT_REDIS_REFRESH_INTERVAL`]): a
    /// `revoke_all` made through another node is seen within it. Checks
    /// fail closed once three intervals pass without a successful read.
    /// Only for [`RedisStore::cluster_builder`]; `connect` fails with
    /// [`ConfigError::RevocationTimeout`] unless it is positive.
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::cluster_builder(["redis://127.0.0.1:7000"])
    ///     .with_refresh_interval(time::Duration::milliseconds(250));
    /// ```
    pub fn with_refresh_interval(mut self, interval: time::Duration) -> Self {
        self.cluster.refresh = interval;
        self
    }

    /// How many replicas must acknowledge each write of a cluster store
    /// (default 1) before a logout is reported recorded; fewer within the
    /// timeout fail it with [`UnavailableReason::Replication`]. 0 turns the
    /// wait off (a failover may then lose the last logouts). Only for
    /// [`RedisStore::cluster_builder`].
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::cluster_builder(["redis://127.0.0.1:7000"])
    ///     .with_replica_acks(2);
    /// ```
    pub fn with_replica_acks(mut self, replicas: u32) -> Self {
        self.cluster.replica_acks = replicas;
        self
    }
}

/// Connects to a cluster through its seed nodes.
#[cfg(feature = "redis-cluster")]
pub(super) async fn open(
    builder: &RedisStoreBuilder,
    nodes: &[String],
    timeout: Duration,
) -> Result<(Conn, Option<std::sync::Arc<Shared>>)> {
    let refresh = Duration::try_from(builder.cluster.refresh)
        .ok()
        .filter(|r| !r.is_zero())
        .ok_or(ConfigError::RevocationTimeout)?;
    let wait = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    #[allow(unused_mut)]
    let mut client = redis::cluster::ClusterClientBuilder::new(nodes.iter().map(String::as_str))
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(2)
        .min_retry_wait(10)
        .max_retry_wait(wait);
    #[cfg(feature = "redis-tls")]
    {
        super::tls::install_provider();
        if let Some(pem) = builder.root_ca() {
            client = client.certs(super::tls::certificates(pem)?);
        }
    }
    let client = client.build().map_err(|_| ConfigError::RedisCluster)?;
    let read = within(timeout, client.get_async_connection()).await?;
    let write = within(timeout, client.get_async_connection()).await?;
    let shared = Shared {
        refresh,
        replica_acks: builder.cluster.replica_acks,
        held: Mutex::new(Held {
            global: None,
            at: None,
        }),
        refreshing: AtomicBool::new(false),
    };
    Ok((
        Conn::Cluster { read, write },
        Some(std::sync::Arc::new(shared)),
    ))
}

/// `CONFIG GET` on every primary.
#[cfg(feature = "redis-cluster")]
pub(super) async fn server_config(
    mut conn: redis::cluster_async::ClusterConnection,
    cmd: redis::Cmd,
    timeout: Duration,
) -> Result<super::connect::ServerConfig> {
    use redis::cluster_routing::{MultipleNodeRoutingInfo, RoutingInfo};
    let route = RoutingInfo::MultiNode((MultipleNodeRoutingInfo::AllMasters, None));
    let reply = within(timeout, async move { conn.route_command(cmd, route).await }).await?;
    let replies: std::collections::HashMap<String, std::collections::HashMap<String, String>> =
        redis::from_redis_value(reply).map_err(|_| unavailable(UnavailableReason::Reply))?;
    Ok(super::connect::all_keep(&replies))
}
