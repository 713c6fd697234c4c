//! `Sessions` over a store chosen at run time (`AnyStore`, the default
//! store type of the short `SessionHandle<T>`), or over none
//! (`Stateless`).

use super::Sessions;
use crate::Result;
use crate::revocation::{AnyStore, Revocation, RevocationStore, Stateless};

impl Sessions<AnyStore> {
    /// Sessions over `revocation` with its store behind [`AnyStore`], so
    /// handlers take the short `SessionHandle<T>` whatever store the app
    /// picked at startup (memory, Redis, stateless). Each store call boxes
    /// its future; [`Sessions::new`] keeps the store's own type.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use sealed_session::web::{SessionHandle, Sessions};
    /// use sealed_session::revocation::{MemoryStore, Revocation};
    /// use sealed_session::{Key, KeyRing, Sealer};
    ///
    /// async fn me(session: SessionHandle<String>) -> String {
    ///     session.get().unwrap_or_else(|| "nobody".into())
    /// }
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Sessions::any(Revocation::new(sealer, MemoryStore::new(1000)?)?);
    /// let app: Router = Router::new().route("/me", get(me)).layer(sessions.layer::<String>());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    pub fn any<S: RevocationStore + 'static>(revocation: Revocation<S>) -> Sessions<AnyStore> {
        Sessions::new(revocation.into_any())
    }
}

impl Sessions<Stateless> {
    /// Plain stateless sessions: no revocation store, the same layer and
    /// handle API. A logout removes the cookie from the browser that sent
    /// it but records nothing, so **a copy of the cookie still opens until
    /// it expires**; "log out everywhere" fails (500). See [`Stateless`].
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use sealed_session::web::{SessionHandle, Sessions};
    /// use sealed_session::revocation::Stateless;
    /// use sealed_session::{Key, KeyRing, Sealer};
    ///
    /// async fn visits(session: SessionHandle<u32, Stateless>) -> String {
    ///     let n = session.get().unwrap_or(0) + 1;
    ///     session.insert(n);
    ///     n.to_string()
    /// }
    /// let sessions = Sessions::stateless(Sealer::builder(KeyRing::new(Key::generate(1))).build()?)?;
    /// let app: Router = Router::new().route("/", get(visits)).layer(sessions.layer::<u32>());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Revocation::new`].
    pub fn stateless(sealer: crate::Sealer) -> Result<Sessions<Stateless>> {
        Ok(Sessions::new(Revocation::new(sealer, Stateless)?))
    }
}
