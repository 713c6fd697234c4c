//! `ResponseFuture`: what [`SessionService`](super::SessionService) returns.
//! When the store answered at once (in memory), it is the inner service's
//! future plus the sealing after it, with nothing boxed; only a store that
//! must be awaited (Redis) puts the request in a boxed future.

use super::parts::failure;
use crate::SessionData;
use crate::revocation::RevocationStore;
use crate::web::Exchange;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use http::Response;

type Boxed<O> = Pin<Box<dyn Future<Output = O> + Send>>;

pin_project_lite::pin_project! {
    /// The response future of [`SessionService`](super::SessionService): the
    /// inner service's response with the session sealed onto it, or the
    /// layer's own 503 or 500 (see the [module docs](super)).
    ///
    /// ```
    /// use sealed_session::revocation::{MemoryStore, Revocation};
    /// use sealed_session::tower::ResponseFuture;
    /// use sealed_session::web::Sessions;
    /// use sealed_session::{Key, KeyRing, Sealer};
    /// use tower::{Layer, Service};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?);
    /// let mut service = sessions.layer::<u8>().layer(tower::service_fn(|_req: http::Request<String>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("hi")))
    /// }));
    /// let future = service.call(http::Request::new(String::new()));
    /// let response = future.await.unwrap();
    /// assert_eq!(response.body(), "hi");
    /// # Ok::<(), sealed_session::Error>(()) }).unwrap();
    /// ```
    pub struct ResponseFuture<F: Future, T, S> {
        #[pin]
        state: State<F, T, S>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F: Future, T, S> {
        // The handler runs; `exchange` seals its changes once it answers.
        Calling { #[pin] future: F, exchange: Option<Exchange<T, S>> },
        // The layer answered without the handler.
        Answered { output: Option<F::Output> },
        // The store is awaited before the handler, all in one box.
        Boxed { future: Boxed<F::Output> },
    }
}

impl<F: Future, T, S> ResponseFuture<F, T, S> {
    pub(super) fn calling(future: F, exchange: Exchange<T, S>) -> Self {
        ResponseFuture {
            state: State::Calling {
                future,
                exchange: Some(exchange),
            },
        }
    }

    pub(super) fn boxed(future: Boxed<F::Output>) -> Self {
        ResponseFuture {
            state: State::Boxed { future },
        }
    }
}

impl<F, T, S, R, E> ResponseFuture<F, T, S>
where
    F: Future<Output = Result<Response<R>, E>>,
{
    pub(super) fn answered(response: Response<R>) -> Self {
        ResponseFuture {
            state: State::Answered {
                output: Some(Ok(response)),
            },
        }
    }
}

impl<F, T, S, R, E> Future for ResponseFuture<F, T, S>
where
    F: Future<Output = Result<Response<R>, E>>,
    R: From<&'static str>,
    T: SessionData,
    S: RevocationStore,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        match self.project().state.project() {
            StateProj::Calling { future, exchange } => {
                let mut response = ready!(future.poll(cx))?;
                // Polled again after it answered: a caller's bug, and the
                // response is gone; never a success without the seal.
                let Some(exchange) = exchange.take() else {
                    return Poll::Pending;
                };
                Poll::Ready(Ok(match exchange.finish(&mut response) {
                    Ok(()) => response,
                    Err(answer) => failure(answer),
                }))
            }
            StateProj::Answered { output } => match output.take() {
                Some(output) => Poll::Ready(output),
                None => Poll::Pending,
            },
            StateProj::Boxed { future } => future.as_mut().poll(cx),
        }
    }
}

impl<F: Future, T, S> core::fmt::Debug for ResponseFuture<F, T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let state = match &self.state {
            State::Calling { .. } => "calling",
            State::Answered { .. } => "answered",
            State::Boxed { .. } => "boxed",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish()
    }
}
