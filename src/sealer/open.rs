//! Opening: cookie value in, typed session out, each stage rejecting with
//! its own error: length cap, strict base64url, header, key, AEAD,
//! envelope, deadlines, decompression, deserialization.

use super::{Sealer, clock, scratch};
use crate::schema::SessionData;
use crate::session::{Opened, Reseal, Session, SessionId};
use crate::wire::aad::{MAX_AAD_LEN, append_aad};
use crate::wire::aead::TAG_LEN;
use crate::wire::codec;
use crate::wire::envelope::Envelope;
use crate::wire::header::{HEADER_LEN, Header};
use crate::wire::unix::unix;
use crate::{Error, Malformed, Result};
use time::OffsetDateTime;

impl Sealer {
    /// Opens a cookie value (the part after `name=`) using the system clock.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let value = sealer.seal_value(&Session::new(vec![1u8, 2]))?;
    /// assert_eq!(sealer.open::<Vec<u8>>(&value)?.session().data(), &[1, 2]);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_at`](Self::open_at).
    pub fn open<T: SessionData>(&self, value: &str) -> Result<Opened<T>> {
        self.open_with(value.as_bytes(), clock::unix_now()?, None, |e, p| {
            self.decode(e, p)
        })
    }

    /// Opens a cookie value at time `now`.
    ///
    /// The steps, each rejecting with its own [`Error`]: length cap, strict
    /// base64url, header (version, algorithm), key lookup by id (unknown,
    /// retired, other algorithm), authentication, envelope, deadlines with
    /// the leeway, decompression (capped), the payload's schema (the
    /// type's, or one a migration or staged schema reads), deserialization
    /// (exact).
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_ttl(Duration::hours(1))
    ///     .build()?;
    /// let t0 = datetime!(2030-01-01 0:00 UTC);
    /// let value = sealer.seal_value_at(&Session::new(()), t0)?;
    /// assert!(sealer.open_at::<()>(&value, t0 + Duration::minutes(59)).is_ok());
    /// assert_eq!(
    ///     sealer.open_at::<()>(&value, t0 + Duration::hours(2)).unwrap_err(),
    ///     Error::Expired
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Every [`Error`] reason of a bad, old or forged cookie; see the list
    /// above.
    pub fn open_at<T: SessionData>(&self, value: &str, now: OffsetDateTime) -> Result<Opened<T>> {
        self.open_with(value.as_bytes(), unix(now)?, None, |e, p| self.decode(e, p))
    }

    /// Opens a cookie value at `now` like [`open_at`](Self::open_at), every
    /// check included, but returns the payload's bytes (postcard encoding,
    /// decompressed) instead of deserializing them: for tools that inspect
    /// cookies without knowing the session type.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let now = datetime!(2030-01-01 0:00 UTC);
    /// let value = sealer.seal_value_at(&Session::new(300u16), now)?;
    /// assert_eq!(sealer.open_raw_at(&value, now)?.session().data(), &[0xac, 0x02]);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`open_at`](Self::open_at), except [`Error::Deserialize`] and the
    /// schema errors.
    pub fn open_raw_at(&self, value: &str, now: OffsetDateTime) -> Result<Opened<Vec<u8>>> {
        self.open_with(value.as_bytes(), unix(now)?, None, |_, payload| {
            Ok((payload.to_vec(), false))
        })
    }

    /// Opens the joined value of a session split over `chunks` cookies
    /// (FORMAT.md, "Chunked values"): the count is bound into the
    /// associated data, so a value opens only with the count it was sealed
    /// for. The caller caps the joined length; see `crate::chunking`.
    pub(crate) fn open_chunked_unix<T: SessionData>(
        &self,
        value: &str,
        chunks: u8,
        now: i64,
    ) -> Result<Opened<T>> {
        self.open_with(value.as_bytes(), now, Some(chunks), |e, p| {
            self.decode(e, p)
        })
    }

    /// [`open_at`](Self::open_at) at `now` in unix seconds, for callers
    /// that read the clock once per request.
    pub(crate) fn open_unix<T: SessionData>(&self, value: &str, now: i64) -> Result<Opened<T>> {
        self.open_bytes_unix(value.as_bytes(), now)
    }

    /// [`open_unix`](Self::open_unix) over the value's bytes as sent: the
    /// base64 decoder refuses every byte outside its alphabet, so a value
    /// needs no UTF-8 check first.
    pub(crate) fn open_bytes_unix<T: SessionData>(
        &self,
        value: &[u8],
        now: i64,
    ) -> Result<Opened<T>> {
        self.open_with(value, now, None, |e, p| self.decode(e, p))
    }

