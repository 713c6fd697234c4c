//! The routes, as a plain function from request to response, so they are
//! tested without the Lambda runtime.

use lambda_http::http::{HeaderValue, Method, StatusCode, header};
use lambda_http::{Body, Request, RequestPayloadExt, Response};
use sealed_session::http::{find_cookie, removal, set_cookie};
use sealed_session::{Error, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use time::Duration;

/// What the cookie carries. Keep it small: it travels on every request.
#[derive(Serialize, Deserialize)]
pub struct User {
    pub name: String,
}

#[derive(Deserialize)]
struct Login {
    user: String,
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
            (&Method::POST, "/logout") => self.logout(),
            _ => respond(StatusCode::NOT_FOUND, "not found\n", None),
        }
    }

    fn login(&self, request: &Request) -> Response<Body> {
        let Ok(Some(Login { user })) = request.payload::<Login>() else {
            return respond(
                StatusCode::BAD_REQUEST,
                "expected {\"user\": \"...\"}\n",
                None,
            );
        };
        // A real handler checks credentials here.
        let mut session = Session::new(User { name: user.clone() });
        if session.set_subject(user).is_err() {
            return respond(StatusCode::BAD_REQUEST, "user name too long\n", None);
        }
        match set_cookie(&self.sealer, &session) {
            Ok(cookie) => respond(StatusCode::OK, "logged in\n", Some(cookie)),
            Err(_) => respond(StatusCode::INTERNAL_SERVER_ERROR, "cannot seal\n", None),
        }
    }

    fn me(&self, request: &Request) -> Response<Body> {
        // API Gateway's HTTP API passes cookies in their own array;
        // lambda_http joins them back into `Cookie` headers.
        let Some(value) = find_cookie(request.headers(), self.sealer.cookie_name()) else {
            return respond(StatusCode::UNAUTHORIZED, "not logged in\n", None);
        };
        // Every rejection (tampered, expired, unknown key...) means "no
        // session"; the error says why, and is safe to log.
        let opened = match self.sealer.open::<User>(value) {
            Ok(opened) => opened,
            Err(_) => return respond(StatusCode::UNAUTHORIZED, "not logged in\n", None),
        };
        // Idle renewal due or an old key: send a fresh cookie. Most
        // requests send none.
        let cookie = if opened.needs_reseal() {
            set_cookie(&self.sealer, opened.session()).ok()
        } else {
            None
        };
        let body = format!("hello {}\n", opened.session().data().name);
        respond(StatusCode::OK, &body, cookie)
    }

    fn logout(&self) -> Response<Body> {
        // This removes the cookie from the browser. A copy kept elsewhere
        // stays valid until it expires, unless the session id is also put on
        // a revocation list (see the README's "Serverless and edge").
        respond(StatusCode::OK, "logged out\n", Some(removal(&self.sealer)))
    }
}

fn respond(status: StatusCode, body: &str, set_cookie: Option<HeaderValue>) -> Response<Body> {
    let mut response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store");
    if let Some(cookie) = set_cookie {
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
