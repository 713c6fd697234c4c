//! `http::Response` as the core's [`ResponseParts`].

use crate::web::{Edit, Header, HeaderText, ResponseParts, header_value};
use http::header::{CACHE_CONTROL, Entry, SET_COOKIE, VARY};
use http::{HeaderName, HeaderValue, Response};
use std::borrow::Cow;

/// The `http` crate's constant for the header the core names.
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

impl<B> ResponseParts for Response<B> {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }

    fn header_values<'a>(&'a self, name: Header) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers()
            .get_all(header_name(name))
            .iter()
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

    fn edit_header<E>(&mut self, name: Header, edit: E)
    where
        E: for<'v> FnOnce(&mut dyn Iterator<Item = &'v [u8]>) -> Edit,
    {
        let mut entry = match self.headers_mut().entry(header_name(name)) {
            Entry::Vacant(entry) => {
                // Adding to no header and replacing none are the same insert.
                let (Edit::Append(value) | Edit::Replace(value)) = edit(&mut core::iter::empty())
                else {
                    return;
                };
                if let Some(value) = header_value::<HeaderValue>(value) {
                    entry.insert(value);
                }
                return;
            }
            Entry::Occupied(entry) => entry,
        };
        let (append, value) = match edit(&mut entry.iter().map(HeaderValue::as_bytes)) {
            Edit::Keep => return,
            Edit::Append(value) => (true, value),
            Edit::Replace(value) => (false, value),
        };
        if let Some(value) = header_value::<HeaderValue>(value) {
            if append {
                entry.append(value);
            } else {
                entry.insert(value);
            }
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
