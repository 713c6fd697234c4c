//! `RevocationBuilder`: the failure policy and the lifetimes of entries,
//! checked once when a [`Revocation`] is built.

use super::{FailurePolicy, Revocation, RevocationStore};
use crate::{ConfigError, Error, Result, Sealer, Session};
use time::{Duration, OffsetDateTime};

/// The largest leeway a [`SealerBuilder`](crate::SealerBuilder) accepts
/// (documented on [`ConfigError::Leeway`]); assumed when the sealer's own
/// leeway cannot be read back.
const LEEWAY_CAP: i64 = 3600;

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
    /// The sealer's TTL and leeway are read back by sealing an empty probe
    /// session at `now` and opening it around its issue time and its
    /// deadline (the sealer exposes no accessors for them). If the key ring
    /// refuses the probe at both ends for reasons of its own, the largest
    /// leeway a sealer accepts, one hour, is assumed, which only keeps
    /// entries longer.
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
        let (ttl, leeway) = read_sealer_windows(&self.sealer, now)?;
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

/// The sealer's TTL and leeway in seconds, read back through its public
/// API (it has no accessors for them): a probe session sealed at `now`
/// shows the TTL in its deadlines. The leeway shows at either end of the
/// probe's life: opening it `s` seconds before its issue time succeeds
/// while `s <= leeway` (then [`Error::NotYetValid`]), and opening it `s`
/// seconds after its deadline fails with [`Error::Expired`] from
/// `s = leeway` on. A ring may refuse the probe at one end for another
/// reason (an epoch key does not open before its epoch, a key retires
/// before the deadline); only if it does at both ends is the largest
/// leeway a sealer accepts assumed, which only keeps entries longer.
fn read_sealer_windows(sealer: &Sealer, now: OffsetDateTime) -> Result<(i64, i64)> {
    let probe = sealer.seal_value_at(&Session::new(()), now)?;
    let opened = sealer.open_at::<()>(&probe, now)?;
    let (Some(issued_at), Some(expires_at)) = (opened.session.issued_at, opened.session.expires_at)
    else {
        return Err(ConfigError::Ttl.into());
    };
    let ttl = expires_at - issued_at;
    let deadline = now + Duration::seconds(ttl);
    let before_issue = |s: i64| match sealer.open_at::<()>(&probe, now - Duration::seconds(s)) {
        Ok(_) => Some(true),
        Err(Error::NotYetValid) => Some(false),
        Err(_) => None,
    };
    let after_deadline =
        |s: i64| match sealer.open_at::<()>(&probe, deadline + Duration::seconds(s)) {
            // Past its idle deadline, but not yet past the absolute one.
            Ok(_) | Err(Error::IdleExpired) => Some(true),
            Err(Error::Expired) => Some(false),
            Err(_) => None,
        };
    let leeway = first_refused(before_issue)
        .map(|s| s - 1)
        .or_else(|| first_refused(after_deadline))
        .unwrap_or(LEEWAY_CAP);
    Ok((ttl, leeway))
}

/// The smallest `s >= 0` that `accepts` refuses, for an `accepts` that
/// accepts up to some point and refuses from there on; `None` when it
/// answers `None` (not about the leeway) or accepts past twice the cap.
fn first_refused(accepts: impl Fn(i64) -> Option<bool>) -> Option<i64> {
    if !accepts(0)? {
        return Some(0);
    }
    let (mut accepted, mut refused) = (0, 1);
    while accepts(refused)? {
        accepted = refused;
        refused *= 2;
        if refused > 2 * LEEWAY_CAP {
            return None;
        }
    }
    while refused - accepted > 1 {
        let mid = accepted + (refused - accepted) / 2;
        if accepts(mid)? {
            accepted = mid;
        } else {
            refused = mid;
        }
    }
    Some(refused)
}
