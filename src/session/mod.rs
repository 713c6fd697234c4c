//! A session's data and the metadata that travels with it in the cookie.

mod csrf;
mod id;
mod opened;

pub use csrf::{CSRF_TOKEN_LEN, CsrfKey, random_token};
pub use id::SessionId;
pub use opened::{Opened, Reseal};

use crate::wire::envelope::MAX_SUBJECT_LEN;
use crate::{ConfigError, Result};
use core::fmt;
use time::OffsetDateTime;

/// A session: your data `T` plus its id, optional subject and deadlines.
///
/// A new session has no issue time yet: the first seal stamps it, and the
/// absolute deadline follows from the sealer's TTL. An opened session keeps
/// both across re-seals; only the idle deadline moves.
///
/// ```
/// use sealed_session::Session;
///
/// let mut session = Session::new(vec!["cart item"]);
/// session.set_subject("user-42")?;
/// session.data_mut().push("another");
/// assert_eq!(session.data().len(), 2);
/// assert!(session.is_changed());
/// assert_eq!(session.issued_at(), None);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Session<T> {
    data: T,
    id: SessionId,
    subject: Option<String>,
    pub(crate) issued_at: Option<i64>,
    pub(crate) expires_at: Option<i64>,
    pub(crate) idle_deadline: Option<i64>,
    /// Seconds this session may live at most, if shorter than the TTL.
    pub(crate) lifetime: Option<i64>,
    /// Sealed without `Max-Age`: the cookie ends with the browser session.
    pub(crate) browser_session: bool,
    changed: bool,
}

impl<T> Session<T> {
    /// A new session with a fresh random id.
    ///
    /// ```
    /// let session = sealed_session::Session::new(5u32);
    /// assert_eq!(*session.data(), 5);
    /// ```
    pub fn new(data: T) -> Session<T> {
        Session {
            data,
            id: SessionId::random(),
            subject: None,
            issued_at: None,
            expires_at: None,
            idle_deadline: None,
            lifetime: None,
            browser_session: false,
            changed: true,
        }
    }

    /// A new session with a chosen id, for known-answer test vectors only
    /// (behind the `vectors` feature): real sessions take a random id.
    #[cfg(feature = "vectors")]
    #[doc(hidden)]
    pub fn with_id(data: T, id: SessionId) -> Session<T> {
        Session {
            id,
            ..Session::new(data)
        }
    }

    pub(crate) fn restored(
        data: T,
        id: SessionId,
        subject: Option<String>,
        times: (i64, i64, Option<i64>),
        browser_session: bool,
    ) -> Session<T> {
        Session {
            data,
            id,
            subject,
            issued_at: Some(times.0),
            expires_at: Some(times.1),
            idle_deadline: times.2,
            lifetime: None,
            browser_session,
            changed: false,
        }
    }

