//! Sealing over chunks: plan the fewest cookies that fit the cookie limit
//! and the header budget, then render their `Set-Cookie` lines.

use super::{Chunking, SealedCookies};
use crate::SessionData;
use crate::cookie::attributes::max_age_len;
use crate::{Error, Result, Sealer, Session};
use time::OffsetDateTime;

impl Chunking {
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
    pub fn seal<T: SessionData>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
    ) -> Result<SealedCookies> {
        self.seal_at(sealer, session, OffsetDateTime::now_utc())
    }

    /// Seals `session` at `now` into one cookie if it fits (a plain v1
    /// value, exactly as [`Sealer::seal_at`] would write it, whatever the
    /// header budget), else into as few chunks as fit. Every line is
    /// checked against the sealer's cookie limit, and the chunks together
    /// against the request-header budget, before anything is encrypted.
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
    /// value any allowed layout carries (one cookie, or up to the maximum
    /// chunk count within the budget); otherwise as [`Sealer::seal_at`].
    pub fn seal_at<T: SessionData>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<SealedCookies> {
        self.seal_unix(sealer, session, crate::wire::unix::unix(now)?)
    }

    /// [`seal_at`](Self::seal_at) at `now` in unix seconds.
    pub(crate) fn seal_unix<T: SessionData>(
        &self,
        sealer: &Sealer,
        session: &Session<T>,
        now: i64,
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
    pub fn seal_with_nonce_at<T: SessionData>(
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

    /// Chooses the layout of a value of `len` bytes: one cookie if it fits
    /// the cookie limit, else the fewest chunks that fit the cookie limit
    /// and the budget.
    ///
    /// The budget does not apply to one cookie: a session that fits one is
    /// sealed exactly as [`Sealer::seal`] would seal it, so turning
    /// chunking on never refuses a session that sealed without it.
    fn plan(&self, sealer: &Sealer, len: usize, max_age: i64) -> Result<Plan> {
        let name = sealer.cookie_name().len();
        let fixed = max_age_len(max_age) + sealer.attribute_suffix().len();
        let per_cookie = sealer.max_cookie_size();
        let mut longest = 0;
        for n in 1..=self.max_chunks {
            let plan = Plan::new(n, name, fixed, per_cookie);
            let fits = match plan.count {
                None => plan.capacity,
                Some(_) => plan
                    .capacity
                    .min(self.header_budget.saturating_sub(plan.header_overhead)),
            };
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
        let single = carried_single && written > 0;
        let mut stale = carried_chunks
            .into_iter()
            .filter(|&k| k >= written)
            .peekable();
        // Nearly every response removes nothing: no removal line is built.
        if !single && stale.peek().is_none() {
            return Vec::new();
        }
        let name = sealer.cookie_name();
        let removal = sealer.removal_cookie();
        let rest = &removal[name.len()..];
        let mut lines = Vec::new();
        if single {
            lines.push(removal.clone());
        }
        lines.extend(stale.map(|k| format!("{name}.{k}{rest}")));
        lines
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

fn decimal_len(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_lengths() {
        for (n, len) in [(0, 1), (9, 1), (10, 2), (254, 3)] {
            assert_eq!(decimal_len(n), len);
        }
    }
}
