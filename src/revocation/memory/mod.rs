//! `MemoryStore`: the embedded, bounded, thread-safe revocation list.

use super::entry::{IdKey, IdMap, Stamp, covers};
use super::{DeniedSession, RevocationStore, Status};
use crate::{ConfigError, Error, Result, SessionId};
use core::future::{Future, ready};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use time::OffsetDateTime;

mod persist;

/// Independent locks for the deny-list, so concurrent checks and
/// revocations of different sessions rarely touch the same one.
const SHARDS: usize = 16;

/// One lock and map per cache line, so two cores working on neighbouring
/// shards do not bounce a line between them.
#[derive(Default)]
#[repr(align(64))]
struct Shard(RwLock<IdMap>);

/// The embedded revocation store: a deny-list of session ids, subject
/// not-before times and a global not-before, in memory, bounded, pruned and
/// thread-safe. Its futures are immediately ready: it needs no async
/// runtime (drive it with [`run_ready`](super::run_ready) from sync code).
///
/// **Bounded.** It holds at most `max_entries` session ids and subjects
/// together. Expired entries are pruned when it is full (and by
/// [`prune`](Self::prune)); when it is still full, a revocation fails with
/// [`Error::RevocationFull`] instead of dropping anything. Then raise the
/// bound (size it as *logouts per second x session lifetime*: 1 logout/s
/// with 7-day sessions is about 605,000 entries, some 30 MB), set a global
/// not-before ([`Revocation::revoke_all`](super::Revocation::revoke_all):
/// everyone logs in again, and every entry it covers is dropped), or rotate
/// keys.
///
/// **Per node.** Each process has its own list. Share revocations between
/// nodes with a shared store (`RedisStore`), or ship snapshots
/// ([`export`](Self::export) / [`import`](Self::import)) to nodes that only
/// check.
///
/// Times are kept as `u32` unix seconds (good until 2106) to keep entries at
/// 24 bytes; the whole map costs about 29 to 57 bytes per session id
/// depending on where the hash table is in its growth (see BENCHMARKS.md).
/// A subject costs its length plus about 60 bytes; there is at most one per
/// subject logged out everywhere within the longest TTL.
///
/// ```
/// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, run_ready};
/// use sealed_session::{Error, SessionId};
///
/// let store = MemoryStore::new(1)?;
/// let entry = |until| DeniedSession { id: SessionId::random(), issued_at: 0, until };
/// run_ready(store.deny_session(entry(100), 50))?;
/// assert_eq!(
///     run_ready(store.deny_session(entry(100), 50)).unwrap_err(),
///     Error::RevocationFull { limit: 1 }
/// );
/// // Once the first entry has expired, it makes room.
/// run_ready(store.deny_session(entry(300), 200))?;
/// assert_eq!(store.len(), 1);
/// # Ok::<(), Error>(())
/// ```
pub struct MemoryStore {
    shards: Box<[Shard]>,
    subjects: RwLock<HashMap<Box<str>, Stamp>>,
    /// Lets checks of sessions skip the subject lock while none is set.
    subject_count: AtomicUsize,
    /// The global not-before as a packed [`Stamp`]; 0 for none (a
    /// not-before of 1970 rejects nothing).
    global: AtomicU64,
    /// Session ids and subjects held, plus slots reserved for inserts
    /// under way.
    len: AtomicUsize,
    max_entries: usize,
    /// The `now` of the last prune triggered by a full list: within the same
    /// second another prune cannot find anything new to drop.
    last_full_prune: AtomicI64,
}

