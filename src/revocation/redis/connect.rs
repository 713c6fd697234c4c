//! Connecting a `RedisStore`: the client (plain, TLS or cluster), the
//! settings checks, and the timeout and error mapping every call goes
//! through.

use super::keys::Keys;
use super::{RedisStore, RedisStoreBuilder};
use crate::{ConfigError, Error, Result, UnavailableReason};
use core::future::Future;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, RedisError, RedisResult};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicI64;

/// The connection of a store: one primary through a reconnecting
/// connection manager, or a Redis Cluster. On a cluster, writes have
/// connections of their own: each is followed by `WAIT`, which blocks the
/// connection it is sent on until replicas acknowledge (up to its timeout,
/// when a shard has lost its replica), and checks must not queue behind it.
#[derive(Clone)]
pub(super) enum Conn {
    Single(ConnectionManager),
    #[cfg(feature = "redis-cluster")]
    Cluster {
        read: redis::cluster_async::ClusterConnection,
        write: redis::cluster_async::ClusterConnection,
    },
}

impl RedisStoreBuilder {
    /// Connects (within the timeout) and checks the eviction policy and
    /// persistence (of every primary, for a cluster).
    ///
    /// ```no_run
    /// # async fn run() -> sealed_session::Result<()> {
    /// let store = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::RedisUrl`], [`ConfigError::RedisTls`],
    /// [`ConfigError::RedisCluster`], [`ConfigError::RevocationTimeout`]
    /// for a timeout that is not positive,
    /// [`ConfigError::RevocationCapacity`] for an anonymous limit of zero,
    /// [`ConfigError::RedisEvictionPolicy`],
    /// [`ConfigError::RedisPersistence`], and
    /// [`Error::RevocationUnavailable`] when the server cannot be reached
    /// (with [`UnavailableReason::Tls`] when its certificate is refused) or
    /// refuses `CONFIG GET`.
    pub async fn connect(self) -> Result<RedisStore> {
        let timeout = std::time::Duration::try_from(self.timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or(ConfigError::RevocationTimeout)?;
        if self.anonymous_limit == 0 {
            return Err(ConfigError::RevocationCapacity.into());
        }
        let (conn, cluster) = self.open(timeout).await?;
        let store = RedisStore {
            conn,
            keys: Arc::new(Keys::new(&self.prefix, cluster.is_some())),
            timeout,
            anonymous_limit: self.anonymous_limit,
            quota: self.quota,
            sentinel: Arc::default(),
            eviction_check: self.eviction_check,
            // Checked just below; checks repeat it a minute on.
            policy_checked_at: Arc::new(AtomicI64::new(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64),
            )),
            cluster,
        };
        if self.eviction_check || self.persistence_check {
            let config = store.server_config().await?;
            if self.eviction_check && !config.noeviction {
                return Err(ConfigError::RedisEvictionPolicy.into());
            }
            if self.persistence_check && !config.appendonly {
                return Err(ConfigError::RedisPersistence.into());
            }
        }
        store.arm().await?;
        if let Some(cluster) = &store.cluster {
            cluster.adopt(store.read_global().await?);
        }
        Ok(store)
    }

    async fn open(
        &self,
        timeout: std::time::Duration,
    ) -> Result<(Conn, Option<Arc<super::cluster::Shared>>)> {
        #[cfg(feature = "redis-cluster")]
        if let Some(nodes) = &self.cluster_nodes {
            return super::cluster::open(self, nodes, timeout).await;
        }
        let client = super::tls::client(&self.url, self.root_ca())?;
        // A failed reconnect is retried by the next call, so one retry per
        // attempt is enough; each attempt is bounded by the call timeout.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let conn = within(timeout, ConnectionManager::new_with_config(client, config)).await?;
        Ok((Conn::Single(conn), None))
    }

    /// The custom root CA, when TLS is compiled in.
    pub(super) fn root_ca(&self) -> Option<&[u8]> {
        #[cfg(feature = "redis-tls")]
        return self.root_ca.as_deref();
        #[cfg(not(feature = "redis-tls"))]
        None
    }
}

/// What `CONFIG GET` says of the settings that decide whether revocations
/// survive (of every primary, for a cluster).
pub(super) struct ServerConfig {
    pub(super) noeviction: bool,
    pub(super) appendonly: bool,
}

