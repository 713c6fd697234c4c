//! End to end over real HTTP on loopback: an axum server with the session
//! layer, and reqwest with its cookie store as the client.
//!
//! reqwest's cookie store sends `Secure` cookies over https only, so these
//! servers use a plain name without `Secure`; the browser test
//! (scripts/browser-test.sh) covers the default `__Host-` attributes.

use axum::Router;
use axum::routing::get;
use reqwest::StatusCode;
use reqwest::cookie::{CookieStore, Jar};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::{Chunking, CookieAttributes, Key, KeyRing, Sealer};
use std::sync::Arc;
use std::time::Duration;

type Store = Arc<MemoryStore>;
type Handle = SessionHandle<String, Store>;

fn sealer(ring: KeyRing) -> Sealer {
    Sealer::builder(ring)
        .with_cookie_name("sid")
        .with_attributes(CookieAttributes::default().with_secure(false))
        .build()
        .unwrap()
}

fn key(id: u32) -> Key {
    Key::generate(id)
}

struct Server {
    base: String,
    sessions: Sessions<Store>,
    store: Store,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(chunking: Option<Chunking>) -> Server {
    let store: Store = Arc::new(MemoryStore::new(1000).unwrap());
    let mut sessions =
        Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store.clone()).unwrap());
    if let Some(chunking) = chunking {
        sessions = sessions.with_chunking(chunking).unwrap();
    }
    let app =
        Router::new()
            .route(
                "/me",
                get(|s: Handle| async move { s.get().unwrap_or_else(|| "anonymous".into()) }),
            )
            .route(
                "/login",
                get(|s: Handle| async move {
                    s.login("alice".into(), Some("alice"))
                        .await
                        .map(|_| "ok")
                        .map_err(|e| e.to_string())
                }),
            )
            .route(
                "/fill/{n}",
                get(
                    |s: Handle, axum::extract::Path(n): axum::extract::Path<usize>| async move {
                        s.insert("y".repeat(n));
                        "filled"
                    },
                ),
            )
            .route(
                "/logout",
                get(|s: Handle| async move {
                    s.logout().await.map(|_| "bye").map_err(|e| e.to_string())
                }),
            )
            .layer(sessions.layer::<String>());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Server {
        base,
        sessions,
        store,
        task,
    }
}

fn client(jar: &Arc<Jar>) -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn get_text(client: &reqwest::Client, url: &str) -> (StatusCode, Vec<String>, String) {
    let res = client.get(url).send().await.unwrap();
    let status = res.status();
    let set: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (status, set, res.text().await.unwrap())
}

