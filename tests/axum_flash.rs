//! Flash messages: queued by one request, shown once by the next (the
//! response removes them), carried in the `<name>-flash` companion cookie,
//! which neither opens as the session nor lets a session open as a flash.

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, cookie_for, send, sessions, store};

fn flash_app(flash: bool) -> (Router, String) {
    let store = store();
    let mut sessions = sessions(&store);
    if flash {
        sessions = sessions.with_flash().unwrap();
    }
    let app = Router::new()
        .route(
            "/save",
            get(|s: Handle| async move {
                let queued = s.flash("Saved.");
                if queued { "queued" } else { "dropped" }
            }),
        )
        .route(
            "/many",
            get(|s: Handle| async move {
                for i in 0..20 {
                    s.flash(format!("{i}:{}", "é".repeat(150)));
                }
                "many"
            }),
        )
        .route(
            "/show",
            get(|s: Handle| async move { s.take_flash().join("|") }),
        )
        .route("/ignore", get(|_: Handle| async { "ignored" }))
        .route(
            "/read",
            get(|s: Handle| async move { s.get().unwrap_or_else(|| "none".into()) }),
        )
        .layer(sessions.layer::<String>());
    (app, cookie_for(&sessions, "cart"))
}

fn flash_cookie(reply: &axum_support::Reply) -> String {
    reply
        .set_cookies
        .iter()
        .find(|l| l.starts_with("__Host-session-flash=") && !l.contains("Max-Age=0"))
        .map(|l| l.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no flash cookie in {:?}", reply.set_cookies))
}

#[tokio::test]
async fn a_flash_is_shown_once_by_the_next_request_without_a_session() {
    let (app, _) = flash_app(true);
    let saved = send(&app, "/save", None).await;
    assert_eq!(saved.body, "queued");
    let flash = flash_cookie(&saved);
    assert!(flash_cookie(&saved).len() < 200);
    assert!(
        saved
            .set_cookies
            .iter()
            .all(|l| !l.starts_with("__Host-session=")),
        "no session made"
    );

    // A request that does not read it leaves it alone.
    let ignored = send(&app, "/ignore", Some(&flash)).await;
    assert!(ignored.set_cookies.is_empty(), "{:?}", ignored.set_cookies);
    let shown = send(&app, "/show", Some(&flash)).await;
    assert_eq!(shown.body, "Saved.");
    assert_eq!(shown.removals(), ["__Host-session-flash"]);
    assert_eq!(send(&app, "/show", None).await.body, "");
}

#[tokio::test]
async fn flash_and_session_cookies_never_open_as_each_other() {
    let (app, session) = flash_app(true);
    let flash = flash_cookie(&send(&app, "/save", None).await);
    let flash_value = flash.split_once('=').unwrap().1;
    let as_session = send(
        &app,
        "/read",
        Some(&format!("__Host-session={flash_value}")),
    )
    .await;
    assert_eq!(as_session.body, "none");
    let session_value = session.split_once('=').unwrap().1;
    let as_flash = send(
        &app,
        "/show",
        Some(&format!("__Host-session-flash={session_value}")),
    )
    .await;
    assert_eq!(as_flash.body, "", "a session is no flash");
    assert_eq!(
        as_flash.removals(),
        ["__Host-session-flash"],
        "and is removed"
    );
}

#[tokio::test]
async fn flashes_are_bounded_and_off_by_default() {
    let (app, _) = flash_app(true);
    let many = send(&app, "/many", None).await;
    let shown = send(&app, "/show", Some(&flash_cookie(&many))).await.body;
    let messages: Vec<&str> = shown.split('|').collect();
    // 20 messages of 200 bytes (each cut from 302): the newest 10 fit 2 KB.
    assert_eq!(messages.len(), 10, "the oldest dropped");
    assert!(messages[0].starts_with("10:"), "{}", messages[0]);
    assert!(messages.iter().all(|m| m.len() <= 200));

    let (plain, _) = flash_app(false);
    let reply = send(&plain, "/save", None).await;
    assert_eq!(reply.body, "dropped");
    assert!(reply.set_cookies.is_empty());
}

/// The flash cookie follows the session's keys, epoch keys included.
#[cfg(feature = "epoch")]
#[tokio::test]
async fn flashes_work_over_epoch_keys() {
    use sealed_session::revocation::Revocation;
    use sealed_session::{EpochKeys, Sealer};
    let keys = EpochKeys::new(&[9; 32], "app", time::Duration::days(1)).unwrap();
    let sealer = Sealer::epoch_builder(keys).build().unwrap();
    let sessions = sealed_session::axum::Sessions::new(Revocation::new(sealer, store()).unwrap())
        .with_flash()
        .unwrap();
    let app = Router::new()
        .route(
            "/save",
            get(|s: Handle| async move { s.flash("hi").to_string() }),
        )
        .route(
            "/show",
            get(|s: Handle| async move { s.take_flash().join("|") }),
        )
        .layer(sessions.layer::<String>());
    let flash = flash_cookie(&send(&app, "/save", None).await);
    assert_eq!(send(&app, "/show", Some(&flash)).await.body, "hi");
}

/// Two copies of the (prefixed) flash cookie, as a sibling host could plant:
/// neither is shown and nothing is removed.
#[tokio::test]
async fn a_duplicated_flash_cookie_is_neither_shown_nor_removed() {
    let (app, _) = flash_app(true);
    let flash = flash_cookie(&send(&app, "/save", None).await);
    let reply = send(&app, "/show", Some(&format!("{flash}; {flash}"))).await;
    assert_eq!(reply.body, "");
    assert!(reply.set_cookies.is_empty(), "{:?}", reply.set_cookies);
}
