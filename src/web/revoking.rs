//! The handle's revoking side: login, renewal, logout and "log out
//! everywhere", each through [`Revocation`](crate::revocation::Revocation),
//! with no lock held across the store's await.

use super::handle::{SessionHandle, Slot};
use crate::revocation::{Checked, RevocationStore};
use crate::{Error, Result, Session};

impl<T, S: RevocationStore> SessionHandle<T, S> {
    /// Logs in: revokes the current session if there is one (session
    /// fixation), and starts a new one with a fresh id, issue time and
    /// absolute deadline, bound to `subject` (for "log out everywhere").
    /// The new session goes through
    /// [`Revocation::login`](crate::revocation::Revocation::login), so a
    /// login right after a "log out everywhere" of its subject survives it.
    /// An anonymous current session is revoked if the store has room; a
    /// full anonymous share never stops a login.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> sealed_session::Result<()> {
    /// session.login(1, Some("user-42")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Subject`](crate::ConfigError::Subject) for a subject
    /// over 255 bytes; the store's error when the old session cannot be
    /// revoked (the session is then left unchanged).
    pub async fn login(&self, data: T, subject: Option<&str>) -> Result<()> {
        let mut session = Session::new(data);
        if let Some(subject) = subject {
            session.set_subject(subject)?;
        }
        let anonymous = self.read(|s| s.is_some_and(|s| s.subject().is_none()));
        match self.revoke_current().await {
            Err(Error::RevocationFull { .. }) if anonymous => {}
            other => other?,
        }
        self.revocation.login_unix(&mut session, self.now()).await?;
        let mut state = self.access();
        state.slot = Slot::Fresh(session);
        state.removed = false;
        Ok(())
    }

    /// Gives the session a new id (revoking the old one) and restarts its
    /// issue time and absolute deadline, keeping the data and subject. Call
    /// it on privilege changes. Without a session it does nothing.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> sealed_session::Result<()> {
    /// session.renew_id().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Revocation::renew_id`](crate::revocation::Revocation::renew_id):
    /// [`Error::Revoked`] when a logout of this session raced the request
    /// (the renewal must not revive it), or the store's error; the session
    /// is then left unchanged.
    pub async fn renew_id(&self) -> Result<()> {
        let Some(mut checked) = self.take_opened() else {
            self.renew_fresh();
            return Ok(());
        };
        let outcome = match self.now() {
            Ok(now) => self.revocation.renew_id_unix(&mut checked, now).await,
            Err(error) => Err(error),
        };
        self.lock().slot = Slot::Opened(checked);
        outcome
    }

    /// Logs out every other session of this session's subject, on every
    /// device, and keeps this one under a new id (after a password change);
    /// see [`Revocation::logout_everywhere_else`](crate::revocation::Revocation::logout_everywhere_else).
    /// Without a subject it only renews the id.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> sealed_session::Result<()> {
    /// session.logout_everywhere_else().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`renew_id`](Self::renew_id).
    pub async fn logout_everywhere_else(&self) -> Result<()> {
        let Some(mut checked) = self.take_opened() else {
            self.renew_fresh();
            return Ok(());
        };
        // A not-before is set at the clock of the call, not the request's:
        // a login elsewhere while this handler ran (stamped at its own
        // request's time) must fall under it even with a leeway of zero.
        let outcome = self.revocation.logout_everywhere_else(&mut checked).await;
        self.lock().slot = Slot::Opened(checked);
        outcome
    }

    /// Takes the opened session out of the slot, so that no lock is held
    /// across the store's await; the caller puts it back. (Were the
    /// future dropped midway, the request's response future is being
    /// dropped with it: nothing reads the slot any more.)
    fn take_opened(&self) -> Option<Checked<T>> {
        let mut state = self.access();
        match core::mem::replace(&mut state.slot, Slot::Empty) {
            Slot::Opened(checked) => Some(checked),
            other => {
                state.slot = other;
                None
            }
        }
    }

    /// A session made in this request was never sealed: a new id needs no
    /// revocation.
    fn renew_fresh(&self) {
        if let Slot::Fresh(session) = &mut self.access().slot {
            session.renew_id();
        }
    }

    /// Logs this session out: its id is revoked (a replayed copy of the
    /// cookie is refused) and the response deletes the cookie.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> sealed_session::Result<()> {
    /// session.logout().await?;
    /// assert!(!session.is_present());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The store's error when the id cannot be revoked; the session is then
    /// left in place (answer 503 rather than pretend the logout happened).
    pub async fn logout(&self) -> Result<()> {
        self.revoke_current().await?;
        let mut state = self.access();
        state.slot = Slot::Empty;
        state.removed = true;
        Ok(())
    }

    /// Logs out every session of this session's subject, on every device,
    /// this one included (see
    /// [`Revocation::logout_everywhere`](crate::revocation::Revocation::logout_everywhere)).
    /// Without a subject it logs out this session only. To stay signed in
    /// here (after a password change), call [`login`](Self::login) next.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> sealed_session::Result<()> {
    /// session.logout_everywhere().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`logout`](Self::logout).
    pub async fn logout_everywhere(&self) -> Result<()> {
        let subject = self.read(|s| s.and_then(|s| s.subject().map(str::to_owned)));
        if let Some(subject) = subject {
            // At the clock of the call, as in `logout_everywhere_else`.
            self.revocation.logout_everywhere(&subject).await?;
        }
        // The subject's not-before covers this session too; revoking its
        // id as well also ends it when the session has no subject.
        self.logout().await
    }

    /// The request's clock reading (the one its cookie was opened and
    /// will be sealed at), so a login, a logout or a renewal agrees with
    /// the seal and the request reads the clock once.
    fn now(&self) -> Result<i64> {
        self.lock().now.clone()
    }

    /// Puts the current opened session's id on the deny-list.
    async fn revoke_current(&self) -> Result<()> {
        let Some(checked) = self.take_opened() else {
            return Ok(());
        };
        let outcome = self
            .revocation
            .logout_unix(checked.opened(), self.now())
            .await
            .map(drop);
        self.lock().slot = Slot::Opened(checked);
        outcome
    }
}
