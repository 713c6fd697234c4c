//! Keys, key rings and rotation, the key text form, key derivation, and
//! every configuration mistake the builder must catch before the first
//! request.

mod common;

use common::{T0, key, key_bytes};
use sealed_session::{
    Algorithm, ConfigError, CookieAttributes, Error, Key, KeyRing, SameSite, Sealer, Session,
};
use time::Duration;

fn config_err(result: Result<Sealer, Error>) -> ConfigError {
    match result {
        Err(Error::InvalidConfig(why)) => why,
        Err(other) => panic!("expected a config error, got {other:?}"),
        Ok(sealer) => panic!("expected a config error, built {sealer:?}"),
    }
}

// ---------------------------------------------------------------- rotation

#[test]
fn unknown_key_id() {
    let theirs = Sealer::builder(common::ring(Algorithm::default(), 7))
        .build_at(T0)
        .unwrap();
    let ours = common::sealer(Algorithm::default());
    let value = theirs.seal_value_at(&Session::new(1u8), T0).unwrap();
    assert_eq!(
        ours.open_at::<u8>(&value, T0).unwrap_err(),
        Error::UnknownKey { key_id: 7 }
    );
}

#[test]
fn old_key_opens_and_asks_for_a_reseal_under_the_primary() {
    for (old_alg, new_alg) in [
        (Algorithm::Xaes256Gcm, Algorithm::Xaes256Gcm),
        (Algorithm::Aes256Gcm, Algorithm::Xaes256Gcm),
        (Algorithm::Xaes256Gcm, Algorithm::XChaCha20Poly1305),
    ] {
        let before = Sealer::builder(KeyRing::new(key(old_alg, 1)))
            .build_at(T0)
            .unwrap();
        let after = Sealer::builder(KeyRing::new(key(new_alg, 2)).with_key(key(old_alg, 1)))
            .build_at(T0)
            .unwrap();
        let value = before
            .seal_value_at(&Session::new(String::from("cart")), T0)
            .unwrap();

        let opened = after.open_at::<String>(&value, T0).unwrap();
        assert_eq!(opened.key_id(), 1);
        assert!(opened.reseal().non_primary_key);
        assert!(!opened.reseal().idle_renewal);
        assert!(!opened.session().is_changed());
        assert!(opened.needs_reseal());

        // The re-seal moves the session to the primary key, keeping id and
        // deadlines.
        let resealed = after.seal_value_at(opened.session(), T0).unwrap();
        assert_eq!(
            common::decode(&resealed)[..6],
            [1, new_alg.code(), 0, 0, 0, 2]
        );
        let reopened = after.open_at::<String>(&resealed, T0).unwrap();
        assert_eq!(reopened.key_id(), 2);
        assert!(!reopened.reseal().non_primary_key);
        assert!(!reopened.needs_reseal());
        assert_eq!(reopened.session().id(), opened.session().id());
        assert_eq!(reopened.session().data(), "cart");
        assert_eq!(
            reopened.session().expires_at(),
            opened.session().expires_at()
        );
        // Cookies of the new primary do not open under the old-only ring.
        assert_eq!(
            before.open_at::<String>(&resealed, T0).unwrap_err(),
            Error::UnknownKey { key_id: 2 }
        );
    }
}

#[test]
fn retiring_key_opens_until_retire_at_then_is_retired() {
    let retire = T0 + Duration::days(1);
    let before = Sealer::builder(common::ring(Algorithm::default(), 1))
        .build_at(T0)
        .unwrap();
    let after = Sealer::builder(
        KeyRing::new(key(Algorithm::default(), 2))
            .with_retiring_key(key(Algorithm::default(), 1), retire),
    )
    .build_at(T0)
    .unwrap();
    let value = before.seal_value_at(&Session::new(1u8), T0).unwrap();

    let opened = after
        .open_at::<u8>(&value, retire - Duration::seconds(1))
        .unwrap();
    assert!(opened.reseal().non_primary_key);
    // Retirement is exact: no leeway applies to the server's own schedule.
    for at in [
        retire,
        retire + Duration::seconds(1),
        retire + Duration::days(1),
    ] {
        assert_eq!(
            after.open_at::<u8>(&value, at).unwrap_err(),
            Error::RetiredKey { key_id: 1 },
            "{at}"
        );
    }
}

