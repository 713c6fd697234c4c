//! The response future every adapter returns, whatever the framework:
//! the inner service's future and then the seal onto its response, with
//! nothing boxed when the store answered at once; only a store that must
//! be awaited (Redis) puts the request in a box. An adapter says how its
//! framework's response is sealed ([`Seal`]) and which box it uses (`Send`
//! for tower, thread-local for actix-web).

use super::exchange::Exchange;
use crate::SessionData;
use crate::revocation::RevocationStore;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

/// How an adapter turns the inner service's output `In` into its own
/// output `O` with the session sealed on (or the layer's own answer when
/// sealing fails).
pub(crate) trait Seal<In, O> {
    /// Seals `exchange` onto `inner`.
    fn seal<T: SessionData, S: RevocationStore>(exchange: Exchange<T, S>, inner: In) -> O;
}

pin_project_lite::pin_project! {
    /// The shared state machine: `F` is the inner service's future, `A`
    /// the adapter's [`Seal`], `O` the output and `B` the adapter's box.
    pub(crate) struct Sealing<F, T, S, A, O, B> {
        #[pin]
        state: State<F, T, S, O, B>,
        adapter: PhantomData<fn() -> A>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, T, S, O, B> {
        // The handler runs; `exchange` seals its changes once it answers.
        Calling { #[pin] future: F, exchange: Option<Exchange<T, S>> },
        // The layer answered without the handler.
        Answered { output: Option<O> },
        // The store is awaited before the handler, all in one box.
        Boxed { future: B },
        // Answered, from any of the states above.
        Done,
    }
}

impl<F, T, S, A, O, B> Sealing<F, T, S, A, O, B> {
    /// The handler runs now; its answer is sealed with `exchange`.
    pub(crate) fn calling(future: F, exchange: Exchange<T, S>) -> Self {
        Self::with(State::Calling {
            future,
            exchange: Some(exchange),
        })
    }

    /// The layer's own answer, given without the handler.
    pub(crate) fn answered(output: O) -> Self {
        Self::with(State::Answered {
            output: Some(output),
        })
    }

    /// The whole request in the adapter's box (the store is awaited).
    pub(crate) fn boxed(future: B) -> Self {
        Self::with(State::Boxed { future })
    }

    fn with(state: State<F, T, S, O, B>) -> Self {
        Sealing {
            state,
            adapter: PhantomData,
        }
    }

    /// The state's name, for the adapters' `Debug`.
    pub(crate) fn state_name(&self) -> &'static str {
        match &self.state {
            State::Calling { .. } => "calling",
            State::Answered { .. } => "answered",
            State::Boxed { .. } => "boxed",
            State::Done => "done",
        }
    }
}

impl<F, T, S, A, O, B> Future for Sealing<F, T, S, A, O, B>
where
    F: Future,
    A: Seal<F::Output, O>,
    B: Future<Output = O> + Unpin,
    T: SessionData,
    S: RevocationStore,
{
    type Output = O;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O> {
        let mut state = self.project().state;
        let output = match state.as_mut().project() {
            StateProj::Calling { future, exchange } => {
                let inner = ready!(future.poll(cx));
                match exchange.take() {
                    Some(exchange) => A::seal(exchange, inner),
                    None => return Poll::Pending,
                }
            }
            StateProj::Answered { output } => match output.take() {
                Some(output) => output,
                None => return Poll::Pending,
            },
            StateProj::Boxed { future } => ready!(Pin::new(future).poll(cx)),
            StateProj::Done => return Poll::Pending,
        };
        // Polled again (a caller's bug), the finished handler's future or
        // box must not be: `Done` stays pending, never a second answer
        // and never their panic. It also drops them (and the exchange)
        // now rather than with the response future.
        state.set(State::Done);
        Poll::Ready(output)
    }
}
