//! A Cloudflare Worker with sealed, revocable cookie sessions.
//!
//! Configuration (see `wrangler.toml`):
//!
//! - the `SESSION_KEYS` secret (`wrangler secret put SESSION_KEYS`): the
//!   key ring in its text form (`KeyRing::from_text`:
//!   `ss1:<algorithm>:<id>:<key>` entries, primary first,
//!   comma-separated). To rotate, put a ring with the new key first and the
//!   old one after it: old cookies still open and are re-sealed under the
//!   new primary on their next request;
//! - the `REVOCATIONS` Durable Object binding, class `SessionRevocations`
//!   from the `sealed-session-worker` crate: the deny-list that makes a
//!   logout stick.
//!
//! Routes:
//!
//! - `POST /login` with `{"user": "alice", "note": "..."}` (`note`
//!   optional): a new session; a long note makes it span several cookies;
//! - `GET /me`: `hello <user>` (and the note), or 401;
//! - `POST /logout`: revokes the session and deletes its cookies.
//!
//! The session logic is in [`routes`], plain Rust tested natively; this
//! file only adapts it to the Workers runtime. tests/edge/ runs it in
//! workerd.

pub mod routes;

#[cfg(target_arch = "wasm32")]
mod entry {
    use crate::routes::{self, Reply};
    use sealed_session::revocation::Revocation;
    use sealed_session_worker::DurableObjectStore;
    use serde::Deserialize;
    use std::sync::OnceLock;
    use worker::{Context, Env, Method, Request, Response, Result, event};

    // The Durable Object class `SessionRevocations` is exported from this
    // Worker's module by linking sealed-session-worker (its
    // `#[durable_object]` is a wasm-bindgen export), so the binding in
    // wrangler.toml finds it without a `use` here.

    type Sessions = Revocation<DurableObjectStore>;

    /// Built on the first request an isolate serves and reused by the
    /// following ones, so the cipher state is set up once, not per request.
    /// A new ring takes effect with the next deploy (new isolates).
    static SESSIONS: OnceLock<Sessions> = OnceLock::new();

    fn sessions(env: &Env) -> Result<&'static Sessions> {
        if let Some(sessions) = SESSIONS.get() {
            return Ok(sessions);
        }
        let keys = env.secret("SESSION_KEYS")?.to_string();
        // The error names what is wrong with the ring, never key bytes.
        let config = |what: &str, err: sealed_session::Error| {
            worker::Error::RustError(format!("{what}: {err}"))
        };
        let sealer = routes::sealer_from_keys(&keys).map_err(|e| config("SESSION_KEYS", e))?;
        let store = DurableObjectStore::from_env(env, "REVOCATIONS")?;
        let sessions = Revocation::new(sealer, store).map_err(|e| config("revocation", e))?;
        Ok(SESSIONS.get_or_init(|| sessions))
    }

    #[derive(Deserialize)]
    struct Login {
        user: String,
        #[serde(default)]
        note: String,
    }

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let sessions = sessions(&env)?;
        let cookies = req.headers().get("Cookie")?;
        let cookies = cookies.as_deref();
        let reply = match (req.method(), req.path().as_str()) {
            (Method::Post, "/login") => match req.json::<Login>().await {
                Ok(login) => routes::login(sessions, cookies, login.user, login.note).await,
                Err(_) => Reply::text(400, "expected {\"user\": \"...\"}\n"),
            },
            (Method::Get, "/me") => routes::me(sessions, cookies).await,
            (Method::Post, "/logout") => routes::logout(sessions, cookies).await,
            _ => Reply::text(404, "not found\n"),
        };
        let response = Response::ok(reply.body)?.with_status(reply.status);
        let headers = response.headers();
        headers.set("Content-Type", "text/plain; charset=utf-8")?;
        headers.set("Cache-Control", "no-store")?;
        for cookie in &reply.set_cookies {
            headers.append("Set-Cookie", cookie)?;
        }
        Ok(response)
    }
}
