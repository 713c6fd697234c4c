//! The revoking side of [`Revocation`]: logout, log out everywhere and
//! revoke all (renewals and logins are in `renew.rs`).

use super::{DeniedSession, Revocation, RevocationStore};
use crate::sealer::clock::unix_now;
use crate::wire::envelope::MAX_SUBJECT_LEN;
use crate::wire::unix::unix;
use crate::{ConfigError, Opened, Result, Session};
use core::future::Future;
use time::OffsetDateTime;

impl<S: RevocationStore> Revocation<S> {
    /// Logs this session out, using the system clock: its id goes on the
    /// deny-list until its deadline (within its subject's quota, or folded
    /// into the subject's not-before; see
    /// [`RevocationStore::deny_session`]), and the returned `Set-Cookie`
    /// value deletes the cookie in the browser.
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
        self.logout_unix(opened, unix_now())
    }

    /// [`logout`](Self::logout) at time `now`.
    ///
    /// When the store fails, the session is *not* revoked and the error
    /// says so; the browser cookie can still be deleted with
    /// [`Sealer::removal_cookie`](crate::Sealer::removal_cookie).
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
    /// [`Error::RevocationUnavailable`](crate::Error::RevocationUnavailable) from the store;
    /// [`Error::RevocationFull`](crate::Error::RevocationFull) for an anonymous session when the store's
    /// anonymous share is full (a session with a subject folds instead);
    /// [`ConfigError::Clock`] for a clock out of range.
    // Not an `async fn`: the entry is taken from the session before the
    // future starts, so the future does not hold `&Opened<T>` and is `Send`
    // without requiring `T: Sync`.
    pub fn logout_at<T>(
        &self,
        opened: &Opened<T>,
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<String>> + Send {
        self.logout_unix(opened, unix(now))
    }

    /// [`logout_at`](Self::logout_at) with `now` in unix seconds (or the
    /// error converting it gave, returned when awaited).
    pub(crate) fn logout_unix<T>(
        &self,
        opened: &Opened<T>,
        now: Result<i64>,
    ) -> impl Future<Output = Result<String>> + Send {
        let entry = self.denial(&opened.session);
        async move {
            let now = now?;
            if let Some((entry, subject)) = &entry {
                let entry = DeniedSession {
                    subject: subject.as_deref(),
                    ..*entry
                };
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
        self.logout_everywhere_unix(subject, unix_now()).await
    }

    /// Sets `subject`'s not-before to `now` plus the leeway: every session
    /// of `subject` issued before that is rejected with
    /// [`RevokedReason::SubjectNotBefore`](crate::RevokedReason). The
    /// leeway is added because a node whose clock runs up to the leeway
    /// fast stamps its sessions up to that far ahead: without it, a session
    /// it sealed just before this call would survive. So a session sealed
    /// now, the plain way, is rejected too; a session that goes through
    /// [`login_at`](Self::login_at) or [`renew_id_at`](Self::renew_id_at)
    /// is stamped at the not-before and survives. The current request's
    /// own session is among the rejected ones: to keep the user logged in,
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
    /// // A login right after: stamped at the not-before, it survives.
    /// let mut login = Session::new(());
    /// login.set_subject("user-42")?;
    /// run_ready(sessions.login_at(&mut login, t1))?;
    /// let fresh = sessions.sealer().seal_value_at(&login, t1)?;
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
        self.logout_everywhere_unix(subject, unix(now)).await
    }

    /// [`logout_everywhere_at`](Self::logout_everywhere_at) with `now` in
    /// unix seconds (the subject's length is checked first, as there).
    async fn logout_everywhere_unix(&self, subject: &str, now: Result<i64>) -> Result<()> {
        if subject.len() > MAX_SUBJECT_LEN {
            return Err(ConfigError::Subject.into());
        }
        let now = now?;
        let (not_before, until) = self.not_before(now);
        self.store
            .set_subject_not_before(subject, not_before, until, now)
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

    /// Sets the global not-before to `now` plus the leeway (as
    /// [`logout_everywhere_at`](Self::logout_everywhere_at) does for one
    /// subject): every session issued before that is rejected with
    /// [`RevokedReason::GlobalNotBefore`](crate::RevokedReason), except
    /// those stamped by [`login_at`](Self::login_at) or
    /// [`renew_id_at`](Self::renew_id_at). Cheaper
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
        let (not_before, until) = self.not_before(now);
        self.store
            .set_global_not_before(not_before, until, now)
            .await
    }

    /// The deny-list entry for a sealed session, and its subject; `None`
    /// for one never sealed, which no cookie carries yet.
    pub(super) fn denial<T>(
        &self,
        session: &Session<T>,
    ) -> Option<(DeniedSession<'static>, Option<String>)> {
        let issued_at = session.issued_at?;
        let expires_at = session.expires_at?;
        let entry = DeniedSession {
            id: session.id(),
            subject: None,
            issued_at,
            until: expires_at + 2 * self.leeway,
        };
        Some((entry, session.subject().map(str::to_owned)))
    }

    /// A not-before set at `now` and how long it must be kept. It lies a
    /// leeway ahead, covering sessions sealed by nodes whose clocks run
    /// that fast; it is kept until every session issued before it has
    /// expired on every node: its own time, the longest TTL, and one
    /// leeway for the opener's clock plus one for the store's.
    pub(super) fn not_before(&self, now: i64) -> (i64, i64) {
        let not_before = now + self.leeway;
        (not_before, not_before + self.max_ttl + 2 * self.leeway)
    }
}
