//! `SessionLayer` / `SessionService`: open and check the cookie before the
//! handler; after it, `respond` seals the session (or deletes the cookie).

use super::Sessions;
use super::csrf::context_for;
use super::errors::failure;
use super::events;
use super::extract::LayerTypes;
use super::handle::{SessionHandle, Slot};
use super::respond::{Carried, Finish};
use crate::SessionData;
use crate::http::{Found, RequestCookies};
use crate::revocation::AnyStore;
use crate::revocation::{Checked, Revocation, RevocationStore};
use crate::{Chunking, Opened, Result, Sealer};
use axum_core::body::Body;
use axum_core::response::Response;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use http::{Request, StatusCode};
use std::sync::Arc;
use tower_layer::Layer;
use tower_service::Service;

/// A tower [`Layer`] that gives handlers a [`SessionHandle<T, S>`] and seals
/// the session onto the response; built by [`Sessions::layer`]. See the
/// [module docs](super) for what it does per request.
///
/// ```
/// # use sealed_session::axum::Sessions;
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

impl<T, S> SessionLayer<T, S> {
    pub(crate) fn new(sessions: Sessions<S>) -> SessionLayer<T, S> {
        SessionLayer {
            sessions,
            _session: PhantomData,
        }
    }
}

impl<T, S> Clone for SessionLayer<T, S> {
    fn clone(&self) -> Self {
        SessionLayer::new(self.sessions.clone())
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
/// # use sealed_session::axum::{Sessions, SessionService};
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

type BoxFuture<R, E> = Pin<Box<dyn Future<Output = core::result::Result<R, E>> + Send>>;

impl<I, T, S, B> Service<Request<B>> for SessionService<I, T, S>
where
    I: Service<Request<B>, Response = Response> + Clone + Send + 'static,
    I::Future: Send,
    B: Send + 'static,
    T: SessionData + Send + 'static,
    S: RevocationStore + 'static,
{
    type Response = Response;
    type Error = I::Error;
    type Future = BoxFuture<Response, I::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<core::result::Result<(), I::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The clone that was driven to readiness serves this request.
        let clone = self.inner.clone();
        let mut inner = core::mem::replace(&mut self.inner, clone);
        let revocation = self.sessions.current();
        let chunking = self.sessions.chunking();
        let seal_on_server_error = self.sessions.seal_on_server_error();
        let sessions = self.sessions.clone();
        Box::pin(async move {
            let (mut carried, found) = read_cookies::<T, B>(&req, revocation.sealer(), chunking);
            let mut unreadable = None;
            let slot = match found {
                Found::Session(opened) => match check(&revocation, opened).await {
                    Ok(Some(checked)) => Slot::Opened(checked),
                    Ok(None) => {
                        carried.clear = true;
                        Slot::Empty
                    }
                    Err(error) => {
                        events::store_failed(&error);
                        return Ok(failure(StatusCode::SERVICE_UNAVAILABLE, error));
                    }
                },
                // Authentic but not readable here: no session, the cookie
                // kept for a node (or deploy) that reads it, the operator told.
                Found::Unreadable(error) => {
                    sessions.report_unreadable(&error);
                    unreadable = Some(error);
                    Slot::Empty
                }
                Found::Invalid(error) => {
                    events::rejected(&error);
                    Slot::Empty
                }
                Found::Conflict(conflict) => {
                    events::conflict(conflict);
                    Slot::Empty
                }
                Found::None => Slot::Empty,
            };
            let csrf = sessions.csrf().map(|key| {
                let id = match &slot {
                    Slot::Opened(checked) => Some(checked.session().id()),
                    Slot::Empty | Slot::Fresh(_) => None,
                };
                (Arc::clone(key), id)
            });
            let flash = sessions.flash_sealer();
            let mut handle = SessionHandle::new(slot, Arc::clone(&revocation));
            if let Some(sealer) = &flash {
                handle.lock().flash_in = super::flash::read(req.headers(), sealer);
                handle.flash_sealer = Some(Arc::clone(sealer));
            }
            if let Some((key, id)) = csrf {
                req.extensions_mut().insert(context_for(&key, id));
                handle.csrf = Some(key);
            }
            handle.lock().unreadable = unreadable;
            req.extensions_mut().insert(handle.clone());
            req.extensions_mut().insert(LayerTypes {
                session: core::any::type_name::<T>(),
                store: core::any::type_name::<S>(),
            });
            let response = inner.call(req).await?;
            let finish = Finish {
                flash: flash.as_deref(),
                sealer: revocation.sealer(),
                chunking,
                carried: &carried,
                seal_on_server_error,
            };
            Ok(finish.apply(response, &handle))
        })
    }
}

/// Reads and opens the request's cookies, applying the duplicate rules of
/// [`crate::http`].
fn read_cookies<T: SessionData, B>(
    req: &Request<B>,
    sealer: &Sealer,
    chunking: Option<Chunking>,
) -> (Carried, Found<T>) {
    let cookies = RequestCookies::parse(req.headers(), sealer.cookie_name());
    let found = cookies.open(sealer, chunking);
    let carried = match &found {
        Found::Conflict(conflict) => Carried {
            conflict: Some(*conflict),
            ..Carried::default()
        },
        Found::None | Found::Session(_) | Found::Invalid(_) | Found::Unreadable(_) => Carried {
            single: cookies.plain_values().next().is_some(),
            chunks: cookies.chunk_set(),
            conflict: None,
            clear: matches!(found, Found::Invalid(_)),
        },
    };
    (carried, found)
}

/// Checks an opened cookie against revocation: `Ok(None)` for "no session"
/// (any rejection caused by the cookie), `Err` when the server cannot
/// decide (store unavailable under fail-closed, or a server-side error).
async fn check<T, S: RevocationStore>(
    revocation: &Revocation<S>,
    opened: Opened<T>,
) -> Result<Option<Checked<T>>> {
    match revocation.check(opened).await {
        Ok(checked) => Ok(Some(checked)),
        Err(error) if error.is_client_fault() => {
            events::rejected(&error);
            Ok(None)
        }
        Err(error) => Err(error),
    }
}

// The body type is axum's; keep the import used when axum-core changes it.
const _: fn() -> Body = Body::empty;
