//! Payload bytes: postcard or MessagePack (de)serialization, optional
//! deflate, base64url.

use crate::{Error, Malformed, Result};
use base64::Engine as _;
use serde::{Serialize, de::DeserializeOwned};
use zeroize::{Zeroize as _, Zeroizing};

/// How a session's data becomes payload bytes, chosen per sealer with
/// [`SealerBuilder::with_codec`](crate::SealerBuilder::with_codec); every
/// sealer opens both. FORMAT.md, "Payload".
///
/// ```
/// use sealed_session::Codec;
/// assert_eq!(Codec::default(), Codec::Postcard);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// postcard: no field names, the smallest and fastest. Every change of
    /// the session type is a new schema (caught, then migrated).
    #[default]
    Postcard,
    /// MessagePack with field names (feature `messagepack`): fields added
    /// with `#[serde(default)]` (or as `Option`) and removed fields open
    /// without a migration, at a cost in bytes (BENCHMARKS.md).
    #[cfg(feature = "messagepack")]
    MessagePack,
}

impl Codec {
    /// Whether payloads name their fields (the envelope's codec flag).
    pub(crate) fn is_messagepack(self) -> bool {
        match self {
            Codec::Postcard => false,
            #[cfg(feature = "messagepack")]
            Codec::MessagePack => true,
        }
    }
}

/// Appends the encoding of `data` in `codec` to `out`.
pub(crate) fn serialize_into<T: Serialize + ?Sized>(
    data: &T,
    out: Vec<u8>,
    codec: Codec,
) -> Result<Vec<u8>> {
    // `out` holds plaintext: a `Serialize` impl that fails or panics midway
    // must not drop it unwiped.
    let mut out = Zeroizing::new(out);
    match codec {
        Codec::Postcard => {
            postcard::to_extend(data, Appender(&mut out)).map_err(|_| Error::Serialize)?;
        }
        #[cfg(feature = "messagepack")]
        Codec::MessagePack => {
            rmp_serde::encode::write_named(&mut Appender(&mut out), data)
                .map_err(|_| Error::Serialize)?;
        }
    }
    Ok(core::mem::take(&mut *out))
}

/// Appends `bytes` to a buffer that holds plaintext, wiping the old block
/// if it must grow (as the encoders' writes do).
pub(crate) fn append_wiped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut appender = Appender(out);
    appender.reserve(bytes.len());
    appender.0.extend_from_slice(bytes);
}

/// Lets the encoders write into a borrowed `Vec` (postcard takes its
/// writer by value), and grows it by hand: a `Vec` that reallocates frees
/// the old block, plaintext and all, without wiping it.
struct Appender<'a>(&'a mut Vec<u8>);

impl Appender<'_> {
    fn reserve(&mut self, more: usize) {
        let needed = self.0.len().saturating_add(more);
        if needed > self.0.capacity() {
            let mut grown = Vec::with_capacity(needed.max(self.0.capacity().saturating_mul(2)));
            grown.extend_from_slice(self.0);
            let mut old = core::mem::replace(self.0, grown);
            old.as_mut_slice().zeroize();
        }
    }
}

impl Extend<u8> for Appender<'_> {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, bytes: I) {
        let bytes = bytes.into_iter();
        // postcard extends with slices and single bytes, whose size hints
        // are exact, so `Vec::extend` below never reallocates by itself.
        self.reserve(bytes.size_hint().0);
        self.0.extend(bytes);
    }
}

#[cfg(feature = "messagepack")]
impl std::io::Write for Appender<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.reserve(bytes.len());
        self.0.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Decodes exactly `bytes` as a `T` (MessagePack when the envelope says
/// so, else postcard); trailing bytes are an error, so a payload has one
/// meaning only.
pub(crate) fn deserialize<T: DeserializeOwned>(bytes: &[u8], messagepack: bool) -> Result<T> {
    if messagepack {
        return deserialize_messagepack(bytes);
    }
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        _ => Err(Error::Deserialize),
    }
}

#[cfg(feature = "messagepack")]
fn deserialize_messagepack<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut de = rmp_serde::Deserializer::new(std::io::Cursor::new(bytes));
    // Deep enough for any session type, shallow enough for a 1 MB stack.
    de.set_max_depth(128);
    let value = T::deserialize(&mut de).map_err(|_| Error::Deserialize)?;
    if de.position() != bytes.len() as u64 {
        return Err(Error::Deserialize);
    }
    Ok(value)
}

