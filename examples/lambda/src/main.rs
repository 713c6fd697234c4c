//! An AWS Lambda function (Function URL, API Gateway REST or HTTP API) with
//! sealed cookie sessions.
//!
//! Configuration, read once per cold start:
//!
//! - `SESSION_KEYS`: the key ring in its text form (`KeyRing::from_text`:
//!   `ss1:<algorithm>:<id>:<key>` entries, primary first, comma-separated,
//!   optional `;retire=<RFC 3339>`), as the `sealed-session` key tool
//!   prints it. Put it in the function's environment from Secrets Manager
//!   or SSM Parameter Store, never in the code. To rotate, prepend a new
//!   key and keep the old ones for one session lifetime: cookies under them
//!   still open and are re-sealed under the new primary on their next
//!   request.
//!
//! Routes: `POST /login` with `{"user": "alice", "note": "..."}` (`note`
//! optional; a long one makes the session span several cookies), `GET /me`,
//! `POST /logout`. `src/bin/lambda-axum.rs` is the same function under the
//! crate's axum layer.
//! A bad configuration fails the cold start (the function reports an init
//! error) instead of failing every request.

mod app;

use lambda_http::{Error, Request, run, service_fn};
use sealed_session::KeyRing;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // The sealer (and its cipher state) is built once per cold start and
    // shared by every invocation of this execution environment. The error
    // names the bad entry, never key bytes, so it is safe in the init log.
    let app = app::App::new(KeyRing::from_env("SESSION_KEYS")?)?;
    let app = &app;
    run(service_fn(move |request: Request| async move {
        Ok::<_, Error>(app.handle(request))
    }))
    .await
}
