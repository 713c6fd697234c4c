//! `Sealer`: seal a session into a `Set-Cookie` value, open a cookie value
//! back into a session. Built once, shared by every request.

use crate::cookie::attributes::{self as cookie, CookieAttributes, MAX_AGE_CAP};
use crate::keys::source::{KeySource, KeySpec};
use crate::sealer::{clock, scratch};
use crate::session::{Opened, Reseal, Session, SessionId};
use crate::wire::aead::{MAX_NONCE_LEN, TAG_LEN};
use crate::wire::codec::{self, Compression};
use crate::wire::envelope::{
    Envelope, Fields, HEADER_LEN, Header, MAX_AAD_LEN, MAX_UNIX, append_aad, unix,
};
use crate::{ConfigError, Error, Key, KeyRing, Malformed, Result, SealerBuilder};
use serde::{Serialize, de::DeserializeOwned};
use time::OffsetDateTime;

/// Everything a sealer needs per request, checked and precomputed by the
/// builder.
pub(crate) struct Config {
    pub(crate) keys: KeySource,
    /// The associated data after the header: name and purpose.
    pub(crate) aad_labels: Box<[u8]>,
    pub(crate) name: String,
    pub(crate) ttl: i64,
    pub(crate) idle: Option<i64>,
    /// Seconds of the idle window that must pass before a renewal is due.
    pub(crate) renew_after: i64,
    pub(crate) leeway: i64,
    pub(crate) max_cookie_size: usize,
    pub(crate) attributes: CookieAttributes,
    /// The attributes after `Max-Age`, rendered once.
    pub(crate) suffix: String,
    pub(crate) compression: Option<Compression>,
}

/// Seals sessions into cookies and opens them again.
///
/// Build one per cookie name at startup and share it (it is `Send + Sync`
/// and cheap to use from many threads): the key schedules, the associated
/// data and the rendered attributes are all prepared once.
///
/// ```
/// use sealed_session::{Key, KeyRing, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let set_cookie = sealer.seal(&Session::new(String::from("alice")))?;
/// assert!(set_cookie.starts_with("__Host-session="));
///
/// let value = set_cookie.split(';').next().unwrap()["__Host-session=".len()..].to_owned();
/// let opened = sealer.open::<String>(&value)?;
/// assert_eq!(opened.session().data(), "alice");
/// # Ok::<(), sealed_session::Error>(())
/// ```
pub struct Sealer {
    config: Config,
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let c = &self.config;
        f.debug_struct("Sealer")
            .field("keys", &c.keys)
            .field("name", &c.name)
            .field("ttl", &c.ttl)
            .field("idle", &c.idle)
            .field("leeway", &c.leeway)
            .field("max_cookie_size", &c.max_cookie_size)
            .field("compression", &c.compression)
            .finish_non_exhaustive()
    }
}

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
const NO_CHUNKS: Option<ChunkPlan> = None;

/// The unpadded base64url text of sealed bytes (the Max-Age is not part of
/// a bare value).
fn base64_value(bytes: &[u8], _max_age: i64) -> String {
    let mut out = String::with_capacity(codec::base64_len(bytes.len()));
    codec::encode_base64(bytes, &mut out);
    out
}