#[cfg(not(feature = "messagepack"))]
fn deserialize_messagepack<T>(_: &[u8]) -> Result<T> {
    Err(Malformed::CodecUnsupported.into())
}

/// The base64url engine: unpadded, canonical (no padding accepted, no
/// non-zero trailing bits). On x86_64 and aarch64 it is the `base64`
/// crate's SIMD engine (AVX2 / NEON detected once at run time, the scalar
/// engine otherwise and for inputs too short to gain): base64 is the
/// largest single cost of sealing and opening a cookie of a few KB. The
/// scalar engine elsewhere (wasm).
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
pub(crate) static BASE64: std::sync::LazyLock<base64::engine::simd::Simd> =
    std::sync::LazyLock::new(|| base64::engine::simd::Simd::url_safe(BASE64_CONFIG));

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) static BASE64: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, BASE64_CONFIG);

/// `URL_SAFE_NO_PAD`'s configuration, spelled out: no padding written, none
/// accepted, and trailing bits must be zero (the default), so every value
/// has exactly one text form.
const BASE64_CONFIG: base64::engine::GeneralPurposeConfig =
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone);

/// Length of the unpadded base64url text of `len` bytes.
pub(crate) const fn base64_len(len: usize) -> usize {
    (len / 3) * 4 + [0, 2, 3][len % 3]
}

/// Appends the unpadded base64url text of `bytes` to `out`.
pub(crate) fn encode_base64(bytes: &[u8], out: &mut String) {
    BASE64.encode_string(bytes, out);
}

/// Decodes canonical unpadded base64url into `out`: padding, characters
/// outside the alphabet and non-zero trailing bits are all rejected.
pub(crate) fn decode_base64_into(text: &[u8], out: &mut Vec<u8>) -> Result<()> {
    out.reserve(text.len() / 4 * 3 + 3);
    BASE64
        .decode_vec(text, out)
        .map_err(|_| Malformed::Base64)?;
    Ok(())
}

/// [`decode_base64_into`] a new buffer.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    decode_base64_into(text.as_bytes(), &mut out)?;
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

/// Raw deflate of `payload` if that is shorter and within the cap, else
/// `None`.
#[cfg(feature = "compression")]
pub(crate) fn compress(payload: &[u8], settings: Compression) -> Option<Zeroizing<Vec<u8>>> {
    // Above the decompression cap the sealer's own `open` would refuse the
    // cookie: send it uncompressed (and let the size check decide) instead.
    if payload.len() < settings.threshold || payload.len() > settings.max_decompressed {
        return None;
    }
    // The compressed form is the plaintext in other words: wiped on drop.
    // (miniz's own dictionary and any output block it outgrows are freed
    // unwiped; README, "Secrets in memory", says so.)
    let packed = Zeroizing::new(miniz_oxide::deflate::compress_to_vec(payload, 6));
    (packed.len() < payload.len()).then_some(packed)
}

#[cfg(not(feature = "compression"))]
pub(crate) fn compress(_: &[u8], _: Compression) -> Option<Zeroizing<Vec<u8>>> {
    None
}

/// Inflates an authenticated payload, never past `max_decompressed` bytes.
/// Bytes after the end of the deflate stream are rejected, so a payload has
/// one meaning only (`decompress_to_vec_with_limit` would ignore them).
///
/// The buffer may grow to one byte past the cap: a stream that fills the
/// cap exactly and then breaks is malformed, and only a stream that really
/// produces more than the cap is too large.
#[cfg(feature = "compression")]
pub(crate) fn decompress(packed: &[u8], max_decompressed: usize) -> Result<Zeroizing<Vec<u8>>> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    const FLAGS: u32 = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let too_large = Error::DecompressedTooLarge {
        limit: max_decompressed,
    };
    let ceiling = max_decompressed.saturating_add(1);
    // The inflated payload is plaintext: wiped on drop, and grown by hand
    // below so that no outgrown block is freed unwiped.
    let mut out = Zeroizing::new(vec![0; packed.len().saturating_mul(4).clamp(1, ceiling)]);
    // Boxed: the decompressor's tables are about 11 KB.
    let mut state = Box::<DecompressorOxide>::default();
    let (mut read, mut written) = (0, 0);
    loop {
        let (status, consumed, produced) =
            decompress(&mut state, &packed[read..], &mut out, written, FLAGS);
        read += consumed;
        written += produced;
        if written > max_decompressed {
            return Err(too_large);
        }
        match status {
            TINFLStatus::Done if read == packed.len() => {
                out.truncate(written);
                return Ok(out);
            }
            // Below the ceiling (checked above), so the buffer can grow.
            TINFLStatus::HasMoreOutput if read <= packed.len() => {
                let mut grown = Zeroizing::new(vec![0; out.len().saturating_mul(2).min(ceiling)]);
                grown[..written].copy_from_slice(&out[..written]);
                out = grown;
            }
            _ => return Err(Error::Malformed(Malformed::Compression)),
        }
    }
}

