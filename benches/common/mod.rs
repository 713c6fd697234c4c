//! The typical session and payload sizes every bench uses, and the peers'
//! seal/open wrappers, so all benches and the size test measure the same
//! thing.

#![allow(dead_code)] // each bench uses a different part

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// The base64url engine the floor and the text-only peers use: the same
/// one the crate uses (the `base64` crate's SIMD engine on x86_64/aarch64),
/// so that no contender is charged for a slower encoder than ours.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub static BASE64: std::sync::LazyLock<base64::engine::simd::Simd> =
    std::sync::LazyLock::new(|| base64::engine::simd::Simd::url_safe(*URL_SAFE_NO_PAD.config()));
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub static BASE64: base64::engine::GeneralPurpose = URL_SAFE_NO_PAD;

/// Payload sizes: small, medium, and about the largest that still fits a
/// 4096-byte Set-Cookie line after sealing and base64.
pub const SIZES: [usize; 3] = [64, 512, 2900];

/// A typical session: an id, a name, roles, and the rest of the state as
/// text (preferences, flash messages, a cart), the way web apps keep it.
///
/// The rest is a `String`, not a `Vec<u8>`: serde hands a `Vec<u8>` to
/// postcard one element at a time (about 1 ns per byte each way, more than
/// AES-GCM itself), which would measure serde's sequence path rather than
/// sealing; binary fields belong in `serde_bytes` (README, "What you get").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Typical {
    pub user_id: u64,
    pub name: String,
    pub roles: Vec<String>,
    pub data: String,
}

/// A session whose postcard encoding is `payload` bytes long.
pub fn typical(payload: usize) -> Typical {
    let fixed = Typical {
        user_id: 42,
        name: "alice".into(),
        roles: vec!["admin".into(), "editor".into()],
        data: String::new(),
    };
    let used = postcard::to_allocvec(&fixed).unwrap().len();
    // The data's varint length takes 1 byte below 128 and 2 up to 16383.
    let len = payload.saturating_sub(used + if payload - used > 128 { 1 } else { 0 });
    let data = "theme=dark;lang=en;cart="
        .chars()
        .cycle()
        .take(len)
        .collect();
    let session = Typical { data, ..fixed };
    debug_assert_eq!(postcard::to_allocvec(&session).unwrap().len(), payload);
    session
}

/// The floor's seal: one AEAD call over `plain` with a fresh random nonce
/// (the same thread generator the crate uses), then base64url with the
/// crate's engine; nothing else.
pub fn floor_seal<A: aead::AeadInOut>(cipher: &A, nonce_len: usize, plain: &[u8]) -> String {
    use rand::Rng as _;
    let mut buf = Vec::with_capacity(nonce_len + plain.len() + 16);
    buf.resize(nonce_len, 0);
    rand::rng().fill_bytes(&mut buf);
    buf.extend_from_slice(plain);
    let (nonce, msg) = buf.split_at_mut(nonce_len);
    let tag = cipher
        .encrypt_inout_detached((&*nonce).try_into().unwrap(), b"sid", msg.into())
        .unwrap();
    buf.extend_from_slice(&tag);
    BASE64.encode(&buf)
}

/// The floor's open: base64url, then one AEAD call.
pub fn floor_open<A: aead::AeadInOut>(cipher: &A, nonce_len: usize, value: &str) -> Vec<u8> {
    let mut buf = BASE64.decode(value).unwrap();
    let tag_at = buf.len() - 16;
    let (head, tag) = buf.split_at_mut(tag_at);
    let (nonce, msg) = head.split_at_mut(nonce_len);
    cipher
        .decrypt_inout_detached(
            (&*nonce).try_into().unwrap(),
            b"sid",
            msg.into(),
            (&*tag).try_into().unwrap(),
        )
        .unwrap();
    buf
}

/// The floor's three ciphers behind one type, so one function serves every
/// algorithm; the match costs a few instructions against thousands.
pub enum Floor {
    Xaes256Gcm(xaes_256_gcm::Xaes256Gcm),
    XChaCha20Poly1305(chacha20poly1305::XChaCha20Poly1305),
    Aes256Gcm(aes_gcm::Aes256Gcm),
}

impl Floor {
    pub fn new(algorithm: sealed_session::Algorithm) -> Self {
        use aead::KeyInit as _;
        use sealed_session::Algorithm;
        let key = [7u8; 32];
        match algorithm {
            Algorithm::Xaes256Gcm => Floor::Xaes256Gcm(xaes_256_gcm::Xaes256Gcm::new(&key.into())),
            Algorithm::XChaCha20Poly1305 => {
                Floor::XChaCha20Poly1305(chacha20poly1305::XChaCha20Poly1305::new(&key.into()))
            }
            Algorithm::Aes256Gcm => Floor::Aes256Gcm(aes_gcm::Aes256Gcm::new(&key.into())),
            other => unreachable!("no floor for {other}"),
        }
    }

