//! What a response says about the cookies a request carried: the
//! `Set-Cookie` values that remove them, or that replace them with newly
//! sealed ones, by the duplicate rules of [`RequestCookies`].

use super::cookies::RequestCookies;
use super::header_value;
use crate::{Chunking, ConfigError, Error, Result, SealedCookies, Sealer};
use ::http::HeaderValue;

impl RequestCookies<'_> {
    /// `Set-Cookie` values that delete every cookie of ours this request
    /// carried: for a logout, or for cookies that did not open
    /// ([`Found::Invalid`](super::Found::Invalid)). Empty after a
    /// [`conflict`](Self::conflict): a removal would delete the genuine
    /// cookie and leave the planted one.
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
        if self.conflict.is_some() {
            return Vec::new();
        }
        let mut lines = Chunking::removals(sealer, false, self.chunk_indices(), 0);
        if self.plain_seen > 0 {
            lines.insert(0, sealer.removal_cookie());
        }
        lines.into_iter().filter_map(header_value).collect()
    }

    /// `Set-Cookie` values for a newly sealed session plus the removals of
    /// what this request carried that the new cookies do not overwrite
    /// (stale chunks of a previously larger session, or the other form;
    /// none after a [`conflict`](Self::conflict)).
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
        let carried_single = self.conflict.is_none() && self.plain_seen > 0;
        let stale = Chunking::removals(sealer, carried_single, self.chunk_indices(), written);
        sealed
            .set_cookies()
            .iter()
            .cloned()
            .chain(stale)
            .map(|line| header_value(line).ok_or(Error::InvalidConfig(ConfigError::Attribute)))
            .collect()
    }
}
