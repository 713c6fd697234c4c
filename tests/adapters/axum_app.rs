//! The table's routes as an axum router under `Sessions::layer`.

use super::apps::{Reply, Req};
use super::routes::{self, Comment, Handle};
use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::routing::{get, post};
use http::{HeaderValue, StatusCode};
use sealed_session::Error;
use sealed_session::axum::{CsrfForm, CsrfHeader, RequiredSession, SessionHandle};
use sealed_session::http::CookieConflict;
use sealed_session::revocation::AnyStore;
use sealed_session::web::{MissingSessionLayer, SessionError, Sessions};
use tower::ServiceExt;

pub fn app(sessions: &Sessions<AnyStore>) -> Router {
    Router::new()
        .route("/read", get(|s: Handle| async move { routes::read(&s) }))
        .route(
            "/checked",
            get(|s: Handle| async move { routes::checked(&s) }),
        )
        .route(
            "/login",
            get(|s: Handle| async move { routes::login(&s).await }),
        )
        .route(
            "/login-bob",
            get(|s: Handle| async move { routes::login_bob(&s).await }),
        )
        .route(
            "/append",
            get(|s: Handle| async move {
                routes::append(&s);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/fill/{n}",
            get(|s: Handle, Path(n): Path<usize>| async move {
                routes::fill(&s, n);
                "filled"
            }),
        )
        .route(
            "/logout",
            get(|s: Handle| async move { routes::logout(&s).await }),
        )
        .route(
            "/everywhere",
            get(|s: Handle| async move { routes::everywhere(&s).await }),
        )
        .route(
            "/renew",
            get(|s: Handle| async move { routes::renew(&s).await }),
        )
        .route(
            "/required",
            get(|RequiredSession(s): RequiredSession<String>| async move { routes::read(&s) }),
        )
        .route(
            "/optional",
            get(|s: Option<Handle>| async move {
                s.map_or("none".to_string(), |s| format!("some {}", routes::read(&s)))
            }),
        )
        .route(
            "/fail",
            get(|s: Handle| async move {
                routes::append(&s);
                (StatusCode::INTERNAL_SERVER_ERROR, "failed")
            }),
        )
        .route(
            "/not-modified",
            get(|s: Handle| async move {
                routes::append(&s);
                StatusCode::NOT_MODIFIED
            }),
        )
        .route(
            "/public",
            get(|s: Handle| async move {
                routes::append(&s);
                (
                    [
                        ("cache-control", "public, max-age=60"),
                        ("vary", "Accept-Encoding"),
                    ],
                    "ok",
                )
            }),
        )
        .route("/half", get(|s: Handle| async move { routes::half(&s) }))
        .route("/token", get(|s: Handle| async move { routes::token(&s) }))
        .route(
            "/form",
            post(|CsrfForm(c): CsrfForm<Comment>| async move { c.text }),
        )
        .route("/api", post(|_: CsrfHeader| async move { "ok" }))
        .route("/flash", get(|s: Handle| async move { routes::flash(&s) }))
        .route(
            "/take-flash",
            get(|s: Handle| async move { routes::take_flash(&s) }),
        )
        .route(
            "/wrong-type",
            get(|_: SessionHandle<u32>| async move { "unreachable" }),
        )
        .route("/error", get(|| async { Err::<(), _>(Error::Serialize) }))
        .layer(sessions.layer::<String>())
}

pub async fn send(sessions: &Sessions<AnyStore>, req: Req) -> Reply {
    let mut builder = http::Request::builder()
        .method(if req.post { "POST" } else { "GET" })
        .uri(&req.path);
    for (name, value) in &req.headers {
        builder = builder.header(name, HeaderValue::from_bytes(value.as_bytes()).unwrap());
    }
    let request = builder.body(Body::from(req.body)).unwrap();
    let res = app(sessions).oneshot(request).await.unwrap();
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let status = res.status().as_u16();
    let error = res.extensions().get::<SessionError>().cloned();
    let conflict = res.extensions().get::<CookieConflict>().copied();
    let missing = res.extensions().get::<MissingSessionLayer>().copied();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
        error,
        conflict,
        missing,
    }
}
