//! Deflate compression of the payload (feature `compression`): used only
//! when it helps, always undone on opening, and capped so a small cookie
//! cannot expand into a large allocation.
#![cfg(feature = "compression")]

mod common;

use common::{ENVELOPE_FIXED_LEN, FLAG_COMPRESSED, HEADER_LEN, T0, decode};
use proptest::prelude::*;
use sealed_session::{
    Algorithm, DEFAULT_COMPRESSION_THRESHOLD, DEFAULT_MAX_DECOMPRESSED, Error, Sealer, Session,
};

fn plain(algorithm: Algorithm) -> Sealer {
    common::sealer(algorithm)
}

fn compressing(algorithm: Algorithm) -> Sealer {
    common::builder(algorithm)
        .with_compression(true)
        .build_at(T0)
        .unwrap()
}

fn with_limits(threshold: usize, max_decompressed: usize, max_cookie_size: usize) -> Sealer {
    common::builder(Algorithm::default())
        .with_compression_limits(threshold, max_decompressed)
        .with_max_cookie_size(max_cookie_size)
        .build_at(T0)
        .unwrap()
}

fn value<T: sealed_session::SessionData + Clone>(sealer: &Sealer, data: &T) -> String {
    sealer
        .seal_value_at(&Session::new(data.clone()), T0)
        .unwrap()
}

/// Decoded length of a value. The compressed flag is encrypted, so from
/// outside the length is the only sign of compression the tests can read.
fn len(value: &str) -> usize {
    decode(value).len()
}

/// Overhead of a sealed value around its payload (no idle, no subject).
fn overhead(algorithm: Algorithm) -> usize {
    HEADER_LEN + algorithm.nonce_len() + ENVELOPE_FIXED_LEN + common::TAG_LEN
}

