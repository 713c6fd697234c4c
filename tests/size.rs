//! The size limit on the whole `Set-Cookie` line, and the exact text of the
//! lines the sealer writes. A sealer must never hand out a line longer than
//! its limit (browsers drop such cookies silently), and when it refuses, the
//! reported size must be the exact length the line would have had.

mod common;

use common::{NAME, T0, value_of};
use sealed_session::{
    Algorithm, CookieAttributes, DEFAULT_MAX_COOKIE_SIZE, Error, SameSite, Sealer, Session,
};
use time::Duration;

/// Two sealers identical but for the size limit: `limited` has `limit`,
/// `roomy` is large enough to measure what `limited` refuses.
fn pair(algorithm: Algorithm, limit: usize, idle: bool) -> (Sealer, Sealer) {
    let build = |size| {
        let mut builder = common::builder(algorithm).with_max_cookie_size(size);
        if idle {
            builder = builder.with_idle_timeout(Duration::minutes(10));
        }
        builder.build_at(T0).unwrap()
    };
    (build(limit), build(1 << 20))
}

fn session(len: usize, subject: bool) -> Session<Vec<u8>> {
    let mut session = Session::new(vec![0xA5; len]);
    if subject {
        session.set_subject("user-1234").unwrap();
    }
    session
}

/// Seals growing payloads until a few have been refused, checking every
/// result: accepted lines fit, refused ones report the exact length the
/// roomy sealer produces. Returns the largest payload length that fit.
fn sweep(algorithm: Algorithm, limit: usize, idle: bool, subject: bool, start: usize) -> usize {
    let (limited, roomy) = pair(algorithm, limit, idle);
    let mut largest_fit = None;
    let mut refusals = 0;
    let mut len = start;
    while refusals < 8 {
        let session = session(len, subject);
        let full = roomy.seal_at(&session, T0).unwrap().len();
        match limited.seal_at(&session, T0) {
            Ok(set_cookie) => {
                assert_eq!(refusals, 0, "{algorithm:?}: fits again after a refusal");
                assert!(set_cookie.len() <= limit, "{algorithm:?} len {len}");
                assert_eq!(set_cookie.len(), full);
                largest_fit = Some(len);
            }
            Err(err) => {
                assert_eq!(
                    err,
                    Error::TooLarge { size: full, limit },
                    "{algorithm:?} len {len}"
                );
                assert!(full > limit);
                // The bare-value form counts the same full line.
                assert_eq!(limited.seal_value_at(&session, T0).unwrap_err(), err);
                refusals += 1;
            }
        }
        len += 1;
    }
    largest_fit.expect("sweep started with a payload that fits")
}

#[test]
fn every_payload_length_near_the_limit_is_measured_exactly() {
    for algorithm in Algorithm::ALL {
        for (idle, subject) in [(false, false), (true, true)] {
            // A small limit: the sweep crosses it within a few hundred bytes.
            sweep(algorithm, 400, idle, subject, 0);
        }
    }
}

#[test]
fn largest_fitting_payload_under_the_default_limit() {
    for algorithm in Algorithm::ALL {
        let (limited, roomy) = pair(algorithm, DEFAULT_MAX_COOKIE_SIZE, false);
        let n = sweep(algorithm, DEFAULT_MAX_COOKIE_SIZE, false, false, 2900);
        let line = limited.seal_at(&session(n, false), T0).unwrap();
        assert!(line.len() <= DEFAULT_MAX_COOKIE_SIZE);
        // Within one base64 group of the limit: nothing is wasted.
        assert!(line.len() > DEFAULT_MAX_COOKIE_SIZE - 4, "{}", line.len());
        let next = session(n + 1, false);
        let size = roomy.seal_at(&next, T0).unwrap().len();
        assert_eq!(
            limited.seal_at(&next, T0).unwrap_err(),
            Error::TooLarge {
                size,
                limit: DEFAULT_MAX_COOKIE_SIZE
            }
        );
        // And what fits the line also fits the opener's value limit.
        let value = value_of(&line, NAME);
        assert!(limited.open_at::<Vec<u8>>(value, T0).is_ok());
    }
}

#[test]
fn custom_max_size_and_long_max_age() {
    // A long TTL makes the Max-Age attribute longer: it must be counted.
    for ttl_days in [1, 400] {
        let limit = 1000;
        let sealer = common::builder(Algorithm::default())
            .with_max_cookie_size(limit)
            .with_ttl(Duration::days(ttl_days))
            .build_at(T0)
            .unwrap();
        let roomy = common::builder(Algorithm::default())
            .with_ttl(Duration::days(ttl_days))
            .with_max_cookie_size(1 << 20)
            .build_at(T0)
            .unwrap();
        let mut fitted = false;
        for len in 600..800 {
            let session = session(len, false);
            let size = roomy.seal_at(&session, T0).unwrap().len();
            match sealer.seal_at(&session, T0) {
                Ok(line) => {
                    assert!(line.len() <= limit);
                    fitted = true;
                }
                Err(err) => assert_eq!(err, Error::TooLarge { size, limit }),
            }
        }
        assert!(fitted);
    }
}

#[test]
fn set_cookie_line_has_the_exact_default_form() {
    let sealer = common::sealer(Algorithm::default());
    let line = sealer.seal_at(&Session::new(1u8), T0).unwrap();
    let value = value_of(&line, NAME);
    assert_eq!(
        line,
        format!("{NAME}={value}; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax")
    );
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert!(sealer.open_at::<u8>(value, T0).is_ok());
}

#[test]
fn set_cookie_line_with_custom_attributes() {
    let sealer = common::builder(Algorithm::default())
        .with_cookie_name("sid")
        .with_ttl(Duration::hours(2))
        .with_attributes(
            CookieAttributes::default()
                .with_path("/app")
                .with_domain("example.com")
                .with_secure(false)
                .with_http_only(false)
                .with_same_site(SameSite::Strict),
        )
        .build_at(T0)
        .unwrap();
    let line = sealer.seal_at(&Session::new(1u8), T0).unwrap();
    let value = value_of(&line, "sid");
    assert_eq!(
        line,
        format!("sid={value}; Max-Age=7200; Path=/app; Domain=example.com; SameSite=Strict")
    );
}

#[test]
fn removal_cookie_exact_strings() {
    assert_eq!(
        common::sealer(Algorithm::default()).removal_cookie(),
        "__Host-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"
    );
    let sealer = common::builder(Algorithm::default())
        .with_cookie_name("sid")
        .with_attributes(
            CookieAttributes::default()
                .with_path("/app")
                .with_domain("example.com")
                .with_same_site(SameSite::None),
        )
        .build_at(T0)
        .unwrap();
    assert_eq!(
        sealer.removal_cookie(),
        "sid=; Max-Age=0; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=None"
    );
    // The removal line's empty value is refused when presented back.
    assert_eq!(
        sealer.open_at::<u8>("", T0).unwrap_err(),
        Error::Malformed(sealed_session::Malformed::Empty)
    );
}
