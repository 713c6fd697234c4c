//! The extractors: `Option<SessionHandle>` (None without a session),
//! `RequiredSession` (401 without one), and a missing or mismatched layer
//! reported with the type names (500), never as "no session".

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, Store, cookie_for, send, send_request, sessions, store};
use http::StatusCode;
use sealed_session::axum::{MissingSessionLayer, RequiredSession, SessionHandle};
use sealed_session::revocation::MemoryStore;

fn app() -> (Router, String) {
    let store = store();
    let sessions = sessions(&store);
    let app = Router::new()
        .route(
            "/optional",
            get(|s: Option<Handle>| async move {
                s.map_or("none".into(), |s| s.get().unwrap())
            }),
        )
        .route(
            "/required",
            get(|RequiredSession(s): RequiredSession<String, Store>| async move { s.get().unwrap() }),
        )
        .route(
            "/wrong-store",
            get(|_: SessionHandle<String, MemoryStore>| async { "unreachable" }),
        )
        .route(
            "/wrong-type",
            get(|_: SessionHandle<u32, Store>| async { "unreachable" }),
        )
        .route(
            "/required-wrong-type",
            get(|_: RequiredSession<u32, Store>| async { "unreachable" }),
        )
        .layer(sessions.layer::<String>())
        // Added after the layer: not under it.
        .route("/late", get(|_: Option<Handle>| async { "unreachable" }));
    (app, cookie_for(&sessions, "ann"))
}

#[tokio::test]
async fn option_and_required_follow_whether_a_session_is_there() {
    let (app, cookie) = app();
    assert_eq!(send(&app, "/optional", None).await.body, "none");
    assert_eq!(
        send(&app, "/optional", Some("__Host-session=forged"))
            .await
            .body,
        "none"
    );
    assert_eq!(send(&app, "/optional", Some(&cookie)).await.body, "ann");
    let refused = send(&app, "/required", None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let ok = send(&app, "/required", Some(&cookie)).await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "ann"));
}

async fn missing(app: &Router, path: &str) -> MissingSessionLayer {
    let req = http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR, "{path}");
    *res.extensions().get::<MissingSessionLayer>().unwrap()
}

#[tokio::test]
async fn a_mismatched_or_missing_layer_names_the_types() {
    let (app, _) = app();
    let store = missing(&app, "/wrong-store").await.to_string();
    assert!(
        store.contains(
            "SessionHandle<alloc::string::String, sealed_session::revocation::memory::MemoryStore>"
        ),
        "{store}"
    );
    assert!(store.contains("the route's layer is for SessionHandle<alloc::string::String, alloc::sync::Arc<sealed_session::revocation::memory::MemoryStore>>"), "{store}");
    let ty = missing(&app, "/wrong-type").await;
    assert!(ty.to_string().contains("SessionHandle<u32,"), "{ty}");
    assert_eq!(ty.found.map(|f| f.0), Some("alloc::string::String"));
    let required = missing(&app, "/required-wrong-type").await;
    assert_eq!(required.wanted.0, "u32");
    assert_eq!(required.found.map(|f| f.0), Some("alloc::string::String"));
    let late = missing(&app, "/late").await;
    assert_eq!(late.found, None);
    assert!(
        late.to_string().contains("the route has no session layer"),
        "{late}"
    );
    // The body says nothing of the types.
    let reply = send_request(
        &app,
        http::Request::get("/late")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.body, "session layer missing");
}

#[tokio::test]
async fn under_two_layers_the_innermost_is_named() {
    let store = store();
    let sessions = sessions(&store);
    let app = Router::new()
        .route(
            "/wrong-type",
            get(|_: SessionHandle<u32, Store>| async { "unreachable" }),
        )
        .layer(sessions.layer::<String>())
        .layer(sessions.layer::<u64>());
    let named = missing(&app, "/wrong-type").await;
    assert_eq!(named.found.map(|f| f.0), Some("alloc::string::String"));
}
