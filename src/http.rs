//! Helpers for the `http` crate (feature `http`), for any framework or
//! serverless runtime that speaks `http::HeaderMap`: find the session
//! cookie (and its chunks) in a request's `Cookie` headers, turn sealed
//! cookies into `Set-Cookie` header values, and keep responses that set
//! them out of shared caches.
//!
//! # Which cookie is read
//!
//! A request may carry several `Cookie` headers (HTTP/2 splits them) and
//! many cookies. One pass over the bytes finds ours; other cookies are
//! skipped without being parsed, and nothing is allocated.
//!
//! - **Names compare as exact bytes.** Only SP and HTAB are trimmed,
//!   around the pair, the name and the value (RFC 6265 section 5.2). A name
//!   with any other whitespace (U+00A0, U+2000, U+3000, U+0085, ...),
//!   another case or non-ASCII bytes is another cookie, however it prints:
//!   a sibling host can set `"\u{2000}__Host-session"` for the parent
//!   domain over plain HTTP, and it must never be taken for ours. Chunk
//!   names are `name.k` with `k` plain decimal (`0`, not `00`) up to 254.
//! - **A duplicate of a `__Host-` or `__Secure-` name** (plain or chunk)
//!   is never legitimate: browsers never send two such cookies set by one
//!   host. It is reported as [`CookieConflict::DuplicatePrefixed`]; the
//!   request has no session, and no removal cookie is sent (a removal would
//!   delete the genuine host-only cookie and leave the planted one).
//! - **Duplicates of an unprefixed name** can come from a sibling host
//!   setting the name for the parent domain. Each copy of the plain name
//!   (and the chunks as one more, when a plain cookie and chunks both came)
//!   is opened, and the session is used only when exactly one opens;
//!   otherwise it is [`CookieConflict::Ambiguous`]: no session and no
//!   removal. A duplicated chunk name is [`CookieConflict::DuplicateChunk`]
//!   (copies are not combined). An unprefixed name cannot stop a sibling
//!   host from planting its own valid session when the user has none: use
//!   a `__Host-` name (the default).
//! - A value that is not UTF-8 is read as `""` (a sealed value is
//!   base64url, so it never opens) and still counts as a copy.
//!
//! [`RequestCookies::open`] applies all of this; [`find_cookie`] is the
//! one-value shortcut.
//!
//! # Cache protection
//!
//! A response that sets a session cookie must not be stored by a shared
//! cache, and one that depends on the session must vary on `Cookie`:
//! [`protect_from_caches`] and [`vary_on_cookie`] add that to a response's
//! headers without weakening what the handler set.

mod cache;
mod conflict;
mod cookies;
mod found;
mod replace;
mod scan;

pub use cache::{CacheProtection, protect_from_caches, vary_on_cookie};
#[cfg(feature = "web")]
pub(crate) use cache::{VaryEdit, cache_control_merged, vary_merged};
pub use conflict::CookieConflict;
pub use cookies::RequestCookies;
pub use found::Found;
#[cfg(feature = "web")]
pub(crate) use scan::ChunkSet;

use crate::SessionData;
use crate::{ConfigError, Error, Result, Sealer, Session};
use ::http::header::SET_COOKIE;
use ::http::{HeaderMap, HeaderValue};

/// The value of the cookie named `name` in `headers`' `Cookie` headers,
/// when it was sent exactly once: names compare as exact bytes, and a name
/// sent twice gives `None` (see the [module docs](self); to try each copy
/// of an unprefixed name, use [`RequestCookies::open`]).
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("=novalue; ;; a=1"));
/// headers.append(COOKIE, HeaderValue::from_bytes("\u{2000}__Host-session=planted".as_bytes()).unwrap());
/// headers.append(COOKIE, HeaderValue::from_static("__Host-session=abc"));
/// assert_eq!(sealed_session::http::find_cookie(&headers, "__Host-session"), Some("abc"));
/// ```
pub fn find_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    RequestCookies::parse(headers, name).single()
}

/// Seals `session` into a `Set-Cookie` header value (the line of
/// [`Sealer::seal`]).
///
/// ```
/// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let value = sealed_session::http::set_cookie(&sealer, &Session::new(1u8))?;
/// assert!(value.to_str().unwrap().starts_with("__Host-session="));
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
///
/// As [`Sealer::seal`].
pub fn set_cookie<T: SessionData>(sealer: &Sealer, session: &Session<T>) -> Result<HeaderValue> {
    header_value(sealer.seal(session)?).ok_or(Error::InvalidConfig(ConfigError::Attribute))
}

/// [`set_cookie`] at time `now` (the line of [`Sealer::seal_at`]), for
/// handlers that read the clock once per request and for tests.
///
/// ```
/// # use sealed_session::{Error, Key, KeyRing, Sealer, Session};
/// use time::macros::datetime;
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let now = datetime!(2030-01-01 0:00 UTC);
/// let value = sealed_session::http::set_cookie_at(&sealer, &Session::new(1u8), now)?;
/// let cookie = value.to_str().unwrap().split(';').next().unwrap();
/// let opened = sealer.open_at::<u8>(&cookie["__Host-session=".len()..], now)?;
/// assert_eq!(*opened.session().data(), 1);
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
///
/// As [`Sealer::seal_at`].
pub fn set_cookie_at<T: SessionData>(
    sealer: &Sealer,
    session: &Session<T>,
    now: time::OffsetDateTime,
) -> Result<HeaderValue> {
    header_value(sealer.seal_at(session, now)?).ok_or(Error::InvalidConfig(ConfigError::Attribute))
}

/// The `Set-Cookie` header value that deletes the session cookie
/// ([`Sealer::removal_cookie`]).
///
/// ```
/// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let value = sealed_session::http::removal(&sealer);
/// assert_eq!(value, "__Host-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
/// # Ok::<(), Error>(())
/// ```
pub fn removal(sealer: &Sealer) -> HeaderValue {
    // The sealer checked name and attributes when it was built: the
    // line is visible ASCII and spaces, always a valid header value.
    header_value(sealer.removal_cookie()).unwrap_or_else(|| HeaderValue::from_static(""))
}

/// Appends `values` to `headers` as `Set-Cookie` headers (never replacing
/// other `Set-Cookie` headers already there).
///
/// ```
/// use http::{HeaderMap, header::SET_COOKIE};
/// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let mut headers = HeaderMap::new();
/// headers.append(SET_COOKIE, "theme=dark".parse().unwrap());
/// sealed_session::http::append_set_cookies(&mut headers, [sealed_session::http::removal(&sealer)]);
/// assert_eq!(headers.get_all(SET_COOKIE).iter().count(), 2);
/// # Ok::<(), Error>(())
/// ```
pub fn append_set_cookies(headers: &mut HeaderMap, values: impl IntoIterator<Item = HeaderValue>) {
    for value in values {
        headers.append(SET_COOKIE, value);
    }
}

pub(crate) fn header_value(line: String) -> Option<HeaderValue> {
    HeaderValue::try_from(line).ok()
}
