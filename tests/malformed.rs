//! Cookie values that are not well-formed sealed values, and payloads that
//! authenticate but do not deserialize into the requested type. Each case
//! must be refused with its own exact error, before or without any
//! decryption of attacker-chosen lengths.

mod common;

use common::{
    T0, decode, encode, forge_payload, min_sealed_len, schema_of, sealed_bytes, sealer, sextet,
};
use sealed_session::{Algorithm, Error, Malformed, Sealer, Session};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// A freshly sealed value of `()` under `algorithm`.
fn valid_value(sealer: &Sealer) -> String {
    sealer.seal_value_at(&Session::new(()), T0).expect("seal")
}

fn open_err(sealer: &Sealer, value: &str) -> Error {
    sealer
        .open_at::<()>(value, T0)
        .expect_err("value must be rejected")
}

#[test]
fn empty_value_is_its_own_error() {
    let sealer = sealer(Algorithm::default());
    assert_eq!(open_err(&sealer, ""), Error::Malformed(Malformed::Empty));
}

#[test]
fn whitespace_alone_is_not_base64() {
    let sealer = sealer(Algorithm::default());
    for ws in [" ", "\t", "\n", "\r\n", "  ", "\u{a0}"] {
        assert_eq!(
            open_err(&sealer, ws),
            Error::Malformed(Malformed::Base64),
            "{ws:?}"
        );
    }
}

#[test]
fn whitespace_around_or_inside_a_valid_value_is_not_trimmed() {
    // Servers hand over the raw header text; tolerating whitespace would
    // give one cookie several spellings.
    let sealer = sealer(Algorithm::default());
    let valid = valid_value(&sealer);
    assert!(sealer.open_at::<()>(&valid, T0).is_ok());
    let middle = valid.len() / 2;
    for ws in [" ", "\t", "\n", "\r", "\r\n"] {
        let variants = [
            format!("{ws}{valid}"),
            format!("{valid}{ws}"),
            format!("{ws}{valid}{ws}"),
            format!("{}{ws}{}", &valid[..middle], &valid[middle..]),
        ];
        for value in variants {
            assert_eq!(
                open_err(&sealer, &value),
                Error::Malformed(Malformed::Base64),
                "{value:?}"
            );
        }
    }
}

#[test]
fn characters_outside_base64url_are_rejected() {
    let sealer = sealer(Algorithm::default());
    let valid = valid_value(&sealer);
    for bad in ["+", "/", "=", ".", "é", "\0", "~", "%", "!", "*"] {
        assert_eq!(
            open_err(&sealer, bad),
            Error::Malformed(Malformed::Base64),
            "{bad:?} alone"
        );
        // Replace one character in the middle and at both ends, keeping the
        // character count (so the length alone is not what fails).
        for at in [0, valid.len() / 2, valid.len() - 1] {
            let value = format!("{}{bad}{}", &valid[..at], &valid[at + 1..]);
            assert_eq!(
                open_err(&sealer, &value),
                Error::Malformed(Malformed::Base64),
                "{bad:?} at {at}"
            );
        }
    }
}

#[test]
fn standard_alphabet_spelling_is_rejected() {
    // The same bytes in standard base64 ('+' and '/' instead of '-' and
    // '_') must not open: only the url-safe alphabet is canonical.
    let sealer = sealer(Algorithm::default());
    for _ in 0..64 {
        let valid = valid_value(&sealer);
        if !valid.contains(['-', '_']) {
            continue;
        }
        let standard = valid.replace('-', "+").replace('_', "/");
        assert_eq!(
            open_err(&sealer, &standard),
            Error::Malformed(Malformed::Base64)
        );
        return;
    }
    panic!("no sealed value with '-' or '_' in 64 tries");
}

/// A valid value of `()` whose decoded length has remainder `rem` mod 3,
/// found by growing the subject.
fn value_with_remainder(sealer: &Sealer, rem: usize) -> String {
    for len in 0..3 {
        let mut session = Session::new(());
        session.set_subject("s".repeat(len)).expect("short subject");
        let value = sealer.seal_value_at(&session, T0).expect("seal");
        if decode(&value).len() % 3 == rem {
            return value;
        }
    }
    unreachable!("three consecutive lengths cover every remainder")
}

