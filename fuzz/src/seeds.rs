//! Valid cookies of every algorithm, with and without compression, built
//! deterministically (fixed nonce and session id through the crate's
//! `vectors` feature), and the seed corpus of each target made from them.
//!
//! `scripts/fuzz.sh seeds` rewrites `fuzz/corpus/<target>/seed-*`; the test
//! below fails when the committed files and this code disagree.

use crate::fixtures::{
    self, FLAG_COMPRESSED, FLAG_IDLE, FLAG_MESSAGEPACK, FLAG_SUBJECT, FuzzSession, Pref, T0_UNIX,
    fixed_fields, schema_of,
};
use sealed_session::{Session, SessionId};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A cookie value the fixed sealers issued, and what it holds.
#[derive(Debug)]
pub struct ValidCookie {
    /// A short description, used in seed file names.
    pub name: String,
    /// The cookie value.
    pub value: String,
    /// The sealed data.
    pub data: FuzzSession,
    /// The sealed subject.
    pub subject: Option<String>,
}

/// A small session: its payload stays below the compression threshold.
pub fn small_session() -> FuzzSession {
    FuzzSession {
        user: "alice".into(),
        roles: vec!["reader".into()],
        visits: 3,
        balance: -42,
        admin: false,
        token: Some(vec![1, 2, 3]),
        prefs: BTreeMap::from([("theme".into(), Pref::Name("dark".into()))]),
        cart: vec![(7, None), (300, Some("gift".into()))],
        nonce: u128::MAX,
        initial: 'é',
    }
}

/// A repetitive session well above the threshold: it is sealed deflated.
pub fn large_session() -> FuzzSession {
    let mut s = small_session();
    s.roles = (0..40).map(|i| format!("role-{}", i % 4)).collect();
    s.prefs = (0..20)
        .map(|i| (format!("pref-{i:02}"), Pref::List(vec![i, i, i])))
        .collect();
    s.prefs
        .insert("window".into(), Pref::Window { w: 1280, h: 720 });
    s.prefs.insert("beta".into(), Pref::On(true));
    s.prefs.insert("zoom".into(), Pref::Level(3));
    s.prefs.insert("none".into(), Pref::Off);
    s
}

/// Every valid cookie: for each algorithm, small and large (deflated)
/// data, without and with a subject.
pub fn valid_cookies() -> &'static [ValidCookie] {
    static COOKIES: OnceLock<Vec<ValidCookie>> = OnceLock::new();
    COOKIES.get_or_init(|| {
        let mut out = Vec::new();
        for algorithm in sealed_session::Algorithm::ALL {
            let primary = fixtures::key_id_of(algorithm);
            let sealer = fixtures::sealer(primary);
            let nonce = vec![0x5a; algorithm.nonce_len()];
            for (size, data) in [("small", small_session()), ("large", large_session())] {
                for subject in [None, Some("user-42".to_owned())] {
                    let mut session =
                        Session::with_id(data.clone(), SessionId::from_bytes([7; 16]));
                    if let Some(s) = &subject {
                        session.set_subject(s.clone()).expect("short subject");
                    }
                    let value = sealer
                        .seal_value_with_nonce_at(&session, fixtures::t0(), &nonce)
                        .expect("seal");
                    let with = if subject.is_some() { "-subject" } else { "" };
                    out.push(ValidCookie {
                        name: format!("{}-{size}{with}", algorithm.name()),
                        value,
                        data: data.clone(),
                        subject,
                    });
                }
            }
        }
        out
    })
}

/// The plaintext of a valid envelope at [`T0_UNIX`] with every optional
/// field, carrying `payload` (deflated if `compressed`, MessagePack if
/// `messagepack`) under the schema id `schema`.
pub fn envelope(payload: &[u8], compressed: bool, messagepack: bool, schema: u32) -> Vec<u8> {
    let flags = FLAG_IDLE
        | FLAG_SUBJECT
        | if compressed { FLAG_COMPRESSED } else { 0 }
        | if messagepack { FLAG_MESSAGEPACK } else { 0 };
    let mut plain = fixed_fields(flags, T0_UNIX as u64, 3600, schema);
    plain.extend_from_slice(&600u32.to_be_bytes());
    plain.push(7);
    plain.extend_from_slice(b"user-42");
    plain.extend_from_slice(payload);
    plain
}