#[test]
fn set_retire_at_retires_and_unretires() {
    let mut ring =
        KeyRing::new(key(Algorithm::default(), 2)).with_key(key(Algorithm::default(), 1));
    assert!(ring.set_retire_at(1, Some(T0)));
    assert!(!ring.set_retire_at(9, Some(T0)));
    assert_eq!(ring.retire_at(1), Some(T0));
    let old = common::sealer(Algorithm::default());
    let value = old.seal_value_at(&Session::new(1u8), T0).unwrap();
    let sealer = Sealer::builder(ring.clone()).build_at(T0).unwrap();
    assert_eq!(
        sealer.open_at::<u8>(&value, T0).unwrap_err(),
        Error::RetiredKey { key_id: 1 }
    );
    ring.set_retire_at(1, None);
    let sealer = Sealer::builder(ring).build_at(T0).unwrap();
    assert!(sealer.open_at::<u8>(&value, T0).is_ok());
}

#[test]
fn primary_retiring_after_build_stops_sealing() {
    let retire = T0 + Duration::hours(1);
    let mut ring = common::ring(Algorithm::default(), 1);
    ring.set_retire_at(1, Some(retire));
    let sealer = Sealer::builder(ring).build_at(T0).unwrap();
    let value = sealer.seal_value_at(&Session::new(1u8), T0).unwrap();
    assert!(
        sealer
            .seal_value_at(&Session::new(1u8), retire - Duration::seconds(1))
            .is_ok()
    );
    assert_eq!(
        sealer
            .seal_value_at(&Session::new(1u8), retire)
            .unwrap_err(),
        Error::RetiredKey { key_id: 1 }
    );
    assert_eq!(
        sealer.open_at::<u8>(&value, retire).unwrap_err(),
        Error::RetiredKey { key_id: 1 }
    );
}

#[test]
fn retirement_counts_whole_seconds() {
    // FORMAT.md: retired when `now >= retire_at` in whole unix seconds, no
    // leeway. A key retiring at T0 + 0.5 s is therefore retired from T0.
    let retire = T0 + Duration::milliseconds(500);
    let old = common::sealer(Algorithm::default());
    let value = old
        .seal_value_at(&Session::new(1u8), T0 - Duration::seconds(1))
        .unwrap();
    let ring = KeyRing::new(key(Algorithm::default(), 2))
        .with_retiring_key(key(Algorithm::default(), 1), retire);
    let sealer = Sealer::builder(ring).build_at(T0).unwrap();
    let open = |at| sealer.open_at::<u8>(&value, at).map(|o| o.key_id());
    assert_eq!(open(T0 - Duration::milliseconds(1)), Ok(1));
    assert_eq!(open(T0), Err(Error::RetiredKey { key_id: 1 }));
}

#[test]
fn build_and_seal_agree_on_the_retirement_instant() {
    // Retirement counts whole seconds everywhere: a key retiring at T0 + 0.5 s
    // is retired for the whole second T0, at build time and at seal time.
    let retire = T0 + Duration::milliseconds(500);
    let mut ring = common::ring(Algorithm::default(), 1);
    ring.set_retire_at(1, Some(retire));
    let err = Sealer::builder(ring.clone()).build_at(T0 + Duration::milliseconds(200));
    assert_eq!(
        err.map(|_| ()),
        Err(Error::InvalidConfig(ConfigError::RetiredPrimary {
            key_id: 1
        }))
    );
    let before = T0 - Duration::milliseconds(1);
    let sealer = Sealer::builder(ring).build_at(before).unwrap();
    let sealed = sealer.seal_value_at(&Session::new(1u8), before);
    assert_eq!(sealed.map(|_| ()), Ok(()));
    let sealed = sealer.seal_value_at(&Session::new(1u8), T0);
    assert_eq!(sealed.map(|_| ()), Err(Error::RetiredKey { key_id: 1 }));
}

// ---------------------------------------------------------------- text form

