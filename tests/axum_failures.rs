//! Handlers that fail (in-process, through the router): a panic inside a
//! session change (poisoned lock) is never sealed, whatever the settings;
//! a 5xx response seals nothing by default (not even the removal of a bad
//! cookie) and seals the change with `with_seal_on_server_error(true)`.
//! Panics are turned into 500s by `CatchPanic`, a small stand-in for
//! tower-http's `CatchPanicLayer` (not a dependency here) that catches the
//! unwind on each poll of the inner future.
#![cfg(feature = "axum")]

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_support::{Handle, Store, cookie_for, send, sessions, store};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use http::{Request, StatusCode};
use sealed_session::axum::Sessions;
use std::panic::{AssertUnwindSafe, catch_unwind};
use tower::{Layer, Service};

#[derive(Clone)]
struct CatchPanicLayer;

impl<S> Layer<S> for CatchPanicLayer {
    type Service = CatchPanic<S>;

    fn layer(&self, inner: S) -> CatchPanic<S> {
        CatchPanic(inner)
    }
}

#[derive(Clone)]
struct CatchPanic<S>(S);

type BoxFuture<E> = Pin<Box<dyn Future<Output = Result<Response, E>> + Send>>;

impl<S, B> Service<Request<B>> for CatchPanic<S>
where
    S: Service<Request<B>, Response = Response>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let mut inner = Box::pin(self.0.call(req));
        Box::pin(core::future::poll_fn(move |cx| {
            // The inner future is never polled again after a panic: this
            // poll returns Ready.
            catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))).unwrap_or_else(|_| {
                Poll::Ready(Ok(
                    (StatusCode::INTERNAL_SERVER_ERROR, "handler panicked").into_response()
                ))
            })
        }))
    }
}

fn app(sessions: &Sessions<Store>) -> Router {
    Router::new()
        .route(
            "/half",
            // Panics inside the change, with the session's lock held.
            get(|s: Handle| async move {
                s.update(|s| {
                    s.data_mut().push_str(" half");
                    panic!("halfway through a change");
                });
                "unreachable"
            }),
        )
        .route(
            "/then-panic",
            // A complete change, then a panic outside the lock.
            get(|s: Handle| async move {
                s.insert("changed".into());
                if s.is_present() {
                    panic!("after the change");
                }
                "unreachable"
            }),
        )
        .route(
            "/fail",
            get(|s: Handle| async move {
                s.insert("changed".into());
                (StatusCode::INTERNAL_SERVER_ERROR, "failed")
            }),
        )
        .route(
            "/unavailable",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                StatusCode::SERVICE_UNAVAILABLE
            }),
        )
        .route(
            "/login-then-fail",
            get(|s: Handle| async move {
                s.login("new".into(), None).await.unwrap();
                StatusCode::BAD_GATEWAY
            }),
        )
        .route(
            "/fail-plain",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/read",
            get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }),
        )
        .layer(CatchPanicLayer)
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn a_panic_inside_a_change_is_never_sealed() {
    let store = store();
    for seal_on_server_error in [false, true] {
        let s = sessions(&store).with_seal_on_server_error(seal_on_server_error);
        let app = app(&s);
        let cookie = cookie_for(&s, "before");
        let r = send(&app, "/half", Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);
        assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "before");
    }
}

#[tokio::test]
async fn a_panic_after_a_change_is_a_500_like_any_other() {
    let store = store();
    let s = sessions(&store);
    let cookie = cookie_for(&s, "before");
    let r = send(&app(&s), "/then-panic", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);

    let opted_in = app(&sessions(&store).with_seal_on_server_error(true));
    let r = send(&opted_in, "/then-panic", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        send(&opted_in, "/read", Some(&r.cookie())).await.body,
        "changed"
    );
}

#[tokio::test]
async fn a_5xx_response_seals_nothing_by_default() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let cookie = cookie_for(&s, "before");
    for path in ["/fail", "/unavailable", "/login-then-fail"] {
        let r = send(&app, path, Some(&cookie)).await;
        assert!(r.status.is_server_error(), "{path}");
        assert!(r.set_cookies.is_empty(), "{path}: {:?}", r.set_cookies);
    }
    // No new session from a failed request without a cookie either.
    assert!(send(&app, "/fail", None).await.set_cookies.is_empty());
    // A bad cookie is left alone on a 5xx too (and cleared on a 200).
    let r = send(&app, "/fail-plain", Some("__Host-session=garbage")).await;
    assert!(r.set_cookies.is_empty());
    let r = send(&app, "/read", Some("__Host-session=garbage")).await;
    assert_eq!(r.removals(), ["__Host-session"]);
}

#[tokio::test]
async fn with_seal_on_server_error_a_5xx_seals_the_change() {
    let store = store();
    let s = sessions(&store).with_seal_on_server_error(true);
    let app = app(&s);
    let cookie = cookie_for(&s, "before");
    let r = send(&app, "/fail", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(send(&app, "/read", Some(&r.cookie())).await.body, "changed");
    let r = send(&app, "/unavailable", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(send(&app, "/read", Some(&r.cookie())).await.body, "before!");
}
