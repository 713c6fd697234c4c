//! The example app: an axum server with sealed sessions, revocation, and key
//! rotation that logs nobody out.
//!
//! ```sh
//! cargo run --manifest-path examples/server/Cargo.toml
//! # with a shared Redis revocation store instead of the in-memory one:
//! SEALED_SESSION_REDIS_URL=redis://127.0.0.1:6379 cargo run --manifest-path examples/server/Cargo.toml --features redis
//! # on a Redis Cluster: seed nodes separated by commas
//! SEALED_SESSION_REDIS_URL=redis://127.0.0.1:7000,redis://127.0.0.1:7001 cargo run --manifest-path examples/server/Cargo.toml --features redis-cluster
//! ```
//!
//! Routes (the README shows them with curl):
//!
//! - `POST /login?user=alice`: logs in (a new session id; the old one, if
//!   any, is revoked), bound to the user for "log out everywhere".
//! - `GET /`: shows the session and counts visits (a change, so each visit
//!   re-seals).
//! - `GET /whoami`: shows the session without changing it (no Set-Cookie
//!   unless a re-seal is due).
//! - `POST /pad?bytes=N` / `POST /pad?line=4096`: stores N bytes of padding,
//!   or pads until the Set-Cookie line is within 4 bytes of `line` (for the
//!   browser test: near the 4096-byte limit, or chunked above it).
//! - `POST /logout`, `POST /logout-everywhere`.
//! - `GET /app`: the showcase in HTML (src/pages.rs): a login form with
//!   "remember me", a note form, sign out and sign out everywhere, every
//!   form CSRF-checked, flash messages across the redirects.
//! - `POST /admin/rotate`: rotates the shared key ring text (a new primary,
//!   the two previous keys kept for opening) in the keys file and reloads
//!   it; older cookies keep opening and are re-sealed on their next request.
//! - `POST /admin/reload`: reloads the keys file (what every other node of a
//!   fleet does after one rotated the shared file), without touching the
//!   revocation store. Demo only: real admin routes need authentication; the
//!   server listens on 127.0.0.1 only.
//!
//! Environment: `SEALED_SESSION_ADDR` (default `127.0.0.1:3000`; only
//! loopback addresses are accepted), `SEALED_SESSION_KEYS_FILE` (a file
//! holding the key ring text that every node shares; default: a new file in
//! the temporary directory with `SEALED_SESSION_KEYS`, a key ring in text
//! form, or else a fresh random key), `SEALED_SESSION_REDIS_URL`,
//! `SEALED_SESSION_COOKIE` (the cookie name, default `__Host-session`) and
//! `SEALED_SESSION_SECURE=0` (no `Secure` attribute, for plain HTTP on a
//! host other than localhost, with a name without `__Host-`/`__Secure-`;
//! the browser test uses it to show an unprefixed name under attack).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::revocation::{MemoryStore, Revocation, RevocationStore};
use sealed_session::{Chunking, CookieAttributes, CsrfKey, Key, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What the session holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Visitor {
    user: String,
    visits: u32,
    pad: String,
    /// Written by the `/app` forms.
    note: String,
}

/// What the admin routes need besides the sessions.
struct App<S> {
    sessions: Sessions<Arc<S>>,
    /// The shared key ring text; the lock serializes rotations.
    keys_file: Mutex<PathBuf>,
}

/// The cookie's name and whether it is `Secure`, read from the
/// environment once: a rotation must keep them.
#[derive(Debug, Clone)]
struct Cookie {
    name: String,
    secure: bool,
}

impl Cookie {
    fn from_env() -> Cookie {
        Cookie {
            name: std::env::var("SEALED_SESSION_COOKIE")
                .unwrap_or_else(|_| sealed_session::DEFAULT_COOKIE_NAME.into()),
            secure: std::env::var("SEALED_SESSION_SECURE").map_or(true, |v| v != "0"),
        }
    }
}

mod pages;

type Handle<S> = SessionHandle<Visitor, Arc<S>>;
type Reply = Result<String, (StatusCode, String)>;

fn sealer(ring: KeyRing, cookie: &Cookie) -> sealed_session::Result<Sealer> {
    // By default the `__Host-session` cookie with `Secure`: browsers store
    // and send Secure cookies for http://localhost (a secure context), and
    // so does curl (7.79+) for localhost, so the demo keeps the production
    // attributes. Behind plain HTTP on any other host, a Secure cookie is
    // never sent back (hence SEALED_SESSION_SECURE=0).
    Sealer::builder(ring)
        .with_cookie_name(cookie.name.clone())
        .with_attributes(CookieAttributes::default().with_secure(cookie.secure))
        .with_ttl(time::Duration::hours(8))
        .with_idle_timeout(time::Duration::hours(1))
        .build()
}

/// What a handler that only calls the session answers: session errors are
/// responses (503 when the store is down, 500 when the session cannot be
/// saved), with a generic body.
type SessionReply = Result<String, sealed_session::Error>;

fn describe(session: Option<&Session<Visitor>>) -> String {
    match session {
        None => "no session\n".to_owned(),
        Some(s) => format!(
            "user={} visits={} pad={} session={}\n",
            s.data().user,
            s.data().visits,
            s.data().pad.len(),
            s.id()
        ),
    }
}

#[derive(Deserialize)]
struct Login {
    user: String,
}

async fn login<S: RevocationStore + 'static>(
    session: Handle<S>,
    Query(q): Query<Login>,
) -> SessionReply {
    let visitor = Visitor {
        user: q.user.clone(),
        ..Visitor::default()
    };
    session.login(visitor, Some(&q.user)).await?;
    Ok(session.read(describe))
}

