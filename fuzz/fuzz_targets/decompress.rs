//! The capped decompression on arbitrary DEFLATE bytes, end to end: the
//! stream is placed in an authentic envelope (forged under a known key),
//! so the crate's real decoder runs on it. The result is checked against
//! a one-call reference inflation into a buffer one byte larger than the
//! cap: exactly the same streams must be accepted, too large or malformed,
//! and accepted ones must decode to what postcard makes of the reference
//! output.
//!
//! Input: cap selector, type selector, then the stream.
#![no_main]

use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{
    self, FLAG_COMPRESSED, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC, T0_UNIX,
};
use libfuzzer_sys::fuzz_target;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
use sealed_session::{DEFAULT_MAX_DECOMPRESSED, Error, Malformed, Sealer};
use std::sync::OnceLock;

const CAPS: [usize; 4] = [1, 100, 4096, DEFAULT_MAX_DECOMPRESSED];

fn sealers() -> &'static [Sealer] {
    static SEALERS: OnceLock<Vec<Sealer>> = OnceLock::new();
    SEALERS.get_or_init(|| {
        CAPS.iter()
            .map(|&cap| {
                Sealer::builder(fixtures::ring(1))
                    .with_compression_limits(256, cap)
                    .build_at(fixtures::t0())
                    .unwrap()
            })
            .collect()
    })
}

/// What a correct capped inflater makes of `stream`.
fn reference(stream: &[u8], cap: usize) -> Result<Vec<u8>, Error> {
    let mut out = vec![0; cap + 1];
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, read, written) = decompress(&mut state, stream, &mut out, 0, flags);
    match status {
        _ if written > cap => Err(Error::DecompressedTooLarge { limit: cap }),
        TINFLStatus::Done if read == stream.len() => {
            out.truncate(written);
            Ok(out)
        }
        _ => Err(Error::Malformed(Malformed::Compression)),
    }
}

fn check<T: sealed_session::SessionData + PartialEq + core::fmt::Debug>(
    sealer: &Sealer,
    cap: usize,
    stream: &[u8],
) {
    let schema = fixtures::schema_of::<T>();
    let mut envelope = fixtures::fixed_fields(FLAG_COMPRESSED, T0_UNIX as u64, 3600, schema);
    envelope.extend_from_slice(stream);
    let value = fixtures::forge(&envelope);
    let got = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        sealer
            .open_at::<T>(&value, fixtures::t0())
            .map(|o| o.into_session().into_data())
    });
    if value.len() > fixtures::VALUE_LIMIT {
        assert!(matches!(got, Err(Error::TooLarge { .. })), "{got:?}");
        return;
    }
    let expected =
        reference(stream, cap).and_then(|bytes| match postcard::take_from_bytes::<T>(&bytes) {
            Ok((value, [])) => Ok(value),
            _ => Err(Error::Deserialize),
        });
    assert_eq!(got, expected, "cap {cap}");
}

fuzz_target!(|data: &[u8]| {
    let [cap, ty, stream @ ..] = data else {
        return;
    };
    let index = usize::from(*cap) % CAPS.len();
    let (sealer, cap) = (&sealers()[index], CAPS[index]);
    match ty % 4 {
        0 => check::<FuzzSession>(sealer, cap, stream),
        1 => check::<()>(sealer, cap, stream),
        2 => check::<String>(sealer, cap, stream),
        _ => check::<Vec<u8>>(sealer, cap, stream),
    }
});
