//! `RequestCookies`: this crate's cookies in one request, found by the byte
//! scan, with the duplicate rules of the module docs applied.

use super::conflict::CookieConflict;
use super::scan::{self, ChunkSet, Ours};
use crate::cookie::attributes::is_prefixed;
use ::http::header::COOKIE;
use ::http::{HeaderMap, HeaderValue};

/// Chunk values kept inline, as many as a session has by default; higher
/// indices go to a `Vec`. The struct is moved out of every scan, so each
/// slot more costs every request.
const INLINE_CHUNKS: usize = crate::DEFAULT_MAX_CHUNKS as usize;

/// Most copies of an unprefixed plain name that are tried; more is
/// [`CookieConflict::Ambiguous`] without opening any (bounded work per
/// request).
pub(crate) const MAX_CANDIDATES: usize = 4;

/// This crate's cookies in one request: the values under the plain name and
/// the chunks `name.0`, `name.1`, ..., borrowed from the headers, with the
/// duplicate rules of the [module docs](super) applied. Finding them costs
/// one pass over the `Cookie` headers and allocates nothing (unless the
/// request names chunks past the fourth: their values go in a small list).
///
/// After a [`conflict`](Self::conflict) (a duplicate that cannot be
/// resolved), [`single`](Self::single), [`chunk`](Self::chunk) and
/// [`chunk_indices`](Self::chunk_indices) yield nothing and
/// [`removals`](Self::removals) is empty: a planted copy is never used,
/// and the genuine cookie is never deleted.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// use sealed_session::http::{CookieConflict, RequestCookies};
///
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("theme=dark; sid.1=BBB; bad pair; sid.0=2.AAA"));
/// headers.append(COOKIE, HeaderValue::from_static("sid=only"));
/// let cookies = RequestCookies::parse(&headers, "sid");
/// assert_eq!(cookies.single(), Some("only"));
/// assert_eq!(cookies.chunk(0), Some("2.AAA"));
/// assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [0, 1]);
///
/// // A `__Host-` name twice: a browser never sends that for one host.
/// headers.insert(COOKIE, HeaderValue::from_static("__Host-s=planted; __Host-s=genuine"));
/// let cookies = RequestCookies::parse(&headers, "__Host-s");
/// assert_eq!(cookies.conflict(), Some(CookieConflict::DuplicatePrefixed));
/// assert_eq!(cookies.single(), None);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct RequestCookies<'a> {
    /// The values under the plain name, in order (the first few), as sent:
    /// bytes, checked as text only when asked for as text (the layer hands
    /// them to the base64 decoder, which refuses any other byte anyway).
    plain: [&'a [u8]; MAX_CANDIDATES],
    /// How many pairs carried the plain name.
    pub(super) plain_seen: usize,
    /// The first value of each chunk present, inline for the first
    /// [`INLINE_CHUNKS`] indices (a session has at most 4 chunks by
    /// default), the rest in `overflow`: a request without chunks of high
    /// index neither allocates nor copies a 4 KB table.
    chunks: [&'a [u8]; INLINE_CHUNKS],
    overflow: Vec<(usize, &'a [u8])>,
    present: ChunkSet,
    duplicate_chunk: bool,
    /// Browsers hold the name to a `__Host-`/`__Secure-` prefix.
    prefixed: bool,
    pub(super) conflict: Option<CookieConflict>,
    header_bytes: usize,
}

impl Default for RequestCookies<'_> {
    fn default() -> Self {
        RequestCookies {
            plain: [b""; MAX_CANDIDATES],
            plain_seen: 0,
            chunks: [b""; INLINE_CHUNKS],
            overflow: Vec::new(),
            present: ChunkSet::default(),
            duplicate_chunk: false,
            prefixed: false,
            conflict: None,
            header_bytes: 0,
        }
    }
}

impl core::fmt::Debug for RequestCookies<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestCookies")
            .field("plain", &self.plain_values().collect::<Vec<_>>())
            .field("plain_seen", &self.plain_seen)
            .field(
                "chunks",
                &self
                    .present
                    .iter()
                    .map(|k| (k, self.chunk(k).unwrap_or_default()))
                    .collect::<Vec<_>>(),
            )
            .field("duplicate_chunk", &self.duplicate_chunk)
            .field("prefixed", &self.prefixed)
            .field("conflict", &self.conflict)
            .finish()
    }
}

