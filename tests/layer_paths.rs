//! The tower layer's two paths (issue 17): a store that answers at once
//! (`RevocationStore::status_now`, the in-memory one) runs the handler
//! straight from `call`, with no boxed future; a store that must be awaited
//! goes through the boxed path. Both must give the same answers: login,
//! read, change, logout and the refusal of the logged-out cookie, a 503
//! when the store cannot answer (fail-closed), never a success instead.
//! The stores are in `path_stores/` (shared with `actix_paths.rs`, the
//! same paths through the actix-web middleware).
#![cfg(feature = "axum")]

#[path = "axum_support/mod.rs"]
mod axum_support;
#[path = "path_stores/mod.rs"]
mod path_stores;

use axum::Router;
use axum::routing::get;
use axum_support::{Reply, key, sealer, send};
use http::StatusCode;
use path_stores::{Awaited, DownNow};
use sealed_session::axum::{MissingSessionLayer, SessionHandle, Sessions};
use sealed_session::revocation::{
    AnyStore, DeniedSession, MemoryStore, Revocation, RevocationStore, Stateless, Status, run_ready,
};
use sealed_session::{Error, KeyRing, SessionId};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn app<S: RevocationStore + Clone + 'static>(store: S) -> Router {
    let sessions = Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store).unwrap());
    Router::new()
        .route(
            "/login",
            get(|s: SessionHandle<String, S>| async move {
                s.login("cart".to_string(), Some("alice"))
                    .await
                    .map(|()| "in")
            }),
        )
        .route(
            "/me",
            get(|s: SessionHandle<String, S>| async move {
                s.read(|s| s.map(|s| s.data().clone())).unwrap_or_default()
            }),
        )
        .route(
            "/add",
            get(|s: SessionHandle<String, S>| async move {
                s.update(|s| s.data_mut().push('+'))
                    .map_or(StatusCode::UNAUTHORIZED, |()| StatusCode::OK)
            }),
        )
        .route(
            "/logout",
            get(|s: SessionHandle<String, S>| async move { s.logout().await.map(|()| "out") }),
        )
        .route(
            "/wrong-type",
            get(|_: SessionHandle<u32, S>| async { "unreachable" }),
        )
        .layer(sessions.layer::<String>())
}

/// The rejection of a handle of another type, as the response carries it.
async fn missing(app: &Router, cookie: Option<&str>) -> MissingSessionLayer {
    let mut req = http::Request::get("/wrong-type");
    if let Some(cookie) = cookie {
        req = req.header(http::header::COOKIE, cookie);
    }
    let res = tower::ServiceExt::oneshot(app.clone(), req.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), 500);
    *res.extensions().get::<MissingSessionLayer>().unwrap()
}

