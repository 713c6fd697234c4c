//! CSRF extractors for actix-web (`Sessions::with_csrf`): [`CsrfForm`] for
//! HTML forms (a `csrf_token` field, or the `x-csrf-token` header) and
//! [`CsrfHeader`] for `fetch` and JSON APIs (the header only) refuse a
//! request whose token is missing or wrong with 403 before the handler
//! runs. The checks are [`crate::web`]'s, shared with axum.

use crate::web::{CSRF_HEADER, CsrfContext, CsrfRejection};
use actix_web::dev::Payload;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use core::future::{Future, Ready, ready};
use core::pin::Pin;
use serde::de::DeserializeOwned;

fn context(req: &HttpRequest) -> Result<CsrfContext, CsrfRejection> {
    req.extensions()
        .get::<CsrfContext>()
        .cloned()
        .ok_or(CsrfRejection::NotConfigured)
}

fn header_token(req: &HttpRequest) -> Option<&str> {
    req.headers().get(CSRF_HEADER)?.to_str().ok()
}

/// A request whose `x-csrf-token` header holds the session's token, for
/// `fetch` and JSON endpoints; otherwise 403.
///
/// ```
/// use sealed_session::actix::CsrfHeader;
/// async fn delete_item(_: CsrfHeader) -> &'static str { "deleted" }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CsrfHeader;

impl FromRequest for CsrfHeader {
    type Error = CsrfRejection;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context(req).and_then(|c| c.verify_header(header_token(req)).map(|()| CsrfHeader)))
    }
}

/// An `application/x-www-form-urlencoded` body read as `F`, accepted only
/// when its `csrf_token` field (or the `x-csrf-token` header) holds the
/// session's token; otherwise 403 before the handler runs. The body is
/// read under actix-web's `PayloadConfig` limit (256 KiB by default); a
/// larger or broken one is [`CsrfRejection::Body`].
///
/// ```
/// use sealed_session::actix::{CsrfForm, SessionHandle};
/// #[derive(serde::Deserialize)]
/// struct Comment { text: String }
///
/// // The page: `<input type="hidden" name="csrf_token" value="{token}">`.
/// async fn page(session: SessionHandle<u32>) -> String {
///     if !session.is_present() { session.insert(0); }
///     format!("token={}", session.csrf_token().unwrap_or_default())
/// }
/// async fn post(CsrfForm(comment): CsrfForm<Comment>) -> String {
///     comment.text
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CsrfForm<F>(pub F);

impl<F: DeserializeOwned + 'static> FromRequest for CsrfForm<F> {
    type Error = CsrfRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let context = context(req);
        let header = header_token(req).map(str::to_owned);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let context = context?;
            let bytes = body.await.map_err(|_| CsrfRejection::Body)?;
            context.verify_form(header.as_deref(), &bytes).map(CsrfForm)
        })
    }
}
