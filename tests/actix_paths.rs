//! The actix-web middleware's two paths, as `layer_paths.rs` checks the
//! tower layer's: a store that answers at once runs the handler straight
//! from `call` (its future is the middleware's `ResponseFuture`, nothing
//! boxed), a store that must be awaited puts the request in one box. Both
//! must give the same answers: login, read, change, logout, the refusal of
//! the logged-out cookie, and a 503 (never the handler) when the store
//! cannot answer. Stores in `path_stores/`.
#![cfg(feature = "actix")]

#[path = "path_stores/mod.rs"]
mod path_stores;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use path_stores::{Awaited, DownNow};
use sealed_session::actix::{SessionHandle, Sessions};
use sealed_session::revocation::{AnyStore, MemoryStore, Revocation, RevocationStore};
use sealed_session::{Key, KeyRing, Sealer, Session};
use std::sync::Arc;
use std::sync::atomic::Ordering;

fn sealer() -> Sealer {
    let key = Key::from_bytes(sealed_session::Algorithm::XChaCha20Poly1305, 1, &[1; 32]);
    Sealer::builder(KeyRing::new(key)).build().unwrap()
}

fn sessions<S: RevocationStore + 'static>(store: S) -> Sessions<S> {
    Sessions::new(Revocation::new(sealer(), store).unwrap())
}

fn routes<S: RevocationStore + Clone + 'static>(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/login",
        web::get().to(|s: SessionHandle<String, S>| async move {
            s.login("cart".to_string(), Some("alice"))
                .await
                .map(|()| "in")
        }),
    )
    .route(
        "/me",
        web::get().to(|s: SessionHandle<String, S>| async move {
            s.read(|s| s.map(|s| s.data().clone())).unwrap_or_default()
        }),
    )
    .route(
        "/add",
        web::get().to(|s: SessionHandle<String, S>| async move {
            match s.update(|s| s.data_mut().push('+')) {
                Some(()) => HttpResponse::Ok().finish(),
                None => HttpResponse::Unauthorized().finish(),
            }
        }),
    )
    .route(
        "/logout",
        web::get()
            .to(|s: SessionHandle<String, S>| async move { s.logout().await.map(|()| "out") }),
    );
}

/// One answer: status, body, the `Set-Cookie` lines and two headers.
struct Reply {
    status: StatusCode,
    body: String,
    set_cookies: Vec<String>,
    cache_control: String,
    vary: String,
}

impl Reply {
    /// The session cookie it set, as a `Cookie` header value.
    fn cookie(&self) -> String {
        let line = self
            .set_cookies
            .iter()
            .find(|l| !l.contains("Max-Age=0"))
            .expect("a session cookie");
        line.split(';').next().unwrap().to_owned()
    }

    fn removals(&self) -> Vec<&str> {
        self.set_cookies
            .iter()
            .filter(|l| l.contains("Max-Age=0"))
            .map(|l| l.split('=').next().unwrap())
            .collect()
    }
}

async fn send<A, B>(app: &A, path: &str, cookie: Option<&str>) -> Reply
where
    A: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: actix_web::body::MessageBody,
{
    let mut req = test::TestRequest::get().uri(path);
    if let Some(cookie) = cookie {
        req = req.insert_header(("cookie", cookie));
    }
    let res = test::call_service(app, req.to_request()).await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, cache_control, vary) = (res.status(), header("cache-control"), header("vary"));
    let set_cookies = res
        .headers()
        .get_all("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    Reply {
        status,
        body,
        set_cookies,
        cache_control,
        vary,
    }
}

