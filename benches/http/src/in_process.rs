//! The same routers as `http-bench-server`, driven in-process (no sockets):
//! `in-process <contender> <route> <n>` sends `n` requests of one route
//! through the router with `oneshot`. Under valgrind the difference between
//! two values of `n` is the instructions per request, a figure the
//! machine's load does not change (scripts/http-bench.sh --instructions).

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
    let app = match contender.as_str() {
        "none" => peers::none(),
        "sealed-axum" => sealed::layer()?,
        "sealed-axum-outer" => return drive(sealed::outer()?, &contender, &route, n),
        "sealed-plain" => sealed::plain()?,
        "tower-sessions" => peers::tower_sessions(),
        "private-jar" => peers::private_jar(),
        other => return Err(format!("unknown contender {other}").into()),
    };
    // What `axum::serve` does once (through `into_make_service`): handlers
    // become routes here, not again in every request.
    drive(app.with_state(()), &contender, &route, n)
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
        let (method, path, with_cookie) = match route {
            "read" => ("GET", "/me", true),
            "change" => ("POST", "/bump", true),
            "login" => ("POST", "/login", false),
            other => return Err(format!("unknown route {other}").into()),
        };
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
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}
