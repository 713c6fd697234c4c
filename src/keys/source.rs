//! Where a sealer gets its keys: a static [`KeyRing`], or (feature `epoch`)
//! keys derived per time epoch. The sealer asks for the sealing key and
//! for the opening key of a header at a given time, and never needs to know
//! which kind it has.

use crate::wire::header::Header;
use crate::{Error, Key, KeyRing, Result};
use core::ops::Deref;
use time::OffsetDateTime;

/// The keys a builder was given, checked and resolved by [`KeySpec::build`].
#[derive(Debug, Clone)]
pub(crate) enum KeySpec {
    Ring(KeyRing),
    #[cfg(feature = "epoch")]
    Epochs(crate::EpochKeys),
}

impl KeySpec {
    /// Checks epoch keys against the sealer's settings at build time `now`
    /// (a static ring was checked by [`validate_ring`](Self::validate_ring)).
    /// `ttl` and `leeway` are whole seconds, already validated.
    #[cfg_attr(not(feature = "epoch"), allow(unused_variables))]
    pub(crate) fn build(self, now: OffsetDateTime, ttl: i64, leeway: i64) -> Result<KeySource> {
        match self {
            KeySpec::Ring(ring) => Ok(KeySource::Static(ring)),
            #[cfg(feature = "epoch")]
            KeySpec::Epochs(keys) => Ok(KeySource::Epochs(crate::keys::epoch::EpochSource::new(
                keys, now, ttl, leeway,
            )?)),
        }
    }

    /// Checks a static ring (unique ids, primary not retired at `now`);
    /// done before any other setting so its errors come first.
    pub(crate) fn validate_ring(&self, now: OffsetDateTime) -> Result<()> {
        match self {
            KeySpec::Ring(ring) => ring.validate(now),
            #[cfg(feature = "epoch")]
            KeySpec::Epochs(_) => Ok(()),
        }
    }
}

/// The keys of a built sealer.
#[derive(Debug)]
pub(crate) enum KeySource {
    Static(KeyRing),
    #[cfg(feature = "epoch")]
    Epochs(crate::keys::epoch::EpochSource),
}

impl KeySource {
    /// The same keys for another sealer (a companion cookie with its own
    /// TTL): a ring is cloned, epoch keys get a window of their own.
    #[cfg(feature = "web")]
    pub(crate) fn duplicate(
        &self,
        now: OffsetDateTime,
        ttl: i64,
        leeway: i64,
    ) -> Result<KeySource> {
        match self {
            KeySource::Static(ring) => {
                // Only epoch windows depend on the times.
                let _ = (now, ttl, leeway);
                Ok(KeySource::Static(ring.clone()))
            }
            #[cfg(feature = "epoch")]
            KeySource::Epochs(source) => {
                KeySpec::Epochs(source.keys().clone()).build(now, ttl, leeway)
            }
        }
    }

    /// The key that seals at `now` (unix seconds, within the format range).
    pub(crate) fn sealing(&self, now: i64) -> Result<KeyRef<'_>> {
        match self {
            KeySource::Static(ring) => {
                if ring.is_retired(0, now) {
                    return Err(Error::RetiredKey {
                        key_id: ring.primary().id(),
                    });
                }
                Ok(KeyRef::Static(ring.primary()))
            }
            #[cfg(feature = "epoch")]
            KeySource::Epochs(source) => source.sealing(now).map(KeyRef::Epoch),
        }
    }

    /// The key that opens a cookie with `header` at `now`, and whether the
    /// cookie should move to the sealing key. Rejections, in order:
    /// unknown (or rotated-out) key id, algorithm mismatch, retired key.
    pub(crate) fn opening(&self, header: Header, now: i64) -> Result<(KeyRef<'_>, bool)> {
        match self {
            KeySource::Static(ring) => {
                let key_id = header.key_id;
                let index = ring.position(key_id).ok_or(Error::UnknownKey { key_id })?;
                let key = ring.key_at(index);
                if key.algorithm() != header.algorithm {
                    return Err(Error::AlgorithmMismatch { key_id });
                }
                if ring.is_retired(index, now) {
                    return Err(Error::RetiredKey { key_id });
                }
                Ok((KeyRef::Static(key), index != 0))
            }
            #[cfg(feature = "epoch")]
            KeySource::Epochs(source) => source
                .opening(header, now)
                .map(|(key, old)| (KeyRef::Epoch(key), old)),
        }
    }

    /// The static ring, if this is one.
    pub(crate) fn ring(&self) -> Option<&KeyRing> {
        match self {
            KeySource::Static(ring) => Some(ring),
            #[cfg(feature = "epoch")]
            KeySource::Epochs(_) => None,
        }
    }
}

/// A key borrowed from a [`KeySource`]: straight from a static ring, or
/// from the epoch window current at lookup, which stays alive (and its
/// keys with it) while this is held.
pub(crate) enum KeyRef<'a> {
    Static(&'a Key),
    #[cfg(feature = "epoch")]
    Epoch(crate::keys::epoch::EpochKey<'a>),
}

impl Deref for KeyRef<'_> {
    type Target = Key;

    #[inline]
    fn deref(&self) -> &Key {
        match self {
            KeyRef::Static(key) => key,
            #[cfg(feature = "epoch")]
            KeyRef::Epoch(key) => key,
        }
    }
}
