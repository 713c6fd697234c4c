//! `http::Response` as the core's [`ResponseParts`].

use crate::web::{HeaderText, ResponseParts, header_value};
use http::header::{CACHE_CONTROL, SET_COOKIE, VARY};
use http::{HeaderName, HeaderValue, Response};
use std::borrow::Cow;

/// The header the core names: the `http` crate's constant for the ones it
/// reads and writes on every response that touches the session (a
/// constant is not parsed again).
fn header_name(name: &'static str) -> HeaderName {
    match name {
        "set-cookie" => SET_COOKIE,
        "cache-control" => CACHE_CONTROL,
        "vary" => VARY,
        other => HeaderName::from_static(other),
    }
}

impl HeaderText for HeaderValue {
    fn from_static_text(text: &'static str) -> Self {
        HeaderValue::from_static(text)
    }
}

impl<B> ResponseParts for Response<B> {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }

    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers()
            .get_all(header_name(name))
            .iter()
            .map(HeaderValue::as_bytes)
    }

    fn replace_header(&mut self, name: &'static str, value: Cow<'static, str>) {
        if let Some(value) = header_value::<HeaderValue>(value) {
            self.headers_mut().insert(header_name(name), value);
        }
    }

    fn append_header(&mut self, name: &'static str, value: Cow<'static, str>) {
        if let Some(value) = header_value::<HeaderValue>(value) {
            self.headers_mut().append(header_name(name), value);
        }
    }

    fn insert_extension<E: Clone + Send + Sync + 'static>(&mut self, value: E) {
        self.extensions_mut().insert(value);
    }
}

/// The answer for a [`Failure`](crate::web::Failure): its status, its fixed
/// text body (the same as every adapter's), its reason in the extensions.
pub(super) fn failure<R: From<&'static str>>(failure: crate::web::Failure) -> Response<R> {
    let mut response = Response::new(R::from(failure.body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    *response.status_mut() = http::StatusCode::from_u16(failure.status)
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response.extensions_mut().insert(failure.error);
    response
}
