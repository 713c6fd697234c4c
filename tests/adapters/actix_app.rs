//! The table's routes as an actix-web app under `Sessions::middleware`.

use super::apps::{Reply, Req};
use super::routes::{self, Comment, Handle};
use actix_web::http::StatusCode;
use actix_web::{App, HttpResponse, test, web};
use sealed_session::Error;
use sealed_session::actix::{
    CsrfForm, CsrfHeader, OptionalSession, RequiredSession, SessionHandle,
};
use sealed_session::http::CookieConflict;
use sealed_session::revocation::AnyStore;
use sealed_session::web::{MissingSessionLayer, SessionError, Sessions};

fn ok(body: impl Into<String>) -> HttpResponse {
    HttpResponse::Ok().body(body.into())
}

fn status(code: StatusCode) -> HttpResponse {
    HttpResponse::build(code).finish()
}

/// The routes, for `App::configure` (in-process and on a real server).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/read",
        web::get().to(|s: Handle| async move { ok(routes::read(&s)) }),
    )
    .route(
        "/checked",
        web::get().to(|s: Handle| async move { ok(routes::checked(&s)) }),
    )
    .route(
        "/login",
        web::get().to(|s: Handle| async move { routes::login(&s).await.map(ok) }),
    )
    .route(
        "/login-bob",
        web::get().to(|s: Handle| async move { routes::login_bob(&s).await.map(ok) }),
    )
    .route(
        "/append",
        web::get().to(|s: Handle| async move {
            routes::append(&s);
            status(StatusCode::NO_CONTENT)
        }),
    )
    .route(
        "/fill/{n}",
        web::get().to(|s: Handle, n: web::Path<usize>| async move {
            routes::fill(&s, n.into_inner());
            ok("filled")
        }),
    )
    .route(
        "/logout",
        web::get().to(|s: Handle| async move { routes::logout(&s).await.map(ok) }),
    )
    .route(
        "/everywhere",
        web::get().to(|s: Handle| async move { routes::everywhere(&s).await.map(ok) }),
    )
    .route(
        "/renew",
        web::get().to(|s: Handle| async move { routes::renew(&s).await.map(ok) }),
    )
    .route(
        "/required",
        web::get()
            .to(|RequiredSession(s): RequiredSession<String>| async move { ok(routes::read(&s)) }),
    )
    .route(
        "/optional",
        web::get().to(|OptionalSession(s): OptionalSession<String>| async move {
            ok(s.map_or("none".to_string(), |s| format!("some {}", routes::read(&s))))
        }),
    )
    .route(
        "/fail",
        web::get().to(|s: Handle| async move {
            routes::append(&s);
            HttpResponse::InternalServerError().body("failed")
        }),
    )
    .route(
        "/not-modified",
        web::get().to(|s: Handle| async move {
            routes::append(&s);
            status(StatusCode::NOT_MODIFIED)
        }),
    )
    .route(
        "/public",
        web::get().to(|s: Handle| async move {
            routes::append(&s);
            HttpResponse::Ok()
                .insert_header(("cache-control", "public, max-age=60"))
                .insert_header(("vary", "Accept-Encoding"))
                .body("ok")
        }),
    )
    .route(
        "/half",
        web::get().to(|s: Handle| async move { ok(routes::half(&s)) }),
    )
    .route(
        "/token",
        web::get().to(|s: Handle| async move { ok(routes::token(&s)) }),
    )
    .route(
        "/form",
        web::post().to(|CsrfForm(c): CsrfForm<Comment>| async move { ok(c.text) }),
    )
    .route(
        "/api",
        web::post().to(|_: CsrfHeader| async move { ok("ok") }),
    )
    .route(
        "/flash",
        web::get().to(|s: Handle| async move { ok(routes::flash(&s)) }),
    )
    .route(
        "/take-flash",
        web::get().to(|s: Handle| async move { ok(routes::take_flash(&s)) }),
    )
    .route(
        "/wrong-type",
        web::get().to(|_: SessionHandle<u32>| async move { ok("unreachable") }),
    )
    .route(
        "/error",
        web::get().to(|| async { Err::<HttpResponse, _>(Error::Serialize) }),
    );
}

pub async fn send(sessions: &Sessions<AnyStore>, req: Req) -> Reply {
    let app = test::init_service(
        App::new()
            .wrap(sessions.middleware::<String>())
            .configure(routes),
    )
    .await;
    let mut request = if req.post {
        test::TestRequest::post()
    } else {
        test::TestRequest::get()
    }
    .uri(&req.path)
    .set_payload(req.body);
    for (name, value) in req.headers {
        request = request.append_header((name, value));
    }
    let res = test::call_service(&app, request.to_request()).await;
    let status = res.status().as_u16();
    let headers = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let (error, conflict, missing) = {
        let response = res.response();
        let extensions = response.extensions();
        (
            extensions.get::<SessionError>().cloned(),
            extensions.get::<CookieConflict>().copied(),
            extensions.get::<MissingSessionLayer>().copied(),
        )
    };
    let body = test::read_body(res).await;
    Reply {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
        error,
        conflict,
        missing,
    }
}
