//! `SessionMiddleware`: the core's open and check before the handler, and
//! its seal after it, as an actix-web [`Transform`].

use super::errors::failure;
use crate::SessionData;
use crate::revocation::{AnyStore, RevocationStore};
use crate::web::{Checking, Exchange, Seal, Sealing, Sessions};
use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{COOKIE, HeaderValue};
use core::future::{Future, Ready, ready};
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::rc::Rc;

impl<S> Sessions<S> {
    /// An actix-web middleware sealing sessions of type `T`: `.wrap()` an
    /// `App`, a `Scope` or a `Resource` with it.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// let app = actix_web::App::new().wrap(sessions.middleware::<String>());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn middleware<T>(&self) -> SessionMiddleware<T, S> {
        SessionMiddleware {
            sessions: self.clone(),
            _session: PhantomData,
        }
    }
}

/// The actix-web middleware built by
/// [`Sessions::middleware`](crate::web::Sessions::middleware); see the
/// [module docs](super).
///
/// ```
/// # use sealed_session::actix::{SessionMiddleware, Sessions};
/// # use sealed_session::revocation::{MemoryStore, Revocation};
/// # use sealed_session::{Error, Key, KeyRing, Sealer};
/// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
/// let middleware: SessionMiddleware<u8, MemoryStore> = sessions.middleware();
/// # Ok::<(), Error>(())
/// ```
pub struct SessionMiddleware<T, S = AnyStore> {
    sessions: Sessions<S>,
    _session: PhantomData<fn() -> T>,
}

impl<T, S> Clone for SessionMiddleware<T, S> {
    fn clone(&self) -> Self {
        self.sessions.middleware()
    }
}

impl<T, S> core::fmt::Debug for SessionMiddleware<T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionMiddleware")
            .field("sessions", &self.sessions)
            .finish()
    }
}

impl<I, B, T, S> Transform<I, ServiceRequest> for SessionMiddleware<T, S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    T: SessionData + 'static,
    S: RevocationStore + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = SessionMiddlewareService<I, T, S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: I) -> Self::Future {
        ready(Ok(SessionMiddlewareService {
            service: Rc::new(service),
            sessions: self.sessions.clone(),
            _session: PhantomData,
        }))
    }
}

/// The service [`SessionMiddleware`] wraps around the inner service.
///
/// ```
/// use actix_web::{App, HttpResponse, test, web};
/// # use sealed_session::actix::Sessions;
/// # use sealed_session::revocation::{MemoryStore, Revocation};
/// # use sealed_session::{Error, Key, KeyRing, Sealer};
/// # actix_web::rt::System::new().block_on(async {
/// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
/// let service = test::init_service(
///     App::new().wrap(sessions.middleware::<u8>()).route("/", web::get().to(HttpResponse::Ok)),
/// )
/// .await;
/// let response = test::call_service(&service, test::TestRequest::get().uri("/").to_request()).await;
/// assert_eq!(response.status(), 200);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
pub struct SessionMiddlewareService<I, T, S = AnyStore> {
    service: Rc<I>,
    sessions: Sessions<S>,
    _session: PhantomData<fn() -> T>,
}

impl<I, T, S> core::fmt::Debug for SessionMiddlewareService<I, T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionMiddlewareService")
            .field("sessions", &self.sessions)
            .finish_non_exhaustive()
    }
}

type LocalFuture<O> = Pin<Box<dyn Future<Output = O>>>;

/// The output of the middleware's service.
type Output<B> = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

