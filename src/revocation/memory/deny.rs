//! The writing side of `MemoryStore`: denying ids (within the anonymous
//! share or the subject's quota, folding into the subject's not-before when
//! those are used up), and setting subject and global not-befores.

use super::{MemoryStore, Subject, read, write};
use crate::revocation::entry::{Held, IdKey, Stamp, covers};
use crate::revocation::{Denial, DeniedSession, not_before_to_keep};
use crate::{Error, Result, RevokedReason, SessionId};
use std::sync::atomic::{AtomicUsize, Ordering};

fn already(reason: RevokedReason) -> Denial {
    Denial::AlreadyRevoked { reason }
}

/// Takes one slot of `len` if that stays within `limit`.
fn take(len: &AtomicUsize, limit: usize) -> bool {
    len.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
        (n < limit).then_some(n + 1)
    })
    .is_ok()
}

impl MemoryStore {
    pub(super) fn deny_unix(&self, entry: DeniedSession<'_>, now: i64) -> Result<Denial> {
        if entry.until <= now {
            return Ok(Denial::Expired);
        }
        let stamp = Stamp::new(entry.issued_at, entry.until)?;
        if self
            .global_at(now)
            .is_some_and(|global| entry.issued_at < i64::from(global.from))
        {
            return Ok(already(RevokedReason::GlobalNotBefore));
        }
        match entry.subject {
            None => self.deny_anonymous(entry.id, stamp, now),
            Some(subject) => self.deny_of_subject(subject, entry.id, stamp, now),
        }
    }

    /// Takes a slot for one more id, anonymous or not.
    fn take_id(&self, anonymous: bool) -> bool {
        if anonymous && !take(&self.anonymous_len, self.limits.anonymous) {
            return false;
        }
        if take(&self.ids_len, self.limits.max_entries) {
            return true;
        }
        if anonymous {
            self.anonymous_len.fetch_sub(1, Ordering::AcqRel);
        }
        false
    }

    /// Inserts `key` into its shard unless it is held and live; the
    /// shard's lock is held across the check, so of two concurrent denials
    /// of one id exactly one sees `Recorded`.
    fn insert_id(&self, key: IdKey, stamp: Stamp, anonymous: bool, now: i64) -> Option<Denial> {
        let mut map = write(self.shard(&key));
        if let Some(held) = map.get_mut(&key) {
            if held.stamp().live_at(now) {
                held.set_stamp(held.stamp().merge(stamp, false));
                return Some(already(RevokedReason::SessionId));
            }
            // Expired but not yet pruned: reuse its slot.
            if held.anonymous() == anonymous {
                *held = Held::new(stamp, anonymous);
                return Some(Denial::Recorded);
            }
        }
        if !self.take_id(anonymous) {
            return None;
        }
        if let Some(old) = map.insert(key, Held::new(stamp, anonymous)) {
            // The expired entry of the other kind gives its slot back.
            self.ids_len.fetch_sub(1, Ordering::AcqRel);
            if old.anonymous() {
                self.anonymous_len.fetch_sub(1, Ordering::AcqRel);
            }
        }
        Some(Denial::Recorded)
    }

    fn deny_anonymous(&self, id: SessionId, stamp: Stamp, now: i64) -> Result<Denial> {
        let key = IdKey(*id.as_bytes());
        if let Some(done) = self.insert_id(key, stamp, true, now) {
            return Ok(done);
        }
        // Not under the shard lock: a prune takes every shard.
        self.prune_when_full(now);
        self.insert_id(key, stamp, true, now)
            .ok_or(Error::RevocationFull {
                limit: self.limits.anonymous,
            })
    }

