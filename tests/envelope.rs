//! The authenticated envelope, reached by forging: the tests hold the key
//! bytes, so they encrypt hand-built plaintexts with the XChaCha20-Poly1305
//! implementation directly (the AAD built from FORMAT.md, not by the crate)
//! and check that authentic-but-invalid envelopes are refused, and refused
//! for the right reason and in the documented order.

mod common;

use common::{T0, forge};
use sealed_session::{Algorithm, Error, Malformed, Sealer, SessionId};
use time::{Duration, OffsetDateTime};

const ALG: Algorithm = Algorithm::XChaCha20Poly1305;
const FLAG_IDLE: u8 = 0b001;
const FLAG_SUBJECT: u8 = 0b010;
const FLAG_COMPRESSED: u8 = 0b100;
/// 9999-12-31T23:59:59Z, the last second the format represents.
const MAX_UNIX: u64 = 253_402_300_799;
const ID: [u8; 16] = [0x11; 16];

fn t0() -> u64 {
    T0.unix_timestamp() as u64
}

fn sealer() -> Sealer {
    common::sealer(ALG)
}

/// The fixed envelope fields: flags, id, issued-at, lifetime.
fn fixed(flags: u8, issued_at: u64, lifetime: u32) -> Vec<u8> {
    let mut out = vec![flags];
    out.extend_from_slice(&ID);
    out.extend_from_slice(&issued_at.to_be_bytes());
    out.extend_from_slice(&lifetime.to_be_bytes());
    out
}

fn open<T: sealed_session::SessionData>(plain: &[u8]) -> Result<T, Error> {
    open_at(plain, T0)
}

fn open_at<T: sealed_session::SessionData>(plain: &[u8], now: OffsetDateTime) -> Result<T, Error> {
    sealer()
        .open_at::<T>(&forge(plain), now)
        .map(|o| o.into_session().into_data())
}

const ENVELOPE: Error = Error::Malformed(Malformed::Envelope);

#[test]
fn hand_built_envelope_opens() {
    // Checks the forging itself against the crate: every field lands.
    let mut plain = fixed(FLAG_IDLE | FLAG_SUBJECT, t0(), 3600);
    plain.extend_from_slice(&600u32.to_be_bytes());
    plain.push(5);
    plain.extend_from_slice(b"alice");
    plain.push(42);
    let opened = sealer().open_at::<u8>(&forge(&plain), T0).unwrap();
    let session = opened.session();
    assert_eq!(*session.data(), 42);
    assert_eq!(session.id(), SessionId::from_bytes(ID));
    assert_eq!(session.subject(), Some("alice"));
    assert_eq!(session.issued_at(), Some(T0));
    assert_eq!(session.expires_at(), Some(T0 + Duration::hours(1)));
    assert_eq!(session.idle_deadline(), Some(T0 + Duration::minutes(10)));

    // The minimal envelope with an empty payload opens as `()`.
    assert_eq!(open::<()>(&fixed(0, t0(), 60)), Ok(()));
}

#[test]
fn unknown_flag_bits_are_malformed() {
    for bit in 3..8 {
        let plain = fixed(1 << bit, t0(), 3600);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "bit {bit}");
    }
    let mut plain = fixed(0xff, t0(), 3600);
    plain.extend_from_slice(&[0; 8]);
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
}

#[test]
fn truncated_envelopes_are_malformed() {
    // Shorter than the fixed part, including the empty plaintext (a value of
    // exactly header + nonce + tag that does authenticate).
    let full = fixed(0, t0(), 3600);
    for len in 0..full.len() {
        assert_eq!(open::<()>(&full[..len]), Err(ENVELOPE), "{len} bytes");
    }
    // Idle flag without all four idle bytes.
    for extra in 0..4 {
        let mut plain = fixed(FLAG_IDLE, t0(), 3600);
        plain.extend_from_slice(&[0; 3][..extra]);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "idle, {extra} bytes");
    }
    // Subject flag without the length byte, or with fewer bytes than it says.
    assert_eq!(open::<()>(&fixed(FLAG_SUBJECT, t0(), 3600)), Err(ENVELOPE));
    let mut plain = fixed(FLAG_SUBJECT, t0(), 3600);
    plain.push(5);
    plain.extend_from_slice(b"abcd");
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
    // Both flags: idle comes first, then the subject.
    let mut plain = fixed(FLAG_IDLE | FLAG_SUBJECT, t0(), 3600);
    plain.push(0);
    plain.extend_from_slice(&[0, 0, 1]);
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
}

