//! The tower layer and the axum extractor, driven in-process through the
//! router (`oneshot`): when Set-Cookie is (not) emitted, rotation re-seals,
//! bad cookies are cleared, logouts revoke, sealing failures are 500, a
//! store that is down is 503 (fail-closed) or an unchecked session the
//! handle reports (fail-open). Look-alike and duplicate cookies:
//! tests/axum_cookie_names.rs; failed handlers: tests/axum_failures.rs;
//! cache headers: tests/axum_caching.rs.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, Store, key, sealer, send, sessions};
use http::StatusCode;
use sealed_session::axum::{SessionError, Sessions};
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::{Chunking, Error, KeyRing, Sealer, Session};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

fn app(sessions: &Sessions<Store>) -> Router {
    Router::new()
        .route("/read", get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }))
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("alice".into(), Some("user-1")).await.unwrap();
                "in"
            }),
        )
        .route(
            "/append",
            // Changes through the handle, returns something unrelated.
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/big",
            get(|s: Handle| async move {
                s.insert("x".repeat(4000));
                "big"
            }),
        )
        .route(
            "/small",
            get(|s: Handle| async move {
                s.insert("small".into());
                "small"
            }),
        )
        .route("/logout", get(|s: Handle| async move { s.logout().await.map(|_| "out").map_err(|e| e.to_string()) }))
        .route(
            "/everywhere",
            get(|s: Handle| async move { s.logout_everywhere().await.map(|_| "all out").map_err(|e| e.to_string()) }),
        )
        .route("/renew", get(|s: Handle| async move { s.renew_id().await.map(|_| "renewed").map_err(|e| e.to_string()) }))
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn nothing_is_emitted_without_a_session_or_a_change() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let app = app(&sessions(&store));
    let r = send(&app, "/read", None).await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "none"));
    assert!(r.set_cookies.is_empty());

    let login = send(&app, "/login", Some("other=1")).await;
    assert_eq!(login.set_cookies.len(), 1);
    let line = &login.set_cookies[0];
    assert!(line.starts_with("__Host-session="));
    assert!(line.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"));

    let cookie = format!("a=1; {}; b=2", login.cookie());
    let r = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(r.body, "alice");
    assert!(r.set_cookies.is_empty(), "unchanged: no Set-Cookie");
}

#[tokio::test]
async fn changes_through_the_handle_are_sealed_whatever_the_handler_returns() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let app = app(&sessions(&store));
    let cookie = send(&app, "/login", None).await.cookie();
    let r = send(&app, "/append", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.set_cookies.len(), 1);
    let r = send(&app, "/read", Some(&r.cookie())).await;
    assert_eq!(r.body, "alice!");
}

#[tokio::test]
async fn bad_cookies_are_no_session_and_cleared() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let s = sessions(&store);
    let app = app(&s);
    let good = send(&app, "/login", None).await.cookie();
    let (name, value) = good.split_once('=').unwrap();
    let mut bytes = value.as_bytes().to_vec();
    bytes[40] = if bytes[40] == b'A' { b'B' } else { b'A' };
    let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());

    let other_key = Sealer::builder(KeyRing::new(key(9))).build().unwrap();
    let unknown = format!(
        "{name}={}",
        other_key
            .seal_value(&Session::new("eve".to_string()))
            .unwrap()
    );

    let past = OffsetDateTime::now_utc() - Duration::days(30);
    let old_sealer = Sealer::builder(KeyRing::new(key(1)))
        .build_at(past)
        .unwrap();
    let expired = format!(
        "{name}={}",
        old_sealer
            .seal_value_at(&Session::new("old".to_string()), past)
            .unwrap()
    );

    for cookie in [
        tampered,
        unknown,
        expired,
        format!("{name}=garbage!"),
        format!("{name}.0=2.x"),
    ] {
        let r = send(&app, "/read", Some(&cookie)).await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (StatusCode::OK, "none"),
            "{cookie}"
        );
        assert_eq!(r.set_cookies.len(), 1, "{cookie}");
        assert!(r.set_cookies[0].contains("=; Max-Age=0; Path=/; Secure; HttpOnly"));
    }
}

