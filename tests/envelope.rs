//! The authenticated envelope, reached by forging: the tests hold the key
//! bytes, so they encrypt hand-built plaintexts with the XChaCha20-Poly1305
//! implementation directly (the AAD built from FORMAT.md, not by the crate)
//! and check that authentic-but-invalid envelopes are refused, and refused
//! for the right reason and in the documented order.

mod common;

use common::{
    ENVELOPE_FIXED_LEN, FLAG_COMPRESSED, FLAG_IDLE, FLAG_MESSAGEPACK, FLAG_SUBJECT, T0,
    envelope_fixed, forge, schema_of, t0_unix as t0, unforge,
};
use sealed_session::{Algorithm, Error, Malformed, Sealer, Session, SessionData, SessionId};
use time::{Duration, OffsetDateTime};

const ALG: Algorithm = Algorithm::XChaCha20Poly1305;
/// 9999-12-31T23:59:59Z, the last second the format represents.
const MAX_UNIX: u64 = 253_402_300_799;
const ID: [u8; 16] = [0x11; 16];

fn sealer() -> Sealer {
    common::sealer(ALG)
}

/// The fixed envelope fields (flags, id, issued-at, lifetime, schema) of a
/// payload of `T`: the schema id is `T`'s, so that only what the test is
/// about can make the envelope fail.
fn fixed<T: SessionData>(flags: u8, issued_at: u64, lifetime: u32) -> Vec<u8> {
    envelope_fixed(flags, ID, issued_at, lifetime, schema_of::<T>())
}

fn open<T: SessionData>(plain: &[u8]) -> Result<T, Error> {
    open_at(plain, T0)
}

fn open_at<T: SessionData>(plain: &[u8], now: OffsetDateTime) -> Result<T, Error> {
    sealer()
        .open_at::<T>(&forge(plain), now)
        .map(|o| o.into_session().into_data())
}

const ENVELOPE: Error = Error::Malformed(Malformed::Envelope);

#[test]
fn hand_built_envelope_opens() {
    // Checks the forging itself against the crate: every field lands.
    let mut plain = fixed::<u8>(FLAG_IDLE | FLAG_SUBJECT, t0(), 3600);
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
    assert!(!opened.needs_reseal());

    // The minimal envelope with an empty payload opens as `()`.
    assert_eq!(open::<()>(&fixed::<()>(0, t0(), 60)), Ok(()));
}

#[test]
fn the_sealer_writes_the_documented_fixed_part() {
    // FORMAT.md section 5, byte by byte, read back from what the crate
    // sealed: flags, id, issued_at in 5 bytes, lifetime, schema, payload.
    let sealer = common::builder(ALG)
        .with_ttl(Duration::hours(2))
        .build_at(T0)
        .unwrap();
    let value = sealer.seal_value_at(&Session::new(300u16), T0).unwrap();
    let id = sealer.open_at::<u16>(&value, T0).unwrap().session().id();
    let plain = unforge(&value);
    let t0 = T0.unix_timestamp();
    assert_eq!(t0, 0x70_DB_D8_80);
    let mut want = vec![0];
    want.extend_from_slice(id.as_bytes());
    want.extend_from_slice(&[0x00, 0x70, 0xDB, 0xD8, 0x80]);
    want.extend_from_slice(&7200u32.to_be_bytes());
    want.extend_from_slice(&schema_of::<u16>().to_be_bytes());
    assert_eq!(want.len(), ENVELOPE_FIXED_LEN);
    // postcard: 300 as a varint.
    want.extend_from_slice(&[0xac, 0x02]);
    assert_eq!(plain, want);
    // The traced id of `u16` (FORMAT.md, "Schema"): the high bit is set.
    assert!(schema_of::<u16>() >= 1 << 31);
}

