//! Known-answer vectors of the v1 format (tests/vectors/v1.json), checked in
//! both directions: each cookie opens to exactly the recorded fields, and
//! sealing the recorded session with the recorded nonce and clock gives
//! exactly the recorded cookie.
//!
//! `SEALED_SESSION_WRITE_VECTORS=1 cargo test --all-features --test vectors`
//! rewrites the file from the case list below; tools/check_vectors.py
//! recomputes every cookie from FORMAT.md alone, independently of this crate.

use crate::common::{
    Demo, ENVELOPE_FIXED_LEN, aad_and_plaintext, assert_opens_to_the_recorded_fields,
    assert_schema_recorded, clock, encode_payload, expected_schema, hex_field, pattern, session,
    with_schema_settings,
};
use sealed_session::{Algorithm, Key, KeyRing, Sealer};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1.json");

/// The inputs of one vector.
struct Case {
    description: &'static str,
    algorithm: Algorithm,
    key_id: u32,
    cookie_name: &'static str,
    purpose: &'static str,
    ttl: i64,
    idle_timeout: Option<i64>,
    subject: Option<&'static str>,
    compressed: bool,
    roles: usize,
    /// The payload is MessagePack (`Codec::MessagePack`), else postcard.
    messagepack: bool,
    /// An explicit schema version for `Demo`, else its traced fingerprint.
    schema_version: Option<u16>,
}

fn cases() -> Vec<Case> {
    let base = |description, algorithm, key_id| Case {
        description,
        algorithm,
        key_id,
        cookie_name: "__Host-session",
        purpose: "",
        ttl: 86_400,
        idle_timeout: None,
        subject: None,
        compressed: false,
        roles: 2,
        messagepack: false,
        schema_version: None,
    };
    vec![
        base("XAES-256-GCM, minimal envelope", Algorithm::Xaes256Gcm, 1),
        Case {
            idle_timeout: Some(1800),
            subject: Some("user-42"),
            purpose: "login",
            ..base(
                "XChaCha20-Poly1305, idle deadline, subject and purpose",
                Algorithm::XChaCha20Poly1305,
                7,
            )
        },
        Case {
            subject: Some("user-42"),
            cookie_name: "sid",
            ..base(
                "AES-256-GCM, subject, plain cookie name",
                Algorithm::Aes256Gcm,
                0xDEAD_BEEF,
            )
        },
        Case {
            compressed: true,
            roles: 40,
            ..base("XAES-256-GCM, compressed payload", Algorithm::Xaes256Gcm, 2)
        },
        Case {
            compressed: true,
            roles: 40,
            idle_timeout: Some(600),
            ..base(
                "XChaCha20-Poly1305, compressed payload, idle",
                Algorithm::XChaCha20Poly1305,
                3,
            )
        },
        Case {
            compressed: true,
            roles: 40,
            subject: Some("ops@example.com"),
            purpose: "admin",
            ..base(
                "AES-256-GCM, compressed payload, subject, purpose",
                Algorithm::Aes256Gcm,
                4,
            )
        },
        Case {
            messagepack: true,
            subject: Some("user-42"),
            ..base(
                "XAES-256-GCM, MessagePack payload, subject",
                Algorithm::Xaes256Gcm,
                5,
            )
        },
        Case {
            messagepack: true,
            compressed: true,
            roles: 40,
            idle_timeout: Some(600),
            ..base(
                "XChaCha20-Poly1305, MessagePack payload, compressed, idle",
                Algorithm::XChaCha20Poly1305,
                6,
            )
        },
        Case {
            schema_version: Some(3),
            ..base(
                "AES-256-GCM, explicit schema version 3",
                Algorithm::Aes256Gcm,
                8,
            )
        },
    ]
}

/// The cases this build can check: MessagePack ones need the feature.
fn supported_cases() -> Vec<Case> {
    cases()
        .into_iter()
        .filter(|c| !c.messagepack || cfg!(feature = "messagepack"))
        .collect()
}

fn demo(roles: usize) -> Demo {
    Demo {
        user: "alice".into(),
        roles: (0..roles).map(|i| format!("role-{}", i % 4)).collect(),
        visits: 3,
    }
}

fn sealer(v: &Value) -> Sealer {
    let key = Key::from_text(v["key_text"].as_str().unwrap()).unwrap();
    let builder = Sealer::builder(KeyRing::new(key))
        .with_cookie_name(v["cookie_name"].as_str().unwrap())
        .with_purpose(v["purpose"].as_str().unwrap())
        .with_ttl(Duration::seconds(v["ttl"].as_i64().unwrap()))
        .with_compression(v["compressed_payload"].is_string());
    let mut builder = with_schema_settings(builder, v);
    if let Some(idle) = v["idle_timeout"].as_i64() {
        builder = builder.with_idle_timeout(Duration::seconds(idle));
    }
    builder.build_at(clock(v)).unwrap()
}

fn load() -> Vec<Value> {
    crate::common::load(PATH)
}

#[test]
fn the_file_has_every_case_and_both_codecs_and_schema_kinds() {
    let file = crate::common::load_file(PATH);
    let all = file["vectors"].as_array().unwrap();
    assert_eq!(all.len(), cases().len());
    for (v, c) in all.iter().zip(cases()) {
        assert_eq!(v["description"], c.description);
        assert_eq!(crate::common::is_messagepack(v), c.messagepack);
        assert_eq!(
            v["schema_version"].as_u64(),
            c.schema_version.map(u64::from)
        );
    }
    assert!(all.iter().any(crate::common::is_messagepack));
    assert!(all.iter().any(|v| v["schema_version"].is_u64()));
    assert_eq!(load().len(), supported_cases().len());
}

