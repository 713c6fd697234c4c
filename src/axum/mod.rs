//! tower `Layer` and axum extractor (feature `axum`): handlers get a
//! [`SessionHandle`], change the session through it, and the layer seals it
//! onto the response.
//!
//! The layer is the generic [`crate::tower`] layer; what it does per
//! request is in [`crate::web`] (the same for every adapter). This module
//! adds axum's extractors ([`SessionHandle`] itself, `Option<SessionHandle>`,
//! [`RequiredSession`], [`CsrfForm`], [`CsrfHeader`]) and answers session
//! errors as responses (`IntoResponse` for [`Error`](crate::Error)).
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
mod csrf;
mod errors;
mod extract;

pub use crate::tower::{SessionLayer, SessionService};
pub use crate::web::{CSRF_FIELD, CSRF_HEADER, CsrfRejection, MissingSessionLayer, NoSession};
pub use crate::web::{SessionError, SessionHandle, Sessions, status_of};
pub use csrf::{CsrfForm, CsrfHeader};
pub use extract::RequiredSession;
