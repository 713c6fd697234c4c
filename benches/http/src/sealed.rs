//! sealed-session: the axum layer, and a plain `Sealer` with the `http`
//! helpers called in the handler (the floor the layer is measured against).

use crate::data::Data;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header::SET_COOKIE};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::http::{find_cookie, set_cookie};
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::{Key, KeyRing, Sealer, Session};
use std::sync::Arc;

type Handle = SessionHandle<Data, MemoryStore>;

pub fn revocation() -> Result<Revocation<MemoryStore>, sealed_session::Error> {
    let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    Revocation::new(sealer, MemoryStore::new(1_000_000)?)
}

pub fn layer() -> Result<Router, sealed_session::Error> {
    let sessions = Sessions::new(revocation()?);
    Ok(Router::new()
        .route("/me", get(|s: Handle| async move { s.read(|s| s.map_or(0, |s| s.data().visits)).to_string() }))
        .route(
            "/bump",
            post(|s: Handle| async move { s.update(|s| s.data_mut().visits += 1).map_or(StatusCode::UNAUTHORIZED, |()| StatusCode::OK) }),
        )
        .route("/login", post(|s: Handle| async move { s.login(Data::login(), Some("alice")).await.map(|()| "in") }))
        .layer(sessions.layer::<Data>()))
}

pub fn plain() -> Result<Router, sealed_session::Error> {
    let revocation = Arc::new(revocation()?);
    let r1 = revocation.clone();
    let r2 = revocation.clone();
    let r3 = revocation;
    Ok(Router::new()
        .route(
            "/me",
            get(move |headers: HeaderMap| async move {
                let Some(value) = find_cookie(&headers, r1.sealer().cookie_name()) else {
                    return "0".to_string();
                };
                match r1.open_checked::<Data>(value).await {
                    Ok(checked) => checked.session().data().visits.to_string(),
                    Err(_) => "0".to_string(),
                }
            }),
        )
        .route(
            "/bump",
            post(move |headers: HeaderMap| async move {
                let Some(value) = find_cookie(&headers, r2.sealer().cookie_name()) else {
                    return StatusCode::UNAUTHORIZED.into_response();
                };
                let Ok(mut checked) = r2.open_checked::<Data>(value).await else {
                    return StatusCode::UNAUTHORIZED.into_response();
                };
                checked.session_mut().data_mut().visits += 1;
                match set_cookie(r2.sealer(), checked.session()) {
                    Ok(line) => ([(SET_COOKIE, line)], "ok").into_response(),
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        )
        .route(
            "/login",
            post(move || async move {
                let mut session = Session::new(Data::login());
                if session.set_subject("alice").is_err() || r3.login(&mut session).await.is_err() {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                match set_cookie(r3.sealer(), &session) {
                    Ok(line) => {
                        let line: HeaderValue = line;
                        ([(SET_COOKIE, line)], "in").into_response()
                    }
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        ))
}
