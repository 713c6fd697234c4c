//! Helpers for the `http` crate (feature `http`), for any framework or
//! serverless runtime that speaks `http::HeaderMap`: find the session
//! cookie (and its chunks) in a request's `Cookie` headers, and turn sealed
//! cookies into `Set-Cookie` header values.
//!
//! # Which cookie is read
//!
//! A request may carry several `Cookie` headers (HTTP/2 splits them), many
//! cookies, and pairs that do not parse; pairs are read with the `cookie`
//! crate, one `;`-separated pair at a time, and a pair that does not parse
//! (or is not UTF-8) is skipped without hiding the others.
//!
//! When a name occurs more than once, the **first** occurrence (in header
//! order, then in pair order) is used and the others are ignored. Browsers
//! send a name twice only when cookies with different `Path` or `Domain`
//! attributes match, and list the longest path first; a `__Host-` name
//! (the default) cannot be set with a `Domain` or a narrower path, so the
//! duplicate case needs a misconfigured or hostile (sub)domain. Taking the
//! first is what browsers' own `document.cookie` readers and most servers
//! do; a forged first cookie then only fails to open, which the caller
//! treats as "no session".

use crate::{Chunking, ConfigError, Error, Result, SealedCookies, Sealer, Session};
use ::http::header::{COOKIE, SET_COOKIE};
use ::http::{HeaderMap, HeaderValue};
use serde::Serialize;
use std::collections::BTreeMap;

/// Largest chunk index read from a request: a chunked session has at most
/// 255 chunks, `name.0 ..= name.254`.
const MAX_CHUNK_INDEX: usize = 254;

/// This crate's cookies in one request: the cookie under the plain name
/// and the chunks `name.0`, `name.1`, ... (first occurrence of each),
/// borrowed from the headers.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// use sealed_session::http::RequestCookies;
///
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("theme=dark; sid.1=BBB; bad pair; sid.0=2.AAA"));
/// headers.append(COOKIE, HeaderValue::from_static("sid=first"));
/// headers.append(COOKIE, HeaderValue::from_static("sid=second"));
/// let cookies = RequestCookies::parse(&headers, "sid");
/// assert_eq!(cookies.single(), Some("first"));
/// assert_eq!(cookies.chunk(0), Some("2.AAA"));
/// assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [0, 1]);
/// assert!(cookies.has_duplicates());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCookies<'a> {
    single: Option<&'a str>,
    chunks: BTreeMap<usize, &'a str>,
    duplicates: bool,
    header_bytes: usize,
}

impl<'a> RequestCookies<'a> {
    /// Reads every `Cookie` header of `headers` for the cookie `name` and
    /// its chunks.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("a=1; sid=v"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").single(), Some("v"));
    /// ```
    pub fn parse(headers: &'a HeaderMap, name: &str) -> RequestCookies<'a> {
        let mut found = RequestCookies::default();
        for header in headers.get_all(COOKIE) {
            for pair in header.as_bytes().split(|&b| b == b';') {
                if let Some((key, value)) = parse_pair(pair) {
                    found.add(name, key, value);
                }
            }
        }
        found
    }

    fn add(&mut self, name: &str, key: &'a str, value: &'a str) {
        let slot = if key == name {
            &mut self.single
        } else if let Some(k) = chunk_index(name, key) {
            if self.chunks.contains_key(&k) {
                self.duplicates = true;
                return;
            }
            self.chunks.insert(k, value);
            self.header_bytes += key.len() + 1 + value.len() + 2;
            return;
        } else {
            return;
        };
        if slot.is_some() {
            self.duplicates = true;
        } else {
            *slot = Some(value);
            self.header_bytes += key.len() + 1 + value.len() + 2;
        }
    }

    /// The value of the cookie under the plain name, if present.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let headers = HeaderMap::new();
    /// assert_eq!(RequestCookies::parse(&headers, "sid").single(), None);
    /// ```
    pub fn single(&self) -> Option<&'a str> {
        self.single
    }

