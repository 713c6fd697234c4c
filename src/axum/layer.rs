//! `SessionLayer` / `SessionService`: open and check the cookie before the
//! handler, seal the session (or delete the cookie) after it.

use super::Sessions;
use super::handle::{SessionHandle, Slot};
use crate::http::RequestCookies;
use crate::revocation::{Revocation, RevocationStore};
use crate::{Chunking, Error, Malformed, Opened, Result, SealedCookies, Sealer, Session};
use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use http::header::SET_COOKIE;
use http::{HeaderValue, Request, StatusCode};
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;
use tower_layer::Layer;
use tower_service::Service;

/// The typed reason the layer answered 500 or 503 itself, put in the
/// response extensions so that an outer layer can log it. It holds only
/// an [`Error`], which never contains key bytes or session data.
///
/// ```
/// use sealed_session::{Error, axum::SessionError};
/// let e = SessionError(Error::Serialize);
/// assert_eq!(e.0.to_string(), Error::Serialize.to_string());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError(pub Error);

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
pub struct SessionLayer<T, S> {
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
pub struct SessionService<I, T, S> {
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
    T: Serialize + DeserializeOwned + Send + 'static,
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
        Box::pin(async move {
            let (carried, opened) = read_cookies::<T, B>(&req, revocation.sealer(), chunking);
            let (slot, clear) = match opened {
                None => (Slot::Empty, false),
                Some(opened) => match check(&revocation, opened).await {
                    Ok(Some(checked)) => (Slot::Opened(checked), false),
                    Ok(None) => (Slot::Empty, true),
                    Err(error) => return Ok(failure(StatusCode::SERVICE_UNAVAILABLE, error)),
                },
            };
            let handle = SessionHandle::new(slot, Arc::clone(&revocation));
            req.extensions_mut().insert(handle.clone());
            let mut response = inner.call(req).await?;
            match set_cookies(&handle, revocation.sealer(), chunking, &carried, clear) {
                Ok(values) => {
                    for value in values {
                        response.headers_mut().append(SET_COOKIE, value);
                    }
                    Ok(response)
                }
                Err(error) => Ok(failure(StatusCode::INTERNAL_SERVER_ERROR, error)),
            }
        })
    }
}

/// Which of our cookies the request carried, so that the response can
/// delete those the new cookies do not overwrite.
struct Carried {
    single: bool,
    chunks: Vec<usize>,
}

/// Reads and opens the request's cookie: `None` when it carried none.
fn read_cookies<T: DeserializeOwned, B>(
    req: &Request<B>,
    sealer: &Sealer,
    chunking: Option<Chunking>,
) -> (Carried, Option<Result<Opened<T>>>) {
    let cookies = RequestCookies::parse(req.headers(), sealer.cookie_name());
    let carried = Carried {
        single: cookies.single().is_some(),
        chunks: cookies.chunk_indices().collect(),
    };
    if cookies.is_empty() {
        return (carried, None);
    }
    let opened = match (chunking, cookies.single()) {
        (Some(chunking), single) => chunking.open(sealer, single, |k| cookies.chunk(k)),
        (None, Some(value)) => sealer.open(value),
        // Chunks from a time chunking was on: no session, and cleared.
        (None, None) => Err(Malformed::Chunks.into()),
    };
    (carried, Some(opened))
}

/// Checks an opened cookie against revocation: `Ok(None)` for "no session"
/// (any rejection caused by the cookie), `Err` when the server cannot
/// decide (store unavailable under fail-closed, or a server-side error).
async fn check<T, S: RevocationStore>(
    revocation: &Revocation<S>,
    opened: Result<Opened<T>>,
) -> Result<Option<crate::revocation::Checked<T>>> {
    let outcome = match opened {
        Ok(opened) => revocation.check(opened).await,
        Err(error) => Err(error),
    };
    match outcome {
        Ok(checked) => Ok(Some(checked)),
        Err(error) if error.is_client_fault() => Ok(None),
        Err(error) => Err(error),
    }
}

/// The `Set-Cookie` values the handler's changes call for.
fn set_cookies<T: Serialize, S>(
    handle: &SessionHandle<T, S>,
    sealer: &Sealer,
    chunking: Option<Chunking>,
    carried: &Carried,
    clear: bool,
) -> Result<Vec<HeaderValue>> {
    let state = handle.lock();
    let lines = match &state.slot {
        Slot::Fresh(session) => seal(sealer, chunking, session, carried)?,
        Slot::Opened(checked) if checked.opened().needs_reseal() => {
            seal(sealer, chunking, checked.session(), carried)?
        }
        Slot::Opened(_) => Vec::new(),
        Slot::Empty if state.removed || clear => removals(sealer, carried),
        Slot::Empty => Vec::new(),
    };
    Ok(lines
        .into_iter()
        .filter_map(|line| HeaderValue::try_from(line).ok())
        .collect())
}

fn seal<T: Serialize>(
    sealer: &Sealer,
    chunking: Option<Chunking>,
    session: &Session<T>,
    carried: &Carried,
) -> Result<Vec<String>> {
    let sealed = match chunking {
        Some(chunking) => chunking.seal(sealer, session)?,
        None => SealedCookies::single(sealer.seal(session)?),
    };
    let written = sealed.chunk_count().map_or(0, usize::from);
    let stale = Chunking::removals(
        sealer,
        carried.single,
        carried.chunks.iter().copied(),
        written,
    );
    let mut lines = sealed.into_set_cookies();
    lines.extend(stale);
    Ok(lines)
}

/// Deletes everything the request carried; after a logout with nothing
/// carried (a session created and ended in one request), the plain name.
fn removals(sealer: &Sealer, carried: &Carried) -> Vec<String> {
    let mut lines = Chunking::removals(sealer, false, carried.chunks.iter().copied(), 0);
    if carried.single || lines.is_empty() {
        lines.insert(0, sealer.removal_cookie());
    }
    lines
}

fn failure(status: StatusCode, error: Error) -> Response {
    let message = match status {
        StatusCode::SERVICE_UNAVAILABLE => "session store unavailable",
        _ => "session could not be saved",
    };
    let mut response = (status, message).into_response();
    response.extensions_mut().insert(SessionError(error));
    response
}

// The body type is axum's; keep the import used when axum-core changes it.
const _: fn() -> Body = Body::empty;