pin_project_lite::pin_project! {
    /// The future of [`SessionMiddlewareService`]: the inner service's
    /// future with the session sealed onto its response, or the
    /// middleware's own 503 or 500. When the store answered at once (in
    /// memory) nothing is boxed; a store that must be awaited (Redis) puts
    /// the request in one box.
    ///
    /// ```
    /// use actix_web::dev::{Service, ServiceRequest, Transform, fn_service};
    /// use actix_web::{HttpResponse, test};
    /// use sealed_session::actix::{ResponseFuture, Sessions};
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # actix_web::rt::System::new().block_on(async {
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// let inner = fn_service(|req: ServiceRequest| async move {
    ///     Ok::<_, actix_web::Error>(req.into_response(HttpResponse::Ok().finish()))
    /// });
    /// let service = sessions.middleware::<u8>().new_transform(inner).await.unwrap();
    /// let future: ResponseFuture<_, _, u8, MemoryStore> = service.call(test::TestRequest::get().to_srv_request());
    /// assert_eq!(future.await.map(|r| r.status().as_u16()).ok(), Some(200));
    /// # Ok::<(), Error>(()) }).unwrap();
    /// ```
    pub struct ResponseFuture<F: Future, B, T, S> {
        #[pin]
        inner: Sealing<F, T, S, ActixSeal, Output<B>, LocalFuture<Output<B>>>,
    }
}

/// The actix-web adapter's [`Seal`]: the inner response with the session
/// sealed on (left body), or the middleware's own 500 (right body); an
/// inner error passes through unsealed.
struct ActixSeal;

impl<B> Seal<Result<ServiceResponse<B>, actix_web::Error>, Output<B>> for ActixSeal {
    fn seal<T: SessionData, S: RevocationStore>(
        exchange: Exchange<T, S>,
        inner: Result<ServiceResponse<B>, actix_web::Error>,
    ) -> Output<B> {
        // An `Err` here is a middleware's or the framework's, not the
        // handler's (actix-web turns those into responses): nothing is
        // sealed.
        let mut response = inner?;
        match exchange.finish(response.response_mut()) {
            Ok(()) => Ok(response.map_into_left_body()),
            Err(answer) => {
                let (req, _) = response.into_parts();
                Ok(ServiceResponse::new(req, failure(answer)).map_into_right_body())
            }
        }
    }
}

impl<F, B, T, S> Future for ResponseFuture<F, B, T, S>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
    T: SessionData,
    S: RevocationStore,
{
    type Output = Output<B>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Output<B>> {
        self.project().inner.poll(cx)
    }
}

impl<F: Future, B, T, S> core::fmt::Debug for ResponseFuture<F, B, T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("state", &self.inner.state_name())
            .finish()
    }
}

impl<I, B, T, S> Service<ServiceRequest> for SessionMiddlewareService<I, T, S>
where
    I: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    T: SessionData + 'static,
    S: RevocationStore + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ResponseFuture<I::Future, B, T, S>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let headers = req.headers();
        let incoming = self
            .sessions
            .read::<T, _>(|| headers.get_all(COOKIE).map(HeaderValue::as_bytes));
        let waiting = match incoming.check_now() {
            Checking::Done(Ok(exchange)) => {
                install(&exchange, &req);
                return ResponseFuture {
                    inner: Sealing::calling(self.service.call(req), exchange),
                };
            }
            Checking::Done(Err(answer)) => {
                let answer = req.into_response(failure(answer)).map_into_right_body();
                return ResponseFuture {
                    inner: Sealing::answered(Ok(answer)),
                };
            }
            Checking::Wait(waiting) => waiting,
        };
        // The store must be awaited first: the request, the exchange and
        // the inner call go in one box.
        let service = Rc::clone(&self.service);
        ResponseFuture {
            inner: Sealing::boxed(Box::pin(async move {
                let exchange = match waiting.check().await {
                    Ok(exchange) => exchange,
                    Err(answer) => {
                        return Ok(req.into_response(failure(answer)).map_into_right_body());
                    }
                };
                install(&exchange, &req);
                ActixSeal::seal(exchange, service.call(req).await)
            })),
        }
    }
}

/// Puts what the handler's extractors look for into the request.
fn install<T: SessionData + 'static, S: RevocationStore + 'static>(
    exchange: &Exchange<T, S>,
    req: &ServiceRequest,
) {
    let (handle, csrf) = exchange.extensions();
    let mut extensions = req.extensions_mut();
    extensions.insert(handle);
    if let Some(csrf) = csrf {
        extensions.insert(csrf);
    }
}
