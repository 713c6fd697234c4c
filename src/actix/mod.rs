//! actix-web 4 middleware and extractors (feature `actix`): the same core as
//! the axum layer ([`crate::web`]: what happens per request is described
//! there) and the same [`SessionHandle`] API, so a handler reads the same in
//! both frameworks. Wrap an app or a scope with
//! [`Sessions::middleware`](crate::web::Sessions::middleware); handlers take
//! [`SessionHandle`] (any request), [`OptionalSession`] (`None` without a
//! session), [`RequiredSession`] (401 without one), [`CsrfForm`] and
//! [`CsrfHeader`], and return `Result<_, sealed_session::Error>`: session
//! errors are responses with their status (503 when the store is down, ...),
//! never a 200.
//!
//! Do not take `Option<SessionHandle<..>>` in actix-web: its blanket
//! `Option` extractor turns a missing middleware (a server bug, 500 here)
//! into a silent `None`. [`OptionalSession`] keeps the two apart.
//!
//! ```
//! use actix_web::{App, HttpResponse, web};
//! use sealed_session::actix::{SessionHandle, Sessions};
//! use sealed_session::revocation::{MemoryStore, Revocation};
//! use sealed_session::{Key, KeyRing, Sealer};
//! use std::sync::Arc;
//!
//! type Handle = SessionHandle<u32, Arc<MemoryStore>>;
//!
//! async fn visits(session: Handle) -> HttpResponse {
//!     let n = session.update(|s| { *s.data_mut() += 1; *s.data() }).unwrap_or_else(|| {
//!         session.insert(1);
//!         1
//!     });
//!     HttpResponse::Ok().body(format!("visit {n}"))
//! }
//!
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Sessions::new(Revocation::new(sealer, Arc::new(MemoryStore::new(100_000)?))?);
//! let app = App::new()
//!     .wrap(sessions.middleware::<u32>())
//!     .route("/", web::get().to(visits));
//! # let _ = app;
//! # Ok::<(), sealed_session::Error>(())
//! ```

mod csrf;
mod errors;
mod extract;
mod middleware;

pub use crate::web::{CSRF_FIELD, CSRF_HEADER, CsrfRejection, MissingSessionLayer, NoSession};
pub use crate::web::{SessionError, SessionHandle, Sessions};
pub use csrf::{CsrfForm, CsrfHeader};
pub use extract::{OptionalSession, RequiredSession};
pub use middleware::{ResponseFuture, SessionMiddleware, SessionMiddlewareService};
