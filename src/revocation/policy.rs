//! `Revocation`: a sealer and a store together: checks, logouts, renewals.

use super::{Checked, RevocationStore};
use crate::SessionData;
use crate::wire::unix::unix;
use crate::{Error, Opened, Result, Sealer};
use time::{Duration, OffsetDateTime};

/// What a check does when the store cannot answer.
///
/// ```
/// use sealed_session::revocation::FailurePolicy;
/// assert_eq!(FailurePolicy::default(), FailurePolicy::Closed);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FailurePolicy {
    /// Reject the request with [`Error::RevocationUnavailable`] (the
    /// default): a revoked session is never let through.
    #[default]
    Closed,
    /// Let the session through, marked by
    /// [`Checked::store_answered`] returning `false`. A store outage then
    /// silently revives every revoked session until it ends.
    Open,
}

/// A [`Sealer`] with a [`RevocationStore`]: opens and checks cookies, logs
/// sessions out, and renews ids. Build one per cookie at startup and share
/// it.
///
/// ```
/// use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
/// use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Revocation::new(sealer, MemoryStore::new(10_000)?)?;
///
/// let mut session = Session::new(());
/// session.set_subject("user-42")?;
/// let cookie = sessions.sealer().seal_value(&session)?;
/// assert!(run_ready(sessions.open_checked::<()>(&cookie)).is_ok());
///
/// // Password change one second later: every earlier session of user-42 is out.
/// let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(1);
/// run_ready(sessions.logout_everywhere_at("user-42", later))?;
/// let err = run_ready(sessions.open_checked_at::<()>(&cookie, later)).unwrap_err();
/// assert_eq!(err, Error::Revoked { reason: RevokedReason::SubjectNotBefore });
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
pub struct Revocation<S> {
    pub(super) sealer: Sealer,
    pub(super) store: S,
    pub(super) failure: FailurePolicy,
    /// Seconds: the longest absolute lifetime of a session judged here.
    pub(super) max_ttl: i64,
    /// Seconds: the sealer's clock leeway.
    pub(super) leeway: i64,
}

impl<S: RevocationStore> Revocation<S> {
    /// The sealer, for sealing sessions.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// let set_cookie = sessions.sealer().seal(&Session::new(()))?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// The store.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// assert_eq!(sessions.store().len(), 0);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn store(&self) -> &S {
        &self.store
    }

    /// What a check does when the store cannot answer.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// assert_eq!(sessions.failure_policy(), FailurePolicy::Closed);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn failure_policy(&self) -> FailurePolicy {
        self.failure
    }

    /// The longest session lifetime a not-before is kept for (plus twice
    /// the leeway).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// assert_eq!(sessions.max_ttl(), DEFAULT_TTL);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn max_ttl(&self) -> Duration {
        Duration::seconds(self.max_ttl)
    }

    /// The sealer's leeway, as read back when this was built.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// assert_eq!(sessions.leeway(), DEFAULT_LEEWAY);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn leeway(&self) -> Duration {
        Duration::seconds(self.leeway)
    }

    /// Opens a cookie value with the sealer and checks it against the
    /// store, using the system clock.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// let cookie = sessions.sealer().seal_value(&Session::new(1u8))?;
    /// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_checked_at`](Self::open_checked_at).
    pub async fn open_checked<T: SessionData>(&self, value: &str) -> Result<Checked<T>> {
        // One clock read, for the open and the check alike.
        let now = crate::sealer::clock::unix_now()?;
        let opened = self.sealer.open_bytes_unix::<T>(value.as_bytes(), now)?;
        self.check_unix(opened, now).await
    }

    /// Opens a cookie value at time `now` and checks it against the store.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(now)?;
    /// let cookie = sessions.sealer().seal_value_at(&Session::new(1u8), now)?;
    /// let checked = run_ready(sessions.open_checked_at::<u8>(&cookie, now))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Every error of [`Sealer::open_at`], then those of
    /// [`check_at`](Self::check_at).
    pub async fn open_checked_at<T: SessionData>(
        &self,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<Checked<T>> {
        let opened = self.sealer.open_at::<T>(value, now)?;
        self.check_at(opened, now).await
    }

    /// Checks an opened session against the store, using the system clock.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// let sealer = sessions.sealer();
    /// let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(1u8))?)?;
    /// let checked = run_ready(sessions.check(opened))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`check_at`](Self::check_at).
    pub async fn check<T>(&self, opened: Opened<T>) -> Result<Checked<T>> {
        self.check_unix(opened, crate::sealer::clock::unix_now()?)
            .await
    }

    /// Checks an opened session against the store at time `now`: one store
    /// round trip.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(now)?;
    /// let sealer = sessions.sealer();
    /// let opened = sealer.open_at::<u8>(&sealer.seal_value_at(&Session::new(1u8), now)?, now)?;
    /// let checked = run_ready(sessions.check_at(opened, now))?;
    /// assert!(checked.store_answered());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Revoked`] with the reason; [`Error::RevocationUnavailable`]
    /// when the store cannot answer and the policy is
    /// [`FailurePolicy::Closed`]; [`ConfigError::Clock`](crate::ConfigError::Clock) for a clock out
    /// of range.
    pub async fn check_at<T>(&self, opened: Opened<T>, now: OffsetDateTime) -> Result<Checked<T>> {
        self.check_unix(opened, unix(now)?).await
    }

    /// [`check_at`](Self::check_at) at `now` in unix seconds, for callers
    /// that read the clock once per request.
    pub(crate) async fn check_unix<T>(&self, opened: Opened<T>, now: i64) -> Result<Checked<T>> {
        let session = &opened.session;
        let status = self
            .store
            .status(session.id(), session.subject(), now)
            .await;
        self.judge(opened, status)
    }

    /// [`check_unix`](Self::check_unix) when the store answers without
    /// waiting ([`RevocationStore::status_now`]); `Err` gives `opened`
    /// back for the caller to await `check_unix` instead.
    #[cfg(feature = "web")]
    pub(crate) fn check_unix_now<T>(
        &self,
        opened: Opened<T>,
        now: i64,
    ) -> core::result::Result<Result<Checked<T>>, Opened<T>> {
        let session = &opened.session;
        match self.store.status_now(session.id(), session.subject(), now) {
            Some(status) => Ok(self.judge(opened, status)),
            None => Err(opened),
        }
    }

    /// The verdict on `opened` from the store's answer, with the failure
    /// policy applied.
    fn judge<T>(&self, opened: Opened<T>, status: Result<super::Status>) -> Result<Checked<T>> {
        // An opened session always has an issue time; none would be judged
        // as issued at the dawn of time, before every not-before.
        let issued_at = opened.session.issued_at.unwrap_or(i64::MIN);
        match status {
            Ok(status) => match status.verdict(issued_at) {
                Ok(()) => {
                    let floor = status.subject_not_before.max(status.global_not_before);
                    Ok(Checked::new(opened, true, floor.unwrap_or(0)))
                }
                Err(reason) => Err(Error::Revoked { reason }),
            },
            Err(Error::RevocationUnavailable { .. }) if self.failure == FailurePolicy::Open => {
                Ok(Checked::new(opened, false, 0))
            }
            Err(err) => Err(err),
        }
    }
}
