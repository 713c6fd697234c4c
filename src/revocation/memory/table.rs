//! The deny-list's hash table, one per shard.
//!
//! `std`'s `HashMap` keeps a byte of tag per bucket apart from its entries:
//! a lookup that finds nothing reads only the tags, but one that finds an
//! id reads the entry too, a second DRAM access and, at millions of
//! entries, a second TLB miss; a revoked id cost 3 to 7 times a valid one
//! (BENCHMARKS.md). Here the ids and their windows sit in 128-byte buckets
//! (two adjacent cache lines of one page), so a lookup reads one bucket
//! whether it finds the id or not, and only goes on to the next bucket when
//! an entry whose home this bucket is lives further on.
//!
//! Keys are CSPRNG session ids, hashed by their own bits. A client cannot
//! choose an id, but it can open many sessions and log out only those whose
//! ids share their low bits, to build one long probe; so the bucket comes
//! from the bits times a random odd number of the table's own (the high
//! bits of the product), which the client never sees.

use super::Held;
use crate::revocation::entry::{IdKey, Stamp};

/// Entries per bucket: five 24-byte entries and the bucket's 8 bytes of
/// bookkeeping fill 128 bytes.
const SLOTS: usize = 5;
const ALL: u8 = (1 << SLOTS) - 1;

#[derive(Clone, Copy)]
struct Entry {
    id: [u8; 16],
    stamp: Stamp,
}

#[derive(Clone, Copy)]
#[repr(align(64))]
struct Bucket {
    /// Bit `i`: slot `i` holds an entry.
    used: u8,
    /// Bit `i`: slot `i`'s entry counts against the anonymous share.
    anonymous: u8,
    /// How many entries whose probe passed this bucket live after it: a
    /// lookup that misses here stops unless this is non-zero.
    passing: u32,
    slots: [Entry; SLOTS],
}

const _: () = assert!(size_of::<Bucket>() == 128);

const EMPTY: Bucket = Bucket {
    used: 0,
    anonymous: 0,
    passing: 0,
    slots: [Entry {
        id: [0; 16],
        stamp: Stamp { from: 0, until: 0 },
    }; SLOTS],
};

impl Bucket {
    fn held(&self, slot: usize) -> Held {
        Held {
            stamp: self.slots[slot].stamp,
            anonymous: self.anonymous & (1 << slot) != 0,
        }
    }

    fn put(&mut self, slot: usize, id: [u8; 16], held: Held) {
        let bit = 1 << slot;
        self.used |= bit;
        if held.anonymous {
            self.anonymous |= bit;
        } else {
            self.anonymous &= !bit;
        }
        self.slots[slot] = Entry {
            id,
            stamp: held.stamp,
        };
    }

    fn slot_of(&self, id: &[u8; 16]) -> Option<usize> {
        let mut used = self.used;
        while used != 0 {
            let slot = used.trailing_zeros() as usize;
            if self.slots[slot].id == *id {
                return Some(slot);
            }
            used &= used - 1;
        }
        None
    }
}

/// Session ids and what is held for each; see the module docs.
pub(super) struct IdTable {
    /// A power of two in length, or empty.
    buckets: Vec<Bucket>,
    len: usize,
    /// Odd: multiplying by it permutes the hashes.
    secret: u64,
}

impl Default for IdTable {
    fn default() -> IdTable {
        IdTable {
            buckets: Vec::new(),
            len: 0,
            secret: rand::random::<u64>() | 1,
        }
    }
}

impl IdTable {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn get(&self, key: &IdKey) -> Option<Held> {
        self.find(key)
            .map(|(bucket, slot)| self.buckets[bucket].held(slot))
    }

    pub(super) fn contains_key(&self, key: &IdKey) -> bool {
        self.find(key).is_some()
    }

    /// Sets what is held for `key`; returns what was held before.
    pub(super) fn insert(&mut self, key: IdKey, held: Held) -> Option<Held> {
        if let Some((bucket, slot)) = self.find(&key) {
            let old = self.buckets[bucket].held(slot);
            self.buckets[bucket].put(slot, key.0, held);
            return Some(old);
        }
        // At most 7/8 full, so probes stay short and always find room.
        if (self.len + 1) * 8 > self.buckets.len() * SLOTS * 7 {
            self.grow();
        }
        self.place(key.0, held);
        self.len += 1;
        None
    }

