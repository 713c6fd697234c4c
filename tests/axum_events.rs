//! The layer's `tracing` events (feature `tracing`): each rejection with
//! its reason, conflicts, seals with why, removals; never a cookie value,
//! key bytes or session data.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::events::Events;
use axum_support::{Handle, Store, cookie_for, key, send, sessions, store};
use sealed_session::KeyRing;
use sealed_session::axum::SessionHandle;
use sealed_session::revocation::Revocation;

fn app(sessions: &sealed_session::axum::Sessions<axum_support::Store>) -> Router {
    Router::new()
        .route(
            "/read",
            get(|s: Handle| async move { s.get().unwrap_or_default() }),
        )
        .route(
            "/login",
            get(|s: Handle| async move {
                s.login("secret-cart".into(), Some("user-7")).await?;
                Ok::<_, sealed_session::Error>("in")
            }),
        )
        .layer(sessions.layer::<String>())
}

fn assert_clean(lines: &[String], cookie: &str) {
    for line in lines {
        assert!(
            line.starts_with("DEBUG sealed_session ") || line.starts_with("WARN sealed_session "),
            "{line}"
        );
        assert!(
            !line.contains("secret-cart") && !line.contains("user-7"),
            "{line}"
        );
        let value = cookie.split_once('=').map_or("", |(_, v)| v);
        assert!(value.len() < 20 || !line.contains(&value[..20]), "{line}");
    }
}

#[test]
fn every_rejection_and_seal_is_an_event_with_its_reason_and_nothing_else() {
    let store = store();
    let sessions = sessions(&store);
    let app = app(&sessions);
    let events = Events::default();

    let forged = "__Host-session=AAAAforged";
    events.capture(send(&app, "/read", Some(forged)));
    let lines = events.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].contains("session cookie rejected")
            && lines[0].contains("reason=malformed session cookie"),
        "{lines:?}"
    );
    assert!(
        lines[1].contains("kind=\"removed\"") && lines[1].contains("why=\"cookie did not open\""),
        "{lines:?}"
    );

    let events = Events::default();
    let login = events.capture(send(&app, "/login", None));
    let lines = events.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("kind=\"new\""), "{lines:?}");
    assert_clean(&lines, &login.cookie());

    // Rotation: the old key's cookie is re-sealed, and says why.
    let cookie = cookie_for(&sessions, "secret-cart");
    let rotated = KeyRing::new(key(2)).with_key(key(1));
    sessions
        .replace(Revocation::new(axum_support::sealer(rotated), store.clone()).unwrap())
        .unwrap();
    let events = Events::default();
    events.capture(send(&app, "/read", Some(&cookie)));
    let lines = events.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("kind=\"resealed\"") && lines[0].contains("why=\"non-primary key\""),
        "{lines:?}"
    );
    assert_clean(&lines, &cookie);

    // A planted duplicate of a __Host- name: a warning, nothing removed.
    let events = Events::default();
    let both = format!("{cookie}; {cookie}");
    let reply = events.capture(send(&app, "/read", Some(&both)));
    assert!(reply.set_cookies.is_empty());
    let lines = events.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("WARN") && lines[0].contains("conflicting session cookies"),
        "{lines:?}"
    );
    assert_clean(&lines, &cookie);
}

#[test]
fn a_logged_out_cookie_is_a_rejection_with_the_revocation_reason() {
    let store = store();
    let sessions = sessions(&store);
    let app = app(&sessions);
    let events = Events::default();
    let cookie = cookie_for(&sessions, "secret-cart");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let revocation = sessions.current();
    let opened = revocation
        .sealer()
        .open::<String>(cookie.split_once('=').unwrap().1)
        .unwrap();
    runtime.block_on(async {
        let checked = revocation.check(opened).await.unwrap();
        revocation.logout(&checked).await.unwrap();
    });
    drop(runtime);
    events.capture(send(&app, "/read", Some(&cookie)));
    let lines = events.lines();
    assert!(lines[0].contains("reason=session revoked"), "{lines:?}");
}

#[test]
fn a_handle_of_another_type_is_told_twice_the_second_time_naming_the_layer() {
    let store = store();
    let sessions = sessions(&store);
    let app = Router::new()
        .route(
            "/wrong-type",
            get(|_: SessionHandle<u32, Store>| async { "unreachable" }),
        )
        .layer(sessions.layer::<String>())
        .route("/late", get(|_: Handle| async { "unreachable" }));
    let events = Events::default();
    let reply = events.capture(send(&app, "/wrong-type", None));
    assert_eq!(reply.status, 500);
    let lines = events.lines();
    assert_eq!(lines.len(), 2, "{lines:?}");
    // The extractor knows only what it wanted; the layer adds what it is.
    assert!(
        lines[0].starts_with("ERROR")
            && lines[0].contains("no session layer for SessionHandle<u32,")
            && lines[0].contains("the route has no session layer for these types"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("ERROR")
            && lines[1].contains("the route's layer is for SessionHandle<alloc::string::String,"),
        "{lines:?}"
    );

    // No layer on the way out: the one event, and nothing fills it in.
    let late = Events::default();
    let reply = late.capture(send(&app, "/late", None));
    assert_eq!(reply.status, 500);
    let lines = late.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("the route has no session layer"),
        "{lines:?}"
    );
}
