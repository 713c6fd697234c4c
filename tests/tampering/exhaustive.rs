//! Exhaustive edits of small valid cookies that edits.rs does not
//! enumerate: every one-byte insertion and deletion of the sealed bytes,
//! every one-character insertion into the text, every version and
//! algorithm byte, and cookies really encrypted with another algorithm
//! under a key's bytes. Each must be rejected, and with the exact reason a
//! model of FORMAT.md section 2 (written here) predicts.

use crate::common::{
    HEADER_LEN, NAME, T0, TAG_LEN, decode, encode, envelope_fixed, key, key_bytes, schema_of,
    sealed_bytes, sextet, t0_unix,
};
use aead::{Aead, KeyInit, Payload};
use sealed_session::{Algorithm, Error, KeyRing, Malformed, Sealer, Session};

fn open(sealer: &Sealer, bytes: &[u8]) -> Result<u8, Error> {
    open_text(sealer, &encode(bytes))
}

fn open_text(sealer: &Sealer, value: &str) -> Result<u8, Error> {
    sealer
        .open_at::<u8>(value, T0)
        .map(|o| o.into_session().into_data())
}

/// The rejection FORMAT.md section 2 prescribes for sealed bytes that are
/// not the original, given the ring's `(key id, algorithm)` pairs: a
/// header problem if there is one, otherwise failed authentication.
fn header_verdict(bytes: &[u8], ring: &[(u32, Algorithm)]) -> Error {
    if bytes.is_empty() {
        return Error::Malformed(Malformed::Empty);
    }
    if bytes.len() < HEADER_LEN {
        return Error::Malformed(Malformed::TooShort);
    }
    if bytes[0] != 1 {
        return Error::UnsupportedVersion { version: bytes[0] };
    }
    let Some(algorithm) = Algorithm::from_code(bytes[1]) else {
        return Error::Malformed(Malformed::UnknownAlgorithm);
    };
    if bytes.len() < HEADER_LEN + algorithm.nonce_len() + TAG_LEN {
        return Error::Malformed(Malformed::TooShort);
    }
    let key_id = u32::from_be_bytes(bytes[2..HEADER_LEN].try_into().unwrap());
    match ring.iter().find(|(id, _)| *id == key_id) {
        None => Error::UnknownKey { key_id },
        Some((_, bound)) if *bound != algorithm => Error::AlgorithmMismatch { key_id },
        Some(_) => Error::Unauthenticated,
    }
}

/// For each algorithm: a sealer over key 1 and two small cookies, one plain
/// and one with every optional envelope field (idle deadline, subject).
fn cookies() -> Vec<(Algorithm, Sealer, Vec<u8>)> {
    let mut out = Vec::new();
    for algorithm in Algorithm::ALL {
        let plain = crate::common::sealer(algorithm);
        let bytes = sealed_bytes(&plain, 42u8);
        out.push((algorithm, plain, bytes));
        let full = crate::common::builder(algorithm)
            .with_idle_timeout(time::Duration::minutes(5))
            .build_at(T0)
            .unwrap();
        let mut session = Session::new(42u8);
        session.set_subject("u1").unwrap();
        let bytes = decode(&full.seal_value_at(&session, T0).unwrap());
        out.push((algorithm, full, bytes));
    }
    out
}

