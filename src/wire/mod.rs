//! The bytes on the wire, one file per part of FORMAT.md: the clear
//! [`header`], the associated data ([`aad`]), the authenticated
//! [`envelope`], base64url/deflate/serialization ([`codec`]), the AEAD
//! ([`aead`]) and the unix-seconds times they carry ([`unix`]). Nothing
//! here knows of keys, rings or sealers: every function takes bytes and
//! gives bytes.
//!
//! ```text
//! sealed    = header(6) || nonce(12|24) || ciphertext(envelope) || tag(16)
//! header    = version(1) = 0x01 || algorithm(1) || key_id(4, u32 BE)
//! aad       = header || len(name)(1) || name || len(purpose)(1) || purpose
//! envelope  = flags(1) || session_id(16) || issued_at(5, u40 BE unix s)
//!             || lifetime(4, u32 BE s) || schema(4, u32 BE)
//!             || [idle(4, u32 BE s)] || [len(1) || subject] || payload
//! ```

pub(crate) mod aad;
pub(crate) mod aead;
pub(crate) mod codec;
pub(crate) mod envelope;
pub(crate) mod header;
pub(crate) mod unix;
