//! Shared fixtures for the integration tests: fixed keys, a fixed clock,
//! sealers for each algorithm, and an independent base64url codec so tests
//! can edit the raw bytes of a cookie.
//!
//! The codec is written out here on purpose instead of reusing the crate's
//! base64 dependency: the tests then check the wire format against a second
//! implementation rather than against the code under test.

// Every test file uses a different subset of these helpers.
#![allow(dead_code)]

use sealed_session::{Algorithm, Key, KeyRing, Sealer, SealerBuilder};
use time::OffsetDateTime;
use time::macros::datetime;

/// The fixed clock every test seals and opens at (plus offsets).
pub const T0: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

/// Header length: version, algorithm, key id.
pub const HEADER_LEN: usize = 6;
/// AEAD tag length of every algorithm.
pub const TAG_LEN: usize = 16;
/// Bytes of the envelope's issue time: a 40-bit big-endian number.
pub const ISSUED_AT_LEN: usize = 5;
/// flags + session id + issued-at + lifetime + schema (FORMAT.md section 5).
pub const ENVELOPE_FIXED_LEN: usize = 1 + 16 + ISSUED_AT_LEN + 4 + 4;

/// Envelope flag: idle deadline present.
pub const FLAG_IDLE: u8 = 0b0001;
/// Envelope flag: subject present.
pub const FLAG_SUBJECT: u8 = 0b0010;
/// Envelope flag: payload deflated.
pub const FLAG_COMPRESSED: u8 = 0b0100;
/// Envelope flag: payload is MessagePack with field names, not postcard.
pub const FLAG_MESSAGEPACK: u8 = 0b1000;

/// The default cookie name, spelled out so a change of default shows up.
pub const NAME: &str = "__Host-session";

/// Distinct, deterministic key bytes for every (algorithm, id) pair, so a
/// test that builds "the same ring" twice really gets the same keys and two
/// different ids never share bytes.
pub fn key_bytes(algorithm: Algorithm, id: u32) -> [u8; 32] {
    let id = id.to_be_bytes();
    core::array::from_fn(|i| {
        (i as u8).wrapping_mul(37) ^ algorithm.code().wrapping_mul(101) ^ id[i % 4] ^ 0x5c
    })
}

/// The fixed key of `algorithm` with `id`.
pub fn key(algorithm: Algorithm, id: u32) -> Key {
    Key::from_bytes(algorithm, id, &key_bytes(algorithm, id))
}

/// A ring holding only the fixed key `id` of `algorithm`.
pub fn ring(algorithm: Algorithm, id: u32) -> KeyRing {
    KeyRing::new(key(algorithm, id))
}

/// A builder over the single-key ring (key id 1) of `algorithm`.
pub fn builder(algorithm: Algorithm) -> SealerBuilder {
    Sealer::builder(ring(algorithm, 1))
}

/// A default-configured sealer over key 1 of `algorithm`, built at [`T0`].
pub fn sealer(algorithm: Algorithm) -> Sealer {
    builder(algorithm)
        .build_at(T0)
        .expect("default config builds")
}

/// Length of header, nonce and tag: the shortest value the parser accepts
/// before authentication.
pub fn min_sealed_len(algorithm: Algorithm) -> usize {
    HEADER_LEN + algorithm.nonce_len() + TAG_LEN
}

/// The cookie value of a `Set-Cookie` string: between `name=` and the
/// first `;`.
pub fn value_of<'a>(set_cookie: &'a str, name: &str) -> &'a str {
    let rest = set_cookie
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix('='))
        .expect("Set-Cookie starts with name=");
    rest.split(';').next().expect("split yields one part")
}