async fn show<S: RevocationStore + 'static>(session: Handle<S>) -> String {
    session.update(|s| s.data_mut().visits += 1);
    session.read(describe)
}

async fn whoami<S: RevocationStore + 'static>(session: Handle<S>) -> String {
    session.read(describe)
}

#[derive(Deserialize)]
struct Pad {
    bytes: Option<usize>,
    line: Option<usize>,
}

async fn pad<S: RevocationStore + 'static>(
    State(app): State<Arc<App<S>>>,
    session: Handle<S>,
    Query(q): Query<Pad>,
) -> Reply {
    let Some(mut visitor) = session.get() else {
        return Err((StatusCode::UNAUTHORIZED, "log in first\n".into()));
    };
    visitor.pad = match (q.bytes, q.line) {
        (Some(bytes), _) => "p".repeat(bytes.min(64 * 1024)),
        (None, Some(line)) => {
            let current = session.read(|s| s.cloned());
            pad_to_line(&app.sessions, current, line)?
        }
        (None, None) => String::new(),
    };
    session.update(|s| *s.data_mut() = visitor);
    Ok(session.read(describe))
}

/// Padding that brings the Set-Cookie line to within 4 bytes of `target`
/// (base64 moves in steps of 4 characters per 3 bytes). Bounded search.
fn pad_to_line<S: RevocationStore + 'static>(
    sessions: &Sessions<Arc<S>>,
    current: Option<Session<Visitor>>,
    target: usize,
) -> Result<String, (StatusCode, String)> {
    let revocation = sessions.current();
    // The real session (subject, deadlines), so the trial seals to the
    // same length as the response will.
    let Some(mut trial) = current else {
        return Err((StatusCode::UNAUTHORIZED, "log in first\n".into()));
    };
    let mut len = 0usize;
    for _ in 0..32 {
        trial.data_mut().pad = "p".repeat(len);
        let line = match revocation.sealer().seal(&trial) {
            Ok(line) => line.len(),
            Err(sealed_session::Error::TooLarge { size, .. }) => size,
            Err(e) => return Err((StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n"))),
        };
        if line <= target && target - line < 4 {
            return Ok(trial.data().pad.clone());
        }
        let step = (target.abs_diff(line) * 3 / 4).max(1);
        len = if line > target {
            len.saturating_sub(step)
        } else {
            len + step
        };
    }
    Err((
        StatusCode::BAD_REQUEST,
        "no padding reaches that line length\n".into(),
    ))
}

async fn logout<S: RevocationStore + 'static>(session: Handle<S>) -> SessionReply {
    session.logout().await?;
    Ok("logged out\n".into())
}

async fn logout_everywhere<S: RevocationStore + 'static>(session: Handle<S>) -> SessionReply {
    session.logout_everywhere().await?;
    Ok("logged out everywhere\n".into())
}

/// An admin route's failure, with its reason (a demo: real admin routes
/// would log it instead).
fn internal(e: &dyn std::fmt::Display) -> (StatusCode, String) {
    (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n"))
}

async fn rotate<S: RevocationStore + 'static>(State(app): State<Arc<App<S>>>) -> Reply {
    // The lock serializes rotations; it is never held across an await.
    let file = app
        .keys_file
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut ring = read_ring(&file).map_err(|e| internal(&*e))?;
    let id = ring.next_id().ok_or_else(|| internal(&"no key id left"))?;
    ring.rotate(Key::generate(id)).map_err(|e| internal(&e))?;
    // Keep the new primary and two older keys: cookies sealed under the
    // previous key keep opening and are re-sealed on their next request.
    ring.truncate(3);
    // What `sealed-session rotate` does to a shared secret: write it back
    // whole (a rename, so a reader never sees half a ring), then reload.
    let tmp = file.with_extension("tmp");
    write_private(&tmp, ring.to_text().as_str()).map_err(|e| internal(&e))?;
    std::fs::rename(&tmp, &*file).map_err(|e| internal(&e))?;
    app.sessions.reload_keys(ring).map_err(|e| internal(&e))?;
    Ok(format!("primary key is now {id}\n"))
}

