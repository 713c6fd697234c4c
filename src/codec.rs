//! Payload bytes: postcard (de)serialization, optional deflate, base64url.

use crate::{Error, Malformed, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Serialize, de::DeserializeOwned};

/// Appends the postcard encoding of `data` to `out`.
pub(crate) fn serialize_into<T: Serialize + ?Sized>(data: &T, out: Vec<u8>) -> Result<Vec<u8>> {
    postcard::to_extend(data, out).map_err(|_| Error::Serialize)
}

/// Decodes exactly `bytes` as a `T`; trailing bytes are an error, so a
/// payload has one meaning only.
pub(crate) fn deserialize<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(Error::Deserialize),
    }
}

/// Length of the unpadded base64url text of `len` bytes.
pub(crate) const fn base64_len(len: usize) -> usize {
    (len / 3) * 4 + [0, 2, 3][len % 3]
}

/// Appends the unpadded base64url text of `bytes` to `out`.
pub(crate) fn encode_base64(bytes: &[u8], out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// Decodes canonical unpadded base64url: padding, characters outside the
/// alphabet and non-zero trailing bits are all rejected.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    URL_SAFE_NO_PAD
        .decode_vec(text, &mut out)
        .map_err(|_| Malformed::Base64)?;
    Ok(out)
}

/// Deflate settings of a sealer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compression {
    /// Payloads shorter than this are never compressed.
    pub(crate) threshold: usize,
    /// Largest decompressed payload accepted when opening.
    pub(crate) max_decompressed: usize,
}

/// Raw deflate of `payload` if that is shorter, else `None`.
#[cfg(feature = "compression")]
pub(crate) fn compress(payload: &[u8], settings: Compression) -> Option<Vec<u8>> {
    if payload.len() < settings.threshold {
        return None;
    }
    let packed = miniz_oxide::deflate::compress_to_vec(payload, 6);
    (packed.len() < payload.len()).then_some(packed)
}

#[cfg(not(feature = "compression"))]
pub(crate) fn compress(_: &[u8], _: Compression) -> Option<Vec<u8>> {
    None
}

/// Inflates an authenticated payload, never past `max_decompressed` bytes.
#[cfg(feature = "compression")]
pub(crate) fn decompress(packed: &[u8], max_decompressed: usize) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_with_limit};
    decompress_to_vec_with_limit(packed, max_decompressed).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => Error::DecompressedTooLarge {
            limit: max_decompressed,
        },
        _ => Error::Malformed(Malformed::Compression),
    })
}

#[cfg(not(feature = "compression"))]
pub(crate) fn decompress(_: &[u8], _: usize) -> Result<Vec<u8>> {
    Err(Error::Malformed(Malformed::CompressionUnsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_len_matches_the_engine() {
        for len in 0..64 {
            let mut text = String::new();
            encode_base64(&vec![0xA5; len], &mut text);
            assert_eq!(base64_len(len), text.len(), "len {len}");
        }
    }
}
