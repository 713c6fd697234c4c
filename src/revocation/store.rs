//! The contract between a [`Revocation`](super::Revocation) and where it
//! keeps revocations: the [`RevocationStore`] trait, what it is asked
//! ([`DeniedSession`]) and what it answers ([`Status`], [`Denial`]), and the
//! rules every store applies to a not-before.

use crate::{Result, RevokedReason, SessionId};
use core::future::Future;
use std::sync::Arc;

#[cfg(doc)]
use crate::Error;

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

/// Where revocations are kept. Implemented by [`MemoryStore`](super::MemoryStore) and, with the
/// `redis` feature, `RedisStore`; also for `&S` and `Arc<S>`, so one store
/// can serve several [`Revocation`](super::Revocation)s.
///
/// All times are unix seconds. `now` is the caller's clock; a store with its
/// own clock (Redis) may use that instead for expiry. A store that cannot
/// answer returns [`Error::RevocationUnavailable`]; the [`Revocation`](super::Revocation) on
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

    /// [`status`](Self::status) answered without waiting, by a store that
    /// can (an in-memory one); `None` (the default) when the caller must
    /// await `status`. The web layers ask this first, so that a request
    /// checked against an in-memory store runs its handler without a
    /// boxed future in between. A store that answers here must give the
    /// same answer `status` would.
    ///
    /// ```
    /// use sealed_session::SessionId;
    /// use sealed_session::revocation::{MemoryStore, RevocationStore};
    ///
    /// let store = MemoryStore::new(10)?;
    /// let status = store.status_now(SessionId::random(), None, 150);
    /// assert!(!status.expect("in memory: answered at once")?.session_denied);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`status`](Self::status).
    fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>> {
        let _ = (id, subject, now);
        None
    }

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

            fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>> {
                (**self).status_now(id, subject, now)
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
