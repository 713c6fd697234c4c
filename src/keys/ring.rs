//! The key ring: one primary key that seals, older keys that only open,
//! each with an optional retire-at time.

use crate::{ConfigError, Key, Result};
use time::OffsetDateTime;

/// A key with the time after which cookies under it are refused, and the
/// time it began sealing, which the ring cannot know otherwise (it is
/// restored from the text form, or stamped by a rotation).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) key: Key,
    pub(crate) retire_at: Option<OffsetDateTime>,
    pub(crate) since: Option<OffsetDateTime>,
}

impl Entry {
    pub(crate) fn new(key: Key) -> Entry {
        Entry {
            key,
            retire_at: None,
            since: None,
        }
    }
}

/// The keys a [`Sealer`](crate::Sealer) seals and opens with.
///
/// The primary key seals every new cookie. The other keys only open: a
/// cookie sealed under one of them opens, and [`Opened`](crate::Opened)
/// asks for a re-seal so the session moves to the primary key on its next
/// response. A key past its retire-at time opens nothing.
///
/// ```
/// use sealed_session::{Key, KeyRing};
/// use time::{Duration, OffsetDateTime};
///
/// let retire = OffsetDateTime::now_utc() + Duration::days(30);
/// let ring = KeyRing::new(Key::generate(2))
///     .with_key(Key::generate(1))
///     .with_retiring_key(Key::generate(0), retire);
/// assert_eq!(ring.primary().id(), 2);
/// assert_eq!(ring.len(), 3);
/// assert!(ring.get(0).is_some());
/// ```
#[derive(Debug, Clone)]
pub struct KeyRing {
    /// `entries[0]` is the primary key; never empty.
    pub(crate) entries: Vec<Entry>,
}

impl KeyRing {
    /// A ring whose primary key seals and opens.
    ///
    /// ```
    /// let ring = sealed_session::KeyRing::new(sealed_session::Key::generate(1));
    /// assert_eq!(ring.len(), 1);
    /// ```
    pub fn new(primary: Key) -> KeyRing {
        KeyRing {
            entries: vec![Entry::new(primary)],
        }
    }

    /// Adds a key that opens cookies (and asks for their re-seal) but never
    /// seals.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate(2)).with_key(Key::generate(1));
    /// assert_eq!(ring.primary().id(), 2);
    /// ```
    pub fn with_key(self, key: Key) -> KeyRing {
        self.push(key, None)
    }

    /// Adds an opening key that stops opening at `retire_at`; set it to the
    /// time the longest session sealed under it would have expired anyway.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::OffsetDateTime;
    /// let ring = KeyRing::new(Key::generate(2))
    ///     .with_retiring_key(Key::generate(1), OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(ring.retire_at(1), Some(OffsetDateTime::UNIX_EPOCH));
    /// ```
    pub fn with_retiring_key(self, key: Key, retire_at: OffsetDateTime) -> KeyRing {
        self.push(key, Some(retire_at))
    }

    /// Sets or clears the retire-at time of the key with `id`, primary
    /// included (a sealer refuses to build on a retired primary).
    /// Returns `false` when no key has that id.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::OffsetDateTime;
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// assert!(ring.set_retire_at(1, Some(OffsetDateTime::UNIX_EPOCH)));
    /// assert!(!ring.set_retire_at(9, None));
    /// ```
    pub fn set_retire_at(&mut self, id: u32, retire_at: Option<OffsetDateTime>) -> bool {
        match self.entries.iter_mut().find(|e| e.key.id() == id) {
            Some(entry) => {
                entry.retire_at = retire_at;
                true
            }
            None => false,
        }
    }

    fn push(mut self, key: Key, retire_at: Option<OffsetDateTime>) -> KeyRing {
        self.entries.push(Entry {
            retire_at,
            ..Entry::new(key)
        });
        self
    }

    /// The key that seals.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// assert_eq!(KeyRing::new(Key::generate(4)).primary().id(), 4);
    /// ```
    pub fn primary(&self) -> &Key {
        &self.entries[0].key
    }

    /// The key with `id`, if the ring holds one.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate(4));
    /// assert!(ring.get(4).is_some() && ring.get(5).is_none());
    /// ```
    pub fn get(&self, id: u32) -> Option<&Key> {
        self.position(id).map(|i| &self.entries[i].key)
    }

    /// The retire-at time of the key with `id`, if it has one.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// assert_eq!(KeyRing::new(Key::generate(4)).retire_at(4), None);
    /// ```
    pub fn retire_at(&self, id: u32) -> Option<OffsetDateTime> {
        self.position(id).and_then(|i| self.entries[i].retire_at)
    }

