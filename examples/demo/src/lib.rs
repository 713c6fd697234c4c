//! The example app's logic, shared by the axum server (examples/server) and
//! the actix-web server (examples/actix): sealed sessions, revocation, and
//! key rotation that logs nobody out. Each route is a function over the
//! framework-neutral [`SessionHandle`] that returns an [`Answer`]; a server
//! maps its routes to them and the answer to its response type, and
//! nothing else, so both servers answer alike.
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
//! - `GET /app`: the showcase in HTML ([`pages`]): a login form with
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
//! form, or else a fresh random key), `SEALED_SESSION_REDIS_URL` (with the
//! `redis` feature), `SEALED_SESSION_COOKIE` (the cookie name, default
//! `__Host-session`) and `SEALED_SESSION_SECURE=0` (no `Secure` attribute,
//! for plain HTTP on a host other than localhost, with a name without
//! `__Host-`/`__Secure-`; the browser test uses it to show an unprefixed
//! name under attack).

use sealed_session::revocation::{AnyStore, MemoryStore, Revocation};
use sealed_session::web::{SessionHandle, Sessions};
use sealed_session::{Chunking, CookieAttributes, CsrfKey, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

mod keys;
pub mod pages;
mod routes;

pub use keys::{KeysFile, reload, rotate, write_private};
pub use routes::{Login, Pad, login, logout, logout_everywhere, pad, pad_to_line, show, whoami};

/// What the session holds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Visitor {
    pub user: String,
    pub visits: u32,
    pub pad: String,
    /// Written by the `/app` forms.
    pub note: String,
}

/// The handle every route takes: the store is picked at startup (memory or
/// Redis), so it is [`AnyStore`].
pub type Handle = SessionHandle<Visitor, AnyStore>;

/// What a route answers, for the server to turn into its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `text/plain; charset=utf-8` with this status.
    Text(u16, String),
    /// `200`, `text/html; charset=utf-8`.
    Html(String),
    /// `303 See Other` to this path: the answer to a form post, so that a
    /// reload does not post it again.
    Redirect(&'static str),
}

impl Answer {
    /// `200` with this text.
    pub fn ok(text: impl Into<String>) -> Answer {
        Answer::Text(200, text.into())
    }
}

/// What the admin routes need besides the sessions.
pub struct App {
    pub sessions: Sessions<AnyStore>,
    pub keys: KeysFile,
}

/// The cookie's name and whether it is `Secure`, read from the
/// environment once: a rotation must keep them.
#[derive(Debug, Clone)]
pub struct Cookie {
    pub name: String,
    pub secure: bool,
}

impl Cookie {
    pub fn from_env() -> Cookie {
        Cookie {
            name: std::env::var("SEALED_SESSION_COOKIE")
                .unwrap_or_else(|_| sealed_session::DEFAULT_COOKIE_NAME.into()),
            secure: std::env::var("SEALED_SESSION_SECURE").map_or(true, |v| v != "0"),
        }
    }
}

pub fn sealer(ring: KeyRing, cookie: &Cookie) -> sealed_session::Result<Sealer> {
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

pub fn describe(session: Option<&Session<Visitor>>) -> String {
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

/// A started demo: the app for the routes and its bound listener. The
/// server moves both out; `keys` stays behind and, when `main` returns,
/// removes a keys file the demo made for itself.
pub struct Demo {
    pub app: Arc<App>,
    pub listener: TcpListener,
    pub keys: keys::OwnFile,
}

/// The listening address from `SEALED_SESSION_ADDR`, loopback only.
pub fn addr_from_env() -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::var("SEALED_SESSION_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:3000".into())
        .parse()?;
    if !addr.ip().is_loopback() {
        return Err("the demo listens on loopback addresses only".into());
    }
    Ok(addr)
}

/// Reads the environment, opens the store, builds the sessions and binds
/// the listener (non-blocking, as async runtimes want it), printing what
/// it picked.
pub async fn start() -> Result<Demo, Box<dyn std::error::Error>> {
    let addr = addr_from_env()?;
    let (keys_file, own) = keys::from_env()?;
    let store = store_from_env().await?;
    let cookie = Cookie::from_env();
    let ring = keys::read_ring(&keys_file)?;
    // The CSRF key is shared like the session keys on a fleet; the demo
    // makes one per process.
    let sessions = Sessions::new(Revocation::new(sealer(ring, &cookie)?, store)?)
        .with_chunking(Chunking::new())?
        .with_flash()?
        .with_csrf(CsrfKey::generate());
    println!("cookie: {} (Secure: {})", cookie.name, cookie.secure);
    println!("keys: {}", keys_file.display());
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    println!("listening on http://{}", listener.local_addr()?);
    Ok(Demo {
        app: Arc::new(App {
            sessions,
            keys: KeysFile(Mutex::new(keys_file)),
        }),
        listener,
        keys: own,
    })
}

async fn store_from_env() -> Result<AnyStore, Box<dyn std::error::Error>> {
    match std::env::var("SEALED_SESSION_REDIS_URL") {
        Ok(url) => redis(&url).await,
        Err(_) => {
            println!("revocation: in-memory store");
            Ok(AnyStore::new(MemoryStore::new(100_000)?))
        }
    }
}

#[cfg(feature = "redis")]
async fn redis(url: &str) -> Result<AnyStore, Box<dyn std::error::Error>> {
    #[cfg(feature = "redis-cluster")]
    if url.contains(',') {
        println!("revocation: Redis Cluster store");
        let store = sealed_session::revocation::RedisStore::cluster_builder(url.split(','))
            .connect()
            .await?;
        return Ok(AnyStore::new(store));
    }
    println!("revocation: Redis store");
    let store = sealed_session::revocation::RedisStore::connect(url).await?;
    Ok(AnyStore::new(store))
}

#[cfg(not(feature = "redis"))]
async fn redis(_: &str) -> Result<AnyStore, Box<dyn std::error::Error>> {
    Err("SEALED_SESSION_REDIS_URL is set: run with --features redis".into())
}
