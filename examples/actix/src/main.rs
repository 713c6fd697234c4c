//! The example app on actix-web: sealed sessions, revocation, and key
//! rotation that logs nobody out.
//!
//! ```sh
//! cargo run --manifest-path examples/actix/Cargo.toml
//! # with a shared Redis revocation store instead of the in-memory one:
//! SEALED_SESSION_REDIS_URL=redis://127.0.0.1:6379 cargo run --manifest-path examples/actix/Cargo.toml --features redis
//! ```
//!
//! The routes, what they answer and the environment variables are
//! examples/demo's (its crate docs list them), shared with the axum server
//! (examples/server): this file only maps the routes to actix-web and the
//! demo's answers to actix-web responses.

use actix_web::error::{InternalError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, Route, web};
use sealed_session::actix::CsrfForm;
use sealed_session_demo::pages::{self, Empty, LoginForm, NoteForm};
use sealed_session_demo::{self as demo, Answer, Handle, Login, Pad, Visitor};

/// The demo's answer as actix-web's response. Routes that call the
/// revocation store return `Result<HttpResponse, sealed_session::Error>`:
/// session errors are responses with their status (503 when the store is
/// down, 500 when the session cannot be saved).
fn respond(answer: Answer) -> HttpResponse {
    match answer {
        Answer::Text(status, text) => HttpResponse::build(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .content_type("text/plain; charset=utf-8")
        .body(text),
        Answer::Html(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(html),
        Answer::Redirect(to) => HttpResponse::SeeOther()
            .insert_header((LOCATION, to))
            .finish(),
    }
}

/// A query that does not deserialize: axum's 400 and text, so both servers
/// answer `POST /login` without `user` alike.
fn bad_query(error: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let QueryPayloadError::Deserialize(reason) = &error else {
        return error.into();
    };
    let response = HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .body(format!("Failed to deserialize query string: {reason}"));
    InternalError::from_response(error, response).into()
}

type Shared = web::Data<demo::App>;

fn routes(config: &mut web::ServiceConfig) {
    config.app_data(web::QueryConfig::default().error_handler(bad_query));
    // A resource per path, not `config.route`: that one makes the method
    // part of the path's match, so a GET of a POST route would be 404
    // where axum (and HTTP) say 405.
    let mut at = |path: &str, route: Route| {
        config.service(web::resource(path).route(route));
    };
    at(
        "/",
        web::get().to(|s: Handle| async move { respond(demo::show(&s)) }),
    );
    at(
        "/whoami",
        web::get().to(|s: Handle| async move { respond(demo::whoami(&s)) }),
    );
    at(
        "/login",
        web::post().to(|s: Handle, q: web::Query<Login>| async move {
            demo::login(&s, q.into_inner()).await.map(respond)
        }),
    );
    at(
        "/pad",
        web::post().to(|app: Shared, s: Handle, q: web::Query<Pad>| async move {
            respond(demo::pad(&app.sessions, &s, q.into_inner()))
        }),
    );
    at(
        "/logout",
        web::post().to(|s: Handle| async move { demo::logout(&s).await.map(respond) }),
    );
    at(
        "/logout-everywhere",
        web::post().to(|s: Handle| async move { demo::logout_everywhere(&s).await.map(respond) }),
    );
    at(
        "/admin/rotate",
        web::post()
            .to(|app: Shared| async move { respond(demo::rotate(&app.sessions, &app.keys)) }),
    );
    at(
        "/admin/reload",
        web::post()
            .to(|app: Shared| async move { respond(demo::reload(&app.sessions, &app.keys)) }),
    );
    at(
        "/app",
        web::get().to(|s: Handle| async move { respond(pages::page(&s)) }),
    );
    at(
        "/app/login",
        web::post().to(|s: Handle, CsrfForm(f): CsrfForm<LoginForm>| async move {
            pages::login(&s, f).await.map(respond)
        }),
    );
    at(
        "/app/note",
        web::post().to(|s: Handle, CsrfForm(f): CsrfForm<NoteForm>| async move {
            respond(pages::note(&s, f))
        }),
    );
    // Both sign-out forms, one handler.
    let sign_out = |everywhere: bool| {
        web::post().to(move |s: Handle, CsrfForm(_): CsrfForm<Empty>| async move {
            pages::sign_out(&s, everywhere).await.map(respond)
        })
    };
    at("/app/logout", sign_out(false));
    at("/app/logout-everywhere", sign_out(true));
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `started.keys` stays here until main returns: it removes a keys
    // file the demo made for itself.
    let started = demo::start().await?;
    let app = web::Data::from(started.app);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app.clone())
            .wrap(app.sessions.middleware::<Visitor>())
            .configure(routes)
    })
    // Our own handlers below, so that Ctrl-C and SIGTERM stop it the same
    // way as the axum server: gracefully, then main returns.
    .disable_signals()
    .listen(started.listener)?
    .run();
    stop_on_signals(&server)?;
    server.await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what the browser test and process managers send):
/// a graceful stop, in-flight requests finished.
fn stop_on_signals(server: &actix_web::dev::Server) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use actix_rt::signal::unix::{SignalKind, signal};
        for kind in [SignalKind::interrupt(), SignalKind::terminate()] {
            let mut signal = signal(kind)?;
            let handle = server.handle();
            actix_rt::spawn(async move {
                signal.recv().await;
                handle.stop(true).await;
            });
        }
    }
    #[cfg(not(unix))]
    {
        let handle = server.handle();
        actix_rt::spawn(async move {
            let _ = actix_rt::signal::ctrl_c().await;
            handle.stop(true).await;
        });
    }
    Ok(())
}
