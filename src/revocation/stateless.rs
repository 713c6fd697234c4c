//! `Stateless`: the store for plain stateless cookies, with no server-side
//! state at all. Nothing is revoked, so every authentic, unexpired cookie
//! opens, and a logout only removes the cookie from the browser that sent
//! it: a copy of the cookie stays valid until its deadline.

use super::store::{Denial, DeniedSession, RevocationStore, Status};
use crate::{ConfigError, Error, Result, SessionId};
use core::future::{Future, Ready, ready};

/// A [`RevocationStore`] that keeps nothing, for apps that want plain
/// stateless cookies and the same handle API (the axum layer's
/// [`Sessions::stateless`](crate::axum::Sessions::stateless)).
///
/// - Checks always pass: nothing is ever revoked.
/// - [`Revocation::logout`](super::Revocation::logout) succeeds and gives
///   the removal cookie, but records nothing: **a copy of the cookie (a
///   stolen one) still opens until it expires**. Keep the TTL short, or
///   use a [`MemoryStore`](super::MemoryStore) or `RedisStore` when a
///   logout must end the session.
/// - "Log out everywhere" and `revoke_all` cannot work without state and
///   fail with [`ConfigError::NoRevocationStore`] (a 500 in the axum
///   layer), never with a success that did nothing.
///
/// ```
/// use sealed_session::revocation::{Revocation, Stateless, run_ready};
/// use sealed_session::{Key, KeyRing, Sealer, Session};
/// let revocation = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, Stateless)?;
/// let value = revocation.sealer().seal_value(&Session::new(7u8))?;
/// // Its futures are ready at once: no runtime needed.
/// let checked = run_ready(revocation.open_checked::<u8>(&value))?;
/// let removal = run_ready(revocation.logout(&checked))?;
/// assert!(removal.contains("Max-Age=0"));
/// // Nothing was kept: the same value still opens.
/// assert!(run_ready(revocation.open_checked::<u8>(&value)).is_ok());
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stateless;

fn no_store<T>() -> Ready<Result<T>> {
    ready(Err(Error::InvalidConfig(ConfigError::NoRevocationStore)))
}

impl RevocationStore for Stateless {
    fn status(
        &self,
        _: SessionId,
        _: Option<&str>,
        _: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        ready(Ok(Status::default()))
    }

    fn status_now(&self, _: SessionId, _: Option<&str>, _: i64) -> Option<Result<Status>> {
        Some(Ok(Status::default()))
    }

    /// "Recorded" in the only sense a stateless store has: the caller may
    /// remove the cookie. Nothing is kept (see the type's docs).
    fn deny_session(
        &self,
        _: DeniedSession<'_>,
        _: i64,
    ) -> impl Future<Output = Result<Denial>> + Send {
        ready(Ok(Denial::Recorded))
    }

    fn set_subject_not_before(
        &self,
        _: &str,
        _: i64,
        _: i64,
        _: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        no_store()
    }

    fn set_global_not_before(
        &self,
        _: i64,
        _: i64,
        _: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        no_store()
    }
}
