//! Getting the session in an actix-web handler: [`SessionHandle`] itself
//! (any request under the middleware), [`OptionalSession`] (`None` without
//! a session) and [`RequiredSession`] (401 without one). A route without
//! the middleware, or under one for another session or store type, is a
//! server bug answered 500 by [`MissingSessionLayer`], which names the
//! types.

use crate::revocation::AnyStore;
use crate::web::{MissingSessionLayer, NoSession, SessionHandle};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use core::future::{Ready, ready};

fn handle<T: 'static, S: 'static>(
    req: &HttpRequest,
) -> Result<SessionHandle<T, S>, MissingSessionLayer> {
    let extensions = req.extensions();
    crate::web::lookup(extensions.get::<SessionHandle<T, S>>())
}

/// Any request under the middleware: the handle can read, create, change
/// and end the session.
///
/// ```
/// use sealed_session::actix::SessionHandle;
/// async fn me(session: SessionHandle<String>) -> String {
///     session.get().unwrap_or_else(|| "nobody".into())
/// }
/// ```
impl<T: 'static, S: 'static> FromRequest for SessionHandle<T, S> {
    type Error = MissingSessionLayer;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(handle(req))
    }
}

/// The handle when the request has a session (sent and valid), `None`
/// otherwise; a missing middleware is still a 500, never a `None` (which
/// actix-web's own `Option<SessionHandle>` would make of it).
///
/// ```
/// use sealed_session::actix::OptionalSession;
/// async fn greet(OptionalSession(session): OptionalSession<String>) -> String {
///     match session {
///         Some(session) => format!("hello {}", session.get().unwrap_or_default()),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
#[derive(Debug)]
pub struct OptionalSession<T, S = AnyStore>(pub Option<SessionHandle<T, S>>);

impl<T: 'static, S: 'static> FromRequest for OptionalSession<T, S> {
    type Error = MissingSessionLayer;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(handle(req).map(|handle| OptionalSession(handle.is_present().then_some(handle))))
    }
}

/// A handle that is known to hold a session: handlers that need a
/// logged-in user take this, and a request without a session is answered
/// **401** before the handler runs ([`NoSession`]).
///
/// ```
/// use sealed_session::actix::RequiredSession;
/// async fn account(RequiredSession(session): RequiredSession<String>) -> String {
///     session.get().expect("RequiredSession holds a session")
/// }
/// ```
#[derive(Debug)]
pub struct RequiredSession<T, S = AnyStore>(pub SessionHandle<T, S>);

impl<T: 'static, S: 'static> FromRequest for RequiredSession<T, S> {
    type Error = NoSession;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(crate::web::required(handle(req)).map(RequiredSession))
    }
}