#[tokio::test]
async fn rotation_reseals_old_cookies_under_the_new_key_once() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let s = sessions(&store);
    let app = app(&s);
    let before = send(&app, "/login", None).await.cookie();

    s.replace(
        Revocation::new(sealer(KeyRing::new(key(2)).with_key(key(1))), store.clone()).unwrap(),
    )
    .unwrap();
    let r = send(&app, "/read", Some(&before)).await;
    assert_eq!(r.body, "alice");
    assert_eq!(r.set_cookies.len(), 1, "re-sealed under the new primary");
    let after = r.cookie();
    let value = after.split_once('=').unwrap().1;
    assert_eq!(
        sealed_session::CookieHeader::decode(value)
            .unwrap()
            .key_id(),
        2
    );
    let r = send(&app, "/read", Some(&after)).await;
    assert!(r.set_cookies.is_empty());
}

#[tokio::test]
async fn an_idle_renewal_due_reseals() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let s = sessions(&store);
    let app = app(&s);
    let sealer = sealer(KeyRing::new(key(1)));
    let earlier = OffsetDateTime::now_utc() - Duration::minutes(45);
    let value = sealer
        .seal_value_at(&Session::new("idle".to_string()), earlier)
        .unwrap();
    let r = send(&app, "/read", Some(&format!("__Host-session={value}"))).await;
    assert_eq!(r.body, "idle");
    assert_eq!(r.set_cookies.len(), 1);
    let fresh = sealer
        .seal_value(&Session::new("idle".to_string()))
        .unwrap();
    let r = send(&app, "/read", Some(&format!("__Host-session={fresh}"))).await;
    assert!(r.set_cookies.is_empty());
}

#[tokio::test]
async fn logout_renew_and_logout_everywhere_revoke_through_the_handle() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let s = sessions(&store);
    let app = app(&s);
    let cookie = send(&app, "/login", None).await.cookie();
    let out = send(&app, "/logout", Some(&cookie)).await;
    assert_eq!(out.body, "out");
    assert_eq!(out.removals(), ["__Host-session"]);
    // The old cookie, replayed: revoked, so no session, and cleared again.
    let replay = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(replay.body, "none");
    assert_eq!(replay.removals(), ["__Host-session"]);

    // Renew: a new cookie, the old one is dead.
    let cookie = send(&app, "/login", None).await.cookie();
    let renewed = send(&app, "/renew", Some(&cookie)).await;
    assert_eq!(
        send(&app, "/read", Some(&renewed.cookie())).await.body,
        "alice"
    );
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "none");

    // Log out everywhere: another device's earlier session of the subject.
    let sealer = s.current();
    let mut other = Session::new("phone".to_string());
    other.set_subject("user-1").unwrap();
    let earlier = OffsetDateTime::now_utc() - Duration::seconds(5);
    let phone = format!(
        "__Host-session={}",
        sealer.sealer().seal_value_at(&other, earlier).unwrap()
    );
    assert_eq!(send(&app, "/read", Some(&phone)).await.body, "phone");
    let laptop = send(&app, "/login", None).await.cookie();
    let r = send(&app, "/everywhere", Some(&laptop)).await;
    assert_eq!(r.removals(), ["__Host-session"]);
    assert_eq!(send(&app, "/read", Some(&phone)).await.body, "none");
    assert_eq!(send(&app, "/read", Some(&laptop)).await.body, "none");
    assert!(store.len() >= 3);
}

#[tokio::test]
async fn a_session_too_large_to_seal_is_a_500_with_the_typed_error() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let app = app(&sessions(&store));
    let cookie = send(&app, "/login", None).await.cookie();
    let r = send(&app, "/big", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(r.set_cookies.is_empty(), "the old cookie is left as it was");
    assert!(matches!(
        r.error,
        Some(SessionError(Error::TooLarge { .. }))
    ));
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "alice");
}

