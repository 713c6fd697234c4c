//! Altered, truncated, extended, spliced and transplanted cookies. Nothing
//! but the exact bytes a sealer produced, presented under the exact name and
//! purpose, may open; every other value gets a precise rejection.

use crate::common::{HEADER_LEN, T0, decode, encode, key, min_sealed_len, sealed_bytes, sealer};
use sealed_session::{Algorithm, Error, KeyRing, Malformed, Sealer, Session};

fn open(sealer: &Sealer, bytes: &[u8]) -> Result<(), Error> {
    sealer.open_at::<u8>(&encode(bytes), T0).map(|_| ())
}

/// What a flip of `bit` in byte `at` of a cookie sealed under key 1 (the
/// only key of the ring) must be rejected with.
fn expected_for_flip(bytes: &[u8], at: usize, bit: u8) -> Error {
    let flipped = bytes[at] ^ 1 << bit;
    match at {
        0 => Error::UnsupportedVersion { version: flipped },
        1 => match Algorithm::from_code(flipped) {
            None => Error::Malformed(Malformed::UnknownAlgorithm),
            // Key 1 exists but is bound to the original algorithm; the
            // cookie must not be tried under another cipher.
            Some(_) => Error::AlgorithmMismatch { key_id: 1 },
        },
        2..HEADER_LEN => {
            let mut id = [0; 4];
            id.copy_from_slice(&bytes[2..HEADER_LEN]);
            id[at - 2] = flipped;
            Error::UnknownKey {
                key_id: u32::from_be_bytes(id),
            }
        }
        // Nonce, ciphertext (flags, id, times, subject, payload) and tag.
        _ => Error::Unauthenticated,
    }
}

#[test]
fn every_single_bit_flip_is_rejected() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        // A subject and an idle deadline make every envelope field present.
        let sealer_idle = crate::common::builder(algorithm)
            .with_idle_timeout(time::Duration::minutes(5))
            .build_at(T0)
            .unwrap();
        let mut session = Session::new(42u8);
        session.set_subject("u1").unwrap();
        let cookies = [
            (&sealer, sealed_bytes(&sealer, 42u8)),
            (
                &sealer_idle,
                decode(&sealer_idle.seal_value_at(&session, T0).unwrap()),
            ),
        ];
        for (sealer, bytes) in &cookies {
            open(sealer, bytes).expect("unaltered cookie opens");
            for at in 0..bytes.len() {
                for bit in 0..8 {
                    let mut flipped = bytes.clone();
                    flipped[at] ^= 1 << bit;
                    assert_eq!(
                        open(sealer, &flipped),
                        Err(expected_for_flip(bytes, at, bit)),
                        "{algorithm:?}: byte {at} bit {bit}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let bytes = sealed_bytes(&sealer, 42u8);
        let min = min_sealed_len(algorithm);
        for len in 0..bytes.len() {
            let expected = match len {
                0 => Error::Malformed(Malformed::Empty),
                _ if len < min => Error::Malformed(Malformed::TooShort),
                // The tag is now read from other bytes.
                _ => Error::Unauthenticated,
            };
            assert_eq!(
                open(&sealer, &bytes[..len]),
                Err(expected),
                "{algorithm:?}: {len} of {} bytes",
                bytes.len()
            );
        }
        // Cutting from the front breaks the header instead.
        for cut in 1..bytes.len() {
            assert!(
                open(&sealer, &bytes[cut..]).is_err(),
                "{algorithm:?}: first {cut} bytes removed"
            );
        }
    }
}

#[test]
fn appended_bytes_are_unauthenticated() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let bytes = sealed_bytes(&sealer, 42u8);
        for extra in 1..=32u8 {
            for fill in [0x00, 0xff, extra] {
                let mut longer = bytes.clone();
                longer.extend(std::iter::repeat_n(fill, usize::from(extra)));
                assert_eq!(
                    open(&sealer, &longer),
                    Err(Error::Unauthenticated),
                    "{algorithm:?}: {extra} x {fill:#04x} appended"
                );
            }
        }
    }
}