#[test]
fn text_form_round_trips_for_each_algorithm() {
    for algorithm in Algorithm::ALL {
        for id in [0, 1, 42, u32::MAX] {
            let original = key(algorithm, id);
            let text = original.to_text();
            assert!(
                text.starts_with(&format!("ss1:{}:{id}:", algorithm.name())),
                "{}",
                text.as_str()
            );
            let parsed = Key::from_text(&text).unwrap();
            assert_eq!(parsed.id(), id);
            assert_eq!(parsed.algorithm(), algorithm);
            assert_eq!(parsed.to_text(), text);

            // The parsed key is the same key: it opens the original's cookies.
            let a = Sealer::builder(KeyRing::new(original))
                .build_at(T0)
                .unwrap();
            let b = Sealer::builder(KeyRing::new(parsed)).build_at(T0).unwrap();
            let value = a.seal_value_at(&Session::new(5u8), T0).unwrap();
            assert_eq!(*b.open_at::<u8>(&value, T0).unwrap().session().data(), 5);
        }
    }
}

#[test]
fn text_form_encodes_the_key_bytes_as_base64url() {
    let bytes = key_bytes(Algorithm::Aes256Gcm, 3);
    let text = Key::from_bytes(Algorithm::Aes256Gcm, 3, &bytes).to_text();
    assert_eq!(
        text.as_str(),
        format!("ss1:aes256gcm:3:{}", common::encode(&bytes))
    );
    // Surrounding whitespace (a trailing newline from a secret file) is
    // ignored.
    let padded = format!("  {}\n", text.as_str());
    assert_eq!(Key::from_text(&padded).unwrap().to_text(), text);
}

#[test]
fn bad_key_texts_are_rejected() {
    let good = key(Algorithm::Xaes256Gcm, 5).to_text();
    let secret = good.rsplit(':').next().unwrap().to_owned();
    assert!(Key::from_text(&good).is_ok());
    let b31 = common::encode(&[7; 31]);
    let b33 = common::encode(&[7; 33]);
    // 32 bytes is 43 characters with 2 unused trailing bits.
    let mut non_canonical = secret.clone();
    let last = common::sextet(non_canonical.pop().unwrap() as u8).unwrap();
    non_canonical.push(common::char_of(last ^ 1));
    let bad = [
        String::new(),
        "ss1".into(),
        format!("ss2:xaes256gcm:5:{secret}"),
        format!("SS1:xaes256gcm:5:{secret}"),
        format!("ss:xaes256gcm:5:{secret}"),
        format!(":xaes256gcm:5:{secret}"),
        format!("ss1:aes128gcm:5:{secret}"),
        format!("ss1:XAES256GCM:5:{secret}"),
        format!("ss1::5:{secret}"),
        format!("ss1:xaes256gcm:01:{secret}"),
        format!("ss1:xaes256gcm:00:{secret}"),
        format!("ss1:xaes256gcm:+5:{secret}"),
        format!("ss1:xaes256gcm:-5:{secret}"),
        format!("ss1:xaes256gcm: 5:{secret}"),
        format!("ss1:xaes256gcm::{secret}"),
        format!("ss1:xaes256gcm:4294967296:{secret}"),
        format!("ss1:xaes256gcm:99999999999999999999:{secret}"),
        format!("ss1:xaes256gcm:5:{b31}"),
        format!("ss1:xaes256gcm:5:{b33}"),
        format!("ss1:xaes256gcm:5:{secret}="),
        format!("ss1:xaes256gcm:5:{secret}A"),
        format!("ss1:xaes256gcm:5:{non_canonical}"),
        format!("ss1:xaes256gcm:5:{}", secret.replace(['-', '_'], "+")),
        format!("ss1:xaes256gcm:5:{secret}:"),
        format!("ss1:xaes256gcm:5:{secret}:extra"),
        format!("ss1:xaes256gcm:5:6:{secret}"),
        "ss1:xaes256gcm:5:".into(),
    ];
    for text in bad {
        assert_eq!(
            Key::from_text(&text).map(|k| k.id()).unwrap_err(),
            Error::InvalidConfig(ConfigError::KeyText),
            "{text:?}"
        );
    }
    // The largest id still parses.
    let max = format!("ss1:xaes256gcm:4294967295:{secret}");
    assert_eq!(Key::from_text(&max).unwrap().id(), u32::MAX);
    let zero = format!("ss1:xaes256gcm:0:{secret}");
    assert_eq!(Key::from_text(&zero).unwrap().id(), 0);
}

