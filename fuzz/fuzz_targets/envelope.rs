//! Arbitrary authentic envelopes: the plaintext is the fuzz input,
//! encrypted under a known key, so the envelope parser, the deadline checks
//! and the payload decoder see every shape, not only what survives
//! authentication. The outcome is checked against a reference parser
//! written from FORMAT.md sections 5, 6 and 13 (here, not in the crate):
//! the layout, the deadlines, the schema id against `FuzzSession`'s, and
//! the payload in either codec (postcard, or MessagePack decoded with
//! rmp-serde as section 6 prescribes).
#![no_main]

use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC, T0_UNIX};
use libfuzzer_sys::fuzz_target;
use sealed_session::{Error, Malformed, Sealer, SessionId};
use std::sync::OnceLock;

const MAX_UNIX: i64 = 253_402_300_799;
const LEEWAY: i64 = 60;
/// The fixtures' sealer keeps the default TTL: readers cap lifetimes by it.
const TTL: i64 = sealed_session::DEFAULT_TTL.whole_seconds();

/// The envelope fields as FORMAT.md defines them.
struct Reference<'a> {
    session_id: [u8; 16],
    issued_at: i64,
    expires_at: i64,
    idle_deadline: Option<i64>,
    subject: Option<&'a str>,
    schema: u32,
    messagepack: bool,
    compressed: bool,
    payload: &'a [u8],
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if rest.len() < n {
        return None;
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Some(head)
}

fn parse(plain: &[u8]) -> Option<Reference<'_>> {
    let mut rest = plain;
    let flags = take(&mut rest, 1)?[0];
    // Bits 5-7 are unknown (bit 4: a browser-session cookie, FORMAT.md 5).
    if flags & 0xE0 != 0 {
        return None;
    }
    let session_id = take(&mut rest, 16)?.try_into().ok()?;
    let issued_at = take(&mut rest, 5)?
        .iter()
        .fold(0u64, |n, &b| n << 8 | u64::from(b));
    let lifetime = u32::from_be_bytes(take(&mut rest, 4)?.try_into().ok()?);
    let schema = u32::from_be_bytes(take(&mut rest, 4)?.try_into().ok()?);
    let idle = if flags & 1 != 0 {
        Some(u32::from_be_bytes(take(&mut rest, 4)?.try_into().ok()?))
    } else {
        None
    };
    let subject = if flags & 2 != 0 {
        let len = take(&mut rest, 1)?[0];
        Some(core::str::from_utf8(take(&mut rest, usize::from(len))?).ok()?)
    } else {
        None
    };
    if issued_at > MAX_UNIX as u64 {
        return None;
    }
    let issued_at = issued_at as i64;
    let expires_at = issued_at + i64::from(lifetime);
    let idle_deadline = idle.map(|s| issued_at + i64::from(s));
    if expires_at > MAX_UNIX || idle_deadline.is_some_and(|d| d > MAX_UNIX) {
        return None;
    }
    Some(Reference {
        session_id,
        issued_at,
        expires_at,
        idle_deadline,
        subject,
        schema,
        messagepack: flags & 8 != 0,
        compressed: flags & 4 != 0,
        payload: rest,
    })
}

/// FORMAT.md section 6: exactly one value of the payload's codec, no
/// bytes left over (MessagePack nesting at most 128 deep).
fn decode_exact(payload: &[u8], messagepack: bool) -> Option<FuzzSession> {
    if !messagepack {
        return match postcard::take_from_bytes::<FuzzSession>(payload) {
            Ok((value, [])) => Some(value),
            _ => None,
        };
    }
    let mut de = rmp_serde::Deserializer::new(std::io::Cursor::new(payload));
    de.set_max_depth(128);
    let value = serde::Deserialize::deserialize(&mut de).ok()?;
    (de.position() == payload.len() as u64).then_some(value)
}

fn sealer() -> &'static Sealer {
    static SEALER: OnceLock<Sealer> = OnceLock::new();
    SEALER.get_or_init(|| {
        fixtures::builder(1)
            .with_compression(true)
            .build_at(fixtures::t0())
            .unwrap()
    })
}

fuzz_target!(|plain: &[u8]| {
    let value = fixtures::forge(plain);
    let now = T0_UNIX;
    let sealer = sealer();
    let got = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        sealer.open_at::<FuzzSession>(&value, fixtures::t0())
    });
    if value.len() > fixtures::VALUE_LIMIT {
        assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
        return;
    }
    let Some(r) = parse(plain) else {
        assert_eq!(got.err(), Some(Error::Malformed(Malformed::Envelope)));
        return;
    };
    // FORMAT.md section 5, in its order.
    let deadline = if r.issued_at > now + 2 * LEEWAY {
        Some(Error::NotYetValid)
    } else if r.expires_at - r.issued_at > TTL {
        Some(Error::LifetimeTooLong)
    } else if now >= r.expires_at + LEEWAY {
        Some(Error::Expired)
    } else if r.idle_deadline.is_some_and(|d| now >= d + LEEWAY) {
        Some(Error::IdleExpired)
    } else {
        None
    };
    if let Some(expected) = deadline {
        assert_eq!(got.err(), Some(expected));
        return;
    }
    // FORMAT.md section 13: the payload's schema against the type's.
    let expected = fixtures::schema_of::<FuzzSession>();
    let mismatch = Error::SchemaMismatch {
        found: r.schema,
        expected,
    };
    let got = if r.compressed {
        // The decompress target checks the stream handling itself.
        match got {
            Err(Error::Malformed(Malformed::Compression) | Error::DecompressedTooLarge { .. }) => {
                return;
            }
            Err(Error::Deserialize) if r.schema == expected => return,
            Err(ref err) if *err == mismatch && r.schema != expected => return,
            other => other,
        }
    } else {
        let decoded = decode_exact(r.payload, r.messagepack);
        // Same schema: decode. Another schema: no migration here, so a
        // MessagePack payload is tried by its field names and anything
        // else is a mismatch.
        let expected_err = match (r.schema == expected, r.messagepack, &decoded) {
            (true, _, None) => Some(Error::Deserialize),
            (true, _, Some(_)) | (false, true, Some(_)) => None,
            (false, _, _) => Some(mismatch),
        };
        if let Some(expected_err) = expected_err {
            assert_eq!(got.err(), Some(expected_err));
            return;
        }
        got
    };
    let opened = got.expect("a valid envelope opens");
    assert!(
        r.schema == expected || r.messagepack,
        "postcard of another schema opened"
    );
    let session = opened.session();
    assert_eq!(session.id(), SessionId::from_bytes(r.session_id));
    assert_eq!(session.subject(), r.subject);
    assert_eq!(
        session.issued_at().map(|t| t.unix_timestamp()),
        Some(r.issued_at)
    );
    assert_eq!(
        session.expires_at().map(|t| t.unix_timestamp()),
        Some(r.expires_at)
    );
    assert_eq!(
        session.idle_deadline().map(|t| t.unix_timestamp()),
        r.idle_deadline
    );
    if !r.compressed {
        let data = decode_exact(r.payload, r.messagepack).unwrap();
        assert_eq!(session.data(), &data);
    }
    // A MessagePack payload, or one read under another schema, moves to
    // the sealer's codec and schema on the next response.
    if r.messagepack || r.schema != expected {
        assert!(opened.needs_reseal());
    }
});
