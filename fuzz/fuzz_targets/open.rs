//! Arbitrary cookie values into `Sealer::open_at`: every value gets an
//! `Ok` or a client-fault `Err` (or, for an authentic cookie opened as
//! another type, a schema mismatch), never a panic, never an allocation past
//! the caps, and anything longer than the value limit is refused by its
//! length before it is decoded, and a value is refused as bad base64url
//! exactly when the scalar base64 engine refuses it.
//!
//! Input: a mode byte, then the value. Mode bit 0 clear: the rest is the
//! value's text (lossy UTF-8); set: the rest is raw sealed bytes that get
//! base64url-encoded, so mutations reach the header and lengths directly.
//! Mode bits 1-2 pick the type the value is opened as.
#![no_main]

use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC, VALUE_LIMIT};
use libfuzzer_sys::fuzz_target;
use sealed_session::{Error, Malformed, Opened, Sealer};
use std::borrow::Cow;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let value: Cow<str> = if mode & 1 == 0 {
        String::from_utf8_lossy(rest)
    } else {
        fixtures::encode(rest).into()
    };
    // Every sealer opens every fixed key's cookies; the primary only
    // decides whether a re-seal is asked for.
    let sealer = fixtures::sealer(u32::from(mode >> 3) % 3 + 1);
    match (mode >> 1) & 3 {
        0 => check::<FuzzSession>(sealer, &value),
        1 => check::<()>(sealer, &value),
        2 => check::<String>(sealer, &value),
        _ => check::<Vec<u8>>(sealer, &value),
    }
});

fn check<T>(sealer: &Sealer, value: &str)
where
    T: sealed_session::SessionData + PartialEq + core::fmt::Debug,
{
    let result = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        sealer.open_at::<T>(value, fixtures::t0())
    });
    if value.len() > VALUE_LIMIT {
        assert_eq!(
            result.as_ref().err(),
            Some(&Error::TooLarge {
                size: value.len(),
                limit: VALUE_LIMIT
            }),
            "over-long value not refused by its length"
        );
        return;
    }
    // Differential check of the base64url engine (the crate uses the
    // base64 crate's SIMD engine where the CPU has one): a value is refused
    // as bad base64 exactly when the scalar `URL_SAFE_NO_PAD` refuses it.
    assert_eq!(
        matches!(result, Err(Error::Malformed(Malformed::Base64))),
        fixtures::decode(value).is_none(),
        "base64url verdict differs from the scalar engine's: {result:?}"
    );
    match result {
        Err(err) => {
            // An authentic cookie of another type (a seed opened as `T`) is
            // a schema mismatch, which is the server's business; anything
            // else must be the client's fault.
            let other_schema = matches!(
                err,
                Error::SchemaMismatch { expected, .. } if expected == fixtures::schema_of::<T>()
            );
            assert!(
                err.is_client_fault() || other_schema,
                "opening failed on the server side: {err:?}"
            );
            assert!(
                !matches!(err, Error::TooLarge { .. }),
                "{err:?} within the limit"
            );
        }
        Ok(opened) => reseal_round_trips(sealer, opened),
    }
}

/// Whatever opened seals again and opens to the same session.
fn reseal_round_trips<T>(sealer: &Sealer, opened: Opened<T>)
where
    T: sealed_session::SessionData + PartialEq + core::fmt::Debug,
{
    let session = opened.into_session();
    let value = sealer
        .seal_value_at(&session, fixtures::t0())
        .expect("an opened session seals again");
    let again = sealer
        .open_at::<T>(&value, fixtures::t0())
        .expect("a resealed session opens")
        .into_session();
    assert_eq!(again.data(), session.data());
    assert_eq!(again.id(), session.id());
    assert_eq!(again.subject(), session.subject());
    assert_eq!(again.issued_at(), session.issued_at());
    assert_eq!(again.expires_at(), session.expires_at());
}
