//! Cookie attributes and the exact bytes of the `Set-Cookie` value.

use crate::{ConfigError, Result};
use core::fmt::Write as _;

/// Browsers cap Max-Age at 400 days (RFC 6265bis); asking for more is
/// silently shortened, so the crate never emits more.
pub(crate) const MAX_AGE_CAP: i64 = 400 * 24 * 60 * 60;
const MAX_AGE_PREFIX: &str = "; Max-Age=";

/// The `SameSite` attribute.
///
/// ```
/// assert_eq!(sealed_session::SameSite::default(), sealed_session::SameSite::Lax);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SameSite {
    /// Sent on same-site requests only.
    Strict,
    /// Also sent on top-level navigations from other sites. The default.
    #[default]
    Lax,
    /// Sent on all requests; requires `Secure`.
    None,
}

impl SameSite {
    fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

/// The attributes of the session cookie. Defaults: `Path=/`, `Secure`,
/// `HttpOnly`, `SameSite=Lax`, no `Domain`.
///
/// ```
/// use sealed_session::{CookieAttributes, SameSite};
/// let attrs = CookieAttributes::default().with_same_site(SameSite::Strict);
/// assert_eq!(attrs.same_site(), SameSite::Strict);
/// assert!(attrs.secure() && attrs.http_only());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieAttributes {
    path: String,
    domain: Option<String>,
    secure: bool,
    http_only: bool,
    same_site: SameSite,
}

impl Default for CookieAttributes {
    fn default() -> Self {
        CookieAttributes {
            path: "/".into(),
            domain: None,
            secure: true,
            http_only: true,
            same_site: SameSite::Lax,
        }
    }
}

impl CookieAttributes {
    /// Sets `Path`.
    ///
    /// ```
    /// let a = sealed_session::CookieAttributes::default().with_path("/app");
    /// assert_eq!(a.path(), "/app");
    /// ```
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Sets `Domain` (leave unset for host-only cookies, which `__Host-` needs).
    ///
    /// ```
    /// let a = sealed_session::CookieAttributes::default().with_domain("example.com");
    /// assert_eq!(a.domain(), Some("example.com"));
    /// ```
    pub fn with_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets `Secure` (turn off only for plain-HTTP development).
    ///
    /// ```
    /// let a = sealed_session::CookieAttributes::default().with_secure(false);
    /// assert!(!a.secure());
    /// ```
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets `HttpOnly`.
    ///
    /// ```
    /// let a = sealed_session::CookieAttributes::default().with_http_only(false);
    /// assert!(!a.http_only());
    /// ```
    pub fn with_http_only(mut self, http_only: bool) -> Self {
        self.http_only = http_only;
        self
    }

    /// Sets `SameSite`.
    ///
    /// ```
    /// use sealed_session::{CookieAttributes, SameSite};
    /// let a = CookieAttributes::default().with_same_site(SameSite::Strict);
    /// assert_eq!(a.same_site(), SameSite::Strict);
    /// ```
    pub fn with_same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// `Path`.
    ///
    /// ```
    /// assert_eq!(sealed_session::CookieAttributes::default().path(), "/");
    /// ```
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `Domain`, if set.
    ///
    /// ```
    /// assert_eq!(sealed_session::CookieAttributes::default().domain(), None);
    /// ```
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// Whether `Secure` is set.
    ///
    /// ```
    /// assert!(sealed_session::CookieAttributes::default().secure());
    /// ```
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Whether `HttpOnly` is set.
    ///
    /// ```
    /// assert!(sealed_session::CookieAttributes::default().http_only());
    /// ```
    pub fn http_only(&self) -> bool {
        self.http_only
    }

    /// `SameSite`.
    ///
    /// ```
    /// use sealed_session::{CookieAttributes, SameSite};
    /// assert_eq!(CookieAttributes::default().same_site(), SameSite::Lax);
    /// ```
    pub fn same_site(&self) -> SameSite {
        self.same_site
    }

    /// Checks the attributes against each other and the cookie name's
    /// prefix, and renders everything after `Max-Age`.
    pub(crate) fn render(&self, name: &str) -> Result<String> {
        if !is_attribute_value(&self.path) || !self.domain.as_deref().is_none_or(is_attribute_value)
        {
            return Err(ConfigError::Attribute.into());
        }
        let host_ok = self.secure && self.path == "/" && self.domain.is_none();
        let prefix_ok = match () {
            _ if has_prefix(name, "__Host-") => host_ok,
            _ if has_prefix(name, "__Secure-") => self.secure,
            _ => true,
        };
        if !prefix_ok || (self.same_site == SameSite::None && !self.secure) {
            return Err(ConfigError::Prefix.into());
        }
        let mut out = String::new();
        // Infallible: writing to a String.
        let _ = write!(out, "; Path={}", self.path);
        if let Some(domain) = &self.domain {
            let _ = write!(out, "; Domain={domain}");
        }
        if self.secure {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        let _ = write!(out, "; SameSite={}", self.same_site.as_str());
        Ok(out)
    }
}

/// RFC 6265bis matches the `__Host-` and `__Secure-` prefixes without regard
/// to case, and browsers refuse `__host-x` without `Secure` just the same.
fn has_prefix(name: &str, prefix: &str) -> bool {
    name.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Whether browsers hold `name` to a cookie prefix: then a second copy in
/// one request was never set by this host.
#[cfg(feature = "http")]
pub(crate) fn is_prefixed(name: &str) -> bool {
    has_prefix(name, "__Host-") || has_prefix(name, "__Secure-")
}

/// RFC 6265 `token`: visible ASCII without separators.
pub(crate) fn is_cookie_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 `av-octet`s: no control characters and no `;`.
fn is_attribute_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b';')
}

/// Number of decimal digits of a non-negative number.
fn decimal_len(mut n: i64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Length of `; Max-Age=<max_age>`.
pub(crate) fn max_age_len(max_age: i64) -> usize {
    if max_age == BROWSER_SESSION {
        return 0;
    }
    MAX_AGE_PREFIX.len() + decimal_len(max_age)
}

/// The Max-Age of a cookie that has none: it ends with the browser
/// session (the server-side deadline still holds).
pub(crate) const BROWSER_SESSION: i64 = -1;

/// Appends `; Max-Age=<max_age>` to `out` (nothing for
/// [`BROWSER_SESSION`]).
pub(crate) fn push_max_age(out: &mut String, max_age: i64) {
    if max_age == BROWSER_SESSION {
        return;
    }
    out.push_str(MAX_AGE_PREFIX);
    out.push_str(itoa::Buffer::new().format(max_age));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_len_counts_digits() {
        for n in [0, 9, 10, 99, 100, 86_400, MAX_AGE_CAP] {
            let mut s = String::new();
            push_max_age(&mut s, n);
            assert_eq!(max_age_len(n), s.len(), "{n}");
        }
    }

    #[test]
    fn names_follow_the_token_grammar() {
        assert!(is_cookie_name("__Host-session"));
        for bad in ["", "a b", "a;b", "a=b", "é", "a\tb"] {
            assert!(!is_cookie_name(bad), "{bad:?}");
        }
    }
}
