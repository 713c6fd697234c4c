//! One request's session from the layer's side, whatever the framework:
//! [`Sessions::read`] finds and opens the cookies, [`Incoming::check_now`]
//! asks the revocation store (or hands back a [`Waiting`] to await it),
//! and after the handler [`Exchange::finish`] seals its changes onto the
//! response (or says why it cannot).

use super::csrf::CsrfContext;
use super::events;
use super::flash;
use super::handle::{Extra, SessionHandle, Slot};
use super::missing::name_the_layer;
use super::parts::{Failure, ResponseParts};
use super::respond::{Carried, Finish};
use super::sessions::Sessions;
use crate::http::{Found, RequestCookies};
use crate::revocation::{Checked, Revocation, RevocationStore};
use crate::{Chunking, CsrfKey, Opened, Result, Sealer, SessionData};
use std::sync::Arc;

/// A request's cookies, opened but not yet checked against revocation:
/// owns everything, so the request can move on while the check awaits.
pub(crate) struct Incoming<T, S> {
    found: Found<T>,
    rest: Opening<S>,
}

/// What an [`Incoming`] carries besides the opened cookie.
struct Opening<S> {
    revocation: Arc<Revocation<S>>,
    /// The sessions' settings the exchange needs (not the sessions
    /// themselves: a clone of those is a handful of reference counts).
    csrf: Option<Arc<CsrfKey>>,
    chunking: Option<Chunking>,
    seal_on_server_error: bool,
    carried: Carried,
    flash: Option<(Arc<Sealer>, flash::Incoming)>,
    /// The request's one clock reading: open, check and seal agree on it.
    now: Result<i64>,
}

/// What the request's cookie came to, before the handle is made.
enum Verdict<T> {
    /// A session opened, and the store's verdict on it.
    Checked(Result<Checked<T>>),
    /// Nothing opened, and why (none sent, not authentic, unreadable here,
    /// a conflict).
    Unopened(Found<T>),
}

/// What [`Incoming::check_now`] could decide without waiting.
pub(crate) enum Checking<T, S> {
    /// Decided: the exchange, or the answer to give without the handler.
    Done(core::result::Result<Exchange<T, S>, Failure>),
    /// The store must be awaited: [`Waiting::check`].
    Wait(Waiting<T, S>),
}

/// An opened session whose store must be awaited before the handle is made.
pub(crate) struct Waiting<T, S> {
    opened: Opened<T>,
    now: i64,
    rest: Opening<S>,
}

/// A request under way: the handle the handler gets, and what the response
/// needs to seal it.
pub(crate) struct Exchange<T, S> {
    handle: SessionHandle<T, S>,
    revocation: Arc<Revocation<S>>,
    flash: Option<Arc<Sealer>>,
    chunking: Option<Chunking>,
    carried: Carried,
    seal_on_server_error: bool,
    csrf: Option<CsrfContext>,
    now: Result<i64>,
}

impl<S: RevocationStore + 'static> Sessions<S> {
    /// Finds and opens this crate's cookies in the `Cookie` header values
    /// `cookies` gives (each header's bytes, in order; called once per
    /// cookie name): the session's, with the duplicate rules of
    /// [`crate::http`], and the flash cookie's.
    #[inline]
    pub(crate) fn read<'h, T: SessionData, I>(&self, cookies: impl Fn() -> I) -> Incoming<T, S>
    where
        I: IntoIterator<Item = &'h [u8]>,
    {
        let revocation = self.current();
        let now = crate::sealer::clock::unix_now();
        let (carried, found) =
            open_cookies(cookies(), revocation.sealer(), self.chunking(), now.clone());
        let flash = self.flash_sealer().map(|sealer| {
            let incoming = flash::read(cookies(), &sealer, now.clone());
            (sealer, incoming)
        });
        if let Found::Unreadable(error) = &found {
            // Authentic but not readable here: counted and told now, the
            // request runs without a session (`settle`).
            self.report_unreadable(error);
        }
        Incoming {
            found,
            rest: Opening {
                csrf: self.csrf().cloned(),
                chunking: self.chunking(),
                seal_on_server_error: self.seal_on_server_error(),
                revocation,
                carried,
                flash,
                now,
            },
        }
    }
}

impl<T: SessionData, S: RevocationStore + 'static> Incoming<T, S> {
    /// Checks the opened session against revocation and makes the handle,
    /// as far as that goes without waiting: all of it when the store
    /// answers at once (an in-memory store) or there is nothing to ask, so
    /// the handler can run without a boxed future; otherwise a
    /// [`Waiting`] to await.
    pub(crate) fn check_now(self) -> Checking<T, S> {
        let Incoming { found, rest } = self;
        let Found::Session(opened) = found else {
            return Checking::Done(rest.settle(Verdict::Unopened(found)));
        };
        let now = match rest.now.clone() {
            Ok(now) => now,
            Err(error) => return Checking::Done(rest.settle(Verdict::Checked(Err(error)))),
        };
        match rest.revocation.check_unix_now(opened, now) {
            Ok(checked) => Checking::Done(rest.settle(Verdict::Checked(checked))),
            Err(opened) => Checking::Wait(Waiting { opened, now, rest }),
        }
    }
}

