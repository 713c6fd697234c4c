//! The three AEAD algorithms, their byte codes, and the cipher state a key
//! keeps so that no key schedule runs per request.

use aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use chacha20poly1305::XChaCha20Poly1305;
use core::fmt;
use xaes_256_gcm::Xaes256Gcm;
use zeroize::Zeroizing;

/// Length of every authentication tag in the v1 format.
pub(crate) const TAG_LEN: usize = 16;
/// Length of every key.
pub(crate) const KEY_LEN: usize = 32;
/// The longest nonce of all algorithms, for stack buffers.
pub(crate) const MAX_NONCE_LEN: usize = 24;

/// An AEAD algorithm a [`Key`](crate::Key) is bound to.
///
/// ```
/// use sealed_session::Algorithm;
/// assert_eq!(Algorithm::default(), Algorithm::Xaes256Gcm);
/// assert_eq!(Algorithm::Aes256Gcm.nonce_len(), 12);
/// assert_eq!("xchacha20poly1305".parse(), Ok(Algorithm::XChaCha20Poly1305));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// XAES-256-GCM: AES-GCM speed with 192-bit random nonces, so there is
    /// no practical limit on the number of seals per key. The default.
    #[default]
    Xaes256Gcm,
    /// XChaCha20-Poly1305: 192-bit random nonces; fastest on CPUs without
    /// AES instructions (many ARM edge nodes, wasm).
    XChaCha20Poly1305,
    /// AES-256-GCM with 96-bit random nonces: at most 2^32 seals per key,
    /// after which nonce collisions become likely enough to matter. Rotate
    /// such keys well before that (at 10k seals/s: after about 5 days).
    Aes256Gcm,
}

impl Algorithm {
    /// All algorithms, in byte-code order.
    ///
    /// ```
    /// use sealed_session::Algorithm;
    /// assert_eq!(Algorithm::ALL.map(Algorithm::code), [1, 2, 3]);
    /// ```
    pub const ALL: [Algorithm; 3] = [
        Algorithm::Xaes256Gcm,
        Algorithm::XChaCha20Poly1305,
        Algorithm::Aes256Gcm,
    ];

    /// The byte that names this algorithm in the cookie header.
    ///
    /// ```
    /// assert_eq!(sealed_session::Algorithm::Xaes256Gcm.code(), 1);
    /// ```
    pub const fn code(self) -> u8 {
        match self {
            Algorithm::Xaes256Gcm => 1,
            Algorithm::XChaCha20Poly1305 => 2,
            Algorithm::Aes256Gcm => 3,
        }
    }

    /// The algorithm a header byte names, if any.
    ///
    /// ```
    /// use sealed_session::Algorithm;
    /// assert_eq!(Algorithm::from_code(3), Some(Algorithm::Aes256Gcm));
    /// assert_eq!(Algorithm::from_code(0), None);
    /// ```
    pub const fn from_code(code: u8) -> Option<Algorithm> {
        match code {
            1 => Some(Algorithm::Xaes256Gcm),
            2 => Some(Algorithm::XChaCha20Poly1305),
            3 => Some(Algorithm::Aes256Gcm),
            _ => None,
        }
    }

    /// Nonce length in bytes.
    ///
    /// ```
    /// assert_eq!(sealed_session::Algorithm::Xaes256Gcm.nonce_len(), 24);
    /// ```
    pub const fn nonce_len(self) -> usize {
        match self {
            Algorithm::Xaes256Gcm | Algorithm::XChaCha20Poly1305 => 24,
            Algorithm::Aes256Gcm => 12,
        }
    }

    /// The name used in the key text form.
    ///
    /// ```
    /// assert_eq!(sealed_session::Algorithm::Aes256Gcm.name(), "aes256gcm");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Algorithm::Xaes256Gcm => "xaes256gcm",
            Algorithm::XChaCha20Poly1305 => "xchacha20poly1305",
            Algorithm::Aes256Gcm => "aes256gcm",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Algorithm {
    type Err = crate::ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or(crate::ConfigError::KeyText)
    }
}

