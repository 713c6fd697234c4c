//! Epoch keys: one key per period of time, derived from a master secret, so
//! a fleet of nodes that share only the secret rotates on schedule without
//! talking to each other.
//!
//! The arithmetic, with period `P`, leeway `L` and `p` previous epochs:
//!
//! - the epoch at unix time `t` is `e = floor(t / P)`, and its key id is `e`;
//! - a node seals under epoch `e`'s key;
//! - it opens cookies under epochs `e - p ..= e`, and under `e + 1` once
//!   `(e + 1) * P - t <= L` (a node whose clock runs ahead already seals
//!   there);
//! - a cookie sealed at `s` therefore always opens while `t - s < p * P`,
//!   and never once `t - s >= (p + 1) * P`. A cookie is valid until its
//!   absolute deadline plus the leeway, at most `TTL + L` after it was
//!   sealed, so the sealer requires `TTL + L <= p * P`: every session
//!   outlives its epoch only within the accepted window, and no valid
//!   cookie is refused for its key. Without an explicit `p`, the builder
//!   takes the smallest that works, `ceil((TTL + L) / P)`.

use crate::keys::key::{Domain, check_master};
use crate::wire::unix::MAX_UNIX;
use crate::{Algorithm, ConfigError, Key, KeyRing, Result};
use core::fmt;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

mod window;
pub(crate) use window::{EpochKey, EpochSource};

/// The most previous epochs a sealer accepts; each is a slot in the cached
/// window of keys. With a period of an hour that covers a TTL of 42 days.
///
/// ```
/// assert_eq!(sealed_session::MAX_PREVIOUS_EPOCHS, 1024);
/// ```
pub const MAX_PREVIOUS_EPOCHS: u32 = 1024;

/// Keys derived per time epoch from one master secret (feature `epoch`).
///
/// The key of epoch `e` is HKDF-SHA256 with salt
/// `sealed-session/v1 key derivation`, the master secret as input key
/// material, and as info
///
/// ```text
/// "epoch" 0x00 || u64be(len(context)) || context || u32be(period in seconds)
///     || algorithm code || u32be(e)
/// ```
///
/// (32 bytes of output), and its id is `e`, so every node with the same
/// master secret, context, period and algorithm derives the same keys, and
/// a change of any of them gives unrelated ones. The info's first bytes
/// differ from those of [`Key::derive`], so no epoch key is ever a key
/// `Key::derive` gives for any context. Give a
/// sealer epoch keys with [`Sealer::epoch_builder`](crate::Sealer::epoch_builder):
/// it seals under the current epoch's key and opens the accepted window
/// (module docs of the crate's README, "Rotating keys", have the
/// arithmetic), deriving each key once and caching it without a lock on
/// the request path.
///
/// `Debug` shows the context, algorithm and period, never the secret.
///
/// ```
/// use sealed_session::{EpochKeys, Sealer, Session};
/// use time::{Duration, macros::datetime};
///
/// let master = [7u8; 32]; // from a secret manager in real use
/// let keys = EpochKeys::new(&master, "prod/session", Duration::days(1))?;
/// let sealer = Sealer::epoch_builder(keys)
///     .with_ttl(Duration::days(2))
///     .build_at(datetime!(2030-01-01 0:00 UTC))?;
///
/// let t0 = datetime!(2030-01-01 12:00 UTC);
/// let value = sealer.seal_value_at(&Session::new(1u8), t0)?;
/// // A day later the node seals under the next epoch's key; the cookie
/// // still opens and asks to be re-sealed under it.
/// let opened = sealer.open_at::<u8>(&value, t0 + Duration::days(1))?;
/// assert!(opened.reseal().non_primary_key);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Clone)]
pub struct EpochKeys {
    master: Arc<Zeroizing<Vec<u8>>>,
    context: Arc<str>,
    algorithm: Algorithm,
    period: i64,
    previous: Option<u32>,
}

impl EpochKeys {
    /// Epoch keys of `period` derived from `master` for `context` (a name
    /// for the cookie or environment, so one secret serves several without
    /// sharing keys), for the default algorithm.
    ///
    /// ```
    /// use sealed_session::EpochKeys;
    /// use time::Duration;
    /// let keys = EpochKeys::new(&[1u8; 32], "staging", Duration::hours(6))?;
    /// assert_eq!(keys.period(), Duration::hours(6));
    /// assert!(EpochKeys::new(&[1u8; 16], "staging", Duration::hours(6)).is_err());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::MasterSecret`] for a master secret shorter than 32
    /// bytes, [`ConfigError::EpochConfig`] for a period under 1 s, over
    /// `u32::MAX` s, or not whole seconds.
    pub fn new(master: &[u8], context: &str, period: Duration) -> Result<EpochKeys> {
        check_master(master)?;
        let whole = period.whole_seconds();
        if period.subsec_nanoseconds() != 0 || whole < 1 || whole > i64::from(u32::MAX) {
            return Err(ConfigError::EpochConfig.into());
        }
        Ok(EpochKeys {
            master: Arc::new(Zeroizing::new(master.to_vec())),
            context: context.into(),
            algorithm: Algorithm::default(),
            period: whole,
            previous: None,
        })
    }