#[cfg(not(feature = "compression"))]
pub(crate) fn decompress(_: &[u8], _: usize) -> Result<Zeroizing<Vec<u8>>> {
    Err(Error::Malformed(Malformed::CompressionUnsupported))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "compression")]
    #[test]
    fn inflate_rejects_bytes_after_the_stream_and_empty_input() {
        let mut packed = miniz_oxide::deflate::compress_to_vec(b"hello hello hello", 6);
        assert_eq!(
            decompress(&packed, 100).unwrap()[..],
            b"hello hello hello"[..]
        );
        packed.push(0);
        assert_eq!(
            decompress(&packed, 100),
            Err(Error::Malformed(Malformed::Compression))
        );
        assert_eq!(
            decompress(&[], 100),
            Err(Error::Malformed(Malformed::Compression))
        );
    }

    #[cfg(feature = "compression")]
    #[test]
    fn inflate_stops_at_the_cap() {
        let plain = vec![b'z'; 10_000];
        let packed = miniz_oxide::deflate::compress_to_vec(&plain, 6);
        assert_eq!(decompress(&packed, 10_000).unwrap()[..], plain[..]);
        assert_eq!(
            decompress(&packed, 9_999),
            Err(Error::DecompressedTooLarge { limit: 9_999 })
        );
        assert_eq!(
            decompress(&packed[..packed.len() - 1], 10_000),
            Err(Error::Malformed(Malformed::Compression))
        );
    }

    /// The SIMD engine must accept and produce exactly what the scalar
    /// `URL_SAFE_NO_PAD` does, at every length around its SIMD thresholds
    /// and for every kind of bad input the strict decoder rejects.
    #[test]
    fn base64_engine_matches_url_safe_no_pad() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        // The accelerated engine is the one under test where it exists.
        #[cfg(target_arch = "x86_64")]
        let _: &base64::engine::simd::Simd = &BASE64;
        for len in 0..300 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let mut text = String::new();
            encode_base64(&bytes, &mut text);
            assert_eq!(text, URL_SAFE_NO_PAD.encode(&bytes), "len {len}");
            assert_eq!(decode_base64(&text).unwrap(), bytes, "len {len}");
            // A bad character at every position, padding, and (where the
            // length leaves trailing bits) a non-canonical last character.
            for at in 0..text.len() {
                for bad in [b'+', b'/', b'=', b' ', 0xff] {
                    let mut bytes = text.clone().into_bytes();
                    bytes[at] = bad;
                    let bad_text = String::from_utf8_lossy(&bytes).into_owned();
                    assert!(decode_base64(&bad_text).is_err(), "len {len} at {at}");
                    assert!(URL_SAFE_NO_PAD.decode(&bad_text).is_err());
                }
            }
            assert!(decode_base64(&format!("{text}=")).is_err());
            if len % 3 != 0 {
                let mut bytes = text.clone().into_bytes();
                let last = bytes.len() - 1;
                bytes[last] = if bytes[last] == b'B' { b'C' } else { b'B' };
                let other = String::from_utf8(bytes).unwrap();
                assert_eq!(
                    decode_base64(&other).is_ok(),
                    URL_SAFE_NO_PAD.decode(&other).is_ok(),
                    "len {len}: {other}"
                );
            }
        }
    }

    #[test]
    fn base64_len_matches_the_engine() {
        for len in 0..64 {
            let mut text = String::new();
            encode_base64(&vec![0xA5; len], &mut text);
            assert_eq!(base64_len(len), text.len(), "len {len}");
        }
    }
}
