//! Chunking (opt-in): a session too large for one cookie is split over
//! `name.0 .. name.{n-1}`, with the chunk count bound into the associated
//! data (FORMAT.md, "Chunked values").
//!
//! Framework-neutral: it takes the cookie values a request carried and
//! gives back `Set-Cookie` lines. The `http` and `axum` integrations use it.

use crate::cookie::attributes::max_age_len;
use crate::{ConfigError, Error, Malformed, Opened, Result, Sealer, Session};
use serde::{Serialize, de::DeserializeOwned};
use time::OffsetDateTime;

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
/// (a v1 value under the plain name); only a larger one is split, into
/// as few chunks as fit. The first chunk's value starts with the count
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
    /// One complete `Set-Cookie` line of an unchunked sealer.
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    pub(crate) fn single(line: String) -> SealedCookies {
        SealedCookies {
            lines: vec![line],
            chunks: None,
        }
    }

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
    /// `Cookie` header, in bytes.
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

    /// Seals `session` with the system clock; see [`seal_at`](Self::seal_at).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(Chunking::new().seal(&sealer, &Session::new(1u8))?.chunk_count(), None);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at).
    pub fn seal<T: Serialize>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
    ) -> Result<SealedCookies> {
        self.seal_at(sealer, session, OffsetDateTime::now_utc())
    }

    /// Seals `session` at `now` into one cookie if it fits (a plain v1
    /// value), else into as few chunks as fit. Every line is checked
    /// against the sealer's cookie limit and all of them together against
    /// the request-header budget before anything is encrypted.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let err = Chunking::new()
    ///     .with_max_chunks(2)
    ///     .seal_at(&sealer, &Session::new(vec![0u8; 9000]), datetime!(2030-01-01 0:00 UTC))
    ///     .unwrap_err();
    /// assert!(matches!(err, Error::TooLarge { .. }));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] with the sealed value's length and the longest
    /// value that the maximum chunk count within the budget carries;
    /// otherwise as [`Sealer::seal_at`].
    pub fn seal_at<T: Serialize>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<SealedCookies> {
        self.seal_with_layout(sealer, |plan| sealer.seal_chunked_at(session, now, plan))
    }

    /// Seals with a caller-chosen nonce, for known-answer test vectors only
    /// (tests/vectors/v1-chunked.json): [`seal_at`](Self::seal_at), same
    /// layout and chunks, but with `nonce` instead of a random one.
    ///
    /// Reusing a nonce under one key breaks confidentiality and, for the GCM
    /// algorithms, authenticity: this exists behind the `vectors` feature so
    /// that other implementations can be checked byte for byte, and must
    /// never be enabled in production builds.
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at), and [`Malformed::TooShort`] when
    /// `nonce` is not the primary algorithm's nonce length.
    #[cfg(feature = "vectors")]
    #[doc(hidden)]
    pub fn seal_with_nonce_at<T: Serialize>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
        now: OffsetDateTime,
        nonce: &[u8],
    ) -> Result<SealedCookies> {
        self.seal_with_layout(sealer, |plan| {
            sealer.seal_chunked_with_nonce_at(session, now, nonce, plan)
        })
    }

    /// Runs `seal` with the layout planner and renders the chunks: the
    /// steps [`seal_at`](Self::seal_at) and the vectors' fixed-nonce seal
    /// share.
    fn seal_with_layout(
        &self,
        sealer: &Sealer,
        seal: impl FnOnce(&mut dyn FnMut(usize, i64) -> Result<Option<u8>>) -> Result<(String, i64)>,
    ) -> Result<SealedCookies> {
        let mut layout = None;
        let (value, max_age) = seal(&mut |len, max_age| {
            let plan = self.plan(sealer, len, max_age)?;
            let count = plan.count;
            layout = Some(plan);
            Ok(count)
        })?;
        let plan = layout.ok_or(Error::Serialize)?;
        Ok(self.render(sealer, &value, max_age, &plan))
    }

    /// Opens the session from the cookies a request carried, with the
    /// system clock; see [`open_at`](Self::open_at).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let value = sealer.seal_value(&Session::new(5u8))?;
    /// let opened = Chunking::new().open::<u8>(&sealer, Some(&value), |_| None)?;
    /// assert_eq!(*opened.session().data(), 5);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_at`](Self::open_at).
    pub fn open<'a, T: DeserializeOwned>(
        &self,
        sealer: &Sealer,
        single: Option<&str>,
        chunk: impl Fn(usize) -> Option<&'a str>,
    ) -> Result<Opened<T>> {
        self.open_at(sealer, single, chunk, OffsetDateTime::now_utc())
    }

    /// Opens at `now` the session a request carried: `single` is the value
    /// of the cookie under the plain name, `chunk(k)` that of `name.k`. A
    /// single cookie, when present, is the one opened (the crate never
    /// leaves both: writing one form clears the other).
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// let err = Chunking::new().open_at::<u8>(&sealer, None, |k| (k == 0).then_some("2.AAAA"), now);
    /// assert_eq!(err.unwrap_err(), Error::Malformed(Malformed::Chunks));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Malformed::Empty`] when neither form is present;
    /// [`Malformed::Chunks`] for a first chunk without a valid count (2 up
    /// to the maximum) or a missing or empty chunk; [`Error::TooLarge`] for
    /// joined chunks longer than the maximum count of cookies can hold;
    /// [`Error::Unauthenticated`] for dropped, reordered, added or mixed
    /// chunks (or, when the joined text no longer decodes as canonical
    /// base64url or no longer starts with the header, the error
    /// [`Sealer::open_at`] gives for it, such as [`Malformed::Base64`]);
    /// otherwise as [`Sealer::open_at`].
    pub fn open_at<'a, T: DeserializeOwned>(
        &self,
        sealer: &Sealer,
        single: Option<&str>,
        chunk: impl Fn(usize) -> Option<&'a str>,
        now: OffsetDateTime,
    ) -> Result<Opened<T>> {
        if let Some(value) = single {
            return sealer.open_at(value, now);
        }
        let first = chunk(0).ok_or(Malformed::Empty)?;
        let (count, head) = parse_count(first, self.max_chunks)?;
        let limit = usize::from(count) * sealer.max_cookie_size();
        let mut joined = String::with_capacity(limit.min(64 * 1024));
        joined.push_str(head);
        for k in 1..usize::from(count) {
            let part = chunk(k)
                .filter(|p| !p.is_empty())
                .ok_or(Malformed::Chunks)?;
            joined.push_str(part);
            if joined.len() > limit {
                return Err(Error::TooLarge {
                    size: joined.len(),
                    limit,
                });
            }
        }
        if head.is_empty() {
            return Err(Malformed::Chunks.into());
        }
        sealer.open_chunked_at(&joined, count, now)
    }

    /// `Set-Cookie` lines that delete what a request carried and the new
    /// cookies do not overwrite: the plain cookie when the session is now
    /// chunked (or gone), chunks from `written` on (`written` is the new
    /// chunk count, 0 for a single cookie or none).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// // The request had three chunks; the session now fits one cookie.
    /// let lines = Chunking::removals(&sealer, false, [0, 1, 2], 0);
    /// assert_eq!(lines.len(), 3);
    /// assert!(lines[2].starts_with("__Host-session.2=; Max-Age=0;"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn removals(
        sealer: &Sealer,
        carried_single: bool,
        carried_chunks: impl IntoIterator<Item = usize>,
        written: usize,
    ) -> Vec<String> {
        let name = sealer.cookie_name();
        let removal = sealer.removal_cookie();
        let rest = &removal[name.len()..];
        let mut lines = Vec::new();
        if carried_single && written > 0 {
            lines.push(removal.clone());
        }
        for k in carried_chunks {
            if k >= written {
                lines.push(format!("{name}.{k}{rest}"));
            }
        }
        lines
    }

    /// Chooses the layout of a value of `len` bytes: one cookie if it fits,
    /// else the fewest chunks that fit the cookie limit and the budget.
    fn plan(&self, sealer: &Sealer, len: usize, max_age: i64) -> Result<Plan> {
        let name = sealer.cookie_name().len();
        let fixed = max_age_len(max_age) + sealer.attribute_suffix().len();
        let per_cookie = sealer.max_cookie_size();
        let mut longest = 0;
        for n in 1..=self.max_chunks {
            let plan = Plan::new(n, name, fixed, per_cookie);
            let fits = plan
                .capacity
                .min(self.header_budget.saturating_sub(plan.header_overhead));
            longest = longest.max(fits);
            if len <= fits {
                return Ok(plan);
            }
        }
        Err(Error::TooLarge {
            size: len,
            limit: longest,
        })
    }

    fn render(&self, sealer: &Sealer, value: &str, max_age: i64, plan: &Plan) -> SealedCookies {
        let name = sealer.cookie_name();
        let mut tail = String::new();
        crate::cookie::attributes::push_max_age(&mut tail, max_age);
        tail.push_str(sealer.attribute_suffix());
        let Some(count) = plan.count else {
            return SealedCookies {
                lines: vec![format!("{name}={value}{tail}")],
                chunks: None,
            };
        };
        let mut lines = Vec::with_capacity(usize::from(count));
        let mut rest = value;
        for (k, cap) in plan.caps.iter().enumerate() {
            // base64url text is ASCII: any byte offset is a char boundary.
            let (part, after) = rest.split_at((*cap).min(rest.len()));
            rest = after;
            let prefix = if k == 0 {
                format!("{count}.")
            } else {
                String::new()
            };
            lines.push(format!("{name}.{k}={prefix}{part}{tail}"));
        }
        SealedCookies {
            lines,
            chunks: Some(count),
        }
    }
}