/// The cookies the jar would send to `base`.
fn jar_cookies(jar: &Jar, base: &str) -> String {
    jar.cookies(&base.parse().unwrap())
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn login_use_logout_and_the_replayed_cookie_is_rejected() {
    let server = start(None).await;
    let jar = Arc::new(Jar::default());
    let c = client(&jar);
    let base = &server.base;
    assert_eq!(get_text(&c, &format!("{base}/me")).await.2, "anonymous");
    let (status, set, _) = get_text(&c, &format!("{base}/login")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set.len(), 1);
    let (_, set, body) = get_text(&c, &format!("{base}/me")).await;
    assert_eq!(body, "alice");
    assert!(set.is_empty(), "an unchanged session sends no Set-Cookie");

    let stolen = jar_cookies(&jar, base);
    assert!(stolen.starts_with("sid="));
    let (_, set, body) = get_text(&c, &format!("{base}/logout")).await;
    assert_eq!(body, "bye");
    assert!(set[0].starts_with("sid=; Max-Age=0"));
    assert_eq!(
        jar_cookies(&jar, base),
        "",
        "the browser-side jar dropped it"
    );
    assert_eq!(get_text(&c, &format!("{base}/me")).await.2, "anonymous");

    // A copy of the cookie taken before the logout, replayed.
    let replay = reqwest::Client::new()
        .get(format!("{base}/me"))
        .header("cookie", &stolen)
        .send()
        .await
        .unwrap();
    let cleared = replay
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(replay.text().await.unwrap(), "anonymous");
    assert!(cleared.unwrap().starts_with("sid=; Max-Age=0"));
    // The logged-out id and its subject's record (its quota count).
    assert_eq!(server.store.len(), 2);
}

#[tokio::test]
async fn rotation_mid_flight_keeps_users_signed_in_and_reseals_once() {
    let server = start(None).await;
    let jar = Arc::new(Jar::default());
    let c = client(&jar);
    let base = &server.base;
    get_text(&c, &format!("{base}/login")).await;
    let before = jar_cookies(&jar, base);

    let rotated = KeyRing::new(key(2)).with_key(
        server
            .sessions
            .current()
            .sealer()
            .key_ring()
            .unwrap()
            .primary()
            .clone(),
    );
    server
        .sessions
        .replace(Revocation::new(sealer(rotated), server.store.clone()).unwrap())
        .unwrap();
    let (_, set, body) = get_text(&c, &format!("{base}/me")).await;
    assert_eq!(body, "alice", "the old cookie still opens");
    assert_eq!(set.len(), 1, "and is re-sealed");
    let after = jar_cookies(&jar, base);
    assert_ne!(before, after);
    let value = after.strip_prefix("sid=").unwrap();
    assert_eq!(
        sealed_session::CookieHeader::decode(value)
            .unwrap()
            .key_id(),
        2
    );
    let (_, set, body) = get_text(&c, &format!("{base}/me")).await;
    assert_eq!((set.len(), body.as_str()), (0, "alice"));
}

#[tokio::test]
async fn a_tampered_cookie_is_no_session_and_cleared() {
    let server = start(None).await;
    let jar = Arc::new(Jar::default());
    let c = client(&jar);
    let base = &server.base;
    get_text(&c, &format!("{base}/login")).await;
    let value = jar_cookies(&jar, base)
        .strip_prefix("sid=")
        .unwrap()
        .to_owned();
    let mut bytes = value.into_bytes();
    bytes[30] = if bytes[30] == b'a' { b'b' } else { b'a' };
    let tampered = String::from_utf8(bytes).unwrap();
    jar.add_cookie_str(&format!("sid={tampered}; Path=/"), &base.parse().unwrap());
    let (status, set, body) = get_text(&c, &format!("{base}/me")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "anonymous"));
    assert!(set[0].starts_with("sid=; Max-Age=0"));
    assert_eq!(jar_cookies(&jar, base), "");
}

