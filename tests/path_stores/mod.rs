//! Stores for the adapters' two paths (`tests/layer_paths.rs` for tower,
//! `tests/actix_paths.rs` for actix-web): `Awaited`, the real
//! `MemoryStore` behind futures that are pending once (so the boxed path
//! runs without Redis; the Redis tests run it against a real server), and
//! `DownNow`, which answers at once that it cannot answer.
#![allow(dead_code)]

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use sealed_session::revocation::{Denial, DeniedSession, MemoryStore, RevocationStore, Status};
use sealed_session::{Error, Result, SessionId, UnavailableReason};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Pending on its first poll (waking itself), then `ready`.
struct PendingOnce<F> {
    yielded: bool,
    inner: Pin<Box<F>>,
}

impl<F: Future> Future for PendingOnce<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        if !self.yielded {
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.inner.as_mut().poll(cx)
    }
}

fn pending_once<F: Future>(inner: F) -> PendingOnce<F> {
    PendingOnce {
        yielded: false,
        inner: Box::pin(inner),
    }
}

/// A `MemoryStore` that never answers at once: `status_now` is the trait's
/// `None`, and every future is pending once. `down` makes it unavailable.
#[derive(Clone)]
pub struct Awaited {
    inner: Arc<MemoryStore>,
    pub down: Arc<AtomicBool>,
    pub statuses: Arc<AtomicUsize>,
}

impl Awaited {
    pub fn new() -> Awaited {
        Awaited {
            inner: Arc::new(MemoryStore::new(100).unwrap()),
            down: Arc::new(AtomicBool::new(false)),
            statuses: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn check_up(&self) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            Err(Error::RevocationUnavailable {
                reason: UnavailableReason::Connection,
            })
        } else {
            Ok(())
        }
    }
}

impl RevocationStore for Awaited {
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        self.statuses.fetch_add(1, Ordering::SeqCst);
        let up = self.check_up();
        let status = self.inner.status(id, subject, now);
        pending_once(async move {
            up?;
            status.await
        })
    }

    fn deny_session(
        &self,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> impl Future<Output = Result<Denial>> + Send {
        let up = self.check_up();
        let denial = self.inner.deny_session(entry, now);
        pending_once(async move {
            up?;
            denial.await
        })
    }

    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        pending_once(
            self.inner
                .set_subject_not_before(subject, not_before, until, now),
        )
    }

    fn set_global_not_before(
        &self,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        pending_once(self.inner.set_global_not_before(not_before, until, now))
    }
}

/// A store that answers at once, and says it cannot: the fast path's 503.
#[derive(Clone, Copy)]
pub struct DownNow;

fn unavailable<T>() -> Result<T> {
    Err(Error::RevocationUnavailable {
        reason: UnavailableReason::Connection,
    })
}

impl RevocationStore for DownNow {
    fn status(
        &self,
        _: SessionId,
        _: Option<&str>,
        _: i64,
    ) -> impl Future<Output = Result<Status>> + Send {
        core::future::ready(unavailable())
    }

    fn status_now(&self, _: SessionId, _: Option<&str>, _: i64) -> Option<Result<Status>> {
        Some(unavailable())
    }

    fn deny_session(
        &self,
        _: DeniedSession<'_>,
        _: i64,
    ) -> impl Future<Output = Result<Denial>> + Send {
        core::future::ready(unavailable())
    }

    fn set_subject_not_before(
        &self,
        _: &str,
        _: i64,
        _: i64,
        _: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        core::future::ready(unavailable())
    }

    fn set_global_not_before(
        &self,
        _: i64,
        _: i64,
        _: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        core::future::ready(unavailable())
    }
}

/// Polls `future` (with a waker that does nothing) until it answers, ten
/// polls at most, then asserts that three more polls stay pending: a
/// response future polled after its answer gives no second one and does
/// not panic.
pub fn answer_then_pending<F: Future>(mut future: Pin<&mut F>) -> F::Output {
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let output = (0..10)
        .find_map(|_| match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => Some(output),
            Poll::Pending => None,
        })
        .expect("an answer within ten polls");
    for _ in 0..3 {
        assert!(future.as_mut().poll(&mut cx).is_pending());
    }
    output
}
