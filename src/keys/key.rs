//! A single key: 32 secret bytes bound to one algorithm and one id, with its
//! cipher state built once, both in one zeroizing heap box
//! ([`Cipher`]). Never printed.

use crate::wire::aead::{Cipher, KEY_LEN};
use crate::{Algorithm, ConfigError, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use core::fmt;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

/// Prefix of the key text form; the `1` versions the text form itself.
const TEXT_PREFIX: &str = "ss1";
/// HKDF salt: fixes the derivation to this crate and format version.
const HKDF_SALT: &[u8] = b"sealed-session/v1 key derivation";
/// The first bytes of the HKDF info of each kind of derived key. Neither
/// is a prefix of the other (each ends in NUL) and everything after them
/// is length-prefixed or fixed-width, so no two derivations, of one kind or
/// of both, ever share an info string.
const KEY_LABEL: &[u8] = b"key\0";
#[cfg(feature = "epoch")]
const EPOCH_LABEL: &[u8] = b"epoch\0";
/// Shortest master secret accepted for derivation.
const MIN_MASTER_LEN: usize = 32;

/// A secret key bound to one [`Algorithm`] and identified by a `u32` id.
///
/// The id is written in every cookie's header and selects the key when
/// opening, so ids must be unique within a [`KeyRing`](crate::KeyRing).
/// The bytes and the cipher state built from them live in one heap
/// allocation that is wiped when the key is dropped; moving a key (or a
/// ring growing) moves only a pointer to it. Neither `Debug` nor any error
/// ever shows them.
///
/// ```
/// use sealed_session::{Algorithm, Key};
///
/// let key = Key::generate(7);
/// assert_eq!(key.id(), 7);
/// assert_eq!(key.algorithm(), Algorithm::Xaes256Gcm);
/// assert_eq!(format!("{key:?}"), "Key { id: 7, algorithm: Xaes256Gcm, .. }");
///
/// let text = key.to_text();
/// let back = Key::from_text(&text)?;
/// assert_eq!(back.id(), 7);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Clone)]
pub struct Key {
    id: u32,
    algorithm: Algorithm,
    /// The key bytes and their cipher state.
    pub(crate) cipher: Cipher,
}

impl Key {
    /// A new random key for the default algorithm (XAES-256-GCM), from the
    /// operating system's random source.
    ///
    /// # Panics
    ///
    /// Panics if the operating system has no random bytes to give, which no
    /// supported platform does once booted; use
    /// [`try_generate_with`](Key::try_generate_with) to handle it.
    ///
    /// ```
    /// let key = sealed_session::Key::generate(1);
    /// assert_eq!(key.id(), 1);
    /// ```
    pub fn generate(id: u32) -> Key {
        Key::generate_with(Algorithm::default(), id)
    }

    /// A new random key for `algorithm`. Panics as [`generate`](Key::generate).
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    /// let key = Key::generate_with(Algorithm::XChaCha20Poly1305, 2);
    /// assert_eq!(key.algorithm(), Algorithm::XChaCha20Poly1305);
    /// ```
    pub fn generate_with(algorithm: Algorithm, id: u32) -> Key {
        Key::try_generate_with(algorithm, id).expect("operating system random source failed")
    }

    /// A new random key for `algorithm`, or the OS random source's error.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    /// let key = Key::try_generate_with(Algorithm::Aes256Gcm, 3).expect("OS RNG");
    /// assert_eq!(key.id(), 3);
    /// ```
    ///
    /// # Errors
    ///
    /// The operating system's error when it has no random bytes to give.
    pub fn try_generate_with(algorithm: Algorithm, id: u32) -> Result<Key, getrandom::Error> {
        let mut secret = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(secret.as_mut())?;
        Ok(Key::from_bytes(algorithm, id, &secret))
    }

    /// A key from 32 secret bytes the caller already holds (a secret manager,
    /// a test vector). The caller should zeroize its own copy.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    /// let key = Key::from_bytes(Algorithm::Aes256Gcm, 9, &[7u8; 32]);
    /// assert_eq!(key.id(), 9);
    /// ```
    pub fn from_bytes(algorithm: Algorithm, id: u32, secret: &[u8; KEY_LEN]) -> Key {
        Key {
            id,
            algorithm,
            cipher: Cipher::new(algorithm, secret),
        }
    }

    /// Derives a key from a master secret with HKDF-SHA256, so one secret can
    /// serve several cookie names or environments without reusing a key.
    ///
    /// The key is HKDF-SHA256 with salt `sealed-session/v1 key derivation`,
    /// the master secret as input key material, and as info
    ///
    /// ```text
    /// "key" 0x00 || u64be(len(context)) || context || algorithm code || u32be(id)
    /// ```
    ///
    /// (32 bytes of output). Changing any input gives an unrelated key, and
    /// no context makes it equal an [epoch key](crate::EpochKeys), whose
    /// info starts with another label. Same inputs, same key: every node of
    /// a fleet derives it alone.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    ///
    /// let master = [42u8; 32];
    /// let a = Key::derive(&master, "prod/session", Algorithm::Xaes256Gcm, 1)?;
    /// let b = Key::derive(&master, "prod/session", Algorithm::Xaes256Gcm, 1)?;
    /// assert_eq!(a.to_text(), b.to_text());
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::MasterSecret`] when `master` is shorter than 32 bytes.
    pub fn derive(master: &[u8], context: &str, algorithm: Algorithm, id: u32) -> Result<Key> {
        check_master(master)?;
        Ok(Key::derive_checked(
            master,
            Domain::Key,
            context,
            algorithm,
            id,
        ))
    }

    /// [`derive`](Key::derive), or an epoch key, for a master secret already
    /// known to pass [`check_master`]; infallible, so it can run where no
    /// error can be returned (a lazily filled key cache).
    pub(crate) fn derive_checked(
        master: &[u8],
        domain: Domain,
        context: &str,
        algorithm: Algorithm,
        id: u32,
    ) -> Key {
        let (label, period) = match domain {
            Domain::Key => (KEY_LABEL, None::<u32>),
            #[cfg(feature = "epoch")]
            Domain::Epoch { period } => (EPOCH_LABEL, Some(period)),
        };
        let mut info = Vec::with_capacity(label.len() + 8 + context.len() + 4 + 5);
        info.extend_from_slice(label);
        // usize always fits u64 on the targets Rust supports.
        info.extend_from_slice(&(context.len() as u64).to_be_bytes());
        info.extend_from_slice(context.as_bytes());
        if let Some(period) = period {
            info.extend_from_slice(&period.to_be_bytes());
        }
        info.push(algorithm.code());
        info.extend_from_slice(&id.to_be_bytes());
        let mut secret = Zeroizing::new([0u8; KEY_LEN]);
        let expanded =
            hkdf::Hkdf::<sha2::Sha256>::new(Some(HKDF_SALT), master).expand(&info, secret.as_mut());
        // 32 bytes is far below HKDF-SHA256's 8160-byte output limit, so
        // expansion cannot fail; the assertion documents that.
        debug_assert!(expanded.is_ok());
        Key::from_bytes(algorithm, id, &secret)
    }

    /// The key id written in cookie headers.
    ///
    /// ```
    /// assert_eq!(sealed_session::Key::generate(5).id(), 5);
    /// ```
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The algorithm this key is bound to.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    /// assert_eq!(Key::generate(1).algorithm(), Algorithm::Xaes256Gcm);
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key in text form, `ss1:<algorithm>:<id>:<base64url key>`, for an
    /// environment variable or a secret manager. The string is zeroized when
    /// dropped.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key};
    /// let key = Key::from_bytes(Algorithm::Aes256Gcm, 4, &[0u8; 32]);
    /// assert_eq!(
    ///     key.to_text().as_str(),
    ///     "ss1:aes256gcm:4:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    /// );
    /// ```
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::with_capacity(80));
        text.push_str(TEXT_PREFIX);
        text.push(':');
        text.push_str(self.algorithm.name());
        text.push(':');
        text.push_str(&self.id.to_string());
        text.push(':');
        URL_SAFE_NO_PAD.encode_string(self.cipher.key(), &mut text);
        text
    }

    /// Parses the text form written by [`to_text`](Key::to_text).
    /// Surrounding whitespace is ignored.
    ///
    /// ```
    /// use sealed_session::{ConfigError, Error, Key};
    /// let err = Key::from_text("ss1:aes256gcm:4:tooshort").unwrap_err();
    /// assert_eq!(err, Error::InvalidConfig(ConfigError::KeyText));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::KeyText`] for anything but exactly that form with a
    /// known algorithm, a decimal `u32` id and 32 key bytes.
    pub fn from_text(text: &str) -> Result<Key> {
        let mut parts = text.trim().split(':');
        let (Some(TEXT_PREFIX), Some(algorithm), Some(id), Some(secret), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ConfigError::KeyText.into());
        };
        let algorithm: Algorithm = algorithm.parse()?;
        let id = parse_id(id).ok_or(ConfigError::KeyText)?;
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        match URL_SAFE_NO_PAD.decode_slice(secret, bytes.as_mut()) {
            Ok(KEY_LEN) => Ok(Key::from_bytes(algorithm, id, &bytes)),
            _ => Err(ConfigError::KeyText.into()),
        }
    }

    /// Whether `other` holds the same 32 secret bytes, compared in constant
    /// time: it runs on configuration only, but costs nothing more.
    pub(crate) fn same_secret(&self, other: &Key) -> bool {
        self.cipher.key().ct_eq(other.cipher.key()).into()
    }
}

/// Which kind of key a derivation makes; each has its own HKDF info label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Domain {
    /// [`Key::derive`].
    Key,
    /// An epoch key of epochs `period` seconds long.
    #[cfg(feature = "epoch")]
    Epoch {
        /// The epoch length in seconds.
        period: u32,
    },
}

/// Rejects master secrets too short to derive keys from.
pub(crate) fn check_master(master: &[u8]) -> Result<()> {
    if master.len() < MIN_MASTER_LEN {
        return Err(ConfigError::MasterSecret.into());
    }
    Ok(())
}

/// Decimal without sign or leading zeros, so each id has one spelling.
fn parse_id(text: &str) -> Option<u32> {
    let canonical =
        text == "0" || (!text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()));
    canonical.then(|| text.parse().ok()).flatten()
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}
