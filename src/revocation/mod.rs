//! Revocation: invalidate one session (logout), every session of a subject
//! ("log out everywhere", password change), or every session issued so far,
//! while cookies stay stateless.
//!
//! # Semantics
//!
//! A session is rejected as [`Error::Revoked`] when
//!
//! - its session id is on the deny-list ([`RevokedReason::SessionId`]), or
//! - it has a subject, and was issued before that subject's not-before time
//!   ([`RevokedReason::SubjectNotBefore`]), or
//! - it was issued before the global not-before time
//!   ([`RevokedReason::GlobalNotBefore`]).
//!
//! Any one rule rejects; when several apply, the most specific reason is
//! reported (session id, then subject, then global).
//!
//! **Whole seconds.** A session's issue time is whole unix seconds, and a
//! not-before is the whole unix second in which it was set. The rule is
//! `issued_at < not_before`: a session issued in the same second as a "log
//! out everywhere" survives it. That is what lets the user who just changed
//! their password keep the session [`Revocation::renew_id`] gives them (a
//! login restarts the issue time), and the price is that a session issued
//! earlier in that same second survives too. Keep the clocks of all nodes
//! in sync: not-before compares the clock of the node that issued a session
//! with the clock of the node that revoked it.
//!
//! **Lifetimes.** A deny-list entry lives until the revoked session's own
//! absolute deadline plus twice the sealer's leeway (one leeway because an
//! opener accepts a cookie until `expires_at + leeway` on its own clock, one
//! more for the store's clock being ahead of the opener's): after that the
//! cookie is dead anyway. A not-before lives for the longest TTL plus twice
//! the leeway, until every session issued before it has expired. So the list
//! holds at most *logouts per second x session lifetime* entries.
//!
//! # Checked and unchecked sessions
//!
//! Opening a cookie stays a pure, synchronous function:
//! [`Sealer::open`](crate::Sealer::open) returns an [`Opened`] that has
//! passed authentication and deadlines but **not** revocation. Revocation is
//! a separate, explicit async step that turns it into a [`Checked`]; only
//! [`Revocation::check`] and [`Revocation::open_checked`] can make one, so a
//! handler that asks for a `Checked<T>` cannot be handed an unchecked
//! session by mistake.
//!
//! # Stores
//!
//! A [`RevocationStore`] keeps the deny-list and the not-before times.
//! [`MemoryStore`] is the embedded default: bounded, pruned, thread-safe,
//! no dependencies, with snapshots to ship a list to edge nodes.
//! `RedisStore` (feature `redis`) is shared by a fleet of nodes.
//!
//! The trait's methods return `impl Future + Send` (not `async fn`, whose
//! futures could not be required to be `Send`, and not boxed futures, which
//! would cost an allocation per request): a [`Revocation`] is generic over
//! its store and dispatches statically. The memory store's futures are
//! immediately ready, so it needs no async runtime: [`run_ready`] drives
//! them from synchronous code (and reports, never blocks, on a future that
//! would wait).
//!
//! # Failure policy
//!
//! When the store cannot answer, checks **fail closed** with
//! [`Error::RevocationUnavailable`]. [`FailurePolicy::Open`] lets sessions
//! through instead, marked by [`Checked::store_answered`] returning `false`;
//! choose it only on purpose. Writes (logout, renew, log out everywhere)
//! always report a store failure: a revocation is never dropped silently.
//!
//! ```
//! use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
//! use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session};
//!
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Revocation::new(sealer, MemoryStore::new(100_000)?)?;
//!
//! let mut session = Session::new("cart".to_string());
//! session.set_subject("user-42")?;
//! let cookie = sessions.sealer().seal_value(&session)?;
//!
//! // A request: open and check (any executor works; the memory store
//! // never waits, so `run_ready` does too).
//! let checked = run_ready(sessions.open_checked::<String>(&cookie))?;
//! assert_eq!(checked.session().data(), "cart");
//!
//! // Logout: the same cookie, replayed, is refused from now on.
//! let removal = run_ready(sessions.logout(&checked))?;
//! assert!(removal.contains("Max-Age=0"));
//! let err = run_ready(sessions.open_checked::<String>(&cookie)).unwrap_err();
//! assert_eq!(err, Error::Revoked { reason: RevokedReason::SessionId });
//! # Ok::<(), Error>(())
//! ```

mod any;
mod builder;
mod checked;
mod entry;
mod logout;
mod memory;
mod policy;
#[cfg(feature = "redis")]
mod redis;
mod renew;
mod snapshot;
mod stateless;
mod store;

pub use any::AnyStore;
pub use builder::RevocationBuilder;
pub use checked::Checked;
pub use memory::{DEFAULT_SUBJECT_QUOTA, MemoryStore, MemoryStoreBuilder};
pub use policy::{FailurePolicy, Revocation};
#[cfg(feature = "redis-cluster")]
pub use redis::DEFAULT_REDIS_REFRESH_INTERVAL;
#[cfg(feature = "redis")]
pub use redis::{
    DEFAULT_REDIS_ANONYMOUS_LIMIT, DEFAULT_REDIS_PREFIX, DEFAULT_REDIS_TIMEOUT, RedisStore,
    RedisStoreBuilder,
};
pub use snapshot::SnapshotKey;
pub use stateless::Stateless;
pub use store::{Denial, DeniedSession, RevocationStore, Status};
pub(crate) use store::{MAX_NOT_BEFORE_AHEAD, not_before_to_keep};

use crate::{Error, Result, UnavailableReason};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

#[cfg(doc)]
use crate::{Opened, RevokedReason};

/// Runs a revocation future to completion *if it completes without
/// waiting*, as every [`MemoryStore`] future does: synchronous code needs no
/// executor for the memory store. It never blocks: a future that would wait
/// (a network store outside its runtime) yields
/// [`Error::RevocationUnavailable`] with [`UnavailableReason::NotReady`].
///
/// ```
/// use sealed_session::revocation::run_ready;
/// use sealed_session::{Error, UnavailableReason};
///
/// assert_eq!(run_ready(async { Ok(7) })?, 7);
/// let pending = std::future::pending::<sealed_session::Result<()>>();
/// assert_eq!(
///     run_ready(pending).unwrap_err(),
///     Error::RevocationUnavailable { reason: UnavailableReason::NotReady }
/// );
/// # Ok::<(), Error>(())
/// ```
///
/// # Errors
///
/// The future's own error, or [`UnavailableReason::NotReady`].
pub fn run_ready<X>(future: impl Future<Output = Result<X>>) -> Result<X> {
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => Err(Error::RevocationUnavailable {
            reason: UnavailableReason::NotReady,
        }),
    }
}
