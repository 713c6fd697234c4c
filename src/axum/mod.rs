//! tower `Layer` and axum extractor (feature `axum`): handlers get a
//! [`SessionHandle`], change the session through it, and the layer seals it
//! onto the response.
//!
//! # What the layer does per request
//!
//! 1. Reads the session cookie (or its chunks, with [`Chunking`]) from the
//!    `Cookie` headers and opens it with the current sealer.
//! 2. Checks it against the revocation store. A store that cannot answer
//!    under [`FailurePolicy::Closed`](crate::revocation::FailurePolicy)
//!    ends the request with **503** before the handler runs.
//! 3. A tampered, expired, revoked, unknown-key or otherwise unopenable
//!    cookie is "no session": the handler sees none, and the response
//!    deletes the cookie (and any chunks) with removal cookies. Never a 500.
//! 4. Runs the handler with a [`SessionHandle`] in the request extensions.
//!    The handle shares its state with the layer, so every change made
//!    through it is sealed, whatever the handler returns: there is nothing
//!    to forget to return.
//! 5. Emits `Set-Cookie` only when the session changed, was created or
//!    removed, or a re-seal is due ([`Opened::needs_reseal`]: a non-primary
//!    key after rotation, or the idle renewal). An unchanged session sends
//!    no `Set-Cookie`.
//! 6. A session that cannot be sealed (too large for one cookie or the
//!    configured chunks, or a serialization failure) turns the response
//!    into **500** with the typed [`SessionError`] in the response
//!    extensions (log it from an outer layer); the previous cookie is left
//!    as it was. Changes are never dropped silently.
//!
//! Key rotation: [`Sessions::replace`] swaps in a new [`Revocation`] (a
//! sealer over the reloaded ring, the same store) for every later request;
//! requests in flight finish with the one they started with.
//!
//! ```
//! use axum::{Router, routing::get};
//! use sealed_session::axum::{SessionHandle, Sessions};
//! use sealed_session::revocation::{MemoryStore, Revocation};
//! use sealed_session::{Key, KeyRing, Sealer};
//! use std::sync::Arc;
//!
//! type Handle = SessionHandle<u32, Arc<MemoryStore>>;
//!
//! async fn visits(session: Handle) -> String {
//!     let n = session.update(|s| { *s.data_mut() += 1; *s.data() }).unwrap_or_else(|| {
//!         session.insert(1);
//!         1
//!     });
//!     format!("visit {n}")
//! }
//!
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Sessions::new(Revocation::new(sealer, Arc::new(MemoryStore::new(100_000)?))?);
//! let app: Router = Router::new().route("/", get(visits)).layer(sessions.layer::<u32>());
//! # Ok::<(), sealed_session::Error>(())
//! ```
//!
//! [`Chunking`]: crate::Chunking
//! [`Opened::needs_reseal`]: crate::Opened::needs_reseal
//! [`Revocation`]: crate::revocation::Revocation

mod handle;
mod layer;
mod sessions;

pub use handle::{MissingSessionLayer, SessionHandle};
pub use layer::{SessionError, SessionLayer, SessionService};
pub use sessions::Sessions;
