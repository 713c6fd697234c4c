//! CSRF protection in the layer (`Sessions::with_csrf`): the handle makes
//! the token for the session ([`SessionHandle::csrf_token`]), and two
//! extractors refuse a request whose token is missing or wrong with 403
//! before the handler runs: [`CsrfForm`] for HTML forms (a `csrf_token`
//! field, or the `x-csrf-token` header), [`CsrfHeader`] for `fetch` and
//! JSON APIs (the header only). A request without a session has no valid
//! token: start one (even an anonymous one) before rendering a form, so
//! that login forms are protected too.

use super::handle::SessionHandle;
use crate::{CsrfKey, SessionId};
use axum_core::extract::{FromRequest, FromRequestParts, Request};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The header a `fetch` sends the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field an HTML form sends the token in.
pub const CSRF_FIELD: &str = "csrf_token";

/// What the layer leaves in the request for the extractors: the key and
/// the id of the session the request's cookie carried.
#[derive(Clone)]
pub(super) struct CsrfContext {
    pub(super) key: Arc<CsrfKey>,
    pub(super) session: Option<SessionId>,
}

impl CsrfContext {
    fn verify(&self, token: &str) -> Result<(), CsrfRejection> {
        match &self.session {
            Some(id) if self.key.verify(id, token) => Ok(()),
            _ => Err(CsrfRejection::Invalid),
        }
    }
}

/// Why a CSRF extractor refused the request.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use sealed_session::axum::CsrfRejection;
/// assert_eq!(CsrfRejection::Invalid.into_response().status(), 403);
/// assert_eq!(CsrfRejection::NotConfigured.into_response().status(), 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// No token, a wrong one, one of another session, or no session: 403.
    Invalid,
    /// The body is not a form `F` reads: 400.
    BadForm,
    /// The body could not be read (too large, or broken): 400.
    Body,
    /// The route's layer has no CSRF key (`Sessions::with_csrf`): a server
    /// bug, 500.
    NotConfigured,
}

impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            CsrfRejection::Invalid => (StatusCode::FORBIDDEN, "invalid or missing CSRF token"),
            CsrfRejection::BadForm => (StatusCode::BAD_REQUEST, "unreadable form"),
            CsrfRejection::Body => (StatusCode::BAD_REQUEST, "unreadable request body"),
            CsrfRejection::NotConfigured => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "CSRF protection not configured",
            ),
        };
        #[cfg(feature = "tracing")]
        tracing::debug!(target: "sealed_session", rejection = ?self, "CSRF check refused the request");
        let mut response = (status, body).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

fn context(parts: &Parts) -> Result<&CsrfContext, CsrfRejection> {
    parts
        .extensions
        .get::<CsrfContext>()
        .ok_or(CsrfRejection::NotConfigured)
}

fn header_token(parts: &Parts) -> Option<&str> {
    parts.headers.get(CSRF_HEADER)?.to_str().ok()
}

/// A request whose `x-csrf-token` header holds the session's token, for
/// `fetch` and JSON endpoints; otherwise 403.
///
/// ```
/// use sealed_session::axum::CsrfHeader;
/// async fn delete_item(_: CsrfHeader) -> &'static str { "deleted" }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CsrfHeader;

impl<St: Send + Sync> FromRequestParts<St> for CsrfHeader {
    type Rejection = CsrfRejection;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        let token = header_token(parts).ok_or(CsrfRejection::Invalid)?;
        context(parts)?.verify(token)?;
        Ok(CsrfHeader)
    }
}

/// An `application/x-www-form-urlencoded` body read as `F`, accepted only
/// when its `csrf_token` field (or the `x-csrf-token` header) holds the
/// session's token; otherwise 403 before the handler runs. `F` need not
/// name the field (serde ignores it).
///
/// ```
/// use sealed_session::axum::{CsrfForm, SessionHandle};
/// # use std::sync::Arc; use sealed_session::revocation::MemoryStore;
/// #[derive(serde::Deserialize)]
/// struct Comment { text: String }
///
/// // The page: `<input type="hidden" name="csrf_token" value="{token}">`.
/// async fn page(session: SessionHandle<u32, Arc<MemoryStore>>) -> String {
///     if !session.is_present() { session.insert(0); }
///     format!("token={}", session.csrf_token().unwrap_or_default())
/// }
/// async fn post(CsrfForm(comment): CsrfForm<Comment>) -> String {
///     comment.text
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CsrfForm<F>(pub F);

#[derive(serde::Deserialize)]
struct TokenField {
    #[serde(rename = "csrf_token")]
    token: Option<String>,
}

impl<F: DeserializeOwned, St: Send + Sync> FromRequest<St> for CsrfForm<F> {
    type Rejection = CsrfRejection;

    async fn from_request(req: Request, state: &St) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let context = context(&parts)?.clone();
        let header = header_token(&parts).map(str::to_owned);
        let bytes = bytes::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| CsrfRejection::Body)?;
        let token = match header {
            Some(token) => Some(token),
            None => {
                serde_urlencoded::from_bytes::<TokenField>(&bytes)
                    .map_err(|_| CsrfRejection::BadForm)?
                    .token
            }
        };
        context.verify(token.as_deref().ok_or(CsrfRejection::Invalid)?)?;
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| CsrfRejection::BadForm)
    }
}

impl<T, S> SessionHandle<T, S> {
    /// The CSRF token of the current session, for forms (a hidden
    /// `csrf_token` field) and `fetch` (the `x-csrf-token` header);
    /// `None` without a session or without `Sessions::with_csrf`. It
    /// changes with the session id: render it again after a login.
    ///
    /// ```
    /// # async fn h(session: sealed_session::axum::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> String {
    /// let token = session.csrf_token().unwrap_or_default();
    /// format!(r#"<input type="hidden" name="csrf_token" value="{token}">"#)
    /// # }
    /// ```
    pub fn csrf_token(&self) -> Option<String> {
        let key = self.csrf.as_ref()?;
        let id = self.read(|s| s.map(|s| s.id()))?;
        Some(key.token(&id))
    }
}

pub(super) fn context_for(key: &Arc<CsrfKey>, session: Option<SessionId>) -> CsrfContext {
    CsrfContext {
        key: Arc::clone(key),
        session,
    }
}
