//! Shared by the in-process axum tests: fixed keys, a sealer with an idle
//! timeout, and `send`, which drives a router with `oneshot` and collects
//! what the response says about the session.

// Every test file uses a different subset of these helpers.
#![allow(dead_code)]

#[cfg(feature = "tracing")]
pub mod events;

use axum::Router;
use axum::body::Body;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, Request, StatusCode};
use sealed_session::axum::{SessionError, SessionHandle, Sessions};
use sealed_session::http::CookieConflict;
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::{Key, KeyRing, Sealer};
use std::sync::Arc;
use time::Duration;
use tower::ServiceExt;

pub type Store = Arc<MemoryStore>;
pub type Handle = SessionHandle<String, Store>;

pub fn key(id: u32) -> Key {
    Key::from_bytes(
        sealed_session::Algorithm::XChaCha20Poly1305,
        id,
        &[id as u8; 32],
    )
}

pub fn sealer(ring: KeyRing) -> Sealer {
    Sealer::builder(ring)
        .with_idle_timeout(Duration::hours(1))
        .build()
        .unwrap()
}

pub fn store() -> Store {
    Arc::new(MemoryStore::new(100).unwrap())
}

pub fn sessions(store: &Store) -> Sessions<Store> {
    Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store.clone()).unwrap())
}

/// A cookie header for a session sealed by `sessions` holding `data`.
pub fn cookie_for(sessions: &Sessions<Store>, data: &str) -> String {
    let revocation = sessions.current();
    let sealer = revocation.sealer();
    let value = sealer
        .seal_value(&sealed_session::Session::new(data.to_string()))
        .unwrap();
    format!("{}={value}", sealer.cookie_name())
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub set_cookies: Vec<String>,
    pub body: String,
    pub error: Option<SessionError>,
    pub conflict: Option<CookieConflict>,
}

impl Reply {
    /// The `name=value` pairs of the non-removal Set-Cookie lines.
    pub fn cookie(&self) -> String {
        self.set_cookies
            .iter()
            .filter(|l| !l.contains("Max-Age=0"))
            .map(|l| l.split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn removals(&self) -> Vec<&str> {
        self.set_cookies
            .iter()
            .filter(|l| l.contains("Max-Age=0"))
            .map(|l| l.split('=').next().unwrap())
            .collect()
    }

    /// Every value of header `name`, joined with ", ".
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub async fn send(app: &Router, path: &str, cookie: Option<&str>) -> Reply {
    let mut req = Request::get(path);
    if let Some(cookie) = cookie {
        req = req.header(COOKIE, cookie);
    }
    send_request(app, req.body(Body::empty()).unwrap()).await
}

pub async fn send_request(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let set_cookies = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let error = res.extensions().get::<SessionError>().cloned();
    let conflict = res.extensions().get::<CookieConflict>().copied();
    let body = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        set_cookies,
        body: String::from_utf8(body.to_vec()).unwrap(),
        error,
        conflict,
    }
}
