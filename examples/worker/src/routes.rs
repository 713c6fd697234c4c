//! Login, read and logout over sealed sessions, independent of the runtime.

use sealed_session::{Error, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use time::Duration;

/// What the cookie carries. Keep it small: it travels on every request.
#[derive(Serialize, Deserialize)]
pub struct User {
    /// The user's name.
    pub name: String,
}

/// A response, before it is turned into the runtime's type.
#[derive(Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// A plain-text body.
    pub body: String,
    /// A `Set-Cookie` value to send, if any.
    pub set_cookie: Option<String>,
}

impl Reply {
    /// A plain-text reply without a cookie.
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            body: body.into(),
            set_cookie: None,
        }
    }
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

/// `POST /login`: a new session for `user`. A real handler checks
/// credentials first.
pub fn login(sealer: &Sealer, user: String) -> Reply {
    let mut session = Session::new(User { name: user.clone() });
    if session.set_subject(user).is_err() {
        return Reply::text(400, "user name too long\n");
    }
    match sealer.seal(&session) {
        Ok(cookie) => Reply {
            set_cookie: Some(cookie),
            ..Reply::text(200, "logged in\n")
        },
        Err(_) => Reply::text(500, "cannot seal\n"),
    }
}

/// `GET /me`: who is logged in, from the request's `Cookie` header.
pub fn me(sealer: &Sealer, cookie_header: Option<&str>) -> Reply {
    let value = cookie_header.and_then(|header| find_cookie(header, sealer.cookie_name()));
    // Every rejection (tampered, expired, unknown key...) means "no session".
    let Some(Ok(opened)) = value.map(|value| sealer.open::<User>(value)) else {
        return Reply::text(401, "not logged in\n");
    };
    // Idle renewal due or an old key: send a fresh cookie; most requests
    // send none.
    let set_cookie = if opened.needs_reseal() {
        sealer.seal(opened.session()).ok()
    } else {
        None
    };
    let body = format!("hello {}\n", opened.session().data().name);
    Reply {
        status: 200,
        body,
        set_cookie,
    }
}

/// `POST /logout`: removes the cookie from the browser. A copy kept
/// elsewhere stays valid until it expires unless its session id is also
/// revoked (see the README's "Serverless and edge").
pub fn logout(sealer: &Sealer) -> Reply {
    Reply {
        set_cookie: Some(sealer.removal_cookie()),
        ..Reply::text(200, "logged out\n")
    }
}

/// The value of cookie `name` in a `Cookie` header.
// Names compare as exact bytes after trimming only SP and HTAB (RFC 6265
// section 5.2): Unicode-aware trimming would read a planted
// "\u{2000}__Host-session" as ours. A name sent twice is no value at all,
// since a browser never sends a `__Host-` name twice and a planted copy
// must never win (the crate's `http` module applies the same rules).
fn find_cookie<'h>(header: &'h str, name: &str) -> Option<&'h str> {
    let ows = |c: char| c == ' ' || c == '\t';
    let mut found = None;
    for pair in header.split(';') {
        let Some((n, v)) = pair.split_once('=') else {
            continue;
        };
        if n.trim_matches(ows) == name {
            if found.is_some() {
                return None;
            }
            found = Some(v.trim_matches(ows));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names_are_exact_bytes_and_duplicates_are_refused() {
        let name = "__Host-session";
        assert_eq!(find_cookie("a=1;\t__Host-session=v ; b=2", name), Some("v"));
        for planted in [
            "\u{2000}", "\u{a0}", "\u{3000}", "\u{85}", "\u{1680}", "\u{205f}", "\u{2028}",
        ] {
            let header = format!("{planted}__Host-session=evil");
            assert_eq!(find_cookie(&header, name), None, "{planted:?}");
            let both = format!("{planted}__Host-session=evil; __Host-session=good");
            assert_eq!(find_cookie(&both, name), Some("good"), "{planted:?}");
        }
        assert_eq!(
            find_cookie("__Host-session=a; __Host-session=b", name),
            None
        );
    }
    use sealed_session::Key;

    fn cookie_pair(reply: &Reply) -> String {
        let cookie = reply.set_cookie.as_deref().expect("a Set-Cookie");
        cookie.split(';').next().unwrap().to_owned()
    }

    #[test]
    fn login_read_logout() {
        let sealer = sealer_from_keys(&Key::generate(1).to_text()).unwrap();
        let login = login(&sealer, "alice".into());
        assert_eq!(login.status, 200);
        let cookie = cookie_pair(&login);

        let me = me(&sealer, Some(&format!("theme=dark; {cookie}")));
        assert_eq!((me.status, me.body.as_str()), (200, "hello alice\n"));
        assert!(
            me.set_cookie.is_none(),
            "a fresh session needs no new cookie"
        );

        assert_eq!(cookie_pair(&logout(&sealer)), "__Host-session=");
    }

    #[test]
    fn rejects_missing_foreign_and_forged_cookies() {
        let sealer = sealer_from_keys(&Key::generate(1).to_text()).unwrap();
        let other = sealer_from_keys(&Key::generate(1).to_text()).unwrap();
        let foreign = cookie_pair(&login(&other, "mallory".into()));
        for header in [
            None,
            Some("__Host-session=AQEAAAAB"),
            Some(foreign.as_str()),
        ] {
            assert_eq!(me(&sealer, header).status, 401, "{header:?}");
        }
    }

    #[test]
    fn rotation_keeps_sessions_and_reseals_them() {
        let old = Key::generate(1);
        let before = sealer_from_keys(&old.to_text()).unwrap();
        let cookie = cookie_pair(&login(&before, "bob".into()));
        let keys = format!("{}, {}", &*Key::generate(2).to_text(), &*old.to_text());
        let after = sealer_from_keys(&keys).unwrap();
        let me = me(&after, Some(&cookie));
        assert_eq!(me.body, "hello bob\n");
        assert_ne!(
            cookie_pair(&me),
            cookie,
            "sealed under an old key: re-sealed"
        );
    }

    #[test]
    fn bad_keys_fail_when_the_sealer_is_built() {
        assert!(sealer_from_keys("").is_err());
        assert!(sealer_from_keys("ss1:xaes256gcm:1:short").is_err());
    }
}