#[test]
fn nonce_spliced_from_another_cookie_is_unauthenticated() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let nonce = HEADER_LEN..HEADER_LEN + algorithm.nonce_len();
        let a = sealed_bytes(&sealer, 1u8);
        let b = sealed_bytes(&sealer, 1u8);
        assert_ne!(a[nonce.clone()], b[nonce.clone()], "fresh nonces");
        let mut spliced = b.clone();
        spliced[nonce.clone()].copy_from_slice(&a[nonce.clone()]);
        assert_eq!(open(&sealer, &spliced), Err(Error::Unauthenticated));
        // And the other way: B's ciphertext and tag with A's everything else.
        let mut spliced = a.clone();
        spliced[nonce.end..].copy_from_slice(&b[nonce.end..]);
        assert_eq!(open(&sealer, &spliced), Err(Error::Unauthenticated));
    }
}

#[test]
fn cookie_under_another_name_is_unauthenticated() {
    for algorithm in Algorithm::ALL {
        let a = sealer(algorithm);
        let b = crate::common::builder(algorithm)
            .with_cookie_name("__Host-other")
            .build_at(T0)
            .unwrap();
        let value = a.seal_value_at(&Session::new(1u8), T0).unwrap();
        assert!(a.open_at::<u8>(&value, T0).is_ok());
        assert_eq!(
            b.open_at::<u8>(&value, T0).unwrap_err(),
            Error::Unauthenticated
        );
        // And back.
        let value = b.seal_value_at(&Session::new(1u8), T0).unwrap();
        assert_eq!(
            a.open_at::<u8>(&value, T0).unwrap_err(),
            Error::Unauthenticated
        );
    }
}

#[test]
fn name_and_purpose_are_length_prefixed_in_the_aad() {
    // name "ab" + purpose "c" and name "a" + purpose "bc" concatenate to the
    // same text; the length prefixes must keep them apart.
    let algorithm = Algorithm::default();
    let a = crate::common::builder(algorithm)
        .with_cookie_name("ab")
        .with_purpose("c")
        .build_at(T0)
        .unwrap();
    let b = crate::common::builder(algorithm)
        .with_cookie_name("a")
        .with_purpose("bc")
        .build_at(T0)
        .unwrap();
    let value = a.seal_value_at(&Session::new(1u8), T0).unwrap();
    assert!(a.open_at::<u8>(&value, T0).is_ok());
    assert_eq!(
        b.open_at::<u8>(&value, T0).unwrap_err(),
        Error::Unauthenticated
    );
}

#[test]
fn cookie_under_another_purpose_is_unauthenticated() {
    for algorithm in Algorithm::ALL {
        let build = |purpose: &str| {
            crate::common::builder(algorithm)
                .with_purpose(purpose)
                .build_at(T0)
                .unwrap()
        };
        let none = build("");
        let login = build("login");
        let admin = build("admin");
        let pairs = [(&login, &admin), (&login, &none), (&none, &login)];
        for (sealing, opening) in pairs {
            let value = sealing.seal_value_at(&Session::new(1u8), T0).unwrap();
            assert!(sealing.open_at::<u8>(&value, T0).is_ok());
            assert_eq!(
                opening.open_at::<u8>(&value, T0).unwrap_err(),
                Error::Unauthenticated,
                "{algorithm:?}"
            );
        }
    }
}

#[test]
fn cookie_from_another_ring_with_the_same_key_id_is_unauthenticated() {
    for algorithm in Algorithm::ALL {
        let ours = sealer(algorithm);
        // Same id, same algorithm, different secret.
        let theirs = Sealer::builder(KeyRing::new(sealed_session::Key::from_bytes(
            algorithm,
            1,
            &[0x11; 32],
        )))
        .build_at(T0)
        .unwrap();
        let value = theirs.seal_value_at(&Session::new(1u8), T0).unwrap();
        assert_eq!(
            decode(&value)[..HEADER_LEN],
            [1, algorithm.code(), 0, 0, 0, 1]
        );
        assert_eq!(
            ours.open_at::<u8>(&value, T0).unwrap_err(),
            Error::Unauthenticated
        );
    }
}

