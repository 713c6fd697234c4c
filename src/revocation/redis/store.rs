//! `RedisStore` as a [`RevocationStore`]: one pipelined round trip per
//! check, and Lua scripts for every write that must check and change
//! atomically.

use super::{RedisStore, unavailable};
use crate::revocation::{Denial, DeniedSession, RevocationStore, Status, not_before_to_keep};
use crate::{Error, Result, RevokedReason, SessionId, UnavailableReason};
use core::future::Future;
use redis::Cmd;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

/// How often a check re-reads the eviction policy, in seconds.
const POLICY_RECHECK: i64 = 60;

/// Creates the sentinel if it is missing and, when it does, sets the global
/// not-before to `now` with no expiry: a store without its sentinel has
/// lost (or never had) its revocations, so every session issued before
/// this moment is refused. Returns the sentinel's value.
/// KEYS: sentinel, global; ARGV: new value, now.
const ARM: &str = "\
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1])
local g = tonumber(redis.call('GET', KEYS[2]) or '0') or 0
if g < tonumber(ARGV[2]) then redis.call('SET', KEYS[2], ARGV[2]) end
redis.call('PERSIST', KEYS[2])
return ARGV[1]";

/// Sets a key's expiry to `at`, keeping a later one. A key the script has
/// just created gets a plain `EXPIREAT`: `GT` treats a key without expiry
/// as infinite and would leave it forever. A held key without expiry (the
/// global not-before after a loss) stays so. Shared by the scripts below.
const EXTEND: &str = "\
local function extend(key, at, fresh)
  if fresh then redis.call('EXPIREAT', key, at)
  else redis.call('EXPIREAT', key, at, 'GT') end
end
";

/// Denies the id of a session with a subject, within the subject's quota,
/// folding into its not-before past it. Returns `{code, not_before}`:
/// 1 recorded, 2 folded, 0 id listed already, 3 covered by the subject's
/// not-before, 4 covered by the global one, -2 sentinel changed.
/// KEYS: session, quota, subject, global, sentinel;
/// ARGV: until, quota, issued_at, sentinel value.
const DENY_SUBJECT: &str = concat!(
    "\
if redis.call('GET', KEYS[5]) ~= ARGV[4] then return {-2, 0} end
local issued = tonumber(ARGV[3])
local g = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
if issued < g then return {4, g} end
",
    deny_subject_tail!()
);

/// Denies an anonymous id: the id's key as for any session (so a check
/// reads one `MGET`), counted in a sorted set scored by expiry that bounds
/// how many anonymous ids the store holds. Returns 1 recorded, 0 listed
/// already, 4 covered by the global not-before, -1 full, -2 sentinel
/// changed. KEYS: session, anonymous set, global, sentinel;
/// ARGV: id, until, limit, now, issued_at, sentinel value.
const DENY_ANONYMOUS: &str = concat!(
    "\
if redis.call('GET', KEYS[4]) ~= ARGV[6] then return -2 end
local g = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
if tonumber(ARGV[5]) < g then return 4 end
",
    deny_anonymous_tail!()
);

/// Sets a not-before and its expiry, keeping whichever of the held and the
/// new not-before is later, and whichever expiry is later: two nodes (or a
/// node whose clock runs behind) never move a not-before back or shorten
/// its life. KEYS: the not-before; ARGV: not-before, until.
const SET_NOT_BEFORE: &str = "\
local held = redis.call('GET', KEYS[1])
if (tonumber(held or '0') or 0) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
extend(KEYS[1], ARGV[2], not held)
return 1";

pub(super) fn already(reason: RevokedReason) -> Denial {
    Denial::AlreadyRevoked { reason }
}

pub(super) fn eval(script: &str, keys: &[Vec<u8>]) -> Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(format!("{EXTEND}{script}")).arg(keys.len());
    for key in keys {
        cmd.arg(key);
    }
    cmd
}

pub(super) fn number(value: Option<Vec<u8>>) -> Result<Option<i64>> {
    value
        .map(|bytes| {
            core::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| text.parse::<f64>().ok())
                .map(|n| n as i64)
                .ok_or(unavailable(UnavailableReason::Reply))
        })
        .transpose()
}

/// The current unix time in seconds.
pub(super) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// What a denial script's reply means; `None` when the store's sentinel
/// is not the one this node holds.
pub(super) fn denial_of(store: &RedisStore, code: &[i64]) -> Result<Option<Denial>> {
    Ok(match code {
        [1, ..] => Some(Denial::Recorded),
        [2, not_before] => Some(Denial::Folded {
            not_before: *not_before,
        }),
        [0, ..] => Some(already(RevokedReason::SessionId)),
        [3, ..] => Some(already(RevokedReason::SubjectNotBefore)),
        [4, ..] => Some(already(RevokedReason::GlobalNotBefore)),
        [-1] => {
            return Err(Error::RevocationFull {
                limit: usize::try_from(store.anonymous_limit).unwrap_or(usize::MAX),
            });
        }
        [-2, ..] => None,
        _ => return Err(unavailable(UnavailableReason::Reply)),
    })
}

