//! Rotating a key ring: add a key, make it primary, retire and prune old
//! ones, and warn about a primary that has sealed for too long.

use crate::keys::ring::{Entry, check_new_secret};
use crate::keys::ring_text::time_text;
use crate::{Algorithm, ConfigError, Key, KeyRing, Result};
use core::fmt;
use time::{Duration, OffsetDateTime};

impl KeyRing {
    /// Makes `key` the primary, stamped as sealing since now; the previous
    /// primary and every other key keep opening. Equivalent to
    /// [`add`](KeyRing::add) then [`promote_at`](KeyRing::promote_at).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// ring.rotate(Key::generate(2))?;
    /// assert_eq!(ring.keys().map(|k| k.id()).collect::<Vec<_>>(), [2, 1]);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`rotate_at`](KeyRing::rotate_at).
    pub fn rotate(&mut self, key: Key) -> Result<()> {
        self.rotate_at(key, OffsetDateTime::now_utc())
    }

    /// [`rotate`](KeyRing::rotate) with an explicit clock for the new
    /// primary's `since`.
    ///
    /// On a fleet whose nodes pick up a new ring at different times, rotate
    /// in two steps instead: [`add`](KeyRing::add) the key everywhere first,
    /// then [`promote_at`](KeyRing::promote_at) it, so that no node seals
    /// under a key that another node cannot open yet.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::macros::datetime;
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// ring.rotate_at(Key::generate(2), datetime!(2030-01-01 0:00 UTC))?;
    /// assert_eq!(ring.primary().id(), 2);
    /// assert_eq!(ring.since(2), Some(datetime!(2030-01-01 0:00 UTC)));
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`add`](KeyRing::add): [`ConfigError::DuplicateKeyId`] or
    /// [`ConfigError::DuplicateKeySecret`]; the ring is then unchanged.
    pub fn rotate_at(&mut self, key: Key, now: OffsetDateTime) -> Result<()> {
        let id = key.id();
        self.add(key)?;
        self.promote_at(id, now)
    }

    /// Adds `key` as an opening key, right after the primary (the text form
    /// and [`keys`](KeyRing::keys) then list keys newest first). It seals
    /// nothing until [promoted](KeyRing::promote_at).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let mut ring = KeyRing::new(Key::generate(1)).with_key(Key::generate(0));
    /// ring.add(Key::generate(2))?;
    /// assert_eq!(ring.keys().map(|k| k.id()).collect::<Vec<_>>(), [1, 2, 0]);
    /// assert!(ring.add(Key::generate(2)).is_err());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::DuplicateKeyId`] when the ring already has that id,
    /// [`ConfigError::DuplicateKeySecret`] when it already holds that key's
    /// bytes; the ring is then unchanged.
    pub fn add(&mut self, key: Key) -> Result<()> {
        let id = key.id();
        if self.position(id).is_some() {
            return Err(ConfigError::DuplicateKeyId { key_id: id }.into());
        }
        check_new_secret(&self.entries, &key)?;
        self.entries.insert(1, Entry::new(key));
        Ok(())
    }

    /// Makes the key with `id` the primary, stamped as sealing since `now`.
    /// The previous primary moves to second place and keeps opening.
    /// Promoting the primary again does nothing.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::macros::datetime;
    /// let mut ring = KeyRing::new(Key::generate(1)).with_key(Key::generate(2));
    /// ring.promote_at(2, datetime!(2030-01-01 0:00 UTC))?;
    /// assert_eq!(ring.keys().map(|k| k.id()).collect::<Vec<_>>(), [2, 1]);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoSuchKey`] for an unknown id, and
    /// [`ConfigError::RetiredPrimary`] when that key is retired at `now`;
    /// the ring is then unchanged.
    pub fn promote_at(&mut self, id: u32, now: OffsetDateTime) -> Result<()> {
        let index = self
            .position(id)
            .ok_or(ConfigError::NoSuchKey { key_id: id })?;
        if index == 0 {
            return Ok(());
        }
        if self.is_retired(index, now.unix_timestamp()) {
            return Err(ConfigError::RetiredPrimary { key_id: id }.into());
        }
        let mut entry = self.entries.remove(index);
        entry.since = Some(now);
        self.entries.insert(0, entry);
        Ok(())
    }

    /// Sets when the key with `id` stops opening: the time the last cookie
    /// sealed under it expires anyway, i.e. when it stopped being primary
    /// plus the longest session lifetime (TTL) plus the leeway.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::{Duration, macros::datetime};
    /// let t = datetime!(2030-01-01 0:00 UTC);
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// ring.rotate_at(Key::generate(2), t)?;
    /// ring.retire(1, t + Duration::days(7) + Duration::minutes(1))?;
    /// assert_eq!(ring.retire_at(1), Some(datetime!(2030-01-08 0:01 UTC)));
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoSuchKey`] when no key has that id.
    pub fn retire(&mut self, id: u32, at: OffsetDateTime) -> Result<()> {
        if self.set_retire_at(id, Some(at)) {
            Ok(())
        } else {
            Err(ConfigError::NoSuchKey { key_id: id }.into())
        }
    }

    /// Drops the opening keys whose retire time has passed at `now` and
    /// returns their ids. The primary always stays (a ring is never empty;
    /// a retired primary is refused when a sealer is built). Cookies under a
    /// dropped key then fail with [`Error::UnknownKey`](crate::Error::UnknownKey)
    /// instead of [`Error::RetiredKey`](crate::Error::RetiredKey).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::{Duration, macros::datetime};
    /// let t = datetime!(2030-01-01 0:00 UTC);
    /// let mut ring = KeyRing::new(Key::generate(3))
    ///     .with_retiring_key(Key::generate(2), t + Duration::days(1))
    ///     .with_retiring_key(Key::generate(1), t);
    /// assert_eq!(ring.prune(t), [1]);
    /// assert_eq!(ring.len(), 2);
    /// ```
    pub fn prune(&mut self, now: OffsetDateTime) -> Vec<u32> {
        let now = now.unix_timestamp();
        let mut removed = Vec::new();
        let mut index = 1;
        while index < self.entries.len() {
            if self.is_retired(index, now) {
                removed.push(self.entries.remove(index).key.id());
            } else {
                index += 1;
            }
        }
        removed
    }

    /// Keeps the first `len` keys (the primary counts; at least the primary
    /// stays) and drops the rest, returning the dropped ids. After
    /// rotations the ring is newest first, so this keeps the newest keys.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// ring.rotate(Key::generate(2))?;
    /// ring.rotate(Key::generate(3))?;
    /// assert_eq!(ring.truncate(2), [1]);
    /// assert_eq!(ring.keys().map(|k| k.id()).collect::<Vec<_>>(), [3, 2]);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn truncate(&mut self, len: usize) -> Vec<u32> {
        let keep = len.max(1).min(self.entries.len());
        self.entries.drain(keep..).map(|e| e.key.id()).collect()
    }

    /// One more than the largest id in the ring, for the next key; `None`
    /// once `u32::MAX` is taken.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate(4)).with_key(Key::generate(9));
    /// assert_eq!(ring.next_id(), Some(10));
    /// ```
    pub fn next_id(&self) -> Option<u32> {
        self.keys()
            .map(Key::id)
            .max()
            .and_then(|id| id.checked_add(1))
    }

    /// What an operator should know about the ring now; see
    /// [`warnings_at`](KeyRing::warnings_at).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::Duration;
    /// assert!(KeyRing::new(Key::generate(1)).warnings(Duration::days(1)).is_empty());
    /// ```
    pub fn warnings(&self, max_aes_gcm_age: Duration) -> Vec<RingWarning> {
        self.warnings_at(OffsetDateTime::now_utc(), max_aes_gcm_age)
    }

    /// What an operator should know about the ring at `now`, none of which
    /// stops a sealer from working today: an AES-256-GCM primary sealing for
    /// longer than `max_aes_gcm_age` (or for an unknown time), a primary
    /// with a retire time, and retired keys that [`prune`](KeyRing::prune)
    /// would drop.
    ///
    /// AES-256-GCM's random 96-bit nonces allow about 2^32 seals per key
    /// before a nonce collision becomes too likely; at 10,000 seals per
    /// second that is about 5 days, so pick `max_aes_gcm_age` from your
    /// peak rate. The other algorithms have no such budget.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key, KeyRing, RingWarning};
    /// use time::{Duration, macros::datetime};
    /// let t = datetime!(2030-01-01 0:00 UTC);
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// ring.rotate_at(Key::generate_with(Algorithm::Aes256Gcm, 2), t)?;
    /// let warnings = ring.warnings_at(t + Duration::days(6), Duration::days(4));
    /// assert_eq!(
    ///     warnings,
    ///     [RingWarning::AesGcmPrimaryTooOld { key_id: 2, since: t, max_age: Duration::days(4) }]
    /// );
    /// assert!(ring.warnings_at(t + Duration::days(3), Duration::days(4)).is_empty());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn warnings_at(&self, now: OffsetDateTime, max_aes_gcm_age: Duration) -> Vec<RingWarning> {
        let mut warnings = Vec::new();
        let primary = &self.entries[0];
        let key_id = primary.key.id();
        if primary.key.algorithm() == Algorithm::Aes256Gcm {
            match primary.since {
                None => warnings.push(RingWarning::AesGcmPrimarySinceUnknown { key_id }),
                Some(since) if now - since > max_aes_gcm_age => {
                    warnings.push(RingWarning::AesGcmPrimaryTooOld {
                        key_id,
                        since,
                        max_age: max_aes_gcm_age,
                    });
                }
                Some(_) => {}
            }
        }
        if let Some(retire_at) = primary.retire_at {
            warnings.push(RingWarning::PrimaryRetires { key_id, retire_at });
        }
        let now = now.unix_timestamp();
        for (index, entry) in self.entries.iter().enumerate().skip(1) {
            if let (true, Some(retire_at)) = (self.is_retired(index, now), entry.retire_at) {
                warnings.push(RingWarning::Prunable {
                    key_id: entry.key.id(),
                    retire_at,
                });
            }
        }
        warnings
    }
}