impl ServerConfig {
    fn of(reply: &HashMap<String, String>) -> ServerConfig {
        ServerConfig {
            noeviction: reply.get("maxmemory-policy").map(String::as_str) == Some("noeviction"),
            appendonly: reply.get("appendonly").map(String::as_str) == Some("yes"),
        }
    }
}

impl RedisStore {
    /// Sends the read `cmd` within the timeout.
    pub(super) async fn run<T: redis::FromRedisValue>(&self, cmd: Cmd) -> Result<T> {
        self.send(cmd, false).await
    }

    /// Sends the write `cmd` within the timeout (on a cluster, on the write
    /// connections, where its `WAIT` follows).
    pub(super) async fn run_write<T: redis::FromRedisValue>(&self, cmd: Cmd) -> Result<T> {
        self.send(cmd, true).await
    }

    async fn send<T: redis::FromRedisValue>(&self, cmd: Cmd, write: bool) -> Result<T> {
        match self.conn.clone() {
            Conn::Single(mut conn) => {
                let _ = write;
                within(
                    self.timeout,
                    async move { cmd.query_async(&mut conn).await },
                )
                .await
            }
            #[cfg(feature = "redis-cluster")]
            Conn::Cluster {
                read,
                write: writes,
            } => {
                let mut conn = if write { writes } else { read };
                within(
                    self.timeout,
                    async move { cmd.query_async(&mut conn).await },
                )
                .await
            }
        }
    }

    pub(super) async fn server_config(&self) -> Result<ServerConfig> {
        let mut cmd = redis::cmd("CONFIG");
        cmd.arg("GET").arg("maxmemory-policy").arg("appendonly");
        #[cfg(feature = "redis-cluster")]
        if let Conn::Cluster { read, .. } = &self.conn {
            return super::cluster::server_config(read.clone(), cmd, self.timeout).await;
        }
        let reply: HashMap<String, String> = self.run(cmd).await?;
        Ok(ServerConfig::of(&reply))
    }
}

/// Every primary's settings, all of which must keep revocations.
#[cfg(feature = "redis-cluster")]
pub(super) fn all_keep(replies: &HashMap<String, HashMap<String, String>>) -> ServerConfig {
    let each = replies.values().map(ServerConfig::of);
    let (mut noeviction, mut appendonly) = (!replies.is_empty(), !replies.is_empty());
    for config in each {
        noeviction &= config.noeviction;
        appendonly &= config.appendonly;
    }
    ServerConfig {
        noeviction,
        appendonly,
    }
}

pub(super) async fn within<T>(
    timeout: std::time::Duration,
    call: impl Future<Output = RedisResult<T>>,
) -> Result<T> {
    // Outside a Tokio runtime the timer would panic: report instead.
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(unavailable(UnavailableReason::NotReady));
    }
    match tokio::time::timeout(timeout, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(unavailable(reason_of(&err))),
        Err(_) => Err(unavailable(UnavailableReason::Timeout)),
    }
}

/// A primary that is unreachable or moving: a cluster that lost a slot's
/// primary (`CLUSTERDOWN`, until its replica is promoted), redirects still
/// pointing elsewhere after the client's retries, a loading or failing-over
/// node. The store cannot answer, as when a connection fails.
fn lost_node(err: &RedisError) -> bool {
    use redis::{ErrorKind, ServerErrorKind};
    matches!(
        err.kind(),
        ErrorKind::Server(
            ServerErrorKind::ClusterDown
                | ServerErrorKind::Moved
                | ServerErrorKind::Ask
                | ServerErrorKind::TryAgain
                | ServerErrorKind::MasterDown
                | ServerErrorKind::BusyLoading
        )
    )
}

pub(super) fn unavailable(reason: UnavailableReason) -> Error {
    Error::RevocationUnavailable { reason }
}

fn reason_of(err: &RedisError) -> UnavailableReason {
    if super::tls::is_handshake_failure(err) {
        UnavailableReason::Tls
    } else if err.is_timeout() {
        UnavailableReason::Timeout
    } else if err.is_io_error()
        || err.is_connection_refusal()
        || err.is_connection_dropped()
        || lost_node(err)
    {
        UnavailableReason::Connection
    } else {
        UnavailableReason::Reply
    }
}
