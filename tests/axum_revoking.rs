//! The handle's revoking side through the router (issue 13, items 2, 6, 7
//! and 11 as the layer sees them): a login right after "log out
//! everywhere" survives it, "log out everywhere else" keeps this device
//! only, a renewal that lost a race with a logout is refused, and a flood
//! of anonymous logouts does not stop a login.
#![cfg(feature = "axum")]

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, Store, send, sessions};
use sealed_session::Error;
use sealed_session::axum::Sessions;
use sealed_session::revocation::MemoryStore;
use std::sync::Arc;

fn app(sessions: &Sessions<Store>) -> Router {
    Router::new()
        .route("/me", get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }))
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("alice".into(), Some("alice")).await.map(|_| "in").map_err(|e| e.to_string())
            }),
        )
        .route(
            "/password",
            // The classic password change: log out every device, stay
            // signed in here by logging in again in the same request.
            get(|s: Handle| async move {
                s.logout_everywhere().await.map_err(|e| e.to_string())?;
                s.login("alice".into(), Some("alice")).await.map_err(|e| e.to_string())?;
                Ok::<_, String>("changed")
            }),
        )
        .route(
            "/elsewhere",
            get(|s: Handle| async move {
                s.logout_everywhere_else().await.map(|_| "kept").map_err(|e| e.to_string())
            }),
        )
        .route(
            "/renew",
            get(|s: Handle| async move { s.renew_id().await.map(|_| "renewed").map_err(|e| e.to_string()) }),
        )
        .route("/logout", get(|s: Handle| async move { s.logout().await.map(|_| "out").map_err(|e| e.to_string()) }))
        .layer(sessions.layer::<String>())
}

async fn signed_in(app: &Router) -> String {
    let reply = send(app, "/login", None).await;
    assert_eq!(reply.body, "in");
    reply.cookie()
}

#[tokio::test]
async fn a_login_right_after_logout_everywhere_survives_it() {
    let store = axum_support::store();
    let app = app(&sessions(&store));
    let phone = signed_in(&app).await;
    let laptop = signed_in(&app).await;
    let reply = send(&app, "/password", Some(&laptop)).await;
    assert_eq!(reply.body, "changed");
    let renewed = reply.cookie();
    // The not-before lies a leeway ahead: the login in the same request is
    // stamped at it and opens; both old cookies are refused.
    assert_eq!(send(&app, "/me", Some(&renewed)).await.body, "alice");
    assert_eq!(send(&app, "/me", Some(&phone)).await.body, "none");
    assert_eq!(send(&app, "/me", Some(&laptop)).await.body, "none");
    // A login on another device right after is stamped too.
    let again = signed_in(&app).await;
    assert_eq!(send(&app, "/me", Some(&again)).await.body, "alice");
}

#[tokio::test]
async fn logout_everywhere_else_keeps_only_this_device() {
    let store = axum_support::store();
    let app = app(&sessions(&store));
    let phone = signed_in(&app).await;
    let laptop = signed_in(&app).await;
    let reply = send(&app, "/elsewhere", Some(&laptop)).await;
    assert_eq!(reply.body, "kept");
    let kept = reply.cookie();
    assert_ne!(kept, laptop, "a new id, so a new cookie");
    assert_eq!(send(&app, "/me", Some(&kept)).await.body, "alice");
    assert_eq!(send(&app, "/me", Some(&phone)).await.body, "none");
    assert_eq!(send(&app, "/me", Some(&laptop)).await.body, "none");
}

/// A renewal whose session was logged out while it ran gets an error, not
/// a fresh cookie. The race is reproduced by logging out first and then
/// renewing with a handle opened before the logout (the store, not the
/// check at the start of the request, decides).
#[tokio::test]
async fn a_renewal_after_a_logout_of_the_same_session_is_refused() {
    let store = axum_support::store();
    let sessions = sessions(&store);
    let app = app(&sessions);
    let cookie = signed_in(&app).await;
    let revocation = sessions.current();
    let value = cookie.split_once('=').unwrap().1;
    let mut renewing = revocation.open_checked::<String>(value).await.unwrap();
    assert_eq!(send(&app, "/logout", Some(&cookie)).await.body, "out");
    assert!(matches!(
        revocation.renew_id(&mut renewing).await,
        Err(Error::Revoked { .. })
    ));
    // And through the layer: the replayed cookie has no session to renew.
    let reply = send(&app, "/renew", Some(&cookie)).await;
    assert!(
        reply.cookie().is_empty(),
        "no new cookie for a logged-out session"
    );
}

#[tokio::test]
async fn a_flood_of_anonymous_logouts_does_not_stop_a_login() {
    // Room for 2 anonymous ids only.
    let store: Store = Arc::new(
        MemoryStore::builder(8)
            .with_anonymous_limit(2)
            .build()
            .unwrap(),
    );
    let sessions = sessions(&store);
    let app = app(&sessions);
    for _ in 0..5 {
        let anonymous = axum_support::cookie_for(&sessions, "visitor");
        send(&app, "/logout", Some(&anonymous)).await;
    }
    let visitor = axum_support::cookie_for(&sessions, "visitor");
    let reply = send(&app, "/login", Some(&visitor)).await;
    assert_eq!(reply.body, "in");
    assert_eq!(send(&app, "/me", Some(&reply.cookie())).await.body, "alice");
}

/// "Log out everywhere" sets its not-before at the clock of the call, not
/// at the start of its request: a login on another device while a slow
/// handler runs (say, a password hash) is stamped at its own request's
/// time and must fall under it, even with a leeway of zero (where the
/// not-before is no later than the call). With the request's start, that
/// login would survive the logout meant to end it.
#[tokio::test]
async fn logout_everywhere_covers_a_login_made_while_its_handler_ran() {
    use sealed_session::revocation::Revocation;
    use sealed_session::{KeyRing, Sealer};
    let sealer = Sealer::builder(KeyRing::new(axum_support::key(1)))
        .with_leeway(time::Duration::ZERO)
        .build()
        .unwrap();
    let sessions = Sessions::new(Revocation::new(sealer, axum_support::store()).unwrap());
    let app = app(&sessions).merge(
        Router::new()
            .route(
                "/slow-everywhere",
                get(|s: Handle| async move {
                    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
                    s.logout_everywhere()
                        .await
                        .map(|_| "out")
                        .map_err(|e| e.to_string())
                }),
            )
            .layer(sessions.layer::<String>()),
    );
    let laptop = signed_in(&app).await;
    let slow = {
        let app = app.clone();
        tokio::spawn(async move { send(&app, "/slow-everywhere", Some(&laptop)).await })
    };
    // At least one whole second after the slow request started, at least
    // one before its logout: the phone's session is issued in between.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let phone = signed_in(&app).await;
    assert_eq!(send(&app, "/me", Some(&phone)).await.body, "alice");
    assert_eq!(slow.await.unwrap().body, "out");
    assert_eq!(send(&app, "/me", Some(&phone)).await.body, "none");
}
