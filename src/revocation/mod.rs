//! Revocation: invalidate one session (logout), every session of a subject
//! ("log out everywhere", password change), or every session issued so far,
//! while cookies stay stateless.
//!
//! # Semantics
//!
//! A session is rejected as [`Error::Revoked`] when
//!
//! - its session id is on the deny-list ([`RevokedReason::SessionId`]), or
//! - it has a subject, and was issued before that subject's not-before time
//!   ([`RevokedReason::SubjectNotBefore`]), or
//! - it was issued before the global not-before time
//!   ([`RevokedReason::GlobalNotBefore`]).
//!
//! Any one rule rejects; when several apply, the most specific reason is
//! reported (session id, then subject, then global).
//!
//! **Whole seconds.** A session's issue time is whole unix seconds, and a
//! not-before is the whole unix second in which it was set. The rule is
//! `issued_at < not_before`: a session issued in the same second as a "log
//! out everywhere" survives it. That is what lets the user who just changed
//! their password keep the session [`Revocation::renew_id`] gives them (a
//! login restarts the issue time), and the price is that a session issued
//! earlier in that same second survives too. Keep the clocks of all nodes
//! in sync: not-before compares the clock of the node that issued a session
//! with the clock of the node that revoked it.
//!
//! **Lifetimes.** A deny-list entry lives until the revoked session's own
//! absolute deadline plus twice the sealer's leeway (one leeway because an
//! opener accepts a cookie until `expires_at + leeway` on its own clock, one
//! more for the store's clock being ahead of the opener's): after that the
//! cookie is dead anyway. A not-before lives for the longest TTL plus twice
//! the leeway, until every session issued before it has expired. So the list
//! holds at most *logouts per second x session lifetime* entries.
//!
//! # Checked and unchecked sessions
//!
//! Opening a cookie stays a pure, synchronous function:
//! [`Sealer::open`](crate::Sealer::open) returns an [`Opened`] that has
//! passed authentication and deadlines but **not** revocation. Revocation is
//! a separate, explicit async step that turns it into a [`Checked`]; only
//! [`Revocation::check`] and [`Revocation::open_checked`] can make one, so a
//! handler that asks for a `Checked<T>` cannot be handed an unchecked
//! session by mistake.
//!
//! # Stores
//!
//! A [`RevocationStore`] keeps the deny-list and the not-before times.
//! [`MemoryStore`] is the embedded default: bounded, pruned, thread-safe,
//! no dependencies, with snapshots to ship a list to edge nodes.
//! `RedisStore` (feature `redis`) is shared by a fleet of nodes.
//!
//! The trait's methods return `impl Future + Send` (not `async fn`, whose
//! futures could not be required to be `Send`, and not boxed futures, which
//! would cost an allocation per request): a [`Revocation`] is generic over
//! its store and dispatches statically. The memory store's futures are
//! immediately ready, so it needs no async runtime: [`run_ready`] drives
//! them from synchronous code (and reports, never blocks, on a future that
//! would wait).
//!
//! # Failure policy
//!
//! When the store cannot answer, checks **fail closed** with
//! [`Error::RevocationUnavailable`]. [`FailurePolicy::Open`] lets sessions
//! through instead, marked by [`Checked::store_answered`] returning `false`;
//! choose it only on purpose. Writes (logout, renew, log out everywhere)
//! always report a store failure: a revocation is never dropped silently.
//!
//! ```
//! use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
//! use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session};
//!
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Revocation::new(sealer, MemoryStore::new(100_000)?)?;
//!
//! let mut session = Session::new("cart".to_string());
//! session.set_subject("user-42")?;
//! let cookie = sessions.sealer().seal_value(&session)?;
//!
//! // A request: open and check (any executor works; the memory store
//! // never waits, so `run_ready` does too).
//! let checked = run_ready(sessions.open_checked::<String>(&cookie))?;
//! assert_eq!(checked.session().data(), "cart");
//!
//! // Logout: the same cookie, replayed, is refused from now on.
//! let removal = run_ready(sessions.logout(&checked))?;
//! assert!(removal.contains("Max-Age=0"));
//! let err = run_ready(sessions.open_checked::<String>(&cookie)).unwrap_err();
//! assert_eq!(err, Error::Revoked { reason: RevokedReason::SessionId });
//! # Ok::<(), Error>(())
//! ```

mod builder;
mod checked;
mod entry;
mod logout;
mod memory;
mod policy;
#[cfg(feature = "redis")]
mod redis;
mod renew;
mod snapshot;

pub use builder::RevocationBuilder;
pub use checked::Checked;
pub use memory::{DEFAULT_SUBJECT_QUOTA, MemoryStore, MemoryStoreBuilder};
pub use policy::{FailurePolicy, Revocation};
#[cfg(feature = "redis")]
pub use redis::{
    DEFAULT_REDIS_ANONYMOUS_LIMIT, DEFAULT_REDIS_PREFIX, DEFAULT_REDIS_TIMEOUT, RedisStore,
    RedisStoreBuilder,
};
pub use snapshot::SnapshotKey;

