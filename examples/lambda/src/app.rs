//! The routes, as a plain function from request to response, so they are
//! tested without the Lambda runtime.

use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, RequestPayloadExt, Response};
use sealed_session::http::{Found, RequestCookies};
use sealed_session::{Chunking, Error, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use time::Duration;

/// What the cookie carries. Keep it small: it travels on every request.
#[derive(Serialize, Deserialize)]
pub struct User {
    pub name: String,
    /// Free text kept in the session. A long one makes the session larger
    /// than one cookie: then it is split over `__Host-session.0`, `.1`, ...
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize)]
struct Login {
    user: String,
    #[serde(default)]
    note: String,
}

/// Sessions of up to 4 cookies within 6 KiB of request header (the
/// defaults); one that fits one cookie is sealed as without chunking.
fn chunking() -> Chunking {
    Chunking::new()
}

pub struct App {
    sealer: Sealer,
}

impl App {
    /// Builds the sealer around a key ring. Configuration mistakes fail
    /// here, at the cold start, not on a request.
    pub fn new(ring: KeyRing) -> Result<App, Error> {
        let sealer = Sealer::builder(ring)
            .with_ttl(Duration::hours(12))
            .with_idle_timeout(Duration::minutes(30))
            .build()?;
        Ok(App { sealer })
    }

    pub fn handle(&self, request: Request) -> Response<Body> {
        match (request.method(), request.uri().path()) {
            (&Method::POST, "/login") => self.login(&request),
            (&Method::GET, "/me") => self.me(&request),
            (&Method::POST, "/logout") => self.logout(&request),
            _ => respond(StatusCode::NOT_FOUND, "not found\n", vec![]),
        }
    }

    fn login(&self, request: &Request) -> Response<Body> {
        let Ok(Some(Login { user, note })) = request.payload::<Login>() else {
            return respond(
                StatusCode::BAD_REQUEST,
                "expected {\"user\": \"...\"}\n",
                vec![],
            );
        };
        // A real handler checks credentials here.
        let mut session = Session::new(User {
            name: user.clone(),
            note,
        });
        if session.set_subject(user).is_err() {
            return respond(StatusCode::BAD_REQUEST, "user name too long\n", vec![]);
        }
        let sealed = match chunking().seal(&self.sealer, &session) {
            Ok(sealed) => sealed,
            Err(Error::TooLarge { .. }) => {
                return respond(StatusCode::PAYLOAD_TOO_LARGE, "session too large\n", vec![]);
            }
            Err(_) => return respond(StatusCode::INTERNAL_SERVER_ERROR, "cannot seal\n", vec![]),
        };
        // Also removes the cookies of an earlier session the request
        // carried that the new ones do not overwrite (stale chunks).
        match self.cookies(request).replace_with(&self.sealer, &sealed) {
            Ok(cookies) => respond(StatusCode::OK, "logged in\n", cookies),
            Err(_) => respond(StatusCode::INTERNAL_SERVER_ERROR, "cannot seal\n", vec![]),
        }
    }

    /// The session cookies (plain and chunks) of the request's `Cookie`
    /// headers. API Gateway's HTTP API passes cookies in their own array;
    /// lambda_http joins them back into `Cookie` headers.
    fn cookies<'r>(&self, request: &'r Request) -> RequestCookies<'r> {
        RequestCookies::parse(request.headers(), self.sealer.cookie_name())
    }

    fn me(&self, request: &Request) -> Response<Body> {
        let cookies = self.cookies(request);
        let opened = match cookies.open::<User>(&self.sealer, Some(chunking())) {
            Found::Session(opened) => opened,
            // Tampered, expired, another key...: no session, and the
            // cookies are deleted. The error says why and is safe to log.
            Found::Invalid(_) => {
                let removals = cookies.removals(&self.sealer);
                return respond(StatusCode::UNAUTHORIZED, "not logged in\n", removals);
            }
            // Nothing, copies that must not be touched, or a session this
            // deploy cannot read (kept for one that can).
            Found::None | Found::Conflict(_) | Found::Unreadable(_) => {
                return respond(StatusCode::UNAUTHORIZED, "not logged in\n", vec![]);
            }
        };
        // Idle renewal due or an old key: send fresh cookies. Most
        // requests send none.
        let set_cookies = if opened.needs_reseal() {
            chunking()
                .seal(&self.sealer, opened.session())
                .ok()
                .and_then(|sealed| cookies.replace_with(&self.sealer, &sealed).ok())
                .unwrap_or_default()
        } else {
            vec![]
        };
        let user = opened.session().data();
        let mut body = format!("hello {}\n", user.name);
        if !user.note.is_empty() {
            body.push_str(&format!("note: {}\n", user.note));
        }
        respond(StatusCode::OK, &body, set_cookies)
    }

    fn logout(&self, request: &Request) -> Response<Body> {
        // This removes the cookies (every chunk) from the browser. A copy
        // kept elsewhere stays valid until it expires, unless the session
        // id is also put on a revocation list (see the README's
        // "Serverless and edge").
        let removals = self.cookies(request).removals(&self.sealer);
        respond(StatusCode::OK, "logged out\n", removals)
    }
}

