//! The sealer's builder: every configuration mistake surfaces here, once,
//! instead of on a request.

use super::{Config, Sealer};
use crate::KeyRing;
use crate::cookie::attributes::{CookieAttributes, MAX_AGE_CAP, is_cookie_name, max_age_len};
use crate::keys::source::KeySpec;
use crate::schema::migrate::SchemaPlan;
use crate::wire::aad::{MAX_LABEL_LEN, aad_labels};
use crate::wire::aead::TAG_LEN;
use crate::wire::codec::{self, Codec, Compression};
use crate::wire::envelope::ENVELOPE_FIXED_LEN;

#[cfg(feature = "compression")]
use super::defaults::{DEFAULT_COMPRESSION_THRESHOLD, DEFAULT_MAX_DECOMPRESSED};
use super::defaults::{
    DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY, DEFAULT_MAX_COOKIE_SIZE, DEFAULT_RENEWAL_THRESHOLD,
    DEFAULT_TTL,
};
use crate::wire::header::HEADER_LEN;
use crate::{ConfigError, Result};
use time::{Duration, OffsetDateTime};

const MAX_LEEWAY: Duration = Duration::hours(1);

/// Builds a [`Sealer`]; made by [`Sealer::builder`].
///
/// ```
/// use sealed_session::{CookieAttributes, Key, KeyRing, SameSite, Sealer};
/// use time::Duration;
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
///     .with_cookie_name("__Host-app")
///     .with_purpose("login")
///     .with_ttl(Duration::hours(12))
///     .with_idle_timeout(Duration::minutes(30))
///     .with_renewal_threshold(0.5)
///     .with_leeway(Duration::seconds(30))
///     .with_max_cookie_size(4000)
///     .with_attributes(CookieAttributes::default().with_same_site(SameSite::Strict))
///     .build()?;
/// assert_eq!(sealer.cookie_name(), "__Host-app");
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .build()"]
pub struct SealerBuilder {
    keys: KeySpec,
    name: String,
    purpose: String,
    ttl: Duration,
    idle_timeout: Option<Duration>,
    renewal_threshold: f64,
    leeway: Duration,
    max_cookie_size: usize,
    attributes: CookieAttributes,
    compression: Option<Compression>,
    pub(super) codec: Codec,
    pub(super) schemas: SchemaPlan,
}

impl SealerBuilder {
    pub(crate) fn new(keys: KeySpec) -> SealerBuilder {
        SealerBuilder {
            keys,
            name: DEFAULT_COOKIE_NAME.into(),
            purpose: String::new(),
            ttl: DEFAULT_TTL,
            idle_timeout: None,
            renewal_threshold: DEFAULT_RENEWAL_THRESHOLD,
            leeway: DEFAULT_LEEWAY,
            max_cookie_size: DEFAULT_MAX_COOKIE_SIZE,
            attributes: CookieAttributes::default(),
            compression: None,
            codec: Codec::default(),
            schemas: SchemaPlan::default(),
        }
    }