/// Login, read, change, logout, replay through the middleware over `store`.
async fn walk<S: RevocationStore + Clone + 'static>(store: S) {
    let app = test::init_service(
        App::new()
            .wrap(sessions(store).middleware::<String>())
            .configure(routes::<S>),
    )
    .await;
    let login = send(&app, "/login", None).await;
    assert_eq!((login.status, login.body.as_str()), (StatusCode::OK, "in"));
    let cookie = login.cookie();
    assert!(cookie.starts_with("__Host-session="), "{cookie}");
    assert_eq!(login.cache_control, "no-store");

    let me = send(&app, "/me", Some(&cookie)).await;
    assert_eq!((me.status, me.body.as_str()), (StatusCode::OK, "cart"));
    assert!(me.set_cookies.is_empty());
    assert_eq!(me.vary, "Cookie");

    let add = send(&app, "/add", Some(&cookie)).await;
    assert_eq!(add.status, StatusCode::OK);
    let changed = add.cookie();
    assert_ne!(changed, cookie);
    assert_eq!(send(&app, "/me", Some(&changed)).await.body, "cart+");

    let out = send(&app, "/logout", Some(&changed)).await;
    assert_eq!((out.status, out.body.as_str()), (StatusCode::OK, "out"));
    assert_eq!(out.removals(), ["__Host-session"]);
    let replay = send(&app, "/me", Some(&changed)).await;
    assert_eq!((replay.status, replay.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(replay.removals(), ["__Host-session"]);
}

#[actix_web::test]
async fn an_in_memory_store_and_an_awaited_one_answer_alike() {
    walk(Arc::new(MemoryStore::new(100).unwrap())).await;
    walk(AnyStore::new(MemoryStore::new(100).unwrap())).await;
    let awaited = Awaited::new();
    walk(awaited.clone()).await;
    // The boxed path asked the store once per request that carried a
    // cookie (five), and the login once more for the subject's not-before.
    assert_eq!(awaited.statuses.load(Ordering::SeqCst), 6);
}

fn cookie_of(session: &str) -> String {
    let sealer = sealer();
    let value = sealer
        .seal_value(&Session::new(session.to_string()))
        .unwrap();
    format!("{}={value}", sealer.cookie_name())
}

#[actix_web::test]
async fn a_store_that_cannot_answer_is_503_on_both_paths_never_the_handler() {
    let awaited = Awaited::new();
    let app = test::init_service(
        App::new()
            .wrap(sessions(awaited.clone()).middleware::<String>())
            .configure(routes::<Awaited>),
    )
    .await;
    let cookie = send(&app, "/login", None).await.cookie();
    awaited.down.store(true, Ordering::SeqCst);
    let down = send(&app, "/add", Some(&cookie)).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(down.set_cookies.is_empty());

    // The fast path: the store answered at once that it cannot answer.
    let app = test::init_service(
        App::new()
            .wrap(sessions(DownNow).middleware::<String>())
            .configure(routes::<DownNow>),
    )
    .await;
    let down = send(&app, "/add", Some(&cookie_of("cart"))).await;
    assert_eq!(
        (down.status, down.body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "session store unavailable")
    );
    assert!(down.set_cookies.is_empty());
    // Without a cookie there is nothing to ask: the handler runs.
    assert_eq!(send(&app, "/me", None).await.status, StatusCode::OK);
}

/// The middleware's own service over `store`, around a handler that
/// answers 200 (the `App` around a middleware boxes its futures).
async fn middleware_service<S: RevocationStore + Clone + 'static>(
    store: S,
) -> impl Service<
    actix_web::dev::ServiceRequest,
    Response = ServiceResponse<impl actix_web::body::MessageBody>,
    Error = actix_web::Error,
    Future: core::fmt::Debug,
> {
    use actix_web::dev::Transform;
    let inner = actix_web::dev::fn_service(|req: actix_web::dev::ServiceRequest| async move {
        Ok::<_, actix_web::Error>(req.into_response(HttpResponse::Ok().finish()))
    });
    sessions(store)
        .middleware::<String>()
        .new_transform(inner)
        .await
        .unwrap()
}

/// The state a request's future starts in, through the middleware's
/// service itself.
async fn first_state<S: RevocationStore + Clone + 'static>(
    store: S,
    cookie: Option<&str>,
) -> String {
    let service = middleware_service(store).await;
    let mut req = test::TestRequest::get();
    if let Some(cookie) = cookie {
        req = req.insert_header(("cookie", cookie));
    }
    let future = service.call(req.to_srv_request());
    let state = format!("{future:?}");
    // And it answers: the handler's 200, or the middleware's own 503.
    let status = future.await.unwrap().status();
    format!("{state} {}", status.as_u16())
}

#[actix_web::test]
async fn only_an_awaited_store_puts_the_request_in_a_box() {
    let cookie = cookie_of("cart");
    let memory = Arc::new(MemoryStore::new(10).unwrap());
    let cases: [(Option<&str>, &str); 2] = [(Some(&cookie), "calling"), (None, "calling")];
    for (cookie, state) in cases {
        assert_eq!(
            first_state(memory.clone(), cookie).await,
            format!(r#"ResponseFuture {{ state: "{state}" }} 200"#)
        );
    }
    assert_eq!(
        first_state(Awaited::new(), Some(&cookie)).await,
        r#"ResponseFuture { state: "boxed" } 200"#
    );
    // Nothing to ask without a cookie, whatever the store.
    assert_eq!(
        first_state(Awaited::new(), None).await,
        r#"ResponseFuture { state: "calling" } 200"#
    );
    assert_eq!(
        first_state(DownNow, Some(&cookie)).await,
        r#"ResponseFuture { state: "answered" } 503"#
    );
}

/// Polled again after it answered (a caller's bug), the middleware's
/// future is pending: no second answer and no panic (the handler's
/// finished `async` future, or the boxed one, would panic if polled
/// again), from each of its three states.
#[actix_web::test]
async fn a_future_polled_after_its_answer_stays_pending() {
    async fn run<S: RevocationStore + Clone + 'static>(store: S, cookie: &str, status: u16) {
        let service = middleware_service(store).await;
        let req = test::TestRequest::get()
            .insert_header(("cookie", cookie))
            .to_srv_request();
        let mut future = Box::pin(service.call(req));
        let response = path_stores::answer_then_pending(future.as_mut()).unwrap();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(format!("{future:?}"), r#"ResponseFuture { state: "done" }"#);
    }
    let cookie = cookie_of("cart");
    run(Arc::new(MemoryStore::new(10).unwrap()), &cookie, 200).await;
    run(Awaited::new(), &cookie, 200).await;
    run(DownNow, &cookie, 503).await;
}
