//! Session errors and rejections as actix-web responses
//! ([`ResponseError`]): the status of [`crate::web`], a fixed generic body,
//! the typed reason in the response extensions for an outer middleware to
//! log; and the core's [`ResponseParts`] over actix-web's response.

use crate::Error;
use crate::web::{CsrfRejection, Failure, Header, MissingSessionLayer, NoSession, ResponseParts};
use crate::web::{HeaderText, header_value};
use crate::web::{SessionError, csrf_refused, missing_layer};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderName, HeaderValue, SET_COOKIE, VARY};
use actix_web::{HttpResponse, ResponseError};
use std::borrow::Cow;

/// actix-web's constant for the header the core names.
fn header_name(name: Header) -> HeaderName {
    match name {
        Header::SetCookie => SET_COOKIE,
        Header::CacheControl => CACHE_CONTROL,
        Header::Vary => VARY,
    }
}

impl HeaderText for HeaderValue {
    const COOKIE: Self = HeaderValue::from_static("Cookie");
    const PRIVATE: Self = HeaderValue::from_static("private");
    const NO_STORE: Self = HeaderValue::from_static("no-store");

    fn from_static_text(text: &'static str) -> Self {
        HeaderValue::from_static(text)
    }
}

impl<B> ResponseParts for HttpResponse<B> {
    fn status(&self) -> u16 {
        HttpResponse::status(self).as_u16()
    }

    fn header_values<'a>(&'a self, name: Header) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers()
            .get_all(header_name(name))
            .map(HeaderValue::as_bytes)
    }

    fn replace_header(&mut self, name: Header, value: Cow<'static, str>) {
        if let Some(value) = header_value::<HeaderValue>(value) {
            self.headers_mut().insert(header_name(name), value);
        }
    }

    fn append_header(&mut self, name: Header, value: Cow<'static, str>) {
        if let Some(value) = header_value::<HeaderValue>(value) {
            self.headers_mut().append(header_name(name), value);
        }
    }

    fn insert_extension<E: Clone + Send + Sync + 'static>(&mut self, value: E) {
        self.extensions_mut().insert(value);
    }

    fn edit_extension<E: Send + Sync + 'static>(&mut self, edit: impl FnOnce(&mut E)) {
        if let Some(extension) = self.extensions_mut().get_mut::<E>() {
            edit(extension);
        }
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `code` with a fixed text body and `reason` in the extensions.
fn text<E: 'static>(code: u16, body: &'static str, reason: E) -> HttpResponse {
    let mut response = HttpResponse::build(status(code))
        .content_type("text/plain; charset=utf-8")
        .body(body);
    response.extensions_mut().insert(reason);
    response
}

/// The answer for a [`Failure`] (the middleware's own 503 and 500).
pub(super) fn failure(failure: Failure) -> HttpResponse {
    text(failure.status, failure.body, failure.error)
}

/// [`status_of`](crate::web::status_of) the error and a generic body, so a
/// handler can use `?` on every session call:
///
/// ```
/// use actix_web::{HttpResponse, ResponseError};
/// use sealed_session::actix::SessionHandle;
/// use sealed_session::{Error, UnavailableReason};
///
/// async fn login(session: SessionHandle<String>) -> Result<HttpResponse, Error> {
///     session.login("alice's cart".to_string(), Some("user-42")).await?;
///     Ok(HttpResponse::Ok().body("welcome"))
/// }
/// let down = Error::RevocationUnavailable { reason: UnavailableReason::Timeout };
/// assert_eq!(down.error_response().status(), 503);
/// ```
impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        status(crate::web::status_of(self).as_u16())
    }

    fn error_response(&self) -> HttpResponse {
        failure(Failure::new(self.clone()))
    }
}

/// As the [`Error`] it holds.
///
/// ```
/// use actix_web::ResponseError;
/// use sealed_session::{Error, actix::SessionError};
/// assert_eq!(SessionError(Error::Serialize).error_response().status(), 500);
/// ```
impl ResponseError for SessionError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.error_response()
    }
}

/// 500 with a generic body; the rejection, naming the types, in the
/// response extensions.
///
/// ```
/// use actix_web::ResponseError;
/// use sealed_session::actix::MissingSessionLayer;
/// let missing = MissingSessionLayer { wanted: ("u8", "Stateless"), found: None };
/// assert_eq!(missing.error_response().status(), 500);
/// ```
impl ResponseError for MissingSessionLayer {
    fn status_code(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }

    fn error_response(&self) -> HttpResponse {
        missing_layer(self);
        text(500, MissingSessionLayer::BODY, *self)
    }
}

/// 401 `log in first`, or the missing middleware's 500.
///
/// ```
/// use actix_web::ResponseError;
/// use sealed_session::actix::NoSession;
/// assert_eq!(NoSession::Unauthenticated.error_response().status(), 401);
/// ```
impl ResponseError for NoSession {
    fn status_code(&self) -> StatusCode {
        match self {
            NoSession::Unauthenticated => StatusCode::UNAUTHORIZED,
            NoSession::MissingLayer(missing) => missing.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            NoSession::Unauthenticated => text(401, NoSession::BODY, *self),
            NoSession::MissingLayer(missing) => missing.error_response(),
        }
    }
}

/// Its [status](CsrfRejection::status) and fixed body.
///
/// ```
/// use actix_web::ResponseError;
/// use sealed_session::actix::CsrfRejection;
/// assert_eq!(CsrfRejection::Invalid.error_response().status(), 403);
/// ```
impl ResponseError for CsrfRejection {
    fn status_code(&self) -> StatusCode {
        status(self.status())
    }

    fn error_response(&self) -> HttpResponse {
        csrf_refused(*self);
        text(self.status(), self.body(), *self)
    }
}