impl<'a> RequestCookies<'a> {
    /// Reads every `Cookie` header of `headers` for the cookie `name` and
    /// its chunks: one pass, no allocation for up to four chunks.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("a=1; sid=v"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").single(), Some("v"));
    /// ```
    pub fn parse(headers: &'a HeaderMap, name: &str) -> RequestCookies<'a> {
        let values = headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes);
        RequestCookies::from_header_values(values, name)
    }

    /// As [`parse`](Self::parse), over the raw bytes of each `Cookie` header
    /// (in the order they came): for frameworks whose header types are not
    /// this `http` crate's.
    ///
    /// ```
    /// use sealed_session::http::RequestCookies;
    /// let headers: [&[u8]; 2] = [b"a=1; sid=v", b"b=2"];
    /// assert_eq!(RequestCookies::from_header_values(headers, "sid").single(), Some("v"));
    /// ```
    pub fn from_header_values(
        values: impl IntoIterator<Item = &'a [u8]>,
        name: &str,
    ) -> RequestCookies<'a> {
        Self::scan(values, name, is_prefixed(name))
    }

    /// [`from_header_values`](Self::from_header_values) for `sealer`'s
    /// cookie, whose prefix was looked at once, when it was built.
    #[cfg(feature = "web")]
    pub(crate) fn for_sealer(
        values: impl IntoIterator<Item = &'a [u8]>,
        sealer: &crate::Sealer,
    ) -> RequestCookies<'a> {
        Self::scan(values, sealer.cookie_name(), sealer.name_prefixed())
    }

    fn scan(
        values: impl IntoIterator<Item = &'a [u8]>,
        name: &str,
        prefixed: bool,
    ) -> RequestCookies<'a> {
        let mut found = RequestCookies::default();
        for (which, value) in scan::ours(values, name) {
            match which {
                Ours::Plain => {
                    if let Some(slot) = found.plain.get_mut(found.plain_seen) {
                        *slot = value;
                    }
                    found.plain_seen = found.plain_seen.saturating_add(1);
                }
                Ours::Chunk(k) if found.present.contains(k) => found.duplicate_chunk = true,
                Ours::Chunk(k) => {
                    found.present.insert(k);
                    match found.chunks.get_mut(k) {
                        Some(slot) => *slot = value,
                        None => found.overflow.push((k, value)),
                    }
                }
            }
        }
        found.prefixed = prefixed;
        found.conflict = found.parse_conflict();
        found.header_bytes = found.used_bytes(name);
        found
    }

    /// The conflicts decided without opening anything.
    fn parse_conflict(&self) -> Option<CookieConflict> {
        if self.has_duplicates() && self.prefixed {
            Some(CookieConflict::DuplicatePrefixed)
        } else if self.duplicate_chunk {
            Some(CookieConflict::DuplicateChunk)
        } else if self.plain_seen > MAX_CANDIDATES {
            Some(CookieConflict::Ambiguous)
        } else {
            None
        }
    }

    /// Whether a sibling host may have planted one of these cookies: an
    /// unprefixed name sent twice, or both as a plain cookie and as chunks
    /// (the crate never leaves both: writing one form clears the other).
    pub(crate) fn contested(&self) -> bool {
        let both_forms = self.plain_seen > 0 && !self.present.is_empty();
        !self.prefixed && (self.plain_seen > 1 || both_forms)
    }

    fn used_bytes(&self, name: &str) -> usize {
        // `name=value; `, and `name.k=value; ` with k's digits.
        let digits = |k: usize| 1 + usize::from(k >= 10) + usize::from(k >= 100);
        let single = self
            .single_raw()
            .map_or(0, |v| name.len() + 1 + v.len() + 2);
        let chunks: usize = self
            .chunk_indices()
            .map(|k| name.len() + 1 + digits(k) + 1 + self.chunk_raw(k).map_or(0, <[u8]>::len) + 2)
            .sum();
        single + chunks
    }

    /// The value of the cookie under the plain name, when it occurred
    /// exactly once and there is no [`conflict`](Self::conflict). An
    /// unprefixed name sent twice gives `None` here; its copies are in
    /// [`plain_values`](Self::plain_values) (see [`RequestCookies::open`]).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(RequestCookies::parse(&headers, "sid").single(), None);
    /// headers.insert(COOKIE, HeaderValue::from_static("sid=a; sid=b"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").single(), None);
    /// ```
    pub fn single(&self) -> Option<&'a str> {
        self.single_raw().map(text)
    }

    /// [`single`](Self::single) as the bytes sent.
    pub(crate) fn single_raw(&self) -> Option<&'a [u8]> {
        (self.conflict.is_none() && self.plain_seen == 1).then_some(self.plain[0])
    }

    /// Every value sent under the plain name, in header order (at most the
    /// first four; more is a conflict); empty after a
    /// [`conflict`](Self::conflict).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid=a; x=1; sid=b"));
    /// let cookies = RequestCookies::parse(&headers, "sid");
    /// assert_eq!(cookies.plain_values().collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn plain_values(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.plain_raw().map(text)
    }

    /// [`plain_values`](Self::plain_values) as the bytes sent.
    pub(crate) fn plain_raw(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let n = if self.conflict.is_none() {
            self.plain_seen.min(MAX_CANDIDATES)
        } else {
            0
        };
        self.plain[..n].iter().copied()
    }

    /// The value of chunk `name.index`, if present and there is no
    /// [`conflict`](Self::conflict).
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
        self.chunk_raw(index).map(text)
    }

    /// [`chunk`](Self::chunk) as the bytes sent.
    fn chunk_raw(&self, index: usize) -> Option<&'a [u8]> {
        if self.conflict.is_some() || !self.present.contains(index) {
            return None;
        }
        match self.chunks.get(index) {
            Some(value) => Some(value),
            None => self
                .overflow
                .iter()
                .find(|(k, _)| *k == index)
                .map(|(_, value)| *value),
        }
    }

    /// The indices of the chunks present, ascending; none after a
    /// [`conflict`](Self::conflict).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid.2=c; sid.0=a"));
    /// assert_eq!(RequestCookies::parse(&headers, "sid").chunk_indices().collect::<Vec<_>>(), [0, 2]);
    /// ```
    pub fn chunk_indices(&self) -> impl Iterator<Item = usize> + use<> {
        self.chunk_set().iter()
    }

    pub(crate) fn chunk_set(&self) -> ChunkSet {
        if self.conflict.is_none() {
            self.present
        } else {
            ChunkSet::default()
        }
    }

    /// Whether no pair carried our name or a chunk name of it (look-alike
    /// names do not count).
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// assert!(RequestCookies::parse(&headers, "sid").is_empty());
    /// headers.insert(COOKIE, HeaderValue::from_bytes("\u{a0}sid=x; SID=y; sid\u{2000}=z".as_bytes()).unwrap());
    /// assert!(RequestCookies::parse(&headers, "sid").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.plain_seen == 0 && self.present.is_empty()
    }

    /// Whether a name of ours occurred more than once.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::RequestCookies;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid=a; sid=b"));
    /// assert!(RequestCookies::parse(&headers, "sid").has_duplicates());
    /// ```
    pub fn has_duplicates(&self) -> bool {
        self.plain_seen > 1 || self.duplicate_chunk
    }

    /// The duplicate that makes this request's cookies unusable, when it
    /// is known without opening them (see [`CookieConflict`]). Duplicates
    /// of an unprefixed plain name are resolved by
    /// [`open`](Self::open) instead.
    ///
    /// ```
    /// # use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// # use sealed_session::http::{CookieConflict, RequestCookies};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).with_cookie_name("sid").build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("sid.0=2.a; sid.1=b; sid.0=2.c"));
    /// let cookies = RequestCookies::parse(&headers, "sid");
    /// assert_eq!(cookies.conflict(), Some(CookieConflict::DuplicateChunk));
    /// assert!(cookies.removals(&sealer).is_empty());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn conflict(&self) -> Option<CookieConflict> {
        self.conflict
    }

    /// The bytes the usable cookies take in the `Cookie` header, counting
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
}

/// A value as text: a sealed value is base64url, so one that is not UTF-8
/// is "" (it never opens, and still counts for the duplicate rule).
pub(super) fn text(value: &[u8]) -> &str {
    core::str::from_utf8(value).unwrap_or("")
}
