//! Fixed keys, clock, sealers and session type shared by the targets, and
//! a forger that encrypts hand-built envelopes under a known key (the same
//! construction as tests/envelope.rs, from FORMAT.md, not from the crate).

use arbitrary::Arbitrary;
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use sealed_session::{Algorithm, Key, KeyRing, Sealer, SealerBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;
use time::{Duration, OffsetDateTime};

/// The clock every target seals and opens at: 2030-01-01T00:00:00Z.
pub const T0_UNIX: i64 = 1_893_456_000;

/// [`T0_UNIX`] as a date-time.
pub fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(T0_UNIX).expect("in range")
}

/// The cookie name of every sealer here (the crate's default).
pub const NAME: &str = sealed_session::DEFAULT_COOKIE_NAME;

/// The longest cookie value the sealers accept: the default cookie size
/// less `name=`.
pub const VALUE_LIMIT: usize = sealed_session::DEFAULT_MAX_COOKIE_SIZE - NAME.len() - 1;

/// Largest single allocation any target may make: serde's cautious
/// preallocation of a claimed sequence length stops at 1 MiB, and every
/// other buffer of the crate is capped lower (cookie 4 KiB, inflated
/// payload 64 KiB by default).
pub const MAX_SINGLE_ALLOC: usize = 1 << 20;

/// Largest growth of the live heap during one call. A payload of at most
/// 64 KiB can still decode into more memory than it occupies (an empty
/// string is one byte on the wire and 24 bytes in a `Vec<String>`), so
/// this bound is looser; it still catches any allocation driven by a
/// claimed length instead of by bytes actually present.
pub const MAX_PEAK: usize = 8 << 20;

/// The key ids of the fixed ring and their algorithms. Key 4 retired a
/// day before [`T0_UNIX`], so relabelled headers can reach that check.
pub const KEYS: [(u32, Algorithm); 4] = [
    (1, Algorithm::Xaes256Gcm),
    (2, Algorithm::XChaCha20Poly1305),
    (3, Algorithm::Aes256Gcm),
    (4, Algorithm::Xaes256Gcm),
];

/// The retired key's id.
pub const RETIRED_KEY: u32 = 4;

/// The key the forger encrypts under: the XChaCha20-Poly1305 key.
pub const FORGE_KEY: u32 = 2;

/// Deterministic, distinct key bytes per id.
pub fn key_bytes(id: u32) -> [u8; 32] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ (id as u8).wrapping_mul(0x3b) ^ 0xa7)
}

/// The fixed key with `id` (one of [`KEYS`]).
pub fn key(id: u32) -> Key {
    let (_, algorithm) = KEYS.iter().find(|(k, _)| *k == id).expect("fixed key id");
    Key::from_bytes(*algorithm, id, &key_bytes(id))
}

/// A ring holding every fixed key, with `primary` sealing.
pub fn ring(primary: u32) -> KeyRing {
    let mut ring = KeyRing::new(key(primary));
    for (id, _) in KEYS {
        if id == primary {
            continue;
        }
        ring = if id == RETIRED_KEY {
            ring.with_retiring_key(key(id), t0() - Duration::days(1))
        } else {
            ring.with_key(key(id))
        };
    }
    ring
}

/// The key id whose algorithm is `algorithm` (never the retired one).
pub fn key_id_of(algorithm: Algorithm) -> u32 {
    KEYS.iter()
        .find(|(id, a)| *a == algorithm && *id != RETIRED_KEY)
        .map(|(id, _)| *id)
        .expect("one live key per algorithm")
}

/// A builder over [`ring`] with an idle timeout, so every envelope field
/// can be present.
pub fn builder(primary: u32) -> SealerBuilder {
    Sealer::builder(ring(primary)).with_idle_timeout(Duration::minutes(30))
}

/// The sealer the `open` and `mutate` targets use: compression on, idle
/// timeout, primary key `primary`; every such sealer opens the others'
/// cookies.
pub fn sealer(primary: u32) -> &'static Sealer {
    static SEALERS: OnceLock<Vec<Sealer>> = OnceLock::new();
    let all = SEALERS.get_or_init(|| {
        [1, 2, 3]
            .map(|id| builder(id).with_compression(true).build_at(t0()).unwrap())
            .into()
    });
    &all[primary as usize - 1]
}