    /// The algorithm of every epoch key (default XAES-256-GCM). With
    /// AES-256-GCM, keep `seals per second x period` well under 2^32.
    ///
    /// ```
    /// use sealed_session::{Algorithm, EpochKeys};
    /// use time::Duration;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", Duration::hours(1))?
    ///     .with_algorithm(Algorithm::Aes256Gcm);
    /// assert_eq!(keys.key(5).algorithm(), Algorithm::Aes256Gcm);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> EpochKeys {
        self.algorithm = algorithm;
        self
    }

    /// How many epochs before the current one still open. Without it the
    /// sealer takes the fewest that cover its TTL plus leeway; with it, a
    /// number below that is refused at build
    /// ([`ConfigError::EpochWindow`]), as is one above
    /// [`MAX_PREVIOUS_EPOCHS`].
    ///
    /// ```
    /// use sealed_session::EpochKeys;
    /// use time::Duration;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", Duration::days(1))?.with_previous_epochs(8);
    /// assert_eq!(keys.previous_epochs(), Some(8));
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn with_previous_epochs(mut self, previous: u32) -> EpochKeys {
        self.previous = Some(previous);
        self
    }

    /// The algorithm of every epoch key.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// assert_eq!(keys.algorithm(), Algorithm::Xaes256Gcm);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The length of an epoch.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// assert_eq!(keys.period(), time::Duration::days(1));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn period(&self) -> Duration {
        Duration::seconds(self.period)
    }

    /// The previous epochs set with
    /// [`with_previous_epochs`](Self::with_previous_epochs), if any.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// assert_eq!(keys.previous_epochs(), None);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn previous_epochs(&self) -> Option<u32> {
        self.previous
    }

    /// The epoch at `now`: `floor(unix seconds / period)`.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// assert_eq!(keys.epoch_at(datetime!(1970-01-03 12:00 UTC))?, 2);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Clock`] before 1970, after 9999, or when the epoch
    /// (or the next one) does not fit a `u32` key id.
    pub fn epoch_at(&self, now: OffsetDateTime) -> Result<u32> {
        let t = now.unix_timestamp();
        if !(0..=MAX_UNIX).contains(&t) {
            return Err(ConfigError::Clock.into());
        }
        self.epoch_of(t)
    }

    /// The epoch of unix time `t` (already within the format's range);
    /// the next epoch must fit a key id too.
    fn epoch_of(&self, t: i64) -> Result<u32> {
        u32::try_from(t / self.period)
            .ok()
            .filter(|&e| e < u32::MAX)
            .ok_or_else(|| ConfigError::Clock.into())
    }

    /// The key of `epoch`, derived afresh.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// assert_eq!(keys.key(20_000).id(), 20_000);
    /// assert_eq!(keys.key(20_000).to_text(), keys.key(20_000).to_text());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn key(&self, epoch: u32) -> Key {
        // `new` keeps the period within u32.
        let period = self.period as u32;
        let domain = Domain::Epoch { period };
        Key::derive_checked(&self.master, domain, &self.context, self.algorithm, epoch)
    }

    /// A static ring for `now`: the current epoch's key as primary (with its
    /// epoch's start as `since`), then the `previous` epochs before it.
    /// For tools, and for apps that prefer rebuilding their sealer each
    /// epoch; a sealer from [`Sealer::epoch_builder`](crate::Sealer::epoch_builder)
    /// does this by itself, and also accepts the next epoch near its start.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let keys = EpochKeys::new(&[1u8; 32], "app", time::Duration::days(1))?;
    /// let ring = keys.ring_at(datetime!(1970-01-11 6:00 UTC), 2)?;
    /// assert_eq!(ring.keys().map(|k| k.id()).collect::<Vec<_>>(), [10, 9, 8]);
    /// assert_eq!(ring.since(10), Some(datetime!(1970-01-11 0:00 UTC)));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`epoch_at`](Self::epoch_at).
    pub fn ring_at(&self, now: OffsetDateTime, previous: u32) -> Result<KeyRing> {
        let epoch = self.epoch_at(now)?;
        let mut ring = KeyRing::new(self.key(epoch));
        let start = OffsetDateTime::from_unix_timestamp(i64::from(epoch) * self.period)
            .map_err(|_| ConfigError::Clock)?;
        ring.set_since(epoch, Some(start));
        for older in (epoch.saturating_sub(previous)..epoch).rev() {
            ring = ring.with_key(self.key(older));
        }
        Ok(ring)
    }
}

impl fmt::Debug for EpochKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpochKeys")
            .field("context", &self.context)
            .field("algorithm", &self.algorithm)
            .field("period", &self.period)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}
