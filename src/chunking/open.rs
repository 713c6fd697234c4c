//! Opening over chunks: find the chunk cookies, check their count, join
//! them and open the joined value with the count bound.

use super::Chunking;
use crate::SessionData;
use crate::{Error, Malformed, Opened, Result, Sealer};
use time::OffsetDateTime;

impl Chunking {
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
    pub fn open<'a, T: SessionData>(
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
    /// In this order: [`Malformed::Empty`] when neither form is present;
    /// [`Malformed::Chunks`] for a first chunk without a valid count (2 up
    /// to the maximum) or a missing or empty chunk, whatever the lengths of
    /// the others; [`Error::TooLarge`] when the `n` parts together are
    /// longer than `n` times the maximum cookie size, before anything is
    /// joined or decoded;
    /// [`Error::Unauthenticated`] for dropped, reordered, added or mixed
    /// chunks (or, when the joined text no longer decodes as canonical
    /// base64url or no longer starts with the header, the error
    /// [`Sealer::open_at`] gives for it, such as [`Malformed::Base64`]);
    /// otherwise as [`Sealer::open_at`].
    pub fn open_at<'a, T: SessionData>(
        &self,
        sealer: &Sealer,
        single: Option<&str>,
        chunk: impl Fn(usize) -> Option<&'a str>,
        now: OffsetDateTime,
    ) -> Result<Opened<T>> {
        self.open_unix(sealer, single, chunk, crate::wire::unix::unix(now)?)
    }

    /// [`open_at`](Self::open_at) at `now` in unix seconds.
    pub(crate) fn open_unix<'a, T: SessionData>(
        &self,
        sealer: &Sealer,
        single: Option<&str>,
        chunk: impl Fn(usize) -> Option<&'a str>,
        now: i64,
    ) -> Result<Opened<T>> {
        if let Some(value) = single {
            return sealer.open_unix(value, now);
        }
        let first = chunk(0).ok_or(Malformed::Empty)?;
        let (count, head) = parse_count(first, self.max_chunks)?;
        // Every shape check before the length check (FORMAT.md section 11):
        // which chunks are missing decides the reason, not how long the
        // others are. Nothing is copied until both passed.
        let mut parts = Vec::with_capacity(usize::from(count));
        parts.push(head);
        for k in 1..usize::from(count) {
            parts.push(chunk(k).ok_or(Malformed::Chunks)?);
        }
        if parts.iter().any(|p| p.is_empty()) {
            return Err(Malformed::Chunks.into());
        }
        let size = parts.iter().map(|p| p.len()).fold(0, usize::saturating_add);
        let limit = usize::from(count).saturating_mul(sealer.max_cookie_size());
        if size > limit {
            return Err(Error::TooLarge { size, limit });
        }
        let joined = parts.concat();
        sealer.open_chunked_unix(&joined, count, now)
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
}
