//! Configuring a `MemoryStore`'s bounds.

use super::{DEFAULT_SUBJECT_QUOTA, Limits, MemoryStore};
use crate::Result;

/// Configures a [`MemoryStore`]; made by [`MemoryStore::builder`].
///
/// ```
/// use sealed_session::revocation::MemoryStore;
/// let store = MemoryStore::builder(100_000)
///     .with_anonymous_limit(10_000)
///     .with_max_subjects(50_000)
///     .with_subject_quota(8)
///     .build()?;
/// assert_eq!(store.max_entries(), 100_000);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .build()"]
pub struct MemoryStoreBuilder {
    limits: Limits,
}

impl MemoryStoreBuilder {
    pub(super) fn new(max_entries: usize) -> MemoryStoreBuilder {
        MemoryStoreBuilder {
            limits: Limits {
                max_entries,
                anonymous: max_entries.div_ceil(4),
                subjects: max_entries,
                quota: DEFAULT_SUBJECT_QUOTA,
            },
        }
    }

    /// How many ids of sessions without a subject the store holds (default:
    /// a quarter of `max_entries`, at least 1). Anyone can fill this share;
    /// when it is full, anonymous logouts fail with
    /// [`Error::RevocationFull`](crate::Error::RevocationFull) and nothing
    /// else is affected. Capped at `max_entries`.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// let store = MemoryStore::builder(100).with_anonymous_limit(10).build()?;
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn with_anonymous_limit(mut self, ids: usize) -> Self {
        self.limits.anonymous = ids.min(self.limits.max_entries);
        self
    }

    /// How many subject records the store holds (default: `max_entries`).
    /// A record is kept for each subject that logged out (counting its
    /// quota) or was logged out everywhere within a session lifetime.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// let store = MemoryStore::builder(100).with_max_subjects(1000).build()?;
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn with_max_subjects(mut self, subjects: usize) -> Self {
        self.limits.subjects = subjects;
        self
    }

    /// How many session ids one subject may hold within a session lifetime
    /// (default [`DEFAULT_SUBJECT_QUOTA`]); past it, that subject's logouts
    /// fold into its not-before, which also ends its older sessions. Zero
    /// folds every logout.
    ///
    /// ```
    /// # use sealed_session::revocation::MemoryStore;
    /// let store = MemoryStore::builder(100).with_subject_quota(4).build()?;
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn with_subject_quota(mut self, ids: u32) -> Self {
        self.limits.quota = ids;
        self
    }

    /// Builds the store.
    ///
    /// ```
    /// use sealed_session::revocation::MemoryStore;
    /// use sealed_session::{ConfigError, Error};
    /// assert_eq!(
    ///     MemoryStore::builder(10).with_max_subjects(0).build().unwrap_err(),
    ///     Error::InvalidConfig(ConfigError::RevocationCapacity)
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::RevocationCapacity`](crate::ConfigError::RevocationCapacity)
    /// when `max_entries`, the anonymous limit or the subject limit is zero.
    pub fn build(self) -> Result<MemoryStore> {
        MemoryStore::with_limits(self.limits)
    }
}