#[test]
fn issued_at_is_a_40_bit_big_endian_number() {
    // Every one of the five bytes counts, most significant first: a time
    // whose bytes all differ opens to exactly that time.
    let issued_at: u64 = 0x01_02_03_04_05;
    let now = OffsetDateTime::from_unix_timestamp(issued_at as i64).unwrap();
    let plain = fixed::<()>(0, issued_at, 60);
    assert_eq!(plain[17..22], [0x01, 0x02, 0x03, 0x04, 0x05]);
    let opened = sealer().open_at::<()>(&forge(&plain), now).unwrap();
    assert_eq!(opened.session().issued_at(), Some(now));
    assert_eq!(
        opened.session().expires_at(),
        Some(now + Duration::seconds(60))
    );
    // The largest 5-byte value is past year 9999: malformed.
    assert_eq!(open::<()>(&fixed::<()>(0, (1 << 40) - 1, 0)), Err(ENVELOPE));
}

#[test]
fn issued_at_at_the_last_second_of_year_9999_opens_and_one_more_is_malformed() {
    // FORMAT.md section 5: issued_at up to 253402300799 parses. With a
    // zero lifetime the session opens at that very second (expires_at is
    // the same second; the leeway keeps it open).
    let end = OffsetDateTime::from_unix_timestamp(MAX_UNIX as i64).unwrap();
    assert_eq!(end, time::macros::datetime!(9999-12-31 23:59:59 UTC));
    let opened = sealer()
        .open_at::<()>(&forge(&fixed::<()>(0, MAX_UNIX, 0)), end)
        .unwrap();
    assert_eq!(opened.session().issued_at(), Some(end));
    assert_eq!(opened.session().expires_at(), Some(end));
    // One second more is a malformed envelope, whenever it is opened.
    for now in [T0, end] {
        assert_eq!(
            open_at::<()>(&fixed::<()>(0, MAX_UNIX + 1, 0), now),
            Err(ENVELOPE)
        );
    }
}

#[test]
fn unknown_flag_bits_are_malformed() {
    // Bits 0 to 4 are defined (3: MessagePack payload, 4: browser
    // session); 5 to 7 are not.
    for bit in 5..8 {
        let plain = fixed::<()>(1 << bit, t0(), 3600);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "bit {bit}");
    }
    assert_eq!(
        open::<()>(&fixed::<()>(0b10_0000, t0(), 3600)),
        Err(ENVELOPE)
    );
    // Bit 4 alone opens, as a browser-session cookie.
    let browser = open::<()>(&fixed::<()>(0b1_0000, t0(), 3600));
    assert_eq!(browser.map(|_| ()), Ok(()));
    let mut plain = fixed::<()>(0xff, t0(), 3600);
    plain.extend_from_slice(&[0; 8]);
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
    // Every known bit together is not malformed: what follows decides.
    let mut plain = fixed::<()>(0x0f, t0(), 3600);
    plain.extend_from_slice(&3600u32.to_be_bytes());
    plain.push(0);
    assert_ne!(open::<()>(&plain), Err(ENVELOPE));
}

#[test]
fn truncated_envelopes_are_malformed() {
    // Shorter than the fixed part, including the empty plaintext (a value of
    // exactly header + nonce + tag that does authenticate).
    let full = fixed::<()>(0, t0(), 3600);
    assert_eq!(full.len(), ENVELOPE_FIXED_LEN);
    for len in 0..full.len() {
        assert_eq!(open::<()>(&full[..len]), Err(ENVELOPE), "{len} bytes");
    }
    // Idle flag without all four idle bytes.
    for extra in 0..4 {
        let mut plain = fixed::<()>(FLAG_IDLE, t0(), 3600);
        plain.extend_from_slice(&[0; 3][..extra]);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "idle, {extra} bytes");
    }
    // Subject flag without the length byte, or with fewer bytes than it says.
    assert_eq!(
        open::<()>(&fixed::<()>(FLAG_SUBJECT, t0(), 3600)),
        Err(ENVELOPE)
    );
    let mut plain = fixed::<()>(FLAG_SUBJECT, t0(), 3600);
    plain.push(5);
    plain.extend_from_slice(b"abcd");
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
    // Both flags: idle comes first, then the subject.
    let mut plain = fixed::<()>(FLAG_IDLE | FLAG_SUBJECT, t0(), 3600);
    plain.push(0);
    plain.extend_from_slice(&[0, 0, 1]);
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
}