use crate::{Error, Result, RevokedReason, SessionId, UnavailableReason};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::sync::Arc;

#[cfg(doc)]
use crate::Opened;

/// How far ahead of `now` a not-before may lie: the revoking side moves it
/// ahead by the leeway (at most an hour) to cover clocks running fast, and
/// nothing legitimate needs more. A later one (from a bug, or a forged
/// snapshot) would lock every session out until it passes, so stores
/// refuse it.
pub(crate) const MAX_NOT_BEFORE_AHEAD: i64 = 3600;

/// The rule every store applies to a not-before it is asked to set:
/// `Ok(false)` when it has expired already (nothing to keep),
/// [`ConfigError::Clock`](crate::ConfigError::Clock) when it lies further
/// ahead than [`MAX_NOT_BEFORE_AHEAD`].
pub(crate) fn not_before_to_keep(not_before: i64, until: i64, now: i64) -> Result<bool> {
    if until <= now {
        return Ok(false);
    }
    if not_before > now + MAX_NOT_BEFORE_AHEAD {
        return Err(crate::ConfigError::Clock.into());
    }
    Ok(true)
}

/// A session id to put on the deny-list, with its subject and the times
/// that bound its entry. Times are unix seconds.
///
/// The subject decides where the entry counts: a session with a subject
/// uses that subject's quota (and folds into its not-before when the quota
/// or the store is exhausted), an anonymous one the store's bounded
/// anonymous share. So nobody without an account can use up the room that
/// other users' logouts need.
///
/// ```
/// use sealed_session::SessionId;
/// use sealed_session::revocation::DeniedSession;
/// let entry = DeniedSession { id: SessionId::random(), subject: Some("user-42"), issued_at: 100, until: 200 };
/// assert!(entry.until > entry.issued_at);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeniedSession<'a> {
    /// The revoked session's id.
    pub id: SessionId,
    /// The revoked session's subject, if it has one.
    pub subject: Option<&'a str>,
    /// When the revoked session was issued. Lets a store drop the entry
    /// once a not-before covers it, and fold it into one.
    pub issued_at: i64,
    /// When the entry may be forgotten: the session's absolute deadline
    /// plus margin.
    pub until: i64,
}

/// What [`RevocationStore::deny_session`] did. After any variant the
/// session is refused; [`AlreadyRevoked`](Denial::AlreadyRevoked) says it
/// was refused before this call (and by which rule), which a renewal must
/// treat as a lost race with a logout: renewing it would give a revoked
/// session a new life.
///
/// ```
/// use sealed_session::revocation::{DeniedSession, Denial, MemoryStore, RevocationStore, run_ready};
/// use sealed_session::{RevokedReason, SessionId};
///
/// let store = MemoryStore::new(10)?;
/// let entry = DeniedSession { id: SessionId::random(), subject: None, issued_at: 0, until: 100 };
/// assert_eq!(run_ready(store.deny_session(entry, 0))?, Denial::Recorded);
/// assert_eq!(
///     run_ready(store.deny_session(entry, 0))?,
///     Denial::AlreadyRevoked { reason: RevokedReason::SessionId }
/// );
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// The id is on the deny-list now.
    Recorded,
    /// The subject's quota of ids (or the store) was full, so the subject's
    /// not-before moved to `not_before` instead: this session and every
    /// older session of the subject are revoked.
    Folded {
        /// The subject's not-before after the fold (unix seconds).
        not_before: i64,
    },
    /// The session was revoked before this call: its id was on the list
    /// ([`RevokedReason::SessionId`]), or a subject or global not-before
    /// covered it. Nothing changed.
    AlreadyRevoked {
        /// The rule that already refused it.
        reason: RevokedReason,
    },
    /// The session's deadline has passed: there is nothing to revoke.
    Expired,
}

/// What a store knows about one session: the raw facts, judged by
/// [`Status::verdict`]. Times are unix seconds.
///
/// ```
/// use sealed_session::RevokedReason;
/// use sealed_session::revocation::Status;
///
/// let status = Status { subject_not_before: Some(100), ..Status::default() };
/// assert_eq!(status.verdict(99), Err(RevokedReason::SubjectNotBefore));
/// assert_eq!(status.verdict(100), Ok(())); // same second: survives
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// The session id is on the deny-list.
    pub session_denied: bool,
    /// The not-before time of the session's subject, if one is set.
    pub subject_not_before: Option<i64>,
    /// The global not-before time, if one is set.
    pub global_not_before: Option<i64>,
}