/// The characters FORMAT.md section 12 calls `WS`: Unicode White_Space.
const WHITE_SPACE: [char; 25] = [
    '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200a}', '\u{2028}', '\u{2029}', '\u{202f}', '\u{205f}', '\u{3000}',
];

#[test]
fn key_text_whitespace_is_trimmed_around_it_never_inside() {
    // FORMAT.md section 12: `WS` around the key text only.
    let text = key(Algorithm::Aes256Gcm, 5).to_text();
    for ws in WHITE_SPACE {
        let padded = format!("{ws}{}{ws}{ws}", *text);
        assert_eq!(Key::from_text(&padded).unwrap().to_text(), text, "{ws:?}");
    }
    // Not White_Space, though some trimmers take them: the byte order mark,
    // the zero-width space, the Mongolian vowel separator, and the ASCII
    // information separators (Python's str.strip takes those).
    for not_ws in ['\u{feff}', '\u{200b}', '\u{180e}', '\u{1c}', '\u{1f}', '\0'] {
        for bad in [format!("{not_ws}{}", *text), format!("{}{not_ws}", *text)] {
            assert_eq!(
                Key::from_text(&bad).map(|k| k.id()),
                Err(Error::InvalidConfig(ConfigError::KeyText)),
                "{not_ws:?}"
            );
        }
    }
    // Inside, around any colon or within the base64: never.
    let (head, secret) = text.rsplit_once(':').unwrap();
    let mut inside = Vec::new();
    for (at, _) in text.match_indices(':') {
        inside.push(format!("{} {}", &text[..at], &text[at..]));
        inside.push(format!("{} {}", &text[..=at], &text[at + 1..]));
    }
    inside.push(format!("{head}:{} {}", &secret[..20], &secret[20..]));
    inside.push(format!("{head}:{}\n{}", &secret[..20], &secret[20..]));
    for bad in inside {
        assert_eq!(
            Key::from_text(&bad).map(|k| k.id()),
            Err(Error::InvalidConfig(ConfigError::KeyText)),
            "{bad:?}"
        );
    }
}