/// A session type with the shapes real applications store: strings,
/// sequences, options, a map, an enum, wide integers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Arbitrary, Serialize, Deserialize)]
pub struct FuzzSession {
    /// A user name.
    pub user: String,
    /// Role names.
    pub roles: Vec<String>,
    /// A counter.
    pub visits: u32,
    /// A signed value.
    pub balance: i64,
    /// A flag.
    pub admin: bool,
    /// An optional binary token.
    pub token: Option<Vec<u8>>,
    /// Preferences by name.
    pub prefs: BTreeMap<String, Pref>,
    /// Cart lines.
    pub cart: Vec<(u16, Option<String>)>,
    /// A wide integer (postcard varint of up to 19 bytes).
    pub nonce: u128,
    /// A character.
    pub initial: char,
}

/// One preference value.
#[derive(Debug, Clone, PartialEq, Eq, Arbitrary, Serialize, Deserialize)]
pub enum Pref {
    /// Unset.
    Off,
    /// A switch.
    On(bool),
    /// A level.
    Level(u8),
    /// A name.
    Name(String),
    /// A list.
    List(Vec<i32>),
    /// A record.
    Window {
        /// Width.
        w: u16,
        /// Height.
        h: u16,
    },
}

/// Envelope flag bits (FORMAT.md section 5).
pub const FLAG_IDLE: u8 = 0b0001;
/// Subject present.
pub const FLAG_SUBJECT: u8 = 0b0010;
/// Payload deflated.
pub const FLAG_COMPRESSED: u8 = 0b0100;
/// Payload is MessagePack with field names, not postcard.
pub const FLAG_MESSAGEPACK: u8 = 0b1000;

/// The session id every forged envelope carries.
pub const FORGED_ID: [u8; 16] = [0x11; 16];

/// The envelope's fixed fields (FORMAT.md section 5): flags, session id,
/// issued-at (5 bytes, big-endian), lifetime, schema id.
pub fn fixed_fields(flags: u8, issued_at: u64, lifetime: u32, schema: u32) -> Vec<u8> {
    assert!(issued_at < 1 << 40, "issued_at fits 40 bits");
    let mut out = vec![flags];
    out.extend_from_slice(&FORGED_ID);
    out.extend_from_slice(&issued_at.to_be_bytes()[3..]);
    out.extend_from_slice(&lifetime.to_be_bytes());
    out.extend_from_slice(&schema.to_be_bytes());
    out
}

/// The schema id the fixed sealers seal and open `T` with: its traced
/// fingerprint (FORMAT.md section 13; no sealer here pins a version).
pub fn schema_of<T: sealed_session::SessionData>() -> u32 {
    sealed_session::schema::fingerprint::<T>().expect("traceable fuzz type")
}

/// Encrypts `envelope` under key [`FORGE_KEY`] for cookie [`NAME`] with no
/// purpose, and returns the cookie value: an authentic cookie whose
/// plaintext the caller chose.
pub fn forge(envelope: &[u8]) -> String {
    let header = [
        1,
        Algorithm::XChaCha20Poly1305.code(),
        0,
        0,
        0,
        FORGE_KEY as u8,
    ];
    let mut aad = header.to_vec();
    aad.push(NAME.len() as u8);
    aad.extend_from_slice(NAME.as_bytes());
    aad.push(0);
    let nonce = [0x24u8; 24];
    let cipher = XChaCha20Poly1305::new_from_slice(&key_bytes(FORGE_KEY)).expect("32 bytes");
    let sealed = cipher
        .encrypt(
            (&nonce[..]).try_into().expect("24 bytes"),
            Payload {
                msg: envelope,
                aad: &aad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any length used here");
    let mut bytes = header.to_vec();
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&sealed);
    encode(&bytes)
}

/// Unpadded base64url.
pub fn encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict unpadded base64url, `None` for anything else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
}

/// The input of the `keyring` target (here so the seed corpus can be
/// checked to decode to the intended variant).
#[derive(Debug, Arbitrary)]
pub enum KeyringInput<'a> {
    /// Text for `Key::from_text`.
    KeyText(&'a str),
    /// Text for `KeyRing::from_text`.
    RingText(&'a str),
    /// A ring text assembled from valid keys (algorithm and secret byte,
    /// id) and arbitrary attribute text after each, so the attribute
    /// grammar is reached without guessing 43 base64 characters.
    Ring(Vec<(u8, u32, &'a str)>),
    /// A key built from parts, printed and parsed back.
    Parts {
        /// Algorithm selector.
        algorithm: u8,
        /// Key id.
        id: u32,
        /// Key bytes.
        secret: [u8; 32],
    },
}
