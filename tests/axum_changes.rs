//! Changed-tracking: a handler that writes the session back as it was
//! sends no `Set-Cookie` (before, any `data_mut()` did, so every request
//! of such a handler re-sealed), while a real change always does.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, cookie_for, send, sessions, store};
use sealed_session::{Key, KeyRing, Sealer, Session};

fn app() -> (Router, String) {
    let store = store();
    let sessions = sessions(&store);
    let app = Router::new()
        .route(
            "/same",
            get(|s: Handle| async move {
                // Touches the data, ends where it started.
                s.update(|s| {
                    s.data_mut().push('!');
                    s.data_mut().pop();
                });
                "same"
            }),
        )
        .route(
            "/insert-same",
            get(|s: Handle| async move {
                let current = s.get().unwrap();
                s.insert(current);
                "same"
            }),
        )
        .route(
            "/change",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                "changed"
            }),
        )
        .route(
            "/change-back-later",
            get(|s: Handle| async move {
                s.update(|s| s.data_mut().push('!'));
                s.update(|s| {
                    s.data_mut().pop();
                });
                "changed twice"
            }),
        )
        .route(
            "/subject-empty",
            // No subject before, an empty one after: the subject's bytes are
            // the same (none), the session is not.
            get(|s: Handle| async move {
                s.update(|s| s.set_subject("").unwrap());
                "subject"
            }),
        )
        .route(
            "/subject-new",
            get(|s: Handle| async move {
                s.update(|s| s.set_subject("bob").unwrap());
                "subject"
            }),
        )
        .route(
            "/seal-inside",
            // A closure that seals another session itself: that seal takes a
            // buffer of its own, and the comparison still sees this one.
            get(|s: Handle| async move {
                s.update(|s| {
                    let other = other_sealer().seal_value(&Session::new("x".repeat(300)));
                    assert!(other.is_ok());
                    s.data_mut().push('!');
                    s.data_mut().pop();
                });
                "same"
            }),
        )
        .route(
            "/seal-inside-change",
            get(|s: Handle| async move {
                s.update(|s| {
                    let other = other_sealer().seal_value(&Session::new("x".repeat(300)));
                    assert!(other.is_ok());
                    s.data_mut().push('?');
                });
                "changed"
            }),
        )
        .route(
            "/get",
            get(|s: Handle| async move { s.get().unwrap_or_default() }),
        )
        .layer(sessions.layer::<String>());
    (app, cookie_for(&sessions, "cart"))
}

fn other_sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(9)))
        .build()
        .unwrap()
}

#[tokio::test]
async fn writing_the_same_data_back_sends_no_cookie() {
    let (app, cookie) = app();
    for path in ["/same", "/insert-same"] {
        let reply = send(&app, path, Some(&cookie)).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.set_cookies.is_empty(),
            "{path}: {:?}",
            reply.set_cookies
        );
    }
}

#[tokio::test]
async fn a_real_change_is_sealed_even_if_a_later_one_undoes_it() {
    let (app, cookie) = app();
    let changed = send(&app, "/change", Some(&cookie)).await;
    assert_eq!(changed.set_cookies.len(), 1, "{:?}", changed.set_cookies);
    let reread = send(&app, "/insert-same", Some(&changed.cookie())).await;
    assert!(reread.set_cookies.is_empty());
    // Once changed, the session stays changed for this request: it is
    // sealed (as it was), never dropped.
    let twice = send(&app, "/change-back-later", Some(&cookie)).await;
    assert_eq!(twice.set_cookies.len(), 1, "{:?}", twice.set_cookies);
}

#[tokio::test]
async fn a_new_subject_is_sealed_even_an_empty_one() {
    let (app, cookie) = app();
    for path in ["/subject-empty", "/subject-new"] {
        let reply = send(&app, path, Some(&cookie)).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.set_cookies.len(),
            1,
            "{path}: {:?}",
            reply.set_cookies
        );
    }
}

#[tokio::test]
async fn a_seal_inside_the_closure_does_not_upset_the_comparison() {
    let (app, cookie) = app();
    let same = send(&app, "/seal-inside", Some(&cookie)).await;
    assert_eq!(same.status, 200);
    assert!(same.set_cookies.is_empty(), "{:?}", same.set_cookies);
    let changed = send(&app, "/seal-inside-change", Some(&cookie)).await;
    assert_eq!(changed.set_cookies.len(), 1, "{:?}", changed.set_cookies);
    let read = send(&app, "/get", Some(&changed.cookie())).await;
    assert_eq!(read.body, "cart?");
}