#[test]
fn key_bytes_are_exactly_43_canonical_base64url_characters() {
    // FORMAT.md section 12: 32 bytes are 43 characters, the last holding 4
    // bits and 2 zero bits, so it is one of 16 characters.
    let text = key(Algorithm::Xaes256Gcm, 1).to_text();
    let (head, secret) = text.rsplit_once(':').unwrap();
    assert_eq!(secret.len(), 43);
    let stem = &secret[..42];
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let accepted: String = alphabet
        .chars()
        .filter(|c| Key::from_text(&format!("{head}:{stem}{c}")).is_ok())
        .collect();
    assert_eq!(accepted, "AEIMQUYcgkosw048");
    for bad in [
        format!("{head}:{stem}"),
        format!("{head}:{secret}="),
        format!("{head}:{secret}A"),
        format!("{head}:{stem}/"),
        format!("{head}:{stem}+"),
        format!("{head}:{}", secret.replace(['-', '_'], "/")),
    ] {
        assert_eq!(
            Key::from_text(&bad).map(|k| k.id()),
            Err(Error::InvalidConfig(ConfigError::KeyText)),
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------- derivation

#[test]
fn derive_is_deterministic_and_separates_every_input() {
    let master = [0x42u8; 32];
    let base = Key::derive(&master, "prod/session", Algorithm::Xaes256Gcm, 1).unwrap();
    let again = Key::derive(&master, "prod/session", Algorithm::Xaes256Gcm, 1).unwrap();
    assert_eq!(base.to_text(), again.to_text());

    let secret = |k: &Key| k.to_text().rsplit(':').next().unwrap().to_owned();
    let variants = [
        Key::derive(&master, "prod/sessioN", Algorithm::Xaes256Gcm, 1).unwrap(),
        Key::derive(&master, "", Algorithm::Xaes256Gcm, 1).unwrap(),
        Key::derive(&master, "prod/session", Algorithm::Aes256Gcm, 1).unwrap(),
        Key::derive(&master, "prod/session", Algorithm::XChaCha20Poly1305, 1).unwrap(),
        Key::derive(&master, "prod/session", Algorithm::Xaes256Gcm, 2).unwrap(),
        Key::derive(&[0x43; 32], "prod/session", Algorithm::Xaes256Gcm, 1).unwrap(),
        Key::derive(&[0x42; 33], "prod/session", Algorithm::Xaes256Gcm, 1).unwrap(),
    ];
    let mut seen = vec![secret(&base)];
    for key in &variants {
        let s = secret(key);
        assert!(!seen.contains(&s), "derived secrets collide: {key:?}");
        seen.push(s);
    }
    assert_eq!(variants[2].algorithm(), Algorithm::Aes256Gcm);
    assert_eq!(variants[4].id(), 2);
    // Not simply the master bytes.
    assert_ne!(secret(&base), common::encode(&master));
}

/// `Key::derive([0x42; 32], "prod/session", XAES-256-GCM, 1)`, computed
/// outside this crate from the derivation as documented on `Key::derive`,
/// with Python's standard library:
///
/// ```text
/// python3 -c '
/// import hmac, hashlib, base64, struct
/// prk = hmac.new(b"sealed-session/v1 key derivation", b"\x42" * 32, hashlib.sha256).digest()
/// info = b"key\0" + struct.pack(">Q", 12) + b"prod/session" + bytes([1]) + struct.pack(">I", 1)
/// okm = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()  # one 32-byte block
/// print(base64.urlsafe_b64encode(okm).rstrip(b"=").decode())'
/// ```
const DERIVED_PROD_SESSION_1: &str = "AtJb4jqB1WqSfJvpu6rgfQcWndU_Epajck-b9h3NneE";

#[test]
fn derive_is_the_documented_hkdf() {
    let key = Key::derive(&[0x42; 32], "prod/session", Algorithm::Xaes256Gcm, 1).unwrap();
    assert_eq!(
        key.to_text().as_str(),
        format!("ss1:xaes256gcm:1:{DERIVED_PROD_SESSION_1}")
    );
}

#[test]
fn derive_needs_a_master_of_at_least_32_bytes() {
    for len in [0, 1, 16, 31] {
        assert_eq!(
            Key::derive(&vec![9; len], "ctx", Algorithm::default(), 1).unwrap_err(),
            Error::InvalidConfig(ConfigError::MasterSecret),
            "{len}"
        );
    }
    assert!(Key::derive(&[9; 32], "ctx", Algorithm::default(), 1).is_ok());
}

// ---------------------------------------------------------------- builder

#[test]
fn duplicate_key_id() {
    let ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1))
        .with_key(key(Algorithm::Aes256Gcm, 2))
        .with_key(key(Algorithm::Aes256Gcm, 1));
    assert_eq!(
        config_err(Sealer::builder(ring).build_at(T0)),
        ConfigError::DuplicateKeyId { key_id: 1 }
    );
    let ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1))
        .with_key(key(Algorithm::Aes256Gcm, 2))
        .with_retiring_key(key(Algorithm::Aes256Gcm, 2), T0 + Duration::days(1));
    assert_eq!(
        config_err(Sealer::builder(ring).build_at(T0)),
        ConfigError::DuplicateKeyId { key_id: 2 }
    );
}

#[test]
fn one_secret_twice_in_a_ring_is_refused_whatever_the_ids_and_algorithms() {
    let bytes = key_bytes(Algorithm::Xaes256Gcm, 1);
    let cases = [
        // One secret under two algorithms.
        (Algorithm::Aes256Gcm, 2),
        (Algorithm::XChaCha20Poly1305, 7),
        // A copy under a new id instead of a new key.
        (Algorithm::Xaes256Gcm, 3),
    ];
    for (algorithm, id) in cases {
        let ring = KeyRing::new(Key::from_bytes(Algorithm::Xaes256Gcm, 1, &bytes))
            .with_key(key(Algorithm::Aes256Gcm, 9))
            .with_retiring_key(
                Key::from_bytes(algorithm, id, &bytes),
                T0 + Duration::days(1),
            );
        assert_eq!(
            config_err(Sealer::builder(ring).build_at(T0)),
            ConfigError::DuplicateKeySecret {
                key_id: id,
                same_as: 1
            },
            "{algorithm} {id}"
        );
    }
    // Keys that differ in a single bit are two keys.
    let mut other = bytes;
    other[31] ^= 1;
    let ring = KeyRing::new(Key::from_bytes(Algorithm::Xaes256Gcm, 1, &bytes))
        .with_key(Key::from_bytes(Algorithm::Xaes256Gcm, 2, &other));
    assert!(Sealer::builder(ring).build_at(T0).is_ok());
}