#[test]
fn subject_must_be_utf8_and_may_be_empty() {
    for bad in [&[0xff][..], &[0xc3], &[b'a', 0x80], &[0xed, 0xa0, 0x80]] {
        let mut plain = fixed(FLAG_SUBJECT, t0(), 3600);
        plain.push(bad.len() as u8);
        plain.extend_from_slice(bad);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "{bad:?}");
    }
    let mut plain = fixed(FLAG_SUBJECT, t0(), 3600);
    plain.push(0);
    let opened = sealer().open_at::<()>(&forge(&plain), T0).unwrap();
    assert_eq!(opened.session().subject(), Some(""));
}

#[test]
fn times_beyond_year_9999_are_malformed() {
    for issued_at in [MAX_UNIX + 1, 1 << 63, u64::MAX] {
        assert_eq!(
            open::<()>(&fixed(0, issued_at, 0)),
            Err(ENVELOPE),
            "{issued_at}"
        );
    }
    // At the edge the envelope parses; the deadlines then reject it.
    assert_eq!(open::<()>(&fixed(0, MAX_UNIX, 0)), Err(Error::NotYetValid));
    assert_eq!(
        open::<()>(&fixed(0, MAX_UNIX - 10, 10)),
        Err(Error::NotYetValid)
    );
    assert_eq!(open::<()>(&fixed(0, MAX_UNIX, 1)), Err(ENVELOPE));
    assert_eq!(
        open::<()>(&fixed(0, MAX_UNIX - 10, u32::MAX)),
        Err(ENVELOPE)
    );
    let mut plain = fixed(FLAG_IDLE, MAX_UNIX - 10, 10);
    plain.extend_from_slice(&11u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
    // Time zero and the longest lifetime are fine to parse; the lifetime
    // is then refused for exceeding the reader's TTL (FORMAT.md section 5).
    assert_eq!(
        open::<()>(&fixed(0, 0, u32::MAX)),
        Err(Error::LifetimeTooLong)
    );
}

#[test]
fn idle_deadline_after_expiry_is_accepted_by_readers() {
    // FORMAT.md: readers do not require idle_deadline <= expires_at; the
    // absolute deadline still applies on its own.
    let mut plain = fixed(FLAG_IDLE, t0(), 3600);
    plain.extend_from_slice(&7200u32.to_be_bytes());
    let opened = sealer().open_at::<()>(&forge(&plain), T0).unwrap();
    assert_eq!(
        opened.session().idle_deadline(),
        Some(T0 + Duration::hours(2))
    );
    assert_eq!(
        open_at::<()>(&plain, T0 + Duration::hours(1) + Duration::minutes(1)),
        Err(Error::Expired)
    );
}

#[test]
fn checks_run_in_the_documented_order() {
    // Envelope parse before deadlines: bad flags on an expired session.
    let expired_at = t0() - 10_000;
    assert_eq!(open::<()>(&fixed(0x80, expired_at, 60)), Err(ENVELOPE));
    // Deadlines before payload decoding: an expired session whose payload
    // is also wrong for the type.
    let mut plain = fixed(0, expired_at, 60);
    plain.push(2);
    assert_eq!(open::<bool>(&plain), Err(Error::Expired));
    // Not-yet-valid before expired, expired before idle-expired.
    let mut plain = fixed(FLAG_IDLE, t0() + 1000, 0);
    plain.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(Error::NotYetValid));
    let mut plain = fixed(FLAG_IDLE, t0() - 1000, 10);
    plain.extend_from_slice(&5u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(Error::Expired));
    // Once valid, a payload that is not a `bool` is a deserialize error.
    let mut plain = fixed(0, t0(), 60);
    plain.push(2);
    assert_eq!(open::<bool>(&plain), Err(Error::Deserialize));
}

