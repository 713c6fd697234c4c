//! The key text form, `ss1:<algorithm>:<id>:<base64url key>`.
//!
//! `Key::from_text` is what a ring is parsed from today (the crate has no
//! ring text form yet; when `KeyRing::from_text` lands, fuzz it here too).
//! Every text either parses or is refused as `ConfigError::KeyText`, and a
//! key has one spelling: whatever parses prints back as the trimmed input.
#![no_main]

use arbitrary::Arbitrary;
use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{MAX_PEAK, MAX_SINGLE_ALLOC};
use libfuzzer_sys::fuzz_target;
use sealed_session::{Algorithm, ConfigError, Error, Key};

#[derive(Debug, Arbitrary)]
enum Input<'a> {
    Text(&'a str),
    Parts {
        algorithm: u8,
        id: u32,
        secret: [u8; 32],
    },
}

fuzz_target!(|input: Input| match input {
    Input::Text(text) => {
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
    Input::Parts {
        algorithm,
        id,
        secret,
    } => {
        let algorithm = Algorithm::ALL[usize::from(algorithm) % Algorithm::ALL.len()];
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
    }
});