impl Status {
    /// Judges a session issued at `issued_at` (unix seconds): the most
    /// specific rule that rejects it, or `Ok(())`.
    ///
    /// ```
    /// use sealed_session::RevokedReason;
    /// use sealed_session::revocation::Status;
    ///
    /// let status = Status { session_denied: true, global_not_before: Some(50), ..Status::default() };
    /// assert_eq!(status.verdict(10), Err(RevokedReason::SessionId));
    /// ```
    ///
    /// # Errors
    ///
    /// The [`RevokedReason`] of the first rule that applies.
    pub fn verdict(&self, issued_at: i64) -> Result<(), RevokedReason> {
        let before = |not_before: Option<i64>| not_before.is_some_and(|nb| issued_at < nb);
        if self.session_denied {
            Err(RevokedReason::SessionId)
        } else if before(self.subject_not_before) {
            Err(RevokedReason::SubjectNotBefore)
        } else if before(self.global_not_before) {
            Err(RevokedReason::GlobalNotBefore)
        } else {
            Ok(())
        }
    }
}

/// Where revocations are kept. Implemented by [`MemoryStore`] and, with the
/// `redis` feature, `RedisStore`; also for `&S` and `Arc<S>`, so one store
/// can serve several [`Revocation`]s.
///
/// All times are unix seconds. `now` is the caller's clock; a store with its
/// own clock (Redis) may use that instead for expiry. A store that cannot
/// answer returns [`Error::RevocationUnavailable`]; the [`Revocation`] on
/// top applies the failure policy.
///
/// ```
/// use sealed_session::SessionId;
/// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, run_ready};
///
/// let store = MemoryStore::new(10)?;
/// let id = SessionId::random();
/// run_ready(store.deny_session(DeniedSession { id, subject: None, issued_at: 100, until: 200 }, 150))?;
/// assert!(run_ready(store.status(id, None, 150))?.session_denied);
/// # Ok::<(), sealed_session::Error>(())
/// ```
pub trait RevocationStore: Send + Sync {
    /// Everything needed to judge one session, in one round trip.
    ///
    /// # Errors
    ///
    /// [`Error::RevocationUnavailable`] when the store cannot answer.
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<Status>> + Send;

    /// Puts a session id on the deny-list until `entry.until`, atomically
    /// reporting whether it was revoked already (see [`Denial`]). A store
    /// keeps at most a quota of ids per subject and folds the rest into
    /// the subject's not-before (`issued_at + 1`), and bounds anonymous
    /// ids apart, so a flood of anonymous logouts cannot stop other
    /// users' logouts.
    ///
    /// # Errors
    ///
    /// [`Error::RevocationUnavailable`], or [`Error::RevocationFull`] from
    /// a bounded store (anonymous share full, or no room for one more
    /// subject): never a silent drop.
    fn deny_session(
        &self,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> impl Future<Output = Result<Denial>> + Send;

    /// Sets `subject`'s not-before to `not_before` (keeping a later one
    /// already set) and keeps it until `until`.
    ///
    /// # Errors
    ///
    /// As [`deny_session`](Self::deny_session).
    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Sets the global not-before to `not_before` (keeping a later one
    /// already set) and keeps it until `until`.
    ///
    /// # Errors
    ///
    /// As [`deny_session`](Self::deny_session).
    fn set_global_not_before(
        &self,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

macro_rules! delegate_store {
    ($($ty:ty),*) => {$(
        impl<S: RevocationStore> RevocationStore for $ty {
            fn status(
                &self,
                id: SessionId,
                subject: Option<&str>,
                now: i64,
            ) -> impl Future<Output = Result<Status>> + Send {
                (**self).status(id, subject, now)
            }

            fn deny_session(
                &self,
                entry: DeniedSession<'_>,
                now: i64,
            ) -> impl Future<Output = Result<Denial>> + Send {
                (**self).deny_session(entry, now)
            }

            fn set_subject_not_before(
                &self,
                subject: &str,
                not_before: i64,
                until: i64,
                now: i64,
            ) -> impl Future<Output = Result<()>> + Send {
                (**self).set_subject_not_before(subject, not_before, until, now)
            }

            fn set_global_not_before(
                &self,
                not_before: i64,
                until: i64,
                now: i64,
            ) -> impl Future<Output = Result<()>> + Send {
                (**self).set_global_not_before(not_before, until, now)
            }
        }
    )*};
}

delegate_store!(&S, Arc<S>);

/// Runs a revocation future to completion *if it completes without
/// waiting*, as every [`MemoryStore`] future does: synchronous code needs no
/// executor for the memory store. It never blocks: a future that would wait
/// (a network store outside its runtime) yields
/// [`Error::RevocationUnavailable`] with [`UnavailableReason::NotReady`].
///
/// ```
/// use sealed_session::revocation::run_ready;
/// use sealed_session::{Error, UnavailableReason};
///
/// assert_eq!(run_ready(async { Ok(7) })?, 7);
/// let pending = std::future::pending::<sealed_session::Result<()>>();
/// assert_eq!(
///     run_ready(pending).unwrap_err(),
///     Error::RevocationUnavailable { reason: UnavailableReason::NotReady }
/// );
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
///
/// The future's own error, or [`UnavailableReason::NotReady`].
pub fn run_ready<X>(future: impl Future<Output = Result<X>>) -> Result<X> {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(Error::RevocationUnavailable {
            reason: UnavailableReason::NotReady,
        }),
    }
}