    /// Keeps the entries for which `keep` holds.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Held) -> bool) {
        for at in 0..self.buckets.len() {
            let mut used = self.buckets[at].used;
            while used != 0 {
                let slot = used.trailing_zeros() as usize;
                used &= used - 1;
                if !keep(&self.buckets[at].held(slot)) {
                    self.remove(at, slot);
                }
            }
        }
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (IdKey, Held)> + '_ {
        self.buckets.iter().flat_map(|bucket| {
            (0..SLOTS)
                .filter(|slot| bucket.used & (1 << slot) != 0)
                .map(|slot| (IdKey(bucket.slots[slot].id), bucket.held(slot)))
        })
    }

    fn mask(&self) -> usize {
        self.buckets.len().wrapping_sub(1)
    }

    fn home(&self, id: &[u8; 16]) -> usize {
        if self.buckets.len() <= 1 {
            return 0;
        }
        let mixed = IdKey(*id).hash64().wrapping_mul(self.secret);
        // The top log2(buckets) bits: a multiplication mixes upwards.
        (mixed >> (64 - self.buckets.len().trailing_zeros())) as usize
    }

    fn find(&self, key: &IdKey) -> Option<(usize, usize)> {
        let mut at = self.home(&key.0);
        // Bounded by the table's length: after deletions every bucket
        // could count entries passing it.
        for _ in 0..self.buckets.len() {
            let bucket = &self.buckets[at];
            if let Some(slot) = bucket.slot_of(&key.0) {
                return Some((at, slot));
            }
            if bucket.passing == 0 {
                return None;
            }
            at = (at + 1) & self.mask();
        }
        None
    }

    /// Puts an id that is not held into the first bucket with room from its
    /// home on; the table has room.
    fn place(&mut self, id: [u8; 16], held: Held) {
        let mask = self.mask();
        let mut at = self.home(&id);
        loop {
            let bucket = &mut self.buckets[at];
            let free = !bucket.used & ALL;
            if free != 0 {
                bucket.put(free.trailing_zeros() as usize, id, held);
                return;
            }
            bucket.passing += 1;
            at = (at + 1) & mask;
        }
    }

    fn remove(&mut self, at: usize, slot: usize) {
        let bit = 1 << slot;
        let bucket = &mut self.buckets[at];
        bucket.used &= !bit;
        bucket.anonymous &= !bit;
        let id = bucket.slots[slot].id;
        let mut passed = self.home(&id);
        while passed != at {
            self.buckets[passed].passing -= 1;
            passed = (passed + 1) & self.mask();
        }
        self.len -= 1;
    }

    fn grow(&mut self) {
        let buckets = (self.buckets.len() * 2).max(1);
        let old = core::mem::replace(&mut self.buckets, vec![EMPTY; buckets]);
        for bucket in &old {
            let mut used = bucket.used;
            while used != 0 {
                let slot = used.trailing_zeros() as usize;
                used &= used - 1;
                self.place(bucket.slots[slot].id, bucket.held(slot));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn held(from: u32, anonymous: bool) -> Held {
        Held {
            stamp: Stamp {
                from,
                until: from + 10,
            },
            anonymous,
        }
    }

    /// Each bucket's `passing` is exactly the number of entries whose
    /// probe from their home went past it.
    fn assert_passing_exact(table: &IdTable) {
        let mut expected = vec![0; table.buckets.len()];
        for (at, bucket) in table.buckets.iter().enumerate() {
            for slot in (0..SLOTS).filter(|s| bucket.used & (1 << s) != 0) {
                let mut passed = table.home(&bucket.slots[slot].id);
                while passed != at {
                    expected[passed] += 1;
                    passed = (passed + 1) & table.mask();
                }
            }
        }
        let held: Vec<u32> = table.buckets.iter().map(|b| b.passing).collect();
        assert_eq!(held, expected);
    }

    /// A table driven by random inserts, overwrites and retains agrees
    /// with a `HashMap` after every step, including the bookkeeping that
    /// lets lookups stop early (checked by looking every id up).
    #[test]
    fn agrees_with_a_hash_map() {
        use rand::RngExt;
        let mut rng = rand::rng();
        for round in 0..40 {
            let mut table = IdTable::default();
            if round % 2 == 1 {
                // Homes known: ids below share their top bits.
                table.secret = 1;
            }
            let mut model: HashMap<[u8; 16], Held> = HashMap::new();
            // Few distinct ids in some rounds, so overwrites are common;
            // ids sharing one home in others, so buckets overflow.
            let pool: Vec<[u8; 16]> = (0..[40, 400, 3000][round % 3])
                .map(|n: u32| {
                    let mut id: [u8; 16] = rng.random();
                    if round % 2 == 1 {
                        id[0] = id[8] ^ (n % 3) as u8;
                    }
                    id
                })
                .collect();
            for step in 0..2000u32 {
                if step % 500 == 499 {
                    let cut = rng.random_range(0..20);
                    table.retain(|h| h.stamp.from % 20 >= cut);
                    model.retain(|_, h| h.stamp.from % 20 >= cut);
                    assert_passing_exact(&table);
                } else {
                    let id = pool[rng.random_range(0..pool.len())];
                    let new = held(rng.random_range(0..1000), rng.random());
                    assert_eq!(table.insert(IdKey(id), new), model.insert(id, new));
                }
                assert_eq!(table.len(), model.len());
            }
            assert_passing_exact(&table);
            for id in &pool {
                assert_eq!(table.get(&IdKey(*id)), model.get(id).copied());
                assert_eq!(table.contains_key(&IdKey(*id)), model.contains_key(id));
            }
            let mut listed: Vec<_> = table.iter().map(|(k, h)| (k.0, h)).collect();
            let mut expected: Vec<_> = model.into_iter().collect();
            listed.sort_by_key(|(id, _)| *id);
            expected.sort_by_key(|(id, _)| *id);
            assert_eq!(listed, expected);
        }
    }

    #[test]
    fn an_empty_table_finds_nothing_and_retains_nothing() {
        let mut table = IdTable::default();
        assert_eq!(table.get(&IdKey([7; 16])), None);
        table.retain(|_| false);
        assert_eq!(table.iter().count(), 0);
        assert_eq!(table.insert(IdKey([7; 16]), held(1, true)), None);
        table.retain(|_| false);
        assert_eq!((table.len(), table.get(&IdKey([7; 16]))), (0, None));
    }

    /// After deletions every bucket can count entries passing it; a miss
    /// must still end. Two buckets, each holding an entry homed in the
    /// other.
    #[test]
    fn a_miss_ends_when_every_bucket_has_passers() {
        let mut table = IdTable {
            secret: 1,
            ..IdTable::default()
        };
        // With two buckets the home is the top bit.
        let id = |home: u8, n: u8| {
            let mut id = [0; 16];
            (id[0], id[5]) = (home << 7, n);
            IdKey(id)
        };
        for n in 0..6 {
            table.insert(id(0, n), held(u32::from(n >= 3), false));
        }
        for n in 0..2 {
            table.insert(id(1, n), held(1, false));
        }
        assert_eq!(table.buckets.len(), 2);
        table.retain(|h| h.stamp.from != 0);
        for n in 2..5 {
            table.insert(id(1, n), held(1, false));
        }
        assert_eq!(
            table.buckets.len(),
            2,
            "no growth: the state is the one meant"
        );
        assert!(table.buckets.iter().all(|b| b.passing > 0));
        assert_eq!(table.get(&id(0, 99)), None);
        assert_eq!(table.get(&id(1, 99)), None);
        assert_eq!(table.len(), 8);
        for n in (3..6).map(|n| id(0, n)).chain((0..5).map(|n| id(1, n))) {
            assert!(table.contains_key(&n));
        }
    }

    /// Ids a client kept because they share the low half of their bits
    /// (their home, were the bits used as they are) still spread over the
    /// buckets.
    #[test]
    fn chosen_ids_do_not_pile_up_in_one_bucket() {
        use rand::RngExt;
        let mut rng = rand::rng();
        let mut table = IdTable::default();
        for _ in 0..2000 {
            let mut id: [u8; 16] = rng.random();
            id.copy_within(12..16, 4);
            assert_eq!(IdKey(id).hash64() as u32, 0);
            table.insert(IdKey(id), held(1, false));
        }
        let homes: std::collections::HashSet<_> =
            table.iter().map(|(key, _)| table.home(&key.0)).collect();
        assert_eq!(table.buckets.len(), 512);
        assert!(homes.len() > 400, "{} homes", homes.len());
        let longest = table.buckets.iter().map(|b| b.passing).max();
        assert!(longest < Some(20), "{longest:?}");
    }
}
