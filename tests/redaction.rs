//! Nothing the crate prints (Debug of its types, Display and Debug of its
//! errors) may leak key material or session plaintext: these strings end up
//! in logs, panic messages and error pages.

mod common;

use common::T0;
use sealed_session::{
    Algorithm, ConfigError, Error, Key, KeyRing, Malformed, Sealer, Session, SessionId,
};

/// A key pattern that is easy to recognise in any encoding.
const SECRET: [u8; 32] = [
    0xC0, 0xFF, 0xEE, 0x15, 0xBA, 0xDD, 0xEC, 0xAF, 0x13, 0x37, 0x42, 0x99, 0xAB, 0xCD, 0xEF, 0x01,
    0x23, 0x45, 0x67, 0x89, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0x0F, 0x1E, 0x2D, 0x3C,
];

const PLAINTEXT: &str = "plaintext-token-s3cr3t-payload";
const SUBJECT: &str = "user-42";

/// Every spelling of the key (or a 4-byte window of it) a careless
/// formatter could produce.
fn key_spellings() -> Vec<String> {
    let mut out = vec![
        hex::encode(SECRET),
        hex::encode_upper(SECRET),
        common::encode(&SECRET),
        format!("{SECRET:?}"),
        format!("{SECRET:x?}"),
        format!("{SECRET:X?}"),
        // Debug of a byte array starts like this.
        format!("[{}, {}, {}", SECRET[0], SECRET[1], SECRET[2]),
        format!("[{:#x}, {:#x}", SECRET[0], SECRET[1]),
        // The text form's secret part.
        Key::from_bytes(Algorithm::default(), 1, &SECRET)
            .to_text()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned(),
    ];
    for window in SECRET.windows(4) {
        out.push(hex::encode(window));
        out.push(hex::encode_upper(window));
    }
    out
}

fn plaintext_spellings() -> Vec<String> {
    vec![
        PLAINTEXT.to_owned(),
        hex::encode(PLAINTEXT),
        common::encode(PLAINTEXT.as_bytes()),
        format!("{:?}", PLAINTEXT.as_bytes()),
        // Postcard bytes of the payload start with its length.
        format!(
            "[{}, {}, {}",
            PLAINTEXT.len(),
            PLAINTEXT.as_bytes()[0],
            PLAINTEXT.as_bytes()[1]
        ),
    ]
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for spelling in key_spellings() {
        assert!(
            !text.contains(&spelling),
            "{what} leaks key bytes as {spelling:?}: {text}"
        );
    }
    for spelling in plaintext_spellings() {
        assert!(
            !text.contains(&spelling),
            "{what} leaks the payload as {spelling:?}: {text}"
        );
    }
}

fn secret_key(algorithm: Algorithm) -> Key {
    Key::from_bytes(algorithm, 1, &SECRET)
}

#[test]
fn spellings_are_recognised() {
    // The checker itself must catch a real leak.
    let leak = format!("{SECRET:?}");
    assert!(key_spellings().iter().any(|s| leak.contains(s)));
    let leak = hex::encode(&SECRET[10..20]);
    assert!(key_spellings().iter().any(|s| leak.contains(s)));
}

#[test]
fn key_ring_sealer_and_builder_debug_hide_the_key() {
    for algorithm in Algorithm::ALL {
        let key = secret_key(algorithm);
        assert_clean("Key {:?}", &format!("{key:?}"));
        assert_clean("Key {:#?}", &format!("{key:#?}"));
        // A ring refuses one secret twice: the others differ in the last
        // byte, so every 4-byte window but the last still gives them away.
        let (mut second, mut third) = (SECRET, SECRET);
        second[31] ^= 1;
        third[31] ^= 2;
        let ring = KeyRing::new(key.clone())
            .with_key(Key::from_bytes(algorithm, 2, &second))
            .with_retiring_key(Key::from_bytes(algorithm, 3, &third), T0);
        assert_clean("KeyRing", &format!("{ring:?} {ring:#?}"));
        let builder = Sealer::builder(ring.clone()).with_purpose("p");
        assert_clean("SealerBuilder", &format!("{builder:?} {builder:#?}"));
        let sealer = builder.build_at(T0 - time::Duration::days(1)).unwrap();
        let debug = format!("{sealer:?} {sealer:#?}");
        assert_clean("Sealer", &debug);
        // Not vacuous: the Debug output does describe the sealer.
        assert!(debug.contains("__Host-session"), "{debug}");
        assert_clean("Algorithm", &format!("{algorithm:?} {algorithm}"));
    }
}

#[test]
fn session_and_opened_debug_hide_the_payload() {
    let sealer = Sealer::builder(KeyRing::new(secret_key(Algorithm::default())))
        .build_at(T0)
        .unwrap();
    let mut session = Session::new(String::from(PLAINTEXT));
    session.set_subject(SUBJECT).unwrap();
    let debug = format!("{session:?} {session:#?}");
    assert_clean("Session", &debug);
    assert!(debug.contains(&session.id().to_string()), "{debug}");

    let value = sealer.seal_value_at(&session, T0).unwrap();
    let opened = sealer.open_at::<String>(&value, T0).unwrap();
    assert_eq!(opened.session().data(), PLAINTEXT);
    assert_clean("Opened", &format!("{opened:?} {opened:#?}"));
    assert_clean("Session", &format!("{:?}", opened.session()));
    // A payload made of the key bytes does not show either.
    let session = Session::new(SECRET);
    assert_clean("Session of key bytes", &format!("{session:?}"));
}

