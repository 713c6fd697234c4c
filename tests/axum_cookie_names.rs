//! Planted cookies through the axum router (in-process): a look-alike name
//! beside the genuine cookie changes nothing (the genuine session is used,
//! no Set-Cookie deletes it); a duplicate of the `__Host-` name is no
//! session, reported in the response extensions, and never answered with a
//! removal; copies of an unprefixed name use the single one that opens.
#![cfg(feature = "axum")]

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, Store, cookie_for, key, send, sessions, store};
use sealed_session::axum::Sessions;
use sealed_session::http::CookieConflict;
use sealed_session::revocation::Revocation;
use sealed_session::{Chunking, KeyRing, Sealer};

/// The whitespace that Unicode-aware trimming strips and RFC 6265 does not.
const LOOKALIKE: &[char] = &[
    '\u{2000}', '\u{00A0}', '\u{3000}', '\u{0085}', '\u{1680}', '\u{205F}', '\u{2028}',
];

fn app(sessions: &Sessions<Store>) -> Router {
    Router::new()
        .route("/read", get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }))
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("new".into(), None).await.unwrap();
                "in"
            }),
        )
        .route("/logout", get(|s: Handle| async move { s.logout().await.map(|_| "out").map_err(|e| e.to_string()) }))
        .route(
            "/big",
            get(|s: Handle| async move {
                s.insert("b".repeat(4000));
                "big"
            }),
        )
        .layer(sessions.layer::<String>())
}

/// Sessions under the unprefixed name `sid`.
fn sid_sessions(store: &Store) -> Sessions<Store> {
    let sealer = Sealer::builder(KeyRing::new(key(1)))
        .with_cookie_name("sid")
        .build()
        .unwrap();
    Sessions::new(Revocation::new(sealer, store.clone()).unwrap())
}

#[tokio::test]
async fn a_look_alike_beside_the_genuine_cookie_changes_nothing() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let genuine = cookie_for(&s, "victim");
    let attacker = cookie_for(&s, "attacker");
    let attacker_value = attacker.split_once('=').unwrap().1;
    for c in LOOKALIKE {
        for planted in [
            format!("{c}__Host-session={attacker_value}"),
            format!("__Host-session{c}=garbage"),
            format!("__Host-{c}session={attacker_value}"),
        ] {
            for header in [
                format!("{planted}; {genuine}"),
                format!("{genuine}; {planted}"),
            ] {
                let r = send(&app, "/read", Some(&header)).await;
                assert_eq!(r.body, "victim", "{header:?}");
                assert!(r.set_cookies.is_empty(), "{header:?}: {:?}", r.set_cookies);
                assert_eq!(r.conflict, None);
            }
            // Alone it is no cookie of ours: no session, nothing to delete.
            let r = send(&app, "/read", Some(&planted)).await;
            assert_eq!(r.body, "none", "{planted:?}");
            assert!(r.set_cookies.is_empty(), "{planted:?}: {:?}", r.set_cookies);
        }
    }
}

#[tokio::test]
async fn a_duplicate_host_name_is_no_session_reported_and_never_deleted() {
    let store = store();
    let s = sessions(&store);
    let app = app(&s);
    let genuine = cookie_for(&s, "victim");
    for planted in [
        "__Host-session=garbage".to_string(),
        cookie_for(&s, "attacker"),
    ] {
        for header in [
            format!("{planted}; {genuine}"),
            format!("{genuine}; {planted}"),
        ] {
            let r = send(&app, "/read", Some(&header)).await;
            assert_eq!(r.body, "none", "{header}");
            assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);
            assert_eq!(r.conflict, Some(CookieConflict::DuplicatePrefixed));
            // A logout on such a request deletes nothing either.
            let r = send(&app, "/logout", Some(&header)).await;
            assert_eq!((r.body.as_str(), r.set_cookies.len()), ("out", 0));
            // A login writes the new cookie (overwriting the host-only
            // one) and deletes nothing.
            let r = send(&app, "/login", Some(&header)).await;
            assert_eq!(r.set_cookies.len(), 1);
            assert!(r.removals().is_empty());
            assert_eq!(send(&app, "/read", Some(&r.cookie())).await.body, "new");
        }
    }
    // The genuine cookie still opens on its own.
    assert_eq!(send(&app, "/read", Some(&genuine)).await.body, "victim");
}

#[tokio::test]
async fn a_duplicate_host_chunk_is_no_session_and_never_deleted() {
    let store = store();
    let s = sessions(&store).with_chunking(Chunking::new()).unwrap();
    let app = app(&s);
    let login = send(&app, "/login", None).await.cookie();
    let chunks = send(&app, "/big", Some(&login)).await.cookie();
    assert!(chunks.contains("__Host-session.1="));
    assert_eq!(send(&app, "/read", Some(&chunks)).await.body.len(), 4000);
    for header in [
        format!("__Host-session.1=planted; {chunks}"),
        format!("{chunks}; __Host-session.0=2.planted"),
    ] {
        let r = send(&app, "/read", Some(&header)).await;
        assert_eq!(r.body, "none");
        assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);
        assert_eq!(r.conflict, Some(CookieConflict::DuplicatePrefixed));
    }
}

#[tokio::test]
async fn copies_of_an_unprefixed_name_use_the_one_that_opens() {
    let store = store();
    let s = sid_sessions(&store);
    let app = app(&s);
    let genuine = cookie_for(&s, "victim");
    let attacker = cookie_for(&s, "attacker");
    for header in [
        format!("sid=garbage; {genuine}"),
        format!("{genuine}; sid=garbage"),
    ] {
        let r = send(&app, "/read", Some(&header)).await;
        assert_eq!(r.body, "victim", "{header}");
        assert!(r.set_cookies.is_empty(), "{:?}", r.set_cookies);
    }
    // The attacker's own valid session beside the victim's: neither wins,
    // and neither is deleted.
    for header in [
        format!("{attacker}; {genuine}"),
        format!("{genuine}; {attacker}"),
    ] {
        let r = send(&app, "/read", Some(&header)).await;
        assert_eq!(r.body, "none", "{header}");
        assert!(r.set_cookies.is_empty());
        assert_eq!(r.conflict, Some(CookieConflict::Ambiguous));
    }
    // Two copies and neither opens: no session, no removal (one bad copy
    // alone is deleted as before).
    let r = send(&app, "/read", Some("sid=a; sid=b")).await;
    assert_eq!((r.body.as_str(), r.set_cookies.len()), ("none", 0));
    assert_eq!(send(&app, "/read", Some("sid=a")).await.removals(), ["sid"]);
}
