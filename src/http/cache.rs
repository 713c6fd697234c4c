//! Keeping responses that set or depend on the session out of shared
//! caches: `Cache-Control` and `Vary`, merged with what the handler set.

use ::http::header::{CACHE_CONTROL, VARY};
use ::http::{HeaderMap, HeaderValue};
use std::borrow::Cow;

/// How strictly a response that sets a session cookie is kept from caches.
///
/// ```
/// use sealed_session::http::CacheProtection;
/// assert_eq!(CacheProtection::NoStore.directive(), "no-store");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheProtection {
    /// `private`: no shared cache (proxy, CDN) may store the response; the
    /// user's own browser may. For a response that re-seals, changes or
    /// deletes an existing session.
    Private,
    /// `no-store`: nothing may store the response. For a response that
    /// issues a new session (a login, a new id), whose cookie must never be
    /// replayed from any cache.
    NoStore,
}

impl CacheProtection {
    /// The `Cache-Control` directive.
    ///
    /// ```
    /// use sealed_session::http::CacheProtection;
    /// assert_eq!(CacheProtection::Private.directive(), "private");
    /// ```
    pub fn directive(self) -> &'static str {
        match self {
            CacheProtection::Private => "private",
            CacheProtection::NoStore => "no-store",
        }
    }
}

/// Adds `level` to the response's `Cache-Control`, keeping the handler's
/// own directives unless they would let a shared cache store the response.
///
/// - A `no-store` already there (or a plain `private` when `level` is
///   [`CacheProtection::Private`]) is at least as strict: the header is
///   left as it is, except that `public`, `s-maxage` and a field-qualified
///   `private="..."` are dropped.
/// - Otherwise those three are dropped, the rest is kept, and the directive
///   is appended: `public, max-age=60` becomes `max-age=60, private`.
/// - A `Cache-Control` value that is not readable text is dropped (it
///   might say `public`).
///
/// All `Cache-Control` headers end up as one.
///
/// ```
/// use http::{HeaderMap, header::CACHE_CONTROL};
/// use sealed_session::http::{CacheProtection, protect_from_caches};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(CACHE_CONTROL, "public, max-age=60".parse().unwrap());
/// protect_from_caches(&mut headers, CacheProtection::Private);
/// assert_eq!(headers[CACHE_CONTROL], "max-age=60, private");
///
/// // The handler's no-store is stricter than private: untouched.
/// headers.insert(CACHE_CONTROL, "no-store, max-age=0".parse().unwrap());
/// protect_from_caches(&mut headers, CacheProtection::Private);
/// assert_eq!(headers[CACHE_CONTROL], "no-store, max-age=0");
/// ```
pub fn protect_from_caches(headers: &mut HeaderMap, level: CacheProtection) {
    let values = headers
        .get_all(CACHE_CONTROL)
        .iter()
        .map(HeaderValue::as_bytes);
    if let Some(merged) = cache_control_merged(values, level) {
        // Every piece came from visible ASCII, so the joined text is a valid value.
        let value = HeaderValue::from_str(&merged)
            .unwrap_or_else(|_| HeaderValue::from_static(level.directive()));
        headers.insert(CACHE_CONTROL, value);
    }
}

/// A header value as text, when it is what `HeaderValue::to_str` accepts
/// (visible ASCII, SP and HTAB): the same rule for every framework.
fn text(value: &[u8]) -> Option<&str> {
    value
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
        .then(|| core::str::from_utf8(value).ok())
        .flatten()
}

/// The one `Cache-Control` value that [`protect_from_caches`] leaves, given
/// the response's values, or `None` when they are strict enough as they
/// are. Over bytes, for adapters whose header types are not this crate's.
pub(crate) fn cache_control_merged<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
    level: CacheProtection,
) -> Option<Cow<'static, str>> {
    let mut values = values.into_iter().peekable();
    // The common case, a handler that set none: the directive alone, no
    // text built.
    if values.peek().is_none() {
        return Some(Cow::Borrowed(level.directive()));
    }
    let mut kept = String::new();
    let mut dropped = false;
    let mut strict_enough = false;
    for value in values {
        let Some(text) = text(value) else {
            dropped = true;
            continue;
        };
        for directive in list(text) {
            let (name, qualified) = match directive.split_once('=') {
                Some((name, _)) => (name.trim_end_matches([' ', '\t']), true),
                None => (directive, false),
            };
            let is = |n: &str| name.eq_ignore_ascii_case(n);
            if is("no-store") || (is("private") && !qualified && level == CacheProtection::Private)
            {
                strict_enough = true;
            }
            if is("public") || is("s-maxage") || (is("private") && qualified) {
                dropped = true;
                continue;
            }
            push(&mut kept, directive);
        }
    }
    if strict_enough && !dropped {
        return None;
    }
    if !strict_enough {
        push(&mut kept, level.directive());
    }
    Some(Cow::Owned(kept))
}

