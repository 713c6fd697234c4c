//! One contender of the HTTP-level benchmark per process: `GET /me` reads
//! the session, `POST /bump` changes it, `POST /login` starts one. Every
//! contender runs on one thread (a current-thread tokio runtime, or one
//! actix-web worker), so that scripts/http-bench.sh can pin it to one core
//! and read its CPU time per request from the kernel.
//!
//! Usage: `http-bench-server <contender> <addr>`, contender one of `none`,
//! `sealed-axum`, `sealed-axum-outer`, `sealed-actix`, `sealed-plain`, `tower-sessions`,
//! `private-jar`.

mod actix;
mod data;
mod peers;
mod sealed;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let contender = args.next().ok_or("contender?")?;
    let addr: std::net::SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:3100".into())
        .parse()?;
    if contender == "sealed-actix" {
        return actix::serve(addr);
    }
    if contender == "sealed-axum-outer" {
        let service = sealed::outer()?;
        return serve(
            addr,
            &contender,
            axum::ServiceExt::<axum::extract::Request>::into_make_service(service),
        );
    }
    let app = match contender.as_str() {
        "none" => peers::none(),
        "sealed-axum" => sealed::layer()?,
        "sealed-plain" => sealed::plain()?,
        "sealed-plain-routed" => sealed::plain_routed()?,
        "tower-sessions" => peers::tower_sessions(),
        "private-jar" => peers::private_jar(),
        other => return Err(format!("unknown contender {other}").into()),
    };
    serve(addr, &contender, app.into_make_service())
}

/// Serves on one current-thread runtime until killed.
fn serve<M, S>(
    addr: std::net::SocketAddr,
    contender: &str,
    make: M,
) -> Result<(), Box<dyn std::error::Error>>
where
    M: for<'a> tower::Service<
            axum::serve::IncomingStream<'a, tokio::net::TcpListener>,
            Error = std::convert::Infallible,
            Response = S,
        > + Send
        + 'static,
    for<'a> <M as tower::Service<axum::serve::IncomingStream<'a, tokio::net::TcpListener>>>::Future:
        Send,
    S: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?
        .block_on(async move {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            println!("{contender} on http://{}", listener.local_addr()?);
            axum::serve(listener, make).await
        })?;
    Ok(())
}