impl<T: SessionData, S: RevocationStore + 'static> Waiting<T, S> {
    /// Awaits the store's verdict and makes the handle: `Err` is the
    /// answer to give without running the handler (503 when the store
    /// cannot decide under fail-closed, or a server-side error).
    pub(crate) async fn check(self) -> core::result::Result<Exchange<T, S>, Failure> {
        let Waiting { opened, now, rest } = self;
        let checked = rest.revocation.check_unix(opened, now).await;
        rest.settle(Verdict::Checked(checked))
    }
}

impl<S: RevocationStore + 'static> Opening<S> {
    /// Makes the exchange from what the cookie came to.
    fn settle<T: SessionData>(
        self,
        verdict: Verdict<T>,
    ) -> core::result::Result<Exchange<T, S>, Failure> {
        let Opening {
            revocation,
            csrf: csrf_key,
            chunking,
            seal_on_server_error,
            mut carried,
            flash,
            now,
        } = self;
        let mut unreadable = None;
        let slot = match verdict {
            Verdict::Checked(Ok(checked)) => Slot::Opened(checked),
            Verdict::Checked(Err(error)) if error.is_client_fault() => {
                events::rejected(&error);
                carried.clear = true;
                Slot::Empty
            }
            Verdict::Checked(Err(error)) => {
                events::store_failed(&error);
                return Err(Failure::new(error));
            }
            // Authentic but not readable here: no session, the cookie
            // kept for a node (or deploy) that reads it (the operator was
            // told in `read`).
            Verdict::Unopened(Found::Unreadable(error)) => {
                unreadable = Some(error);
                Slot::Empty
            }
            Verdict::Unopened(Found::Invalid(error)) => {
                events::rejected(&error);
                Slot::Empty
            }
            Verdict::Unopened(Found::Conflict(conflict)) => {
                events::conflict(conflict);
                Slot::Empty
            }
            // An opened session is always checked first.
            Verdict::Unopened(Found::None | Found::Session(_)) => Slot::Empty,
        };
        let csrf = csrf_key.as_ref().map(|key| {
            let id = match &slot {
                Slot::Opened(checked) => Some(checked.session().id()),
                Slot::Empty | Slot::Fresh(_) => None,
            };
            CsrfContext::new(key, id)
        });
        let flash_sealer = flash.as_ref().map(|(sealer, _)| Arc::clone(sealer));
        let extra = Extra {
            now: now.clone(),
            unreadable,
            csrf: csrf_key,
            flash,
        };
        let handle = SessionHandle::new(slot, Arc::clone(&revocation), extra);
        Ok(Exchange {
            handle,
            revocation,
            flash: flash_sealer,
            chunking,
            carried,
            seal_on_server_error,
            csrf,
            now,
        })
    }
}

impl<T: SessionData, S: RevocationStore> Exchange<T, S> {
    /// What the adapter puts in the request's extensions: the handle (for
    /// the extractors; it shares its state with this exchange) and the CSRF
    /// context when configured.
    pub(crate) fn extensions(&self) -> (SessionHandle<T, S>, Option<CsrfContext>) {
        (self.handle.clone(), self.csrf.clone())
    }

    /// Seals the handler's changes onto `response` (see the module docs of
    /// [`crate::web`]); `Err` is the answer to give instead (500: the
    /// session cannot be sealed; the previous cookie is left as it was).
    pub(crate) fn finish(
        &self,
        response: &mut impl ResponseParts,
    ) -> core::result::Result<(), Failure> {
        name_the_layer::<T, S>(response);
        Finish {
            flash: self.flash.as_deref(),
            sealer: self.revocation.sealer(),
            chunking: self.chunking,
            carried: &self.carried,
            seal_on_server_error: self.seal_on_server_error,
            now: self.now.clone(),
        }
        .apply(response, &self.handle)
    }
}

/// Reads and opens the request's cookies, applying the duplicate rules of
/// [`crate::http`].
fn open_cookies<'h, T: SessionData>(
    cookies: impl IntoIterator<Item = &'h [u8]>,
    sealer: &Sealer,
    chunking: Option<Chunking>,
    now: Result<i64>,
) -> (Carried, Found<T>) {
    let mut cookies = cookies.into_iter().peekable();
    // A request without a `Cookie` header (a first visit, most API calls)
    // carried nothing: no scan.
    if cookies.peek().is_none() {
        return (Carried::default(), Found::None);
    }
    let cookies = RequestCookies::for_sealer(cookies, sealer);
    let found = cookies.open_unix(sealer, chunking, now);
    let carried = match &found {
        Found::Conflict(conflict) => Carried {
            conflict: Some(*conflict),
            ..Carried::default()
        },
        Found::None | Found::Session(_) | Found::Invalid(_) | Found::Unreadable(_) => Carried {
            single: cookies.plain_values().next().is_some(),
            chunks: cookies.chunk_set(),
            conflict: None,
            clear: matches!(found, Found::Invalid(_)),
        },
    };
    (carried, found)
}