#[tokio::test]
async fn chunked_sessions_round_trip_and_shrink_back() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let s = sessions(&store).with_chunking(Chunking::new()).unwrap();
    let app = app(&s);
    let single = send(&app, "/login", None).await.cookie();
    let big = send(&app, "/big", Some(&single)).await;
    assert_eq!(big.status, StatusCode::OK);
    // Two chunks, and the plain cookie deleted.
    let names: Vec<&str> = big
        .set_cookies
        .iter()
        .map(|l| l.split('=').next().unwrap())
        .collect();
    assert_eq!(
        names,
        ["__Host-session.0", "__Host-session.1", "__Host-session"]
    );
    assert!(big.set_cookies.iter().all(|l| l.len() <= 4096));
    let chunks = big.cookie();
    assert_eq!(send(&app, "/read", Some(&chunks)).await.body.len(), 4000);

    let small = send(&app, "/small", Some(&chunks)).await;
    assert_eq!(small.removals(), ["__Host-session.0", "__Host-session.1"]);
    assert_eq!(
        send(&app, "/read", Some(&small.cookie())).await.body,
        "small"
    );

    // Without chunking, chunk cookies are no session and get cleared.
    let plain = app_without_chunking(&store);
    let r = send(&plain, "/read", Some(&chunks)).await;
    assert_eq!(r.body, "none");
    assert_eq!(r.removals(), ["__Host-session.0", "__Host-session.1"]);
}

fn app_without_chunking(store: &Store) -> Router {
    app(&sessions(store))
}

#[tokio::test]
async fn a_route_without_the_layer_rejects_the_extractor() {
    let app: Router = Router::new().route("/", get(|_: Handle| async { "unreachable" }));
    let r = send(&app, "/", None).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[cfg(feature = "redis")]
#[path = "redis_server/mod.rs"]
#[allow(dead_code)]
mod redis_server;

/// A router over a real Redis store with `policy`; `/read` answers the
/// session data and whether the store checked it.
#[cfg(feature = "redis")]
async fn redis_app(
    server: &redis_server::RedisServer,
    policy: sealed_session::revocation::FailurePolicy,
) -> (Router, String) {
    use sealed_session::revocation::RedisStore;
    let store = Arc::new(
        RedisStore::builder(server.url())
            .with_timeout(Duration::milliseconds(300))
            .connect()
            .await
            .unwrap(),
    );
    let revocation = Revocation::builder(sealer(KeyRing::new(key(1))), store)
        .with_failure_policy(policy)
        .build()
        .unwrap();
    let sessions = Sessions::new(revocation);
    let app = Router::new()
        .route(
            "/read",
            get(
                |s: sealed_session::axum::SessionHandle<String, Arc<RedisStore>>| async move {
                    let checked = if s.revocation_unchecked() {
                        "unchecked"
                    } else {
                        "checked"
                    };
                    format!("{} {checked}", s.get().unwrap_or_default())
                },
            ),
        )
        .layer(sessions.layer::<String>());
    let value = sessions
        .current()
        .sealer()
        .seal_value(&Session::new("r".to_string()))
        .unwrap();
    (app, format!("__Host-session={value}"))
}

/// A real Redis, killed: checks fail closed with 503 and the handler never
/// runs; with the server up, the same cookie works.
#[cfg(feature = "redis")]
#[tokio::test]
async fn a_store_that_is_down_answers_503_under_fail_closed() {
    use sealed_session::revocation::FailurePolicy;
    let mut server = redis_server::RedisServer::start();
    let (app, cookie) = redis_app(&server, FailurePolicy::Closed).await;
    let ok = send(&app, "/read", Some(&cookie)).await;
    assert_eq!((ok.status, ok.body.as_str()), (StatusCode::OK, "r checked"));
    server.kill();
    let down = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(down.set_cookies.is_empty(), "the cookie is not cleared");
    assert!(matches!(
        down.error,
        Some(SessionError(Error::RevocationUnavailable { .. }))
    ));
}

/// The same outage under fail-open: the handler runs with the session and
/// the handle says the store did not check it; the cookie is left alone.
#[cfg(feature = "redis")]
#[tokio::test]
async fn under_fail_open_the_handle_says_the_store_did_not_answer() {
    use sealed_session::revocation::FailurePolicy;
    let mut server = redis_server::RedisServer::start();
    let (app, cookie) = redis_app(&server, FailurePolicy::Open).await;
    let up = send(&app, "/read", Some(&cookie)).await;
    assert_eq!((up.status, up.body.as_str()), (StatusCode::OK, "r checked"));
    assert_eq!(send(&app, "/read", None).await.body, " checked");
    server.kill();
    let down = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(
        (down.status, down.body.as_str()),
        (StatusCode::OK, "r unchecked")
    );
    assert!(down.set_cookies.is_empty());
    assert_eq!(
        send(&app, "/read", None).await.body,
        " checked",
        "no session"
    );
}
