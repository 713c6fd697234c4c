//! The key ring text form (`KeyRing::from_text`: comma-separated key texts
//! with `;since=` and `;retire=` times) and the key text form inside it
//! (`Key::from_text`: `ss1:<algorithm>:<id>:<base64url key>`).
//!
//! Every text parses or is refused with its documented configuration
//! error. A key has one spelling: whatever parses prints back as the
//! trimmed input. A ring prints to a text that parses back to the same
//! keys, order and (whole-second) times, and printing that again gives the
//! same text.
#![no_main]

use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{KeyringInput as Input, MAX_PEAK, MAX_SINGLE_ALLOC};
use libfuzzer_sys::fuzz_target;
use sealed_session::{Algorithm, ConfigError, Error, Key, KeyRing};
use time::OffsetDateTime;

fn algorithm(code: u8) -> Algorithm {
    Algorithm::ALL[usize::from(code) % Algorithm::ALL.len()]
}

fn check_key_text(text: &str) {
    let parsed = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || Key::from_text(text));
    match parsed {
        Ok(key) => assert_eq!(
            key.to_text().as_str(),
            text.trim(),
            "a second spelling parsed"
        ),
        Err(err) => assert_eq!(err, Error::InvalidConfig(ConfigError::KeyText)),
    }
}

/// Whole unix seconds within 1970..=9999: what the text form keeps of a
/// time.
fn kept(time: Option<OffsetDateTime>) -> Option<i64> {
    time.map(|t| t.unix_timestamp().clamp(0, 253_402_300_799))
}

fn check_ring_text(text: &str) {
    let parsed = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || KeyRing::from_text(text));
    let ring = match parsed {
        Ok(ring) => ring,
        Err(Error::InvalidConfig(ConfigError::RingEntry { position, .. })) => {
            assert!(
                position >= 1 && position <= text.split(',').count(),
                "position {position}"
            );
            return;
        }
        Err(Error::InvalidConfig(
            ConfigError::DuplicateKeyId { .. } | ConfigError::DuplicateKeySecret { .. },
        )) => return,
        Err(other) => panic!("ring text refused with {other:?}"),
    };
    assert!(!ring.is_empty());
    let printed = ring.to_text();
    let back = KeyRing::from_text(&printed).expect("a printed ring parses");
    assert_eq!(
        back.to_text().as_str(),
        printed.as_str(),
        "printing is not a fixpoint"
    );
    let ids: Vec<(u32, Algorithm)> = ring.keys().map(|k| (k.id(), k.algorithm())).collect();
    let back_ids: Vec<(u32, Algorithm)> = back.keys().map(|k| (k.id(), k.algorithm())).collect();
    assert_eq!(ids, back_ids);
    for (id, _) in ids {
        assert_eq!(
            kept(back.retire_at(id)),
            kept(ring.retire_at(id)),
            "retire of {id}"
        );
        assert_eq!(kept(back.since(id)), kept(ring.since(id)), "since of {id}");
        let (a, b) = (
            ring.get(id).unwrap().to_text(),
            back.get(id).unwrap().to_text(),
        );
        assert_eq!(a.as_str(), b.as_str());
    }
}

fuzz_target!(|input: Input| match input {
    Input::KeyText(text) => check_key_text(text),
    Input::RingText(text) => check_ring_text(text),
    Input::Ring(entries) => {
        let mut text = String::new();
        for (i, (code, id, attributes)) in entries.iter().take(8).enumerate() {
            if i > 0 {
                text.push(',');
            }
            let secret = [*code; 32];
            text.push_str(&Key::from_bytes(algorithm(*code), *id, &secret).to_text());
            text.push_str(attributes);
        }
        check_ring_text(&text);
    }
    Input::Parts {
        algorithm: code,
        id,
        secret,
    } => {
        let algorithm = algorithm(code);
        let key = Key::from_bytes(algorithm, id, &secret);
        let text = key.to_text();
        let back = Key::from_text(&text).expect("printed key parses");
        assert_eq!((back.id(), back.algorithm()), (id, algorithm));
        assert_eq!(back.to_text().as_str(), text.as_str());
        // Surrounding whitespace is ignored, inner whitespace is not.
        let padded = format!(" \t{}\n", text.as_str());
        assert_eq!(
            Key::from_text(&padded).expect("trimmed").to_text().as_str(),
            text.as_str()
        );
        let mut broken = text.as_str().to_owned();
        broken.insert(broken.len() / 2, ' ');
        assert!(Key::from_text(&broken).is_err());
        // A one-key ring prints as the key text.
        assert_eq!(KeyRing::new(key).to_text().as_str(), text.as_str());
    }
});
