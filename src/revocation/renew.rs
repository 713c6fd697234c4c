//! Fresh starts: renewing a checked session's id (which denies the old one
//! atomically), logging out everywhere else, and stamping a new login so
//! it survives a not-before set just before it.

use super::{Checked, Denial, DeniedSession, Revocation, RevocationStore};
use crate::sealer::clock::unix_now;
use crate::wire::unix::unix;
use crate::{Error, Result, Session};
use time::OffsetDateTime;

impl<S: RevocationStore> Revocation<S> {
    /// Gives a checked session a fresh start at login or on a privilege
    /// change, using the system clock; see [`renew_id_at`](Self::renew_id_at).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(1u8))?;
    /// let mut checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// let before = checked.session().id();
    /// run_ready(sessions.renew_id(&mut checked))?;
    /// assert_ne!(checked.session().id(), before);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`renew_id_at`](Self::renew_id_at).
    pub async fn renew_id<T>(&self, checked: &mut Checked<T>) -> Result<()> {
        self.renew_id_unix(checked, unix_now()?).await
    }

    /// Puts the session's current id on the deny-list, then gives it a
    /// fresh random id and a fresh start: the next seal stamps a new issue
    /// time and absolute deadline, as for a new login. A copy of the old
    /// cookie (planted before login, or seen by someone) stops opening, and
    /// the new session survives a "log out everywhere" of its subject set
    /// before this moment (its issue time is stamped at that not-before if
    /// it lies ahead).
    ///
    /// The denial is atomic: when the old id turns out to be revoked
    /// already (a logout of the same session raced this request), the
    /// session is not renewed and the error says so. An anonymous session
    /// (no subject) is renewed even when the store's anonymous share is
    /// full, so a flood of anonymous logouts cannot stop logins; its old
    /// id is then not recorded, which costs nothing, since an anonymous
    /// cookie names nobody.
    ///
    /// It takes a [`Checked`] session: renewing an unchecked one could give
    /// a revoked session a new start.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(t0)?;
    /// let anonymous = sessions.sealer().seal_value_at(&Session::new(0u8), t0)?;
    ///
    /// // Login an hour later.
    /// let t1 = t0 + Duration::hours(1);
    /// let mut checked = run_ready(sessions.open_checked_at::<u8>(&anonymous, t1))?;
    /// run_ready(sessions.renew_id_at(&mut checked, t1))?;
    /// checked.session_mut().set_subject("user-42")?;
    /// let logged_in = sessions.sealer().seal_value_at(checked.session(), t1)?;
    ///
    /// assert!(run_ready(sessions.open_checked_at::<u8>(&anonymous, t1)).is_err());
    /// let opened = run_ready(sessions.open_checked_at::<u8>(&logged_in, t1))?;
    /// assert_eq!(opened.session().issued_at(), Some(t1));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Revoked`] when the session was revoked before this call
    /// (its id was logged out, or a not-before covers it: a logout that
    /// raced this request); otherwise as [`logout_at`](Self::logout_at),
    /// except that a full anonymous share does not stop it. On error the
    /// session is left unchanged. To log out every other session of the
    /// subject and keep this one, use
    /// [`logout_everywhere_else_at`](Self::logout_everywhere_else_at).
    pub async fn renew_id_at<T>(
        &self,
        checked: &mut Checked<T>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.renew_id_unix(checked, unix(now)?).await
    }

    /// [`renew_id_at`](Self::renew_id_at) with `now` in unix seconds.
    pub(crate) async fn renew_id_unix<T>(&self, checked: &mut Checked<T>, now: i64) -> Result<()> {
        let mut floor = checked.not_before_floor();
        if let Some((entry, subject)) = self.denial(checked.session()) {
            let entry = DeniedSession {
                subject: subject.as_deref(),
                ..entry
            };
            match self.store.deny_session(entry, now).await {
                Ok(Denial::AlreadyRevoked { reason }) => return Err(Error::Revoked { reason }),
                Ok(Denial::Folded { not_before }) => floor = floor.max(not_before),
                Ok(_) => {}
                Err(Error::RevocationFull { .. }) if entry.subject.is_none() => {}
                Err(err) => return Err(err),
            }
        }
        checked
            .session_mut()
            .reissue_at(floor, now, self.sealer.ttl_seconds());
        Ok(())
    }

    /// Logs out every session of this session's subject but this one (the
    /// "log out everywhere else" after a password change), using the
    /// system clock; see
    /// [`logout_everywhere_else_at`](Self::logout_everywhere_else_at).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// # let mut session = Session::new(1u8);
    /// # session.set_subject("user-42")?;
    /// # let cookie = sessions.sealer().seal_value(&session)?;
    /// let mut checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// run_ready(sessions.logout_everywhere_else(&mut checked))?;
    /// let renewed = sessions.sealer().seal_value(checked.session())?;
    /// assert!(run_ready(sessions.open_checked::<u8>(&renewed)).is_ok());
    /// assert!(run_ready(sessions.open_checked::<u8>(&cookie)).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`logout_everywhere_else_at`](Self::logout_everywhere_else_at).
    pub async fn logout_everywhere_else<T>(&self, checked: &mut Checked<T>) -> Result<()> {
        self.logout_everywhere_else_unix(checked, unix_now()?).await
    }

