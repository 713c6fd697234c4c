//! The epoch keys of a built sealer: a lock-free cache of the keys of the
//! current window of epochs, each derived on first use.

use super::{EpochKeys, MAX_PREVIOUS_EPOCHS};
use crate::wire::header::Header;
use crate::{ConfigError, Error, Key, Result};
use arc_swap::{ArcSwap, Guard};
use core::fmt;
use core::ops::Deref;
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

/// The keys of epochs `first ..= epoch + 1`, each derived on first use.
struct Window {
    epoch: u32,
    first: u32,
    slots: Box<[OnceLock<Key>]>,
}

impl Window {
    /// The window around `epoch`, reusing the keys `old` already derived.
    fn new(epoch: u32, previous: u32, old: Option<&Window>) -> Window {
        let first = epoch.saturating_sub(previous);
        let slots = (first..=epoch + 1)
            .map(|e| {
                old.and_then(|w| w.derived(e))
                    .map_or_else(OnceLock::new, |key| OnceLock::from(key.clone()))
            })
            .collect();
        Window {
            epoch,
            first,
            slots,
        }
    }

    fn derived(&self, epoch: u32) -> Option<&Key> {
        let index = epoch.checked_sub(self.first)?;
        self.slots.get(index as usize)?.get()
    }
}

/// The epoch keys of a built sealer, with the window of the latest epoch
/// seen. Requests load the window without a lock; the first request of a
/// new epoch builds the next window and swaps it in.
pub(crate) struct EpochSource {
    keys: EpochKeys,
    previous: u32,
    leeway: i64,
    window: ArcSwap<Window>,
}

impl fmt::Debug for EpochSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpochSource")
            .field("keys", &self.keys)
            .field("previous", &self.previous)
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl EpochSource {
    /// The epoch keys this source derives from.
    #[cfg(feature = "web")]
    pub(crate) fn keys(&self) -> &EpochKeys {
        &self.keys
    }

    /// Checks `keys` against the sealer's TTL and leeway (whole seconds).
    pub(crate) fn new(
        keys: EpochKeys,
        now: OffsetDateTime,
        ttl: i64,
        leeway: i64,
    ) -> Result<EpochSource> {
        if keys.period <= leeway {
            return Err(ConfigError::EpochConfig.into());
        }
        // Both positive: signed `div_ceil` is not stable yet.
        let needed = (ttl + leeway + keys.period - 1) / keys.period;
        let needed = u32::try_from(needed)
            .ok()
            .filter(|&n| n <= MAX_PREVIOUS_EPOCHS)
            .ok_or(ConfigError::EpochConfig)?;
        let previous = keys.previous.unwrap_or(needed);
        if previous > MAX_PREVIOUS_EPOCHS {
            return Err(ConfigError::EpochConfig.into());
        }
        if previous < needed {
            return Err(ConfigError::EpochWindow { needed }.into());
        }
        let epoch = keys.epoch_at(now)?;
        Ok(EpochSource {
            window: ArcSwap::from_pointee(Window::new(epoch, previous, None)),
            keys,
            previous,
            leeway,
        })
    }

    /// The current epoch's key at unix time `now`.
    pub(crate) fn sealing(&self, now: i64) -> Result<EpochKey<'_>> {
        let epoch = self.keys.epoch_of(now)?;
        Ok(self.key_ref(self.window(epoch), epoch))
    }

    /// The key of the epoch named in `header`, if that epoch is accepted at
    /// `now`; a cookie of an earlier epoch should move to the current one.
    pub(crate) fn opening(&self, header: Header, now: i64) -> Result<(EpochKey<'_>, bool)> {
        let key_id = header.key_id;
        let epoch = self.keys.epoch_of(now)?;
        let next_started =
            key_id == epoch + 1 && i64::from(key_id) * self.keys.period - now <= self.leeway;
        let recent = key_id <= epoch && key_id >= epoch.saturating_sub(self.previous);
        if !(recent || next_started) {
            return Err(Error::UnknownKey { key_id });
        }
        if header.algorithm != self.keys.algorithm {
            return Err(Error::AlgorithmMismatch { key_id });
        }
        Ok((self.key_ref(self.window(epoch), key_id), key_id < epoch))
    }

    fn key_ref(&self, window: Guard<Arc<Window>>, epoch: u32) -> EpochKey<'_> {
        // Callers pass an epoch inside the window: its first epoch is at
        // most `epoch` and it reaches one past the window's own epoch.
        let index = (epoch - window.first) as usize;
        EpochKey {
            keys: &self.keys,
            window,
            index,
        }
    }

    /// The window of `epoch`: the cached one, or a new one, which replaces
    /// the cache only when it is newer (a request with an older clock must
    /// not move every other request back).
    fn window(&self, epoch: u32) -> Guard<Arc<Window>> {
        let current = self.window.load();
        if current.epoch == epoch {
            return current;
        }
        let fresh = Arc::new(Window::new(epoch, self.previous, Some(&current)));
        if epoch > current.epoch {
            // Losing the race to another request of the same epoch is fine:
            // both windows hold the same keys.
            drop(self.window.compare_and_swap(&current, Arc::clone(&fresh)));
        }
        Guard::from_inner(fresh)
    }
}

/// One epoch's key, borrowed from a window that stays alive while this is
/// held. The key is derived on first use and then shared by all requests.
pub(crate) struct EpochKey<'a> {
    keys: &'a EpochKeys,
    window: Guard<Arc<Window>>,
    index: usize,
}

impl Deref for EpochKey<'_> {
    type Target = Key;

    #[inline]
    fn deref(&self) -> &Key {
        self.window.slots[self.index]
            .get_or_init(|| self.keys.key(self.window.first + self.index as u32))
    }
}
