//! A Cloudflare Worker with sealed cookie sessions.
//!
//! Configuration: the `SESSION_KEYS` secret (`wrangler secret put
//! SESSION_KEYS`), the key ring in its text form (`KeyRing::from_text`:
//! `ss1:<algorithm>:<id>:<key>` entries, primary first, comma-separated).
//!
//! Routes: `POST /login` with `{"user": "alice"}`, `GET /me`, `POST /logout`.
//! The session logic is in [`routes`], plain Rust tested natively; this file
//! only adapts it to the Workers runtime.

pub mod routes;

#[cfg(target_arch = "wasm32")]
mod entry {
    use crate::routes::{self, Reply};
    use sealed_session::Sealer;
    use serde::Deserialize;
    use std::sync::OnceLock;
    use worker::{Context, Env, Method, Request, Response, Result, event};

    /// Built on the first request an isolate serves and reused by the
    /// following ones, so the cipher state is set up once, not per request.
    static SEALER: OnceLock<Sealer> = OnceLock::new();

    fn sealer(env: &Env) -> Result<&'static Sealer> {
        if let Some(sealer) = SEALER.get() {
            return Ok(sealer);
        }
        let keys = env.secret("SESSION_KEYS")?.to_string();
        // The error names what is wrong with the ring, never key bytes.
        let sealer = routes::sealer_from_keys(&keys)
            .map_err(|err| worker::Error::RustError(format!("SESSION_KEYS: {err}")))?;
        Ok(SEALER.get_or_init(|| sealer))
    }

    #[derive(Deserialize)]
    struct Login {
        user: String,
    }

    #[event(fetch)]
    async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let sealer = sealer(&env)?;
        let cookies = req.headers().get("Cookie")?;
        let reply = match (req.method(), req.path().as_str()) {
            (Method::Post, "/login") => match req.json::<Login>().await {
                Ok(login) => routes::login(sealer, login.user),
                Err(_) => Reply::text(400, "expected {\"user\": \"...\"}\n"),
            },
            (Method::Get, "/me") => routes::me(sealer, cookies.as_deref()),
            (Method::Post, "/logout") => routes::logout(sealer),
            _ => Reply::text(404, "not found\n"),
        };
        let response = Response::ok(reply.body)?.with_status(reply.status);
        let headers = response.headers();
        headers.set("Content-Type", "text/plain; charset=utf-8")?;
        headers.set("Cache-Control", "no-store")?;
        if let Some(cookie) = reply.set_cookie {
            headers.append("Set-Cookie", &cookie)?;
        }
        Ok(response)
    }
}
