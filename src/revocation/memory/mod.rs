//! `MemoryStore`: the embedded, bounded, thread-safe revocation list.

use super::entry::{Held, IdHasher, IdKey, Stamp};
use super::{Denial, DeniedSession, RevocationStore, Status};
use crate::{ConfigError, Result, SessionId};
use core::future::{Future, ready};
use core::hash::BuildHasherDefault;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use time::OffsetDateTime;

mod builder;
mod deny;
mod file;
mod persist;

pub use builder::MemoryStoreBuilder;

/// Independent locks for the deny-list, so concurrent checks and
/// revocations of different sessions rarely touch the same one.
const SHARDS: usize = 16;

/// The default number of session ids one subject may hold on the list
/// within a session lifetime before its logouts fold into its not-before.
///
/// ```
/// assert_eq!(sealed_session::revocation::DEFAULT_SUBJECT_QUOTA, 64);
/// ```
pub const DEFAULT_SUBJECT_QUOTA: u32 = 64;

type IdMap = HashMap<IdKey, Held, BuildHasherDefault<IdHasher>>;

/// One lock and map per cache line, so two cores working on neighbouring
/// shards do not bounce a line between them.
#[derive(Default)]
#[repr(align(64))]
struct Shard(RwLock<IdMap>);

/// What the store keeps per subject: its not-before, and how many of its
/// session ids it holds in the current window (the quota's count).
#[derive(Debug, Clone, Copy, Default)]
struct Subject {
    not_before: Option<Stamp>,
    ids: u32,
    /// When every id counted in `ids` has expired and the count restarts.
    ids_until: u32,
}

impl Subject {
    fn live_at(&self, now: i64) -> bool {
        self.not_before.is_some_and(|nb| nb.live_at(now)) || i64::from(self.ids_until) > now
    }

    fn not_before_at(&self, now: i64) -> Option<Stamp> {
        self.not_before.filter(|nb| nb.live_at(now))
    }
}

/// The bounds a store was built with; see [`MemoryStoreBuilder`].
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_entries: usize,
    anonymous: usize,
    subjects: usize,
    quota: u32,
}

/// The embedded revocation store: a deny-list of session ids, subject
/// not-before times and a global not-before, in memory, bounded, pruned and
/// thread-safe. Its futures are immediately ready: it needs no async
/// runtime (drive it with [`run_ready`](super::run_ready) from sync code).
///
/// **Bounded, and not by strangers.** Anyone can open an anonymous session
/// and log it out, so the bounds are set so that such a flood cannot stop
/// anybody else's logout or login:
///
/// - at most `max_entries` session ids in all, of which at most a quarter
///   (the anonymous share, [`MemoryStoreBuilder::with_anonymous_limit`])
///   belong to sessions without a subject. A full anonymous share refuses
///   further anonymous logouts with [`Error::RevocationFull`](crate::Error::RevocationFull);
///   it never touches sessions with a subject;
/// - at most [`DEFAULT_SUBJECT_QUOTA`] ids per subject within a session
///   lifetime. One more logout of that subject, or any logout of it while
///   the ids are full, *folds*: the subject's not-before moves to the
///   session's issue time + 1 s, which revokes it and every older session
///   of the subject in one entry. A subject's logout therefore never fails
///   for lack of room while its record exists;
/// - at most `max_entries` subject records (one per subject with a
///   not-before or counted ids), so what an attacker can fill is bounded by
///   the accounts they hold, not by requests.
///
/// Expired entries are pruned when a bound is reached (and by
/// [`prune`](Self::prune)). Sizing: *logouts per second x session
/// lifetime* ids (1 logout/s with 7-day sessions is about 605,000 ids, some
/// 30 MB), and one record per subject that logged out in that time.
///
/// **Per node.** Each process has its own list. Share revocations between
/// nodes with a shared store (`RedisStore`), or ship snapshots
/// ([`export`](Self::export) / [`import`](Self::import)) to nodes that only
/// check.
///
/// ```
/// use sealed_session::revocation::{DeniedSession, Denial, MemoryStore, RevocationStore, run_ready};
/// use sealed_session::{Error, SessionId};
///
/// let store = MemoryStore::builder(4).build()?; // anonymous share: 1
/// let anonymous = |until| DeniedSession { id: SessionId::random(), subject: None, issued_at: 0, until };
/// run_ready(store.deny_session(anonymous(100), 50))?;
/// assert_eq!(
///     run_ready(store.deny_session(anonymous(100), 50)).unwrap_err(),
///     Error::RevocationFull { limit: 1 }
/// );
/// // A user's logout is not affected by the full anonymous share.
/// let user = DeniedSession { subject: Some("user-42"), ..anonymous(100) };
/// assert_eq!(run_ready(store.deny_session(user, 50))?, Denial::Recorded);
/// # Ok::<(), Error>(())
/// ```
pub struct MemoryStore {
    shards: Box<[Shard]>,
    subjects: RwLock<HashMap<Box<str>, Subject>>,
    /// Subject records held, so checks can skip the subject lock while
    /// there are none.
    subject_count: AtomicUsize,
    /// The global not-before as a packed [`Stamp`]; 0 for none (a
    /// not-before of 1970 rejects nothing).
    global: AtomicU64,
    /// Session ids held, plus slots reserved for inserts under way.
    ids_len: AtomicUsize,
    /// The anonymous ones among them, likewise.
    anonymous_len: AtomicUsize,
    limits: Limits,
    /// The `now` of the last prune triggered by a full bound: within the
    /// same second another prune cannot find anything new to drop.
    last_full_prune: AtomicI64,
}