/// Something about a [`KeyRing`] an operator should act on; from
/// [`KeyRing::warnings_at`]. `Display` gives a one-line message.
///
/// ```
/// use sealed_session::RingWarning;
/// let w = RingWarning::AesGcmPrimarySinceUnknown { key_id: 3 };
/// assert_eq!(
///     w.to_string(),
///     "primary key 3 is AES-256-GCM and its start of use is unknown: add ;since=<RFC 3339> to it or rotate"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RingWarning {
    /// The AES-256-GCM primary has sealed for longer than the configured
    /// period: rotate before its 2^32-seal budget runs out.
    AesGcmPrimaryTooOld {
        /// The primary's id.
        key_id: u32,
        /// When it began sealing.
        since: OffsetDateTime,
        /// The configured period.
        max_age: Duration,
    },
    /// The primary is AES-256-GCM and the ring does not know since when it
    /// seals, so its budget cannot be checked.
    AesGcmPrimarySinceUnknown {
        /// The primary's id.
        key_id: u32,
    },
    /// The primary has a retire time: from then on nothing can be sealed
    /// (and a sealer refuses to build) until another key is promoted.
    PrimaryRetires {
        /// The primary's id.
        key_id: u32,
        /// Its retire time.
        retire_at: OffsetDateTime,
    },
    /// An opening key is past its retire time and opens nothing; pruning it
    /// changes nothing but the error its cookies get.
    Prunable {
        /// The key's id.
        key_id: u32,
        /// Its retire time.
        retire_at: OffsetDateTime,
    },
}

impl fmt::Display for RingWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RingWarning::AesGcmPrimaryTooOld {
                key_id,
                since,
                max_age,
            } => write!(
                f,
                "primary key {key_id} is AES-256-GCM and has sealed since {}, longer than {max_age}: rotate it",
                time_text(*since)
            ),
            RingWarning::AesGcmPrimarySinceUnknown { key_id } => write!(
                f,
                "primary key {key_id} is AES-256-GCM and its start of use is unknown: add ;since=<RFC 3339> to it or rotate"
            ),
            RingWarning::PrimaryRetires { key_id, retire_at } => write!(
                f,
                "primary key {key_id} retires at {}: promote another key before then",
                time_text(*retire_at)
            ),
            RingWarning::Prunable { key_id, retire_at } => write!(
                f,
                "key {key_id} retired at {} and can be pruned",
                time_text(*retire_at)
            ),
        }
    }
}
