//! The size limit on the whole `Set-Cookie` line, and the exact text of the
//! lines the sealer writes. A sealer must never hand out a line longer than
//! its limit (browsers drop such cookies silently), and when it refuses, the
//! reported size must be the exact length the line would have had.

mod common;

use common::{NAME, T0, value_of};
use sealed_session::{
    Algorithm, ConfigError, CookieAttributes, DEFAULT_MAX_COOKIE_SIZE, Error, Malformed, SameSite,
    Sealer, Session,
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

/// Domain, Secure, HttpOnly, SameSite, and the expected text after
/// `Max-Age` (`None`: the sealer must refuse to build).
type Combination = (
    Option<&'static str>,
    bool,
    bool,
    SameSite,
    Option<&'static str>,
);

/// FORMAT.md section 7, every attribute combination: the exact text after
/// the value, and the line length the size check counts, from the byte
/// counts the document gives (not from the crate's renderer).
#[test]
fn set_cookie_line_for_every_attribute_combination() {
    // (Domain, Secure, HttpOnly, SameSite) -> the text after `; Max-Age=7200`,
    // or None where building must fail (SameSite=None needs Secure).
    let d = Some("example.com");
    #[rustfmt::skip]
    let table: [Combination; 24] = [
        (None, true, true, SameSite::Strict, Some("; Path=/app; Secure; HttpOnly; SameSite=Strict")),
        (None, true, true, SameSite::Lax, Some("; Path=/app; Secure; HttpOnly; SameSite=Lax")),
        (None, true, true, SameSite::None, Some("; Path=/app; Secure; HttpOnly; SameSite=None")),
        (None, true, false, SameSite::Strict, Some("; Path=/app; Secure; SameSite=Strict")),
        (None, true, false, SameSite::Lax, Some("; Path=/app; Secure; SameSite=Lax")),
        (None, true, false, SameSite::None, Some("; Path=/app; Secure; SameSite=None")),
        (None, false, true, SameSite::Strict, Some("; Path=/app; HttpOnly; SameSite=Strict")),
        (None, false, true, SameSite::Lax, Some("; Path=/app; HttpOnly; SameSite=Lax")),
        (None, false, true, SameSite::None, None),
        (None, false, false, SameSite::Strict, Some("; Path=/app; SameSite=Strict")),
        (None, false, false, SameSite::Lax, Some("; Path=/app; SameSite=Lax")),
        (None, false, false, SameSite::None, None),
        (d, true, true, SameSite::Strict, Some("; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Strict")),
        (d, true, true, SameSite::Lax, Some("; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Lax")),
        (d, true, true, SameSite::None, Some("; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=None")),
        (d, true, false, SameSite::Strict, Some("; Path=/app; Domain=example.com; Secure; SameSite=Strict")),
        (d, true, false, SameSite::Lax, Some("; Path=/app; Domain=example.com; Secure; SameSite=Lax")),
        (d, true, false, SameSite::None, Some("; Path=/app; Domain=example.com; Secure; SameSite=None")),
        (d, false, true, SameSite::Strict, Some("; Path=/app; Domain=example.com; HttpOnly; SameSite=Strict")),
        (d, false, true, SameSite::Lax, Some("; Path=/app; Domain=example.com; HttpOnly; SameSite=Lax")),
        (d, false, true, SameSite::None, None),
        (d, false, false, SameSite::Strict, Some("; Path=/app; Domain=example.com; SameSite=Strict")),
        (d, false, false, SameSite::Lax, Some("; Path=/app; Domain=example.com; SameSite=Lax")),
        (d, false, false, SameSite::None, None),
    ];
    for (domain, secure, http_only, same_site, expected) in table {
        let mut attributes = CookieAttributes::default()
            .with_path("/app")
            .with_secure(secure)
            .with_http_only(http_only)
            .with_same_site(same_site);
        if let Some(domain) = domain {
            attributes = attributes.with_domain(domain);
        }
        let case = format!("{domain:?} {secure} {http_only} {same_site:?}");
        let built = common::builder(Algorithm::default())
            .with_cookie_name("sid")
            .with_ttl(Duration::hours(2))
            .with_attributes(attributes)
            .build_at(T0);
        let Some(expected) = expected else {
            assert_eq!(
                built.map(|_| ()),
                Err(Error::InvalidConfig(ConfigError::Prefix)),
                "{case}"
            );
            continue;
        };
        let sealer = built.unwrap();
        let line = sealer.seal_at(&Session::new(1u8), T0).unwrap();
        let value = value_of(&line, "sid");
        assert_eq!(
            line,
            format!("sid={value}; Max-Age=7200{expected}"),
            "{case}"
        );
        assert_eq!(
            sealer.removal_cookie(),
            format!("sid=; Max-Age=0{expected}"),
            "{case}"
        );
        // Section 7's byte counts: 7 + len(path), 9 + len(domain), 8, 10,
        // 11 + len(SameSite value); around the value `name=` and
        // `; Max-Age=` + digits; section 8's value length.
        let same_site_len = match same_site {
            SameSite::Strict => 6,
            SameSite::Lax => 3,
            SameSite::None => 4,
        };
        let attributes_len = 7
            + "/app".len()
            + domain.map_or(0, |d| 9 + d.len())
            + if secure { 8 } else { 0 }
            + if http_only { 10 } else { 0 }
            + 11
            + same_site_len;
        assert_eq!(attributes_len, expected.len(), "{case}");
        // XAES-256-GCM, no idle, no subject, a 1-byte payload: 77 bytes.
        let value_len = (77 * 4usize).div_ceil(3);
        assert_eq!(value.len(), value_len);
        assert_eq!(
            line.len(),
            "sid".len() + 1 + value_len + 10 + "7200".len() + attributes_len
        );
    }
}

/// FORMAT.md sections 1 and 7 with every default: the longest value a
/// writer emits, and the reader's limit around it.
#[test]
fn default_limits_in_bytes() {
    // 15 bytes of `__Host-session=`, 16 of `; Max-Age=604800`, 40 of
    // attributes: 4025 left, which is 4k + 1, so the longest value is 4024
    // characters, 3018 sealed bytes, 2942 payload bytes (XAES-256-GCM).
    let (limited, _) = pair(Algorithm::Xaes256Gcm, DEFAULT_MAX_COOKIE_SIZE, false);
    let fits = |payload: usize| {
        // postcard: a 2-byte length prefix, then the bytes.
        limited.seal_at(&Session::new(vec![1u8; payload - 2]), T0)
    };
    let line = fits(2942).unwrap();
    assert_eq!(value_of(&line, NAME).len(), 4024);
    assert_eq!(line.len(), 4024 + 71);
    assert_eq!(
        fits(2943).unwrap_err(),
        Error::TooLarge {
            size: 4097,
            limit: DEFAULT_MAX_COOKIE_SIZE
        }
    );
    // The reader's limit is the cookie size minus `name=`: 4081. A value
    // of exactly 4081 characters is past that check but is an impossible
    // base64 length; the longest value that decodes is 4080 characters.
    let limit = DEFAULT_MAX_COOKIE_SIZE - NAME.len() - 1;
    assert_eq!(limit, 4081);
    let open = |len: usize| limited.open_at::<()>(&"A".repeat(len), T0).unwrap_err();
    assert_eq!(open(0), Error::Malformed(Malformed::Empty));
    assert_eq!(open(4080), Error::UnsupportedVersion { version: 0 });
    assert_eq!(open(4081), Error::Malformed(Malformed::Base64));
    assert_eq!(open(4082), Error::TooLarge { size: 4082, limit });
    // Any text of the limit's length meets the decoder, not the size check.
    assert_eq!(
        limited.open_at::<()>(&"!".repeat(4081), T0).unwrap_err(),
        Error::Malformed(Malformed::Base64)
    );
}
