//! The tower layer around a plain hyper 1 service, no framework: a server
//! on a loopback port, and a client (this same program) that logs in,
//! reads, changes, logs out and replays the logged-out cookie.
//!
//! Run: `cargo run --example hyper --features tower`

use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::web::{SessionHandle, Sessions};
use sealed_session::{Key, KeyRing, Sealer};
use std::convert::Infallible;
use tower::ServiceBuilder;

type Handle = SessionHandle<String, MemoryStore>;

/// The app: routes on the path, the session from the request extensions.
async fn app(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let Some(session) = req.extensions().get::<Handle>().cloned() else {
        // Only without the layer: a server bug, never a 200.
        let mut response = Response::new(Full::from("no session layer"));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        return Ok(response);
    };
    let (status, body) = match req.uri().path() {
        "/login" => match session.login("alice".into(), Some("alice")).await {
            Ok(()) => (StatusCode::OK, "welcome".to_string()),
            // 503 when the store is down: a login is never a silent success.
            Err(e) => (sealed_session::web::status_of(&e), "try again".into()),
        },
        "/me" => (
            StatusCode::OK,
            session.get().unwrap_or_else(|| "nobody".into()),
        ),
        "/shout" => match session.update(|s| s.data_mut().make_ascii_uppercase()) {
            Some(()) => (StatusCode::OK, "changed".into()),
            None => (StatusCode::UNAUTHORIZED, "log in first".into()),
        },
        "/logout" => match session.logout().await {
            Ok(()) => (StatusCode::OK, "bye".into()),
            Err(e) => (sealed_session::web::status_of(&e), "try again".into()),
        },
        _ => (StatusCode::NOT_FOUND, "not found".into()),
    };
    let mut response = Response::new(Full::from(body));
    *response.status_mut() = status;
    Ok(response)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10_000)?)?);
    let service = ServiceBuilder::new()
        .layer(sessions.layer::<String>())
        .service_fn(app);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("hyper server on http://{addr}");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });

    // The client keeps the cookie by hand: reqwest's own jar would not
    // send a `Secure` cookie over plain http.
    let client = reqwest::Client::new();
    let mut cookie = String::new();
    let call = async |path: &str, cookie: &mut String| -> Result<(u16, String), reqwest::Error> {
        let res = client
            .get(format!("http://{addr}{path}"))
            .header("cookie", cookie.as_str())
            .send()
            .await?;
        let status = res.status().as_u16();
        let lines: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap_or_default().to_owned())
            .collect();
        let body = res.text().await?;
        println!("GET {path} -> {status} {body}");
        for line in lines {
            println!("  Set-Cookie: {}...", &line[..line.len().min(60)]);
            let pair = line.split(';').next().unwrap_or_default();
            *cookie = if line.contains("Max-Age=0") {
                String::new()
            } else {
                pair.to_owned()
            };
        }
        Ok((status, body))
    };
    for path in ["/me", "/login", "/me", "/shout", "/me"] {
        call(path, &mut cookie).await?;
    }
    let mut replay = cookie.clone();
    call("/logout", &mut cookie).await?;
    println!("replaying the logged-out cookie:");
    let (_, body) = call("/me", &mut replay).await?;
    assert_eq!(body, "nobody", "a logged-out cookie must not open");
    Ok(())
}