#[test]
fn a_truncated_schema_field_is_malformed() {
    // The schema is the last fixed field, bytes 26 to 29: any of them
    // missing is a malformed envelope, not a schema mismatch, whatever the
    // flags (an optional field cannot stand in for the missing bytes).
    let schema_at = ENVELOPE_FIXED_LEN - 4;
    assert_eq!(schema_at, 26);
    for flags in [0, FLAG_MESSAGEPACK, FLAG_IDLE, FLAG_SUBJECT] {
        let full = fixed::<()>(flags, t0(), 3600);
        for len in schema_at..ENVELOPE_FIXED_LEN {
            assert_eq!(
                open::<()>(&full[..len]),
                Err(ENVELOPE),
                "flags {flags:#06b}, {len} bytes"
            );
        }
    }
    // The complete field with nothing after it is the empty payload.
    assert_eq!(open::<()>(&fixed::<()>(0, t0(), 3600)), Ok(()));
}

#[test]
fn subject_must_be_utf8_and_may_be_empty() {
    for bad in [&[0xff][..], &[0xc3], &[b'a', 0x80], &[0xed, 0xa0, 0x80]] {
        let mut plain = fixed::<()>(FLAG_SUBJECT, t0(), 3600);
        plain.push(bad.len() as u8);
        plain.extend_from_slice(bad);
        assert_eq!(open::<()>(&plain), Err(ENVELOPE), "{bad:?}");
    }
    let mut plain = fixed::<()>(FLAG_SUBJECT, t0(), 3600);
    plain.push(0);
    let opened = sealer().open_at::<()>(&forge(&plain), T0).unwrap();
    assert_eq!(opened.session().subject(), Some(""));
}

#[test]
fn times_beyond_year_9999_are_malformed() {
    for issued_at in [MAX_UNIX + 1, 1 << 39, (1 << 40) - 1] {
        assert_eq!(
            open::<()>(&fixed::<()>(0, issued_at, 0)),
            Err(ENVELOPE),
            "{issued_at}"
        );
    }
    // At the edge the envelope parses; the deadlines then reject it.
    assert_eq!(
        open::<()>(&fixed::<()>(0, MAX_UNIX, 0)),
        Err(Error::NotYetValid)
    );
    assert_eq!(
        open::<()>(&fixed::<()>(0, MAX_UNIX - 10, 10)),
        Err(Error::NotYetValid)
    );
    assert_eq!(open::<()>(&fixed::<()>(0, MAX_UNIX, 1)), Err(ENVELOPE));
    assert_eq!(
        open::<()>(&fixed::<()>(0, MAX_UNIX - 10, u32::MAX)),
        Err(ENVELOPE)
    );
    let mut plain = fixed::<()>(FLAG_IDLE, MAX_UNIX - 10, 10);
    plain.extend_from_slice(&11u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(ENVELOPE));
    // Time zero and the longest lifetime are fine to parse; the lifetime
    // is then refused for exceeding the reader's TTL (FORMAT.md section 5).
    assert_eq!(
        open::<()>(&fixed::<()>(0, 0, u32::MAX)),
        Err(Error::LifetimeTooLong)
    );
}

