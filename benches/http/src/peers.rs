//! The baseline without sessions and the peers: tower-sessions with its
//! memory store, and axum-extra's `PrivateCookieJar` holding JSON.

use crate::data::Data;
use axum::Router;
use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, Key, PrivateCookieJar};
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

pub fn none() -> Router {
    Router::new()
        .route("/me", get(|| async { "0" }))
        .route("/bump", post(|| async { StatusCode::OK }))
        .route("/login", post(|| async { "in" }))
}

pub fn tower_sessions() -> Router {
    const KEY: &str = "data";
    let layer = SessionManagerLayer::new(MemoryStore::default()).with_secure(true);
    Router::new()
        .route(
            "/me",
            get(|s: Session| async move {
                let data: Option<Data> = s.get(KEY).await.ok().flatten();
                data.map_or(0, |d| d.visits).to_string()
            }),
        )
        .route(
            "/bump",
            post(|s: Session| async move {
                let Ok(Some(mut data)) = s.get::<Data>(KEY).await else {
                    return StatusCode::UNAUTHORIZED;
                };
                data.visits += 1;
                match s.insert(KEY, data).await {
                    Ok(()) => StatusCode::OK,
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
                }
            }),
        )
        .route(
            "/login",
            post(|s: Session| async move {
                if s.cycle_id().await.is_err() || s.insert(KEY, Data::login()).await.is_err() {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                StatusCode::OK
            }),
        )
        .layer(layer)
}

#[derive(Clone)]
struct JarState(Key);

impl FromRef<JarState> for Key {
    fn from_ref(state: &JarState) -> Key {
        state.0.clone()
    }
}

const JAR_NAME: &str = "__Host-session";

fn jar_data(jar: &PrivateCookieJar) -> Option<Data> {
    serde_json::from_str(jar.get(JAR_NAME)?.value()).ok()
}

fn jar_cookie(data: &Data) -> Cookie<'static> {
    let mut cookie = Cookie::new(JAR_NAME, serde_json::to_string(data).unwrap_or_default());
    cookie.set_path("/");
    cookie.set_secure(true);
    cookie.set_http_only(true);
    cookie.set_same_site(axum_extra::extract::cookie::SameSite::Lax);
    cookie
}

pub fn private_jar() -> Router {
    Router::new()
        .route(
            "/me",
            get(|jar: PrivateCookieJar| async move {
                jar_data(&jar).map_or(0, |d| d.visits).to_string()
            }),
        )
        .route(
            "/bump",
            post(|jar: PrivateCookieJar| async move {
                let Some(mut data) = jar_data(&jar) else {
                    return Err(StatusCode::UNAUTHORIZED);
                };
                data.visits += 1;
                Ok(jar.add(jar_cookie(&data)))
            }),
        )
        .route(
            "/login",
            post(|jar: PrivateCookieJar| async move { jar.add(jar_cookie(&Data::login())) }),
        )
        .with_state(JarState(Key::generate()))
}
