//! `AnyStore`: a revocation store chosen at run time (memory or Redis from
//! the configuration), so handlers name one type, `SessionHandle<T>`,
//! whatever the store. Each call boxes its future: one small allocation
//! per store call, which the typed `SessionHandle<T, S>` does without.

use super::Revocation;
use super::store::{Denial, DeniedSession, RevocationStore, Status};
use crate::{Result, SessionId};
use core::future::Future;
use core::pin::Pin;
use std::sync::Arc;

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// `RevocationStore` with boxed futures, so it can be a trait object.
trait DynStore: Send + Sync {
    fn status<'a>(&'a self, id: SessionId, subject: Option<&'a str>, now: i64)
    -> Boxed<'a, Status>;
    fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>>;
    fn deny_session<'a>(&'a self, entry: DeniedSession<'a>, now: i64) -> Boxed<'a, Denial>;
    fn set_subject_not_before<'a>(
        &'a self,
        subject: &'a str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> Boxed<'a, ()>;
    fn set_global_not_before(&self, not_before: i64, until: i64, now: i64) -> Boxed<'_, ()>;
}

impl<S: RevocationStore> DynStore for S {
    fn status<'a>(
        &'a self,
        id: SessionId,
        subject: Option<&'a str>,
        now: i64,
    ) -> Boxed<'a, Status> {
        Box::pin(RevocationStore::status(self, id, subject, now))
    }

    fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>> {
        RevocationStore::status_now(self, id, subject, now)
    }

    fn deny_session<'a>(&'a self, entry: DeniedSession<'a>, now: i64) -> Boxed<'a, Denial> {
        Box::pin(RevocationStore::deny_session(self, entry, now))
    }

    fn set_subject_not_before<'a>(
        &'a self,
        subject: &'a str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> Boxed<'a, ()> {
        Box::pin(RevocationStore::set_subject_not_before(
            self, subject, not_before, until, now,
        ))
    }

    fn set_global_not_before(&self, not_before: i64, until: i64, now: i64) -> Boxed<'_, ()> {
        Box::pin(RevocationStore::set_global_not_before(
            self, not_before, until, now,
        ))
    }
}

/// Any [`RevocationStore`], behind one type: the default store type of
/// [`SessionHandle`](crate::axum::SessionHandle) and
/// [`Sessions`](crate::axum::Sessions), so an app that picks its store at
/// run time writes `SessionHandle<T>` in every handler. Cloning shares the
/// store.
///
/// ```
/// use sealed_session::revocation::{AnyStore, MemoryStore, Revocation};
/// use sealed_session::{Key, KeyRing, Sealer};
/// let store = if std::env::var_os("REDIS_URL").is_some() {
///     unimplemented!("AnyStore::new(RedisStore::connect(..).await?)")
/// } else {
///     AnyStore::new(MemoryStore::new(1000)?)
/// };
/// let revocation = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, store)?;
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Clone)]
pub struct AnyStore(Arc<dyn DynStore>);

impl AnyStore {
    /// `store`, behind the one type.
    ///
    /// ```
    /// let store = sealed_session::revocation::AnyStore::new(sealed_session::revocation::Stateless);
    /// # let _ = store;
    /// ```
    pub fn new<S: RevocationStore + 'static>(store: S) -> AnyStore {
        AnyStore(Arc::new(store))
    }
}

impl core::fmt::Debug for AnyStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("AnyStore(..)")
    }
}

impl RevocationStore for AnyStore {
    // `async fn`s, not the boxed futures themselves: their types keep the
    // borrows of `self` and of the arguments apart, as the trait's
    // signatures require.
    async fn status(&self, id: SessionId, subject: Option<&str>, now: i64) -> Result<Status> {
        self.0.status(id, subject, now).await
    }

    fn status_now(&self, id: SessionId, subject: Option<&str>, now: i64) -> Option<Result<Status>> {
        self.0.status_now(id, subject, now)
    }

    async fn deny_session(&self, entry: DeniedSession<'_>, now: i64) -> Result<Denial> {
        self.0.deny_session(entry, now).await
    }

    async fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> Result<()> {
        self.0
            .set_subject_not_before(subject, not_before, until, now)
            .await
    }

    async fn set_global_not_before(&self, not_before: i64, until: i64, now: i64) -> Result<()> {
        self.0.set_global_not_before(not_before, until, now).await
    }
}

impl<S: RevocationStore + 'static> Revocation<S> {
    /// This revocation with its store behind [`AnyStore`]: the same
    /// sealer, policy and store.
    ///
    /// ```
    /// use sealed_session::revocation::{AnyStore, MemoryStore, Revocation};
    /// # use sealed_session::{Key, KeyRing, Sealer};
    /// let typed = Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?;
    /// let any: Revocation<AnyStore> = typed.into_any();
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn into_any(self) -> Revocation<AnyStore> {
        Revocation {
            sealer: self.sealer,
            store: AnyStore::new(self.store),
            failure: self.failure,
            max_ttl: self.max_ttl,
            leeway: self.leeway,
        }
    }
}
