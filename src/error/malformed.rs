//! Why a cookie value is not a well-formed sealed value.

use core::fmt;

/// Why a cookie value is not a well-formed sealed value.
///
/// ```
/// use sealed_session::{Error, Malformed};
/// assert_eq!(Error::from(Malformed::Empty).to_string(), "malformed session cookie: empty value");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The value is empty.
    Empty,
    /// The value is not canonical unpadded base64url.
    Base64,
    /// The decoded value is shorter than header, nonce and tag.
    TooShort,
    /// The algorithm byte names no known algorithm.
    UnknownAlgorithm,
    /// The authenticated envelope is truncated or carries unknown flags,
    /// inconsistent deadlines or a non-UTF-8 subject.
    Envelope,
    /// The compressed payload is not valid deflate data.
    Compression,
    /// The payload is compressed but this build lacks the `compression`
    /// feature. Not a client fault: the cookie is authentic (another node
    /// may read it).
    CompressionUnsupported,
    /// The payload is MessagePack but this build lacks the `messagepack`
    /// feature. Not a client fault: the cookie is authentic (another node
    /// may read it).
    CodecUnsupported,
    /// A chunked session's cookies do not fit together: the first chunk
    /// lacks a valid chunk count, or a chunk it counts is missing or empty
    /// (see FORMAT.md, "Chunked values").
    Chunks,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Empty => "empty value",
            Malformed::Base64 => "not canonical unpadded base64url",
            Malformed::TooShort => "shorter than header, nonce and tag",
            Malformed::UnknownAlgorithm => "unknown algorithm",
            Malformed::Envelope => "invalid envelope",
            Malformed::Compression => "invalid compressed payload",
            Malformed::CompressionUnsupported => "compressed payload, built without compression",
            Malformed::CodecUnsupported => "MessagePack payload, built without messagepack",
            Malformed::Chunks => "chunked cookies missing, extra or without a valid count",
        })
    }
}
