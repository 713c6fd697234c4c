//! What a request's cookies come to: a session, cookies that did not open,
//! or a conflict between copies that must be neither used nor deleted;
//! `RequestCookies::open` decides which.

use super::RequestCookies;
use super::conflict::CookieConflict;
use super::cookies::text;
use crate::SessionData;
use crate::{Chunking, Error, Malformed, Opened, Result, Sealer};

/// What a request's cookies of ours come to, from
/// [`RequestCookies::open`].
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// use sealed_session::http::{Found, RequestCookies};
/// # use sealed_session::{Error, Key, KeyRing, Sealer, Session};
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let mut headers = HeaderMap::new();
/// headers.insert(COOKIE, HeaderValue::from_static("__Host-session=garbage"));
/// let cookies = RequestCookies::parse(&headers, sealer.cookie_name());
/// match cookies.open::<String>(&sealer, None) {
///     Found::Session(opened) => println!("hello {}", opened.session().data()),
///     // Delete what did not open; the error says why (safe to log).
///     Found::Invalid(_error) => assert_eq!(cookies.removals(&sealer).len(), 1),
///     // Authentic, but this server cannot read it: tell the operator,
///     // keep the cookie.
///     Found::Unreadable(error) => eprintln!("session kept, unreadable: {error}"),
///     // No session, and nothing deleted.
///     Found::None | Found::Conflict(_) => {}
/// }
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug)]
pub enum Found<T> {
    /// No cookie of ours.
    None,
    /// The session the cookies carried.
    Session(Opened<T>),
    /// Our cookies did not open (tampered, expired, another key, ...): no
    /// session; delete them with [`RequestCookies::removals`]. The error is
    /// a [client fault](Error::is_client_fault).
    Invalid(Error),
    /// Our cookie is authentic, but this server cannot read it: its schema
    /// is one the sealer has no migration for
    /// ([`Error::SchemaMismatch`]), a migration failed, or the payload did
    /// not deserialize (the session type changed between deploys, or a
    /// node runs another version). No session, and *keep* the cookie:
    /// another node, or the next deploy, may read it. Not the client's
    /// fault: log it (README, "Changing the session type").
    Unreadable(Error),
    /// Copies that must be neither used nor deleted: no session, and no
    /// removal.
    Conflict(CookieConflict),
}

impl RequestCookies<'_> {
    /// Opens the session the request's cookies carry, with `chunking` when
    /// the session may be split over chunks, applying the duplicate rules
    /// of the [module docs](super): a conflict opens nothing; copies of an
    /// unprefixed name (several plain cookies, or a plain cookie beside
    /// chunks) are each opened and the session is used only when exactly
    /// one of them opens.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// use sealed_session::http::{CookieConflict, Found, RequestCookies};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer, Session};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).with_cookie_name("sid").build()?;
    /// let genuine = sealer.seal_value(&Session::new(7u8))?;
    /// let mut headers = HeaderMap::new();
    /// // A sibling host planted `sid` for the parent domain: tried, fails.
    /// headers.insert(COOKIE, format!("sid=planted; sid={genuine}").parse().unwrap());
    /// let found = RequestCookies::parse(&headers, "sid").open::<u8>(&sealer, None);
    /// assert!(matches!(found, Found::Session(o) if *o.session().data() == 7));
    ///
    /// // Two that open (the attacker's own session planted): neither is used.
    /// let planted = sealer.seal_value(&Session::new(6u8))?;
    /// headers.insert(COOKIE, format!("sid={planted}; sid={genuine}").parse().unwrap());
    /// let found = RequestCookies::parse(&headers, "sid").open::<u8>(&sealer, None);
    /// assert!(matches!(found, Found::Conflict(CookieConflict::Ambiguous)));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn open<T: SessionData>(&self, sealer: &Sealer, chunking: Option<Chunking>) -> Found<T> {
        self.open_unix(sealer, chunking, crate::sealer::clock::unix_now())
    }

    /// [`open`](Self::open) at `now` in unix seconds (every copy is opened
    /// at the same time), for callers that read the clock once per request.
    pub(crate) fn open_unix<T: SessionData>(
        &self,
        sealer: &Sealer,
        chunking: Option<Chunking>,
        now: Result<i64>,
    ) -> Found<T> {
        if let Some(conflict) = self.conflict() {
            return Found::Conflict(conflict);
        }
        if self.is_empty() {
            return Found::None;
        }
        // A clock the format cannot hold is the server's fault.
        let now = match now {
            Ok(now) => now,
            Err(error) => return Found::Unreadable(error),
        };
        let open = |single: Option<&[u8]>| -> Result<Opened<T>> {
            match (chunking, single) {
                (Some(chunking), single) => {
                    chunking.open_unix(sealer, single.map(text), |k| self.chunk(k), now)
                }
                // Bytes straight to the base64 decoder, no UTF-8 pass.
                (None, Some(value)) => sealer.open_bytes_unix(value, now),
                // Chunks from a time chunking was on: no session, cleared.
                (None, None) => Err(Malformed::Chunks.into()),
            }
        };
        if !self.contested() {
            return match open(self.single_raw()) {
                Ok(opened) => Found::Session(opened),
                Err(error) if error.is_client_fault() => Found::Invalid(error),
                Err(error) => Found::Unreadable(error),
            };
        }
        // Each copy of the plain name alone, then the chunks alone.
        let chunks = self.chunk_indices().next().map(|_| None);
        let mut found = None;
        for single in self.plain_raw().map(Some).chain(chunks) {
            if let Ok(opened) = open(single) {
                if found.is_some() {
                    return Found::Conflict(CookieConflict::Ambiguous);
                }
                found = Some(opened);
            }
        }
        found.map_or(Found::Conflict(CookieConflict::Ambiguous), Found::Session)
    }
}
