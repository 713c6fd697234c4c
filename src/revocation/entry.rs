//! What the memory store keeps per entry: a time window, session ids as
//! cheaply hashed keys, and a denied id's window and flag packed in 9
//! bytes.

use crate::{ConfigError, Result};
use core::hash::{Hash, Hasher};

/// A time window of one entry, in unix seconds kept as `u32` (half the size
/// of `i64`, good until 2106): from the session's issue time (or the
/// not-before time) to the moment the entry may be forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub(super) from: u32,
    pub(super) until: u32,
}

impl Stamp {
    /// A stamp from caller times. `from` is a past time and must fit; a
    /// deadline past 2106 is kept until 2106, when the process that holds
    /// it will long have been restarted.
    pub(super) fn new(from: i64, until: i64) -> Result<Stamp> {
        let from = u32::try_from(from).map_err(|_| ConfigError::Clock)?;
        let until = u32::try_from(until.max(0)).unwrap_or(u32::MAX);
        Ok(Stamp { from, until })
    }

    pub(super) fn live_at(self, now: i64) -> bool {
        i64::from(self.until) > now
    }

    /// The union of two windows for the same key: the earliest issue time
    /// of a session (the same anyway), or the latest not-before; the
    /// latest deadline. `later_from` picks between the two.
    pub(super) fn merge(self, other: Stamp, later_from: bool) -> Stamp {
        Stamp {
            from: if later_from {
                self.from.max(other.from)
            } else {
                self.from.min(other.from)
            },
            until: self.until.max(other.until),
        }
    }

    pub(super) fn pack(self) -> u64 {
        (u64::from(self.from) << 32) | u64::from(self.until)
    }

    pub(super) fn unpack(packed: u64) -> Stamp {
        Stamp {
            from: (packed >> 32) as u32,
            until: packed as u32,
        }
    }
}

/// A session id as a map key. Its hash is the id's own bits: ids come from
/// the CSPRNG and only ever enter the map from sessions this service sealed
/// (or from a snapshot it trusts). A client can still log out only those of
/// many sessions whose ids share bucket bits, to lengthen probes; it must
/// discard about as many sessions as a shard has buckets for each id it
/// keeps, and the anonymous share and subject quotas bound how many it
/// keeps, so a keyed hash on every check is not worth closing that.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct IdKey(pub(super) [u8; 16]);

impl Hash for IdKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (lo, hi) = self.0.split_at(8);
        let word = |half: &[u8]| half.iter().fold(0u64, |w, &b| (w << 8) | u64::from(b));
        state.write_u64(word(lo) ^ word(hi));
    }
}

#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached if something other than `IdKey` is hashed with it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

/// Whether a live global not-before `global` rejects every session `entry`
/// rejects, for at least as long: a session issued before it, or a subject
/// not-before no later than it.
pub(super) fn covers(global: Stamp, entry: Stamp, is_subject: bool) -> bool {
    let earlier = if is_subject {
        entry.from <= global.from
    } else {
        entry.from < global.from
    };
    global.pack() != 0 && earlier && entry.until <= global.until
}

/// A denied session id: its window, and whether it counts against the
/// anonymous share (ids of sessions without a subject) or not. Kept as
/// bytes (alignment 1), so a table slot is the 16-byte id, these 9 bytes
/// and hashbrown's control byte: 26 bytes, where two `u32`s and a `bool`
/// padded the value to 12 and the slot to 29. Right after the tables
/// double (7/16 full) a store holds about 59 bytes per entry, within 64;
/// with 29 it came to 63 and, while growing, 65 (BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held([u8; 9]);

impl Held {
    pub(super) fn new(stamp: Stamp, anonymous: bool) -> Held {
        let mut bytes = [0; 9];
        bytes[..8].copy_from_slice(&stamp.pack().to_le_bytes());
        bytes[8] = u8::from(anonymous);
        Held(bytes)
    }

    pub(super) fn stamp(&self) -> Stamp {
        let mut packed = [0; 8];
        packed.copy_from_slice(&self.0[..8]);
        Stamp::unpack(u64::from_le_bytes(packed))
    }

    pub(super) fn set_stamp(&mut self, stamp: Stamp) {
        *self = Held::new(stamp, self.anonymous());
    }

    pub(super) fn anonymous(&self) -> bool {
        self.0[8] != 0
    }
}

// A slot of the id table stays 25 bytes, alignment 1 (see `Held`).
const _: () = assert!(
    core::mem::size_of::<(IdKey, Held)>() == 25 && core::mem::align_of::<(IdKey, Held)>() == 1
);
