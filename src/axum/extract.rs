//! Getting the session in an axum handler: [`SessionHandle`] itself (any
//! request under the layer), `Option<SessionHandle>` (`None` without a
//! session), and [`RequiredSession`] (401 without one). A route without
//! the layer, or under a layer for another session or store type, is a
//! server bug answered 500 by [`MissingSessionLayer`], which names the
//! types.

use super::errors::text;
use crate::revocation::AnyStore;
use crate::web::{MissingSessionLayer, NoSession, SessionHandle};
use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;

fn handle<T: Send + 'static, S: Send + Sync + 'static>(
    parts: &Parts,
) -> Result<SessionHandle<T, S>, MissingSessionLayer> {
    crate::web::lookup(parts.extensions.get::<SessionHandle<T, S>>())
}

/// 500 with a generic body; the rejection, naming the types, in the
/// response extensions.
///
/// ```
/// use axum::{Router, routing::get};
/// use sealed_session::axum::{MissingSessionLayer, SessionHandle, Sessions};
/// use sealed_session::revocation::{MemoryStore, Revocation};
/// use sealed_session::{Key, KeyRing, Sealer};
/// use std::sync::Arc;
/// use tower::ServiceExt;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = Arc::new(MemoryStore::new(10)?);
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Sessions::new(Revocation::new(sealer, store)?);
/// // The handler wants the plain store, the layer is over `Arc<MemoryStore>`.
/// let app = Router::new()
///     .route("/", get(|_: SessionHandle<String, MemoryStore>| async { "unreachable" }))
///     .layer(sessions.layer::<String>());
/// let response = app.oneshot(http::Request::new(axum::body::Body::empty())).await.unwrap();
/// assert_eq!(response.status(), 500);
/// let missing = response.extensions().get::<MissingSessionLayer>().unwrap();
/// assert!(missing.to_string().contains("the route's layer is for SessionHandle<alloc::string::String, alloc::sync::Arc<"));
/// # Ok::<(), sealed_session::Error>(()) }).unwrap();
/// ```
impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        crate::web::missing_layer(&self);
        let mut response = text(500, MissingSessionLayer::BODY);
        response.extensions_mut().insert(self);
        response
    }
}

/// Any request under the layer: the handle can read, create, change and
/// end the session.
impl<T, S, St> FromRequestParts<St> for SessionHandle<T, S>
where
    T: Send + 'static,
    S: Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        handle(parts)
    }
}

/// `Option<SessionHandle<T, S>>`: `None` when the request has no session
/// (none sent, or the one sent did not open); a missing layer is still a
/// 500, never a `None`.
///
/// ```
/// use sealed_session::axum::SessionHandle;
/// # use std::sync::Arc; use sealed_session::revocation::MemoryStore;
/// async fn greet(session: Option<SessionHandle<String, Arc<MemoryStore>>>) -> String {
///     match session {
///         Some(session) => format!("hello {}", session.get().unwrap_or_default()),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
impl<T, S, St> OptionalFromRequestParts<St> for SessionHandle<T, S>
where
    T: Send + 'static,
    S: Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = MissingSessionLayer;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &St,
    ) -> Result<Option<Self>, Self::Rejection> {
        let handle = handle::<T, S>(parts)?;
        Ok(handle.is_present().then_some(handle))
    }
}

/// A handle that is known to hold a session: handlers that need a
/// logged-in user take this, and a request without a session is answered
/// **401** before the handler runs ([`NoSession`]).
///
/// ```
/// use sealed_session::axum::RequiredSession;
/// # use std::sync::Arc; use sealed_session::revocation::MemoryStore;
/// async fn account(RequiredSession(session): RequiredSession<String, Arc<MemoryStore>>) -> String {
///     session.get().expect("RequiredSession holds a session")
/// }
/// ```
#[derive(Debug)]
pub struct RequiredSession<T, S = AnyStore>(pub SessionHandle<T, S>);

/// 401 `log in first`, or the missing layer's 500.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use sealed_session::axum::NoSession;
/// assert_eq!(NoSession::Unauthenticated.into_response().status(), 401);
/// ```
impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::Unauthenticated => text(401, NoSession::BODY),
            NoSession::MissingLayer(missing) => missing.into_response(),
        }
    }
}

impl<T, S, St> FromRequestParts<St> for RequiredSession<T, S>
where
    T: Send + 'static,
    S: Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = NoSession;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        crate::web::required(handle::<T, S>(parts)).map(RequiredSession)
    }
}