#[test]
fn padding_is_rejected() {
    let sealer = sealer(Algorithm::default());
    for rem in [0, 1, 2] {
        let valid = value_with_remainder(&sealer, rem);
        // The correct padding for this length, and some incorrect ones.
        let canonical_pad = ["", "==", "="][rem];
        for pad in [canonical_pad, "=", "==", "==="] {
            if pad.is_empty() {
                continue;
            }
            let value = format!("{valid}{pad}");
            assert_eq!(
                open_err(&sealer, &value),
                Error::Malformed(Malformed::Base64),
                "remainder {rem}, padding {pad:?}"
            );
        }
    }
}

#[test]
fn non_canonical_trailing_bits_are_rejected() {
    // With 1 (or 2) bytes in the last group, the last character carries 4
    // (or 2) unused low bits. Setting one of them keeps the decoded bytes
    // identical, so a lenient decoder would accept a second spelling.
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        for (rem, unused_bits) in [(1, 4), (2, 2)] {
            let valid = value_with_remainder(&sealer, rem);
            assert!(sealer.open_at::<()>(&valid, T0).is_ok());
            let last = sextet(*valid.as_bytes().last().unwrap()).unwrap();
            assert_eq!(last & ((1 << unused_bits) - 1), 0, "canonical encoder");
            for bit in 0..unused_bits {
                let mut value = valid[..valid.len() - 1].to_owned();
                value.push(common::char_of(last | 1 << bit));
                assert_eq!(
                    open_err(&sealer, &value),
                    Error::Malformed(Malformed::Base64),
                    "{algorithm:?}, remainder {rem}, unused bit {bit}"
                );
            }
        }
    }
}

#[test]
fn impossible_base64_length_is_rejected() {
    // 4n+1 characters cannot encode whole bytes.
    let sealer = sealer(Algorithm::default());
    let valid = valid_value(&sealer);
    let cut = valid.len() - (valid.len() % 4) + 1;
    let value = if cut <= valid.len() {
        valid[..cut].to_owned()
    } else {
        format!("{valid}A")
    };
    assert_eq!(value.len() % 4, 1);
    assert_eq!(
        open_err(&sealer, &value),
        Error::Malformed(Malformed::Base64)
    );
}

#[test]
fn over_long_value_is_too_large_before_decoding() {
    for name in [common::NAME, "s", "a-much-longer-cookie-name"] {
        let sealer = common::builder(Algorithm::default())
            .with_cookie_name(name)
            .with_attributes(sealed_session::CookieAttributes::default())
            .build_at(T0)
            .unwrap();
        // The value may use whatever `name=` leaves of the cookie limit.
        let limit = sealed_session::DEFAULT_MAX_COOKIE_SIZE - name.len() - 1;
        for size in [limit + 1, limit + 2, 10 * limit] {
            // Not even base64: the size check must come first.
            assert_eq!(
                open_err(&sealer, &"!".repeat(size)),
                Error::TooLarge { size, limit },
                "{name}: {size}"
            );
            assert_eq!(
                open_err(&sealer, &"A".repeat(size)),
                Error::TooLarge { size, limit },
                "{name}: {size}"
            );
        }
        // Exactly at the limit the value gets past the size check: 'A's
        // decode to zero bytes (version 0) unless the length is 4n+1.
        let expected = if limit % 4 == 1 {
            Error::Malformed(Malformed::Base64)
        } else {
            Error::UnsupportedVersion { version: 0 }
        };
        assert_eq!(open_err(&sealer, &"A".repeat(limit)), expected, "{name}");
    }
}

#[test]
fn custom_max_cookie_size_sets_the_open_limit() {
    let sealer = common::builder(Algorithm::default())
        .with_max_cookie_size(1000)
        .build_at(T0)
        .unwrap();
    let limit = 1000 - common::NAME.len() - 1;
    assert_eq!(
        open_err(&sealer, &"A".repeat(limit + 1)),
        Error::TooLarge {
            size: limit + 1,
            limit
        }
    );
}