/// A layout: the chunk count (`None` for one cookie), the value bytes each
/// cookie holds, and what the cookies add to the request header besides.
#[derive(Debug, Clone)]
struct Plan {
    count: Option<u8>,
    caps: Vec<usize>,
    capacity: usize,
    header_overhead: usize,
}

impl Plan {
    /// `n` cookies for a name of `name` bytes, `fixed` bytes of Max-Age and
    /// attributes per line, `per_cookie` bytes per line at most.
    fn new(n: u8, name: usize, fixed: usize, per_cookie: usize) -> Plan {
        if n == 1 {
            let cap = per_cookie.saturating_sub(name + 1 + fixed);
            return Plan {
                count: None,
                caps: vec![cap],
                capacity: cap,
                header_overhead: name + 1,
            };
        }
        let mut caps = Vec::with_capacity(usize::from(n));
        let mut header_overhead = 2 * (usize::from(n) - 1);
        for k in 0..usize::from(n) {
            let count_prefix = if k == 0 {
                decimal_len(usize::from(n)) + 1
            } else {
                0
            };
            let cookie_name = name + 1 + decimal_len(k);
            caps.push(per_cookie.saturating_sub(cookie_name + 1 + count_prefix + fixed));
            header_overhead += cookie_name + 1 + count_prefix;
        }
        Plan {
            count: Some(n),
            capacity: caps.iter().sum(),
            caps,
            header_overhead,
        }
    }
}

/// Splits `n.rest` into the count and the first part; the count is plain
/// decimal (no sign, no leading zero) from 2 to `max`.
fn parse_count(first: &str, max: u8) -> Result<(u8, &str)> {
    let (digits, rest) = first.split_once('.').ok_or(Malformed::Chunks)?;
    let valid = !digits.is_empty()
        && digits.len() <= 3
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    match digits.parse::<u8>() {
        Ok(n) if valid && (2..=max).contains(&n) => Ok((n, rest)),
        _ => Err(Malformed::Chunks.into()),
    }
}

fn decimal_len(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_parse_strictly() {
        assert_eq!(parse_count("2.ab", 4).unwrap(), (2, "ab"));
        assert_eq!(parse_count("4.", 4).unwrap(), (4, ""));
        for bad in ["1.ab", "5.ab", "02.ab", "+2.ab", ".ab", "ab", "256.x", "2"] {
            assert!(parse_count(bad, 4).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimal_lengths() {
        for (n, len) in [(0, 1), (9, 1), (10, 2), (254, 3)] {
            assert_eq!(decimal_len(n), len);
        }
    }
}
