//! The calls of a cluster `RedisStore` (see `cluster.rs` for the design):
//! a check is one `MGET` on the node of its subject's slot, beside a read
//! of the global not-before when the held copy is due; writes are one
//! script then one `WAIT` on that node.

#![cfg_attr(not(feature = "redis-cluster"), allow(dead_code))]

use super::RedisStore;
use super::cluster::Shared;
use super::connect::unavailable;
use super::store::{already, denial_of, eval, number};
use crate::revocation::{Denial, DeniedSession, Status};
use crate::{Result, RevokedReason, SessionId, UnavailableReason};
use core::future::Future;
use core::pin::pin;
use core::task::Poll;
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(feature = "redis-cluster")]
use super::connect::{Conn, within};

/// Clears the refresh claim however the read ends (a dropped check too).
struct Claim<'a>(&'a AtomicBool);

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Polls both futures to completion together.
async fn both<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    core::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// Denies a session with a subject within one slot: as the single-primary
/// script without the global not-before and the sentinel (checked from the
/// held copy). KEYS: session, quota, subject; ARGV: until, quota, issued_at.
const DENY_SUBJECT: &str = concat!(
    "\
local issued = tonumber(ARGV[3])
",
    deny_subject_tail!()
);

/// Denies an anonymous id in the anonymous slot. KEYS: session, anonymous
/// set; ARGV: id, until, limit, now.
const DENY_ANONYMOUS: &str = deny_anonymous_tail!();

impl RedisStore {
    /// Reads the global not-before and the sentinel (one round trip to the
    /// node of their slot), re-arming when the sentinel is gone.
    pub(super) async fn read_global(&self) -> Result<Option<i64>> {
        let mut cmd = redis::cmd("MGET");
        cmd.arg(self.keys.global()).arg(self.keys.sentinel());
        let (global, sentinel): (Option<Vec<u8>>, Option<Vec<u8>>) = self.run(cmd).await?;
        let mut global = number(global)?;
        if sentinel.as_deref() != Some(&self.sentinel_value()[..]) && self.arm().await? {
            let now = super::store::unix_now();
            global = Some(global.unwrap_or(now).max(now));
        }
        Ok(global)
    }

    /// The global not-before a check or a logout uses: the held copy while
    /// it is younger than the refresh interval, else read again (one
    /// caller at a time reads; a failed read keeps the copy for up to three
    /// intervals, after which every caller reads and fails with it).
    async fn global(&self, shared: &Shared) -> Result<Option<i64>> {
        let held = shared.held();
        let age = held.at.map(|at| at.elapsed());
        if age.is_some_and(|age| age < shared.refresh) {
            return Ok(held.global);
        }
        let must = age.is_none_or(|age| age >= shared.refresh * 3);
        let claim = shared
            .refreshing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
            .then(|| Claim(&shared.refreshing));
        if claim.is_none() && !must {
            return Ok(held.global);
        }
        match self.read_global().await {
            Ok(global) => {
                shared.adopt(global);
                Ok(shared.held().global)
            }
            Err(_) if !must => Ok(held.global),
            Err(err) => Err(err),
        }
    }

    pub(super) async fn status_cluster(
        &self,
        shared: &Shared,
        id: SessionId,
        subject: Option<&str>,
    ) -> Result<Status> {
        let mut cmd = redis::cmd("MGET");
        cmd.arg(self.keys.session(id, subject));
        if let Some(subject) = subject {
            cmd.arg(self.keys.subject(subject));
        }
        let (values, global) =
            both(self.run::<Vec<Option<Vec<u8>>>>(cmd), self.global(shared)).await;
        let mut values = values?.into_iter();
        let global_not_before = global?;
        let mut next = || values.next().ok_or(unavailable(UnavailableReason::Reply));
        let session_denied = next()?.is_some();
        let subject_not_before = match subject {
            Some(_) => number(next()?)?,
            None => None,
        };
        Ok(Status {
            session_denied,
            subject_not_before,
            global_not_before,
        })
    }

    pub(super) async fn deny_cluster(
        &self,
        shared: &Shared,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> Result<Denial> {
        let global = self.global(shared).await?;
        if global.is_some_and(|g| entry.issued_at < g) {
            return Ok(already(RevokedReason::GlobalNotBefore));
        }
        let session = self.keys.session(entry.id, entry.subject);
        let code: Vec<i64> = match entry.subject {
            Some(subject) => {
                let keys = [
                    session.clone(),
                    self.keys.quota(subject),
                    self.keys.subject(subject),
                ];
                let mut cmd = eval(DENY_SUBJECT, &keys);
                cmd.arg(entry.until).arg(self.quota).arg(entry.issued_at);
                self.run_write(cmd).await?
            }
            None => {
                let mut cmd = eval(DENY_ANONYMOUS, &[session.clone(), self.keys.anonymous()]);
                cmd.arg(entry.id.to_string())
                    .arg(entry.until)
                    .arg(self.anonymous_limit)
                    .arg(now);
                vec![self.run_write(cmd).await?]
            }
        };
        let denial = denial_of(self, &code)?.ok_or(unavailable(UnavailableReason::Reply))?;
        // Also when the id was listed already: that earlier write may be
        // the one whose WAIT failed.
        self.replicated(shared, &session).await?;
        Ok(denial)
    }

    /// After a not-before was set on a cluster: wait for replicas, and
    /// hold a global one at once.
    pub(super) async fn not_before_set(
        &self,
        shared: &Shared,
        key: &[u8],
        not_before: i64,
    ) -> Result<()> {
        self.replicated(shared, key).await?;
        if key == self.keys.global() {
            shared.raise(not_before);
        }
        Ok(())
    }

    /// `WAIT` on the primary of `key`'s slot for the configured replicas.
    async fn replicated(&self, shared: &Shared, key: &[u8]) -> Result<()> {
        if shared.replica_acks == 0 {
            return Ok(());
        }
        #[cfg(feature = "redis-cluster")]
        if let Conn::Cluster {
            write: mut conn, ..
        } = self.conn.clone()
        {
            use redis::cluster_routing::{
                Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr,
            };
            let route = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(
                Route::with_slot(Slot::for_key(key), SlotAddr::Master),
            ));
            // WAIT gives up before the call's own timeout (0 would block).
            let wait_ms = (self.timeout.as_millis() / 2).max(1);
            let mut cmd = redis::cmd("WAIT");
            cmd.arg(shared.replica_acks).arg(wait_ms as u64);
            let acked = within(
                self.timeout,
                async move { conn.route_command(cmd, route).await },
            )
            .await?;
            let acked: i64 = redis::from_redis_value(acked)
                .map_err(|_| unavailable(UnavailableReason::Reply))?;
            if acked < i64::from(shared.replica_acks) {
                return Err(unavailable(UnavailableReason::Replication));
            }
        }
        let _ = (key, &self.conn);
        Ok(())
    }
}
