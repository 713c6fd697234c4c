//! Sealing: session in, `Set-Cookie` line (or bare value) out. The size
//! is checked on the exact line before anything is encrypted.

use super::{Sealer, clock, scratch};
use crate::Key;
use crate::cookie::attributes::{BROWSER_SESSION, MAX_AGE_CAP, push_max_age};
use crate::schema::SessionData;
use crate::session::Session;
use crate::wire::aad::{MAX_AAD_LEN, append_aad};
use crate::wire::aead::{MAX_NONCE_LEN, TAG_LEN};
use crate::wire::codec;
use crate::wire::envelope::{Fields, set_compressed};
use crate::wire::header::{HEADER_LEN, Header};
use crate::wire::unix::{MAX_UNIX, unix};
use crate::{ConfigError, Error, Result};
use serde::Serialize;
use time::OffsetDateTime;
use zeroize::Zeroize as _;

/// Sizes a chunked value: base64 length and Max-Age in, chunk count out
/// (`None`: one cookie). See `Sealer::seal_chunked_at`.
type ChunkPlan = fn(usize, i64) -> Result<Option<u8>>;

/// What the sealing pipeline seals: decided before any byte is written.
struct Draft<'a, T> {
    key: &'a Key,
    header: Header,
    fields: Fields<'a>,
    data: &'a T,
    max_age: i64,
}

/// No chunking: a single v1 cookie.
pub(super) const NO_CHUNKS: Option<ChunkPlan> = None;

/// The unpadded base64url text of sealed bytes (the Max-Age is not part of
/// a bare value).
pub(super) fn base64_value(bytes: &[u8], _max_age: i64) -> String {
    let mut out = String::with_capacity(codec::base64_len(bytes.len()));
    codec::encode_base64(bytes, &mut out);
    out
}
impl Sealer {
    /// Seals `session` into a complete `Set-Cookie` header value
    /// (`name=value; Max-Age=..; Path=/; Secure; HttpOnly; SameSite=Lax`),
    /// using the system clock.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let header = sealer.seal(&Session::new(1u32))?;
    /// assert!(header.ends_with("; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax"));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at).
    pub fn seal<T: SessionData>(&self, session: &Session<T>) -> Result<String> {
        self.seal_line(session, clock::unix_now()?)
    }

    /// Seals `session` at time `now` into a complete `Set-Cookie` value.
    ///
    /// A session never sealed before is stamped `issued_at = now` and
    /// `expires_at = now + ttl`; an opened one keeps both. The idle deadline
    /// becomes `now + idle timeout` (never past `expires_at`). The exact
    /// length of the returned string is checked against the limit before
    /// anything is encrypted.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let header = sealer.seal_at(&Session::new(1u32), datetime!(2030-01-01 0:00 UTC))?;
    /// assert!(header.len() <= 4096);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`] when the `Set-Cookie` value would exceed the
    /// limit, [`Error::Expired`] for a session whose absolute deadline has
    /// passed, [`Error::RetiredKey`] when the primary key has retired,
    /// [`Error::Serialize`] when `T` does not serialize,
    /// [`ConfigError::UntraceableSchema`] when `T` has neither a traceable
    /// shape nor an explicit version (declare it with
    /// [`SealerBuilder::with_schema`](crate::SealerBuilder::with_schema) to
    /// learn that when the sealer is built), and
    /// [`ConfigError::Clock`] for a clock outside 1970..=9999.
    pub fn seal_at<T: SessionData>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<String> {
        self.seal_line(session, unix(now)?)
    }