async fn reload<S: RevocationStore + 'static>(State(app): State<Arc<App<S>>>) -> Reply {
    let file = app
        .keys_file
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let ring = read_ring(&file).map_err(|e| internal(&*e))?;
    let primary = ring.primary().id();
    app.sessions.reload_keys(ring).map_err(|e| internal(&e))?;
    Ok(format!("reloaded: primary key {primary}\n"))
}

fn read_ring(file: &std::path::Path) -> Result<KeyRing, Box<dyn std::error::Error>> {
    Ok(KeyRing::from_text(std::fs::read_to_string(file)?.trim())?)
}

fn router<S: RevocationStore + 'static>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route("/", get(show::<S>))
        .route("/whoami", get(whoami::<S>))
        .route("/login", post(login::<S>))
        .route("/pad", post(pad::<S>))
        .route("/logout", post(logout::<S>))
        .route("/logout-everywhere", post(logout_everywhere::<S>))
        .route("/admin/rotate", post(rotate::<S>))
        .route("/admin/reload", post(reload::<S>))
        .merge(pages::routes::<S, Arc<App<S>>>())
        .layer(app.sessions.layer::<Visitor>())
        .with_state(app)
}

async fn serve<S: RevocationStore + 'static>(
    store: S,
    keys_file: PathBuf,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = Arc::new(store);
    let cookie = Cookie::from_env();
    let ring = read_ring(&keys_file)?;
    // The CSRF key is shared like the session keys on a fleet; the demo
    // makes one per process.
    let sessions = Sessions::new(Revocation::new(sealer(ring, &cookie)?, store)?)
        .with_chunking(Chunking::new())?
        .with_flash()?
        .with_csrf(CsrfKey::generate());
    println!("cookie: {} (Secure: {})", cookie.name, cookie.secure);
    println!("keys: {}", keys_file.display());
    let app = Arc::new(App {
        sessions,
        keys_file: Mutex::new(keys_file),
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what the browser test and process managers send).
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::var("SEALED_SESSION_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()?;
    if !addr.ip().is_loopback() {
        return Err("the demo listens on loopback addresses only".into());
    }
    let (keys_file, own_file) = match std::env::var_os("SEALED_SESSION_KEYS_FILE") {
        Some(path) => (PathBuf::from(path), false),
        None => {
            // A file of this process's own: the demo's "shared secret".
            let ring = match std::env::var("SEALED_SESSION_KEYS") {
                Ok(_) => KeyRing::from_env("SEALED_SESSION_KEYS")?,
                Err(_) => KeyRing::new(Key::generate(1)),
            };
            let path = std::env::temp_dir().join(format!(
                "sealed-session-demo-keys-{}.txt",
                std::process::id()
            ));
            write_private(&path, ring.to_text().as_str())?;
            (path, true)
        }
    };
    let served = match std::env::var("SEALED_SESSION_REDIS_URL") {
        Ok(url) => serve_redis(&url, keys_file.clone(), addr).await,
        Err(_) => {
            println!("revocation: in-memory store");
            serve(MemoryStore::new(100_000)?, keys_file.clone(), addr).await
        }
    };
    if own_file {
        // The demo's keys live as long as the demo.
        let _ = std::fs::remove_file(&keys_file);
    }
    served
}

/// Writes key material readable by this user only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

#[cfg(feature = "redis")]
async fn serve_redis(
    url: &str,
    keys_file: PathBuf,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error>> {
    #[cfg(feature = "redis-cluster")]
    if url.contains(',') {
        println!("revocation: Redis Cluster store");
        let store = sealed_session::revocation::RedisStore::cluster_builder(url.split(','))
            .connect()
            .await?;
        return serve(store, keys_file, addr).await;
    }
    println!("revocation: Redis store");
    let store = sealed_session::revocation::RedisStore::connect(url).await?;
    serve(store, keys_file, addr).await
}

#[cfg(not(feature = "redis"))]
async fn serve_redis(_: &str, _: PathBuf, _: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    Err("SEALED_SESSION_REDIS_URL is set: run with --features redis".into())
}