/// A sealer whose ring holds key `id` for each algorithm: 1 = XAES,
/// 2 = XChaCha, 3 = AES-GCM, plus key 4 = XAES again.
fn mixed_sealer(primary: Algorithm) -> Sealer {
    let ids = [
        (Algorithm::Xaes256Gcm, 1),
        (Algorithm::XChaCha20Poly1305, 2),
        (Algorithm::Aes256Gcm, 3),
    ];
    let (_, primary_id) = ids.iter().find(|(a, _)| *a == primary).unwrap();
    let mut ring = KeyRing::new(key(primary, *primary_id));
    for (algorithm, id) in ids {
        if algorithm != primary {
            ring = ring.with_key(key(algorithm, id));
        }
    }
    Sealer::builder(ring.with_key(key(Algorithm::Xaes256Gcm, 4)))
        .build_at(T0)
        .unwrap()
}

#[test]
fn relabelled_algorithm_is_a_mismatch_for_the_named_key() {
    for algorithm in Algorithm::ALL {
        let sealer = mixed_sealer(algorithm);
        let bytes = sealed_bytes(&sealer, 1u8);
        let key_id = u32::from_be_bytes(bytes[2..6].try_into().unwrap());
        for other in Algorithm::ALL {
            if other == algorithm {
                continue;
            }
            let mut forged = bytes.clone();
            forged[1] = other.code();
            assert_eq!(
                open(&sealer, &forged),
                Err(Error::AlgorithmMismatch { key_id }),
                "{algorithm:?} cookie labelled {other:?}"
            );
        }
    }
}

#[test]
fn relabelled_algorithm_and_key_id_of_a_matching_key_is_unauthenticated() {
    // Header says "algorithm Y, key N" and key N really is a Y key: the
    // header is consistent, so the only defence left is authentication.
    for algorithm in Algorithm::ALL {
        let sealer = mixed_sealer(algorithm);
        let bytes = sealed_bytes(&sealer, 1u8);
        for (other, id) in [
            (Algorithm::Xaes256Gcm, 1u32),
            (Algorithm::XChaCha20Poly1305, 2),
            (Algorithm::Aes256Gcm, 3),
        ] {
            if other == algorithm {
                continue;
            }
            let mut forged = bytes.clone();
            forged[1] = other.code();
            forged[2..6].copy_from_slice(&id.to_be_bytes());
            assert_eq!(
                open(&sealer, &forged),
                Err(Error::Unauthenticated),
                "{algorithm:?} cookie relabelled as {other:?} key {id}"
            );
        }
    }
}

#[test]
fn relabelled_key_id_of_the_same_algorithm_is_unauthenticated() {
    let sealer = mixed_sealer(Algorithm::Xaes256Gcm);
    let bytes = sealed_bytes(&sealer, 1u8);
    assert_eq!(bytes[2..6], 1u32.to_be_bytes());
    let mut forged = bytes.clone();
    forged[2..6].copy_from_slice(&4u32.to_be_bytes());
    assert_eq!(open(&sealer, &forged), Err(Error::Unauthenticated));
    // To a key of another algorithm, the mismatch is caught first.
    forged[2..6].copy_from_slice(&2u32.to_be_bytes());
    assert_eq!(
        open(&sealer, &forged),
        Err(Error::AlgorithmMismatch { key_id: 2 })
    );
}

#[test]
fn cookie_under_a_non_primary_key_cannot_be_relabelled_to_the_primary() {
    // Old cookies opened by a secondary key must not be promotable to the
    // primary key by editing the header.
    let old = Sealer::builder(KeyRing::new(key(Algorithm::Xaes256Gcm, 4)))
        .build_at(T0)
        .unwrap();
    let sealer = mixed_sealer(Algorithm::Xaes256Gcm);
    let bytes = sealed_bytes(&old, 1u8);
    assert!(open(&sealer, &bytes).is_ok());
    let mut forged = bytes;
    forged[2..6].copy_from_slice(&1u32.to_be_bytes());
    assert_eq!(open(&sealer, &forged), Err(Error::Unauthenticated));
}
