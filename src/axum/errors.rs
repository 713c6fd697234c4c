//! Session errors as responses: a handler returns `Result<_, Error>` and a
//! failure answers with its status (503 when the store is down, 500 when
//! a session cannot be saved, ...), never with a 200 and never with
//! internals in the body. The typed reason goes to the response
//! extensions as [`SessionError`] for an outer layer to log.

use super::respond::SessionError;
use crate::Error;
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;

/// The status a session error answers with:
///
/// | error | status |
/// |---|---|
/// | [`Error::RevocationUnavailable`], [`Error::RevocationFull`] | 503 Service Unavailable |
/// | [`Error::Revoked`] (a login raced by a logout) | 401 Unauthorized |
/// | other [client faults](Error::is_client_fault) | 400 Bad Request |
/// | [`Error::TooLarge`] and everything else (serialization, schema, configuration) | 500 Internal Server Error |
///
/// ```
/// use http::StatusCode;
/// use sealed_session::{Error, UnavailableReason, axum::status_of};
/// let down = Error::RevocationUnavailable { reason: UnavailableReason::Timeout };
/// assert_eq!(status_of(&down), StatusCode::SERVICE_UNAVAILABLE);
/// assert_eq!(status_of(&Error::Serialize), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
pub fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::RevocationUnavailable { .. } | Error::RevocationFull { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        Error::Revoked { .. } => StatusCode::UNAUTHORIZED,
        // From a handler, too large means the session it built does not
        // fit a cookie: the server's doing (the layer refuses oversized
        // request cookies itself).
        Error::TooLarge { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        error if error.is_client_fault() => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `status` with a fixed, generic body and `error` in the extensions.
pub(super) fn failure(status: StatusCode, error: Error) -> Response {
    let body = match status {
        StatusCode::SERVICE_UNAVAILABLE => "session store unavailable",
        StatusCode::UNAUTHORIZED => "session ended",
        StatusCode::BAD_REQUEST => "bad session",
        _ => "session could not be saved",
    };
    let mut response = (status, body).into_response();
    response.extensions_mut().insert(SessionError(error));
    response
}

/// Answers with [`status_of`] the error, a generic body (the reason is in
/// the response extensions as [`SessionError`], never in the body), so a
/// handler can use `?` on every session call:
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
        failure(status_of(&self), self)
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
