//! The two things the core needs of a framework: the bytes of a request's
//! `Cookie` headers (an iterator, so the core never sees a framework's
//! types) and a response to read the status of and add headers and
//! extensions to ([`ResponseParts`]); and what it gives back when it
//! answers itself ([`Failure`]).

use crate::Error;
use std::borrow::Cow;

/// The response headers the core writes. An enum, not a name, so that an
/// adapter hands its framework the header's constant without comparing
/// strings on every response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    SetCookie,
    CacheControl,
    Vary,
}

/// What [`ResponseParts::edit_header`] does with a header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    /// Leave it as it is.
    Keep,
    /// Add this line.
    Append(Cow<'static, str>),
    /// Replace every line with this one.
    Replace(Cow<'static, str>),
}

/// What the core reads and writes of a response, in a framework's own
/// types (`http::Response` for tower and axum, actix-web's `HttpResponse`).
/// Values are visible ASCII.
pub(crate) trait ResponseParts {
    /// The status code.
    fn status(&self) -> u16;
    /// The values of header `name`, in order.
    fn header_values<'a>(&'a self, name: Header) -> impl Iterator<Item = &'a [u8]> + 'a;
    /// Sets header `name` to `value`, replacing every earlier value.
    /// Values come owned (a sealed cookie line, moved into the header
    /// without a copy) or static.
    fn replace_header(&mut self, name: Header, value: Cow<'static, str>);
    /// Adds a line for header `name`.
    fn append_header(&mut self, name: Header, value: Cow<'static, str>);
    /// Edits header `name` by what `edit` makes of its values. An adapter
    /// whose header map has an entry API finds the header once for both.
    fn edit_header<E>(&mut self, name: Header, edit: E)
    where
        E: for<'v> FnOnce(&mut dyn Iterator<Item = &'v [u8]>) -> Edit,
    {
        let edit = edit(&mut self.header_values(name));
        match edit {
            Edit::Keep => {}
            Edit::Append(value) => self.append_header(name, value),
            Edit::Replace(value) => self.replace_header(name, value),
        }
    }
    /// Puts `value` in the response extensions, for an outer layer to log.
    fn insert_extension<E: Clone + Send + Sync + 'static>(&mut self, value: E);
    /// Runs `edit` on the response's extension of type `E`, if it has one.
    fn edit_extension<E: Send + Sync + 'static>(&mut self, edit: impl FnOnce(&mut E));
}

/// A header value type of a framework's (the `http` crate's at version 1
/// for tower and axum, 0.2 for actix-web): from an owned line, or from a
/// static text without a copy.
pub(crate) trait HeaderText: TryFrom<String> {
    /// The static values the core writes on nearly every response that
    /// touches the session, as constants built at compile time:
    /// `Vary: Cookie` and the two `Cache-Control` directives.
    const COOKIE: Self;
    /// `private`.
    const PRIVATE: Self;
    /// `no-store`.
    const NO_STORE: Self;
    /// The framework's `from_static`, which panics on a byte it refuses:
    /// [`header_value`] only calls it on visible ASCII.
    fn from_static_text(text: &'static str) -> Self;
}

/// A header value of the framework's own type for a value the core
/// writes: an owned line (a sealed cookie) becomes the header's bytes
/// without a copy, a static one (`Cookie`, `private`) is neither copied
/// nor allocated. The core writes visible ASCII only; anything else is
/// dropped rather than sent broken.
pub(crate) fn header_value<V: HeaderText>(value: Cow<'static, str>) -> Option<V> {
    match value {
        Cow::Borrowed("Cookie") => Some(V::COOKIE),
        Cow::Borrowed("private") => Some(V::PRIVATE),
        Cow::Borrowed("no-store") => Some(V::NO_STORE),
        Cow::Borrowed(text) => text
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b))
            .then(|| V::from_static_text(text)),
        Cow::Owned(text) => V::try_from(text).ok(),
    }
}

/// The typed reason the layer answered 500 or 503 itself, put in the
/// response extensions so that an outer layer can log it. It holds only
/// an [`Error`], which never contains key bytes or session data.
///
/// ```
/// use sealed_session::{Error, web::SessionError};
/// let e = SessionError(Error::Serialize);
/// assert_eq!(e.0.to_string(), Error::Serialize.to_string());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError(pub Error);

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
/// use sealed_session::{Error, UnavailableReason, web::status_of};
/// let down = Error::RevocationUnavailable { reason: UnavailableReason::Timeout };
/// assert_eq!(status_of(&down), StatusCode::SERVICE_UNAVAILABLE);
/// assert_eq!(status_of(&Error::Serialize), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
pub fn status_of(error: &Error) -> http::StatusCode {
    use http::StatusCode;
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

/// An answer the core gives instead of the handler's (503 when the store
/// cannot decide under fail-closed, 500 when a session cannot be sealed),
/// or that an adapter gives for an [`Error`] a handler returned: a status,
/// a fixed generic body (never internals), and the typed reason for the
/// response extensions.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: u16,
    pub(crate) body: &'static str,
    pub(crate) error: SessionError,
}

impl Failure {
    pub(crate) fn new(error: Error) -> Failure {
        let status = status_of(&error).as_u16();
        let body = match status {
            503 => "session store unavailable",
            401 => "session ended",
            400 => "bad session",
            _ => "session could not be saved",
        };
        Failure {
            status,
            body,
            error: SessionError(error),
        }
    }
}

impl core::fmt::Display for SessionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
