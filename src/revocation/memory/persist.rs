//! Shipping a `MemoryStore` to another node: export to and import from
//! the snapshot format of `revocation::snapshot`, plain (CRC-32) or
//! authenticated (HMAC-SHA256 under a [`SnapshotKey`]).

use super::{MemoryStore, SHARDS, read, write};
use crate::revocation::entry::{Held, IdKey, Stamp};
use crate::revocation::snapshot::{self, Contents, Writer};
use crate::revocation::{MAX_NOT_BEFORE_AHEAD, SnapshotKey};
use crate::{Error, Result, SnapshotError};
use std::sync::atomic::Ordering;
use time::OffsetDateTime;

impl MemoryStore {
    /// The live contents as a compact, versioned snapshot, for shipping a
    /// deny-list to other nodes ([`import`](Self::import) there). Entries
    /// expired at `now` are left out. Entries added while the export runs
    /// may or may not be in it.
    ///
    /// # Format
    ///
    /// All integers little-endian; times are `u32` unix seconds.
    ///
    /// | bytes | field |
    /// |---|---|
    /// | 4 | magic `SSRV` |
    /// | 1 | version: `1` (this method), `2` ([`export_authenticated`](Self::export_authenticated)) |
    /// | 1 | flags: bit 0 = a global not-before is present; other bits 0 |
    /// | 4 + 4 | global not-before and until (both 0 when absent) |
    /// | 4 | number of session entries *n* |
    /// | 4 | number of subject entries *m* (those with a not-before) |
    /// | 24 x *n* | session id (16), issued-at, until |
    /// | per subject | length (1 byte), UTF-8 subject, not-before, until |
    /// | 4 or 32 | version 1: CRC-32 (IEEE) of every byte before it; version 2: HMAC-SHA256 of every byte before it |
    ///
    /// The CRC catches corruption, not forgery: whoever can write a version
    /// 1 snapshot can un-revoke sessions by leaving them out. Ship one over
    /// an authenticated channel, or use version 2.
    ///
    /// ```
    /// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, run_ready};
    /// use sealed_session::SessionId;
    /// use time::OffsetDateTime;
    ///
    /// let node_a = MemoryStore::new(10)?;
    /// let id = SessionId::random();
    /// run_ready(node_a.deny_session(DeniedSession { id, subject: Some("u"), issued_at: 10, until: 100 }, 20))?;
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
        self.export_with(None, now)
    }

    /// [`export`](Self::export) as an authenticated, version 2 snapshot:
    /// only [`import_authenticated`](Self::import_authenticated) with the
    /// same key takes it.
    ///
    /// ```
    /// use sealed_session::revocation::{MemoryStore, SnapshotKey};
    /// use sealed_session::{Error, SnapshotError};
    /// use time::OffsetDateTime;
    ///
    /// let now = OffsetDateTime::from_unix_timestamp(20).unwrap();
    /// let key = SnapshotKey::from_bytes([3; 32]);
    /// let bytes = MemoryStore::new(10)?.export_authenticated(&key, now);
    /// let other = SnapshotKey::from_bytes([4; 32]);
    /// let store = MemoryStore::new(10)?;
    /// assert_eq!(
    ///     store.import_authenticated(&bytes, &other, now).unwrap_err(),
    ///     Error::InvalidSnapshot(SnapshotError::Unauthenticated)
    /// );
    /// assert_eq!(store.import(&bytes, now).unwrap_err(), Error::InvalidSnapshot(SnapshotError::Unauthenticated));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn export_authenticated(&self, key: &SnapshotKey, now: OffsetDateTime) -> Vec<u8> {
        self.export_with(Some(key), now)
    }

    fn export_with(&self, key: Option<&SnapshotKey>, now: OffsetDateTime) -> Vec<u8> {
        let now = now.unix_timestamp();
        let mut out = Writer::new(self.global_at(now));
        for shard in self.shards.iter() {
            for (id, held) in read(&shard.0).iter() {
                if held.stamp().live_at(now) {
                    out.session(&id.0, held.stamp());
                }
            }
        }
        for (subject, record) in read(&self.subjects).iter() {
            if let Some(not_before) = record.not_before_at(now) {
                out.subject(subject, not_before);
            }
        }
        out.finish(key)
    }

    /// Merges a snapshot made by [`export`](Self::export) into this store
    /// and returns how many of its entries were still live at `now`. An id
    /// or subject held already keeps the later of both deadlines (and the
    /// later not-before). The snapshot is validated whole before anything
    /// is merged; a store without room takes nothing. Only entries this
    /// store does not hold yet need room, so a node can import a fresh
    /// snapshot of the same list every minute. Checks wait while the merge
    /// holds the locks: import large snapshots off the busiest moments.
    ///
    /// A not-before more than an hour ahead of `now` is refused: no
    /// revocation sets one, and it would lock sessions out until then.
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
    /// [`Error::InvalidSnapshot`] for bytes that are not a valid version 1
    /// snapshot, [`Error::RevocationFull`] when its live entries do not fit.
    pub fn import(&self, bytes: &[u8], now: OffsetDateTime) -> Result<usize> {
        self.import_contents(snapshot::decode(bytes, None)?, now.unix_timestamp())
    }

    /// [`import`](Self::import) of an authenticated (version 2) snapshot:
    /// the MAC must verify under `key`, or nothing is merged.
    ///
    /// ```
    /// use sealed_session::revocation::{MemoryStore, SnapshotKey};
    /// use time::OffsetDateTime;
    /// let now = OffsetDateTime::from_unix_timestamp(20).unwrap();
    /// let key = SnapshotKey::from_bytes([3; 32]);
    /// let bytes = MemoryStore::new(10)?.export_authenticated(&key, now);
    /// assert_eq!(MemoryStore::new(10)?.import_authenticated(&bytes, &key, now)?, 0);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`import`](Self::import); [`SnapshotError::Unauthenticated`] for
    /// a wrong MAC or a plain (version 1) snapshot.
    pub fn import_authenticated(
        &self,
        bytes: &[u8],
        key: &SnapshotKey,
        now: OffsetDateTime,
    ) -> Result<usize> {
        self.import_contents(snapshot::decode(bytes, Some(key))?, now.unix_timestamp())
    }

    fn import_contents(&self, contents: Contents, now: i64) -> Result<usize> {
        let Contents {
            global,
            mut sessions,
            mut subjects,
        } = contents;
        sessions.retain(|(_, stamp)| stamp.live_at(now));
        subjects.retain(|(_, stamp)| stamp.live_at(now));
        let global = global.filter(|stamp| stamp.live_at(now));
        let ahead = |stamp: &Stamp| i64::from(stamp.from) > now + MAX_NOT_BEFORE_AHEAD;
        if global.iter().any(ahead) || subjects.iter().any(|(_, nb)| ahead(nb)) {
            return Err(SnapshotError::FutureNotBefore.into());
        }
        let live = sessions.len() + subjects.len() + usize::from(global.is_some());
        self.prune_unix(now);
        // Subjects, then every shard in order: the lock order of denials.
        let mut held_subjects = write(&self.subjects);
        let mut maps: Vec<_> = self.shards.iter().map(|shard| write(&shard.0)).collect();
        let map_of = |key: &IdKey| usize::from(key.0[15]) % SHARDS;
        let mut new_ids: Vec<IdKey> = sessions
            .iter()
            .map(|(id, _)| IdKey(*id))
            .filter(|key| !maps[map_of(key)].contains_key(key))
            .collect();
        new_ids.sort_unstable_by_key(|key| key.0);
        new_ids.dedup_by_key(|key| key.0);
        let new_subjects = subjects
            .iter()
            .filter(|(subject, _)| !held_subjects.contains_key(subject))
            .count();
        let ids = self.ids_len.load(Ordering::Acquire);
        if ids + new_ids.len() > self.limits.max_entries {
            return Err(Error::RevocationFull {
                limit: self.limits.max_entries,
            });
        }
        if held_subjects.len() + new_subjects > self.limits.subjects {
            return Err(Error::RevocationFull {
                limit: self.limits.subjects,
            });
        }
        self.ids_len.fetch_add(new_ids.len(), Ordering::AcqRel);
        for (id, stamp) in sessions {
            let key = IdKey(id);
            let held = maps[map_of(&key)]
                .entry(key)
                .or_insert(Held::new(stamp, false));
            held.set_stamp(held.stamp().merge(stamp, false));
        }
        for (subject, stamp) in subjects {
            let record = held_subjects.entry(subject).or_default();
            record.not_before = Some(record.not_before.map_or(stamp, |nb| nb.merge(stamp, true)));
        }
        self.subject_count
            .store(held_subjects.len(), Ordering::Release);
        drop((maps, held_subjects));
        if let Some(global) = global {
            self.global_unix(i64::from(global.from), i64::from(global.until), now)?;
        }
        Ok(live)
    }
}
