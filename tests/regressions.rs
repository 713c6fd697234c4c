//! Inputs the fuzz targets under fuzz/ found (or that writing a target
//! turned up), one test each, named after the property they break and
//! citing the input as the target received it; FUZZING.md lists them. A test marked `#[ignore = "BUG: ..."]` pins a bug that is
//! still open; it is un-ignored by the change that fixes the bug.

// Most regressions here concern compression; without the feature their
// helpers are unused rather than wrong.
#![cfg_attr(not(feature = "compression"), allow(dead_code, unused_imports))]

mod common;

use common::T0;
use sealed_session::{Algorithm, Error, Malformed, Sealer};

const ALG: Algorithm = Algorithm::XChaCha20Poly1305;

/// An authentic cookie valid at [`T0`] whose payload is the DEFLATE
/// `stream`, under the schema of the `Vec<u8>` the tests open it as.
fn compressed_envelope(stream: &[u8]) -> String {
    common::forge_payload::<Vec<u8>>(common::FLAG_COMPRESSED, stream)
}

#[cfg(feature = "compression")]
fn capped(cap: usize) -> Sealer {
    common::builder(ALG)
        .with_compression_limits(256, cap)
        .build_at(T0)
        .unwrap()
}

/// Found by the `decompress` target (input `24 00 01 6d 02 92 fd 03`: cap
/// 1, then a stored block that announces 621 bytes and carries one).
/// FORMAT.md section 6: exceeding the cap rejects as too large, an invalid
/// or truncated stream as malformed. This stream inflates to exactly the
/// cap and then ends early, so it never exceeds the cap: it is malformed.
/// The decoder reported it as too large because it stopped as soon as its
/// output buffer was full at the cap, before learning whether more output
/// would follow (both reject and no data is used; only the reason was
/// wrong). Fixed in src/wire/codec.rs by letting the buffer reach one byte past
/// the cap.
#[cfg(feature = "compression")]
#[test]
fn invalid_stream_filling_the_cap_exactly_is_malformed() {
    let found = [0x01, 0x6d, 0x02, 0x92, 0xfd, 0x03];
    let value = compressed_envelope(&found);
    assert_eq!(
        capped(1).open_at::<Vec<u8>>(&value, T0).unwrap_err(),
        Error::Malformed(Malformed::Compression)
    );
    // The same with a larger cap: a stored block announcing 10 bytes that
    // carries only the cap's 5.
    let mut truncated = vec![0x01, 10, 0, !10, 0xff];
    truncated.extend_from_slice(b"abcde");
    let value = compressed_envelope(&truncated);
    assert_eq!(
        capped(5).open_at::<Vec<u8>>(&value, T0).unwrap_err(),
        Error::Malformed(Malformed::Compression)
    );
}

/// The boundary the fix must keep: a complete stream whose output is
/// exactly the cap opens, one that goes one byte beyond is too large, and
/// a truncated stream below the cap is malformed.
#[cfg(feature = "compression")]
#[test]
fn streams_around_the_cap_keep_their_reasons() {
    let stored = |data: &[u8]| {
        let len = data.len() as u16;
        let mut out = vec![0x01];
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(data);
        out
    };
    // Postcard of the 4 bytes "abcd": length 4, then the bytes; 5 in all.
    let payload = [4, b'a', b'b', b'c', b'd'];
    let open = |cap: usize, stream: &[u8]| {
        capped(cap)
            .open_at::<Vec<u8>>(&compressed_envelope(stream), T0)
            .map(|o| o.into_session().into_data())
    };
    assert_eq!(open(5, &stored(&payload)), Ok(b"abcd".to_vec()));
    assert_eq!(
        open(4, &stored(&payload)),
        Err(Error::DecompressedTooLarge { limit: 4 })
    );
    let mut truncated = stored(&payload);
    truncated.pop();
    assert_eq!(
        open(5, &truncated),
        Err(Error::Malformed(Malformed::Compression))
    );
}

/// Found while extending the `keyring` target to `KeyRing::from_text`.
/// RFC 3339 allows any offset, so `9999-12-31T23:59:59-01:00` parses, but
/// it is 10000-01-01T00:59:59Z, past the range `time` represents; turning
/// it into UTC panics (`OffsetDateTime::to_offset`) instead of refusing the
/// entry as a bad time. A ring comes from an environment variable: a typo
/// there must be a typed configuration error, not a crash at startup.
#[test]
fn ring_text_time_past_year_9999_in_utc_is_a_time_error() {
    use sealed_session::{ConfigError, Key, KeyRing, RingEntryError};
    let key = Key::from_bytes(Algorithm::Aes256Gcm, 1, &[0; 32]).to_text();
    for time in ["9999-12-31T23:59:59-01:00", "9999-12-31T23:00:00-23:59"] {
        for attribute in ["retire", "since"] {
            let text = format!("{};{attribute}={time}", key.as_str());
            let parsed = std::panic::catch_unwind(|| KeyRing::from_text(&text).map(|_| ()));
            assert_eq!(
                parsed.expect("no panic on a ring text"),
                Err(Error::InvalidConfig(ConfigError::RingEntry {
                    position: 1,
                    key_id: Some(1),
                    reason: RingEntryError::Time,
                })),
                "{attribute}={time}"
            );
        }
    }
}
