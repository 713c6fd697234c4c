//! sealed-session's actix-web middleware, on one worker.

use crate::data::Data;
use crate::sealed::revocation;
use actix_web::{App, HttpResponse, HttpServer, web};
use sealed_session::actix::{SessionHandle, Sessions};
use sealed_session::revocation::MemoryStore;

type Handle = SessionHandle<Data, MemoryStore>;

/// The three routes, for the server and the in-process driver alike.
pub fn routes(config: &mut web::ServiceConfig) {
    config
        .route(
            "/me",
            web::get().to(|s: Handle| async move {
                s.read(|s| s.map_or(0, |s| s.data().visits)).to_string()
            }),
        )
        .route(
            "/bump",
            web::post().to(|s: Handle| async move {
                match s.update(|s| s.data_mut().visits += 1) {
                    Some(()) => HttpResponse::Ok().finish(),
                    None => HttpResponse::Unauthorized().finish(),
                }
            }),
        )
        .route(
            "/login",
            web::post().to(|s: Handle| async move {
                s.login(Data::login(), Some("alice")).await.map(|()| "in")
            }),
        );
}

/// The same routes without sessions: the baseline of the in-process count.
#[allow(dead_code)]
pub fn none_routes(config: &mut web::ServiceConfig) {
    config
        .route("/me", web::get().to(|| async { "0" }))
        .route("/bump", web::post().to(HttpResponse::Ok))
        .route("/login", web::post().to(|| async { "in" }));
}

#[allow(dead_code)]
pub fn serve(addr: std::net::SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let sessions = Sessions::new(revocation()?);
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .wrap(sessions.middleware::<Data>())
                .configure(routes)
        })
        .workers(1)
        .bind(addr)?;
        println!("sealed-actix on http://{}", server.addrs()[0]);
        server.run().await
    })?;
    Ok(())
}