    /// [`seal_at`](Self::seal_at) at `now` in unix seconds, for callers
    /// that read the clock once per request.
    pub(crate) fn seal_line<T: SessionData>(
        &self,
        session: &Session<T>,
        now: i64,
    ) -> Result<String> {
        let c = &self.config;
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            now,
            crate::random::fill,
            NO_CHUNKS,
            |bytes, max_age| {
                let mut out = String::with_capacity(self.cookie_len(bytes.len(), max_age));
                out.push_str(&c.name);
                out.push('=');
                codec::encode_base64(bytes, &mut out);
                push_max_age(&mut out, max_age);
                out.push_str(&c.suffix);
                out
            },
        )
    }

    /// Seals `session` into the bare cookie value (no name, no attributes),
    /// using the system clock; for tests and custom header handling. The
    /// size check still counts the full `Set-Cookie` line.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let value = sealer.seal_value(&Session::new(1u32))?;
    /// assert_eq!(*sealer.open::<u32>(&value)?.session().data(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at).
    pub fn seal_value<T: SessionData>(&self, session: &Session<T>) -> Result<String> {
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            clock::unix_now()?,
            crate::random::fill,
            NO_CHUNKS,
            base64_value,
        )
    }

    /// [`seal_value`](Self::seal_value) at time `now`.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// let value = sealer.seal_value_at(&Session::new(1u32), now)?;
    /// assert_eq!(*sealer.open_at::<u32>(&value, now)?.session().data(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at).
    pub fn seal_value_at<T: SessionData>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<String> {
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            unix(now)?,
            crate::random::fill,
            NO_CHUNKS,
            base64_value,
        )
    }

    /// Seals `session` for chunking: `plan` gets the length of the base64
    /// value and the Max-Age, checks that the cookies fit and returns the
    /// chunk count, which is bound into the associated data, or `None` for
    /// a single v1 cookie. Returns the value and the Max-Age.
    pub(crate) fn seal_chunked_at<T: SessionData>(
        &self,
        session: &Session<T>,
        now: i64,
        plan: impl FnOnce(usize, i64) -> Result<Option<u8>>,
    ) -> Result<(String, i64)> {
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            now,
            crate::random::fill,
            Some(plan),
            |bytes, max_age| (base64_value(bytes, max_age), max_age),
        )
    }

    /// The sealing pipeline. Without `plan` the value is one cookie, sized
    /// against the cookie limit; with it, `plan` sizes the chunks and names
    /// their count (see [`seal_chunked_at`](Self::seal_chunked_at)).
    /// The sealed bytes are built in this thread's scratch buffer and
    /// handed to `finish` with the Max-Age, which makes the one string the
    /// caller gets.
    pub(super) fn seal_planned<T: Serialize, R>(
        &self,
        session: &Session<T>,
        schema: u32,
        now: i64,
        fill_nonce: impl FnOnce(&mut [u8]),
        plan: Option<impl FnOnce(usize, i64) -> Result<Option<u8>>>,
        finish: impl FnOnce(&[u8], i64) -> R,
    ) -> Result<R> {
        let c = &self.config;
        let key = c.keys.sealing(now)?;
        let issued_at = session.issued_at.unwrap_or(now);
        // Never longer than this sealer's TTL: its readers would refuse it
        // (`Error::LifetimeTooLong`), so a session opened under a longer
        // TTL is shortened when sealed again.
        let longest = issued_at + session.lifetime.map_or(c.ttl, |l| l.min(c.ttl));
        let expires_at = session.expires_at.map_or(longest, |at| at.min(longest));
        if expires_at <= now {
            return Err(Error::Expired);
        }
        if expires_at > MAX_UNIX || expires_at - issued_at > i64::from(u32::MAX) {
            return Err(ConfigError::Clock.into());
        }
        let fields = Fields {
            session_id: *session.id().as_bytes(),
            issued_at,
            expires_at,
            // Clamped below too: a node whose clock is behind `issued_at`
            // (within the leeway) must not write a negative offset.
            idle_deadline: c.idle.map(|idle| (now + idle).clamp(issued_at, expires_at)),
            subject: session.subject(),
            schema,
            messagepack: c.codec.is_messagepack(),
            browser_session: session.browser_session,
        };
        let draft = Draft {
            key: &key,
            header: Header {
                algorithm: key.algorithm(),
                key_id: key.id(),
            },
            fields,
            data: session.data(),
            max_age: if session.browser_session {
                BROWSER_SESSION
            } else {
                (expires_at - now).min(MAX_AGE_CAP)
            },
        };
        scratch::with_buffer(|bytes| {
            self.seal_into(bytes, &draft, fill_nonce, plan)?;
            Ok(finish(bytes, draft.max_age))
        })
    }

    /// Writes `header || nonce || encrypted envelope || tag` into `bytes`
    /// (empty on entry).
    fn seal_into<T: Serialize>(
        &self,
        bytes: &mut Vec<u8>,
        draft: &Draft<'_, T>,
        fill_nonce: impl FnOnce(&mut [u8]),
        plan: Option<impl FnOnce(usize, i64) -> Result<Option<u8>>>,
    ) -> Result<()> {
        let c = &self.config;
        let Draft {
            key,
            header,
            max_age,
            ..
        } = *draft;
        let nonce_len = header.algorithm.nonce_len();
        let envelope_at = HEADER_LEN + nonce_len;
        // Whatever fits a cookie fits this: one allocation per thread, not
        // a doubling series while the payload is written.
        bytes.reserve(c.max_cookie_size + MAX_AAD_LEN);
        bytes.extend_from_slice(&header.encode());
        bytes.extend_from_slice(&[0; MAX_NONCE_LEN][..nonce_len]);
        draft.fields.write(bytes);
        let payload_at = bytes.len();
        *bytes = codec::serialize_into(draft.data, std::mem::take(bytes), c.codec)?;
        let packed = c
            .compression
            .and_then(|s| codec::compress(&bytes[payload_at..], s));
        if let Some(packed) = packed {
            // Truncating would leave the plaintext payload beyond `len`,
            // where the scratch buffer's wipe (up to `len`) never looks.
            bytes[payload_at..].zeroize();
            bytes.truncate(payload_at);
            bytes.extend_from_slice(&packed);
            set_compressed(&mut bytes[envelope_at..]);
        }
        let size = self.cookie_len(bytes.len() + TAG_LEN, max_age);
        let chunks = match plan {
            Some(plan) => plan(codec::base64_len(bytes.len() + TAG_LEN), max_age)?,
            None if size > c.max_cookie_size => {
                return Err(Error::TooLarge {
                    size,
                    limit: c.max_cookie_size,
                });
            }
            None => None,
        };
        let aad_at = append_aad(bytes, &c.aad_labels, chunks);
        let (head, rest) = bytes.split_at_mut(envelope_at);
        let (envelope, aad) = rest.split_at_mut(aad_at - envelope_at);
        let nonce = &mut head[HEADER_LEN..];
        fill_nonce(nonce);
        let tag = key
            .cipher
            .encrypt(nonce, aad, envelope)
            .ok_or(Error::TooLarge {
                size,
                limit: c.max_cookie_size,
            })?;
        bytes.truncate(aad_at);
        bytes.extend_from_slice(&tag);
        Ok(())
    }
}