    fn deny_of_subject(
        &self,
        subject: &str,
        id: SessionId,
        stamp: Stamp,
        now: i64,
    ) -> Result<Denial> {
        let key = IdKey(*id.as_bytes());
        if self.ids_len.load(Ordering::Acquire) >= self.limits.max_entries {
            self.prune_when_full(now);
        }
        self.with_subject(subject, now, |record| {
            if record
                .not_before_at(now)
                .is_some_and(|nb| stamp.from < nb.from)
            {
                return Ok(already(RevokedReason::SubjectNotBefore));
            }
            if i64::from(record.ids_until) <= now {
                record.ids = 0;
            }
            let live = read(self.shard(&key))
                .get(&key)
                .is_some_and(|held| held.stamp().live_at(now));
            if live {
                return Ok(already(RevokedReason::SessionId));
            }
            if record.ids < self.limits.quota
                && let Some(done) = self.insert_id(key, stamp, false, now)
            {
                if done == Denial::Recorded {
                    record.ids += 1;
                    record.ids_until = record.ids_until.max(stamp.until);
                }
                return Ok(done);
            }
            // Quota or ids used up: one not-before revokes this session
            // and every older one of the subject, in the record it has.
            let fold = Stamp {
                from: stamp.from.saturating_add(1),
                until: stamp.until,
            };
            let merged = record.not_before.map_or(fold, |nb| nb.merge(fold, true));
            record.not_before = Some(merged);
            Ok(Denial::Folded {
                not_before: i64::from(merged.from),
            })
        })
    }

    /// Runs `change` on `subject`'s record, made if missing. The subjects'
    /// lock is held throughout, so the checks and writes of one subject
    /// are atomic; shard locks are only ever taken inside it.
    fn with_subject<R>(
        &self,
        subject: &str,
        now: i64,
        change: impl FnOnce(&mut Subject) -> Result<R>,
    ) -> Result<R> {
        let full = |held: usize| held >= self.limits.subjects;
        let missing_and_full = {
            let subjects = read(&self.subjects);
            !subjects.contains_key(subject) && full(subjects.len())
        };
        if missing_and_full {
            self.prune_when_full(now);
        }
        let mut subjects = write(&self.subjects);
        if !subjects.contains_key(subject) && full(subjects.len()) {
            return Err(Error::RevocationFull {
                limit: self.limits.subjects,
            });
        }
        let out = change(subjects.entry(subject.into()).or_default());
        self.subject_count.store(subjects.len(), Ordering::Release);
        out
    }

    pub(super) fn subject_unix(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> Result<()> {
        if !not_before_to_keep(not_before, until, now)? {
            return Ok(());
        }
        let stamp = Stamp::new(not_before, until)?;
        if self
            .global_at(now)
            .is_some_and(|global| covers(global, stamp, true))
        {
            return Ok(());
        }
        self.with_subject(subject, now, |record| {
            record.not_before = Some(
                record
                    .not_before_at(now)
                    .map_or(stamp, |held| held.merge(stamp, true)),
            );
            Ok(())
        })
    }

    pub(super) fn global_unix(&self, not_before: i64, until: i64, now: i64) -> Result<()> {
        if !not_before_to_keep(not_before, until, now)? {
            return Ok(());
        }
        let stamp = Stamp::new(not_before, until)?;
        let merge = |packed: u64| {
            let held = Stamp::unpack(packed);
            if packed != 0 && held.live_at(now) {
                held.merge(stamp, true)
            } else {
                stamp
            }
        };
        let merged = self
            .global
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |packed| {
                Some(merge(packed).pack())
            })
            .map_or(stamp, merge);
        // Everything the new global not-before covers can go: this is what
        // makes `revoke_all` a way out of a full list.
        self.drop_ids(|held| covers(merged, held.stamp(), false));
        let mut subjects = write(&self.subjects);
        subjects.retain(|_, record| {
            if record.not_before.is_some_and(|nb| covers(merged, nb, true)) {
                record.not_before = None;
            }
            record.live_at(now)
        });
        self.subject_count.store(subjects.len(), Ordering::Release);
        Ok(())
    }
}
