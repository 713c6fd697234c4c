//! `ResponseFuture`: what [`SessionService`](super::SessionService) returns,
//! the shared [`Sealing`] future with the tower adapter's seal: when the
//! store answered at once (in memory), it is the inner service's future
//! plus the sealing after it, with nothing boxed; only a store that must
//! be awaited (Redis) puts the request in a boxed future.

use super::parts::failure;
use crate::SessionData;
use crate::revocation::RevocationStore;
use crate::web::{Exchange, Seal, Sealing};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
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
        inner: Sealing<F, T, S, TowerSeal, F::Output, Boxed<F::Output>>,
    }
}

/// The tower adapter's [`Seal`]: the inner service's `Response` with the
/// session sealed on, or the layer's own 500 when that fails; an inner
/// error passes through unsealed.
pub(super) struct TowerSeal;

impl<R: From<&'static str>, E> Seal<Result<Response<R>, E>, Result<Response<R>, E>> for TowerSeal {
    fn seal<T: SessionData, S: RevocationStore>(
        exchange: Exchange<T, S>,
        inner: Result<Response<R>, E>,
    ) -> Result<Response<R>, E> {
        let mut response = inner?;
        Ok(match exchange.finish(&mut response) {
            Ok(()) => response,
            Err(answer) => failure(answer),
        })
    }
}

impl<F: Future, T, S> ResponseFuture<F, T, S> {
    pub(super) fn calling(future: F, exchange: Exchange<T, S>) -> Self {
        ResponseFuture {
            inner: Sealing::calling(future, exchange),
        }
    }

    pub(super) fn boxed(future: Boxed<F::Output>) -> Self {
        ResponseFuture {
            inner: Sealing::boxed(future),
        }
    }

    pub(super) fn answered(output: F::Output) -> Self {
        ResponseFuture {
            inner: Sealing::answered(output),
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
        self.project().inner.poll(cx)
    }
}

impl<F: Future, T, S> core::fmt::Debug for ResponseFuture<F, T, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("state", &self.inner.state_name())
            .finish()
    }
}