impl core::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    // No code path panics while holding a lock, so a poisoned lock still
    // guards consistent data.
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl MemoryStore {
    /// An empty store holding at most `max_entries` session ids and
    /// subjects.
    ///
    /// ```
    /// use sealed_session::revocation::MemoryStore;
    /// use sealed_session::{ConfigError, Error};
    /// let store = MemoryStore::new(100_000)?;
    /// assert_eq!(store.max_entries(), 100_000);
    /// assert_eq!(MemoryStore::new(0).unwrap_err(), Error::InvalidConfig(ConfigError::RevocationCapacity));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::RevocationCapacity`] when `max_entries` is zero.
    pub fn new(max_entries: usize) -> Result<MemoryStore> {
        if max_entries == 0 {
            return Err(ConfigError::RevocationCapacity.into());
        }
        Ok(MemoryStore {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            subjects: RwLock::default(),
            subject_count: AtomicUsize::new(0),
            global: AtomicU64::new(0),
            len: AtomicUsize::new(0),
            max_entries,
            last_full_prune: AtomicI64::new(i64::MIN),
        })
    }

    /// The configured bound.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// assert_eq!(MemoryStore::new(5)?.max_entries(), 5);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The number of session ids and subjects held (expired ones included
    /// until pruned).
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// assert_eq!(MemoryStore::new(5)?.len(), 0);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed).min(self.max_entries)
    }

    /// Whether no session id or subject is held.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// assert!(MemoryStore::new(5)?.is_empty());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every entry that has expired at `now` and returns how many.
    /// A full store does this by itself before refusing an entry; calling
    /// it now and then (say once a minute) keeps memory down.
    ///
    /// ```
    /// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, run_ready};
    /// use sealed_session::SessionId;
    /// use time::OffsetDateTime;
    ///
    /// let store = MemoryStore::new(10)?;
    /// let entry = DeniedSession { id: SessionId::random(), issued_at: 0, until: 100 };
    /// run_ready(store.deny_session(entry, 0))?;
    /// assert_eq!(store.prune(OffsetDateTime::from_unix_timestamp(99).unwrap()), 0);
    /// assert_eq!(store.prune(OffsetDateTime::from_unix_timestamp(100).unwrap()), 1);
    /// assert!(store.is_empty());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn prune(&self, now: OffsetDateTime) -> usize {
        self.prune_unix(now.unix_timestamp())
    }

    fn prune_unix(&self, now: i64) -> usize {
        let global = Stamp::unpack(self.global.load(Ordering::Acquire));
        if !global.live_at(now) && global.pack() != 0 {
            // Only if nobody set a newer one meanwhile.
            let _ =
                self.global
                    .compare_exchange(global.pack(), 0, Ordering::AcqRel, Ordering::Relaxed);
        }
        self.drop_entries(|stamp, _| !stamp.live_at(now))
    }

    /// Drops every session entry and subject for which `doomed(stamp,
    /// is_subject)` holds; returns how many.
    fn drop_entries(&self, doomed: impl Fn(Stamp, bool) -> bool) -> usize {
        let mut dropped = 0;
        for shard in self.shards.iter() {
            let mut map = write(&shard.0);
            let before = map.len();
            map.retain(|_, stamp| !doomed(*stamp, false));
            dropped += before - map.len();
        }
        let mut subjects = write(&self.subjects);
        let before = subjects.len();
        subjects.retain(|_, stamp| !doomed(*stamp, true));
        let subjects_dropped = before - subjects.len();
        self.subject_count.store(subjects.len(), Ordering::Release);
        drop(subjects);
        dropped += subjects_dropped;
        self.len.fetch_sub(dropped, Ordering::AcqRel);
        dropped
    }

    /// Takes `n` slots of the bound, pruning once if the list is full.
    fn reserve(&self, n: usize, now: i64) -> Result<()> {
        if self.try_take(n) {
            return Ok(());
        }
        if self.last_full_prune.swap(now, Ordering::AcqRel) != now {
            self.prune_unix(now);
            if self.try_take(n) {
                return Ok(());
            }
        }
        Err(Error::RevocationFull {
            limit: self.max_entries,
        })
    }

    /// Takes `n` slots of the bound if they are free.
    fn try_take(&self, n: usize) -> bool {
        self.len
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |len| {
                (len + n <= self.max_entries).then_some(len + n)
            })
            .is_ok()
    }

    fn release(&self, n: usize) {
        self.len.fetch_sub(n, Ordering::AcqRel);
    }

    fn shard(&self, key: &IdKey) -> &RwLock<IdMap> {
        &self.shards[usize::from(key.0[15]) % SHARDS].0
    }

    /// Whether the live global not-before already rejects everything this
    /// entry would, for at least as long.
    fn covered_by_global(&self, stamp: Stamp, is_subject: bool) -> bool {
        let global = Stamp::unpack(self.global.load(Ordering::Acquire));
        covers(global, stamp, is_subject)
    }

    fn status_unix(&self, id: SessionId, subject: Option<&str>, now: i64) -> Status {
        let key = IdKey(*id.as_bytes());
        let session_denied = read(self.shard(&key))
            .get(&key)
            .is_some_and(|stamp| stamp.live_at(now));
        let subject_not_before = subject
            .filter(|_| self.subject_count.load(Ordering::Acquire) > 0)
            .and_then(|subject| read(&self.subjects).get(subject).copied())
            .filter(|stamp| stamp.live_at(now))
            .map(|stamp| i64::from(stamp.from));
        let global = Stamp::unpack(self.global.load(Ordering::Acquire));
        Status {
            session_denied,
            subject_not_before,
            global_not_before: global.live_at(now).then_some(i64::from(global.from)),
        }
    }

    fn deny_unix(&self, entry: DeniedSession, now: i64) -> Result<()> {
        if entry.until <= now {
            return Ok(()); // the session is dead already
        }
        let stamp = Stamp::new(entry.issued_at, entry.until)?;
        if self.covered_by_global(stamp, false) {
            return Ok(());
        }
        let key = IdKey(*entry.id.as_bytes());
        let shard = self.shard(&key);
        if let Some(held) = write(shard).get_mut(&key) {
            *held = held.merge(stamp, false);
            return Ok(());
        }
        // Not under the shard lock: a full list prunes every shard.
        self.reserve(1, now)?;
        match write(shard).entry(key) {
            Entry::Occupied(mut held) => {
                let merged = held.get().merge(stamp, false);
                held.insert(merged);
                self.release(1);
            }
            Entry::Vacant(slot) => {
                slot.insert(stamp);
            }
        }
        Ok(())
    }

    fn subject_unix(&self, subject: &str, not_before: i64, until: i64, now: i64) -> Result<()> {
        if until <= now {
            return Ok(());
        }
        let stamp = Stamp::new(not_before, until)?;
        if self.covered_by_global(stamp, true) {
            return Ok(());
        }
        if let Some(held) = write(&self.subjects).get_mut(subject) {
            *held = held.merge(stamp, true);
            return Ok(());
        }
        self.reserve(1, now)?;
        let mut subjects = write(&self.subjects);
        match subjects.get_mut(subject) {
            Some(held) => {
                *held = held.merge(stamp, true);
                self.release(1);
            }
            None => {
                subjects.insert(subject.into(), stamp);
                self.subject_count.store(subjects.len(), Ordering::Release);
            }
        }
        Ok(())
    }

    fn global_unix(&self, not_before: i64, until: i64, now: i64) -> Result<()> {
        if until <= now {
            return Ok(());
        }
        let stamp = Stamp::new(not_before, until)?;
        let merged = self
            .global
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |packed| {
                let held = Stamp::unpack(packed);
                Some(
                    if held.live_at(now) {
                        held.merge(stamp, true)
                    } else {
                        stamp
                    }
                    .pack(),
                )
            })
            .map_or(stamp, |held| {
                let held = Stamp::unpack(held);
                if held.live_at(now) {
                    held.merge(stamp, true)
                } else {
                    stamp
                }
            });
        // Everything the new global not-before covers can go: this is what
        // makes `revoke_all` a way out of a full list.
        self.drop_entries(|entry, is_subject| covers(merged, entry, is_subject));
        Ok(())
    }
}

impl RevocationStore for MemoryStore {
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        ready(Ok(self.status_unix(id, subject, now)))
    }

    fn deny_session(
        &self,
        entry: DeniedSession,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        ready(self.deny_unix(entry, now))
    }

    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        ready(self.subject_unix(subject, not_before, until, now))
    }

    fn set_global_not_before(
        &self,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        ready(self.global_unix(not_before, until, now))
    }
}