impl core::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("max_entries", &self.limits.max_entries)
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
    /// A store with the default bounds for `max_entries` session ids (see
    /// the type's docs); [`builder`](Self::builder) sets them one by one.
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
        MemoryStore::builder(max_entries).build()
    }

    /// Starts configuring a store of at most `max_entries` session ids.
    ///
    /// ```
    /// use sealed_session::revocation::MemoryStore;
    /// let store = MemoryStore::builder(1000).with_subject_quota(4).build()?;
    /// assert_eq!(store.max_entries(), 1000);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn builder(max_entries: usize) -> MemoryStoreBuilder {
        MemoryStoreBuilder::new(max_entries)
    }

    fn with_limits(limits: Limits) -> Result<MemoryStore> {
        if limits.max_entries == 0 || limits.subjects == 0 || limits.anonymous == 0 {
            return Err(ConfigError::RevocationCapacity.into());
        }
        Ok(MemoryStore {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            subjects: RwLock::default(),
            subject_count: AtomicUsize::new(0),
            global: AtomicU64::new(0),
            ids_len: AtomicUsize::new(0),
            anonymous_len: AtomicUsize::new(0),
            limits,
            last_full_prune: AtomicI64::new(i64::MIN),
        })
    }

    /// The bound on session ids.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// assert_eq!(MemoryStore::new(5)?.max_entries(), 5);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn max_entries(&self) -> usize {
        self.limits.max_entries
    }

    /// The number of session ids and subject records held (expired ones
    /// included until pruned).
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// assert_eq!(MemoryStore::new(5)?.len(), 0);
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        let ids: usize = self.shards.iter().map(|s| read(&s.0).len()).sum();
        ids + self.subject_count.load(Ordering::Acquire)
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
    /// let entry = DeniedSession { id: SessionId::random(), subject: None, issued_at: 0, until: 100 };
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
        self.drop_ids(|held| !held.stamp().live_at(now))
            + self.drop_subjects(|subject| !subject.live_at(now))
    }

    /// Prunes once per second at most, when a bound is reached.
    fn prune_when_full(&self, now: i64) {
        if self.last_full_prune.swap(now, Ordering::AcqRel) != now {
            self.prune_unix(now);
        }
    }

    /// Drops every session id for which `doomed` holds; returns how many.
    fn drop_ids(&self, doomed: impl Fn(&Held) -> bool) -> usize {
        let (mut dropped, mut anonymous) = (0, 0);
        for shard in self.shards.iter() {
            write(&shard.0).retain(|_, held| {
                let drop = doomed(held);
                dropped += usize::from(drop);
                anonymous += usize::from(drop && held.anonymous());
                !drop
            });
        }
        self.ids_len.fetch_sub(dropped, Ordering::AcqRel);
        self.anonymous_len.fetch_sub(anonymous, Ordering::AcqRel);
        dropped
    }

    fn drop_subjects(&self, doomed: impl Fn(&Subject) -> bool) -> usize {
        let mut subjects = write(&self.subjects);
        let before = subjects.len();
        subjects.retain(|_, subject| !doomed(subject));
        self.subject_count.store(subjects.len(), Ordering::Release);
        before - subjects.len()
    }

    fn shard(&self, key: &IdKey) -> &RwLock<IdMap> {
        &self.shards[usize::from(key.0[15]) % SHARDS].0
    }

    fn global_at(&self, now: i64) -> Option<Stamp> {
        let global = Stamp::unpack(self.global.load(Ordering::Acquire));
        (global.pack() != 0 && global.live_at(now)).then_some(global)
    }

    fn status_unix(&self, id: SessionId, subject: Option<&str>, now: i64) -> Status {
        let key = IdKey(*id.as_bytes());
        let session_denied = read(self.shard(&key))
            .get(&key)
            .is_some_and(|held| held.stamp().live_at(now));
        let subject_not_before = subject
            .filter(|_| self.subject_count.load(Ordering::Acquire) > 0)
            .and_then(|subject| read(&self.subjects).get(subject).copied())
            .and_then(|record| record.not_before_at(now))
            .map(|stamp| i64::from(stamp.from));
        Status {
            session_denied,
            subject_not_before,
            global_not_before: self.global_at(now).map(|g| i64::from(g.from)),
        }
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

    fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>> {
        Some(Ok(self.status_unix(id, subject, now)))
    }

    fn deny_session(
        &self,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> impl Future<Output = Result<Denial>> + Send {
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
