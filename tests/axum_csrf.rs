//! CSRF protection bound to the session: a token from the handle is
//! accepted by `CsrfForm` (form field or header) and `CsrfHeader`; a
//! missing, wrong, other-session or pre-login token is 403 before the
//! handler runs; a layer without a key is a 500, never an open door.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::body::Body;
use axum::routing::{get, post};
use axum_support::{Handle, Reply, send, send_request, sessions, store};
use http::header::{CONTENT_TYPE, COOKIE};
use http::{Request, StatusCode};
use sealed_session::CsrfKey;
use sealed_session::axum::{CsrfForm, CsrfHeader, CsrfRejection};

#[derive(serde::Deserialize)]
struct Comment {
    text: String,
}

fn app(csrf: bool) -> Router {
    let store = store();
    let mut sessions = sessions(&store);
    if csrf {
        sessions = sessions.with_csrf(CsrfKey::from_bytes([5; 32]));
    }
    Router::new()
        .route(
            "/form",
            get(|s: Handle| async move {
                if !s.is_present() {
                    s.insert(String::new());
                }
                s.csrf_token().unwrap_or_default()
            }),
        )
        .route(
            "/login",
            post(|s: Handle, CsrfForm(_): CsrfForm<Comment>| async move {
                s.login("ann".into(), Some("u1")).await?;
                Ok::<_, sealed_session::Error>(s.csrf_token().unwrap())
            }),
        )
        .route(
            "/comment",
            post(|CsrfForm(c): CsrfForm<Comment>| async move { c.text }),
        )
        .route("/api", post(|_: CsrfHeader| async { "done" }))
        .layer(sessions.layer::<String>())
}

async fn post_form(app: &Router, path: &str, cookie: Option<&str>, body: &str) -> Reply {
    let mut req = Request::post(path).header(CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        req = req.header(COOKIE, cookie);
    }
    send_request(app, req.body(Body::from(body.to_owned())).unwrap()).await
}

async fn post_header(app: &Router, cookie: &str, token: &str) -> Reply {
    let req = Request::post("/api")
        .header(COOKIE, cookie)
        .header("x-csrf-token", token);
    send_request(app, req.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn the_sessions_token_passes_and_nothing_else_does() {
    let app = app(true);
    let page = send(&app, "/form", None).await;
    let (cookie, token) = (page.cookie(), page.body.clone());
    assert_eq!(token.len(), sealed_session::CSRF_TOKEN_LEN);

    let ok = post_form(
        &app,
        "/comment",
        Some(&cookie),
        &format!("text=hi&csrf_token={token}"),
    )
    .await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "hi"));
    let header = post_header(&app, &cookie, &token).await;
    assert_eq!(header.status, StatusCode::OK);

    let forbidden = [
        post_form(&app, "/comment", Some(&cookie), "text=hi").await,
        post_form(&app, "/comment", Some(&cookie), "text=hi&csrf_token=").await,
        post_form(
            &app,
            "/comment",
            Some(&cookie),
            &format!("text=hi&csrf_token={}", "A".repeat(43)),
        )
        .await,
        post_form(
            &app,
            "/comment",
            None,
            &format!("text=hi&csrf_token={token}"),
        )
        .await,
        post_header(&app, &cookie, "wrong").await,
    ];
    for reply in &forbidden {
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    }
    // Another visitor's token does not pass with this cookie.
    let other = send(&app, "/form", None).await.body;
    assert_ne!(other, token);
    let stolen = post_form(
        &app,
        "/comment",
        Some(&cookie),
        &format!("text=hi&csrf_token={other}"),
    )
    .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_login_renews_the_token_with_the_id() {
    let app = app(true);
    let page = send(&app, "/form", None).await;
    let (anonymous, before) = (page.cookie(), page.body.clone());
    let login = post_form(
        &app,
        "/login",
        Some(&anonymous),
        &format!("text=x&csrf_token={before}"),
    )
    .await;
    assert_eq!(login.status, StatusCode::OK);
    let (cookie, after) = (login.cookie(), login.body.clone());
    assert_ne!(before, after);
    let old = post_form(
        &app,
        "/comment",
        Some(&cookie),
        &format!("text=hi&csrf_token={before}"),
    )
    .await;
    assert_eq!(
        old.status,
        StatusCode::FORBIDDEN,
        "the pre-login token is gone"
    );
    let new = post_form(
        &app,
        "/comment",
        Some(&cookie),
        &format!("text=hi&csrf_token={after}"),
    )
    .await;
    assert_eq!(new.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_key_the_extractors_fail_closed() {
    let app = app(false);
    let page = send(&app, "/form", None).await;
    assert_eq!(page.body, "", "no key: no token");
    let reply = post_form(
        &app,
        "/comment",
        Some(&page.cookie()),
        "text=hi&csrf_token=x",
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let _ = CsrfRejection::NotConfigured;
}

#[tokio::test]
async fn a_form_that_does_not_parse_is_400_after_the_token_check() {
    let app = app(true);
    let page = send(&app, "/form", None).await;
    let reply = post_form(
        &app,
        "/comment",
        Some(&page.cookie()),
        &format!("csrf_token={}", page.body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "text is missing");
}
