//! What the two known-answer vector suites (single.rs and
//! chunked.rs) share: the session type, deterministic bytes,
//! reading a vector's fields, and the independent AEAD call that records
//! the intermediate bytes of each vector.

#![allow(dead_code)] // each suite uses a different part

use sealed_session::{Algorithm, Key, Opened, Session, SessionId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// The session data every vector carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demo {
    pub user: String,
    pub roles: Vec<String>,
    pub visits: u32,
}

/// Deterministic bytes, so regenerating gives the same file.
pub fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 7))
        .collect()
}

/// flags + session id + issued-at (5) + lifetime (4) + schema (4).
pub const ENVELOPE_FIXED_LEN: usize = 30;
/// Where the schema id starts in the envelope.
pub const SCHEMA_AT: usize = 26;
/// Envelope flag bit 3: the payload is MessagePack with field names.
pub const FLAG_MESSAGEPACK: u8 = 0b1000;

/// The schema shape text of [`Demo`] (FORMAT.md, "Schema"), recorded in
/// each vector file as `schema_shape`.
pub fn demo_shape() -> String {
    sealed_session::schema::shape::<Demo>().unwrap()
}

/// Rewrites the vector file at `path` when `SEALED_SESSION_WRITE_VECTORS`
/// is set: `generate` gets the vectors' clock (2030-01-01T00:00:00Z).
pub fn write_if_asked(path: &str, note: &str, generate: impl FnOnce(i64) -> Vec<Value>) {
    if std::env::var_os("SEALED_SESSION_WRITE_VECTORS").is_none() {
        return;
    }
    let file = serde_json::json!({
        "format_version": 1,
        "note": note,
        "schema_shape": demo_shape(),
        "vectors": generate(1_893_456_000),
    });
    std::fs::write(path, serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
}

/// The file at `path`, after checking its format version and that its
/// `schema_shape` is the shape of [`Demo`].
pub fn load_file(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect(path);
    let file: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format_version"], 1);
    assert_eq!(file["schema_shape"], Value::from(demo_shape()), "{path}");
    file
}

/// The vectors' `vectors` array (see [`load_file`]), less those this
/// build cannot open: MessagePack ones without the `messagepack` feature.
pub fn load(path: &str) -> Vec<Value> {
    load_file(path)["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| supported(v))
        .cloned()
        .collect()
}

/// Whether this build has the vector's codec.
pub fn supported(v: &Value) -> bool {
    !is_messagepack(v) || cfg!(feature = "messagepack")
}

/// Whether the vector's payload is MessagePack (its `codec` field).
pub fn is_messagepack(v: &Value) -> bool {
    match v["codec"].as_str().unwrap() {
        "postcard" => false,
        "messagepack" => true,
        other => panic!("unknown codec {other}"),
    }
}

/// The vector's session data encoded in its codec: what `payload` records.
pub fn encode_payload(v: &Value, data: &Demo) -> Vec<u8> {
    if is_messagepack(v) {
        #[cfg(feature = "messagepack")]
        return rmp_serde::to_vec_named(data).unwrap();
        #[cfg(not(feature = "messagepack"))]
        panic!("a MessagePack vector in a build without messagepack");
    }
    postcard::to_allocvec(data).unwrap()
}

/// The vector's `payload` decoded in its codec.
pub fn decode_payload(v: &Value) -> Demo {
    let bytes = hex_field(v, "payload");
    if is_messagepack(v) {
        #[cfg(feature = "messagepack")]
        return rmp_serde::from_slice(&bytes).unwrap();
        #[cfg(not(feature = "messagepack"))]
        panic!("a MessagePack vector in a build without messagepack");
    }
    postcard::from_bytes(&bytes).unwrap()
}

/// Applies the vector's codec and schema version to a sealer builder.
pub fn with_schema_settings(
    mut builder: sealed_session::SealerBuilder,
    v: &Value,
) -> sealed_session::SealerBuilder {
    if is_messagepack(v) {
        #[cfg(feature = "messagepack")]
        {
            builder = builder.with_codec(sealed_session::Codec::MessagePack);
        }
    }
    if let Some(n) = v["schema_version"].as_u64() {
        builder = builder.with_schema_version::<Demo>(n.try_into().unwrap());
    }
    builder
}

/// The schema id a sealer configured as the vector says seals [`Demo`]
/// with: the explicit version, else the traced fingerprint.
pub fn expected_schema(v: &Value) -> u32 {
    match v["schema_version"].as_u64() {
        Some(n) => n.try_into().unwrap(),
        None => sealed_session::schema::fingerprint::<Demo>().unwrap(),
    }
}

/// Checks the recorded schema both ways: it is the id the vector's
/// configuration gives [`Demo`], and the bytes at [`SCHEMA_AT`] of the
/// plaintext decrypted from `text` (independently of the sealer) and of
/// the recorded plaintext; and the codec flag matches the codec.
pub fn assert_schema_recorded(v: &Value, key: &Key, text: &str, chunks: Option<u8>, what: &str) {
    let env = &v["envelope"];
    let schema = expected_schema(v);
    assert_eq!(env["schema"].as_u64(), Some(u64::from(schema)), "{what}");
    let (_, plain) = aad_and_plaintext(v, key, text, chunks);
    assert_eq!(plain, hex_field(v, "plaintext"), "{what}");
    assert_eq!(
        plain[SCHEMA_AT..ENVELOPE_FIXED_LEN],
        schema.to_be_bytes(),
        "{what}"
    );
    let flags = env["flags"].as_u64().unwrap();
    assert_eq!(flags, u64::from(plain[0]), "{what}");
    assert_eq!(
        flags & u64::from(FLAG_MESSAGEPACK) != 0,
        is_messagepack(v),
        "{what}"
    );
    // Traced ids have the high bit set, explicit versions are below 2^16.
    match v["schema_version"].as_u64() {
        Some(n) => assert!(n <= 0xffff, "{what}"),
        None => assert!(schema >= 1 << 31, "{what}"),
    }
}

pub fn clock(v: &Value) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(v["clock"].as_i64().unwrap()).unwrap()
}

pub fn hex_field(v: &Value, name: &str) -> Vec<u8> {
    hex::decode(v[name].as_str().unwrap()).unwrap()
}

/// The recorded session: payload, session id and subject.
pub fn session(v: &Value) -> Session<Demo> {
    let data = decode_payload(v);
    let id: [u8; 16] = hex_field(&v["envelope"], "session_id").try_into().unwrap();
    let mut session = Session::with_id(data, SessionId::from_bytes(id));
    if let Some(subject) = v["envelope"]["subject"].as_str() {
        session.set_subject(subject).unwrap();
    }
    session
}

/// The associated data and the plaintext envelope of the sealed value
/// `text` (base64url), rebuilt from the vector's name and purpose (and the
/// chunk count of a chunked value) and decrypted with the AEAD crates
/// directly: going through the sealer would hide the bytes the vectors are
/// meant to show.
pub fn aad_and_plaintext(
    v: &Value,
    key: &Key,
    text: &str,
    chunks: Option<u8>,
) -> (Vec<u8>, Vec<u8>) {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap();
    let mut aad = raw[..6].to_vec();
    for part in [&v["cookie_name"], &v["purpose"]] {
        let part = part.as_str().unwrap();
        aad.push(part.len() as u8);
        aad.extend_from_slice(part.as_bytes());
    }
    aad.extend(chunks);
    let nonce_len = key.algorithm().nonce_len();
    let plain = decrypt(key, &raw[6..6 + nonce_len], &aad, &raw[6 + nonce_len..]);
    (aad, plain)
}

fn decrypt(key: &Key, nonce: &[u8], aad: &[u8], ct: &[u8]) -> Vec<u8> {
    use aead::{Aead, KeyInit};
    let secret = key_bytes(key);
    let secret = secret.as_slice();
    let payload = aead::Payload { msg: ct, aad };
    match key.algorithm() {
        Algorithm::Xaes256Gcm => xaes_256_gcm::Xaes256Gcm::new_from_slice(secret)
            .unwrap()
            .decrypt(nonce.try_into().unwrap(), payload),
        Algorithm::XChaCha20Poly1305 => chacha20poly1305::XChaCha20Poly1305::new_from_slice(secret)
            .unwrap()
            .decrypt(nonce.try_into().unwrap(), payload),
        _ => aes_gcm::Aes256Gcm::new_from_slice(secret)
            .unwrap()
            .decrypt(nonce.try_into().unwrap(), payload),
    }
    .unwrap()
}

fn key_bytes(key: &Key) -> Vec<u8> {
    use base64::Engine as _;
    let text = key.to_text();
    let b64 = text.rsplit(':').next().unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .unwrap()
}

/// Asserts that a vector's cookie opened to exactly its recorded fields:
/// payload bytes, id, times, subject and key id, with no re-seal due.
pub fn assert_opens_to_the_recorded_fields(v: &Value, opened: &Opened<Demo>, what: &str) {
    let s = opened.session();
    let env = &v["envelope"];
    let unix = |t: Option<OffsetDateTime>| t.map(|t| t.unix_timestamp());
    assert_eq!(
        encode_payload(v, s.data()),
        hex_field(v, "payload"),
        "{what}"
    );
    assert_eq!(
        s.id().as_bytes().as_slice(),
        hex_field(env, "session_id"),
        "{what}"
    );
    assert_eq!(unix(s.issued_at()), env["issued_at"].as_i64(), "{what}");
    assert_eq!(unix(s.expires_at()), env["expires_at"].as_i64(), "{what}");
    assert_eq!(
        unix(s.idle_deadline()),
        env["idle_deadline"].as_i64(),
        "{what}"
    );
    assert_eq!(s.subject(), env["subject"].as_str(), "{what}");
    assert_eq!(u64::from(opened.key_id()), v["key_id"], "{what}");
    assert!(!opened.needs_reseal(), "{what}");
}