#[test]
fn idle_deadline_after_expiry_is_accepted_by_readers() {
    // FORMAT.md: readers do not require idle_deadline <= expires_at; the
    // absolute deadline still applies on its own.
    let mut plain = fixed::<()>(FLAG_IDLE, t0(), 3600);
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
    assert_eq!(
        open::<()>(&fixed::<()>(0x80, expired_at, 60)),
        Err(ENVELOPE)
    );
    // Deadlines before payload decoding: an expired session whose payload
    // is also wrong for the type.
    let mut plain = fixed::<bool>(0, expired_at, 60);
    plain.push(2);
    assert_eq!(open::<bool>(&plain), Err(Error::Expired));
    // Deadlines before the schema: an expired session of another type.
    let plain = fixed::<u8>(0, expired_at, 60);
    assert_eq!(open::<()>(&plain), Err(Error::Expired));
    // Not-yet-valid before expired, expired before idle-expired.
    let mut plain = fixed::<()>(FLAG_IDLE, t0() + 1000, 0);
    plain.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(Error::NotYetValid));
    let mut plain = fixed::<()>(FLAG_IDLE, t0() - 1000, 10);
    plain.extend_from_slice(&5u32.to_be_bytes());
    assert_eq!(open::<()>(&plain), Err(Error::Expired));
    // Once valid, a payload of the type's schema that is not a `bool` is a
    // deserialize error.
    let mut plain = fixed::<bool>(0, t0(), 60);
    plain.push(2);
    assert_eq!(open::<bool>(&plain), Err(Error::Deserialize));
    // The schema before the payload: the same bytes under another schema
    // id are a mismatch, although they would decode.
    let mut plain = fixed::<u8>(0, t0(), 60);
    plain.push(1);
    assert_eq!(
        open::<bool>(&plain),
        Err(Error::SchemaMismatch {
            found: schema_of::<u8>(),
            expected: schema_of::<bool>(),
        })
    );
}

/// The schema id in the envelope decides which type a payload is read as
/// (FORMAT.md, "Schema"): a postcard payload of another schema is never
/// decoded, even when its bytes would decode.
#[test]
fn a_forged_cookie_of_another_schema_is_a_schema_mismatch() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Login {
        user: String,
        admin: bool,
    }
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Swapped {
        admin: bool,
        user: String,
    }
    let expected = schema_of::<Login>();
    // postcard of Login { user: "ann", admin: true }.
    let payload = [3, b'a', b'n', b'n', 1];
    for found in [
        schema_of::<Swapped>(),
        schema_of::<String>(),
        expected ^ 1,
        expected & 0x7fff_ffff,
        0,
        7,
        u32::MAX,
    ] {
        let mut plain = envelope_fixed(0, ID, t0(), 3600, found);
        plain.extend_from_slice(&payload);
        let err = open::<Login>(&plain).unwrap_err();
        assert_eq!(err, Error::SchemaMismatch { found, expected }, "{found:#x}");
        // The cookie is authentic: the server's type changed, not the
        // client's fault.
        assert!(!err.is_client_fault());
    }
    // With the type's own id the same bytes open.
    let mut plain = envelope_fixed(0, ID, t0(), 3600, expected);
    plain.extend_from_slice(&payload);
    assert_eq!(
        open::<Login>(&plain),
        Ok(Login {
            user: "ann".into(),
            admin: true
        })
    );
    // An explicit version is the expected id of a sealer that pins it.
    let pinned = common::builder(ALG)
        .with_schema_version::<Login>(7)
        .build_at(T0)
        .unwrap();
    assert_eq!(
        pinned.open_at::<Login>(&forge(&plain), T0).unwrap_err(),
        Error::SchemaMismatch {
            found: expected,
            expected: 7
        }
    );
    let mut plain = envelope_fixed(0, ID, t0(), 3600, 7);
    plain.extend_from_slice(&payload);
    assert!(pinned.open_at::<Login>(&forge(&plain), T0).is_ok());
    assert_eq!(
        open::<Login>(&plain),
        Err(Error::SchemaMismatch { found: 7, expected })
    );
}

/// FORMAT.md section 6: flags bit 3 says the payload is MessagePack with
/// field names. The payloads here are written by hand from the
/// MessagePack specification and are not valid postcard of the type, so
/// only a reader that honours the flag opens them.
#[cfg(feature = "messagepack")]
mod messagepack {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Visit {
        user: String,
        visits: u32,
    }

    /// `{"user": "ann", "visits": 3}`: a fixmap of 2 entries, fixstr keys
    /// and value, a positive fixint.
    fn visit() -> Vec<u8> {
        let mut out = vec![0x82];
        out.extend_from_slice(b"\xa4user\xa3ann\xa6visits");
        out.push(0x03);
        out
    }

