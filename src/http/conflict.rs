//! `CookieConflict`: copies of our cookie name that cannot be told apart
//! from planted ones.

use core::fmt;

/// Why a request's cookies of ours are neither used nor deleted: copies of
/// one name that cannot be told apart from planted ones. The request has
/// no session, and no removal cookie is sent (it would delete the genuine
/// cookie and leave the planted one). Safe to log: it holds no cookie
/// bytes.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// use sealed_session::http::{CookieConflict, RequestCookies};
/// let mut headers = HeaderMap::new();
/// headers.insert(COOKIE, HeaderValue::from_static("__Host-session=x; __Host-session=y"));
/// let conflict = RequestCookies::parse(&headers, "__Host-session").conflict();
/// assert_eq!(conflict, Some(CookieConflict::DuplicatePrefixed));
/// assert_eq!(
///     conflict.unwrap().to_string(),
///     "a __Host-/__Secure- session cookie name was sent more than once"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieConflict {
    /// A `__Host-` or `__Secure-` name, or one of its chunk names, was sent
    /// more than once. A browser never sends two such cookies that this
    /// host set (they are host-only with `Path=/`, or `Secure` and set
    /// over HTTPS only), so one copy was planted: by a sibling host, a
    /// browser bug or a hand-made request.
    DuplicatePrefixed,
    /// A chunk name of an unprefixed cookie was sent more than once (a
    /// sibling host can set one for the parent domain). Copies are not
    /// combined and tried: the request has no session.
    DuplicateChunk,
    /// An unprefixed name was sent more than once, or both as a plain
    /// cookie and as chunks, and not exactly one copy opened (none did,
    /// several did, or more than four copies were sent, which are not
    /// tried).
    Ambiguous,
}

impl fmt::Display for CookieConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CookieConflict::DuplicatePrefixed => {
                "a __Host-/__Secure- session cookie name was sent more than once"
            }
            CookieConflict::DuplicateChunk => "a session chunk cookie name was sent more than once",
            CookieConflict::Ambiguous => {
                "the session cookie name was sent more than once and not exactly one copy opened"
            }
        })
    }
}

impl std::error::Error for CookieConflict {}
