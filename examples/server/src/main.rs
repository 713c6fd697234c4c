//! The example app on axum: sealed sessions, revocation, and key rotation
//! that logs nobody out.
//!
//! ```sh
//! cargo run --manifest-path examples/server/Cargo.toml
//! # with a shared Redis revocation store instead of the in-memory one:
//! SEALED_SESSION_REDIS_URL=redis://127.0.0.1:6379 cargo run --manifest-path examples/server/Cargo.toml --features redis
//! # on a Redis Cluster: seed nodes separated by commas
//! SEALED_SESSION_REDIS_URL=redis://127.0.0.1:7000,redis://127.0.0.1:7001 cargo run --manifest-path examples/server/Cargo.toml --features redis-cluster
//! ```
//!
//! The routes, what they answer and the environment variables are
//! examples/demo's (its crate docs list them), shared with the actix-web
//! server (examples/actix): this file only maps the routes to axum and the
//! demo's answers to axum responses.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use sealed_session::axum::CsrfForm;
use sealed_session_demo::pages::{self, Empty, LoginForm, NoteForm};
use sealed_session_demo::{self as demo, Answer, App, Handle, Login, Pad, Visitor};
use std::sync::Arc;

/// The demo's answer as axum's response. Routes that call the revocation
/// store return `Result<Response, sealed_session::Error>`: session errors
/// are responses with their status (503 when the store is down, 500 when
/// the session cannot be saved).
fn respond(answer: Answer) -> Response {
    match answer {
        Answer::Text(status, text) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, text).into_response()
        }
        Answer::Html(html) => Html(html).into_response(),
        Answer::Redirect(to) => Redirect::to(to).into_response(),
    }
}

type Shared = State<Arc<App>>;

/// Both sign-out forms, one handler.
fn sign_out(everywhere: bool) -> MethodRouter<Arc<App>> {
    post(move |s: Handle, CsrfForm(_): CsrfForm<Empty>| async move {
        pages::sign_out(&s, everywhere).await.map(respond)
    })
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(|s: Handle| async move { respond(demo::show(&s)) }))
        .route(
            "/whoami",
            get(|s: Handle| async move { respond(demo::whoami(&s)) }),
        )
        .route(
            "/login",
            post(|s: Handle, Query(q): Query<Login>| async move {
                demo::login(&s, q).await.map(respond)
            }),
        )
        .route(
            "/pad",
            post(
                |State(app): Shared, s: Handle, Query(q): Query<Pad>| async move {
                    respond(demo::pad(&app.sessions, &s, q))
                },
            ),
        )
        .route(
            "/logout",
            post(|s: Handle| async move { demo::logout(&s).await.map(respond) }),
        )
        .route(
            "/logout-everywhere",
            post(|s: Handle| async move { demo::logout_everywhere(&s).await.map(respond) }),
        )
        .route(
            "/admin/rotate",
            post(
                |State(app): Shared| async move { respond(demo::rotate(&app.sessions, &app.keys)) },
            ),
        )
        .route(
            "/admin/reload",
            post(
                |State(app): Shared| async move { respond(demo::reload(&app.sessions, &app.keys)) },
            ),
        )
        .route(
            "/app",
            get(|s: Handle| async move { respond(pages::page(&s)) }),
        )
        .route(
            "/app/login",
            post(|s: Handle, CsrfForm(f): CsrfForm<LoginForm>| async move {
                pages::login(&s, f).await.map(respond)
            }),
        )
        .route(
            "/app/note",
            post(|s: Handle, CsrfForm(f): CsrfForm<NoteForm>| async move {
                respond(pages::note(&s, f))
            }),
        )
        .route("/app/logout", sign_out(false))
        .route("/app/logout-everywhere", sign_out(true))
        .layer(app.sessions.layer::<Visitor>())
        .with_state(app)
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
    // `started.keys` stays here until main returns: it removes a keys
    // file the demo made for itself.
    let started = demo::start().await?;
    let listener = tokio::net::TcpListener::from_std(started.listener)?;
    axum::serve(listener, router(started.app))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}
