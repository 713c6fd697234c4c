//! Key rotation in place (`Sessions::reload_keys`): the ring text every
//! node shares is reloaded into the running layer, the store untouched, so
//! a cookie logged out before the reload stays refused after it, cookies
//! under the previous key keep opening (re-sealed), and the failure policy
//! survives. Before, rotating meant a new `Revocation` (often with a fresh
//! store, which brought logged-out cookies back).

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, key, send, sessions, store};
use sealed_session::KeyRing;
use sealed_session::revocation::FailurePolicy;

fn app(sessions: &sealed_session::axum::Sessions<axum_support::Store>) -> Router {
    Router::new()
        .route(
            "/read",
            get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }),
        )
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("ann".into(), Some("user-1")).await?;
                Ok::<_, sealed_session::Error>("in")
            }),
        )
        .route(
            "/logout",
            get(|s: Handle| async move {
                s.logout().await?;
                Ok::<_, sealed_session::Error>("out")
            }),
        )
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn a_reload_keeps_logouts_and_old_keys_and_the_policy() {
    let store = store();
    let sessions = sessions(&store);
    let app = app(&sessions);
    let stolen = send(&app, "/login", None).await.cookie();
    assert_eq!(send(&app, "/logout", Some(&stolen)).await.status, 200);
    let live = send(&app, "/login", None).await.cookie();

    // The shared ring text now: a new primary, the old key kept.
    let text = KeyRing::new(key(2)).with_key(key(1)).to_text();
    sessions
        .reload_keys(KeyRing::from_text(&text).unwrap())
        .unwrap();
    assert_eq!(
        sessions
            .current()
            .sealer()
            .key_ring()
            .unwrap()
            .primary()
            .id(),
        2
    );
    assert_eq!(sessions.current().failure_policy(), FailurePolicy::Closed);

    assert_eq!(
        send(&app, "/read", Some(&stolen)).await.body,
        "none",
        "still logged out"
    );
    let reread = send(&app, "/read", Some(&live)).await;
    assert_eq!(reread.body, "ann");
    assert_eq!(reread.set_cookies.len(), 1, "re-sealed under key 2");
    // A ring the sealer refuses leaves the running one in place.
    let twice = KeyRing::new(key(3)).with_key(key(3));
    assert!(sessions.reload_keys(twice).is_err());
    assert_eq!(
        sessions
            .current()
            .sealer()
            .key_ring()
            .unwrap()
            .primary()
            .id(),
        2
    );
}
