//! The revoking side of [`Revocation`]: logout, log out everywhere, revoke
//! all, and renewing a session id (which denies the old one).

use super::{Checked, DeniedSession, Revocation, RevocationStore};
use crate::wire::envelope::MAX_SUBJECT_LEN;
use crate::wire::unix::unix;
use crate::{ConfigError, Opened, Result, Session};
use core::future::Future;
use time::OffsetDateTime;

impl<S: RevocationStore> Revocation<S> {
    /// Logs this session out, using the system clock: its id goes on the
    /// deny-list until its deadline, and the returned `Set-Cookie` value
    /// deletes the cookie in the browser.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(1u8))?;
    /// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// let set_cookie = run_ready(sessions.logout(&checked))?;
    /// assert_eq!(set_cookie, sessions.sealer().removal_cookie());
    /// assert!(run_ready(sessions.open_checked::<u8>(&cookie)).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`logout_at`](Self::logout_at).
    pub fn logout<T>(&self, opened: &Opened<T>) -> impl Future<Output = Result<String>> + Send {
        self.logout_at(opened, OffsetDateTime::now_utc())
    }

    /// [`logout`](Self::logout) at time `now`.
    ///
    /// When the store fails, the session is *not* revoked and the error
    /// says so; the browser cookie can still be deleted with
    /// [`Sealer::removal_cookie`].
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(now)?;
    /// # let cookie = sessions.sealer().seal_value_at(&Session::new(1u8), now)?;
    /// let checked = run_ready(sessions.open_checked_at::<u8>(&cookie, now))?;
    /// run_ready(sessions.logout_at(&checked, now))?;
    /// assert_eq!(sessions.store().len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RevocationUnavailable`] or [`Error::RevocationFull`] from
    /// the store; [`ConfigError::Clock`] for a clock out of range.
    // Not an `async fn`: the entry is taken from the session before the
    // future starts, so the future does not hold `&Opened<T>` and is `Send`
    // without requiring `T: Sync`.
    pub fn logout_at<T>(
        &self,
        opened: &Opened<T>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<String>> + Send {
        let entry = self.denial(&opened.session);
        async move {
            let now = unix(now)?;
            if let Some(entry) = entry {
                self.store.deny_session(entry, now).await?;
            }
            Ok(self.sealer.removal_cookie())
        }
    }

    /// Logs every session of `subject` out ("log out everywhere", password
    /// change), using the system clock.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// run_ready(sessions.logout_everywhere("user-42"))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`logout_everywhere_at`](Self::logout_everywhere_at).
    pub async fn logout_everywhere(&self, subject: &str) -> Result<()> {
        self.logout_everywhere_at(subject, OffsetDateTime::now_utc())
            .await
    }

    /// Sets `subject`'s not-before to the whole second of `now`: every
    /// session of `subject` issued in an earlier second is rejected with
    /// [`RevokedReason::SubjectNotBefore`](crate::RevokedReason), sessions
    /// issued from this second on are not. The current request's own
    /// session is among the rejected ones: to keep the user logged in,
    /// give it a new start with [`renew_id_at`](Self::renew_id_at) and send
    /// its new cookie.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(t0)?;
    /// let mut session = Session::new(());
    /// session.set_subject("user-42")?;
    /// let old = sessions.sealer().seal_value_at(&session, t0)?;
    ///
    /// let t1 = t0 + Duration::minutes(5);
    /// run_ready(sessions.logout_everywhere_at("user-42", t1))?;
    /// let fresh = sessions.sealer().seal_value_at(&session, t1)?; // same second
    /// assert!(run_ready(sessions.open_checked_at::<()>(&old, t1)).is_err());
    /// assert!(run_ready(sessions.open_checked_at::<()>(&fresh, t1)).is_ok());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Subject`] for a subject longer than 255 bytes (no
    /// session can carry it); otherwise as [`logout_at`](Self::logout_at).
    pub async fn logout_everywhere_at(&self, subject: &str, now: OffsetDateTime) -> Result<()> {
        if subject.len() > MAX_SUBJECT_LEN {
            return Err(ConfigError::Subject.into());
        }
        let now = unix(now)?;
        let until = now + self.not_before_lifetime();
        self.store
            .set_subject_not_before(subject, now, until, now)
            .await
    }

    /// Logs every session issued so far out, using the system clock.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// run_ready(sessions.revoke_all())?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`revoke_all_at`](Self::revoke_all_at).
    pub async fn revoke_all(&self) -> Result<()> {
        self.revoke_all_at(OffsetDateTime::now_utc()).await
    }

    /// Sets the global not-before to the whole second of `now`: every
    /// session issued in an earlier second is rejected with
    /// [`RevokedReason::GlobalNotBefore`](crate::RevokedReason). Cheaper
    /// than rotating keys when keys are not compromised, and it lets a
    /// [`MemoryStore`](super::MemoryStore) drop every entry it covers.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// # let sessions = Revocation::builder(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?).build_at(t0)?;
    /// let old = sessions.sealer().seal_value_at(&Session::new(()), t0)?;
    /// run_ready(sessions.revoke_all_at(t0 + Duration::seconds(1)))?;
    /// assert!(run_ready(sessions.open_checked_at::<()>(&old, t0 + Duration::seconds(1))).is_err());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`logout_at`](Self::logout_at).
    pub async fn revoke_all_at(&self, now: OffsetDateTime) -> Result<()> {
        let now = unix(now)?;
        let until = now + self.not_before_lifetime();
        self.store.set_global_not_before(now, until, now).await
    }

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
        self.renew_id_at(checked, OffsetDateTime::now_utc()).await
    }

    /// Puts the session's current id on the deny-list, then gives it a
    /// fresh random id and a fresh start: the next seal stamps a new issue
    /// time and absolute deadline, as for a new login. A copy of the old
    /// cookie (planted before login, or seen by someone) stops opening, and
    /// the new session survives a "log out everywhere" of its subject set
    /// before this moment.
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
    /// As [`logout_at`](Self::logout_at); on error the session is left
    /// unchanged.
    pub async fn renew_id_at<T>(
        &self,
        checked: &mut Checked<T>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let now = unix(now)?;
        if let Some(entry) = self.denial(checked.session()) {
            self.store.deny_session(entry, now).await?;
        }
        checked.session_mut().reissue();
        Ok(())
    }

    /// The deny-list entry for a sealed session; `None` for one never
    /// sealed, which no cookie carries yet.
    fn denial<T>(&self, session: &Session<T>) -> Option<DeniedSession> {
        let issued_at = session.issued_at?;
        let expires_at = session.expires_at?;
        Some(DeniedSession {
            id: session.id(),
            issued_at,
            until: expires_at + 2 * self.leeway,
        })
    }

    /// How long a not-before must be kept: until every session issued
    /// before it has expired on every node.
    fn not_before_lifetime(&self) -> i64 {
        self.max_ttl + 2 * self.leeway
    }
}
