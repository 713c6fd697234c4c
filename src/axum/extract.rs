//! Getting the session in a handler: [`SessionHandle`] itself (any request
//! under the layer), `Option<SessionHandle>` (`None` without a session),
//! and [`RequiredSession`] (401 without one). A route without the layer,
//! or under a layer for another session or store type, is a server bug
//! answered 500 by [`MissingSessionLayer`], which names the types.

use super::handle::SessionHandle;
use crate::revocation::AnyStore;
use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use core::fmt;
use http::StatusCode;
use http::request::Parts;

/// Which layer a request went through, for [`MissingSessionLayer`].
#[derive(Clone, Copy)]
pub(super) struct LayerTypes {
    pub(super) session: &'static str,
    pub(super) store: &'static str,
}

/// The rejection when a handler asks for a [`SessionHandle<T, S>`] on a
/// route without the [`SessionLayer`](super::SessionLayer), or under a layer
/// for another session type or store type (`SessionHandle<String,
/// MemoryStore>` under a layer over `Arc<MemoryStore>`, say): a server
/// bug, answered 500 with a generic body; the rejection, which names the
/// types, is in the response extensions (and, with `tracing`, an `error`
/// event).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingSessionLayer {
    /// The handler's `SessionHandle<T, S>`, as `type_name` spells it.
    pub wanted: (&'static str, &'static str),
    /// The session and store types of the layer the request went
    /// through, if any.
    pub found: Option<(&'static str, &'static str)>,
}

impl fmt::Display for MissingSessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (session, store) = self.wanted;
        write!(f, "no session layer for SessionHandle<{session}, {store}>")?;
        match self.found {
            Some((session, store)) => {
                write!(f, ": the route's layer is for SessionHandle<{session}, {store}>")
            }
            None => f.write_str(": the route has no SessionLayer (add .layer(sessions.layer::<T>()) after the routes)"),
        }
    }
}

impl std::error::Error for MissingSessionLayer {}

impl IntoResponse for MissingSessionLayer {
    fn into_response(self) -> Response {
        #[cfg(feature = "tracing")]
        tracing::error!(target: "sealed_session", "{self}");
        let mut response =
            (StatusCode::INTERNAL_SERVER_ERROR, "session layer missing").into_response();
        response.extensions_mut().insert(self);
        response
    }
}

fn handle<T: Send + 'static, S: Send + Sync + 'static>(
    parts: &Parts,
) -> Result<SessionHandle<T, S>, MissingSessionLayer> {
    parts
        .extensions
        .get::<SessionHandle<T, S>>()
        .cloned()
        .ok_or_else(|| MissingSessionLayer {
            wanted: (core::any::type_name::<T>(), core::any::type_name::<S>()),
            found: parts
                .extensions
                .get::<LayerTypes>()
                .map(|t| (t.session, t.store)),
        })
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

/// Why a [`RequiredSession`] was refused: the request has no session
/// (401), or the route has no layer ([`MissingSessionLayer`], 500).
///
/// ```
/// use axum_core::response::IntoResponse;
/// use sealed_session::axum::NoSession;
/// assert_eq!(NoSession::Unauthenticated.into_response().status(), 401);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// No session was sent, or the one sent did not open.
    Unauthenticated,
    /// The route has no layer for this handle type.
    MissingLayer(MissingSessionLayer),
}

impl IntoResponse for NoSession {
    fn into_response(self) -> Response {
        match self {
            NoSession::Unauthenticated => {
                (StatusCode::UNAUTHORIZED, "log in first").into_response()
            }
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
        let handle = handle::<T, S>(parts).map_err(NoSession::MissingLayer)?;
        if handle.is_present() {
            Ok(RequiredSession(handle))
        } else {
            Err(NoSession::Unauthenticated)
        }
    }
}
