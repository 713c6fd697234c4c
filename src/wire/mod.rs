//! The bytes on the wire: the header, the associated data, the
//! authenticated envelope, base64url/deflate/serialization and the AEAD.
//! FORMAT.md is the normative description. Nothing here knows of keys,
//! rings or sealers: every function takes bytes and gives bytes.

pub(crate) mod aead;
pub(crate) mod codec;
pub(crate) mod envelope;
pub(crate) mod header;
