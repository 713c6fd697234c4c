//! Login, read and logout over sealed, revocable sessions, independent of
//! the runtime: generic over the revocation store, so the Worker runs them
//! over the Durable Object store and the tests below over a `MemoryStore`.

use sealed_session::http::{Found, RequestCookies};
use sealed_session::revocation::{Revocation, RevocationStore};
use sealed_session::{Chunking, Error, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use time::Duration;

/// What the cookie carries. Keep it small: it travels on every request.
#[derive(Serialize, Deserialize)]
pub struct User {
    /// The user's name.
    pub name: String,
    /// Free text kept in the session. A long one makes the session larger
    /// than one cookie: then it is split over `__Host-session.0`, `.1`, ...
    #[serde(default)]
    pub note: String,
}

/// A response, before it is turned into the runtime's type.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// A plain-text body.
    pub body: String,
    /// `Set-Cookie` values to send, in order.
    pub set_cookies: Vec<String>,
}

impl Reply {
    /// A plain-text reply without cookies.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.into(),
            set_cookies: Vec::new(),
        }
    }

    fn with_cookies(mut self, lines: Vec<String>) -> Reply {
        self.set_cookies = lines;
        self
    }
}

/// Sessions of up to 4 cookies within 6 KiB of request header (the
/// defaults); one that fits one cookie is sealed as without chunking.
pub fn chunking() -> Chunking {
    Chunking::new()
}

/// Builds the sealer from the key ring's text form (`KeyRing::from_text`:
/// primary first, comma-separated). A bad ring fails here, on the first
/// request of an isolate, not later.
pub fn sealer_from_keys(text: &str) -> Result<Sealer, Error> {
    Sealer::builder(KeyRing::from_text(text)?)
        .with_ttl(Duration::hours(12))
        .with_idle_timeout(Duration::minutes(30))
        .build()
}

/// The session cookies (plain and chunks) of a `Cookie` header.
fn cookies<'h>(header: Option<&'h str>, sealer: &Sealer) -> RequestCookies<'h> {
    RequestCookies::from_header_values(header.map(str::as_bytes), sealer.cookie_name())
}

fn lines(values: Vec<http::HeaderValue>) -> Vec<String> {
    values
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect()
}

/// `POST /login`: a new session for `user` carrying `note`. A real handler
/// checks credentials first. Cookies of an earlier session the request
/// carried, and chunks the new one does not overwrite, are removed.
pub async fn login<S: RevocationStore>(
    sessions: &Revocation<S>,
    cookie_header: Option<&str>,
    user: String,
    note: String,
) -> Reply {
    let mut session = Session::new(User {
        name: user.clone(),
        note,
    });
    if session.set_subject(user).is_err() {
        return Reply::text(400, "user name too long\n");
    }
    // Stamps the session past a "log out everywhere" of this user.
    if sessions.login(&mut session).await.is_err() {
        return Reply::text(503, "revocation store unavailable\n");
    }
    let sealer = sessions.sealer();
    let sealed = match chunking().seal(sealer, &session) {
        Ok(sealed) => sealed,
        Err(Error::TooLarge { .. }) => return Reply::text(413, "session too large\n"),
        Err(_) => return Reply::text(500, "cannot seal\n"),
    };
    match cookies(cookie_header, sealer).replace_with(sealer, &sealed) {
        Ok(values) => Reply::text(200, "logged in\n").with_cookies(lines(values)),
        Err(_) => Reply::text(500, "cannot seal\n"),
    }
}

/// `GET /me`: who is logged in, from the request's `Cookie` header, after
/// the revocation check. A session sealed under an old key (or due for
/// idle renewal) is re-sealed; most requests send no cookie.
pub async fn me<S: RevocationStore>(
    sessions: &Revocation<S>,
    cookie_header: Option<&str>,
) -> Reply {
    let sealer = sessions.sealer();
    let cookies = cookies(cookie_header, sealer);
    let opened = match cookies.open::<User>(sealer, Some(chunking())) {
        Found::Session(opened) => opened,
        // Tampered, expired, another key...: no session, and the cookies
        // are deleted. The error says why and is safe to log.
        Found::Invalid(_) => {
            return Reply::text(401, "not logged in\n")
                .with_cookies(lines(cookies.removals(sealer)));
        }
        // Nothing, copies that must not be touched, or a session this
        // deploy cannot read (kept for one that can).
        Found::None | Found::Conflict(_) | Found::Unreadable(_) => {
            return Reply::text(401, "not logged in\n");
        }
    };
    let checked = match sessions.check(opened).await {
        Ok(checked) => checked,
        Err(Error::Revoked { .. }) => {
            return Reply::text(401, "session revoked\n")
                .with_cookies(lines(cookies.removals(sealer)));
        }
        // Fail closed: the store could not say whether it was revoked.
        Err(_) => return Reply::text(503, "revocation store unavailable\n"),
    };
    let user = checked.session().data();
    let mut body = format!("hello {}\n", user.name);
    if !user.note.is_empty() {
        body.push_str(&format!("note: {}\n", user.note));
    }
    let set_cookies = if checked.needs_reseal() {
        chunking()
            .seal(sealer, checked.session())
            .ok()
            .and_then(|sealed| cookies.replace_with(sealer, &sealed).ok())
            .map(lines)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Reply::text(200, &body).with_cookies(set_cookies)
}

/// `POST /logout`: revokes the session's id until its deadline, so a copy
/// of the cookie kept elsewhere is refused from the next request on, and
/// deletes the cookies (every chunk) from the browser.
pub async fn logout<S: RevocationStore>(
    sessions: &Revocation<S>,
    cookie_header: Option<&str>,
) -> Reply {
    let sealer = sessions.sealer();
    let cookies = cookies(cookie_header, sealer);
    let removals = lines(cookies.removals(sealer));
    let Found::Session(opened) = cookies.open::<User>(sealer, Some(chunking())) else {
        return Reply::text(200, "logged out\n").with_cookies(removals);
    };
    match sessions.logout(&opened).await {
        Ok(_) => Reply::text(200, "logged out\n").with_cookies(removals),
        // Not recorded: say so, and still delete the browser's cookies.
        Err(_) => Reply::text(503, "logout not recorded\n").with_cookies(removals),
    }
}

#[cfg(test)]
mod tests;
