//! Known-answer vectors of chunked values (FORMAT.md section 11,
//! tests/vectors/v1-chunked.json), checked in both directions: sealing the
//! recorded session with the recorded nonce and clock gives exactly the
//! recorded `Set-Cookie` lines, and the recorded chunks open to exactly the
//! recorded fields. Tampering with the chunks or their count fails with the
//! errors `Chunking::open_at` documents.
//!
//! `SEALED_SESSION_WRITE_VECTORS=1 cargo test --all-features --test vectors`
//! rewrites the file from the case list below; tools/check_vectors.py
//! recomputes every value and chunk from FORMAT.md alone, independently of
//! this crate.

use crate::common::{
    Demo, aad_and_plaintext, assert_opens_to_the_recorded_fields, assert_schema_recorded, clock,
    encode_payload, expected_schema, hex_field, pattern, session, with_schema_settings,
};
use sealed_session::{Algorithm, Chunking, Error, Key, KeyRing, Malformed, Opened, Sealer};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/v1-chunked.json");

/// The inputs of one vector.
struct Case {
    description: &'static str,
    algorithm: Algorithm,
    key_id: u32,
    cookie_name: &'static str,
    purpose: &'static str,
    idle_timeout: Option<i64>,
    subject: Option<&'static str>,
    max_cookie_size: usize,
    roles: usize,
    chunks: u8,
}

fn cases() -> Vec<Case> {
    let base = |description, algorithm, key_id| Case {
        description,
        algorithm,
        key_id,
        cookie_name: "__Host-session",
        purpose: "",
        idle_timeout: None,
        subject: None,
        max_cookie_size: 4096,
        roles: 0,
        chunks: 2,
    };
    vec![
        Case {
            roles: 430,
            ..base(
                "XAES-256-GCM, 2 chunks at the default 4096-byte cookie limit",
                Algorithm::Xaes256Gcm,
                1,
            )
        },
        Case {
            cookie_name: "sid",
            purpose: "login",
            subject: Some("user-42"),
            max_cookie_size: 400,
            roles: 70,
            chunks: 3,
            ..base(
                "AES-256-GCM, 3 chunks, subject and purpose, plain cookie name, 400-byte cookies",
                Algorithm::Aes256Gcm,
                0xDEAD_BEEF,
            )
        },
        Case {
            idle_timeout: Some(1800),
            subject: Some("user-42"),
            max_cookie_size: 400,
            roles: 40,
            ..base(
                "XChaCha20-Poly1305, 2 chunks, idle deadline and subject, 400-byte cookies",
                Algorithm::XChaCha20Poly1305,
                7,
            )
        },
        Case {
            purpose: "admin",
            max_cookie_size: 400,
            roles: 70,
            chunks: 3,
            ..base(
                "XAES-256-GCM, 3 chunks, purpose, 400-byte cookies",
                Algorithm::Xaes256Gcm,
                2,
            )
        },
        Case {
            cookie_name: "sid",
            max_cookie_size: 600,
            roles: 70,
            ..base(
                "AES-256-GCM, 2 chunks, plain cookie name, 600-byte cookies",
                Algorithm::Aes256Gcm,
                3,
            )
        },
    ]
}

fn demo(roles: usize) -> Demo {
    Demo {
        user: "alice".into(),
        roles: (0..roles).map(|i| format!("role-{i}")).collect(),
        visits: 3,
    }
}

fn sealer(v: &Value) -> Sealer {
    sealer_with_limit(v, usize_field(v, "max_cookie_size"))
}

fn sealer_with_limit(v: &Value, max_cookie_size: usize) -> Sealer {
    let key = Key::from_text(v["key_text"].as_str().unwrap()).unwrap();
    let builder = Sealer::builder(KeyRing::new(key))
        .with_cookie_name(v["cookie_name"].as_str().unwrap())
        .with_purpose(v["purpose"].as_str().unwrap())
        .with_ttl(Duration::seconds(v["ttl"].as_i64().unwrap()))
        .with_max_cookie_size(max_cookie_size);
    let mut builder = with_schema_settings(builder, v);
    if let Some(idle) = v["idle_timeout"].as_i64() {
        builder = builder.with_idle_timeout(Duration::seconds(idle));
    }
    builder.build_at(clock(v)).unwrap()
}

