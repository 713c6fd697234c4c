//! The layer across a change of the session type: an authentic cookie it
//! cannot read is no session but is kept (never a removal), counted, and
//! reported as a `tracing` event and through the handle; a migrated one is
//! re-sealed in the new schema; an old node with a staged schema leaves a
//! newer cookie alone.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::events::Events;
use axum_support::{Store, key, send, store};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::revocation::Revocation;
use sealed_session::{Error, KeyRing, Sealer, Session, SessionData};
use serde::{Deserialize, Serialize};

mod v1 {
    use super::*;
    #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
    pub struct User {
        pub name: String,
    }
}

mod v2 {
    use super::*;
    #[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
    pub struct User {
        pub name: String,
        pub visits: u32,
    }
}

fn sessions(sealer: Sealer, store: &Store) -> Sessions<Store> {
    Sessions::new(Revocation::new(sealer, store.clone()).unwrap())
}

fn plain() -> Sealer {
    Sealer::builder(KeyRing::new(key(1))).build().unwrap()
}

fn migrating() -> Sealer {
    Sealer::builder(KeyRing::new(key(1)))
        .with_migration(|u: v1::User| v2::User {
            name: u.name,
            visits: 0,
        })
        .build()
        .unwrap()
}

/// `/read` answers the user's name, or why there is none.
fn app<T: SessionData + Clone + Send + Sync + core::fmt::Debug>(
    sessions: &Sessions<Store>,
) -> Router {
    Router::new()
        .route(
            "/read",
            get(|s: SessionHandle<T, Store>| async move {
                match (s.get(), s.unreadable()) {
                    (Some(user), _) => format!("{user:?}"),
                    (None, Some(Error::SchemaMismatch { .. })) => "mismatch".into(),
                    (None, other) => format!("none {other:?}"),
                }
            }),
        )
        .layer(sessions.layer::<T>())
}

fn v1_cookie() -> String {
    let value = plain()
        .seal_value(&Session::new(v1::User { name: "ann".into() }))
        .unwrap();
    format!("__Host-session={value}")
}

#[test]
fn an_unreadable_cookie_is_no_session_kept_counted_and_reported() {
    let events = Events::default();
    let store = store();
    let sessions = sessions(plain(), &store);
    let app = app::<v2::User>(&sessions);
    let cookie = v1_cookie();
    let reply = events.capture(send(&app, "/read", Some(&cookie)));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, "mismatch");
    assert!(
        reply.set_cookies.is_empty(),
        "kept: {:?}",
        reply.set_cookies
    );
    assert_eq!(sessions.unreadable_sessions(), 1);
    let events = events.lines();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].starts_with("WARN sealed_session "), "{events:?}");
    assert!(
        events[0].contains("reason=session cookie has schema 0x"),
        "{events:?}"
    );
    // Reasons only: nothing of the cookie or the session's data.
    assert!(!events[0].contains("ann"), "{events:?}");
    assert!(!events[0].contains(&cookie[15..40]), "{events:?}");
}

#[test]
fn a_migrated_cookie_is_resealed_in_the_new_schema_once() {
    let store = store();
    let sessions = sessions(migrating(), &store);
    let app = app::<v2::User>(&sessions);
    let events = Events::default();
    let reply = events.capture(send(&app, "/read", Some(&v1_cookie())));
    let lines = events.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("session read from another schema")
                && l.contains("by=\"migration\"")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("why=\"older schema or other codec\"")),
        "{lines:?}"
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(reply.body, r#"User { name: "ann", visits: 0 }"#);
        let resealed = reply.cookie();
        assert!(!resealed.is_empty(), "the migrated session moves to v2");
        let again = send(&app, "/read", Some(&resealed)).await;
        assert_eq!(again.body, reply.body);
        assert!(again.set_cookies.is_empty(), "{:?}", again.set_cookies);
        assert_eq!(sessions.unreadable_sessions(), 0);
    });
}

#[tokio::test]
async fn an_old_node_with_the_staged_schema_leaves_a_newer_cookie_alone() {
    let store = store();
    let new_node = sessions(migrating(), &store);
    let old_node = sessions(
        Sealer::builder(KeyRing::new(key(1)))
            .with_staged_schema(|u: v2::User| v1::User { name: u.name })
            .build()
            .unwrap(),
        &store,
    );
    let value = new_node
        .current()
        .sealer()
        .seal_value(&Session::new(v2::User {
            name: "bob".into(),
            visits: 9,
        }))
        .unwrap();
    let cookie = format!("__Host-session={value}");
    let reply = send(&app::<v1::User>(&old_node), "/read", Some(&cookie)).await;
    assert_eq!(reply.body, r#"User { name: "bob" }"#);
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
    // And the new node still reads it in full.
    let reply = send(&app::<v2::User>(&new_node), "/read", Some(&cookie)).await;
    assert_eq!(reply.body, r#"User { name: "bob", visits: 9 }"#);
}

#[tokio::test]
async fn a_forged_or_expired_cookie_is_still_cleared() {
    let store = store();
    let sessions = sessions(plain(), &store);
    let reply = send(
        &app::<v2::User>(&sessions),
        "/read",
        Some("__Host-session=forged"),
    )
    .await;
    assert_eq!(reply.removals(), ["__Host-session"]);
    assert_eq!(sessions.unreadable_sessions(), 0);
}
