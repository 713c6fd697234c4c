//! CSRF extractors for axum (`Sessions::with_csrf`): [`CsrfForm`] for HTML
//! forms (a `csrf_token` field, or the `x-csrf-token` header) and
//! [`CsrfHeader`] for `fetch` and JSON APIs (the header only) refuse a
//! request whose token is missing or wrong with 403 before the handler
//! runs. The checks are [`crate::web`]'s, shared with actix-web.

use super::errors::text;
use crate::web::{CSRF_HEADER, CsrfContext, CsrfRejection};
use axum_core::extract::{FromRequest, FromRequestParts, Request};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use serde::de::DeserializeOwned;

/// Its [status](CsrfRejection::status) and fixed body, the rejection in the
/// response extensions.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use sealed_session::axum::CsrfRejection;
/// assert_eq!(CsrfRejection::Invalid.into_response().status(), 403);
/// assert_eq!(CsrfRejection::NotConfigured.into_response().status(), 500);
/// ```
impl IntoResponse for CsrfRejection {
    fn into_response(self) -> Response {
        crate::web::csrf_refused(self);
        let mut response = text(self.status(), self.body());
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
        context(parts)?.verify_header(header_token(parts))?;
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

impl<F: DeserializeOwned, St: Send + Sync> FromRequest<St> for CsrfForm<F> {
    type Rejection = CsrfRejection;

    async fn from_request(req: Request, state: &St) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let context = context(&parts)?.clone();
        let header = header_token(&parts).map(str::to_owned);
        let bytes = bytes::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| CsrfRejection::Body)?;
        context.verify_form(header.as_deref(), &bytes).map(CsrfForm)
    }
}
