//! The short handle, `SessionHandle<T>` over `AnyStore`: one handler type
//! whatever store the app picks at startup, with the store's behaviour
//! intact behind it (a logout through a memory store is still refused on
//! replay; a stateless one is documented not to be).

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{key, sealer, send};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::revocation::{AnyStore, MemoryStore, Revocation, Stateless};
use sealed_session::{Error, KeyRing};

/// What a configuration switch would pick.
fn sessions(stateful: bool) -> Sessions {
    let store = if stateful {
        AnyStore::new(MemoryStore::new(100).unwrap())
    } else {
        AnyStore::new(Stateless)
    };
    Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store).unwrap())
}

async fn read(s: SessionHandle<String>) -> String {
    s.get().unwrap_or_else(|| "none".into())
}

async fn login(s: SessionHandle<String>) -> Result<&'static str, Error> {
    s.login("ann".into(), Some("u1")).await?;
    Ok("in")
}

async fn logout(s: SessionHandle<String>) -> Result<&'static str, Error> {
    s.logout().await?;
    Ok("out")
}

fn app(sessions: &Sessions) -> Router {
    Router::new()
        .route("/read", get(read))
        .route("/login", get(login))
        .route("/logout", get(logout))
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn one_handler_type_over_either_store_keeps_each_stores_rules() {
    for stateful in [true, false] {
        let app = app(&sessions(stateful));
        let cookie = send(&app, "/login", None).await.cookie();
        assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "ann");
        assert_eq!(send(&app, "/logout", Some(&cookie)).await.status, 200);
        let replay = send(&app, "/read", Some(&cookie)).await.body;
        let expected = if stateful { "none" } else { "ann" };
        assert_eq!(replay, expected, "stateful: {stateful}");
    }
}

#[tokio::test]
async fn sessions_any_erases_a_typed_revocation() {
    let typed =
        Revocation::new(sealer(KeyRing::new(key(1))), MemoryStore::new(10).unwrap()).unwrap();
    let sessions: Sessions = Sessions::any(typed);
    let app = app(&sessions);
    let cookie = send(&app, "/login", None).await.cookie();
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "ann");
}