    fn visit_envelope(flags: u8, schema: u32, payload: &[u8]) -> Vec<u8> {
        let mut plain = envelope_fixed(flags, ID, t0(), 3600, schema);
        plain.extend_from_slice(payload);
        plain
    }

    #[test]
    fn the_flag_selects_messagepack_for_a_postcard_invalid_body() {
        let schema = schema_of::<Visit>();
        let ann = Visit {
            user: "ann".into(),
            visits: 3,
        };
        // Not postcard: 0x82 0xa4 is a varint of 0x1202 for the string
        // length, far more than the bytes left.
        assert_eq!(
            open::<Visit>(&visit_envelope(0, schema, &visit())),
            Err(Error::Deserialize)
        );
        let plain = visit_envelope(FLAG_MESSAGEPACK, schema, &visit());
        let opened = sealer().open_at::<Visit>(&forge(&plain), T0).unwrap();
        assert_eq!(opened.session().data(), &ann);
        // The payload is in another codec than this (postcard) sealer's:
        // it asks to be sealed again in its own.
        assert!(opened.needs_reseal());
        // A MessagePack sealer reads it without asking.
        let mp = common::builder(ALG)
            .with_codec(sealed_session::Codec::MessagePack)
            .build_at(T0)
            .unwrap();
        let opened = mp.open_at::<Visit>(&forge(&plain), T0).unwrap();
        assert_eq!(opened.session().data(), &ann);
        assert!(!opened.needs_reseal());
        // A string: fixstr "abc" (postcard would read a 2-byte varint).
        let mut plain = fixed::<String>(FLAG_MESSAGEPACK, t0(), 3600);
        plain.extend_from_slice(&[0xa3, b'a', b'b', b'c']);
        assert_eq!(open::<String>(&plain), Ok("abc".into()));
    }

    #[test]
    fn a_messagepack_body_must_decode_exactly() {
        let schema = schema_of::<Visit>();
        // Trailing bytes, a cut value, a missing field, a wrong type.
        let mut trailing = visit();
        trailing.push(0xc0);
        let cut = &visit()[..visit().len() - 1];
        let mut missing = vec![0x81];
        missing.extend_from_slice(&visit()[1..10]);
        let mut wrong = visit();
        *wrong.last_mut().unwrap() = 0xc2; // false, not a u32
        for body in [&trailing[..], cut, &missing, &wrong, &[], &[0xc1]] {
            assert_eq!(
                open::<Visit>(&visit_envelope(FLAG_MESSAGEPACK, schema, body)),
                Err(Error::Deserialize),
                "{body:02x?}"
            );
        }
    }

    #[test]
    fn a_messagepack_body_of_another_schema_is_read_by_field_names() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Renamed {
            visits: u32,
            user: String,
            #[serde(default)]
            theme: Option<String>,
        }
        let found = schema_of::<Visit>();
        let expected = schema_of::<Renamed>();
        assert_ne!(found, expected);
        // Other field order and an added field with a default: read by
        // names, then sealed again in the reader's schema.
        let plain = visit_envelope(FLAG_MESSAGEPACK, found, &visit());
        let opened = sealer().open_at::<Renamed>(&forge(&plain), T0).unwrap();
        assert_eq!(
            opened.session().data(),
            &Renamed {
                visits: 3,
                user: "ann".into(),
                theme: None
            }
        );
        assert!(opened.needs_reseal());
        // When the names do not fit, the mismatch is reported, not the
        // decoding error.
        assert_eq!(
            open::<u64>(&plain),
            Err(Error::SchemaMismatch {
                found,
                expected: schema_of::<u64>()
            })
        );
        // Without the flag the same schema ids are a plain mismatch.
        assert_eq!(
            open::<Renamed>(&visit_envelope(0, found, &visit())),
            Err(Error::SchemaMismatch { found, expected })
        );
    }
}