fn chunking(v: &Value) -> Chunking {
    Chunking::new()
        .with_max_chunks(v["max_chunks"].as_u64().unwrap().try_into().unwrap())
        .with_header_budget(usize_field(v, "header_budget"))
}

fn usize_field(v: &Value, name: &str) -> usize {
    v[name].as_u64().unwrap().try_into().unwrap()
}

/// The recorded chunk values, `name.0` first.
fn chunk_values(v: &Value) -> Vec<String> {
    v["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap().to_owned())
        .collect()
}

/// The chunk parts without the count prefix: `value` split as recorded.
fn parts(v: &Value) -> Vec<String> {
    let mut parts = chunk_values(v);
    let prefix = format!("{}.", v["chunk_count"]);
    parts[0] = parts[0].strip_prefix(&prefix).unwrap().to_owned();
    parts
}

/// `parts` as the cookies of a session claiming `count` chunks.
fn with_count(count: usize, parts: &[String]) -> Vec<String> {
    let mut chunks = parts.to_vec();
    chunks[0] = format!("{count}.{}", chunks[0]);
    chunks
}

/// `value` split into `n` non-empty parts of nearly equal length.
fn split_even(value: &str, n: usize) -> Vec<String> {
    let step = value.len().div_ceil(n);
    value
        .as_bytes()
        .chunks(step)
        .map(|p| String::from_utf8(p.to_vec()).unwrap())
        .collect()
}

fn open_chunks(v: &Value, chunks: &[String]) -> Result<Opened<Demo>, Error> {
    open_chunks_with(v, &sealer(v), chunks)
}

fn open_chunks_with(v: &Value, sealer: &Sealer, chunks: &[String]) -> Result<Opened<Demo>, Error> {
    chunking(v).open_at::<Demo>(
        sealer,
        None,
        |k| chunks.get(k).map(String::as_str),
        clock(v),
    )
}

/// Whether `c` may end a canonical unpadded base64url text of `len`
/// characters: the bits past the last whole byte must be zero.
fn canonical_last(len: usize, c: u8) -> bool {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bits = ALPHABET.iter().position(|&a| a == c).unwrap();
    match len % 4 {
        2 => bits & 0x0f == 0,
        3 => bits & 0x03 == 0,
        _ => true,
    }
}

/// The errors of a rearranged joined value: authentication, or a check
/// before it when the text no longer decodes strictly or its first bytes
/// are no longer the header (FORMAT.md sections 1, 2 and 11).
fn fails_before_or_at_authentication(got: &Option<Error>) -> bool {
    matches!(
        got,
        Some(
            Error::Unauthenticated
                | Error::Malformed(Malformed::Base64 | Malformed::UnknownAlgorithm)
                | Error::UnsupportedVersion { .. }
                | Error::UnknownKey { .. }
        )
    )
}

fn load() -> Vec<Value> {
    crate::common::load(PATH)
}

#[test]
fn the_file_has_every_case_and_both_counts_and_all_algorithms() {
    let vectors = load();
    assert_eq!(vectors.len(), cases().len());
    for (v, c) in vectors.iter().zip(cases()) {
        assert_eq!(v["description"], c.description);
        assert_eq!(v["chunk_count"], c.chunks);
        assert_eq!(v["chunks"].as_array().unwrap().len(), usize::from(c.chunks));
    }
    let counts: Vec<_> = vectors.iter().map(|v| v["chunk_count"].clone()).collect();
    assert!(counts.contains(&json!(2)) && counts.contains(&json!(3)));
    for alg in ["xaes256gcm", "xchacha20poly1305", "aes256gcm"] {
        assert!(vectors.iter().any(|v| v["algorithm"] == alg), "{alg}");
    }
}

#[test]
fn every_chunked_vector_seals_to_its_chunks() {
    for v in &load() {
        let what = v["description"].as_str().unwrap();
        let sealed = chunking(v)
            .seal_with_nonce_at(&sealer(v), &session(v), clock(v), &hex_field(v, "nonce"))
            .unwrap();
        assert_eq!(
            sealed.chunk_count().map(u64::from),
            v["chunk_count"].as_u64(),
            "{what}"
        );
        let lines: Vec<&str> = v["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["set_cookie"].as_str().unwrap())
            .collect();
        assert_eq!(sealed.set_cookies(), lines.as_slice(), "{what}");
        for (k, (line, chunk)) in lines
            .iter()
            .zip(v["chunks"].as_array().unwrap())
            .enumerate()
        {
            let name = format!("{}.{k}", v["cookie_name"].as_str().unwrap());
            assert_eq!(chunk["name"], json!(name), "{what}");
            let value = chunk["value"].as_str().unwrap();
            assert!(line.starts_with(&format!("{name}={value};")), "{what}");
            assert!(line.len() <= usize_field(v, "max_cookie_size"), "{what}");
        }
        assert_eq!(parts(v).concat(), v["value"].as_str().unwrap(), "{what}");
    }
}

#[test]
fn the_wrong_nonce_length_is_refused() {
    let v = &load()[0];
    let err = chunking(v)
        .seal_with_nonce_at(&sealer(v), &session(v), clock(v), &[0; 12])
        .unwrap_err();
    assert_eq!(err, Error::Malformed(Malformed::TooShort));
}

#[test]
fn every_chunked_vector_opens_to_its_fields() {
    for v in &load() {
        let what = v["description"].as_str().unwrap();
        let opened = open_chunks(v, &chunk_values(v)).unwrap();
        assert_opens_to_the_recorded_fields(v, &opened, what);
        let key = Key::from_text(v["key_text"].as_str().unwrap()).unwrap();
        let n = u8::try_from(usize_field(v, "chunk_count")).unwrap();
        assert_schema_recorded(v, &key, v["value"].as_str().unwrap(), Some(n), what);
    }
}

#[test]
fn split_points_are_not_authenticated_but_the_count_is() {
    for v in &load() {
        let what = v["description"].as_str().unwrap();
        let n = usize_field(v, "chunk_count");
        let value = v["value"].as_str().unwrap();
        // The same value split elsewhere into the same count opens.
        let resplit = with_count(n, &split_even(value, n));
        assert_ne!(resplit, chunk_values(v), "{what}");
        assert!(open_chunks(v, &resplit).is_ok(), "{what}");
        // The same value under another count: only the AAD byte differs.
        // (A reader whose cookie limit admits the joined length: with the
        // vector's own limit, fewer chunks may first be too long.)
        let roomy = sealer_with_limit(v, 16_384);
        for other in [n - 1, n + 1] {
            if other >= 2 {
                let chunks = with_count(other, &split_even(value, other));
                assert_eq!(
                    open_chunks_with(v, &roomy, &chunks).err(),
                    Some(Error::Unauthenticated),
                    "{what}: {other} chunks"
                );
                let own = open_chunks(v, &chunks).err();
                assert!(
                    matches!(own, Some(Error::Unauthenticated | Error::TooLarge { .. })),
                    "{what}: {other} chunks: {own:?}"
                );
            }
        }
        // The joined value as a single cookie (under a limit that admits
        // its length): the AAD lacks the count byte.
        let single = sealer_with_limit(v, 16_384).open_at::<Demo>(value, clock(v));
        assert_eq!(single.err(), Some(Error::Unauthenticated), "{what}");
    }
}

#[test]
fn dropped_reordered_or_recounted_chunks_fail_with_the_documented_errors() {
    for v in &load() {
        let what = v["description"].as_str().unwrap();
        let n = usize_field(v, "chunk_count");
        let chunks = chunk_values(v);
        let parts = parts(v);
        let chunk_err = Some(Error::Malformed(Malformed::Chunks));

        // Dropped: the last chunk (the count still names it), or any one
        // chunk with the later ones moved down.
        assert_eq!(open_chunks(v, &chunks[..n - 1]).err(), chunk_err, "{what}");
        for k in 1..n {
            let mut fewer = chunks.clone();
            fewer.remove(k);
            assert_eq!(open_chunks(v, &fewer).err(), chunk_err, "{what}");
        }
        // Dropped, with the count lowered to match: the shorter text fails
        // the strict decoding when its new last character has bits past
        // the last byte, else authentication. Dropping the first chunk
        // drops the header.
        if n > 2 {
            for k in 0..n {
                let mut kept = parts.clone();
                kept.remove(k);
                let got = open_chunks(v, &with_count(n - 1, &kept)).err();
                assert!(
                    fails_before_or_at_authentication(&got),
                    "{what}: without {k}: {got:?}"
                );
            }
        }
        // An empty chunk, and a first chunk with nothing after the count.
        let mut empty = chunks.clone();
        empty[n - 1].clear();
        assert_eq!(open_chunks(v, &empty).err(), chunk_err, "{what}");
        let mut headless = chunks.clone();
        headless[0] = format!("{n}.");
        assert_eq!(open_chunks(v, &headless).err(), chunk_err, "{what}");

        // Reordered: the joined text changes. Swapping the recorded chunks
        // moves the header or the last character, so the value may fail the
        // strict decoding or the header checks before authentication; it
        // never opens.
        let mut swapped = parts.clone();
        swapped.swap(n - 2, n - 1);
        let got = open_chunks(v, &with_count(n, &swapped)).err();
        assert!(fails_before_or_at_authentication(&got), "{what}: {got:?}");
        // A reordering that keeps the header and ends on a character valid
        // as the last one decodes, and fails authentication: the first
        // chunk as recorded, the other two swapped at a suitable cut.
        if n == 3 {
            let value = v["value"].as_str().unwrap();
            let rest = &value[parts[0].len()..];
            let cut = (1..rest.len())
                .rev()
                .find(|&b| canonical_last(value.len(), rest.as_bytes()[b - 1]))
                .unwrap();
            let reordered = with_count(
                3,
                &[
                    parts[0].clone(),
                    rest[cut..].to_owned(),
                    rest[..cut].to_owned(),
                ],
            );
            assert_ne!(reordered[1..].concat(), rest, "{what}");
            assert_eq!(
                open_chunks(v, &reordered).err(),
                Some(Error::Unauthenticated),
                "{what}"
            );
        }

        // Count changed, the chunks left as they are.
        let mut raised = parts.clone();
        raised[0] = format!("{}.{}", n + 1, parts[0]);
        assert_eq!(open_chunks(v, &raised).err(), chunk_err, "{what}");
        let mut added = raised.clone();
        added.push("AAAA".into());
        assert_eq!(
            open_chunks(v, &added).err(),
            Some(Error::Unauthenticated),
            "{what}"
        );
        for bad in ["1", "0", "02", "+2", "", "256", &(n + 100).to_string()] {
            let mut forged = chunks.clone();
            forged[0] = format!("{bad}.{}", parts[0]);
            assert_eq!(open_chunks(v, &forged).err(), chunk_err, "{what}: {bad:?}");
        }
        // A count above the reader's maximum.
        let strict = Chunking::new().with_max_chunks(u8::try_from(n - 1).unwrap().max(2));
        if n > 2 {
            let got = strict.open_at::<Demo>(
                &sealer(v),
                None,
                |k| chunks.get(k).map(String::as_str),
                clock(v),
            );
            assert_eq!(got.err(), chunk_err, "{what}");
        }

        // A stale chunk at index n (left over from a larger session) is
        // ignored.
        let mut stale = chunks.clone();
        stale.push("AAAA".into());
        assert!(open_chunks(v, &stale).is_ok(), "{what}");
    }
}

/// Writes tests/vectors/v1-chunked.json from `cases()`; runs only when asked.
#[test]
fn write_vectors_when_asked() {
    crate::common::write_if_asked(
        PATH,
        "Chunked values, FORMAT.md section 11. Integers are decimal, byte strings lowercase hex, times unix seconds.",
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
    // Seeds apart from v1.json's, so no key or nonce is shared with it.
    let secret: [u8; 32] = pattern(i + 51, 32).try_into().unwrap();
    let key = Key::from_bytes(c.algorithm, c.key_id, &secret);
    let nonce = pattern(i + 151, c.algorithm.nonce_len());
    let session_id = pattern(i + 231, 16);
    let ttl = 86_400;
    let defaults = Chunking::new();
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
        "ttl": ttl,
        "idle_timeout": c.idle_timeout,
        "max_cookie_size": c.max_cookie_size,
        "max_chunks": defaults.max_chunks(),
        "header_budget": defaults.header_budget(),
        "codec": "postcard",
        "schema_version": null,
        "envelope": {
            "session_id": hex::encode(&session_id),
            "issued_at": clock,
            "expires_at": clock + ttl,
            "idle_deadline": c.idle_timeout.map(|idle| clock + idle),
            "subject": c.subject,
        },
    });
    v["payload"] = json!(hex::encode(encode_payload(&v, &demo(c.roles))));
    v["envelope"]["schema"] = json!(expected_schema(&v));
    let now = OffsetDateTime::from_unix_timestamp(clock).unwrap();
    let sealed = chunking(&v)
        .seal_with_nonce_at(&sealer(&v), &session(&v), now, &nonce)
        .unwrap();
    assert_eq!(sealed.chunk_count(), Some(c.chunks), "{}", c.description);
    let n = c.chunks;
    let mut value = String::new();
    let mut chunks = Vec::new();
    let mut caps = Vec::new();
    let mut attributes = String::new();
    for (k, line) in sealed.set_cookies().iter().enumerate() {
        let (pair, rest) = line.split_once(';').unwrap();
        let (name, chunk) = pair.split_once('=').unwrap();
        let part = if k == 0 {
            chunk.strip_prefix(&format!("{n}.")).unwrap()
        } else {
            chunk
        };
        value.push_str(part);
        // What the line leaves for the part: the limit minus everything else.
        caps.push(c.max_cookie_size - (line.len() - part.len()));
        let (max_age, attrs) = rest.split_once(';').unwrap();
        v["max_age"] = json!(
            max_age
                .strip_prefix(" Max-Age=")
                .unwrap()
                .parse::<i64>()
                .unwrap()
        );
        attributes = format!(";{attrs}");
        chunks.push(json!({ "name": name, "value": chunk, "set_cookie": line }));
    }
    v["set_cookie_attributes"] = json!(attributes);
    v["chunk_capacities"] = json!(caps);
    v["value"] = json!(value);
    v["chunk_count"] = json!(n);
    v["chunks"] = json!(chunks);
    add_intermediates(&mut v, &key, n);
    v
}

/// Records the AAD (with the count byte) and the plaintext envelope,
/// decrypted from the joined value with an independent AEAD call, so
/// implementers can check each step.
fn add_intermediates(v: &mut Value, key: &Key, n: u8) {
    let value = v["value"].as_str().unwrap().to_owned();
    let (aad, plain) = aad_and_plaintext(v, key, &value, Some(n));
    v["envelope"]["flags"] = json!(plain[0]);
    v["aad"] = json!(hex::encode(&aad));
    v["plaintext"] = json!(hex::encode(&plain));
}