/// Adds `Cookie` to the response's `Vary` (merged into one `Vary` header),
/// unless it is there already or `Vary` is `*`.
///
/// ```
/// use http::{HeaderMap, header::VARY};
/// use sealed_session::http::vary_on_cookie;
///
/// let mut headers = HeaderMap::new();
/// headers.append(VARY, "Accept-Encoding".parse().unwrap());
/// headers.append(VARY, "Origin".parse().unwrap());
/// vary_on_cookie(&mut headers);
/// assert_eq!(headers[VARY], "Accept-Encoding, Origin, Cookie");
/// vary_on_cookie(&mut headers);
/// assert_eq!(headers.get_all(VARY).iter().count(), 1);
/// ```
pub fn vary_on_cookie(headers: &mut HeaderMap) {
    match vary_merged(headers.get_all(VARY).iter().map(HeaderValue::as_bytes)) {
        VaryEdit::Keep => {}
        VaryEdit::Append => {
            headers.append(VARY, HeaderValue::from_static("Cookie"));
        }
        VaryEdit::Replace(joined) => {
            let value =
                HeaderValue::from_str(&joined).unwrap_or(HeaderValue::from_static("Cookie"));
            headers.insert(VARY, value);
        }
    }
}

/// What [`vary_on_cookie`] does to a response's `Vary` values.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum VaryEdit {
    /// `Cookie` or `*` is there already.
    Keep,
    /// No `Vary` yet, or a value is unreadable (kept): `Cookie` added as
    /// another line.
    Append,
    /// All values replaced by this one, which ends with `Cookie`.
    Replace(String),
}

/// [`vary_on_cookie`] over bytes, for adapters whose header types are not
/// this crate's.
pub(crate) fn vary_merged<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> VaryEdit {
    let mut values = values.into_iter().peekable();
    // The common case, a response without `Vary`: one static line, no text
    // built.
    if values.peek().is_none() {
        return VaryEdit::Append;
    }
    let mut joined = String::new();
    let mut readable = true;
    for value in values {
        let Some(text) = text(value) else {
            readable = false;
            continue;
        };
        for name in list(text) {
            if name == "*" || name.eq_ignore_ascii_case("cookie") {
                return VaryEdit::Keep;
            }
            push(&mut joined, name);
        }
    }
    if !readable {
        return VaryEdit::Append;
    }
    push(&mut joined, "Cookie");
    VaryEdit::Replace(joined)
}

/// The elements of a comma-separated field value, trimmed of SP and HTAB;
/// commas inside a quoted string do not split.
fn list(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        loop {
            let current = rest?;
            let (mut quoted, mut escaped) = (false, false);
            let end = current.bytes().position(|b| {
                match (quoted, escaped, b) {
                    (true, false, b'\\') => escaped = true,
                    (true, true, _) => escaped = false,
                    (_, _, b'"') => quoted = !quoted,
                    _ => {}
                }
                b == b',' && !quoted
            });
            let (item, next) = match end {
                Some(i) => (&current[..i], Some(&current[i + 1..])),
                None => (current, None),
            };
            rest = next;
            let item = item.trim_matches([' ', '\t']);
            if !item.is_empty() {
                return Some(item);
            }
        }
    })
}

fn push(list: &mut String, item: &str) {
    if !list.is_empty() {
        list.push_str(", ");
    }
    list.push_str(item);
}

#[cfg(test)]
mod tests {
    use super::list;

    #[test]
    fn lists_split_outside_quotes_only() {
        let items: Vec<&str> = list(r#" a, ,b="x, y" ,	c, d="q\", r", e "#).collect();
        assert_eq!(items, ["a", r#"b="x, y""#, "c", r#"d="q\", r""#, "e"]);
        assert_eq!(list("").count(), 0);
    }
}