/// The secret of one key: its 32 bytes and the cipher state built from them
/// once, so that no key schedule runs per request.
///
/// Both live in one heap allocation that is wiped when dropped (the bytes
/// by `Zeroizing`, the schedules by the cipher crates' `zeroize` features),
/// so moving a key, or a ring's `Vec` growing, copies only the pointer and
/// leaves no key bytes behind in freed memory.
pub(crate) struct Cipher(Box<Material>);

struct Material {
    key: Zeroizing<[u8; KEY_LEN]>,
    state: State,
}

enum State {
    Xaes(Xaes256Gcm),
    XChaCha(XChaCha20Poly1305),
    Aes(Aes256Gcm),
}

impl Cipher {
    pub(crate) fn new(algorithm: Algorithm, key: &[u8; KEY_LEN]) -> Cipher {
        let array = key.into();
        let state = match algorithm {
            Algorithm::Xaes256Gcm => State::Xaes(Xaes256Gcm::new(array)),
            Algorithm::XChaCha20Poly1305 => State::XChaCha(XChaCha20Poly1305::new(array)),
            Algorithm::Aes256Gcm => State::Aes(Aes256Gcm::new(array)),
        };
        let mut material = Box::new(Material {
            key: Zeroizing::new([0; KEY_LEN]),
            state,
        });
        // Copied in place, so the boxed bytes are the only copy this makes.
        material.key.copy_from_slice(key);
        Cipher(material)
    }

    /// The 32 key bytes.
    pub(crate) fn key(&self) -> &[u8; KEY_LEN] {
        &self.0.key
    }

    /// The algorithm the state was built for.
    fn algorithm(&self) -> Algorithm {
        match self.0.state {
            State::Xaes(_) => Algorithm::Xaes256Gcm,
            State::XChaCha(_) => Algorithm::XChaCha20Poly1305,
            State::Aes(_) => Algorithm::Aes256Gcm,
        }
    }

    /// Encrypts `buf` in place and returns the tag, or `None` for a message
    /// beyond the algorithm's limit (2^36 bytes; never reached below the
    /// cookie size checks). `nonce` has the algorithm's nonce length.
    pub(crate) fn encrypt(
        &self,
        nonce: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Option<[u8; TAG_LEN]> {
        let tag = match &self.0.state {
            State::Xaes(c) => c.encrypt_inout_detached(array(nonce), aad, buf.into()),
            State::XChaCha(c) => c.encrypt_inout_detached(array(nonce), aad, buf.into()),
            State::Aes(c) => c.encrypt_inout_detached(array(nonce), aad, buf.into()),
        };
        tag.ok().map(Into::into)
    }

    /// Decrypts `buf` in place; `false` when the tag does not verify.
    pub(crate) fn decrypt(&self, nonce: &[u8], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> bool {
        match &self.0.state {
            State::Xaes(c) => c.decrypt_inout_detached(array(nonce), aad, buf.into(), array(tag)),
            State::XChaCha(c) => {
                c.decrypt_inout_detached(array(nonce), aad, buf.into(), array(tag))
            }
            State::Aes(c) => c.decrypt_inout_detached(array(nonce), aad, buf.into(), array(tag)),
        }
        .is_ok()
    }

    /// Where the key bytes live, for the test that moves keys around.
    #[cfg(test)]
    pub(crate) fn key_address(&self) -> usize {
        core::ptr::from_ref(self.key()) as usize
    }
}

impl Clone for Cipher {
    /// A new allocation built from the key bytes, not a copy of this one's
    /// state through the stack.
    fn clone(&self) -> Cipher {
        Cipher::new(self.algorithm(), self.key())
    }
}

fn array<N: aead::array::ArraySize>(bytes: &[u8]) -> &aead::array::Array<u8, N> {
    // Callers slice nonce and tag from a layout built from the algorithm's
    // own lengths, so a mismatch is a bug in this crate, not bad input.
    <&aead::array::Array<u8, N>>::try_from(bytes).expect("nonce/tag length fixed by layout")
}