    /// The payload as a `T`, by its schema; the flag asks for a re-seal
    /// (migrated, or written in another codec than this sealer's).
    fn decode<T: SessionData>(&self, envelope: &Envelope<'_>, payload: &[u8]) -> Result<(T, bool)> {
        let c = &self.config;
        let (data, migrated) = c
            .schemas
            .decode(envelope.schema, payload, envelope.messagepack)?;
        Ok((
            data,
            migrated || envelope.messagepack != c.codec.is_messagepack(),
        ))
    }

    /// The opening pipeline; `decode` turns the (decompressed) payload into
    /// the session data and says whether its schema asks for a re-seal.
    /// `chunks` is the count of a chunked value.
    fn open_with<T>(
        &self,
        value: &[u8],
        now: i64,
        chunks: Option<u8>,
        decode: impl FnOnce(&Envelope<'_>, &[u8]) -> Result<(T, bool)>,
    ) -> Result<Opened<T>> {
        let c = &self.config;
        if value.is_empty() {
            return Err(Malformed::Empty.into());
        }
        let limit = c.max_cookie_size - c.name.len() - 1;
        if chunks.is_none() && value.len() > limit {
            return Err(Error::TooLarge {
                size: value.len(),
                limit,
            });
        }
        scratch::with_buffer(|buf| {
            // Room for the associated data after the decoded bytes, so that
            // appending it never reallocates.
            buf.reserve(value.len() + MAX_AAD_LEN);
            codec::decode_base64_into(value, buf)?;
            self.open_sealed(buf, now, chunks, decode)
        })
    }

    /// Opens decoded bytes: header, key, authentication, envelope,
    /// deadlines, payload. The plaintext is decrypted in place; the
    /// associated data is appended to `buf` after the sealed bytes.
    fn open_sealed<T>(
        &self,
        buf: &mut Vec<u8>,
        now: i64,
        chunks: Option<u8>,
        decode: impl FnOnce(&Envelope<'_>, &[u8]) -> Result<(T, bool)>,
    ) -> Result<Opened<T>> {
        let c = &self.config;
        let header = Header::decode(buf)?;
        let (key, non_primary_key) = c.keys.opening(header, now)?;
        let aad_at = append_aad(buf, &c.aad_labels, chunks);
        let (sealed, aad) = buf.split_at_mut(aad_at);
        let tag_at = sealed.len() - TAG_LEN;
        let (head, tag) = sealed.split_at_mut(tag_at);
        let (nonce, ciphertext) = head[HEADER_LEN..].split_at_mut(header.algorithm.nonce_len());
        if !key.cipher.decrypt(nonce, aad, ciphertext, tag) {
            return Err(Error::Unauthenticated);
        }
        let envelope = Envelope::decode(ciphertext)?;
        self.check_deadlines(&envelope, now)?;
        let (data, schema) = if envelope.compressed {
            let max = c
                .compression
                .map_or(crate::sealer::defaults::DEFAULT_MAX_DECOMPRESSED, |s| {
                    s.max_decompressed
                });
            decode(&envelope, &codec::decompress(envelope.payload, max)?)?
        } else {
            decode(&envelope, envelope.payload)?
        };
        let reseal = Reseal {
            non_primary_key,
            idle_renewal: self.idle_renewal_due(&envelope, now),
            schema,
        };
        let session = Session::restored(
            data,
            SessionId::from_bytes(envelope.session_id),
            envelope.subject.map(str::to_owned),
            (
                envelope.issued_at,
                envelope.expires_at,
                envelope.idle_deadline,
            ),
            envelope.browser_session,
        );
        Ok(Opened {
            session,
            key_id: header.key_id,
            reseal,
        })
    }

    fn check_deadlines(&self, envelope: &Envelope<'_>, now: i64) -> Result<()> {
        let leeway = self.config.leeway;
        // Twice the leeway: a node up to a leeway fast seals up to that
        // far ahead, and a session stamped at a not-before (which lies a
        // leeway ahead of the node that set it) adds one more.
        if envelope.issued_at > now + 2 * leeway {
            return Err(Error::NotYetValid);
        }
        if envelope.expires_at - envelope.issued_at > self.config.ttl {
            return Err(Error::LifetimeTooLong);
        }
        if now >= envelope.expires_at + leeway {
            return Err(Error::Expired);
        }
        if envelope
            .idle_deadline
            .is_some_and(|idle| now >= idle + leeway)
        {
            return Err(Error::IdleExpired);
        }
        Ok(())
    }

    /// Renewal is due once `renew_after` seconds of the idle window have
    /// passed, or when the sealer now has an idle timeout the cookie lacks;
    /// never when a re-seal could not move the deadline (it is already at
    /// the absolute deadline).
    fn idle_renewal_due(&self, envelope: &Envelope<'_>, now: i64) -> bool {
        let Some(window) = self.config.idle else {
            return false;
        };
        let resealed = (now + window).min(envelope.expires_at);
        match envelope.idle_deadline {
            None => true,
            Some(deadline) => {
                deadline - now <= window - self.config.renew_after && resealed > deadline
            }
        }
    }
}