#[test]
fn a_shared_secret_error_names_ids_only() {
    let err = ConfigError::DuplicateKeySecret {
        key_id: 4,
        same_as: 2,
    };
    assert_eq!(
        err.to_string(),
        "key 4 holds the same secret as key 2: give each key its own"
    );
}

#[test]
fn retired_primary() {
    let mut ring = common::ring(Algorithm::default(), 3);
    ring.set_retire_at(3, Some(T0));
    // Retired at exactly build time already counts.
    for now in [T0, T0 + Duration::seconds(1)] {
        assert_eq!(
            config_err(Sealer::builder(ring.clone()).build_at(now)),
            ConfigError::RetiredPrimary { key_id: 3 }
        );
    }
    assert!(
        Sealer::builder(ring)
            .build_at(T0 - Duration::seconds(1))
            .is_ok()
    );
}

#[test]
fn ttl_must_be_positive() {
    for ttl in [
        Duration::ZERO,
        Duration::seconds(-1),
        Duration::days(-7),
        Duration::milliseconds(999),
        Duration::seconds(i64::from(u32::MAX) + 1),
    ] {
        let result = common::builder(Algorithm::default())
            .with_ttl(ttl)
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::Ttl, "{ttl}");
    }
    for ttl in [Duration::seconds(1), Duration::seconds(i64::from(u32::MAX))] {
        assert!(
            common::builder(Algorithm::default())
                .with_ttl(ttl)
                .build_at(T0)
                .is_ok()
        );
    }
}

#[test]
fn idle_timeout_must_be_positive_and_shorter_than_ttl() {
    let ttl = Duration::hours(1);
    for idle in [
        Duration::ZERO,
        Duration::seconds(-5),
        ttl,
        ttl + Duration::seconds(1),
        Duration::days(30),
    ] {
        let result = common::builder(Algorithm::default())
            .with_ttl(ttl)
            .with_idle_timeout(idle)
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::IdleTimeout, "{idle}");
    }
    assert!(
        common::builder(Algorithm::default())
            .with_ttl(ttl)
            .with_idle_timeout(ttl - Duration::seconds(1))
            .build_at(T0)
            .is_ok()
    );
}

#[test]
fn renewal_threshold_must_be_a_share() {
    for threshold in [
        -0.1,
        1.1,
        -0.0001,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let result = common::builder(Algorithm::default())
            .with_idle_timeout(Duration::minutes(30))
            .with_renewal_threshold(threshold)
            .build_at(T0);
        assert_eq!(
            config_err(result),
            ConfigError::RenewalThreshold,
            "{threshold}"
        );
    }
    for threshold in [0.0, 0.5, 1.0] {
        assert!(
            common::builder(Algorithm::default())
                .with_renewal_threshold(threshold)
                .build_at(T0)
                .is_ok()
        );
    }
}

#[test]
fn leeway_must_be_between_zero_and_one_hour() {
    for leeway in [
        Duration::seconds(-1),
        Duration::hours(1) + Duration::seconds(1),
        Duration::days(1),
    ] {
        let result = common::builder(Algorithm::default())
            .with_leeway(leeway)
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::Leeway, "{leeway}");
    }
    for leeway in [Duration::ZERO, Duration::hours(1)] {
        assert!(
            common::builder(Algorithm::default())
                .with_leeway(leeway)
                .build_at(T0)
                .is_ok()
        );
    }
}

#[test]
fn cookie_name_must_be_a_token() {
    let long = "n".repeat(256);
    for name in [
        "", "a b", "a;b", "a=b", "a,b", "a\"b", "é", "a\tb", "a\nb", &long,
    ] {
        let result = common::builder(Algorithm::default())
            .with_cookie_name(name)
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::CookieName, "{name:?}");
    }
    let longest = "n".repeat(255);
    assert!(
        common::builder(Algorithm::default())
            .with_cookie_name(longest)
            .build_at(T0)
            .is_ok()
    );
}

