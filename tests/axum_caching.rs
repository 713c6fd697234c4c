//! Cache headers from the layer (in-process, through the router): a
//! response that sets our cookie is `Cache-Control: private`, or `no-store`
//! when it issues a new session id, merged with the handler's own; one
//! whose handler read the session varies on `Cookie`; a 304 never carries
//! our `Set-Cookie`.
#![cfg(feature = "axum")]

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, Store, cookie_for, key, sealer, send, sessions, store};
use http::StatusCode;
use http::header::{CACHE_CONTROL, VARY};
use sealed_session::KeyRing;
use sealed_session::axum::Sessions;
use sealed_session::revocation::Revocation;

fn app(sessions: &Sessions<Store>) -> Router {
    Router::new()
        .route("/read", get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }))
        .route("/static", get(|| async { "no session used" }))
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("alice".into(), None).await.unwrap();
                "in"
            }),
        )
        .route(
            "/append",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                "appended"
            }),
        )
        .route(
            "/renew",
            get(|s: Handle| async move {
                s.renew_id().await.unwrap();
                "renewed"
            }),
        )
        .route("/logout", get(|s: Handle| async move { s.logout().await.map(|_| "out").map_err(|e| e.to_string()) }))
        .route(
            "/append-public",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                ([(CACHE_CONTROL, "public, max-age=3600, s-maxage=60")], "cacheable?")
            }),
        )
        .route(
            "/login-public",
            get(|s: Handle| async move {
                s.login("alice".into(), None).await.unwrap();
                ([(CACHE_CONTROL, "public, max-age=60")], "in")
            }),
        )
        .route(
            "/append-no-store",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                ([(CACHE_CONTROL, "no-store, must-revalidate")], "strict")
            }),
        )
        .route(
            "/append-private",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                ([(CACHE_CONTROL, "private, max-age=60")], "private already")
            }),
        )
        .route(
            "/read-vary",
            get(|s: Handle| async move { ([(VARY, "Accept-Encoding")], s.get().unwrap_or_default()) }),
        )
        .route(
            "/two-lines",
            // Two lines of each header: the merge must leave exactly one.
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                (
                    axum::response::AppendHeaders([
                        (VARY, "Accept-Encoding"),
                        (VARY, "Origin"),
                        (CACHE_CONTROL, "public"),
                        (CACHE_CONTROL, "max-age=60"),
                    ]),
                    "two",
                )
            }),
        )
        .route(
            "/read-vary-any",
            get(|s: Handle| async move { ([(VARY, "*")], s.get().unwrap_or_default()) }),
        )
        .route(
            "/not-modified",
            // A conditional GET answered 304 after a change.
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                StatusCode::NOT_MODIFIED
            }),
        )
        .route(
            "/not-modified-read",
            get(|s: Handle| async move {
                let _ = s.get();
                StatusCode::NOT_MODIFIED
            }),
        )
        .layer(sessions.layer::<String>())
}

#[tokio::test]
async fn a_new_session_is_no_store_a_changed_one_private() {
    let store = store();
    let app = app(&sessions(&store));
    let login = send(&app, "/login", None).await;
    assert_eq!(login.set_cookies.len(), 1);
    assert_eq!(login.header("cache-control"), "no-store");
    assert_eq!(login.header("vary"), "Cookie");

    let cookie = login.cookie();
    let changed = send(&app, "/append", Some(&cookie)).await;
    assert_eq!(changed.set_cookies.len(), 1);
    assert_eq!(changed.header("cache-control"), "private");
    assert_eq!(changed.header("vary"), "Cookie");

    // A new id for the same session is a new session to caches.
    let renewed = send(&app, "/renew", Some(&changed.cookie())).await;
    assert_eq!(renewed.header("cache-control"), "no-store");

    let out = send(&app, "/logout", Some(&renewed.cookie())).await;
    assert_eq!(out.removals(), ["__Host-session"]);
    assert_eq!(out.header("cache-control"), "private");
}