#[test]
fn every_vector_seals_to_its_cookie() {
    for v in &load() {
        let cookie = sealer(v)
            .seal_value_with_nonce_at(&session(v), clock(v), &hex_field(v, "nonce"))
            .unwrap();
        let what = v["description"].as_str().unwrap();
        assert_eq!(cookie, v["cookie"].as_str().unwrap(), "{what}");
        let key = Key::from_text(v["key_text"].as_str().unwrap()).unwrap();
        assert_schema_recorded(v, &key, &cookie, None, what);
    }
}

#[test]
fn every_vector_opens_to_its_fields() {
    for v in &load() {
        let opened = sealer(v)
            .open_at::<Demo>(v["cookie"].as_str().unwrap(), clock(v))
            .unwrap();
        let what = v["description"].as_str().unwrap();
        assert_opens_to_the_recorded_fields(v, &opened, what);
        let key = Key::from_text(v["key_text"].as_str().unwrap()).unwrap();
        assert_schema_recorded(v, &key, v["cookie"].as_str().unwrap(), None, what);
    }
}

#[test]
fn every_vector_opens_only_as_its_schema() {
    // A sealer that gives `Demo` another schema id refuses the cookie as a
    // mismatch naming the recorded id, unless the payload is MessagePack:
    // that one is read by field names (and asks to be sealed again).
    for v in &load() {
        let what = v["description"].as_str().unwrap();
        let mut other = v.clone();
        other["schema_version"] = match v["schema_version"].as_u64() {
            Some(n) => json!(n + 1),
            None => json!(1),
        };
        let got = sealer(&other).open_at::<Demo>(v["cookie"].as_str().unwrap(), clock(v));
        if crate::common::is_messagepack(v) {
            assert!(got.unwrap().needs_reseal(), "{what}");
        } else {
            assert_eq!(
                got.unwrap_err(),
                sealed_session::Error::SchemaMismatch {
                    found: expected_schema(v),
                    expected: expected_schema(&other),
                },
                "{what}"
            );
        }
    }
}

#[test]
fn every_vector_rejects_another_cookie_name() {
    for v in &load() {
        let mut other = v.clone();
        other["cookie_name"] = json!("other");
        let err = sealer(&other).open_at::<Demo>(v["cookie"].as_str().unwrap(), clock(v));
        assert_eq!(err.unwrap_err(), sealed_session::Error::Unauthenticated);
    }
}

/// Writes tests/vectors/v1.json from `cases()`; runs only when asked.
#[test]
fn write_vectors_when_asked() {
    crate::common::write_if_asked(
        PATH,
        "See FORMAT.md. Integers are decimal, byte strings lowercase hex, times unix seconds.",
        |clock| {
            cases()
                .iter()
                .enumerate()
                .map(|(i, c)| generate(i as u8, c, clock))
                .collect()
        },
    );
}

fn generate(i: u8, c: &Case, clock: i64) -> Value {
    let secret: [u8; 32] = pattern(i + 1, 32).try_into().unwrap();
    let key = Key::from_bytes(c.algorithm, c.key_id, &secret);
    let nonce = pattern(i + 101, c.algorithm.nonce_len());
    let session_id = pattern(i + 201, 16);
    let mut v = json!({
        "description": c.description,
        "algorithm": c.algorithm.name(),
        "key_id": c.key_id,
        "key": hex::encode(secret),
        "key_text": key.to_text().as_str(),
        "nonce": hex::encode(&nonce),
        "clock": clock,
        "cookie_name": c.cookie_name,
        "purpose": c.purpose,
        "ttl": c.ttl,
        "idle_timeout": c.idle_timeout,
        "codec": if c.messagepack { "messagepack" } else { "postcard" },
        "schema_version": c.schema_version,
        "compressed_payload": null,
        "envelope": {
            "session_id": hex::encode(&session_id),
            "issued_at": clock,
            "expires_at": clock + c.ttl,
            "idle_deadline": c.idle_timeout.map(|idle| clock + idle),
            "subject": c.subject,
        },
    });
    v["payload"] = json!(hex::encode(encode_payload(&v, &demo(c.roles))));
    v["envelope"]["schema"] = json!(expected_schema(&v));
    if c.compressed {
        v["compressed_payload"] = json!("");
    }
    let now = OffsetDateTime::from_unix_timestamp(clock).unwrap();
    let cookie = sealer(&v)
        .seal_value_with_nonce_at(&session(&v), now, &nonce)
        .unwrap();
    v["cookie"] = json!(cookie);
    add_intermediates(&mut v, &key);
    v
}

/// Records AAD, plaintext envelope and deflate bytes, decrypted from the
/// cookie with an independent AEAD call, so implementers can check each step.
fn add_intermediates(v: &mut Value, key: &Key) {
    let cookie = v["cookie"].as_str().unwrap().to_owned();
    let (aad, plain) = aad_and_plaintext(v, key, &cookie, None);
    let flags = plain[0];
    v["envelope"]["flags"] = json!(flags);
    if flags & 4 != 0 {
        let fixed = ENVELOPE_FIXED_LEN + if flags & 1 != 0 { 4 } else { 0 };
        let subject = v["envelope"]["subject"].as_str().map_or(0, |s| 1 + s.len());
        v["compressed_payload"] = json!(hex::encode(&plain[fixed + subject..]));
    }
    v["aad"] = json!(hex::encode(&aad));
    v["plaintext"] = json!(hex::encode(&plain));
}