impl Sealer {
    /// Starts configuring a sealer over `ring`.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing, Sealer};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn builder(ring: KeyRing) -> SealerBuilder {
        SealerBuilder::new(KeySpec::Ring(ring))
    }

    /// Starts configuring a sealer over keys derived per time epoch
    /// (feature `epoch`): it seals under the current epoch's key and opens
    /// the epochs its TTL needs, rotating with the clock. See
    /// [`EpochKeys`](crate::EpochKeys).
    ///
    /// ```
    /// use sealed_session::{EpochKeys, Sealer};
    /// use time::Duration;
    /// let keys = EpochKeys::new(&[9u8; 32], "prod/session", Duration::days(1))?;
    /// let sealer = Sealer::epoch_builder(keys).with_ttl(Duration::days(7)).build()?;
    /// assert!(sealer.key_ring().is_none());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    #[cfg(feature = "epoch")]
    pub fn epoch_builder(keys: crate::EpochKeys) -> SealerBuilder {
        SealerBuilder::new(KeySpec::Epochs(keys))
    }

    pub(crate) fn from_config(config: Config) -> Sealer {
        Sealer { config }
    }

    /// The cookie name.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.cookie_name(), "__Host-session");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        &self.config.name
    }

    /// The key ring; `None` for a sealer over epoch keys.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.key_ring().map(|r| r.primary().id()), Some(1));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn key_ring(&self) -> Option<&KeyRing> {
        self.config.keys.ring()
    }

    /// The cookie attributes.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert!(sealer.attributes().secure());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn attributes(&self) -> &CookieAttributes {
        &self.config.attributes
    }

    /// The absolute lifetime of new sessions, in seconds.
    pub(crate) fn ttl_seconds(&self) -> i64 {
        self.config.ttl
    }

    /// The clock leeway, in seconds.
    pub(crate) fn leeway_seconds(&self) -> i64 {
        self.config.leeway
    }

    /// The largest `Set-Cookie` line this sealer emits, in bytes.
    pub(crate) fn max_cookie_size(&self) -> usize {
        self.config.max_cookie_size
    }

    /// The attributes after `Max-Age` as rendered into every line
    /// (`; Path=/; Secure; HttpOnly; SameSite=Lax` by default).
    pub(crate) fn attribute_suffix(&self) -> &str {
        &self.config.suffix
    }

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
    pub fn seal<T: Serialize>(&self, session: &Session<T>) -> Result<String> {
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
    /// [`Error::Serialize`] when `T` does not serialize, and
    /// [`ConfigError::Clock`] for a clock outside 1970..=9999.
    pub fn seal_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<String> {
        self.seal_line(session, unix(now)?)
    }

    /// [`seal_at`](Self::seal_at) at `now` in unix seconds.
    fn seal_line<T: Serialize>(&self, session: &Session<T>, now: i64) -> Result<String> {
        let c = &self.config;
        self.seal_planned(
            session,
            now,
            crate::random::fill,
            NO_CHUNKS,
            |bytes, max_age| {
                let mut out = String::with_capacity(self.cookie_len(bytes.len(), max_age));
                out.push_str(&c.name);
                out.push('=');
                codec::encode_base64(bytes, &mut out);
                cookie::push_max_age(&mut out, max_age);
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
    pub fn seal_value<T: Serialize>(&self, session: &Session<T>) -> Result<String> {
        self.seal_planned(
            session,
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
    pub fn seal_value_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
    ) -> Result<String> {
        self.seal_planned(
            session,
            unix(now)?,
            crate::random::fill,
            NO_CHUNKS,
            base64_value,
        )
    }

    /// A `Set-Cookie` value that deletes the session cookie (logout).
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(
    ///     sealer.removal_cookie(),
    ///     "__Host-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn removal_cookie(&self) -> String {
        let c = &self.config;
        let mut out = String::with_capacity(self.cookie_len(0, 0));
        out.push_str(&c.name);
        out.push('=');
        cookie::push_max_age(&mut out, 0);
        out.push_str(&c.suffix);
        out
    }

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
    pub fn open<T: DeserializeOwned>(&self, value: &str) -> Result<Opened<T>> {
        self.open_with(value, clock::unix_now()?, None, codec::deserialize)
    }

    /// Opens a cookie value at time `now`.
    ///
    /// The steps, each rejecting with its own [`Error`]: length cap, strict
    /// base64url, header (version, algorithm), key lookup by id (unknown,
    /// retired, other algorithm), authentication, envelope, deadlines with
    /// the leeway, decompression (capped), deserialization (exact).
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
    pub fn open_at<T: DeserializeOwned>(
        &self,
        value: &str,
        now: OffsetDateTime,
    ) -> Result<Opened<T>> {
        self.open_with(value, unix(now)?, None, codec::deserialize)
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
    /// As [`open_at`](Self::open_at), except [`Error::Deserialize`].
    pub fn open_raw_at(&self, value: &str, now: OffsetDateTime) -> Result<Opened<Vec<u8>>> {
        self.open_with(value, unix(now)?, None, |payload| Ok(payload.to_vec()))
    }

    /// Opens the joined value of a session split over `chunks` cookies
    /// (FORMAT.md, "Chunked values"): the count is bound into the
    /// associated data, so a value opens only with the count it was sealed
    /// for. The caller caps the joined length; see `crate::chunking`.
    pub(crate) fn open_chunked_at<T: DeserializeOwned>(
        &self,
        value: &str,
        chunks: u8,
        now: OffsetDateTime,
    ) -> Result<Opened<T>> {
        self.open_with(value, unix(now)?, Some(chunks), codec::deserialize)
    }

    /// Seals `session` for chunking: `plan` gets the length of the base64
    /// value and the Max-Age, checks that the cookies fit and returns the
    /// chunk count, which is bound into the associated data, or `None` for
    /// a single v1 cookie. Returns the value and the Max-Age.
    pub(crate) fn seal_chunked_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
        plan: impl FnOnce(usize, i64) -> Result<Option<u8>>,
    ) -> Result<(String, i64)> {
        self.seal_planned(
            session,
            unix(now)?,
            crate::random::fill,
            Some(plan),
            |bytes, max_age| (base64_value(bytes, max_age), max_age),
        )
    }

    /// The opening pipeline; `decode` turns the (decompressed) payload into
    /// the session data. `chunks` is the count of a chunked value.
    fn open_with<T>(
        &self,
        value: &str,
        now: i64,
        chunks: Option<u8>,
        decode: impl FnOnce(&[u8]) -> Result<T>,
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
        decode: impl FnOnce(&[u8]) -> Result<T>,
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
        let data = if envelope.compressed {
            let max = c
                .compression
                .map_or(crate::sealer::builder::DEFAULT_MAX_DECOMPRESSED, |s| {
                    s.max_decompressed
                });
            decode(&codec::decompress(envelope.payload, max)?)?
        } else {
            decode(envelope.payload)?
        };
        let reseal = Reseal {
            non_primary_key,
            idle_renewal: self.idle_renewal_due(&envelope, now),
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
        );
        Ok(Opened {
            session,
            key_id: header.key_id,
            reseal,
        })
    }

    fn check_deadlines(&self, envelope: &Envelope<'_>, now: i64) -> Result<()> {
        let leeway = self.config.leeway;
        if envelope.issued_at > now + leeway {
            return Err(Error::NotYetValid);
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

    /// Seals with a caller-chosen nonce, for known-answer test vectors only.
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
    pub fn seal_value_with_nonce_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
        nonce: &[u8],
    ) -> Result<String> {
        let now = unix(now)?;
        let key = self.config.keys.sealing(now)?;
        if nonce.len() != key.algorithm().nonce_len() {
            return Err(Malformed::TooShort.into());
        }
        let fill = |slot: &mut [u8]| slot.copy_from_slice(nonce);
        self.seal_planned(session, now, fill, NO_CHUNKS, base64_value)
    }

    /// [`seal_chunked_at`](Self::seal_chunked_at) with a caller-chosen
    /// nonce, for the chunked known-answer vectors only (see
    /// `Chunking::seal_with_nonce_at`).
    ///
    /// Reusing a nonce under one key breaks confidentiality and, for the GCM
    /// algorithms, authenticity: this exists behind the `vectors` feature so
    /// that other implementations can be checked byte for byte, and must
    /// never be enabled in production builds.
    #[cfg(feature = "vectors")]
    pub(crate) fn seal_chunked_with_nonce_at<T: Serialize>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
        nonce: &[u8],
        plan: impl FnOnce(usize, i64) -> Result<Option<u8>>,
    ) -> Result<(String, i64)> {
        let now = unix(now)?;
        let key = self.config.keys.sealing(now)?;
        if nonce.len() != key.algorithm().nonce_len() {
            return Err(Malformed::TooShort.into());
        }
        let fill = |slot: &mut [u8]| slot.copy_from_slice(nonce);
        self.seal_planned(session, now, fill, Some(plan), |bytes, max_age| {
            (base64_value(bytes, max_age), max_age)
        })
    }

    /// The sealing pipeline. Without `plan` the value is one cookie, sized
    /// against the cookie limit; with it, `plan` sizes the chunks and names
    /// their count (see [`seal_chunked_at`](Self::seal_chunked_at)).
    /// The sealed bytes are built in this thread's scratch buffer and
    /// handed to `finish` with the Max-Age, which makes the one string the
    /// caller gets.
    fn seal_planned<T: Serialize, R>(
        &self,
        session: &Session<T>,
        now: i64,
        fill_nonce: impl FnOnce(&mut [u8]),
        plan: Option<impl FnOnce(usize, i64) -> Result<Option<u8>>>,
        finish: impl FnOnce(&[u8], i64) -> R,
    ) -> Result<R> {
        let c = &self.config;
        let key = c.keys.sealing(now)?;
        let issued_at = session.issued_at.unwrap_or(now);
        let expires_at = session.expires_at.unwrap_or(issued_at + c.ttl);
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
        };
        let draft = Draft {
            key: &key,
            header: Header {
                algorithm: key.algorithm(),
                key_id: key.id(),
            },
            fields,
            data: session.data(),
            max_age: (expires_at - now).min(MAX_AGE_CAP),
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
        *bytes = codec::serialize_into(draft.data, std::mem::take(bytes))?;
        let packed = c
            .compression
            .and_then(|s| codec::compress(&bytes[payload_at..], s));
        if let Some(packed) = packed {
            bytes.truncate(payload_at);
            bytes.extend_from_slice(&packed);
            crate::wire::envelope::set_compressed(&mut bytes[envelope_at..]);
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

    /// Exact length of `name=<base64 of sealed_len bytes>; Max-Age=..<suffix>`.
    fn cookie_len(&self, sealed_len: usize, max_age: i64) -> usize {
        let c = &self.config;
        c.name.len()
            + 1
            + codec::base64_len(sealed_len)
            + cookie::max_age_len(max_age)
            + c.suffix.len()
    }
}