impl RedisStore {
    pub(super) fn sentinel_value(&self) -> Vec<u8> {
        self.sentinel
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Arms the sentinel (see [`ARM`]) and remembers its value; returns
    /// whether this call created it (and so set the global not-before).
    pub(super) async fn arm(&self) -> Result<bool> {
        let fresh = SessionId::random().to_string();
        let now = unix_now();
        let mut cmd = eval(ARM, &[self.keys.sentinel(), self.keys.global()]);
        cmd.arg(&fresh).arg(now);
        let value: Vec<u8> = self.run_write(cmd).await?;
        let created = value == fresh.as_bytes();
        *self.sentinel.lock().unwrap_or_else(PoisonError::into_inner) = value;
        Ok(created)
    }

    /// Fails closed while the eviction policy is not `noeviction`; reads
    /// it at most once a minute.
    async fn recheck_policy(&self, now: i64) -> Result<()> {
        let last = self.policy_checked_at.load(Ordering::Acquire);
        if !self.eviction_check || now - last < POLICY_RECHECK {
            return Ok(());
        }
        if !self.server_config().await?.noeviction {
            return Err(unavailable(UnavailableReason::Misconfigured));
        }
        self.policy_checked_at.store(now, Ordering::Release);
        Ok(())
    }

    async fn status_unix(&self, id: SessionId, subject: Option<&str>, now: i64) -> Result<Status> {
        self.recheck_policy(now).await?;
        if let Some(shared) = &self.cluster {
            return self.status_cluster(shared, id, subject).await;
        }
        let mut cmd = redis::cmd("MGET");
        cmd.arg(self.keys.session(id, subject))
            .arg(self.keys.global())
            .arg(self.keys.sentinel());
        if let Some(subject) = subject {
            cmd.arg(self.keys.subject(subject));
        }
        let values: Vec<Option<Vec<u8>>> = self.run(cmd).await?;
        let mut values = values.into_iter();
        let mut next = || values.next().ok_or(unavailable(UnavailableReason::Reply));
        let (session, global, sentinel) = (next()?, next()?, next()?);
        let subject_not_before = match subject {
            Some(_) => number(next()?)?,
            None => None,
        };
        let session_denied = session.is_some();
        let mut global_not_before = number(global)?;
        if sentinel.as_deref() != Some(&self.sentinel_value()[..]) && self.arm().await? {
            // The sentinel was gone: the data was lost, and arming set the
            // global not-before to now. (A different sentinel means another
            // node armed after the loss and set it then, which the `MGET`
            // above has read.)
            global_not_before = Some(global_not_before.unwrap_or(now).max(now));
        }
        Ok(Status {
            session_denied,
            subject_not_before,
            global_not_before,
        })
    }

    async fn deny_unix(&self, entry: DeniedSession<'_>, now: i64) -> Result<Denial> {
        if entry.until <= now {
            return Ok(Denial::Expired);
        }
        if let Some(shared) = &self.cluster {
            return self.deny_cluster(shared, entry, now).await;
        }
        match self.deny_once(entry, now).await? {
            Some(denial) => Ok(denial),
            // The sentinel changed: adopt (or re-arm) it, then deny under
            // it. Reporting "revoked already" without writing would lose
            // the logout of a session issued after another node re-armed.
            None => {
                self.arm().await?;
                self.deny_once(entry, now)
                    .await?
                    .ok_or(unavailable(UnavailableReason::Reply))
            }
        }
    }

    /// One denial script; `None` when the store's sentinel is not the one
    /// this node holds.
    async fn deny_once(&self, entry: DeniedSession<'_>, now: i64) -> Result<Option<Denial>> {
        let sentinel = self.sentinel_value();
        let code: Vec<i64> = match entry.subject {
            Some(subject) => {
                let keys = [
                    self.keys.session(entry.id, entry.subject),
                    self.keys.quota(subject),
                    self.keys.subject(subject),
                    self.keys.global(),
                    self.keys.sentinel(),
                ];
                let mut cmd = eval(DENY_SUBJECT, &keys);
                cmd.arg(entry.until)
                    .arg(self.quota)
                    .arg(entry.issued_at)
                    .arg(sentinel);
                self.run_write(cmd).await?
            }
            None => {
                let keys = [
                    self.keys.session(entry.id, None),
                    self.keys.anonymous(),
                    self.keys.global(),
                    self.keys.sentinel(),
                ];
                let mut cmd = eval(DENY_ANONYMOUS, &keys);
                cmd.arg(entry.id.to_string())
                    .arg(entry.until)
                    .arg(self.anonymous_limit)
                    .arg(now)
                    .arg(entry.issued_at)
                    .arg(sentinel);
                vec![self.run_write(cmd).await?]
            }
        };
        denial_of(self, &code)
    }

    async fn set_not_before(
        &self,
        key: Vec<u8>,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> Result<()> {
        if !not_before_to_keep(not_before, until, now)? {
            return Ok(());
        }
        let mut cmd = eval(SET_NOT_BEFORE, std::slice::from_ref(&key));
        cmd.arg(not_before).arg(until);
        self.run_write::<i64>(cmd).await?;
        match &self.cluster {
            Some(shared) => self.not_before_set(shared, &key, not_before).await,
            None => Ok(()),
        }
    }
}

impl RevocationStore for RedisStore {
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        self.status_unix(id, subject, now)
    }

    fn deny_session(
        &self,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> impl Future<Output = Result<Denial>> + Send {
        self.deny_unix(entry, now)
    }

    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        self.set_not_before(self.keys.subject(subject), not_before, until, now)
    }

    fn set_global_not_before(
        &self,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        self.set_not_before(self.keys.global(), not_before, until, now)
    }
}
