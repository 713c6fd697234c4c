//! `RevocationBuilder`: the failure policy and the lifetimes of entries,
//! checked once when a [`Revocation`] is built.

use super::{FailurePolicy, Revocation, RevocationStore};
use crate::{ConfigError, Result, Sealer};
use time::{Duration, OffsetDateTime};

/// Configures a [`Revocation`]; made by [`Revocation::builder`].
///
/// ```
/// use sealed_session::revocation::{FailurePolicy, MemoryStore, Revocation};
/// use sealed_session::{Key, KeyRing, Sealer};
/// use time::Duration;
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Revocation::builder(sealer, MemoryStore::new(10_000)?)
///     .with_failure_policy(FailurePolicy::Closed)
///     .with_max_ttl(Duration::days(30))
///     .build()?;
/// assert_eq!(sessions.max_ttl(), Duration::days(30));
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until .build()"]
pub struct RevocationBuilder<S> {
    sealer: Sealer,
    store: S,
    failure: FailurePolicy,
    max_ttl: Option<Duration>,
}

impl<S: RevocationStore> RevocationBuilder<S> {
    pub(super) fn new(sealer: Sealer, store: S) -> RevocationBuilder<S> {
        RevocationBuilder {
            sealer,
            store,
            failure: FailurePolicy::Closed,
            max_ttl: None,
        }
    }

    /// What a check does when the store cannot answer; default
    /// [`FailurePolicy::Closed`].
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Revocation::builder(sealer, MemoryStore::new(10)?)
    ///     .with_failure_policy(FailurePolicy::Open)
    ///     .build()?;
    /// assert_eq!(sessions.failure_policy(), FailurePolicy::Open);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_failure_policy(mut self, policy: FailurePolicy) -> Self {
        self.failure = policy;
        self
    }

    /// The longest absolute lifetime of any session this store judges;
    /// default: the sealer's TTL. A not-before is kept this long (plus
    /// margin). Raise it when sealers with longer TTLs share the store, or
    /// their older sessions come back once the not-before is forgotten.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # use time::Duration;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).with_ttl(Duration::days(7)).build()?;
    /// let err = Revocation::builder(sealer, MemoryStore::new(10)?)
    ///     .with_max_ttl(Duration::days(1)) // shorter than the sealer's
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err, Error::InvalidConfig(ConfigError::RevocationMaxTtl));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_max_ttl(mut self, max_ttl: Duration) -> Self {
        self.max_ttl = Some(max_ttl);
        self
    }

    /// Builds, reading the sealer's TTL and leeway with the system clock.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Revocation::builder(sealer, MemoryStore::new(10)?).build()?;
    /// assert_eq!(sessions.leeway(), DEFAULT_LEEWAY);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`build_at`](Self::build_at).
    pub fn build(self) -> Result<Revocation<S>> {
        self.build_at(OffsetDateTime::now_utc())
    }

    /// Builds at time `now`.
    ///
    /// Entry lifetimes follow the sealer's TTL and leeway. The sealer's
    /// sealing key and clock range are checked at `now`, so that a sealer
    /// that could not seal then fails here rather than on a request;
    /// nothing is sealed and no random bytes are drawn (a builder that drew
    /// them before a `fork()` would share its generator state with the
    /// child).
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// use time::{Duration, macros::datetime};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_ttl(Duration::hours(2))
    ///     .with_leeway(Duration::seconds(5))
    ///     .build()?;
    /// let sessions = Revocation::builder(sealer, MemoryStore::new(10)?)
    ///     .build_at(datetime!(2030-01-01 0:00 UTC))?;
    /// assert_eq!(sessions.max_ttl(), Duration::hours(2));
    /// assert_eq!(sessions.leeway(), Duration::seconds(5));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::RevocationMaxTtl`] when the max TTL is shorter than the
    /// sealer's TTL or longer than `u32::MAX` seconds; any error of sealing
    /// at `now` (a retired primary key, a clock out of range).
    pub fn build_at(self, now: OffsetDateTime) -> Result<Revocation<S>> {
        self.sealer.check_can_seal_at(now)?;
        let (ttl, leeway) = (self.sealer.ttl_seconds(), self.sealer.leeway_seconds());
        let max_ttl = match self.max_ttl {
            None => ttl,
            Some(max) => {
                let max = max.whole_seconds();
                if max < ttl || max > i64::from(u32::MAX) {
                    return Err(ConfigError::RevocationMaxTtl.into());
                }
                max
            }
        };
        Ok(Revocation {
            sealer: self.sealer,
            store: self.store,
            failure: self.failure,
            max_ttl,
            leeway,
        })
    }
}

impl<S: RevocationStore> Revocation<S> {
    /// A revocation over `sealer` and `store` with the defaults: fail
    /// closed, not-before kept for the sealer's TTL.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Revocation::new(sealer, MemoryStore::new(10_000)?)?;
    /// assert_eq!(sessions.failure_policy(), FailurePolicy::Closed);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`RevocationBuilder::build`].
    pub fn new(sealer: Sealer, store: S) -> Result<Revocation<S>> {
        Revocation::builder(sealer, store).build()
    }

    /// Starts configuring a revocation over `sealer` and `store`.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Revocation::builder(sealer, MemoryStore::new(10)?).build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn builder(sealer: Sealer, store: S) -> RevocationBuilder<S> {
        RevocationBuilder::new(sealer, store)
    }
}

impl<S: RevocationStore + Clone> Revocation<S> {
    /// The same store, failure policy and max TTL over another sealer: for
    /// key reloads ([`Sealer::with_key_ring`]), where a fresh
    /// [`Revocation::new`] would reset the policy.
    ///
    /// ```
    /// # use sealed_session::revocation::*;
    /// # use sealed_session::*;
    /// # use std::sync::Arc;
    /// let store = Arc::new(MemoryStore::new(10)?);
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let open = Revocation::builder(sealer, store).with_failure_policy(FailurePolicy::Open).build()?;
    /// let reloaded = open.with_sealer(open.sealer().with_key_ring(KeyRing::new(Key::generate(2)))?)?;
    /// assert_eq!(reloaded.failure_policy(), FailurePolicy::Open);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`RevocationBuilder::build`]: a max TTL shorter than the new
    /// sealer's TTL, a sealer that cannot seal now.
    pub fn with_sealer(&self, sealer: Sealer) -> Result<Revocation<S>> {
        Revocation::builder(sealer, self.store.clone())
            .with_failure_policy(self.failure)
            .with_max_ttl(Duration::seconds(self.max_ttl))
            .build()
    }
}