#[test]
fn every_length_shorter_than_header_nonce_and_tag_is_too_short() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let bytes = sealed_bytes(&sealer, ());
        let min = min_sealed_len(algorithm);
        assert!(bytes.len() > min);
        // Zero bytes encode to the empty string.
        assert_eq!(
            open_err(&sealer, &encode(&bytes[..0])),
            Error::Malformed(Malformed::Empty)
        );
        for len in 1..min {
            assert_eq!(
                open_err(&sealer, &encode(&bytes[..len])),
                Error::Malformed(Malformed::TooShort),
                "{algorithm:?}: prefix of {len} bytes"
            );
        }
        // From the header on, the same holds for any key id and for the
        // algorithm's own nonce length, not only for the sealed prefix.
        for len in common::HEADER_LEN..min {
            let mut forged = bytes[..len].to_vec();
            forged[2..6].copy_from_slice(&0xdead_beef_u32.to_be_bytes());
            assert_eq!(
                open_err(&sealer, &encode(&forged)),
                Error::Malformed(Malformed::TooShort),
                "{algorithm:?}: forged header, {len} bytes"
            );
        }
        // Exactly header + nonce + tag gets past the parser and fails
        // authentication: there is no envelope to authenticate.
        assert_eq!(
            open_err(&sealer, &encode(&bytes[..min])),
            Error::Unauthenticated,
            "{algorithm:?}: {min} bytes"
        );
    }
}

#[test]
fn short_value_with_unknown_version_reports_the_version() {
    // The version is checked as soon as six bytes are there, so a future
    // format with a shorter layout is still recognised as "newer".
    let sealer = sealer(Algorithm::default());
    let value = encode(&[2, 1, 0, 0, 0, 1]);
    assert_eq!(
        open_err(&sealer, &value),
        Error::UnsupportedVersion { version: 2 }
    );
}

#[test]
fn unknown_version_byte() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let bytes = sealed_bytes(&sealer, ());
        for version in [0, 2, 3, 0x7f, 0x80, 255] {
            let mut forged = bytes.clone();
            forged[0] = version;
            assert_eq!(
                open_err(&sealer, &encode(&forged)),
                Error::UnsupportedVersion { version },
                "{algorithm:?}"
            );
        }
    }
}

#[test]
fn unknown_algorithm_byte() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let bytes = sealed_bytes(&sealer, ());
        for code in [0, 4, 5, 0x80, 255] {
            let mut forged = bytes.clone();
            forged[1] = code;
            assert_eq!(
                open_err(&sealer, &encode(&forged)),
                Error::Malformed(Malformed::UnknownAlgorithm),
                "{algorithm:?}: code {code}"
            );
        }
    }
}

/// Opens `payload` as a `T` from an authentic cookie of `T`'s schema,
/// forged under the test's key: the bytes reach the payload decoder as
/// they are (a sealed payload of another type would be refused first, as
/// a schema mismatch).
fn open_forged<T: sealed_session::SessionData>(payload: &[u8]) -> Result<T, Error> {
    sealer(Algorithm::XChaCha20Poly1305)
        .open_at::<T>(&forge_payload::<T>(0, payload), T0)
        .map(|o| o.into_session().into_data())
}

#[test]
fn huge_length_prefix_in_payload_fails_fast_without_allocating() {
    // Ten bytes that start with the varint 2^64 - 1 (or 2^32 - 1) read as
    // a sequence type: a length claim a careless deserializer would try
    // to allocate. Only a key holder can write such a payload; the test is
    // one.
    let huge64: [u8; 10] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    let huge32: [u8; 5] = [0xff, 0xff, 0xff, 0xff, 0x0f];
    for payload in [&huge64[..], &huge32[..]] {
        let start = Instant::now();
        assert_eq!(open_forged::<Vec<u8>>(payload), Err(Error::Deserialize));
        assert_eq!(open_forged::<String>(payload), Err(Error::Deserialize));
        assert_eq!(open_forged::<Vec<u64>>(payload), Err(Error::Deserialize));
        assert_eq!(
            open_forged::<Vec<Vec<u64>>>(payload),
            Err(Error::Deserialize)
        );
        assert_eq!(open_forged::<Vec<String>>(payload), Err(Error::Deserialize));
        assert_eq!(
            open_forged::<HashMap<u64, u64>>(payload),
            Err(Error::Deserialize)
        );
        // A real allocation of 2^32 elements would take far longer (or
        // abort the process); a rejection from the length check is instant.
        assert!(start.elapsed() < Duration::from_secs(2));
    }
    // Sanity: the forged bytes are what we think they are.
    assert_eq!(open_forged::<[u8; 10]>(&huge64), Ok(huge64));
}