/// A deterministic, incompressible byte string (xorshift output).
fn noise(len: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn compressible_payload_shrinks_and_round_trips() {
    for algorithm in Algorithm::ALL {
        let data = "session data that repeats itself. ".repeat(50);
        let small = value(&compressing(algorithm), &data);
        let large = value(&plain(algorithm), &data);
        assert!(len(&small) * 4 < len(&large), "{algorithm:?}");
        // Both open under either sealer: decompression is always on.
        for sealer in [compressing(algorithm), plain(algorithm)] {
            for v in [&small, &large] {
                let opened = sealer.open_at::<String>(v, T0).unwrap();
                assert_eq!(opened.session().data(), &data);
            }
        }
    }
}

#[test]
fn incompressible_payload_is_stored_as_is() {
    for algorithm in Algorithm::ALL {
        let data = noise(1000);
        let with = value(&compressing(algorithm), &data);
        let without = value(&plain(algorithm), &data);
        // Postcard writes a 2-byte length before 1000 bytes.
        assert_eq!(len(&without), overhead(algorithm) + 1002);
        assert_eq!(len(&with), len(&without), "{algorithm:?}");
        let opened = compressing(algorithm)
            .open_at::<Vec<u8>>(&with, T0)
            .unwrap();
        assert_eq!(opened.session().data(), &data);
    }
}

#[test]
fn payload_below_the_threshold_is_not_compressed() {
    assert_eq!(DEFAULT_COMPRESSION_THRESHOLD, 256);
    let sealer = compressing(Algorithm::default());
    let plain = plain(Algorithm::default());
    // 254 zeros + 2 length bytes = 256-byte payload: compressed. One less:
    // 255 bytes, below the threshold, stored as is although it compresses.
    let below = vec![0u8; 253];
    assert_eq!(len(&value(&sealer, &below)), len(&value(&plain, &below)));
    let at = vec![0u8; 254];
    assert!(len(&value(&sealer, &at)) + 200 < len(&value(&plain, &at)));

    // A custom threshold moves the boundary.
    let custom = with_limits(1024, DEFAULT_MAX_DECOMPRESSED, 4096);
    let data = vec![0u8; 1000];
    assert_eq!(len(&value(&custom, &data)), len(&value(&plain, &data)));
    let data = vec![0u8; 1022];
    assert!(len(&value(&custom, &data)) + 900 < len(&value(&plain, &data)));
}

#[test]
fn payload_too_large_to_seal_plain_fits_compressed() {
    let data = "a".repeat(20_000);
    assert!(matches!(
        plain(Algorithm::default()).seal_at(&Session::new(data.clone()), T0),
        Err(Error::TooLarge { .. })
    ));
    let sealer = compressing(Algorithm::default());
    let line = sealer.seal_at(&Session::new(data.clone()), T0).unwrap();
    assert!(line.len() <= 4096);
    let v = common::value_of(&line, common::NAME);
    assert_eq!(
        sealer.open_at::<String>(v, T0).unwrap().session().data(),
        &data
    );
}

#[test]
fn decompressed_size_is_capped_on_opening() {
    // 100 KB of zeros compresses to about a hundred bytes; the sealing side
    // never decompresses, so its cap does not matter for sealing.
    let data = vec![0u8; 100_000];
    let big_cap = with_limits(0, 1 << 20, 4096);
    let sealed = value(&big_cap, &data);
    assert!(sealed.len() < 1000);
    assert_eq!(
        big_cap
            .open_at::<Vec<u8>>(&sealed, T0)
            .unwrap()
            .session()
            .data(),
        &data
    );

    // Same keys and name, smaller caps.
    for cap in [1, 1024, 65_536, 100_000] {
        let small_cap = with_limits(0, cap, 4096);
        assert_eq!(
            small_cap.open_at::<Vec<u8>>(&sealed, T0).unwrap_err(),
            Error::DecompressedTooLarge { limit: cap },
            "cap {cap}"
        );
    }
    // A sealer without compression uses the default cap.
    assert_eq!(DEFAULT_MAX_DECOMPRESSED, 64 * 1024);
    assert_eq!(
        plain(Algorithm::default())
            .open_at::<Vec<u8>>(&sealed, T0)
            .unwrap_err(),
        Error::DecompressedTooLarge {
            limit: DEFAULT_MAX_DECOMPRESSED
        }
    );
}

#[test]
fn decompressed_size_exactly_at_the_cap_opens() {
    // The cap is the largest accepted size, inclusive.
    let data = vec![0u8; 50_000];
    // Postcard: 3-byte varint length + 50 000 bytes.
    let payload_len = 50_003;
    let sealed = value(&with_limits(0, 1 << 20, 4096), &data);
    let at_cap = with_limits(0, payload_len, 4096);
    assert_eq!(
        at_cap
            .open_at::<Vec<u8>>(&sealed, T0)
            .map(|o| o.session().data().len()),
        Ok(50_000)
    );
    let below = with_limits(0, payload_len - 1, 4096);
    assert_eq!(
        below.open_at::<Vec<u8>>(&sealed, T0).unwrap_err(),
        Error::DecompressedTooLarge {
            limit: payload_len - 1
        }
    );
}

#[test]
fn zero_decompression_cap_is_a_config_error() {
    let result = common::builder(Algorithm::default())
        .with_compression_limits(0, 0)
        .build_at(T0);
    assert_eq!(
        result.map(|_| ()).unwrap_err(),
        Error::InvalidConfig(sealed_session::ConfigError::Compression)
    );
}

#[test]
fn compression_flag_is_authenticated() {
    // The flag lives in the encrypted envelope, so it cannot be toggled
    // without breaking the tag: flip the ciphertext bit that holds it.
    for algorithm in Algorithm::ALL {
        let sealer = compressing(algorithm);
        let flags_at = HEADER_LEN + algorithm.nonce_len();
        for data in [
            "x".repeat(1000),
            noise(1000)
                .iter()
                .map(|b| char::from(b'a' + b % 26))
                .collect(),
        ] {
            let mut bytes = decode(&value(&sealer, &data));
            bytes[flags_at] ^= FLAG_COMPRESSED;
            assert_eq!(
                sealer
                    .open_at::<String>(&common::encode(&bytes), T0)
                    .unwrap_err(),
                Error::Unauthenticated,
                "{algorithm:?}"
            );
        }
    }
}

#[test]
fn compressed_cookie_opens_in_a_non_compressing_sealer() {
    // Turning compression off in a deploy must not log everybody out.
    for algorithm in Algorithm::ALL {
        let data = vec![7u32; 2000];
        let sealed = value(&compressing(algorithm), &data);
        let opened = plain(algorithm).open_at::<Vec<u32>>(&sealed, T0).unwrap();
        assert_eq!(opened.session().data(), &data);
        let mut session = Session::new(data.clone());
        session.set_subject("alice").unwrap();
        let sealed = compressing(algorithm).seal_value_at(&session, T0).unwrap();
        let opened = plain(algorithm).open_at::<Vec<u32>>(&sealed, T0).unwrap();
        assert_eq!(opened.session().subject(), Some("alice"));
        assert_eq!(opened.session().id(), session.id());
    }
}

#[test]
fn compressed_size_is_what_the_limit_counts() {
    // The size limit applies to the compressed line, and a refusal reports
    // the compressed length.
    let sealer = common::builder(Algorithm::default())
        .with_compression(true)
        .with_max_cookie_size(300)
        .build_at(T0)
        .unwrap();
    let roomy = compressing(Algorithm::default());
    let data = noise(400);
    let size = roomy
        .seal_at(&Session::new(data.clone()), T0)
        .unwrap()
        .len();
    assert_eq!(
        sealer.seal_at(&Session::new(data.clone()), T0).unwrap_err(),
        Error::TooLarge { size, limit: 300 }
    );
    let line = sealer.seal_at(&Session::new(vec![0u8; 5000]), T0).unwrap();
    assert!(line.len() <= 300);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The cap is inclusive for every stream the deflater produces, not just
    /// for runs of zeros: an inflated size of exactly the cap opens, one more
    /// byte is refused.
    #[test]
    fn cap_is_exact_for_any_compressible_payload(
        chunk in prop::collection::vec(any::<u8>(), 1..24),
        reps in 10usize..300,
        tail in prop::collection::vec(any::<u8>(), 0..16),
    ) {
        let mut data = chunk.repeat(reps);
        data.extend_from_slice(&tail);
        let varint = match data.len() { 0..128 => 1, 128..16384 => 2, _ => 3 };
        let payload_len = varint + data.len();
        let sealed = value(&with_limits(0, 1 << 20, 8192), &data);
        let was_compressed = len(&sealed) < overhead(Algorithm::default()) + payload_len;

        let at_cap = with_limits(0, payload_len, 8192);
        let opened = at_cap.open_at::<Vec<u8>>(&sealed, T0).map(|o| o.into_session().into_data());
        prop_assert_eq!(opened, Ok(data.clone()));
        let below = with_limits(0, payload_len - 1, 8192);
        let opened = below.open_at::<Vec<u8>>(&sealed, T0).map(|o| o.into_session().into_data());
        if was_compressed {
            prop_assert_eq!(opened, Err(Error::DecompressedTooLarge { limit: payload_len - 1 }));
        } else {
            prop_assert_eq!(opened, Ok(data));
        }
    }
}

#[test]
fn a_sealer_opens_what_it_sealed() {
    // 100 000 zeros deflate to about a hundred bytes, so the cookie fits;
    // but inflated they exceed the default 64 KiB cap of the same sealer.
    // Sealing must refuse (or not compress), not produce a dead cookie.
    let sealer = compressing(Algorithm::default());
    let session = Session::new(vec![0u8; 100_000]);
    if let Ok(value) = sealer.seal_value_at(&session, T0) {
        let opened = sealer.open_at::<Vec<u8>>(&value, T0);
        assert_eq!(opened.map(|o| o.session().data().len()), Ok(100_000));
    }
}
