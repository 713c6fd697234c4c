//! Key reload: the same sealer (name, purpose, deadlines, attributes,
//! codec, schemas) over a new key ring, for rotating keys in a running
//! process from the shared ring text (`KeyRing::from_env`), so every node
//! of a fleet that reloads the same text seals and opens alike.

use super::{Config, Sealer};
use crate::keys::source::KeySource;
use crate::{KeyRing, Result};
use time::OffsetDateTime;

impl Sealer {
    /// This sealer's settings over `ring`, checked as
    /// [`SealerBuilder::build`](crate::SealerBuilder::build) checks a ring
    /// (a retired primary, duplicate ids or secrets fail). A sealer over
    /// epoch keys keeps its settings and takes the ring instead.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let old = KeyRing::new(Key::generate(1));
    /// let sealer = Sealer::builder(old.clone()).with_cookie_name("__Host-app").build()?;
    /// let cookie = sealer.seal_value(&Session::new(5u8))?;
    /// // The shared ring text after a rotation: a new primary, the old key kept.
    /// let rotated = KeyRing::new(Key::generate(2)).with_key(old.primary().clone());
    /// let reloaded = sealer.with_key_ring(rotated)?;
    /// assert_eq!(reloaded.cookie_name(), "__Host-app");
    /// assert!(reloaded.open::<u8>(&cookie)?.needs_reseal());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for the ring's
    /// problems (a retired primary, a duplicate id or secret), naming keys
    /// by id only.
    pub fn with_key_ring(&self, ring: KeyRing) -> Result<Sealer> {
        self.with_key_ring_at(ring, OffsetDateTime::now_utc())
    }

    /// [`with_key_ring`](Self::with_key_ring) with the clock of the
    /// retired-primary check.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let retired = KeyRing::new(Key::generate(2)).with_retiring_key(Key::generate(3), datetime!(2030-01-01 0:00 UTC));
    /// assert!(sealer.with_key_ring_at(retired, datetime!(2029-01-01 0:00 UTC)).is_ok());
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`with_key_ring`](Self::with_key_ring).
    pub fn with_key_ring_at(&self, ring: KeyRing, now: OffsetDateTime) -> Result<Sealer> {
        ring.validate(now)?;
        let c = &self.config;
        Ok(Sealer::from_config(Config {
            keys: KeySource::Static(ring),
            aad_labels: c.aad_labels.clone(),
            name: c.name.clone(),
            ttl: c.ttl,
            idle: c.idle,
            renew_after: c.renew_after,
            leeway: c.leeway,
            max_cookie_size: c.max_cookie_size,
            attributes: c.attributes.clone(),
            suffix: c.suffix.clone(),
            compression: c.compression,
            codec: c.codec,
            schemas: c.schemas.clone(),
        }))
    }

    /// A sealer for a companion cookie of this one (`<name><suffix>`, its
    /// own purpose and TTL, the same keys and attributes): the flash
    /// cookie. Its name and purpose are bound into its authentication, so
    /// neither cookie opens as the other.
    #[cfg(feature = "web")]
    pub(crate) fn companion(&self, suffix: &str, purpose: &str, ttl: i64) -> Result<Sealer> {
        let c = &self.config;
        let name = format!("{}{suffix}", c.name);
        if !crate::cookie::attributes::is_cookie_name(&name)
            || name.len() > crate::wire::aad::MAX_LABEL_LEN
        {
            return Err(crate::ConfigError::CookieName.into());
        }
        let ttl = ttl.min(c.ttl);
        Ok(Sealer::from_config(Config {
            keys: c.keys.duplicate(OffsetDateTime::now_utc(), ttl, c.leeway)?,
            aad_labels: crate::wire::aad::aad_labels(&name, purpose),
            suffix: c.attributes.render(&name)?,
            name,
            ttl,
            idle: None,
            renew_after: 0,
            leeway: c.leeway,
            max_cookie_size: c.max_cookie_size,
            attributes: c.attributes.clone(),
            compression: None,
            codec: crate::Codec::Postcard,
            schemas: crate::schema::migrate::Schemas::default(),
        }))
    }
}
