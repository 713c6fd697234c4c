//! Session errors as axum responses: a handler returns `Result<_, Error>`
//! and a failure answers with its status (503 when the store is down, 500
//! when a session cannot be saved, ...), never with a 200 and never with
//! internals in the body. The typed reason goes to the response
//! extensions as [`SessionError`] for an outer layer to log.

use crate::Error;
use crate::web::{Failure, SessionError};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;

/// `status` with a fixed text body.
pub(super) fn text(status: u16, body: &'static str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, body).into_response()
}

/// Answers with [`status_of`](crate::web::status_of) the error, a generic
/// body (the reason is in the response extensions as [`SessionError`],
/// never in the body), so a handler can use `?` on every session call:
///
/// ```
/// use sealed_session::axum::SessionHandle;
/// use sealed_session::revocation::MemoryStore;
/// use std::sync::Arc;
///
/// async fn login(session: SessionHandle<String, Arc<MemoryStore>>) -> Result<&'static str, sealed_session::Error> {
///     session.login("alice's cart".to_string(), Some("user-42")).await?;
///     Ok("welcome")
/// }
/// ```
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let failure = Failure::new(self);
        let mut response = text(failure.status, failure.body);
        response.extensions_mut().insert(failure.error);
        response
    }
}

/// As the [`Error`] it holds.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use sealed_session::{Error, axum::SessionError};
/// let response = SessionError(Error::Serialize).into_response();
/// assert_eq!(response.status(), 500);
/// ```
impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}
