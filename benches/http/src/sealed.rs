//! sealed-session: the axum layer, and a plain `Sealer` with the `http`
//! helpers called in the handler (the floor the layer is measured against).

use crate::data::Data;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header::SET_COOKIE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sealed_session::axum::{SessionHandle, Sessions};
use sealed_session::http::{
    CacheProtection, find_cookie, protect_from_caches, set_cookie, vary_on_cookie,
};
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::tower::SessionService;
use sealed_session::{Key, KeyRing, Sealer, Session};
use std::sync::Arc;
use tower::Layer;

type Handle = SessionHandle<Data, MemoryStore>;

pub fn revocation() -> Result<Revocation<MemoryStore>, sealed_session::Error> {
    let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    Revocation::new(sealer, MemoryStore::new(1_000_000)?)
}

pub fn layer() -> Result<Router, sealed_session::Error> {
    let sessions = Sessions::new(revocation()?);
    Ok(routes().layer(sessions.layer::<Data>()))
}

/// The layer around the whole router (`Layer::layer(router)`), not
/// `Router::layer` on each route: one service call per request instead of
/// a boxed route service per route.
pub fn outer() -> Result<SessionService<Router, Data, MemoryStore>, sealed_session::Error> {
    let sessions = Sessions::new(revocation()?);
    Ok(sessions.layer::<Data>().layer(routes().with_state(())))
}

fn routes() -> Router {
    Router::new()
        .route("/me", get(|s: Handle| async move { s.read(|s| s.map_or(0, |s| s.data().visits)).to_string() }))
        .route(
            "/bump",
            post(|s: Handle| async move { s.update(|s| s.data_mut().visits += 1).map_or(StatusCode::UNAUTHORIZED, |()| StatusCode::OK) }),
        )
        .route("/login", post(|s: Handle| async move { s.login(Data::login(), Some("alice")).await.map(|()| "in") }))
}

/// The answer of a plain handler, with the headers the layer also sends
/// (a hand-written handler that leaves them out lets a shared cache serve
/// one user's session to another): `Vary: Cookie` on every answer that
/// depends on the cookie, and `Cache-Control` on every one that sets it.
fn answer(mut response: Response, cookie: Option<(HeaderValue, CacheProtection)>) -> Response {
    let headers = response.headers_mut();
    if let Some((line, level)) = cookie {
        headers.append(SET_COOKIE, line);
        protect_from_caches(headers, level);
    }
    vary_on_cookie(headers);
    response
}

/// The `name=value` pair of a login's cookie, for a baseline to send one
/// of the same size (the in-process driver's; the server has no baseline
/// cookie to send).
#[allow(dead_code)]
pub fn login_cookie() -> Result<String, sealed_session::Error> {
    let revocation = revocation()?;
    let mut session = Session::new(Data::login());
    session.set_subject("alice")?;
    let line = set_cookie(revocation.sealer(), &session)?;
    let line = line.to_str().unwrap_or_default();
    Ok(line.split(';').next().unwrap_or_default().to_owned())
}

/// The plain handlers under `Router::layer` with a layer that does
/// nothing (`tower::layer::util::Identity`): what axum's per-route boxed
/// service costs by itself, so that the layer applied with `Router::layer`
/// is compared with a plain handler that pays the same.
pub fn plain_routed() -> Result<Router, sealed_session::Error> {
    Ok(plain()?.layer(tower::layer::util::Identity::new()))
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
                let visits = match find_cookie(&headers, r1.sealer().cookie_name()) {
                    Some(value) => match r1.open_checked::<Data>(value).await {
                        Ok(checked) => checked.session().data().visits,
                        Err(_) => 0,
                    },
                    None => 0,
                };
                answer(visits.to_string().into_response(), None)
            }),
        )
        .route(
            "/bump",
            post(move |headers: HeaderMap| async move {
                let Some(value) = find_cookie(&headers, r2.sealer().cookie_name()) else {
                    return answer(StatusCode::UNAUTHORIZED.into_response(), None);
                };
                let Ok(mut checked) = r2.open_checked::<Data>(value).await else {
                    return answer(StatusCode::UNAUTHORIZED.into_response(), None);
                };
                checked.session_mut().data_mut().visits += 1;
                match set_cookie(r2.sealer(), checked.session()) {
                    Ok(line) => {
                        answer("ok".into_response(), Some((line, CacheProtection::Private)))
                    }
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        )
        .route(
            "/login",
            post(move |headers: HeaderMap| async move {
                // A login revokes the session the request carried, as the
                // layer's `login` does (no fixation, no second live session).
                if let Some(value) = find_cookie(&headers, r3.sealer().cookie_name())
                    && let Ok(checked) = r3.open_checked::<Data>(value).await
                    && r3.logout(checked.opened()).await.is_err()
                {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                let mut session = Session::new(Data::login());
                if session.set_subject("alice").is_err() || r3.login(&mut session).await.is_err() {
                    return StatusCode::SERVICE_UNAVAILABLE.into_response();
                }
                match set_cookie(r3.sealer(), &session) {
                    Ok(line) => {
                        answer("in".into_response(), Some((line, CacheProtection::NoStore)))
                    }
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }),
        ))
}
