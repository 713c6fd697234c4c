//! An AWS Lambda function (Function URL, API Gateway REST or HTTP API) with
//! sealed cookie sessions.
//!
//! Configuration, read once per cold start:
//!
//! - `SESSION_KEYS`: the key ring, primary key first, comma-separated
//!   (`ss1:<algorithm>:<id>:<key>` each, as printed by `Key::to_text`). Put
//!   it in the function's environment from Secrets Manager or SSM Parameter
//!   Store, never in the code. To rotate, prepend a new key and keep the old
//!   ones for one session lifetime: cookies under them still open and are
//!   re-sealed under the new primary on their next request.
//!
//! Routes: `POST /login` with `{"user": "alice"}`, `GET /me`, `POST /logout`.
//! A bad configuration fails the cold start (the function reports an init
//! error) instead of failing every request.

mod app;

use lambda_http::{Error, Request, run, service_fn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let keys = std::env::var("SESSION_KEYS").map_err(|_| "SESSION_KEYS is not set")?;
    // The sealer (and its cipher state) is built once per cold start and
    // shared by every invocation of this execution environment.
    let app = app::App::from_keys(&keys)?;
    let app = &app;
    run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(app.handle(request))
    }))
    .await
}