/// A raw DEFLATE stream of one final stored block: valid, uncompressed, and
/// written here by hand, independently of any deflate implementation.
fn stored_block(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap();
    let mut out = vec![0b001];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(feature = "compression")]
mod compressed {
    use super::*;

    fn compressed(payload: &[u8]) -> Vec<u8> {
        let mut plain = fixed(FLAG_COMPRESSED, t0(), 3600);
        plain.extend_from_slice(payload);
        plain
    }

    #[test]
    fn any_valid_stream_is_accepted() {
        // Not smaller and below the threshold: a writer would not produce
        // it, but readers accept any valid stream.
        let payload = stored_block(&[3, b'a', b'b', b'c']);
        assert_eq!(open::<String>(&compressed(&payload)), Ok("abc".into()));
        // An empty stored block is the empty payload.
        assert_eq!(open::<()>(&compressed(&stored_block(&[]))), Ok(()));
    }

    #[test]
    fn invalid_streams_are_malformed_compression() {
        const COMPRESSION: Error = Error::Malformed(Malformed::Compression);
        let good = stored_block(&[3, b'a', b'b', b'c']);
        // Empty field with the flag set.
        assert_eq!(open::<()>(&compressed(&[])), Err(COMPRESSION));
        // Any byte after the final block.
        for extra in [0x00, 0x01, 0xff] {
            let mut payload = good.clone();
            payload.push(extra);
            assert_eq!(open::<String>(&compressed(&payload)), Err(COMPRESSION));
        }
        // A stream that ends early.
        for len in 1..good.len() {
            assert_eq!(
                open::<String>(&compressed(&good[..len])),
                Err(COMPRESSION),
                "{len}"
            );
        }
        // Stored-block length and its complement disagree.
        let mut payload = good.clone();
        payload[3] ^= 1;
        assert_eq!(open::<String>(&compressed(&payload)), Err(COMPRESSION));
        // Reserved block type 3.
        assert_eq!(open::<()>(&compressed(&[0b111, 0, 0])), Err(COMPRESSION));
        // A non-final block with nothing after it.
        let mut payload = good;
        payload[0] = 0;
        assert_eq!(open::<String>(&compressed(&payload)), Err(COMPRESSION));
    }

    #[test]
    fn decompressed_bytes_must_deserialize_exactly() {
        let payload = stored_block(&[3, b'a', b'b', b'c', b'!']);
        assert_eq!(
            open::<String>(&compressed(&payload)),
            Err(Error::Deserialize)
        );
    }

    #[test]
    fn deadlines_are_checked_before_decompression() {
        let mut plain = fixed(FLAG_COMPRESSED, t0() - 10_000, 60);
        plain.push(0xff);
        assert_eq!(open::<()>(&plain), Err(Error::Expired));
    }

    #[test]
    fn inflated_size_is_capped_at_the_limit_inclusive() {
        let sealer = common::builder(ALG)
            .with_compression_limits(256, 100)
            .build_at(T0)
            .unwrap();
        let open = |len: usize| {
            // Postcard of 120 sevens: length byte 120, then the bytes; cut
            // to `len` bytes so the inflated size is exactly `len`.
            let mut data = vec![120u8];
            data.extend_from_slice(&[7; 120]);
            let value = forge(&compressed(&stored_block(&data[..len])));
            sealer.open_at::<Vec<u8>>(&value, T0).map(|_| ())
        };
        let too_large = Err(Error::DecompressedTooLarge { limit: 100 });
        assert_eq!(open(121), too_large);
        assert_eq!(open(101), too_large);
        // 100 bytes is within the cap; the cut payload then fails to decode.
        assert_eq!(open(100), Err(Error::Deserialize));
    }
}

#[cfg(not(feature = "compression"))]
#[test]
fn compressed_flag_without_the_feature_is_unsupported() {
    let mut plain = fixed(FLAG_COMPRESSED, t0(), 3600);
    plain.extend_from_slice(&stored_block(&[]));
    assert_eq!(
        open::<()>(&plain),
        Err(Error::Malformed(Malformed::CompressionUnsupported))
    );
}