#[test]
fn opening_as_a_wrong_type_is_a_schema_mismatch() {
    // The envelope names the payload's schema: a cookie of one type is
    // never decoded as another, whether or not its bytes would fit.
    let sealer = sealer(Algorithm::default());
    let value = sealer
        .seal_value_at(&Session::new(String::from("hello")), T0)
        .unwrap();
    let mismatch = |expected| Error::SchemaMismatch {
        found: schema_of::<String>(),
        expected,
    };
    assert_eq!(
        sealer.open_at::<bool>(&value, T0).unwrap_err(),
        mismatch(schema_of::<bool>())
    );
    // Same bytes as a `Vec<u8>` ("hello" is a length and five bytes).
    assert_eq!(
        sealer.open_at::<Vec<u8>>(&value, T0).unwrap_err(),
        mismatch(schema_of::<Vec<u8>>())
    );
    assert_eq!(
        sealer.open_at::<(String, u64)>(&value, T0).unwrap_err(),
        mismatch(schema_of::<(String, u64)>())
    );
    // Opening as the sealed type still works.
    assert_eq!(
        sealer
            .open_at::<String>(&value, T0)
            .unwrap()
            .session()
            .data(),
        "hello"
    );
}

#[test]
fn a_payload_that_does_not_fit_its_type_is_deserialize() {
    // postcard of "hello": a length, then the bytes.
    let hello = [5, b'h', b'e', b'l', b'l', b'o'];
    assert_eq!(open_forged::<String>(&hello), Ok("hello".into()));
    assert_eq!(open_forged::<bool>(&hello), Err(Error::Deserialize));
    // A u64 reads the length 5, then leaves "hello" over.
    assert_eq!(open_forged::<u64>(&hello), Err(Error::Deserialize));
    // Not enough bytes for the requested type.
    assert_eq!(
        open_forged::<(String, u64)>(&hello),
        Err(Error::Deserialize)
    );
    // Not UTF-8.
    assert_eq!(
        open_forged::<String>(&[2, 0xff, 0xfe]),
        Err(Error::Deserialize)
    );
    assert_eq!(
        open_forged::<Vec<u8>>(&[2, 0xff, 0xfe]),
        Ok(vec![0xff, 0xfe])
    );
    // The cookie is authentic: the server's data does not fit its type,
    // which is not the client's fault.
    assert!(!Error::Deserialize.is_client_fault());
}

#[test]
fn trailing_bytes_after_the_payload_are_deserialize() {
    // Exact decoding: a payload has one meaning only. postcard of
    // (7u32, 9u32) is two bytes.
    assert_eq!(open_forged::<u32>(&[7, 9]), Err(Error::Deserialize));
    assert_eq!(open_forged::<()>(&[7, 9]), Err(Error::Deserialize));
    assert_eq!(open_forged::<(u32, u32)>(&[7, 9]), Ok((7, 9)));
    assert_eq!(
        open_forged::<(u32, u32)>(&[7, 9, 0]),
        Err(Error::Deserialize)
    );
    // What the sealer writes opens as exactly its own type.
    let sealer = sealer(Algorithm::default());
    let value = sealer
        .seal_value_at(&Session::new((7u32, 9u32)), T0)
        .unwrap();
    assert_eq!(
        *sealer
            .open_at::<(u32, u32)>(&value, T0)
            .unwrap()
            .session()
            .data(),
        (7, 9)
    );
}
