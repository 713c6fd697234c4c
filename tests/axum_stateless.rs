//! The store-less layer (`Sessions::stateless`): the same handle API with
//! no server state. A session opens whenever its cookie is authentic and
//! unexpired; a logout removes the cookie but records nothing (a replayed
//! copy still opens, as documented); "log out everywhere" fails with 500
//! instead of claiming success.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{key, sealer, send};
use http::StatusCode;
use sealed_session::axum::{SessionError, SessionHandle, Sessions};
use sealed_session::revocation::Stateless;
use sealed_session::{ConfigError, Error, KeyRing};

type Handle = SessionHandle<String, Stateless>;

fn app() -> Router {
    let sessions = Sessions::stateless(sealer(KeyRing::new(key(1)))).unwrap();
    Router::new()
        .route(
            "/read",
            get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }),
        )
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("ann".into(), Some("user-1")).await?;
                Ok::<_, Error>("in")
            }),
        )
        .route(
            "/logout",
            get(|s: Handle| async move {
                s.logout().await?;
                Ok::<_, Error>("out")
            }),
        )
        .route(
            "/everywhere",
            get(|s: Handle| async move {
                s.logout_everywhere().await?;
                Ok::<_, Error>("out everywhere")
            }),
        )
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn sessions_work_and_a_logout_only_removes_the_cookie() {
    let app = app();
    let login = send(&app, "/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    let cookie = login.cookie();
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "ann");
    let logout = send(&app, "/logout", Some(&cookie)).await;
    assert_eq!(logout.status, StatusCode::OK);
    assert_eq!(logout.removals(), ["__Host-session"]);
    // Stateless: the copy the browser deleted still opens elsewhere.
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "ann");
    // A forged one never does.
    assert_eq!(
        send(&app, "/read", Some("__Host-session=forged"))
            .await
            .body,
        "none"
    );
}

#[tokio::test]
async fn log_out_everywhere_needs_a_store_and_says_so() {
    let app = app();
    let cookie = send(&app, "/login", None).await.cookie();
    let reply = send(&app, "/everywhere", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        reply.error,
        Some(SessionError(Error::InvalidConfig(
            ConfigError::NoRevocationStore
        )))
    );
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
}