    /// [`floor_seal`] then [`floor_open`] of `plain`.
    pub fn round_trip(&self, plain: &[u8]) -> Vec<u8> {
        match self {
            Floor::Xaes256Gcm(c) => floor_open(c, 24, &floor_seal(c, 24, plain)),
            Floor::XChaCha20Poly1305(c) => floor_open(c, 24, &floor_seal(c, 24, plain)),
            Floor::Aes256Gcm(c) => floor_open(c, 12, &floor_seal(c, 12, plain)),
        }
    }
}

/// What the floor leaves out and every session layer must do: postcard
/// serialization and deserialization of the session type, with its own
/// allocations.
pub fn postcard_ser_de(data: &Typical) -> Typical {
    let bytes = postcard::to_allocvec(data).unwrap();
    postcard::from_bytes::<Typical>(&bytes).unwrap()
}

/// Our sealer as every timing bench builds it: one key, cookie name `sid`.
pub fn sealer(algorithm: sealed_session::Algorithm) -> sealed_session::Sealer {
    use sealed_session::{Key, KeyRing, Sealer};
    Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
        .with_cookie_name("sid")
        .build()
        .unwrap()
}

/// A peer's seal+open of `data`, paying for postcard both ways as we do.
pub fn peer_round_trip(
    data: &Typical,
    seal: impl Fn(&[u8]) -> String,
    open: impl Fn(&str) -> Vec<u8>,
) -> Typical {
    let value = seal(&peer_plaintext(data));
    let plain = open(&value);
    postcard::take_from_bytes::<Typical>(&plain).unwrap().0
}

/// What a peer must carry to hold the same session we do: the postcard
/// payload plus the metadata our envelope holds (16-byte session id,
/// issued-at and expiry as u64), since peers have no envelope.
pub fn peer_plaintext(session: &Typical) -> Vec<u8> {
    let mut out = postcard::to_allocvec(session).unwrap();
    out.extend_from_slice(&[0x11; 16]);
    out.extend_from_slice(&1_893_456_000u64.to_be_bytes());
    out.extend_from_slice(&1_893_542_400u64.to_be_bytes());
    out
}

/// The `cookie` crate's private jar (AES-256-GCM), as axum-extra and
/// actix-session use it: the value must be a string, so binary sessions go
/// in as base64url.
pub struct CookieJarPeer {
    key: cookie::Key,
}

impl CookieJarPeer {
    pub fn new() -> Self {
        CookieJarPeer {
            key: cookie::Key::from(&[7u8; 64]),
        }
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        let mut jar = cookie::CookieJar::new();
        jar.private_mut(&self.key)
            .add(cookie::Cookie::new("sid", BASE64.encode(plain)));
        jar.get("sid").unwrap().value().to_owned()
    }

    pub fn open(&self, value: &str) -> Vec<u8> {
        let mut jar = cookie::CookieJar::new();
        jar.add_original(cookie::Cookie::new("sid", value.to_owned()));
        let cookie = jar.private(&self.key).get("sid").unwrap();
        BASE64.decode(cookie.value()).unwrap()
    }
}

/// Fernet (AES-128-CBC + HMAC-SHA256), the RustCrypto backend.
pub struct FernetPeer(fernet::Fernet);

impl FernetPeer {
    pub fn new() -> Self {
        // Fernet keys are 32 bytes in padded base64url.
        let key = base64::engine::general_purpose::URL_SAFE.encode([7u8; 32]);
        FernetPeer(fernet::Fernet::new(&key).unwrap())
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        self.0.encrypt(plain)
    }

    pub fn open(&self, value: &str) -> Vec<u8> {
        self.0.decrypt(value).unwrap()
    }
}

/// PASETO v4.local (XChaCha20 + keyed BLAKE2b). Its payload must be UTF-8,
/// so binary sessions go in as base64url.
pub struct PasetoPeer(pasetors::keys::SymmetricKey<pasetors::version4::V4>);

impl PasetoPeer {
    pub fn new() -> Self {
        PasetoPeer(pasetors::keys::SymmetricKey::from(&[7u8; 32]).unwrap())
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        let text = BASE64.encode(plain);
        pasetors::version4::LocalToken::encrypt(&self.0, text.as_bytes(), None, None).unwrap()
    }

    pub fn open(&self, value: &str) -> Vec<u8> {
        let token =
            pasetors::token::UntrustedToken::<pasetors::Local, pasetors::version4::V4>::try_from(
                value,
            )
            .unwrap();
        let trusted = pasetors::version4::LocalToken::decrypt(&self.0, &token, None, None).unwrap();
        BASE64.decode(trusted.payload()).unwrap()
    }
}

/// Branca (XChaCha20-Poly1305, base62).
pub struct BrancaPeer(std::cell::RefCell<branca::Branca>);

impl BrancaPeer {
    pub fn new() -> Self {
        BrancaPeer(std::cell::RefCell::new(
            branca::Branca::new(&[7u8; 32]).unwrap(),
        ))
    }

    pub fn seal(&self, plain: &[u8]) -> String {
        self.0.borrow_mut().encode(plain).unwrap()
    }

    pub fn open(&self, value: &str) -> Vec<u8> {
        self.0.borrow().decode(value, 0).unwrap()
    }
}