#[test]
fn purpose_longer_than_255_bytes() {
    let result = common::builder(Algorithm::default())
        .with_purpose("p".repeat(256))
        .build_at(T0);
    assert_eq!(config_err(result), ConfigError::Purpose);
    // 128 two-byte characters: the limit is on bytes, not characters.
    let result = common::builder(Algorithm::default())
        .with_purpose("é".repeat(128))
        .build_at(T0);
    assert_eq!(config_err(result), ConfigError::Purpose);
    assert!(
        common::builder(Algorithm::default())
            .with_purpose("p".repeat(255))
            .build_at(T0)
            .is_ok()
    );
}

#[test]
fn host_prefix_needs_secure_root_path_and_no_domain() {
    let bad = [
        CookieAttributes::default().with_secure(false),
        CookieAttributes::default().with_path("/app"),
        CookieAttributes::default().with_domain("example.com"),
    ];
    for attributes in bad {
        let result = common::builder(Algorithm::default())
            .with_cookie_name("__Host-session")
            .with_attributes(attributes.clone())
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::Prefix, "{attributes:?}");
    }
    // The same attributes are fine without the prefix.
    let result = common::builder(Algorithm::default())
        .with_cookie_name("session")
        .with_attributes(
            CookieAttributes::default()
                .with_secure(false)
                .with_path("/app")
                .with_domain("example.com"),
        )
        .build_at(T0);
    assert!(result.is_ok());
}

#[test]
fn secure_prefix_needs_secure() {
    let result = common::builder(Algorithm::default())
        .with_cookie_name("__Secure-session")
        .with_attributes(CookieAttributes::default().with_secure(false))
        .build_at(T0);
    assert_eq!(config_err(result), ConfigError::Prefix);
    let result = common::builder(Algorithm::default())
        .with_cookie_name("__Secure-session")
        .with_attributes(
            CookieAttributes::default()
                .with_path("/app")
                .with_domain("example.com"),
        )
        .build_at(T0);
    assert!(result.is_ok());
}

#[test]
fn prefix_rules_apply_case_insensitively() {
    for name in ["__host-session", "__HOST-session", "__secure-session"] {
        let result = common::builder(Algorithm::default())
            .with_cookie_name(name)
            .with_attributes(CookieAttributes::default().with_secure(false))
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::Prefix, "{name}");
    }
}

#[test]
fn same_site_none_needs_secure() {
    let result = common::builder(Algorithm::default())
        .with_cookie_name("sid")
        .with_attributes(
            CookieAttributes::default()
                .with_secure(false)
                .with_same_site(SameSite::None),
        )
        .build_at(T0);
    assert_eq!(config_err(result), ConfigError::Prefix);
    let result = common::builder(Algorithm::default())
        .with_cookie_name("sid")
        .with_attributes(CookieAttributes::default().with_same_site(SameSite::None))
        .build_at(T0);
    assert!(result.is_ok());
}

#[test]
fn attribute_values_must_be_cookie_safe() {
    for attributes in [
        CookieAttributes::default().with_path("/a;b"),
        CookieAttributes::default().with_path(""),
        CookieAttributes::default().with_path("/a\nb"),
        CookieAttributes::default().with_domain("a;Secure"),
        CookieAttributes::default().with_domain(""),
    ] {
        let result = common::builder(Algorithm::default())
            .with_cookie_name("sid")
            .with_attributes(attributes.clone())
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::Attribute, "{attributes:?}");
    }
}

#[test]
fn tiny_max_cookie_size() {
    for size in [0, 1, 50, 100] {
        let result = common::builder(Algorithm::default())
            .with_max_cookie_size(size)
            .build_at(T0);
        assert_eq!(config_err(result), ConfigError::MaxCookieSize, "{size}");
    }
}

#[test]
fn smallest_accepted_max_cookie_size_still_seals_a_minimal_aes_session() {
    // The builder promises the limit can hold at least the smallest sealed
    // value (AES-256-GCM, empty payload): find the smallest accepted limit
    // and check that it can.
    let build = |size| {
        common::builder(Algorithm::Aes256Gcm)
            .with_max_cookie_size(size)
            .build_at(T0)
    };
    let smallest = (0..4096).find(|&size| build(size).is_ok()).unwrap();
    assert_eq!(config_err(build(smallest - 1)), ConfigError::MaxCookieSize);
    let sealer = build(smallest).unwrap();
    let set_cookie = sealer.seal_at(&Session::new(()), T0).unwrap();
    assert!(set_cookie.len() <= smallest);
}