#[cfg(not(feature = "messagepack"))]
#[test]
fn messagepack_flag_without_the_feature_is_unsupported() {
    let mut plain = fixed::<String>(FLAG_MESSAGEPACK, t0(), 3600);
    plain.extend_from_slice(&[0xa3, b'a', b'b', b'c']);
    assert_eq!(
        open::<String>(&plain),
        Err(Error::Malformed(Malformed::CodecUnsupported))
    );
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

    fn compressed<T: SessionData>(payload: &[u8]) -> Vec<u8> {
        let mut plain = fixed::<T>(FLAG_COMPRESSED, t0(), 3600);
        plain.extend_from_slice(payload);
        plain
    }

    #[test]
    fn any_valid_stream_is_accepted() {
        // Not smaller and below the threshold: a writer would not produce
        // it, but readers accept any valid stream.
        let payload = stored_block(&[3, b'a', b'b', b'c']);
        assert_eq!(
            open::<String>(&compressed::<String>(&payload)),
            Ok("abc".into())
        );
        // An empty stored block is the empty payload.
        assert_eq!(open::<()>(&compressed::<()>(&stored_block(&[]))), Ok(()));
    }

    #[test]
    fn invalid_streams_are_malformed_compression() {
        const COMPRESSION: Error = Error::Malformed(Malformed::Compression);
        let good = stored_block(&[3, b'a', b'b', b'c']);
        // Empty field with the flag set.
        assert_eq!(open::<()>(&compressed::<()>(&[])), Err(COMPRESSION));
        // Any byte after the final block.
        for extra in [0x00, 0x01, 0xff] {
            let mut payload = good.clone();
            payload.push(extra);
            assert_eq!(
                open::<String>(&compressed::<String>(&payload)),
                Err(COMPRESSION)
            );
        }
        // A stream that ends early.
        for len in 1..good.len() {
            assert_eq!(
                open::<String>(&compressed::<String>(&good[..len])),
                Err(COMPRESSION),
                "{len}"
            );
        }
        // Stored-block length and its complement disagree.
        let mut payload = good.clone();
        payload[3] ^= 1;
        assert_eq!(
            open::<String>(&compressed::<String>(&payload)),
            Err(COMPRESSION)
        );
        // Reserved block type 3.
        assert_eq!(
            open::<()>(&compressed::<()>(&[0b111, 0, 0])),
            Err(COMPRESSION)
        );
        // A non-final block with nothing after it.
        let mut payload = good;
        payload[0] = 0;
        assert_eq!(
            open::<String>(&compressed::<String>(&payload)),
            Err(COMPRESSION)
        );
    }

    #[test]
    fn decompression_comes_before_the_schema() {
        // An invalid stream under another schema id: the stream is
        // checked first.
        assert_eq!(
            open::<String>(&compressed::<u8>(&[0b111, 0, 0])),
            Err(Error::Malformed(Malformed::Compression))
        );
        let payload = stored_block(&[3, b'a', b'b', b'c']);
        assert_eq!(
            open::<String>(&compressed::<u8>(&payload)),
            Err(Error::SchemaMismatch {
                found: schema_of::<u8>(),
                expected: schema_of::<String>()
            })
        );
    }

    #[test]
    fn decompressed_bytes_must_deserialize_exactly() {
        let payload = stored_block(&[3, b'a', b'b', b'c', b'!']);
        assert_eq!(
            open::<String>(&compressed::<String>(&payload)),
            Err(Error::Deserialize)
        );
    }

    #[test]
    fn deadlines_are_checked_before_decompression() {
        let mut plain = fixed::<()>(FLAG_COMPRESSED, t0() - 10_000, 60);
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
            let value = forge(&compressed::<Vec<u8>>(&stored_block(&data[..len])));
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
    let mut plain = fixed::<()>(FLAG_COMPRESSED, t0(), 3600);
    plain.extend_from_slice(&stored_block(&[]));
    assert_eq!(
        open::<()>(&plain),
        Err(Error::Malformed(Malformed::CompressionUnsupported))
    );
}