fn respond(status: StatusCode, body: &str, set_cookies: Vec<HeaderValue>) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store");
    for cookie in set_cookies {
        response = response.header(header::SET_COOKIE, cookie);
    }
    response
        .body(Body::from(body))
        .expect("static headers and a sealed cookie are valid header values")
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http;
    use sealed_session::Key;

    /// An app over the ring's text form, as `SESSION_KEYS` holds it.
    fn app_from(keys: &str) -> Result<App, Error> {
        App::new(KeyRing::from_text(keys)?)
    }

    fn new_app() -> App {
        let keys = format!(
            "{}, {}",
            &*Key::generate(2).to_text(),
            &*Key::generate(1).to_text()
        );
        app_from(&keys).unwrap()
    }

    fn request(method: Method, path: &str, cookie: Option<&str>, body: &str) -> Request {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::from(body)).unwrap()
    }

    fn set_cookie(response: &Response<Body>) -> Option<String> {
        let value = response.headers().get(header::SET_COOKIE)?;
        Some(
            value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned(),
        )
    }

    fn text(response: &Response<Body>) -> &str {
        match response.body() {
            Body::Text(text) => text,
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn login_read_logout() {
        let app = new_app();
        let login = app.handle(request(Method::POST, "/login", None, r#"{"user":"alice"}"#));
        assert_eq!(login.status(), StatusCode::OK);
        let cookie = set_cookie(&login).expect("login sets the session cookie");
        assert!(cookie.starts_with("__Host-session="));

        let me = app.handle(request(
            Method::GET,
            "/me",
            Some(&format!("a=b; {cookie}")),
            "",
        ));
        assert_eq!(me.status(), StatusCode::OK);
        assert_eq!(text(&me), "hello alice\n");
        assert_eq!(set_cookie(&me), None, "a fresh session needs no new cookie");

        let logout = app.handle(request(Method::POST, "/logout", Some(&cookie), ""));
        assert_eq!(set_cookie(&logout).as_deref(), Some("__Host-session="));
    }

    #[test]
    fn a_large_session_is_chunked_and_logout_removes_every_chunk() {
        let app = new_app();
        let note = "n".repeat(3500);
        let body = format!(r#"{{"user":"carol","note":"{note}"}}"#);
        let login = app.handle(request(Method::POST, "/login", None, &body));
        assert_eq!(login.status(), StatusCode::OK);
        let pairs: Vec<_> = login
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .collect();
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        assert!(pairs[0].starts_with("__Host-session.0=2."));
        let jar = pairs.join("; ");
        let me = app.handle(request(Method::GET, "/me", Some(&jar), ""));
        assert_eq!(text(&me), format!("hello carol\nnote: {note}\n"));
        let only_first = app.handle(request(Method::GET, "/me", Some(&pairs[0]), ""));
        assert_eq!(only_first.status(), StatusCode::UNAUTHORIZED);
        let logout = app.handle(request(Method::POST, "/logout", Some(&jar), ""));
        assert_eq!(
            logout.headers().get_all(header::SET_COOKIE).iter().count(),
            2
        );
        let huge = format!(r#"{{"user":"dave","note":"{}"}}"#, "x".repeat(20_000));
        let refused = app.handle(request(Method::POST, "/login", None, &huge));
        assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn rejects_missing_and_forged_cookies() {
        let app = new_app();
        let none = app.handle(request(Method::GET, "/me", None, ""));
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
        let forged = app.handle(request(
            Method::GET,
            "/me",
            Some("__Host-session=AQEAAAAB"),
            "",
        ));
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
        // A cookie sealed under keys this app does not have.
        let other = new_app().handle(request(
            Method::POST,
            "/login",
            None,
            r#"{"user":"mallory"}"#,
        ));
        let foreign = set_cookie(&other).unwrap();
        let rejected = app.handle(request(Method::GET, "/me", Some(&foreign), ""));
        assert_eq!(rejected.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn old_key_cookies_open_and_are_resealed() {
        let old = Key::generate(1);
        let before = app_from(&old.to_text()).unwrap();
        let login = before.handle(request(Method::POST, "/login", None, r#"{"user":"bob"}"#));
        let cookie = set_cookie(&login).unwrap();

        // Rotation: a new primary in front, the old key kept for opening.
        let keys = format!("{},{}", &*Key::generate(2).to_text(), &*old.to_text());
        let after = app_from(&keys).unwrap();
        let me = after.handle(request(Method::GET, "/me", Some(&cookie), ""));
        assert_eq!(text(&me), "hello bob\n");
        let resealed = set_cookie(&me).expect("sealed under an old key: re-sealed");
        assert_ne!(resealed, cookie);
    }

    /// An API Gateway HTTP API (payload 2.0) event, which carries cookies
    /// in their own `cookies` array rather than in a header.
    fn http_api_event(method: &str, path: &str, cookies: &[&str], body: &str) -> Request {
        let event = format!(
            r#"{{"version": "2.0", "routeKey": "$default", "rawPath": "{path}",
                "rawQueryString": "", "cookies": {cookies:?},
                "headers": {{"content-type": "application/json", "host": "example.com"}},
                "requestContext": {{"accountId": "123456789012", "apiId": "api-id",
                    "domainName": "example.com", "domainPrefix": "example",
                    "http": {{"method": "{method}", "path": "{path}", "protocol": "HTTP/1.1",
                        "sourceIp": "192.0.2.1", "userAgent": "test"}},
                    "requestId": "id", "routeKey": "$default", "stage": "$default",
                    "time": "12/Mar/2030:19:03:58 +0000", "timeEpoch": 1899999999000}},
                "body": {body:?}, "isBase64Encoded": false}}"#
        );
        lambda_http::request::from_str(&event).unwrap()
    }

    #[test]
    fn cookies_from_an_http_api_event() {
        let app = new_app();
        let login = app.handle(http_api_event("POST", "/login", &[], r#"{"user":"carol"}"#));
        assert_eq!(login.status(), StatusCode::OK);
        let cookie = set_cookie(&login).unwrap();
        let me = app.handle(http_api_event("GET", "/me", &["theme=dark", &cookie], ""));
        assert_eq!(text(&me), "hello carol\n");
    }

    #[test]
    fn bad_configuration_fails_at_startup() {
        assert!(app_from("").is_err());
        assert!(app_from("ss1:not-a-key").is_err());
    }
}