#[tokio::test]
async fn reading_varies_on_cookie_and_not_touching_the_session_adds_nothing() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let cookie = cookie_for(&s, "alice");
    let read = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(read.body, "alice");
    assert!(read.set_cookies.is_empty());
    assert_eq!(read.header("vary"), "Cookie");
    assert!(read.headers.get(CACHE_CONTROL).is_none(), "no cookie set");
    // Without a session the answer still depends on the cookie.
    assert_eq!(send(&app, "/read", None).await.header("vary"), "Cookie");

    let untouched = send(&app, "/static", Some(&cookie)).await;
    assert!(untouched.headers.get(VARY).is_none());
    assert!(untouched.headers.get(CACHE_CONTROL).is_none());
}

#[tokio::test]
async fn a_reseal_or_removal_the_handler_did_not_ask_for_is_private() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let before = cookie_for(&s, "alice");
    s.replace(
        Revocation::new(sealer(KeyRing::new(key(2)).with_key(key(1))), store.clone()).unwrap(),
    )
    .unwrap();
    let resealed = send(&app, "/static", Some(&before)).await;
    assert_eq!(resealed.set_cookies.len(), 1, "rotation re-seal");
    assert_eq!(resealed.header("cache-control"), "private");
    assert_eq!(resealed.header("vary"), "Cookie");

    let cleared = send(&app, "/static", Some("__Host-session=garbage")).await;
    assert_eq!(cleared.removals(), ["__Host-session"]);
    assert_eq!(cleared.header("cache-control"), "private");
}

#[tokio::test]
async fn the_handlers_cache_control_is_merged_not_clobbered() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let cookie = cookie_for(&s, "alice");
    let r = send(&app, "/append-public", Some(&cookie)).await;
    assert_eq!(r.set_cookies.len(), 1);
    assert_eq!(r.header("cache-control"), "max-age=3600, private");
    let r = send(&app, "/login-public", Some(&cookie)).await;
    assert_eq!(r.header("cache-control"), "max-age=60, no-store");
    let r = send(&app, "/append-no-store", Some(&cookie)).await;
    assert_eq!(r.header("cache-control"), "no-store, must-revalidate");
    let r = send(&app, "/append-private", Some(&cookie)).await;
    assert_eq!(r.header("cache-control"), "private, max-age=60");
}

#[tokio::test]
async fn the_handlers_vary_is_merged() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let cookie = cookie_for(&s, "alice");
    let r = send(&app, "/read-vary", Some(&cookie)).await;
    assert_eq!(r.headers.get_all(VARY).iter().count(), 1);
    assert_eq!(r.header("vary"), "Accept-Encoding, Cookie");
    let r = send(&app, "/read-vary-any", Some(&cookie)).await;
    assert_eq!(r.header("vary"), "*");
    let r = send(&app, "/two-lines", Some(&cookie)).await;
    assert_eq!(r.set_cookies.len(), 1);
    assert_eq!(r.headers.get_all(VARY).iter().count(), 1);
    assert_eq!(r.header("vary"), "Accept-Encoding, Origin, Cookie");
    assert_eq!(r.headers.get_all(CACHE_CONTROL).iter().count(), 1);
    assert_eq!(r.header("cache-control"), "max-age=60, private");
}

#[tokio::test]
async fn a_304_never_carries_our_set_cookie() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let cookie = cookie_for(&s, "alice");
    let r = send(&app, "/not-modified", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);
    assert_eq!(r.header("vary"), "Cookie", "as the 200 would have");
    assert_eq!(send(&app, "/read", Some(&cookie)).await.body, "alice");

    // A re-seal due (rotation) waits for a response that is not a 304.
    s.replace(
        Revocation::new(sealer(KeyRing::new(key(2)).with_key(key(1))), store.clone()).unwrap(),
    )
    .unwrap();
    let r = send(&app, "/not-modified-read", Some(&cookie)).await;
    assert!(r.set_cookies.is_empty());
    let r = send(&app, "/read", Some(&cookie)).await;
    assert_eq!(r.set_cookies.len(), 1);
    // A bad cookie is not cleared on a 304 either.
    let r = send(&app, "/not-modified-read", Some("__Host-session=garbage")).await;
    assert!(r.set_cookies.is_empty());
}
