//! `SessionHandle`: the handler's view of the request's session, shared
//! with the layer that seals it.

use super::tracked::tracked;
use crate::revocation::AnyStore;
use crate::revocation::{Checked, Revocation};
use crate::{Session, SessionData, SessionId};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What a handle starts with besides its slot.
pub(crate) struct Extra {
    /// The request's one clock reading, for the revocations the handler
    /// asks for (the seal uses the same).
    pub(crate) now: crate::Result<i64>,
    /// Why the request's authentic cookie could not be read, if so.
    pub(crate) unreadable: Option<crate::Error>,
    /// The CSRF key, when configured.
    pub(crate) csrf: Option<Arc<crate::CsrfKey>>,
    /// The flash cookie's sealer and the messages the request brought.
    pub(crate) flash: Option<(Arc<crate::Sealer>, super::flash::Incoming)>,
}

/// The session slot of one request.
pub(crate) enum Slot<T> {
    /// No session (none sent, or the one sent did not open).
    Empty,
    /// Created during this request; sealed on the response.
    Fresh(Session<T>),
    /// Opened from the request's cookie and checked against revocation.
    Opened(Checked<T>),
}

/// What the layer reads back after the handler ran.
pub(crate) struct State<T> {
    pub(crate) slot: Slot<T>,
    /// The handle ended the session: delete the cookie.
    pub(crate) removed: bool,
    /// The handler looked at or changed the session: the response depends
    /// on the `Cookie` header.
    pub(crate) accessed: bool,
    /// The id of the session the request's cookie carried, to tell a
    /// re-seal from a newly issued id.
    pub(crate) original: Option<SessionId>,
    /// Why the request's authentic cookie could not be read, if so.
    pub(crate) unreadable: Option<crate::Error>,
    /// The request's clock reading (see [`Extra`]).
    pub(crate) now: crate::Result<i64>,
    /// The flash messages the request brought, and whether they were read.
    pub(crate) flash_in: super::flash::Incoming,
    pub(crate) flash_read: bool,
    /// The flash messages for the next request.
    pub(crate) flash_out: Vec<String>,
}

impl<T> State<T> {
    /// Whether the slot holds a session id this request issued (a login,
    /// a new session, a renewed id).
    pub(crate) fn issued_new_id(&self) -> bool {
        match &self.slot {
            Slot::Empty => false,
            Slot::Fresh(_) => true,
            Slot::Opened(checked) => Some(checked.session().id()) != self.original,
        }
    }
}

/// The request's session, as a handler sees it: read it, change it, create
/// it, log it out. Every change goes to state shared with the
/// session layer (tower, axum) or middleware (actix-web), which seals it onto the response
/// whatever the handler returns (clones of the handle share it too).
///
/// Extract it in a handler (it is also in the request extensions); `S` is
/// the revocation store type of the [`Sessions`](super::Sessions).
///
/// Changes made after the response has been produced (from a task the
/// handler spawned) are not sealed, nor are changes of a handler that
/// panicked while changing the session, nor (unless
/// [`Sessions::with_seal_on_server_error`](super::Sessions::with_seal_on_server_error))
/// those of a request answered with a 5xx status; see the
/// [module docs](super).
///
/// ```
/// use sealed_session::web::SessionHandle;
/// use sealed_session::revocation::MemoryStore;
/// use std::sync::Arc;
///
/// // Session errors are responses (503 when the store is down, ...):
/// // `?` never turns a failure into a 200.
/// async fn login(session: SessionHandle<String, Arc<MemoryStore>>) -> Result<&'static str, sealed_session::Error> {
///     // A new session id (the old one is revoked), bound to the user.
///     session.login("alice's cart".to_string(), Some("user-42")).await?;
///     Ok("welcome")
/// }
/// ```
pub struct SessionHandle<T, S = AnyStore> {
    state: Arc<Mutex<State<T>>>,
    pub(super) revocation: Arc<Revocation<S>>,
    /// The key of [`csrf_token`](Self::csrf_token), when configured.
    pub(super) csrf: Option<Arc<crate::CsrfKey>>,
    /// The flash cookie's sealer, when configured.
    pub(super) flash_sealer: Option<Arc<crate::Sealer>>,
}

impl<T, S> Clone for SessionHandle<T, S> {
    fn clone(&self) -> Self {
        SessionHandle {
            state: Arc::clone(&self.state),
            revocation: Arc::clone(&self.revocation),
            csrf: self.csrf.clone(),
            flash_sealer: self.flash_sealer.clone(),
        }
    }
}

impl<T, S> core::fmt::Debug for SessionHandle<T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the session data: it may hold secrets.
        let state = self.lock();
        let kind = match &state.slot {
            Slot::Empty => "empty",
            Slot::Fresh(_) => "fresh",
            Slot::Opened(_) => "opened",
        };
        f.debug_struct("SessionHandle")
            .field("slot", &kind)
            .field("removed", &state.removed)
            .finish_non_exhaustive()
    }
}

