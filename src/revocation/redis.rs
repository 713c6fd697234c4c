//! `RedisStore`: the revocation store shared by a fleet of nodes.

use super::{DeniedSession, RevocationStore, Status};
use crate::{ConfigError, Error, Result, SessionId, UnavailableReason};
use core::future::Future;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, RedisError, RedisResult};
use std::collections::HashMap;
use std::sync::Arc;
use time::Duration;

/// The default key prefix: keys are `<prefix>s:<session id hex>`,
/// `<prefix>u:<subject>` and `<prefix>g`.
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

/// Sets a not-before and its expiry, keeping whichever of the held and the
/// new not-before is later, and whichever expiry is later: two nodes (or a
/// node whose clock runs behind) never move a not-before back or shorten
/// its life. `EXPIREAT .. GT` needs Redis 7.0.
const SET_NOT_BEFORE: &str = "\
local held = redis.call('GET', KEYS[1])
if held then
  if (tonumber(held) or 0) < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
  end
  redis.call('EXPIREAT', KEYS[1], ARGV[2], 'GT')
else
  redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[2])
end
return 1";

/// A revocation store in Redis (feature `redis`), shared by every node that
/// connects to it: a logout on one node is seen by all on their next
/// check.
///
/// - One round trip per check: a single `MGET` of the session key, the
///   global key and (if the session has a subject) the subject key.
/// - Entries expire on their own: `SET <prefix>s:<id> 1 EXAT <deadline>`;
///   not-before keys carry their own `EXAT` too.
/// - Every call is bounded by the configured timeout (default 500 ms) and
///   fails with [`Error::RevocationUnavailable`] instead of hanging; the
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
    conn: ConnectionManager,
    prefix: Arc<[u8]>,
    timeout: std::time::Duration,
}

impl core::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

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
}

impl core::fmt::Debug for RedisStoreBuilder {
    // The URL may hold a password.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("eviction_check", &self.eviction_check)
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// Starts configuring a store on the Redis at `url`
    /// (`redis://[:password@]host[:port][/db]`).
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

    fn key(&self, kind: &[u8], name: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.prefix.len() + kind.len() + name.len());
        key.extend_from_slice(&self.prefix);
        key.extend_from_slice(kind);
        key.extend_from_slice(name);
        key
    }

    fn session_key(&self, id: SessionId) -> Vec<u8> {
        self.key(b"s:", id.to_string().as_bytes())
    }

    fn subject_key(&self, subject: &str) -> Vec<u8> {
        self.key(b"u:", subject.as_bytes())
    }

    fn global_key(&self) -> Vec<u8> {
        self.key(b"g", b"")
    }

    /// Sends `cmd` within the timeout.
    async fn run<T: redis::FromRedisValue>(&self, cmd: Cmd) -> Result<T> {
        let mut conn = self.conn.clone();
        within(
            self.timeout,
            async move { cmd.query_async(&mut conn).await },
        )
        .await
    }

    async fn set_not_before(&self, key: Vec<u8>, not_before: i64, until: i64) -> Result<()> {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(SET_NOT_BEFORE)
            .arg(1)
            .arg(key)
            .arg(not_before)
            .arg(until);
        self.run::<i64>(cmd).await.map(drop)
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
    /// [`UnavailableReason::Timeout`].
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
    /// noeviction` (default `true`).
    ///
    /// ```
    /// let builder = sealed_session::revocation::RedisStore::builder("redis://127.0.0.1/")
    ///     .with_eviction_check(false); // CONFIG is disabled on this server
    /// ```
    pub fn with_eviction_check(mut self, check: bool) -> Self {
        self.eviction_check = check;
        self
    }

    /// Connects (within the timeout) and checks the eviction policy.
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
    /// [`ConfigError::RedisUrl`], [`ConfigError::RevocationTimeout`] for a
    /// timeout that is not positive, [`ConfigError::RedisEvictionPolicy`],
    /// and [`Error::RevocationUnavailable`] when the server cannot be
    /// reached or refuses `CONFIG GET`.
    pub async fn connect(self) -> Result<RedisStore> {
        let timeout = std::time::Duration::try_from(self.timeout)
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or(ConfigError::RevocationTimeout)?;
        let client = Client::open(self.url.as_str()).map_err(|_| ConfigError::RedisUrl)?;
        // A failed reconnect is retried by the next call, so one retry per
        // attempt is enough; each attempt is bounded by the call timeout.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(timeout);
        let conn = within(timeout, ConnectionManager::new_with_config(client, config)).await?;
        let store = RedisStore {
            conn,
            prefix: self.prefix.into_bytes().into(),
            timeout,
        };
        if self.eviction_check {
            let mut cmd = redis::cmd("CONFIG");
            cmd.arg("GET").arg("maxmemory-policy");
            let reply: HashMap<String, String> = store.run(cmd).await?;
            if reply.get("maxmemory-policy").map(String::as_str) != Some("noeviction") {
                return Err(ConfigError::RedisEvictionPolicy.into());
            }
        }
        Ok(store)
    }
}

/// Runs a Redis future within `timeout`, mapping every failure to
/// [`Error::RevocationUnavailable`].
async fn within<T>(
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

fn unavailable(reason: UnavailableReason) -> Error {
    Error::RevocationUnavailable { reason }
}

fn reason_of(err: &RedisError) -> UnavailableReason {
    if err.is_timeout() {
        UnavailableReason::Timeout
    } else if err.is_io_error() || err.is_connection_refusal() || err.is_connection_dropped() {
        UnavailableReason::Connection
    } else {
        UnavailableReason::Reply
    }
}

/// A not-before value as written by [`SET_NOT_BEFORE`]: decimal unix
/// seconds. Anything else is a reply this crate cannot trust.
fn not_before(value: Option<Vec<u8>>) -> Result<Option<i64>> {
    value
        .map(|bytes| {
            core::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or(unavailable(UnavailableReason::Reply))
        })
        .transpose()
}

impl RevocationStore for RedisStore {
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        _now: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        let mut cmd = redis::cmd("MGET");
        cmd.arg(self.session_key(id)).arg(self.global_key());
        if let Some(subject) = subject {
            cmd.arg(self.subject_key(subject));
        }
        let keys = 2 + usize::from(subject.is_some());
        async move {
            let mut values: Vec<Option<Vec<u8>>> = self.run(cmd).await?;
            if values.len() != keys {
                return Err(unavailable(UnavailableReason::Reply));
            }
            let subject_not_before = if keys == 3 {
                values.pop().flatten()
            } else {
                None
            };
            let global = values.pop().flatten();
            let session = values.pop().flatten();
            Ok(Status {
                session_denied: session.is_some(),
                subject_not_before: not_before(subject_not_before)?,
                global_not_before: not_before(global)?,
            })
        }
    }

    fn deny_session(
        &self,
        entry: DeniedSession,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.session_key(entry.id))
            .arg(1)
            .arg("EXAT")
            .arg(entry.until);
        async move {
            if entry.until <= now {
                return Ok(()); // the session is dead already
            }
            self.run::<()>(cmd).await
        }
    }

    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        let key = self.subject_key(subject);
        async move {
            if until <= now {
                return Ok(());
            }
            self.set_not_before(key, not_before, until).await
        }
    }

    async fn set_global_not_before(&self, not_before: i64, until: i64, now: i64) -> Result<()> {
        if until <= now {
            return Ok(());
        }
        self.set_not_before(self.global_key(), not_before, until)
            .await
    }
}