/// A raw DEFLATE stream of one final stored block.
pub fn stored_block(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("short block");
    let mut out = vec![0b001];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Leading bytes that make the `keyring` target read a key text.
pub const KEY_TEXT: [u8; 4] = [0, 0, 0, 0];
/// Leading bytes that make the `keyring` target read a ring text.
pub const RING_TEXT: [u8; 4] = [0, 0, 0, 0x40];

/// The seed corpus: `(target, file name, bytes)`.
pub fn corpus() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut add = |target: &'static str, name: String, bytes: Vec<u8>| {
        out.push((target, format!("seed-{name}"), bytes));
    };
    for (index, cookie) in valid_cookies().iter().enumerate() {
        // open: mode byte 0 = the text as is, 1 = bytes to base64-encode.
        let mut text = vec![0];
        text.extend_from_slice(cookie.value.as_bytes());
        add("open", format!("{}-text", cookie.name), text);
        let mut raw = vec![1];
        raw.extend(fixtures::decode(&cookie.value).expect("own cookie decodes"));
        add("open", format!("{}-bytes", cookie.name), raw);
        // mutate: the first byte picks the cookie, no edits follow.
        add("mutate", cookie.name.clone(), vec![index as u8]);
    }
    let small = postcard::to_allocvec(&small_session()).expect("serialize");
    let large = postcard::to_allocvec(&large_session()).expect("serialize");
    for (name, payload) in [("small", &small), ("large", &large)] {
        let deflated = miniz_oxide::deflate::compress_to_vec(payload, 6);
        // decompress: cap selector, type selector (0 = FuzzSession), stream.
        for (kind, stream) in [
            ("deflate", deflated.clone()),
            ("stored", stored_block(payload)),
        ] {
            let mut input = vec![3, 0];
            input.extend_from_slice(&stream);
            add("decompress", format!("{name}-{kind}"), input);
        }
        let schema = schema_of::<FuzzSession>();
        add(
            "envelope",
            format!("{name}-plain"),
            envelope(payload, false, false, schema),
        );
        add(
            "envelope",
            format!("{name}-deflate"),
            envelope(&deflated, true, false, schema),
        );
    }
    // envelope: MessagePack payloads, under the type's schema and under
    // another one (read by field names), and postcard under another
    // schema (a mismatch).
    for (name, data) in [("small", small_session()), ("large", large_session())] {
        let named = rmp_serde::to_vec_named(&data).expect("serialize");
        let schema = schema_of::<FuzzSession>();
        add(
            "envelope",
            format!("{name}-msgpack"),
            envelope(&named, false, true, schema),
        );
        add(
            "envelope",
            format!("{name}-msgpack-other-schema"),
            envelope(&named, false, true, schema ^ 1),
        );
    }
    add(
        "envelope",
        "small-other-schema".into(),
        envelope(&small, false, false, schema_of::<String>()),
    );
    add("decompress", "empty-stored".into(), {
        let mut input = vec![0, 1];
        input.extend(stored_block(&[]));
        input
    });
    // keyring: the enum variant (a little-endian u32 scaled to the four
    // variants: 0 = key text, 0x4000_0000 = ring text), then the text.
    let key_texts: Vec<String> = fixtures::KEYS
        .iter()
        .map(|(id, _)| fixtures::key(*id).to_text().as_str().to_owned())
        .collect();
    for ((id, algorithm), text) in fixtures::KEYS.iter().zip(&key_texts) {
        let mut input = KEY_TEXT.to_vec();
        input.extend_from_slice(text.as_bytes());
        add("keyring", format!("key-{}-{id}", algorithm.name()), input);
    }
    let rings = [
        ("ring-one", key_texts[0].clone()),
        (
            "ring-times",
            format!(
                "{};since=2029-12-01T00:00:00Z,\n {}, {};retire=2030-01-08T12:30:00+01:00;since=2029-01-01T00:00:00.5Z",
                key_texts[0], key_texts[1], key_texts[3]
            ),
        ),
        (
            "ring-bounds",
            format!(
                "{};retire=9999-12-31T23:59:59Z,{};since=1970-01-01T00:00:00Z",
                key_texts[2], key_texts[1]
            ),
        ),
        // Finding 2 of FUZZING.md: past year 9999 once in UTC; refused.
        (
            "ring-past-9999",
            format!("{};retire=9999-12-31T23:59:59-01:00", key_texts[0]),
        ),
    ];
    for (name, text) in rings {
        let mut input = RING_TEXT.to_vec();
        input.extend_from_slice(text.as_bytes());
        add("keyring", name.into(), input);
    }
    // chunks: variant 1 (a little-endian u32 of at least 2^31 picks the
    // second of two variants), then the jar index, no edits.
    for jar in 0..3u8 {
        add("chunks", format!("jar-{jar}"), vec![0, 0, 0, 0x80, jar]);
    }
    // cookie_header: header values separated by newlines. A valid cookie
    // among others, and chunk-looking pairs spread over two headers.
    let cookie = &valid_cookies()[0].value;
    add(
        "cookie_header",
        "one-header".into(),
        format!("theme=dark; {}={cookie}; lang=en", fixtures::NAME).into_bytes(),
    );
    add(
        "cookie_header",
        "chunks".into(),
        format!(
            "{n}.0=2.{a}; {n}.01=x\n{n}.1={b}; {n}=",
            n = fixtures::NAME,
            a = &cookie[..40],
            b = &cookie[40..]
        )
        .into_bytes(),
    );
    // roundtrip: no valid cookies to start from, only arbitrary bytes.
    add("roundtrip", "zeros".into(), vec![0; 64]);
    add("roundtrip", "ramp".into(), (0..=255).collect());
    add(
        "roundtrip",
        "text".into(),
        b"alice reader 3 dark gift".repeat(4),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn corpus_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
    }

    #[test]
    fn every_valid_cookie_opens_to_its_data() {
        for cookie in valid_cookies() {
            for primary in [1, 2, 3] {
                let opened = fixtures::sealer(primary)
                    .open_at::<FuzzSession>(&cookie.value, fixtures::t0())
                    .expect(&cookie.name);
                assert_eq!(opened.session().data(), &cookie.data);
                assert_eq!(opened.session().subject(), cookie.subject.as_deref());
            }
        }
    }

    #[test]
    fn large_cookies_are_deflated_and_small_ones_are_not() {
        // Compression is invisible from outside except through the length.
        let plain = postcard::to_allocvec(&large_session()).unwrap().len();
        for cookie in valid_cookies() {
            let sealed = fixtures::decode(&cookie.value).unwrap().len();
            if cookie.name.contains("large") {
                assert!(sealed < plain, "{}", cookie.name);
            }
        }
    }

    #[test]
    fn keyring_seeds_decode_to_the_intended_variant() {
        use crate::fixtures::KeyringInput;
        use arbitrary::{Arbitrary, Unstructured};
        for (target, name, bytes) in corpus() {
            if target != "keyring" {
                continue;
            }
            let input = KeyringInput::arbitrary_take_rest(Unstructured::new(&bytes)).unwrap();
            match input {
                KeyringInput::KeyText(text) => {
                    assert!(name.starts_with("seed-key-"), "{name}");
                    sealed_session::Key::from_text(text).expect(&name);
                }
                KeyringInput::RingText(text) => {
                    assert!(name.starts_with("seed-ring-"), "{name}");
                    let parsed = sealed_session::KeyRing::from_text(text);
                    assert_eq!(parsed.is_ok(), !name.contains("past-9999"), "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    /// With `SEED_CORPUS_WRITE=1` this writes the seed files; otherwise it
    /// checks that the committed ones are exactly what the code makes.
    #[test]
    fn seed_corpus_matches_the_committed_files() {
        let write = std::env::var_os("SEED_CORPUS_WRITE").is_some();
        for (target, name, bytes) in corpus() {
            let dir = corpus_dir().join(target);
            let path = dir.join(&name);
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &bytes).unwrap();
            } else {
                let committed = std::fs::read(&path).unwrap_or_else(|e| {
                    panic!("{}: {e}; run scripts/fuzz.sh seeds", path.display())
                });
                assert_eq!(
                    committed,
                    bytes,
                    "{}: run scripts/fuzz.sh seeds",
                    path.display()
                );
            }
        }
    }
}