/// One instance of every error variant, including those produced by real
/// operations with the secret key in play.
fn all_errors() -> Vec<Error> {
    let config = [
        ConfigError::CookieName,
        ConfigError::Purpose,
        ConfigError::Ttl,
        ConfigError::IdleTimeout,
        ConfigError::RenewalThreshold,
        ConfigError::Leeway,
        ConfigError::MaxCookieSize,
        ConfigError::Attribute,
        ConfigError::Prefix,
        ConfigError::RetiredPrimary { key_id: 1 },
        ConfigError::DuplicateKeyId { key_id: 1 },
        ConfigError::DuplicateKeySecret {
            key_id: 2,
            same_as: 1,
        },
        ConfigError::KeyText,
        ConfigError::MasterSecret,
        ConfigError::Compression,
        ConfigError::Clock,
        ConfigError::Subject,
    ];
    let malformed = [
        Malformed::Empty,
        Malformed::Base64,
        Malformed::TooShort,
        Malformed::UnknownAlgorithm,
        Malformed::Envelope,
        Malformed::Compression,
        Malformed::CompressionUnsupported,
        Malformed::CodecUnsupported,
    ];
    let mut errors: Vec<Error> = vec![
        Error::UnsupportedVersion { version: 2 },
        Error::UnknownKey { key_id: 7 },
        Error::RetiredKey { key_id: 1 },
        Error::AlgorithmMismatch { key_id: 1 },
        Error::Unauthenticated,
        Error::Expired,
        Error::IdleExpired,
        Error::NotYetValid,
        Error::TooLarge {
            size: 5000,
            limit: 4096,
        },
        Error::DecompressedTooLarge { limit: 65_536 },
        Error::Serialize,
        Error::Deserialize,
        Error::SchemaMismatch {
            found: 1,
            expected: 0x8000_0001,
        },
        Error::MigrationFailed { from: 7 },
        Error::InvalidConfig(ConfigError::UntraceableSchema {
            reason: sealed_session::UntraceableReason::Rejected,
        }),
        Error::InvalidConfig(ConfigError::ConflictingSchema { schema: 3 }),
    ];
    errors.extend(malformed.map(Error::Malformed));
    errors.extend(config.map(Error::InvalidConfig));

    // Errors from real operations, where the key and the payload are near.
    let sealer = Sealer::builder(KeyRing::new(secret_key(Algorithm::default())))
        .build_at(T0)
        .unwrap();
    let value = sealer
        .seal_value_at(&Session::new(String::from(PLAINTEXT)), T0)
        .unwrap();
    errors.push(sealer.open_at::<u64>(&value, T0).unwrap_err());
    let mut bytes = common::decode(&value);
    *bytes.last_mut().unwrap() ^= 1;
    errors.push(
        sealer
            .open_at::<String>(&common::encode(&bytes), T0)
            .unwrap_err(),
    );
    let key_text = Key::from_bytes(Algorithm::default(), 1, &SECRET).to_text();
    errors.push(Key::from_text(&format!("{}:extra", key_text.as_str())).unwrap_err());
    errors.push(Key::from_text(&key_text.replace("ss1:", "ss9:")).unwrap_err());
    errors.push(Key::derive(&SECRET[..31], "ctx", Algorithm::default(), 1).unwrap_err());
    // One secret twice in a ring: the error is about those very bytes.
    let twice = KeyRing::new(secret_key(Algorithm::default())).with_key(Key::from_bytes(
        Algorithm::Aes256Gcm,
        2,
        &SECRET,
    ));
    errors.push(Sealer::builder(twice.clone()).build_at(T0).unwrap_err());
    errors.push(KeyRing::from_text(&twice.to_text()).unwrap_err());
    errors
}

#[test]
fn every_error_display_and_debug_is_clean() {
    for err in all_errors() {
        let display = err.to_string();
        assert!(!display.is_empty());
        assert_clean("Error Display", &display);
        assert_clean("Error Debug", &format!("{err:?} {err:#?}"));
        if let Error::InvalidConfig(why) = &err {
            assert_clean("ConfigError", &format!("{why} {why:?}"));
        }
        if let Error::Malformed(why) = &err {
            assert_clean("Malformed", &format!("{why} {why:?}"));
        }
        // The std::error::Error view too.
        let dynamic: &dyn std::error::Error = &err;
        assert_clean("dyn Error", &dynamic.to_string());
    }
}

#[test]
fn session_id_prints_as_hex_only() {
    let id = SessionId::from_bytes([0xab; 16]);
    assert_eq!(id.to_string(), "ab".repeat(16));
    assert_eq!(format!("{id:?}"), format!("SessionId({})", "ab".repeat(16)));
}