    /// The cookie name (at most 255 bytes), bound into every cookie's
    /// authentication: a cookie copied to another name does not open.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_cookie_name("__Host-app")
    ///     .build()?;
    /// assert!(sealer.seal(&Session::new(()))?.starts_with("__Host-app="));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_cookie_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// A purpose (at most 255 bytes; empty = none), also bound into the
    /// authentication, so two sealers sharing keys and a cookie name still
    /// cannot open each other's cookies.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let ring = KeyRing::new(Key::generate(1));
    /// let login = Sealer::builder(ring.clone()).with_purpose("login").build()?;
    /// let admin = Sealer::builder(ring).with_purpose("admin").build()?;
    /// let value = login.seal_value(&Session::new(()))?;
    /// assert_eq!(admin.open::<()>(&value).unwrap_err(), Error::Unauthenticated);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = purpose.into();
        self
    }

    /// The absolute lifetime, fixed when a session is first sealed.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_ttl(Duration::hours(1))
    ///     .build()?;
    /// assert!(sealer.seal(&Session::new(()))?.contains("; Max-Age=3600;"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// A sliding idle timeout: a session unused this long is refused.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_idle_timeout(Duration::minutes(30))
    ///     .build()?;
    /// let opened = sealer.open::<()>(&sealer.seal_value(&Session::new(()))?)?;
    /// assert!(opened.session().idle_deadline().is_some());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = Some(idle);
        self
    }

    /// The share of the idle window (`0.0..=1.0`, default 0.25) that must pass
    /// before opening reports an idle renewal. Higher means fewer
    /// `Set-Cookie` headers and an idle timeout enforced less tightly: a
    /// user always gets at least `(1 - threshold) x idle` of inactivity.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_idle_timeout(Duration::minutes(30))
    ///     .with_renewal_threshold(0.5)
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_renewal_threshold(mut self, threshold: f64) -> Self {
        self.renewal_threshold = threshold;
        self
    }

    /// Tolerated clock difference between the node that sealed and the node
    /// that opens (default 60 s, at most 1 hour).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_leeway(Duration::seconds(5))
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Limit on the whole `Set-Cookie` value in bytes (default 4096).
    /// Counting the attributes too is stricter than browsers' 4096 limit
    /// on name plus value, so a cookie that passes here is never dropped.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_max_cookie_size(300)
    ///     .build()?;
    /// let err = sealer.seal(&Session::new("x".repeat(300))).unwrap_err();
    /// assert!(matches!(err, Error::TooLarge { limit: 300, .. }));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_max_cookie_size(mut self, bytes: usize) -> Self {
        self.max_cookie_size = bytes;
        self
    }

    /// The cookie attributes.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_cookie_name("sid")
    ///     .with_attributes(CookieAttributes::default().with_path("/app").with_same_site(SameSite::Strict))
    ///     .build()?;
    /// assert!(sealer.seal(&Session::new(()))?.ends_with("; Path=/app; Secure; HttpOnly; SameSite=Strict"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_attributes(mut self, attributes: CookieAttributes) -> Self {
        self.attributes = attributes;
        self
    }

    /// Turns deflate compression of the payload on or off (off by default).
    ///
    /// Compressing secrets together with data an attacker influences leaks
    /// the secrets through the cookie's length (CRIME/BREACH). Turn it on
    /// only when the session holds no such mix.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_compression(true)
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    #[cfg(feature = "compression")]
    pub fn with_compression(mut self, on: bool) -> Self {
        self.compression = on.then(|| {
            self.compression.unwrap_or(Compression {
                threshold: DEFAULT_COMPRESSION_THRESHOLD,
                max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            })
        });
        self
    }

    /// Compression settings: payloads shorter than `threshold` bytes stay
    /// uncompressed; a decompressed payload may not exceed
    /// `max_decompressed` bytes. Turns compression on.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_compression_limits(128, 16 * 1024)
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    #[cfg(feature = "compression")]
    pub fn with_compression_limits(mut self, threshold: usize, max_decompressed: usize) -> Self {
        self.compression = Some(Compression {
            threshold,
            max_decompressed,
        });
        self
    }

    /// Checks the configuration and builds the sealer.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.cookie_name(), "__Host-session");
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) naming the first
    /// problem found; see [`ConfigError`].
    pub fn build(self) -> Result<Sealer> {
        self.build_at(OffsetDateTime::now_utc())
    }

    /// [`build`](Self::build) with an explicit clock for the retired-primary
    /// check.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// use time::macros::datetime;
    /// let ring = KeyRing::new(Key::generate(1))
    ///     .with_retiring_key(Key::generate(0), datetime!(2030-01-01 0:00 UTC));
    /// let sealer = Sealer::builder(ring).build_at(datetime!(2029-01-01 0:00 UTC))?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build).
    pub fn build_at(self, now: OffsetDateTime) -> Result<Sealer> {
        self.keys.validate_ring(now)?;
        if !is_cookie_name(&self.name) || self.name.len() > MAX_LABEL_LEN {
            return Err(ConfigError::CookieName.into());
        }
        if self.purpose.len() > MAX_LABEL_LEN {
            return Err(ConfigError::Purpose.into());
        }
        let ttl = seconds(self.ttl).ok_or(ConfigError::Ttl)?;
        let idle = match self.idle_timeout {
            None => None,
            Some(idle) => Some(
                seconds(idle)
                    .filter(|&s| s < ttl)
                    .ok_or(ConfigError::IdleTimeout)?,
            ),
        };
        if !(0.0..=1.0).contains(&self.renewal_threshold) {
            return Err(ConfigError::RenewalThreshold.into());
        }
        let renew_after = idle.map_or(0, |s| (s as f64 * self.renewal_threshold).round() as i64);
        if self.leeway.is_negative() || self.leeway > MAX_LEEWAY {
            return Err(ConfigError::Leeway.into());
        }
        let leeway = self.leeway.whole_seconds();
        let keys = self.keys.build(now, ttl, leeway)?;
        if self.compression.is_some_and(|c| c.max_decompressed == 0) {
            return Err(ConfigError::Compression.into());
        }
        let suffix = self.attributes.render(&self.name)?;
        // Smallest sealed value: AES-256-GCM, empty payload, no options.
        let smallest = HEADER_LEN + 12 + ENVELOPE_FIXED_LEN + TAG_LEN;
        let smallest_cookie = self.name.len()
            + 1
            + codec::base64_len(smallest)
            + max_age_len(MAX_AGE_CAP)
            + suffix.len();
        if self.max_cookie_size < smallest_cookie {
            return Err(ConfigError::MaxCookieSize.into());
        }
        let schemas = self.schemas.build()?;
        let aad_labels = aad_labels(&self.name, &self.purpose);
        Ok(Sealer::from_config(Config {
            schemas,
            codec: self.codec,
            keys,
            aad_labels,
            name: self.name,
            ttl,
            idle,
            renew_after,
            leeway,
            max_cookie_size: self.max_cookie_size,
            attributes: self.attributes,
            suffix,
            compression: self.compression,
        }))
    }
}

/// Whole seconds of a positive duration that fits the format's `u32` offsets.
fn seconds(d: Duration) -> Option<i64> {
    let s = d.whole_seconds();
    (s >= 1 && s <= i64::from(u32::MAX)).then_some(s)
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
}