#[test]
fn every_one_byte_insertion_is_rejected() {
    for (algorithm, sealer, bytes) in cookies() {
        let ring = [(1, algorithm)];
        assert_eq!(open(&sealer, &bytes), Ok(42), "unaltered cookie opens");
        for at in 0..=bytes.len() {
            for value in 0..=255u8 {
                let mut longer = bytes.clone();
                longer.insert(at, value);
                assert_eq!(
                    open(&sealer, &longer),
                    Err(header_verdict(&longer, &ring)),
                    "{algorithm:?}: {value:#04x} inserted at {at} of {}",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn every_one_byte_deletion_is_rejected() {
    for (algorithm, sealer, bytes) in cookies() {
        let ring = [(1, algorithm)];
        for at in 0..bytes.len() {
            let mut shorter = bytes.clone();
            shorter.remove(at);
            assert_eq!(
                open(&sealer, &shorter),
                Err(header_verdict(&shorter, &ring)),
                "{algorithm:?}: byte {at} of {} removed",
                bytes.len()
            );
        }
    }
}

/// The bytes of canonical unpadded base64url text, or the reason the
/// crate must refuse the text (FORMAT.md section 1).
fn strict_decode(text: &str) -> Result<Vec<u8>, Error> {
    let base64 = Err(Error::Malformed(Malformed::Base64));
    if text.is_empty() {
        return Err(Error::Malformed(Malformed::Empty));
    }
    let Some(sextets) = text.bytes().map(sextet).collect::<Option<Vec<u8>>>() else {
        return base64;
    };
    let unused_bits = match sextets.len() % 4 {
        1 => return base64,
        2 => 4,
        3 => 2,
        _ => 0,
    };
    if sextets.last().unwrap() & ((1 << unused_bits) - 1) != 0 {
        return base64;
    }
    Ok(decode(text))
}

#[test]
fn every_one_character_insertion_into_the_text_is_rejected() {
    // The whole alphabet, and the near misses a lenient decoder would take.
    let mut alphabet: Vec<char> = (0..64).map(crate::common::char_of).collect();
    alphabet.extend(['=', '+', '/', ' ', '.', '\n', '%', 'é']);
    for (algorithm, sealer, bytes) in cookies() {
        let ring = [(1, algorithm)];
        let text = encode(&bytes);
        for at in 0..=text.len() {
            for &c in &alphabet {
                let mut edited = text.clone();
                edited.insert(at, c);
                let expected = match strict_decode(&edited) {
                    Ok(decoded) => {
                        assert_ne!(decoded, bytes, "canonical: new text, new bytes");
                        header_verdict(&decoded, &ring)
                    }
                    Err(reason) => reason,
                };
                assert_eq!(
                    open_text(&sealer, &edited),
                    Err(expected),
                    "{algorithm:?}: {c:?} inserted at {at}"
                );
            }
        }
    }
}

#[test]
fn every_other_version_byte_is_unsupported() {
    for (algorithm, sealer, bytes) in cookies() {
        for version in (0..=255u8).filter(|&v| v != 1) {
            let mut forged = bytes.clone();
            forged[0] = version;
            assert_eq!(
                open(&sealer, &forged),
                Err(Error::UnsupportedVersion { version }),
                "{algorithm:?}"
            );
            // Also on the bare header: the version is read first.
            assert_eq!(
                open(&sealer, &forged[..HEADER_LEN]),
                Err(Error::UnsupportedVersion { version }),
                "{algorithm:?}, header only"
            );
        }
    }
}

/// Keys 1, 2, 3 of XAES-256-GCM, XChaCha20-Poly1305 and AES-256-GCM, one
/// ring, primary `primary`.
const MIXED: [(u32, Algorithm); 3] = [
    (1, Algorithm::Xaes256Gcm),
    (2, Algorithm::XChaCha20Poly1305),
    (3, Algorithm::Aes256Gcm),
];

fn mixed_sealer(primary: u32) -> Sealer {
    let (_, algorithm) = MIXED.iter().find(|(id, _)| *id == primary).unwrap();
    let mut ring = KeyRing::new(key(*algorithm, primary));
    for (id, algorithm) in MIXED {
        if id != primary {
            ring = ring.with_key(key(algorithm, id));
        }
    }
    Sealer::builder(ring).build_at(T0).unwrap()
}

#[test]
fn every_algorithm_byte_is_unknown_or_a_mismatch_unless_it_is_the_keys_own() {
    for (id, algorithm) in MIXED {
        let sealer = mixed_sealer(id);
        let bytes = sealed_bytes(&sealer, 42u8);
        for code in 0..=255u8 {
            let mut forged = bytes.clone();
            forged[1] = code;
            let expected = match Algorithm::from_code(code) {
                None => Err(Error::Malformed(Malformed::UnknownAlgorithm)),
                Some(a) if a == algorithm => Ok(42),
                // Checked before the length: an AES-GCM cookie relabelled
                // XAES is shorter than XAES needs, and says so.
                Some(a) if bytes.len() < HEADER_LEN + a.nonce_len() + TAG_LEN => {
                    Err(Error::Malformed(Malformed::TooShort))
                }
                Some(_) => Err(Error::AlgorithmMismatch { key_id: id }),
            };
            assert_eq!(
                open(&sealer, &forged),
                expected,
                "{algorithm:?} as code {code}"
            );
        }
    }
}

/// `envelope` sealed with `algorithm` under the 32 bytes `secret`, with a
/// header naming `algorithm` and `key_id`, for cookie [`NAME`], no purpose:
/// built from FORMAT.md with the AEAD crates directly, not by the sealer.
fn encrypt_as(algorithm: Algorithm, key_id: u32, secret: &[u8; 32], envelope: &[u8]) -> Vec<u8> {
    fn seal<C: KeyInit + Aead>(secret: &[u8; 32], nonce: &[u8], aad: &[u8], msg: &[u8]) -> Vec<u8> {
        C::new_from_slice(secret)
            .unwrap()
            .encrypt(nonce.try_into().unwrap(), Payload { msg, aad })
            .unwrap()
    }
    let mut header = vec![1, algorithm.code()];
    header.extend_from_slice(&key_id.to_be_bytes());
    let mut aad = header.clone();
    aad.push(NAME.len() as u8);
    aad.extend_from_slice(NAME.as_bytes());
    aad.push(0);
    let nonce = vec![0x42; algorithm.nonce_len()];
    let sealed = match algorithm {
        Algorithm::Xaes256Gcm => seal::<xaes_256_gcm::Xaes256Gcm>(secret, &nonce, &aad, envelope),
        Algorithm::XChaCha20Poly1305 => {
            seal::<chacha20poly1305::XChaCha20Poly1305>(secret, &nonce, &aad, envelope)
        }
        Algorithm::Aes256Gcm => seal::<aes_gcm::Aes256Gcm>(secret, &nonce, &aad, envelope),
        _ => unreachable!("three algorithms in format v1"),
    };
    let mut bytes = header;
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    bytes
}

/// A valid envelope at [`T0`] holding the `u8` 42, under `u8`'s schema.
fn envelope() -> Vec<u8> {
    let mut plain = envelope_fixed(0, [0x33; 16], t0_unix(), 3600, schema_of::<u8>());
    plain.push(42);
    plain
}

#[test]
fn a_cookie_really_encrypted_with_another_algorithm_under_a_keys_bytes_never_opens() {
    // If the header's algorithm were trusted over the key's binding, these
    // would authenticate: they are genuine encryptions under the key's own
    // secret with a consistent header. The sealer must refuse to run the
    // other cipher at all.
    for primary in [1, 2, 3] {
        let sealer = mixed_sealer(primary);
        for (id, bound) in MIXED {
            let secret = key_bytes(bound, id);
            // The forger is right: with the bound algorithm it opens.
            let genuine = encrypt_as(bound, id, &secret, &envelope());
            assert_eq!(open(&sealer, &genuine), Ok(42), "key {id} ({bound:?})");
            for other in Algorithm::ALL.into_iter().filter(|&a| a != bound) {
                let forged = encrypt_as(other, id, &secret, &envelope());
                assert_eq!(
                    open(&sealer, &forged),
                    Err(Error::AlgorithmMismatch { key_id: id }),
                    "key {id} bound to {bound:?}, cookie encrypted with {other:?}"
                );
            }
        }
    }
}

#[test]
fn a_cookie_encrypted_under_one_key_and_relabelled_to_a_key_of_another_algorithm_never_opens() {
    // Header relabelled to key M (which exists, bound to another
    // algorithm): refused as a mismatch when the header keeps the original
    // algorithm, unauthenticated when it names M's algorithm too.
    let sealer = mixed_sealer(1);
    for (id, bound) in MIXED {
        let bytes = encrypt_as(bound, id, &key_bytes(bound, id), &envelope());
        for (other_id, other_bound) in MIXED.into_iter().filter(|(o, _)| *o != id) {
            let mut relabelled = bytes.clone();
            relabelled[2..HEADER_LEN].copy_from_slice(&other_id.to_be_bytes());
            assert_eq!(
                open(&sealer, &relabelled),
                Err(Error::AlgorithmMismatch { key_id: other_id }),
                "key {id} cookie relabelled to key {other_id}"
            );
            relabelled[1] = other_bound.code();
            let expected = header_verdict(&relabelled, &MIXED);
            assert!(
                matches!(
                    expected,
                    Error::Unauthenticated | Error::Malformed(Malformed::TooShort)
                ),
                "{expected:?}"
            );
            assert_eq!(
                open(&sealer, &relabelled),
                Err(expected),
                "key {id} as key {other_id}"
            );
        }
    }
}