    /// The value of chunk `name.index`, if present.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid.3=x; sid.03=y; sid.x=z"));
    /// let cookies = RequestCookies::parse(&headers, "sid");
    /// assert_eq!(cookies.chunk(3), Some("x"));
    /// assert_eq!(cookies.chunk_indices().count(), 1); // `03` and `x` are no chunk names
    /// ```
    pub fn chunk(&self, index: usize) -> Option<&'a str> {
        self.chunks.get(&index).copied()
    }

    /// The indices of the chunks present, ascending.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid.2=c; sid.0=a"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").chunk_indices().collect::<Vec<_>>(), [0, 2]);
    /// ```
    pub fn chunk_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.chunks.keys().copied()
    }

    /// Whether neither the plain cookie nor any chunk is present.
    ///
    /// ```
    /// # use http::HeaderMap;
    /// # use sealed_session::http::RequestCookies;
    /// assert!(RequestCookies::parse(&HeaderMap::new(), "sid").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.single.is_none() && self.chunks.is_empty()
    }

    /// Whether a name of ours occurred more than once (only the first
    /// occurrence is used; see the module docs).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid=a; sid=b"));
    /// assert!(RequestCookies::parse(&headers, "sid").has_duplicates());
    /// ```
    pub fn has_duplicates(&self) -> bool {
        self.duplicates
    }

    /// The bytes the used cookies take in the `Cookie` header, counting
    /// `name=value` and a `; ` separator each.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("x=1; sid=abc"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").header_bytes(), "sid=abc; ".len());
    /// ```
    pub fn header_bytes(&self) -> usize {
        self.header_bytes
    }

    /// `Set-Cookie` values that delete every cookie of ours this request
    /// carried (logout, or a cookie that did not open).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("__Host-session.0=2.x; __Host-session.1=y"));
    /// let removals = RequestCookies::parse(&headers, sealer.cookie_name()).removals(&sealer);
    /// assert_eq!(removals.len(), 2);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn removals(&self, sealer: &Sealer) -> Vec<HeaderValue> {
        let mut lines = Chunking::removals(sealer, false, self.chunk_indices(), 0);
        if self.single.is_some() {
            lines.insert(0, sealer.removal_cookie());
        }
        lines.into_iter().filter_map(header_value).collect()
    }

    /// `Set-Cookie` values for a newly sealed session plus the removals of
    /// what this request carried that the new cookies do not overwrite
    /// (stale chunks of a previously larger session, or the other form).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("__Host-session.0=2.x; __Host-session.1=y"));
    /// let sealed = Chunking::new().seal(&sealer, &Session::new(1u8))?;
    /// let values = RequestCookies::parse(&headers, sealer.cookie_name()).replace_with(&sealer, &sealed)?;
    /// assert_eq!(values.len(), 3); // the new cookie, two removed chunks
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Attribute`] if a line is not a valid header value
    /// (the sealer's attribute checks make that unreachable).
    pub fn replace_with(
        &self,
        sealer: &Sealer,
        sealed: &SealedCookies,
    ) -> Result<Vec<HeaderValue>> {
        let written = sealed.chunk_count().map_or(0, usize::from);
        let stale =
            Chunking::removals(sealer, self.single.is_some(), self.chunk_indices(), written);
        sealed
            .set_cookies()
            .iter()
            .cloned()
            .chain(stale)
            .map(|line| header_value(line).ok_or(Error::InvalidConfig(ConfigError::Attribute)))
            .collect()
    }
}

/// The value of the first cookie named `name` in `headers`' `Cookie`
/// headers.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("=novalue; ;; a=1"));
/// headers.append(COOKIE, HeaderValue::from_static("__Host-session=abc"));
/// assert_eq!(sealed_session::http::find_cookie(&headers, "__Host-session"), Some("abc"));
/// ```
pub fn find_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|header| header.as_bytes().split(|&b| b == b';'))
        .filter_map(parse_pair)
        .find_map(|(key, value)| (key == name).then_some(value))
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
pub fn set_cookie<T: Serialize>(sealer: &Sealer, session: &Session<T>) -> Result<HeaderValue> {
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
pub fn set_cookie_at<T: Serialize>(
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

fn header_value(line: String) -> Option<HeaderValue> {
    HeaderValue::try_from(line).ok()
}

/// One `name=value` pair, parsed by the `cookie` crate; `None` for a pair
/// that is not UTF-8 or does not parse.
fn parse_pair(pair: &[u8]) -> Option<(&str, &str)> {
    let text = core::str::from_utf8(pair).ok()?.trim();
    let parsed = cookie::Cookie::parse(text).ok()?;
    Some((parsed.name_raw()?, parsed.value_raw()?))
}

/// `k` when `key` is `name.k`, with `k` plain decimal (no leading zero)
/// up to [`MAX_CHUNK_INDEX`].
fn chunk_index(name: &str, key: &str) -> Option<usize> {
    let digits = key.strip_prefix(name)?.strip_prefix('.')?;
    let plain = !digits.is_empty()
        && digits.len() <= 3
        && (digits == "0" || !digits.starts_with('0'))
        && digits.bytes().all(|b| b.is_ascii_digit());
    let k = digits.parse().ok().filter(|_| plain)?;
    (k <= MAX_CHUNK_INDEX).then_some(k)
}