/// Login, read, change, logout, replay: the same answers on either path.
async fn walk(app: &Router) {
    let login = send(app, "/login", None).await;
    assert_eq!(login.status, 200);
    let cookie = login.cookie();
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    assert_eq!(login.header("cache-control"), "no-store");

    let me = send(app, "/me", Some(&cookie)).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "cart"));
    assert!(me.set_cookies.is_empty());
    assert_eq!(me.header("vary"), "Cookie");

    let add: Reply = send(app, "/add", Some(&cookie)).await;
    assert_eq!(add.status, 200);
    let changed = add.cookie();
    assert_ne!(changed, cookie);
    assert_eq!(send(app, "/me", Some(&changed)).await.body, "cart+");

    let out = send(app, "/logout", Some(&changed)).await;
    assert_eq!(out.status, 200);
    assert_eq!(out.removals(), ["__Host-session"]);
    // The kept copy is refused and removed.
    let replay = send(app, "/me", Some(&changed)).await;
    assert_eq!((replay.status, replay.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(replay.removals(), ["__Host-session"]);
}

#[tokio::test]
async fn an_in_memory_store_and_an_awaited_one_answer_alike() {
    walk(&app(Arc::new(MemoryStore::new(100).unwrap()))).await;
    walk(&app(AnyStore::new(MemoryStore::new(100).unwrap()))).await;
    let awaited = Awaited::new();
    walk(&app(awaited.clone())).await;
    // The boxed path asked the store once per request that carried a
    // cookie (five), and the login once more for the subject's not-before.
    assert_eq!(awaited.statuses.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn both_paths_name_the_layer_to_a_handle_of_another_type() {
    let fast = app(Arc::new(MemoryStore::new(100).unwrap()));
    let awaited = Awaited::new();
    let boxed = app(awaited.clone());
    let cookie = send(&boxed, "/login", None).await.cookie();
    let before = awaited.statuses.load(Ordering::SeqCst);
    // With a cookie the awaited store is asked: the boxed path.
    let cases = [
        (&fast, None, "MemoryStore>"),
        (&boxed, None, "Awaited"),
        (&boxed, Some(cookie.as_str()), "Awaited"),
    ];
    for (app, cookie, store) in cases {
        let missing = missing(app, cookie).await;
        assert_eq!(missing.wanted.0, "u32");
        let (session, found_store) = missing.found.expect("the layer names itself");
        assert_eq!(session, "alloc::string::String");
        assert!(found_store.ends_with(store), "{found_store}");
    }
    assert_eq!(awaited.statuses.load(Ordering::SeqCst), before + 1);
}

#[tokio::test]
async fn a_store_that_cannot_answer_is_503_on_both_paths_never_the_handler() {
    let awaited = Awaited::new();
    let app_awaited = app(awaited.clone());
    let cookie = send(&app_awaited, "/login", None).await.cookie();
    awaited.down.store(true, Ordering::SeqCst);
    let down = send(&app_awaited, "/add", Some(&cookie)).await;
    assert_eq!(down.status, 503);
    assert!(down.set_cookies.is_empty());
    assert!(matches!(
        down.error.map(|e| e.0),
        Some(Error::RevocationUnavailable { .. })
    ));

    // The fast path: the store answered at once that it cannot answer.
    let now = app(DownNow);
    let sealer = sealer(KeyRing::new(key(1)));
    let value = sealer
        .seal_value(&sealed_session::Session::new("cart".to_string()))
        .unwrap();
    let cookie = format!("{}={value}", sealer.cookie_name());
    let down = send(&now, "/add", Some(&cookie)).await;
    assert_eq!(down.status, 503);
    assert_eq!(down.body, "session store unavailable");
    assert!(down.set_cookies.is_empty());
    // Without a cookie there is nothing to ask: the handler runs.
    assert_eq!(send(&now, "/me", None).await.status, 200);
}

#[test]
fn status_now_answers_as_status_does_for_every_store_that_answers_at_once() {
    let memory = MemoryStore::new(10).unwrap();
    let denied = SessionId::random();
    let entry = DeniedSession {
        id: denied,
        subject: Some("alice"),
        issued_at: 100,
        until: 1000,
    };
    run_ready(memory.deny_session(entry, 150)).unwrap();
    run_ready(memory.set_subject_not_before("bob", 120, 1000, 150)).unwrap();
    let memory = Arc::new(memory);
    let any = AnyStore::new(memory.clone());
    for (id, subject) in [
        (denied, Some("alice")),
        (SessionId::random(), Some("bob")),
        (SessionId::random(), None),
    ] {
        let want = run_ready(memory.status(id, subject, 150)).unwrap();
        let by_arc = <Arc<MemoryStore> as RevocationStore>::status_now(&memory, id, subject, 150);
        assert_eq!(by_arc.unwrap().unwrap(), want);
        let by_ref = <&MemoryStore as RevocationStore>::status_now(&&*memory, id, subject, 150);
        assert_eq!(by_ref.unwrap().unwrap(), want);
        assert_eq!(any.status_now(id, subject, 150).unwrap().unwrap(), want);
        assert_eq!(run_ready(any.status(id, subject, 150)).unwrap(), want);
    }
    assert!(
        run_ready(memory.status(denied, None, 150))
            .unwrap()
            .session_denied
    );
    assert_eq!(
        Stateless.status_now(denied, None, 150).unwrap().unwrap(),
        Status::default()
    );
    // A store that only awaits keeps the trait's `None`, behind `AnyStore` too.
    assert!(Awaited::new().status_now(denied, None, 150).is_none());
    assert!(
        AnyStore::new(Awaited::new())
            .status_now(denied, None, 150)
            .is_none()
    );
}

/// The layer's service over `store` around a handler that answers 200,
/// and a request carrying `cookie`.
fn layered<S: RevocationStore + Clone + 'static>(
    store: S,
    cookie: Option<&str>,
) -> (
    impl tower::Service<
        http::Request<String>,
        Response = http::Response<String>,
        Error = std::convert::Infallible,
        Future: core::fmt::Debug,
    >,
    http::Request<String>,
) {
    use tower::Layer;
    let sessions = Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store).unwrap());
    let service =
        sessions
            .layer::<String>()
            .layer(tower::service_fn(|_: http::Request<String>| async {
                Ok::<_, std::convert::Infallible>(http::Response::new(String::from("hi")))
            }));
    let mut req = http::Request::new(String::new());
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert(http::header::COOKIE, cookie.parse().unwrap());
    }
    (service, req)
}

