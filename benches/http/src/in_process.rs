//! The same routers as `http-bench-server`, driven in-process (no sockets):
//! `in-process <contender> <route> <n>` sends `n` requests of one route
//! through the router with `oneshot`. Under valgrind the difference between
//! two values of `n` is the instructions per request, a figure the
//! machine's load does not change (scripts/http-bench.sh --instructions).

#[path = "actix.rs"]
mod actix;
#[path = "data.rs"]
mod data;
#[path = "peers.rs"]
mod peers;
#[path = "sealed.rs"]
mod sealed;

use axum::body::Body;
use http::Request;
use tower::ServiceExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let contender = args.next().ok_or("contender?")?;
    let route = args.next().ok_or("route?")?;
    let n: usize = args.next().ok_or("n?")?.parse()?;
    if let Some(with_sessions) = match contender.as_str() {
        "sealed-actix" => Some(true),
        "actix-none" => Some(false),
        _ => None,
    } {
        return drive_actix(with_sessions, &route, n);
    }
    let app = match contender.as_str() {
        "none" => peers::none(),
        "sealed-axum" => sealed::layer()?,
        "sealed-axum-outer" => return drive(sealed::outer()?, &contender, &route, n),
        "sealed-plain" => sealed::plain()?,
        "sealed-plain-routed" => sealed::plain_routed()?,
        "tower-sessions" => peers::tower_sessions(),
        "private-jar" => peers::private_jar(),
        other => return Err(format!("unknown contender {other}").into()),
    };
    // What `axum::serve` does once (through `into_make_service`): handlers
    // become routes here, not again in every request.
    drive(app.with_state(()), &contender, &route, n)
}

/// The cookie a session contender's login set, or, for a baseline that
/// sets none, a cookie of the size sealed-session's login sets, which the
/// baseline ignores: the requests are built and parsed alike, so "over
/// none" is what the sessions cost and not also what a 400-byte header
/// costs the driver and the framework.
fn same_size_for_none(cookie: String) -> String {
    if !cookie.is_empty() {
        return cookie;
    }
    let sealed = sealed::login_cookie().expect("the bench's sealer seals");
    let name = "baseline=";
    format!(
        "{name}{}",
        "A".repeat(sealed.len().saturating_sub(name.len()))
    )
}

fn drive<S>(
    app: S,
    contender: &str,
    route: &str,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>>
where
    S: tower::Service<Request<Body>, Response = http::Response<Body>> + Clone,
    S::Error: std::error::Error + 'static,
{
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    rt.block_on(async move {
        let login = app
            .clone()
            .oneshot(Request::post("/login").body(Body::empty())?)
            .await?;
        let cookie: String = login
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("; ");
        let cookie = same_size_for_none(cookie);
        let (method, path, with_cookie) = match route {
            "read" => ("GET", "/me", true),
            "change" => ("POST", "/bump", true),
            "login" => ("POST", "/login", false),
            other => return Err(format!("unknown route {other}").into()),
        };
        let start = std::time::Instant::now();
        for _ in 0..n {
            let mut req = Request::builder().method(method).uri(path);
            if with_cookie && !cookie.is_empty() {
                req = req.header("cookie", &cookie);
            }
            let res = app.clone().oneshot(req.body(Body::empty())?).await?;
            if !res.status().is_success() {
                return Err(format!("{contender} {path}: {}", res.status()).into());
            }
            std::hint::black_box(res);
        }
        report(start, n);
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

/// The loop's wall-clock time per request, on stderr, for
/// `scripts/http-bench.sh --in-process-time` (under valgrind it is a
/// constant cost per run, which the instruction count's difference of two
/// runs cancels).
fn report(start: std::time::Instant, n: usize) {
    let ns = start.elapsed().as_nanos() as f64 / n.max(1) as f64;
    eprintln!("ns_per_request={ns:.1}");
}

/// The actix-web contenders, through `actix_web::test::call_service` (the
/// app's service, no sockets): `sealed-actix` with the middleware,
/// `actix-none` the same routes without sessions.
fn drive_actix(
    with_sessions: bool,
    route: &str,
    n: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    use actix_web::{App, test};
    let sessions = sealed_session::actix::Sessions::new(sealed::revocation()?);
    actix_web::rt::System::new().block_on(async move {
        if with_sessions {
            let app = App::new()
                .wrap(sessions.middleware::<data::Data>())
                .configure(actix::routes);
            send_actix(&test::init_service(app).await, route, n).await
        } else {
            send_actix(
                &test::init_service(App::new().configure(actix::none_routes)).await,
                route,
                n,
            )
            .await
        }
    })
}

async fn send_actix<S, B>(app: &S, route: &str, n: usize) -> Result<(), Box<dyn std::error::Error>>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    use actix_web::test;
    let (method, path, with_cookie) = match route {
        "read" => ("GET", "/me", true),
        "change" => ("POST", "/bump", true),
        "login" => ("POST", "/login", false),
        other => return Err(format!("unknown route {other}").into()),
    };
    let login = test::call_service(app, test::TestRequest::post().uri("/login").to_request()).await;
    let cookie: String = login
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ");
    let cookie = same_size_for_none(cookie);
    let start = std::time::Instant::now();
    for _ in 0..n {
        let mut req = test::TestRequest::default()
            .method(method.parse().map_err(|_| "method")?)
            .uri(path);
        if with_cookie && !cookie.is_empty() {
            req = req.insert_header(("cookie", cookie.as_str()));
        }
        let res = test::call_service(app, req.to_request()).await;
        if !res.status().is_success() {
            return Err(format!("actix {path}: {}", res.status()).into());
        }
        std::hint::black_box(res);
    }
    report(start, n);
    Ok(())
}