/// The `Max-Age` attribute of a `Set-Cookie` string.
pub fn max_age_of(set_cookie: &str) -> i64 {
    set_cookie
        .split("; ")
        .find_map(|attr| attr.strip_prefix("Max-Age="))
        .expect("Max-Age attribute present")
        .parse()
        .expect("Max-Age is a number")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// The 6-bit value of a base64url character.
pub fn sextet(c: u8) -> Option<u8> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// The base64url character of a 6-bit value.
pub fn char_of(sextet: u8) -> char {
    char::from(ALPHABET[usize::from(sextet)])
}

/// Decodes unpadded base64url; panics on anything else, since tests only
/// decode values the sealer produced.
pub fn decode(text: &str) -> Vec<u8> {
    let sextets: Vec<u8> = text
        .bytes()
        .map(|c| sextet(c).expect("base64url character"))
        .collect();
    assert_ne!(sextets.len() % 4, 1, "impossible base64 length");
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for chunk in sextets.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &s)| n | u32::from(s) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// Seals `data` at [`T0`] and returns the decoded bytes of the value.
pub fn sealed_bytes<T: sealed_session::SessionData>(sealer: &Sealer, data: T) -> Vec<u8> {
    let value = sealer
        .seal_value_at(&sealed_session::Session::new(data), T0)
        .expect("seal");
    decode(&value)
}

/// The envelope's fixed part, written out from FORMAT.md section 5:
/// `flags || session_id || issued_at (5 bytes, BE) || lifetime (u32 BE) ||
/// schema (u32 BE)`. The optional fields and the payload follow it.
/// Panics if `issued_at` does not fit 40 bits (no envelope can hold it).
pub fn envelope_fixed(
    flags: u8,
    session_id: [u8; 16],
    issued_at: u64,
    lifetime: u32,
    schema: u32,
) -> Vec<u8> {
    assert!(
        issued_at < 1 << (8 * ISSUED_AT_LEN),
        "issued_at {issued_at}"
    );
    let mut out = vec![flags];
    out.extend_from_slice(&session_id);
    out.extend_from_slice(&issued_at.to_be_bytes()[8 - ISSUED_AT_LEN..]);
    out.extend_from_slice(&lifetime.to_be_bytes());
    out.extend_from_slice(&schema.to_be_bytes());
    debug_assert_eq!(out.len(), ENVELOPE_FIXED_LEN);
    out
}

/// The schema id a default sealer seals `T` with and opens it by: its
/// traced fingerprint (FORMAT.md, "Schema").
pub fn schema_of<T: sealed_session::SessionData>() -> u32 {
    sealed_session::schema::fingerprint::<T>().expect("a traceable test type")
}

/// [`T0`] in unix seconds, as the envelope holds it.
pub fn t0_unix() -> u64 {
    T0.unix_timestamp() as u64
}

/// Encrypts `plain` as the envelope of a cookie under XChaCha20-Poly1305
/// key 1 (cookie [`NAME`], no purpose) with the AEAD crate directly and the
/// AAD built from FORMAT.md, and returns the value: authentic, with a
/// plaintext the test chose, so tests reach the checks after decryption.
pub fn forge(plain: &[u8]) -> String {
    use aead::{Aead, KeyInit, Payload};
    let alg = Algorithm::XChaCha20Poly1305;
    let header = [1, alg.code(), 0, 0, 0, 1];
    let aad = forged_aad(&header);
    let nonce = [0x24u8; 24];
    let sealed = chacha20poly1305::XChaCha20Poly1305::new_from_slice(&key_bytes(alg, 1))
        .unwrap()
        .encrypt(
            (&nonce[..]).try_into().unwrap(),
            Payload {
                msg: plain,
                aad: &aad,
            },
        )
        .unwrap();
    let mut bytes = header.to_vec();
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    encode(&bytes)
}

/// The AAD of FORMAT.md section 4 for `header`, cookie [`NAME`], no
/// purpose.
fn forged_aad(header: &[u8]) -> Vec<u8> {
    let mut aad = header.to_vec();
    aad.push(NAME.len() as u8);
    aad.extend_from_slice(NAME.as_bytes());
    aad.push(0);
    aad
}

/// The inverse of [`forge`]: the envelope (plaintext) of a value sealed
/// under XChaCha20-Poly1305 key 1 for cookie [`NAME`] with no purpose
/// (what [`sealer`]`(Algorithm::XChaCha20Poly1305)` writes), decrypted with
/// the AEAD crate directly, so tests can read the bytes the sealer wrote.
pub fn unforge(value: &str) -> Vec<u8> {
    use aead::{Aead, KeyInit, Payload};
    let alg = Algorithm::XChaCha20Poly1305;
    let bytes = decode(value);
    let (header, rest) = bytes.split_at(HEADER_LEN);
    assert_eq!(
        header,
        [1, alg.code(), 0, 0, 0, 1],
        "key 1 XChaCha20-Poly1305"
    );
    let (nonce, sealed) = rest.split_at(alg.nonce_len());
    chacha20poly1305::XChaCha20Poly1305::new_from_slice(&key_bytes(alg, 1))
        .unwrap()
        .decrypt(
            nonce.try_into().unwrap(),
            Payload {
                msg: sealed,
                aad: &forged_aad(header),
            },
        )
        .expect("authentic")
}

/// A valid envelope at [`T0`] (lifetime one hour, no idle deadline, no
/// subject) carrying `payload` under `T`'s schema id, `flags` saying how
/// the payload is coded ([`FLAG_COMPRESSED`], [`FLAG_MESSAGEPACK`]): an
/// authentic cookie whose payload bytes the test chose, opened as `T`
/// without a schema mismatch.
pub fn forge_payload<T: sealed_session::SessionData>(flags: u8, payload: &[u8]) -> String {
    assert_eq!(flags & (FLAG_IDLE | FLAG_SUBJECT), 0, "no optional fields");
    let mut plain = envelope_fixed(flags, [0x11; 16], t0_unix(), 3600, schema_of::<T>());
    plain.extend_from_slice(payload);
    forge(&plain)
}
