//! When the response sets, re-seals or removes the cookie.

use super::apps::{BOTH, key, sealer, sessions};
use sealed_session::{Chunking, Error, KeyRing, Sealer, Session};
use time::{Duration, OffsetDateTime};

#[actix_web::test]
async fn nothing_is_emitted_without_a_session_or_a_change() {
    for a in BOTH {
        let s = sessions();
        let r = a.get(&s, "/read", "").await;
        assert_eq!((r.status, r.body.as_str()), (200, "none"), "{a:?}");
        assert!(r.set_cookies().is_empty(), "{a:?}");
        assert!(
            r.values("vary").contains(&"Cookie"),
            "{a:?}: the handler read the session"
        );

        let login = a.get(&s, "/login", "other=1").await;
        assert_eq!(login.set_cookies().len(), 1, "{a:?}");
        let line = login.set_cookies()[0];
        assert!(line.starts_with("__Host-session="), "{a:?}");
        assert!(
            line.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"),
            "{a:?}"
        );
        assert_eq!(login.header("cache-control"), "no-store", "{a:?}: a new id");

        let cookie = format!("a=1; {}; b=2", login.cookie());
        let r = a.get(&s, "/read", &cookie).await;
        assert_eq!(r.body, "alice", "{a:?}");
        assert!(
            r.set_cookies().is_empty(),
            "{a:?}: unchanged, no Set-Cookie"
        );
    }
}

#[actix_web::test]
async fn changes_through_the_handle_are_sealed_whatever_the_handler_returns() {
    for a in BOTH {
        let s = sessions();
        let cookie = a.get(&s, "/login", "").await.cookie();
        let r = a.get(&s, "/append", &cookie).await;
        assert_eq!(r.status, 204, "{a:?}");
        assert_eq!(r.set_cookies().len(), 1, "{a:?}");
        assert_eq!(r.header("cache-control"), "private", "{a:?}: same id");
        assert_eq!(
            a.get(&s, "/read", &r.cookie()).await.body,
            "alice!",
            "{a:?}"
        );
    }
}

#[actix_web::test]
async fn bad_cookies_are_no_session_and_cleared() {
    for a in BOTH {
        let s = sessions();
        let good = a.get(&s, "/login", "").await.cookie();
        let (name, value) = good.split_once('=').unwrap();
        let mut bytes = value.as_bytes().to_vec();
        bytes[40] = if bytes[40] == b'A' { b'B' } else { b'A' };
        let tampered = format!("{name}={}", String::from_utf8(bytes).unwrap());
        let other = Sealer::builder(KeyRing::new(key(9))).build().unwrap();
        let unknown = format!(
            "{name}={}",
            other.seal_value(&Session::new("eve".to_string())).unwrap()
        );
        let past = OffsetDateTime::now_utc() - Duration::days(30);
        let old = Sealer::builder(KeyRing::new(key(1)))
            .build_at(past)
            .unwrap();
        let expired = format!(
            "{name}={}",
            old.seal_value_at(&Session::new("old".to_string()), past)
                .unwrap()
        );
        for cookie in [
            tampered,
            unknown,
            expired,
            format!("{name}=garbage!"),
            format!("{name}.0=2.x"),
        ] {
            let r = a.get(&s, "/read", &cookie).await;
            assert_eq!((r.status, r.body.as_str()), (200, "none"), "{a:?} {cookie}");
            assert_eq!(r.set_cookies().len(), 1, "{a:?} {cookie}");
            assert!(
                r.set_cookies()[0].contains("=; Max-Age=0; Path=/; Secure; HttpOnly"),
                "{a:?}"
            );
        }
    }
}

#[actix_web::test]
async fn rotation_reseals_old_cookies_under_the_new_key_once() {
    for a in BOTH {
        let s = sessions();
        let old = a.get(&s, "/login", "").await.cookie();
        s.reload_keys(KeyRing::new(key(2)).with_key(key(1)))
            .unwrap();
        let r = a.get(&s, "/read", &old).await;
        assert_eq!(r.body, "alice", "{a:?}");
        assert_eq!(r.set_cookies().len(), 1, "{a:?}: re-sealed under key 2");
        let fresh = r.cookie();
        let again = a.get(&s, "/read", &fresh).await;
        assert!(again.set_cookies().is_empty(), "{a:?}: once");
        let primary_only = sealer(KeyRing::new(key(2)));
        let value = fresh.split_once('=').unwrap().1;
        assert!(primary_only.open::<String>(value).is_ok(), "{a:?}");
    }
}

#[actix_web::test]
async fn a_session_too_large_is_a_500_with_the_typed_error_and_the_cookie_kept() {
    for a in BOTH {
        let s = sessions();
        let cookie = a.get(&s, "/login", "").await.cookie();
        let r = a.get(&s, "/fill/4000", &cookie).await;
        assert_eq!(r.status, 500, "{a:?}");
        assert!(r.set_cookies().is_empty(), "{a:?}: the old cookie stays");
        assert!(
            matches!(r.error.as_ref().map(|e| &e.0), Some(Error::TooLarge { .. })),
            "{a:?}"
        );
        assert_eq!(a.get(&s, "/read", &cookie).await.body, "alice", "{a:?}");
    }
}

#[actix_web::test]
async fn chunked_sessions_round_trip_and_shrink_back() {
    for a in BOTH {
        let s = sessions().with_chunking(Chunking::new()).unwrap();
        let single = a.get(&s, "/login", "").await.cookie();
        let big = a.get(&s, "/fill/4000", &single).await;
        assert_eq!(big.status, 200, "{a:?}");
        // Two chunks, and the plain cookie deleted.
        let names: Vec<&str> = big
            .set_cookies()
            .iter()
            .map(|l| l.split('=').next().unwrap())
            .collect();
        assert_eq!(
            names,
            ["__Host-session.0", "__Host-session.1", "__Host-session"],
            "{a:?}"
        );
        assert!(big.set_cookies().iter().all(|l| l.len() <= 4096), "{a:?}");
        let chunks = big.cookie();
        assert_eq!(a.get(&s, "/read", &chunks).await.body.len(), 4000, "{a:?}");
        let small = a.get(&s, "/fill/10", &chunks).await;
        assert_eq!(
            small.removals(),
            ["__Host-session.0", "__Host-session.1"],
            "{a:?}"
        );
        assert_eq!(
            a.get(&s, "/read", &small.cookie()).await.body,
            "x".repeat(10),
            "{a:?}"
        );
        // Without chunking, chunk cookies are no session and get cleared.
        let plain = sessions();
        let r = a.get(&plain, "/read", &chunks).await;
        assert_eq!(
            (r.body.as_str(), r.removals()),
            ("none", vec!["__Host-session.0", "__Host-session.1"]),
            "{a:?}"
        );
    }
}

#[actix_web::test]
async fn a_handler_error_is_its_status_with_a_generic_body() {
    for a in BOTH {
        let s = sessions();
        let r = a.get(&s, "/error", "").await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (500, "session could not be saved"),
            "{a:?}"
        );
        assert_eq!(r.error.map(|e| e.0), Some(Error::Serialize), "{a:?}");
    }
}
