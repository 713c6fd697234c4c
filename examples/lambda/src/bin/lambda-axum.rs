//! The same function as an axum router under sealed-session's axum layer,
//! run by `lambda_http` (which accepts any tower service): how most
//! applications will use the crate on Lambda. The layer opens the
//! session (chunks included), re-seals it when its key is old or its idle
//! renewal is due, and writes and removes the cookies; the handlers only
//! read and change it.
//!
//! Configuration and routes as the plain function (`src/main.rs`):
//! `SESSION_KEYS`, `POST /login` with `{"user": "alice", "note": "..."}`,
//! `GET /me`, `POST /logout`. Without a shared revocation store (Redis,
//! for Lambda; see the README's "Serverless and edge") a logout deletes
//! the cookies but a kept copy stays valid until it expires.

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lambda_http::{Error, run};
use sealed_session::axum::SessionHandle;
use sealed_session::revocation::Stateless;
use sealed_session::web::Sessions;
use sealed_session::{Chunking, KeyRing, Sealer};
use serde::{Deserialize, Serialize};
use time::Duration;

/// What the cookie carries, as in the plain function.
#[derive(Clone, Serialize, Deserialize)]
struct User {
    name: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct Login {
    user: String,
    #[serde(default)]
    note: String,
}

/// The handle names the store type: `Sessions::stateless` makes
/// `Sessions<Stateless>`, and a handle of another store type would find no
/// layer (500, `MissingSessionLayer`).
type Session = SessionHandle<User, Stateless>;

async fn login(session: Session, Json(login): Json<Login>) -> (StatusCode, &'static str) {
    // A real handler checks credentials here. `login` gives the session a
    // new id and subject; sealing happens in the layer, which answers 413
    // for a session too large for its chunks.
    let user = User {
        name: login.user.clone(),
        note: login.note,
    };
    match session.login(user, Some(&login.user)).await {
        Ok(()) => (StatusCode::OK, "logged in\n"),
        Err(_) => (StatusCode::BAD_REQUEST, "cannot log in\n"),
    }
}

async fn me(session: Session) -> (StatusCode, String) {
    match session.get() {
        Some(user) if user.note.is_empty() => (StatusCode::OK, format!("hello {}\n", user.name)),
        Some(user) => (
            StatusCode::OK,
            format!("hello {}\nnote: {}\n", user.name, user.note),
        ),
        None => (StatusCode::UNAUTHORIZED, "not logged in\n".into()),
    }
}

async fn logout(session: Session) -> (StatusCode, &'static str) {
    match session.logout().await {
        Ok(()) => (StatusCode::OK, "logged out\n"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "logout not recorded\n"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // Once per cold start; a bad ring fails the init, naming the entry
    // but never showing key bytes.
    let sealer = Sealer::builder(KeyRing::from_env("SESSION_KEYS")?)
        .with_ttl(Duration::hours(12))
        .with_idle_timeout(Duration::minutes(30))
        .build()?;
    let sessions = Sessions::stateless(sealer)?.with_chunking(Chunking::new())?;
    let app = Router::new()
        .route("/login", post(login))
        .route("/me", get(me))
        .route("/logout", post(logout))
        .layer(sessions.layer::<User>());
    run(app).await
}
