//! A tower [`Layer`](tower_layer::Layer) for any `http` service (feature
//! `tower`): hyper, tonic-web, axum (which is one user of it, see
//! [`crate::axum`]) or anything else that takes an `http::Request<B>` and
//! answers an `http::Response<R>`. It does the per-request work of
//! [`crate::web`] and puts the [`SessionHandle`](crate::web::SessionHandle)
//! in the request extensions, where a handler takes it with
//! `req.extensions().get::<SessionHandle<T, S>>()`.
//!
//! The response body type only needs `From<&'static str>` (axum's `Body`,
//! `http_body_util::Full<Bytes>`, `String` have it): the layer's own
//! answers (503 when the store is down under fail-closed, 500 when a
//! session cannot be sealed) have a fixed text body, the same as the
//! actix-web middleware's, and the typed reason in the response extensions
//! as [`SessionError`](crate::web::SessionError). For another body type,
//! map it to one of those around the inner service.
//!
//! When the store answers at once ([`RevocationStore::status_now`]: the
//! in-memory store, or none), the inner service is called from
//! [`SessionService`]'s `call` and its future is wrapped in a
//! [`ResponseFuture`] without boxing; a store that must be awaited (Redis)
//! puts the check and the call in one boxed future instead.
//!
//! [`RevocationStore::status_now`]: crate::revocation::RevocationStore::status_now
//!
//! ```
//! use http::{Request, Response};
//! use sealed_session::revocation::{MemoryStore, Revocation};
//! use sealed_session::web::{SessionHandle, Sessions};
//! use sealed_session::{Key, KeyRing, Sealer};
//! use std::convert::Infallible;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! type Handle = SessionHandle<u32, MemoryStore>;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(1000)?)?);
//! let service = ServiceBuilder::new()
//!     .layer(sessions.layer::<u32>())
//!     .service_fn(|req: Request<String>| async move {
//!         let session = req.extensions().get::<Handle>().expect("under the layer");
//!         session.insert(1);
//!         Ok::<_, Infallible>(Response::new(String::from("hello")))
//!     });
//! let response = service.oneshot(Request::new(String::new())).await.unwrap();
//! assert!(response.headers()["set-cookie"].to_str().unwrap().starts_with("__Host-session="));
//! # Ok::<(), sealed_session::Error>(()) }).unwrap();
//! ```

mod future;
mod layer;
mod parts;

pub use future::ResponseFuture;
pub use layer::{SessionLayer, SessionService};
