//! Chunking (opt-in): a session too large for one cookie is split over
//! `name.0 .. name.{n-1}`, with the chunk count bound into the associated
//! data (FORMAT.md, "Chunked values").
//!
//! Framework-neutral: it takes the cookie values a request carried and
//! gives back `Set-Cookie` lines. The `http` and `axum` integrations use it.

mod open;
mod seal;

use crate::{ConfigError, Result, Sealer};

/// Default maximum number of chunk cookies.
pub const DEFAULT_MAX_CHUNKS: u8 = 4;

/// Default budget, in bytes, for all of the session's cookies in the
/// request's `Cookie` header (`name=value` pairs and their `; `
/// separators). Common servers and proxies refuse request header lines
/// above 8 KiB (nginx's `large_client_header_buffers`, Apache's
/// `LimitRequestFieldSize` 8190) with 431, 400 or 502; 6 KiB leaves room
/// for the site's other cookies.
pub const DEFAULT_HEADER_BUDGET: usize = 6144;

/// Chunking settings: how many chunk cookies a session may use, and how
/// many bytes all of them may take in the request's `Cookie` header.
///
/// A session that fits one cookie is sealed exactly as without chunking
/// (a v1 value under the plain name), whatever the header budget; only a
/// larger one is split, into as few chunks as fit the cookie limit and
/// the budget. The first chunk's value starts with the count
/// (`3.` for three chunks), and the count is authenticated: dropping,
/// reordering, adding or mixing chunks fails to open.
///
/// ```
/// use sealed_session::{Chunking, Key, KeyRing, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let chunking = Chunking::new().with_max_chunks(3);
/// chunking.check(&sealer)?;
///
/// // About 3.5 KB of data: two cookies.
/// let sealed = chunking.seal(&sealer, &Session::new("x".repeat(3500)))?;
/// assert_eq!(sealed.chunk_count(), Some(2));
/// assert!(sealed.set_cookies().iter().all(|line| line.len() <= 4096));
///
/// // The next request carries `__Host-session.0` and `__Host-session.1`.
/// let pair = |line: &String| line.split(';').next().unwrap().split_once('=').map(|(n, v)| (n.to_owned(), v.to_owned())).unwrap();
/// let jar: Vec<_> = sealed.set_cookies().iter().map(pair).collect();
/// let chunk = |k: usize| jar.get(k).map(|(_, v)| v.as_str());
/// let opened = chunking.open::<String>(&sealer, None, chunk)?;
/// assert_eq!(opened.session().data().len(), 3500);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunking {
    max_chunks: u8,
    header_budget: usize,
}

impl Default for Chunking {
    fn default() -> Self {
        Chunking::new()
    }
}

/// The `Set-Cookie` lines of one sealed session: one line for a single
/// cookie, or one per chunk.
///
/// ```
/// # use sealed_session::*;
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sealed = Chunking::new().seal(&sealer, &Session::new(1u8))?;
/// assert_eq!(sealed.chunk_count(), None);
/// assert_eq!(sealed.set_cookies().len(), 1);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedCookies {
    lines: Vec<String>,
    chunks: Option<u8>,
}

impl SealedCookies {
    /// The `Set-Cookie` header values, in chunk order.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sealed = Chunking::new().seal(&sealer, &Session::new(1u8))?;
    /// assert!(sealed.set_cookies()[0].starts_with("__Host-session="));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn set_cookies(&self) -> &[String] {
        &self.lines
    }

    /// The number of chunks, or `None` for a single cookie.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sealed = Chunking::new().seal(&sealer, &Session::new(vec![7u8; 4000]))?;
    /// assert_eq!(sealed.chunk_count(), Some(2));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn chunk_count(&self) -> Option<u8> {
        self.chunks
    }

    /// The lines, consuming the value.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let lines = Chunking::new().seal(&sealer, &Session::new(1u8))?.into_set_cookies();
    /// assert_eq!(lines.len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn into_set_cookies(self) -> Vec<String> {
        self.lines
    }
}

impl Chunking {
    /// The defaults: at most [`DEFAULT_MAX_CHUNKS`] chunks within
    /// [`DEFAULT_HEADER_BUDGET`] bytes.
    ///
    /// ```
    /// let c = sealed_session::Chunking::new();
    /// assert_eq!(c.max_chunks(), 4);
    /// assert_eq!(c.header_budget(), 6144);
    /// ```
    pub fn new() -> Chunking {
        Chunking {
            max_chunks: DEFAULT_MAX_CHUNKS,
            header_budget: DEFAULT_HEADER_BUDGET,
        }
    }

    /// Sets the maximum number of chunk cookies (2 to 255).
    ///
    /// ```
    /// assert_eq!(sealed_session::Chunking::new().with_max_chunks(8).max_chunks(), 8);
    /// ```
    pub fn with_max_chunks(mut self, max_chunks: u8) -> Self {
        self.max_chunks = max_chunks;
        self
    }

    /// Sets the budget for all of the session's cookies in the request's
    /// `Cookie` header, in bytes. It bounds chunked sessions only: a session
    /// that fits one cookie is one plain cookie, as without chunking.
    ///
    /// ```
    /// assert_eq!(sealed_session::Chunking::new().with_header_budget(4000).header_budget(), 4000);
    /// ```
    pub fn with_header_budget(mut self, bytes: usize) -> Self {
        self.header_budget = bytes;
        self
    }

    /// The maximum number of chunk cookies.
    ///
    /// ```
    /// assert_eq!(sealed_session::Chunking::new().max_chunks(), 4);
    /// ```
    pub fn max_chunks(&self) -> u8 {
        self.max_chunks
    }

    /// The request-header budget in bytes.
    ///
    /// ```
    /// assert_eq!(sealed_session::Chunking::new().header_budget(), 6144);
    /// ```
    pub fn header_budget(&self) -> usize {
        self.header_budget
    }

    /// Checks the settings against `sealer` once, at startup: 2 to 255
    /// chunks, and a budget and cookie limit that leave room for at least
    /// a minimal cookie under the name.
    ///
    /// ```
    /// use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert!(Chunking::new().check(&sealer).is_ok());
    /// assert_eq!(
    ///     Chunking::new().with_max_chunks(1).check(&sealer),
    ///     Err(Error::InvalidConfig(ConfigError::Chunking))
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Chunking`] when a setting is out of range.
    pub fn check(&self, sealer: &Sealer) -> Result<()> {
        let smallest = sealer.cookie_name().len() + ".0=2.".len() + 64;
        if self.max_chunks < 2 || self.header_budget < smallest {
            return Err(ConfigError::Chunking.into());
        }
        Ok(())
    }
}
