//! The two adapters behind one `send`: a request in, what the response
//! says about the session out, whichever framework answered.

use sealed_session::http::CookieConflict;
use sealed_session::revocation::{AnyStore, MemoryStore, Revocation};
use sealed_session::web::{MissingSessionLayer, SessionError, Sessions};
use sealed_session::{Algorithm, Key, KeyRing, Sealer};
use time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    Axum,
    Actix,
}

/// Every case runs against both.
pub const BOTH: [Adapter; 2] = [Adapter::Axum, Adapter::Actix];

pub fn key(id: u32) -> Key {
    Key::from_bytes(Algorithm::XChaCha20Poly1305, id, &[id as u8; 32])
}

pub fn sealer(ring: KeyRing) -> Sealer {
    Sealer::builder(ring)
        .with_idle_timeout(Duration::hours(1))
        .build()
        .unwrap()
}

/// Sessions over a fresh memory store, with CSRF and flash on.
pub fn sessions() -> Sessions<AnyStore> {
    let store = MemoryStore::new(100).unwrap();
    Sessions::any(Revocation::new(sealer(KeyRing::new(key(1))), store).unwrap())
        .with_csrf(sealed_session::CsrfKey::generate())
        .with_flash()
        .unwrap()
}

/// A request: GET without a body unless said otherwise.
#[derive(Clone, Default)]
pub struct Req {
    pub post: bool,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Req {
    pub fn get(path: &str) -> Req {
        Req {
            path: path.into(),
            ..Req::default()
        }
    }

    pub fn post(path: &str, body: &str) -> Req {
        Req {
            post: true,
            path: path.into(),
            body: body.into(),
            ..Req::default()
        }
        .header("content-type", "application/x-www-form-urlencoded")
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn cookie(self, cookie: &str) -> Req {
        if cookie.is_empty() {
            return self;
        }
        self.header("cookie", cookie)
    }
}

/// What a response said, read the same way for both frameworks.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Every header line, names lowercase, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub error: Option<SessionError>,
    pub conflict: Option<CookieConflict>,
    pub missing: Option<MissingSessionLayer>,
}

impl Reply {
    pub fn set_cookies(&self) -> Vec<&str> {
        self.values("set-cookie")
    }

    pub fn values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Every value of header `name`, joined with ", ".
    pub fn header(&self, name: &str) -> String {
        self.values(name).join(", ")
    }

    /// The `name=value` pairs of the non-removal Set-Cookie lines.
    pub fn cookie(&self) -> String {
        self.set_cookies()
            .into_iter()
            .filter(|l| !l.contains("Max-Age=0"))
            .map(|l| l.split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The names the response removes.
    pub fn removals(&self) -> Vec<&str> {
        self.set_cookies()
            .into_iter()
            .filter(|l| l.contains("Max-Age=0"))
            .map(|l| l.split('=').next().unwrap())
            .collect()
    }
}

impl Adapter {
    pub async fn send(self, sessions: &Sessions<AnyStore>, req: Req) -> Reply {
        match self {
            Adapter::Axum => super::axum_app::send(sessions, req).await,
            Adapter::Actix => super::actix_app::send(sessions, req).await,
        }
    }

    /// A GET of `path` with `cookie` (none when empty).
    pub async fn get(self, sessions: &Sessions<AnyStore>, path: &str, cookie: &str) -> Reply {
        self.send(sessions, Req::get(path).cookie(cookie)).await
    }
}