    /// Logs out every session of the checked session's subject, on every
    /// device, and gives this one a fresh start that survives it: the old
    /// id is denied first (so a logout of this session that raced the
    /// request is seen and wins), then the subject's not-before is set as
    /// by [`logout_everywhere_at`](Self::logout_everywhere_at), and the
    /// session gets a new id stamped at that not-before. Send its new
    /// cookie. A session without a subject is only renewed.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(t0)?;
    /// let mut session = Session::new(());
    /// session.set_subject("user-42")?;
    /// let phone = sessions.sealer().seal_value_at(&session, t0)?;
    /// let laptop = sessions.sealer().seal_value_at(&session, t0)?;
    ///
    /// let t1 = t0 + Duration::minutes(1);
    /// let mut checked = run_ready(sessions.open_checked_at::<()>(&laptop, t1))?;
    /// run_ready(sessions.logout_everywhere_else_at(&mut checked, t1))?;
    /// let laptop = sessions.sealer().seal_value_at(checked.session(), t1)?;
    /// assert!(run_ready(sessions.open_checked_at::<()>(&phone, t1)).is_err());
    /// assert!(run_ready(sessions.open_checked_at::<()>(&laptop, t1)).is_ok());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`renew_id_at`](Self::renew_id_at) and
    /// [`logout_everywhere_at`](Self::logout_everywhere_at). On error the
    /// session is left unchanged; when the not-before could not be set
    /// after the old id was denied, the error is returned and the old
    /// cookie is already dead (answer with an error, the user logs in
    /// again).
    pub async fn logout_everywhere_else_at<T>(
        &self,
        checked: &mut Checked<T>,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.logout_everywhere_else_unix(checked, unix(now)?).await
    }

    /// [`logout_everywhere_else_at`](Self::logout_everywhere_else_at) with
    /// `now` in unix seconds.
    async fn logout_everywhere_else_unix<T>(
        &self,
        checked: &mut Checked<T>,
        now: i64,
    ) -> Result<()> {
        let Some(subject) = checked.session().subject().map(str::to_owned) else {
            return self.renew_id_unix(checked, now).await;
        };
        let mut floor = checked.not_before_floor();
        if let Some((entry, _)) = self.denial(checked.session()) {
            let entry = DeniedSession {
                subject: Some(&subject),
                ..entry
            };
            match self.store.deny_session(entry, now).await? {
                Denial::AlreadyRevoked { reason } => return Err(Error::Revoked { reason }),
                Denial::Folded { not_before } => floor = floor.max(not_before),
                _ => {}
            }
        }
        let (not_before, until) = self.not_before(now);
        self.store
            .set_subject_not_before(&subject, not_before, until, now)
            .await?;
        checked
            .session_mut()
            .reissue_at(floor.max(not_before), now, self.sealer.ttl_seconds());
        Ok(())
    }

    /// Readies a new session of a user who just logged in, using the
    /// system clock; see [`login_at`](Self::login_at).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// let mut session = Session::new(1u8);
    /// session.set_subject("user-42")?;
    /// run_ready(sessions.login(&mut session))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`login_at`](Self::login_at).
    pub async fn login<T>(&self, session: &mut Session<T>) -> Result<()> {
        self.login_unix(session, unix_now()).await
    }

    /// Readies a new, never sealed session for its first seal at `now`: if
    /// its subject (or everyone) was logged out with a not-before that is
    /// still ahead of `now` (it is set a leeway ahead, see
    /// [`logout_everywhere_at`](Self::logout_everywhere_at)), the session
    /// is stamped as issued at that not-before, so the login that follows a
    /// "log out everywhere" survives it. Its absolute deadline stays
    /// `now + TTL`. A session that was sealed before is left alone: renew
    /// it with [`renew_id_at`](Self::renew_id_at).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(t0)?;
    /// run_ready(sessions.revoke_all_at(t0))?;
    /// let mut session = Session::new(());
    /// run_ready(sessions.login_at(&mut session, t0))?;
    /// let cookie = sessions.sealer().seal_value_at(&session, t0)?;
    /// assert!(run_ready(sessions.open_checked_at::<()>(&cookie, t0)).is_ok());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RevocationUnavailable`] when the store cannot answer and
    /// the failure policy is closed (under
    /// [`FailurePolicy::Open`](super::FailurePolicy::Open) the session is
    /// left unstamped).
    pub async fn login_at<T>(&self, session: &mut Session<T>, now: OffsetDateTime) -> Result<()> {
        self.login_unix(session, unix(now)).await
    }

    /// [`login_at`](Self::login_at) with `now` in unix seconds (or the
    /// error converting it gave): the web layer passes the request's one
    /// clock reading.
    pub(crate) async fn login_unix<T>(
        &self,
        session: &mut Session<T>,
        now: Result<i64>,
    ) -> Result<()> {
        if session.issued_at.is_some() {
            return Ok(());
        }
        let now = now?;
        let status = match self
            .store
            .status(session.id(), session.subject(), now)
            .await
        {
            Ok(status) => status,
            Err(Error::RevocationUnavailable { .. })
                if self.failure == super::FailurePolicy::Open =>
            {
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let floor = status
            .subject_not_before
            .max(status.global_not_before)
            .unwrap_or(0);
        session.restart_at(floor, now, self.sealer.ttl_seconds());
        Ok(())
    }
}
