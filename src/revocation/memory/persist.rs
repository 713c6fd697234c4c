//! Shipping a `MemoryStore` to another node: export to and import from
//! the snapshot format of `revocation::snapshot`.

use super::{MemoryStore, SHARDS, read, write};
use crate::revocation::entry::{IdKey, IdMap, Stamp};
use crate::revocation::snapshot::{self, Contents, Writer};
use crate::{Error, Result};
use std::collections::hash_map::Entry;
use std::sync::RwLockWriteGuard;
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

impl MemoryStore {
    /// The live contents as a compact, versioned snapshot, for shipping a
    /// deny-list to other nodes ([`import`](Self::import) there). Entries
    /// expired at `now` are left out. Entries added while the export runs
    /// may or may not be in it.
    ///
    /// # Format, version 1
    ///
    /// All integers little-endian; times are `u32` unix seconds.
    ///
    /// | bytes | field |
    /// |---|---|
    /// | 4 | magic `SSRV` |
    /// | 1 | version, `1` |
    /// | 1 | flags: bit 0 = a global not-before is present; other bits 0 |
    /// | 4 + 4 | global not-before and until (both 0 when absent) |
    /// | 4 | number of session entries *n* |
    /// | 4 | number of subject entries *m* |
    /// | 24 x *n* | session id (16), issued-at, until |
    /// | per subject | length (1 byte), UTF-8 subject, not-before, until |
    /// | 4 | CRC-32 (IEEE) of every byte before it |
    ///
    /// The checksum catches corruption, not forgery: ship snapshots over an
    /// authenticated channel, since whoever can write one can un-revoke
    /// sessions by leaving them out.
    ///
    /// ```
    /// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, run_ready};
    /// use sealed_session::SessionId;
    /// use time::OffsetDateTime;
    ///
    /// let node_a = MemoryStore::new(10)?;
    /// let id = SessionId::random();
    /// run_ready(node_a.deny_session(DeniedSession { id, issued_at: 10, until: 100 }, 20))?;
    /// let now = OffsetDateTime::from_unix_timestamp(20).unwrap();
    /// let bytes = node_a.export(now);
    /// assert_eq!(bytes.len(), 22 + 24 + 4);
    ///
    /// let node_b = MemoryStore::new(10)?;
    /// assert_eq!(node_b.import(&bytes, now)?, 1);
    /// assert!(run_ready(node_b.status(id, None, 20))?.session_denied);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn export(&self, now: OffsetDateTime) -> Vec<u8> {
        let now = now.unix_timestamp();
        let global = Stamp::unpack(self.global.load(Ordering::Acquire));
        let mut out = Writer::new(global.live_at(now).then_some(global));
        for shard in self.shards.iter() {
            for (key, stamp) in read(&shard.0).iter() {
                if stamp.live_at(now) {
                    out.session(&key.0, *stamp);
                }
            }
        }
        for (subject, stamp) in read(&self.subjects).iter() {
            if stamp.live_at(now) {
                out.subject(subject, *stamp);
            }
        }
        out.finish()
    }

    /// Merges a snapshot made by [`export`](Self::export) into this store
    /// and returns how many of its entries were still live at `now`. An id
    /// or subject held already keeps the later of both deadlines (and the
    /// later not-before). The snapshot is validated whole before anything
    /// is merged; a full store takes nothing. Only entries this store does
    /// not hold yet need room, so a node can import a fresh snapshot of the
    /// same list every minute. Checks wait while the merge holds the locks:
    /// import large snapshots off the busiest moments.
    ///
    /// ```
    /// use sealed_session::revocation::MemoryStore;
    /// use sealed_session::{Error, SnapshotError};
    /// use time::OffsetDateTime;
    ///
    /// let store = MemoryStore::new(10)?;
    /// let now = OffsetDateTime::now_utc();
    /// let mut bytes = MemoryStore::new(10)?.export(now);
    /// assert_eq!(store.import(&bytes, now)?, 0);
    /// bytes[0] = b'X';
    /// assert_eq!(store.import(&bytes, now).unwrap_err(), Error::InvalidSnapshot(SnapshotError::Magic));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSnapshot`] for bytes that are not a valid snapshot,
    /// [`Error::RevocationFull`] when its live entries do not fit.
    pub fn import(&self, bytes: &[u8], now: OffsetDateTime) -> Result<usize> {
        let now = now.unix_timestamp();
        let Contents {
            global,
            mut sessions,
            mut subjects,
        } = snapshot::decode(bytes)?;
        sessions.retain(|(_, stamp)| stamp.live_at(now));
        subjects.retain(|(_, stamp)| stamp.live_at(now));
        let global = global.filter(|stamp| stamp.live_at(now));
        let live = sessions.len() + subjects.len() + usize::from(global.is_some());
        // All locks at once (shards in order, then subjects; nothing else
        // ever holds two), so the bound is checked against exactly the
        // entries that are new: re-importing a fresh snapshot of a list
        // this node mostly holds already needs room only for the news.
        let mut maps: Vec<_> = self.shards.iter().map(|shard| write(&shard.0)).collect();
        let mut held_subjects = write(&self.subjects);
        let map_of = |key: &IdKey| usize::from(key.0[15]) % SHARDS;
        let new = sessions
            .iter()
            .filter(|(id, _)| !maps[map_of(&IdKey(*id))].contains_key(&IdKey(*id)))
            .count()
            + subjects
                .iter()
                .filter(|(subject, _)| !held_subjects.contains_key(subject))
                .count();
        if !self.try_take(new) {
            let mut dropped = 0;
            for map in &mut maps {
                let before = map.len();
                map.retain(|_, stamp| stamp.live_at(now));
                dropped += before - map.len();
            }
            let before = held_subjects.len();
            held_subjects.retain(|_, stamp| stamp.live_at(now));
            dropped += before - held_subjects.len();
            self.subject_count
                .store(held_subjects.len(), Ordering::Release);
            self.release(dropped);
            if !self.try_take(new) {
                return Err(Error::RevocationFull {
                    limit: self.max_entries,
                });
            }
        }
        // Slots were taken per new key; a snapshot naming one twice took
        // two: give back what was not used.
        let count_held = |maps: &[RwLockWriteGuard<'_, IdMap>], subjects: usize| {
            maps.iter().map(|map| map.len()).sum::<usize>() + subjects
        };
        let before = count_held(&maps, held_subjects.len());
        for (id, stamp) in sessions {
            let key = IdKey(id);
            match maps[map_of(&key)].entry(key) {
                Entry::Occupied(mut held) => {
                    let stamp = held.get().merge(stamp, false);
                    held.insert(stamp);
                }
                Entry::Vacant(slot) => {
                    slot.insert(stamp);
                }
            }
        }
        for (subject, stamp) in subjects {
            match held_subjects.entry(subject) {
                Entry::Occupied(mut held) => {
                    let stamp = held.get().merge(stamp, true);
                    held.insert(stamp);
                }
                Entry::Vacant(slot) => {
                    slot.insert(stamp);
                }
            }
        }
        self.subject_count
            .store(held_subjects.len(), Ordering::Release);
        self.release(new - (count_held(&maps, held_subjects.len()) - before));
        drop((maps, held_subjects));
        if let Some(global) = global {
            self.global_unix(i64::from(global.from), i64::from(global.until), now)?;
        }
        Ok(live)
    }
}
