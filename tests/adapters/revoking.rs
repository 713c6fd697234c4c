//! Logout, renewal and "log out everywhere" through the handle, and a
//! store that cannot answer.

use super::apps::{BOTH, key, sealer};
use super::redis_server::RedisServer;
use sealed_session::revocation::{FailurePolicy, RedisStore, Revocation};
use sealed_session::web::Sessions;
use sealed_session::{Error, KeyRing};
use std::sync::Arc;
use time::Duration;

#[actix_web::test]
async fn logout_renew_and_everywhere_revoke_through_the_handle() {
    for a in BOTH {
        let s = super::apps::sessions();
        let first = a.get(&s, "/login", "").await.cookie();
        let out = a.get(&s, "/logout", &first).await;
        assert_eq!((out.status, out.body.as_str()), (200, "out"), "{a:?}");
        assert_eq!(out.removals(), ["__Host-session"], "{a:?}");
        let replay = a.get(&s, "/read", &first).await;
        assert_eq!(replay.body, "none", "{a:?}: a logged-out cookie is refused");
        assert_eq!(replay.removals(), ["__Host-session"], "{a:?}");

        let before = a.get(&s, "/login", "").await.cookie();
        let renewed = a.get(&s, "/renew", &before).await;
        assert_eq!(renewed.header("cache-control"), "no-store", "{a:?}");
        assert_eq!(a.get(&s, "/read", &before).await.body, "none", "{a:?}");
        let current = renewed.cookie();
        assert_eq!(a.get(&s, "/read", &current).await.body, "alice", "{a:?}");

        // Two devices of user-1; one logs out everywhere.
        let phone = a.get(&s, "/login-bob", "").await.cookie();
        let all = a.get(&s, "/everywhere", &current).await;
        assert_eq!(all.body, "all out", "{a:?}");
        assert_eq!(a.get(&s, "/read", &phone).await.body, "none", "{a:?}");
        assert_eq!(a.get(&s, "/read", &current).await.body, "none", "{a:?}");
    }
}

async fn redis_sessions(server: &RedisServer, policy: FailurePolicy) -> Sessions {
    let store = RedisStore::builder(server.url())
        .with_timeout(Duration::milliseconds(300))
        .connect()
        .await
        .unwrap();
    let revocation = Revocation::builder(sealer(KeyRing::new(key(1))), Arc::new(store))
        .with_failure_policy(policy)
        .build()
        .unwrap();
    Sessions::any(revocation)
}

/// Two nodes (one per framework) over one real Redis: a logout through
/// either is refused by both; with Redis killed, both answer 503 before
/// the handler runs and clear nothing.
#[actix_web::test]
async fn over_a_shared_redis_a_logout_holds_everywhere_and_an_outage_is_503() {
    let mut server = RedisServer::start();
    let axum_node = redis_sessions(&server, FailurePolicy::Closed).await;
    let actix_node = redis_sessions(&server, FailurePolicy::Closed).await;
    let nodes = [(BOTH[0], &axum_node), (BOTH[1], &actix_node)];
    for (login_at, login_node) in nodes {
        let cookie = login_at.get(login_node, "/login", "").await.cookie();
        for (a, node) in nodes {
            assert_eq!(
                a.get(node, "/checked", &cookie).await.body,
                "alice checked",
                "{a:?}"
            );
        }
        assert_eq!(
            login_at.get(login_node, "/logout", &cookie).await.body,
            "out"
        );
        for (a, node) in nodes {
            assert_eq!(
                a.get(node, "/read", &cookie).await.body,
                "none",
                "{a:?} after a logout at {login_at:?}"
            );
        }
    }
    let cookie = BOTH[0].get(&axum_node, "/login", "").await.cookie();
    server.kill();
    for (a, node) in nodes {
        let down = a.get(node, "/read", &cookie).await;
        assert_eq!(
            (down.status, down.body.as_str()),
            (503, "session store unavailable"),
            "{a:?}: no handler ran"
        );
        assert!(
            down.set_cookies().is_empty(),
            "{a:?}: the cookie is not cleared"
        );
        assert!(
            matches!(
                down.error.map(|e| e.0),
                Some(Error::RevocationUnavailable { .. })
            ),
            "{a:?}"
        );
        // A logout that cannot be recorded is a failure, never a success.
        let out = a.get(node, "/logout", &cookie).await;
        assert_ne!(out.status, 200, "{a:?}");
    }
}

#[actix_web::test]
async fn under_fail_open_the_handle_says_the_store_did_not_answer() {
    let mut server = RedisServer::start();
    let s = redis_sessions(&server, FailurePolicy::Open).await;
    let cookie = BOTH[0].get(&s, "/login", "").await.cookie();
    server.kill();
    for a in BOTH {
        let down = a.get(&s, "/checked", &cookie).await;
        assert_eq!(
            (down.status, down.body.as_str()),
            (200, "alice unchecked"),
            "{a:?}"
        );
        assert!(down.set_cookies().is_empty(), "{a:?}");
    }
}