impl<T, S> SessionHandle<T, S> {
    /// The handle of a request whose cookie came to `slot`, with what the
    /// layer knows of it besides, all set before the state is shared.
    pub(crate) fn new(
        slot: Slot<T>,
        revocation: Arc<Revocation<S>>,
        extra: Extra,
    ) -> SessionHandle<T, S> {
        let original = match &slot {
            Slot::Opened(checked) => Some(checked.session().id()),
            Slot::Empty | Slot::Fresh(_) => None,
        };
        let (flash_in, flash_sealer) = match extra.flash {
            Some((sealer, incoming)) => (incoming, Some(sealer)),
            None => (super::flash::Incoming::default(), None),
        };
        SessionHandle {
            state: Arc::new(Mutex::new(State {
                slot,
                removed: false,
                accessed: false,
                original,
                unreadable: extra.unreadable,
                now: extra.now,
                flash_in,
                flash_read: false,
                flash_out: Vec::new(),
            })),
            revocation,
            csrf: extra.csrf,
            flash_sealer,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State<T>> {
        // Memory-safe to read after a panic elsewhere (clones in other
        // tasks keep working), but possibly half-changed: the layer never
        // seals it (`sealable`).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state for the layer to seal, or `None` when a handler panicked
    /// while holding the lock: an `update` closure may have stopped
    /// halfway, and that must not become the user's cookie.
    pub(crate) fn sealable(&self) -> Option<MutexGuard<'_, State<T>>> {
        self.state.lock().ok()
    }

    /// The state, for a handler's read or change: the response now depends
    /// on the session.
    pub(super) fn access(&self) -> MutexGuard<'_, State<T>> {
        let mut state = self.lock();
        state.accessed = true;
        state
    }

    /// Whether the request has a session (sent and valid, or created).
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// if !session.is_present() { session.insert(0); }
    /// # }
    /// ```
    pub fn is_present(&self) -> bool {
        !matches!(self.access().slot, Slot::Empty)
    }

    /// A copy of the session data, if there is a session.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// let n: Option<u8> = session.get();
    /// # }
    /// ```
    pub fn get(&self) -> Option<T>
    where
        T: Clone,
    {
        self.read(|s| s.map(|s| s.data().clone()))
    }

    /// Reads the session (id, subject, deadlines, data) without changing it.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// let user = session.read(|s| s.and_then(|s| s.subject().map(str::to_owned)));
    /// # }
    /// ```
    pub fn read<R>(&self, f: impl FnOnce(Option<&Session<T>>) -> R) -> R {
        let state = self.access();
        f(match &state.slot {
            Slot::Empty => None,
            Slot::Fresh(session) => Some(session),
            Slot::Opened(checked) => Some(checked.session()),
        })
    }

    /// Changes the session, if there is one; `None` otherwise. Mutating
    /// through [`Session::data_mut`] marks it changed, so it is sealed,
    /// unless the data, subject and deadlines end up as they were: a
    /// handler that writes the same value back sends no `Set-Cookie`.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// session.update(|s| *s.data_mut() += 1);
    /// # }
    /// ```
    pub fn update<R>(&self, f: impl FnOnce(&mut Session<T>) -> R) -> Option<R>
    where
        T: SessionData,
    {
        let mut state = self.access();
        match &mut state.slot {
            Slot::Empty => None,
            Slot::Fresh(session) => Some(f(session)),
            Slot::Opened(checked) => Some(tracked(checked.session_mut(), f)),
        }
    }

    /// Sets the session data: replaces the data of the current session
    /// (same id), or starts a new session. For a login, use
    /// [`login`](Self::login), which also renews the id.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// session.insert(7);
    /// # }
    /// ```
    pub fn insert(&self, data: T)
    where
        T: SessionData,
    {
        let mut state = self.access();
        match &mut state.slot {
            Slot::Empty => state.slot = Slot::Fresh(Session::new(data)),
            Slot::Fresh(session) => *session.data_mut() = data,
            Slot::Opened(checked) => tracked(checked.session_mut(), |s| *s.data_mut() = data),
        }
    }

    /// Whether the session was let through **without** a revocation check:
    /// the store did not answer and the [`Revocation`] was built with
    /// [`FailurePolicy::Open`](crate::revocation::FailurePolicy::Open) (under
    /// the default `Closed` policy such a request is answered 503 before the
    /// handler runs). A logged-out session may then be in use: log it, and
    /// refuse what must not run on a possibly revoked session.
    ///
    /// `false` for a session the store checked, for no session, and for a
    /// session created in this request: nothing unchecked was let through.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> Result<(), http::StatusCode> {
    /// if session.revocation_unchecked() {
    ///     return Err(http::StatusCode::SERVICE_UNAVAILABLE); // no payments now
    /// }
    /// # Ok(()) }
    /// ```
    pub fn revocation_unchecked(&self) -> bool {
        matches!(&self.access().slot, Slot::Opened(checked) if !checked.store_answered())
    }

    /// Why the request's cookie, authentic but unreadable by this server,
    /// gave no session: [`Error::SchemaMismatch`](crate::Error::SchemaMismatch)
    /// (the session type changed without a migration),
    /// [`Error::MigrationFailed`](crate::Error::MigrationFailed) or
    /// [`Error::Deserialize`](crate::Error::Deserialize). The layer keeps
    /// such a cookie (unless the handler starts a new session) and counts it
    /// ([`Sessions::unreadable_sessions`](super::Sessions::unreadable_sessions));
    /// a handler may show "please sign in again" instead of a silent logout.
    /// `None` otherwise.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) {
    /// if let Some(error) = session.unreadable() {
    ///     eprintln!("session of an older deploy not read: {error}");
    /// }
    /// # }
    /// ```
    pub fn unreadable(&self) -> Option<crate::Error> {
        self.access().unreadable.clone()
    }
}