    /// Ends the session at most `lifetime` after it was issued (never
    /// later than the sealer's TTL allows): a short session for a shared
    /// computer, a long one for "remember me" under a long TTL. For an
    /// opened session it can only shorten the deadline it has. Marks the
    /// session changed.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// let mut session = Session::new(1u8);
    /// session.set_lifetime(Duration::hours(12));
    /// let opened = sealer.open_at::<u8>(&sealer.seal_value_at(&session, now)?, now)?;
    /// assert_eq!(opened.session().expires_at(), Some(now + Duration::hours(12)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_lifetime(&mut self, lifetime: time::Duration) {
        let seconds = lifetime.whole_seconds().max(1);
        self.lifetime = Some(self.lifetime.map_or(seconds, |l| l.min(seconds)));
        if let (Some(issued), Some(expires)) = (self.issued_at, self.expires_at) {
            self.expires_at = Some(expires.min(issued + seconds));
        }
        self.changed = true;
    }

    /// Makes the cookie a browser-session cookie (no `Max-Age`: the browser
    /// drops it when it closes; the server-side deadline still holds) or,
    /// with `false`, a persistent one ("remember me", the default). Kept
    /// across re-seals. Marks the session changed.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let mut session = Session::new(1u8);
    /// session.set_browser_session(true);
    /// let line = sealer.seal(&session)?;
    /// assert!(!line.contains("Max-Age"));
    /// assert!(sealer.open::<u8>(line.split(';').next().unwrap().split_once('=').unwrap().1)?.session().is_browser_session());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_browser_session(&mut self, browser_session: bool) {
        self.browser_session = browser_session;
        self.changed = true;
    }

    /// Whether the cookie is sealed without `Max-Age`; see
    /// [`set_browser_session`](Self::set_browser_session).
    ///
    /// ```
    /// assert!(!sealed_session::Session::new(()).is_browser_session());
    /// ```
    pub fn is_browser_session(&self) -> bool {
        self.browser_session
    }

    /// The session data.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new("hi").data(), &"hi");
    /// ```
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The session data, for changing; marks the session as changed.
    ///
    /// ```
    /// let mut session = sealed_session::Session::new(1);
    /// *session.data_mut() += 1;
    /// assert_eq!(*session.data(), 2);
    /// ```
    pub fn data_mut(&mut self) -> &mut T {
        self.changed = true;
        &mut self.data
    }

    /// The data, consuming the session.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new(3).into_data(), 3);
    /// ```
    pub fn into_data(self) -> T {
        self.data
    }

    /// Whether the session is new or was changed since it was opened (through
    /// [`data_mut`](Session::data_mut), [`set_subject`](Session::set_subject)
    /// or a renewal of its id). An unchanged session only
    /// needs a new cookie when [`Opened::needs_reseal`] says so.
    ///
    /// ```
    /// assert!(sealed_session::Session::new(()).is_changed());
    /// ```
    pub fn is_changed(&self) -> bool {
        self.changed
    }

    /// Forgets a change that left the session as it was (the axum handle
    /// compares before and after a change).
    #[cfg(feature = "web")]
    pub(crate) fn set_unchanged(&mut self) {
        self.changed = false;
    }

    /// The session id. It changes only through
    /// [`Revocation::renew_id`](crate::revocation::Revocation::renew_id),
    /// which also puts the old id on the deny-list; there is no public way
    /// to change it without revoking the old one:
    ///
    /// ```compile_fail
    /// let mut session = sealed_session::Session::new(());
    /// session.renew_id(); // private: a new id must revoke the old one
    /// ```
    ///
    /// ```
    /// let session = sealed_session::Session::new(());
    /// assert_eq!(session.id(), session.clone().id());
    /// ```
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// Gives the session a fresh random id. Crate-private on purpose: a
    /// new id without the old one on the deny-list would let a copy of the
    /// old cookie live on while the docs promise it is dead, so the only
    /// public way to a new id is
    /// [`Revocation::renew_id`](crate::revocation::Revocation::renew_id)
    /// (and a fresh [`Session::new`]).
    pub(crate) fn renew_id(&mut self) {
        self.id = SessionId::random();
        self.changed = true;
    }

    /// Starts the session over under a fresh id, as for a new login (see
    /// [`restart_at`](Self::restart_at)).
    pub(crate) fn reissue_at(&mut self, not_before: i64, now: i64, ttl: i64) {
        self.renew_id();
        self.restart_at(not_before, now, ttl);
    }

    /// Clears the session's times so the next seal stamps them, unless a
    /// not-before lies ahead of `now` (it is set a leeway ahead, see
    /// `Revocation::logout_everywhere_at`): then the session is stamped as
    /// issued at it, so that it is not rejected by the revocation it
    /// follows, with its absolute deadline still `now + ttl`.
    pub(crate) fn restart_at(&mut self, not_before: i64, now: i64, ttl: i64) {
        // A restarted session keeps the length it had (a short browser
        // session must not become a full-TTL one by a renewal).
        if let (Some(issued), Some(expires)) = (self.issued_at, self.expires_at) {
            self.lifetime = Some(
                self.lifetime
                    .map_or(expires - issued, |l| l.min(expires - issued)),
            );
        }
        let ttl = self.lifetime.map_or(ttl, |l| l.min(ttl));
        self.idle_deadline = None;
        if not_before > now {
            self.issued_at = Some(not_before);
            self.expires_at = Some(now + ttl);
        } else {
            self.issued_at = None;
            self.expires_at = None;
        }
        self.changed = true;
    }

    /// The subject (typically a user id), used to revoke all sessions of a
    /// user at once.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new(()).subject(), None);
    /// ```
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// Sets the subject.
    ///
    /// ```
    /// let mut session = sealed_session::Session::new(());
    /// session.set_subject("user-1")?;
    /// assert_eq!(session.subject(), Some("user-1"));
    /// assert!(session.set_subject("x".repeat(256)).is_err());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Subject`] when the subject is longer than 255 bytes.
    pub fn set_subject(&mut self, subject: impl Into<String>) -> Result<()> {
        let subject = subject.into();
        if subject.len() > MAX_SUBJECT_LEN {
            return Err(ConfigError::Subject.into());
        }
        self.subject = Some(subject);
        self.changed = true;
        Ok(())
    }

    /// When the session was first sealed; `None` before that.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new(()).issued_at(), None);
    /// ```
    pub fn issued_at(&self) -> Option<OffsetDateTime> {
        self.issued_at.and_then(to_datetime)
    }

    /// The absolute deadline; `None` before the first seal.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new(()).expires_at(), None);
    /// ```
    pub fn expires_at(&self) -> Option<OffsetDateTime> {
        self.expires_at.and_then(to_datetime)
    }

    /// The idle deadline of the cookie it was opened from, if any.
    ///
    /// ```
    /// assert_eq!(sealed_session::Session::new(()).idle_deadline(), None);
    /// ```
    pub fn idle_deadline(&self) -> Option<OffsetDateTime> {
        self.idle_deadline.and_then(to_datetime)
    }
}

impl<T> fmt::Debug for Session<T> {
    // The data may hold anything a user put there (tokens, personal data),
    // so it is left out; ids and times are safe to log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("subject", &self.subject)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("idle_deadline", &self.idle_deadline)
            .field("changed", &self.changed)
            .finish_non_exhaustive()
    }
}

fn to_datetime(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix).ok()
}
