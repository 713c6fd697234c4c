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
/// flags + session id + issued-at + lifetime.
pub const ENVELOPE_FIXED_LEN: usize = 1 + 16 + 8 + 4;

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

/// Encrypts `plain` as the envelope of a cookie under XChaCha20-Poly1305
/// key 1 (cookie [`NAME`], no purpose) with the AEAD crate directly and the
/// AAD built from FORMAT.md, and returns the value: authentic, with a
/// plaintext the test chose, so tests reach the checks after decryption.
pub fn forge(plain: &[u8]) -> String {
    use aead::{Aead, KeyInit, Payload};
    let alg = Algorithm::XChaCha20Poly1305;
    let header = [1, alg.code(), 0, 0, 0, 1];
    let mut aad = header.to_vec();
    aad.push(NAME.len() as u8);
    aad.extend_from_slice(NAME.as_bytes());
    aad.push(0);
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
