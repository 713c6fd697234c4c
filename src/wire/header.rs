//! Reading a cookie's clear header without any key: which format version,
//! algorithm and key id it names, and how its bytes divide. For tools and
//! for routing a cookie to the right sealer; nothing here is authenticated.

use crate::wire::aead::TAG_LEN;
use crate::wire::codec;
use crate::{Algorithm, Error, Malformed, Result};

/// The only format version this build reads or writes.
pub(crate) const VERSION: u8 = 1;
pub(crate) const HEADER_LEN: usize = 6;
// The header is a fixed prefix every reader parses before anything else.
const _: () = assert!(HEADER_LEN == 1 + 1 + 4);

/// The parsed header of a sealed value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) algorithm: Algorithm,
    pub(crate) key_id: u32,
}

impl Header {
    pub(crate) fn encode(self) -> [u8; HEADER_LEN] {
        let id = self.key_id.to_be_bytes();
        [VERSION, self.algorithm.code(), id[0], id[1], id[2], id[3]]
    }

    /// Parses the header and checks that the value is long enough for the
    /// algorithm's nonce and a tag.
    pub(crate) fn decode(sealed: &[u8]) -> Result<Header> {
        let Some(&[version, code, a, b, c, d]) = sealed.first_chunk::<HEADER_LEN>() else {
            return Err(Malformed::TooShort.into());
        };
        if version != VERSION {
            return Err(Error::UnsupportedVersion { version });
        }
        let algorithm = Algorithm::from_code(code).ok_or(Malformed::UnknownAlgorithm)?;
        if sealed.len() < HEADER_LEN + algorithm.nonce_len() + TAG_LEN {
            return Err(Malformed::TooShort.into());
        }
        Ok(Header {
            algorithm,
            key_id: u32::from_be_bytes([a, b, c, d]),
        })
    }
}

/// The clear header of a sealed cookie value and its layout, read without
/// a key. Nothing in it is trustworthy until the cookie opens: anyone can
/// write any header.
///
/// ```
/// use sealed_session::{Algorithm, CookieHeader, Key, KeyRing, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate_with(Algorithm::Aes256Gcm, 7))).build()?;
/// let value = sealer.seal_value(&Session::new(()))?;
/// let header = CookieHeader::decode(&value)?;
/// assert_eq!(header.version(), 1);
/// assert_eq!(header.algorithm(), Algorithm::Aes256Gcm);
/// assert_eq!(header.key_id(), 7);
/// assert_eq!(header.nonce_len(), 12);
/// assert_eq!(header.tag_len(), 16);
/// assert_eq!(
///     header.sealed_len(),
///     6 + header.nonce_len() + header.envelope_len() + header.tag_len()
/// );
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieHeader {
    header: Header,
    sealed_len: usize,
}

impl CookieHeader {
    /// Decodes the base64url value and parses its header, with the same
    /// strictness as opening.
    ///
    /// ```
    /// use sealed_session::{CookieHeader, Error, Malformed};
    /// assert_eq!(CookieHeader::decode("AQEAAAAB"), Err(Error::Malformed(Malformed::TooShort)));
    /// assert_eq!(CookieHeader::decode("a+b"), Err(Error::Malformed(Malformed::Base64)));
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Malformed`](crate::Error::Malformed) for an empty value, bad
    /// base64url, an unknown algorithm or a value too short for its nonce
    /// and tag; [`Error::UnsupportedVersion`](crate::Error::UnsupportedVersion)
    /// for another format version.
    pub fn decode(value: &str) -> Result<CookieHeader> {
        if value.is_empty() {
            return Err(crate::Malformed::Empty.into());
        }
        let sealed = codec::decode_base64(value)?;
        Ok(CookieHeader {
            header: Header::decode(&sealed)?,
            sealed_len: sealed.len(),
        })
    }

    /// The format version (always 1 once decoded).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.version(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn version(&self) -> u8 {
        self.header.encode()[0]
    }

    /// The algorithm the header names.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.algorithm(), Algorithm::Xaes256Gcm);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.header.algorithm
    }

    /// The key id the header names.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(4))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.key_id(), 4);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        self.header.key_id
    }

    /// Length of the decoded value: header, nonce, envelope and tag.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert!(CookieHeader::decode(&value)?.sealed_len() > 46);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn sealed_len(&self) -> usize {
        self.sealed_len
    }

    /// Length of the nonce.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.nonce_len(), 24);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn nonce_len(&self) -> usize {
        self.header.algorithm.nonce_len()
    }

    /// Length of the encrypted envelope (session metadata and payload).
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.envelope_len(), 30);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn envelope_len(&self) -> usize {
        // `Header::decode` checked the value holds header, nonce and tag.
        self.sealed_len - HEADER_LEN - self.nonce_len() - TAG_LEN
    }

    /// Length of the authentication tag.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let value = Sealer::builder(KeyRing::new(Key::generate(1))).build()?.seal_value(&Session::new(()))?;
    /// assert_eq!(CookieHeader::decode(&value)?.tag_len(), 16);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn tag_len(&self) -> usize {
        TAG_LEN
    }
}
