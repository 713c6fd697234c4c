//! `SessionLayer` / `SessionService`: open and check the cookie before the
//! handler; after it, `respond` seals the session (or deletes the cookie).

use super::future::{ResponseFuture, TowerSeal};
use super::parts::failure;
use crate::SessionData;
use crate::revocation::{AnyStore, RevocationStore};
use crate::web::Sessions;
use crate::web::{Checking, Exchange, Seal};
use core::marker::PhantomData;
use core::task::{Context, Poll};
use http::header::COOKIE;
use http::{HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

impl<S> Sessions<S> {
    /// A tower layer sealing sessions of type `T`, for any `http` service
    /// (axum routers among them).
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// let layer = sessions.layer::<String>();
    /// # Ok::<(), Error>(())
    /// ```
    pub fn layer<T>(&self) -> SessionLayer<T, S> {
        SessionLayer {
            sessions: self.clone(),
            _session: PhantomData,
        }
    }
}

/// A tower [`Layer`] that gives handlers a [`SessionHandle<T, S>`](crate::web::SessionHandle) and seals
/// the session onto the response; built by [`Sessions::layer`]. See the
/// [module docs](super) for what it does per request.
///
/// ```
/// # use sealed_session::web::Sessions;
/// # use sealed_session::revocation::{MemoryStore, Revocation};
/// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
/// use axum::{Router, routing::get};
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?);
/// let app: Router = Router::new().route("/", get(|| async { "hi" })).layer(sessions.layer::<u8>());
/// # Ok::<(), Error>(())
/// ```
pub struct SessionLayer<T, S = AnyStore> {
    sessions: Sessions<S>,
    _session: PhantomData<fn() -> T>,
}

impl<T, S> Clone for SessionLayer<T, S> {
    fn clone(&self) -> Self {
        self.sessions.layer()
    }
}

impl<T, S> core::fmt::Debug for SessionLayer<T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionLayer")
            .field("sessions", &self.sessions)
            .finish()
    }
}

impl<I, T, S> Layer<I> for SessionLayer<T, S> {
    type Service = SessionService<I, T, S>;

    fn layer(&self, inner: I) -> Self::Service {
        SessionService {
            inner,
            sessions: self.sessions.clone(),
            _session: PhantomData,
        }
    }
}

/// The service [`SessionLayer`] wraps around the inner service.
///
/// ```
/// # use sealed_session::tower::SessionService;
/// # use sealed_session::web::Sessions;
/// # use sealed_session::revocation::{MemoryStore, Revocation};
/// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
/// use tower_layer::Layer;
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?);
/// let service = sessions.layer::<u8>().layer(tower::service_fn(|_req: ::http::Request<::axum::body::Body>| async {
///     Ok::<_, std::convert::Infallible>(::http::Response::new(::axum::body::Body::empty()))
/// }));
/// # Ok::<(), Error>(())
/// ```
pub struct SessionService<I, T, S = AnyStore> {
    inner: I,
    sessions: Sessions<S>,
    _session: PhantomData<fn() -> T>,
}

impl<I: Clone, T, S> Clone for SessionService<I, T, S> {
    fn clone(&self) -> Self {
        SessionService {
            inner: self.inner.clone(),
            sessions: self.sessions.clone(),
            _session: PhantomData,
        }
    }
}

impl<I, T, S> core::fmt::Debug for SessionService<I, T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionService")
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

impl<I, T, S, B, R> Service<Request<B>> for SessionService<I, T, S>
where
    I: Service<Request<B>, Response = Response<R>> + Clone + Send + 'static,
    I::Future: Send,
    B: Send + 'static,
    R: From<&'static str> + Send + 'static,
    T: SessionData + Send + 'static,
    S: RevocationStore + 'static,
{
    type Response = Response<R>;
    type Error = I::Error;
    type Future = ResponseFuture<I::Future, T, S>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<core::result::Result<(), I::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let headers = req.headers();
        let incoming = self
            .sessions
            .read::<T, _>(|| headers.get_all(COOKIE).iter().map(HeaderValue::as_bytes));
        let waiting = match incoming.check_now() {
            Checking::Done(Ok(exchange)) => {
                install(&exchange, &mut req);
                // `poll_ready` readied this service: it serves the request.
                return ResponseFuture::calling(self.inner.call(req), exchange);
            }
            Checking::Done(Err(answer)) => return ResponseFuture::answered(Ok(failure(answer))),
            Checking::Wait(waiting) => waiting,
        };
        // The store must be awaited first: the clone that was driven to
        // readiness serves this request once it has answered.
        let clone = self.inner.clone();
        let mut inner = core::mem::replace(&mut self.inner, clone);
        ResponseFuture::boxed(Box::pin(async move {
            let exchange = match waiting.check().await {
                Ok(exchange) => exchange,
                Err(answer) => return Ok(failure(answer)),
            };
            install(&exchange, &mut req);
            TowerSeal::seal(exchange, inner.call(req).await)
        }))
    }
}

/// Puts what the handler's extractors look for into the request.
fn install<T: SessionData + Send + 'static, S: RevocationStore + 'static, B>(
    exchange: &Exchange<T, S>,
    req: &mut Request<B>,
) {
    let (handle, csrf) = exchange.extensions();
    let extensions = req.extensions_mut();
    extensions.insert(handle);
    if let Some(csrf) = csrf {
        extensions.insert(csrf);
    }
}