#[tokio::test]
async fn a_session_too_large_without_chunking_is_a_500_and_keeps_the_old_cookie() {
    let server = start(None).await;
    let jar = Arc::new(Jar::default());
    let c = client(&jar);
    let base = &server.base;
    get_text(&c, &format!("{base}/login")).await;
    let before = jar_cookies(&jar, base);
    let (status, set, _) = get_text(&c, &format!("{base}/fill/4000")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(set.is_empty());
    assert_eq!(jar_cookies(&jar, base), before);
    assert_eq!(get_text(&c, &format!("{base}/me")).await.2, "alice");
}

#[tokio::test]
async fn a_chunked_session_round_trips_and_shrinks_back_to_one_cookie() {
    let server = start(Some(Chunking::new().with_max_chunks(3))).await;
    let jar = Arc::new(Jar::default());
    let c = client(&jar);
    let base = &server.base;
    get_text(&c, &format!("{base}/login")).await;
    let (status, set, _) = get_text(&c, &format!("{base}/fill/4000")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        set.len(),
        3,
        "two chunks and the plain cookie's removal: {set:?}"
    );
    let sent = jar_cookies(&jar, base);
    let mut names: Vec<&str> = sent
        .split("; ")
        .map(|p| p.split('=').next().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["sid.0", "sid.1"]);
    let (_, set, body) = get_text(&c, &format!("{base}/me")).await;
    assert_eq!((set.len(), body.len()), (0, 4000));

    let (_, set, _) = get_text(&c, &format!("{base}/fill/10")).await;
    assert_eq!(set.len(), 3, "one cookie and two chunk removals: {set:?}");
    let sent = jar_cookies(&jar, base);
    assert!(sent.starts_with("sid=") && !sent.contains("sid."), "{sent}");
    assert_eq!(get_text(&c, &format!("{base}/me")).await.2, "y".repeat(10));

    // Too large even for three chunks within the budget: 500, old cookie kept.
    let (status, set, _) = get_text(&c, &format!("{base}/fill/9000")).await;
    assert_eq!((status, set.len()), (StatusCode::INTERNAL_SERVER_ERROR, 0));
    assert_eq!(jar_cookies(&jar, base), sent);
}

/// A sibling host that answers `/plant?cookie=<line>` with that
/// `Set-Cookie` line: the attacker's server, on its own port.
async fn sibling() -> (u16, tokio::task::JoinHandle<()>) {
    use axum::extract::Query;
    use std::collections::HashMap;
    let app = Router::new().route(
        "/plant",
        get(|Query(q): Query<HashMap<String, String>>| async move {
            ([("set-cookie", q["cookie"].clone())], "planted")
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (port, task)
}

/// `evil.app.test` sets `sid` for the parent domain `app.test` over plain
/// HTTP; reqwest's jar (like a browser) then sends both the victim's
/// host-only `sid` of `www.app.test` and the planted one. A planted copy that does not open
/// leaves the victim's session in use and undeleted; the attacker's own
/// valid session planted beside it is used by nobody and deletes nothing.
#[tokio::test]
async fn a_sibling_host_planting_the_name_for_the_parent_domain_never_wins() {
    let server = start(None).await;
    let (evil_port, evil) = sibling().await;
    let app_port: u16 = server.base.rsplit(':').next().unwrap().parse().unwrap();
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let jar = Arc::new(Jar::default());
    let c = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .resolve("www.app.test", loopback)
        .resolve("evil.app.test", loopback)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let app = format!("http://www.app.test:{app_port}");
    let plant = |line: &str| {
        let url = reqwest::Url::parse_with_params(
            &format!("http://evil.app.test:{evil_port}/plant"),
            [("cookie", line)],
        )
        .unwrap();
        c.get(url).send()
    };

    // The attacker's own session, from a login of their own.
    let attacker_jar = Arc::new(Jar::default());
    let a = client(&attacker_jar);
    get_text(&a, &format!("{}/login", server.base)).await;
    get_text(&a, &format!("{}/fill/3", server.base)).await;
    let attacker = jar_cookies(&attacker_jar, &server.base);
    assert_eq!(get_text(&a, &format!("{}/me", server.base)).await.2, "yyy");

    get_text(&c, &format!("{app}/login")).await;
    for planted in ["sid=garbage".to_string(), attacker] {
        plant(&format!("{planted}; Domain=app.test; Path=/"))
            .await
            .unwrap();
        let sent = jar_cookies(&jar, &app);
        assert_eq!(
            sent.matches("sid=").count(),
            2,
            "both reach the app: {sent}"
        );
        let (status, set, body) = get_text(&c, &format!("{app}/me")).await;
        let expected = if planted == "sid=garbage" {
            "alice"
        } else {
            "anonymous"
        };
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, expected),
            "{planted}"
        );
        assert!(set.is_empty(), "nothing deleted: {set:?}");
    }
    // The planted cookie gone, the victim's session is still there.
    plant("sid=; Domain=app.test; Path=/; Max-Age=0")
        .await
        .unwrap();
    assert_eq!(get_text(&c, &format!("{app}/me")).await.2, "alice");
    evil.abort();
}