/// The state a request's future starts in, through the layer's `call`.
fn first_state<S: RevocationStore + Clone + 'static>(store: S, cookie: Option<&str>) -> String {
    use tower::Service;
    let (mut service, req) = layered(store, cookie);
    format!("{:?}", service.call(req))
}

#[test]
fn only_an_awaited_store_puts_the_request_in_a_box() {
    let sealer = sealer(KeyRing::new(key(1)));
    let value = sealer
        .seal_value(&sealed_session::Session::new("cart".to_string()))
        .unwrap();
    let cookie = format!("{}={value}", sealer.cookie_name());
    let memory = Arc::new(MemoryStore::new(10).unwrap());
    assert_eq!(
        first_state(memory.clone(), Some(&cookie)),
        r#"ResponseFuture { state: "calling" }"#
    );
    assert_eq!(
        first_state(memory, None),
        r#"ResponseFuture { state: "calling" }"#
    );
    assert_eq!(
        first_state(Awaited::new(), Some(&cookie)),
        r#"ResponseFuture { state: "boxed" }"#
    );
    // Nothing to ask without a cookie, whatever the store.
    assert_eq!(
        first_state(Awaited::new(), None),
        r#"ResponseFuture { state: "calling" }"#
    );
    assert_eq!(
        first_state(DownNow, Some(&cookie)),
        r#"ResponseFuture { state: "answered" }"#
    );
}

/// Polled again after it answered (a caller's bug), the layer's future is
/// pending: no second answer and no panic (the handler's finished
/// `async` future, or the boxed one, would panic if polled again), from
/// each of its three states.
#[test]
fn a_future_polled_after_its_answer_stays_pending() {
    use tower::Service;
    let cookie = {
        let sealer = sealer(KeyRing::new(key(1)));
        let value = sealer
            .seal_value(&sealed_session::Session::new("cart".to_string()))
            .unwrap();
        format!("{}={value}", sealer.cookie_name())
    };
    fn run<S: RevocationStore + Clone + 'static>(store: S, cookie: &str, status: u16) {
        let (mut service, req) = layered(store, Some(cookie));
        let mut future = Box::pin(service.call(req));
        let response = path_stores::answer_then_pending(future.as_mut()).unwrap();
        assert_eq!(response.status(), status);
        assert_eq!(format!("{future:?}"), r#"ResponseFuture { state: "done" }"#);
    }
    run(Arc::new(MemoryStore::new(10).unwrap()), &cookie, 200);
    run(Awaited::new(), &cookie, 200);
    run(DownNow, &cookie, 503);
}