    /// When the key with `id` began sealing (became primary), if the ring
    /// knows: set by [`rotate_at`](KeyRing::rotate_at),
    /// [`promote_at`](KeyRing::promote_at), [`set_since`](KeyRing::set_since)
    /// or the text form's `since=`.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::macros::datetime;
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// assert_eq!(ring.since(1), None);
    /// ring.rotate_at(Key::generate(2), datetime!(2030-01-01 0:00 UTC))?;
    /// assert_eq!(ring.since(2), Some(datetime!(2030-01-01 0:00 UTC)));
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn since(&self, id: u32) -> Option<OffsetDateTime> {
        self.position(id).and_then(|i| self.entries[i].since)
    }

    /// Sets or clears when the key with `id` began sealing; for a ring built
    /// in code whose primary has been in use for a while. Returns `false`
    /// when no key has that id.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// use time::OffsetDateTime;
    /// let mut ring = KeyRing::new(Key::generate(1));
    /// assert!(ring.set_since(1, Some(OffsetDateTime::UNIX_EPOCH)));
    /// assert_eq!(ring.since(1), Some(OffsetDateTime::UNIX_EPOCH));
    /// ```
    pub fn set_since(&mut self, id: u32, since: Option<OffsetDateTime>) -> bool {
        match self.entries.iter_mut().find(|e| e.key.id() == id) {
            Some(entry) => {
                entry.since = since;
                true
            }
            None => false,
        }
    }

    /// All keys, the primary first.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// let ring = KeyRing::new(Key::generate(2)).with_key(Key::generate(1));
    /// let ids: Vec<u32> = ring.keys().map(|k| k.id()).collect();
    /// assert_eq!(ids, [2, 1]);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.entries.iter().map(|e| &e.key)
    }

    /// Number of keys, the primary included (never zero).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// assert_eq!(KeyRing::new(Key::generate(1)).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Always `false`: a ring has a primary key. Here for API convention.
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing};
    /// assert!(!KeyRing::new(Key::generate(1)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Index of the key with `id` (0 = primary). Rings hold a handful of
    /// keys, so a scan beats a map here.
    pub(crate) fn position(&self, id: u32) -> Option<usize> {
        self.entries.iter().position(|e| e.key.id() == id)
    }

    pub(crate) fn key_at(&self, index: usize) -> &Key {
        &self.entries[index].key
    }

    /// Whether the key at `index` is retired at `now` (unix seconds).
    /// Whole seconds everywhere, so building, sealing and opening agree on
    /// the instant a key retires.
    pub(crate) fn is_retired(&self, index: usize, now: i64) -> bool {
        self.entries[index]
            .retire_at
            .is_some_and(|at| at.unix_timestamp() <= now)
    }

    /// Checks what a sealer needs of a ring at `now`: unique ids, no secret
    /// held twice, and a primary that is not retired.
    pub(crate) fn validate(&self, now: OffsetDateTime) -> Result<()> {
        for (i, entry) in self.entries.iter().enumerate() {
            let id = entry.key.id();
            if self.entries[..i].iter().any(|e| e.key.id() == id) {
                return Err(ConfigError::DuplicateKeyId { key_id: id }.into());
            }
        }
        for (i, entry) in self.entries.iter().enumerate() {
            check_new_secret(&self.entries[..i], &entry.key)?;
        }
        if self.is_retired(0, now.unix_timestamp()) {
            return Err(ConfigError::RetiredPrimary {
                key_id: self.primary().id(),
            }
            .into());
        }
        Ok(())
    }
}

/// Refuses `key` when one of `earlier` holds the same secret bytes. A ring
/// holds a handful of keys, so comparing each pair costs nothing.
///
/// One secret under two ids is a copy that rotation did not rotate; under
/// two algorithms (the same bytes as an AES-GCM key and an XAES key, say)
/// it breaks the assumption each algorithm's analysis makes that its key
/// is used with it alone.
pub(crate) fn check_new_secret(earlier: &[Entry], key: &Key) -> Result<()> {
    match earlier.iter().find(|e| e.key.same_secret(key)) {
        Some(e) => Err(ConfigError::DuplicateKeySecret {
            key_id: key.id(),
            same_as: e.key.id(),
        }
        .into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::{Algorithm, Key, KeyRing};

    #[test]
    fn growing_or_moving_a_ring_leaves_the_key_bytes_where_they_are() {
        let key = |id: u32| Key::from_bytes(Algorithm::default(), id, &[id as u8; 32]);
        let mut ring = KeyRing::new(key(0));
        let primary = ring.primary().cipher.key_address();
        // 64 pushes: the Vec reallocates six times.
        for id in 1..64 {
            ring = ring.with_key(key(id));
        }
        let boxed = Box::new(ring);
        assert_eq!(boxed.primary().cipher.key_address(), primary);
        let addresses: Vec<usize> = boxed.keys().map(|k| k.cipher.key_address()).collect();
        let mut ring = *boxed;
        ring.rotate(key(64)).unwrap();
        let after: Vec<usize> = ring
            .keys()
            .skip(1)
            .map(|k| k.cipher.key_address())
            .collect();
        assert_eq!(after, addresses, "rotation moved entries, not key bytes");
    }
}
