//! FORMAT.md section 6: the payload forms a reader accepts although no
//! writer of this crate produces them. The payload is authenticated, so
//! only a key holder can write one; each byte string still has exactly
//! one meaning, but one value has several byte strings. Each rule has a
//! test that fails if the behaviour flips.

mod common;

use common::T0;
use sealed_session::{Algorithm, Error, Sealer, Session};

/// Seals `bytes` as the payload and opens it as a `T`.
fn read<T: sealed_session::SessionData, const N: usize>(
    sealer: &Sealer,
    bytes: [u8; N],
) -> Result<T, Error> {
    let schema = sealed_session::schema::fingerprint::<T>().unwrap();
    let value = sealer.seal_raw_value_at(&bytes, schema, T0).unwrap();
    assert_eq!(
        sealer.open_raw_at(&value, T0).unwrap().session().data(),
        &bytes
    );
    sealer
        .open_at::<T>(&value, T0)
        .map(|o| o.into_session().into_data())
}

/// FORMAT.md section 6: postcard varints are written in their shortest
/// form, and readers accept longer (zero-padded) forms up to postcard's
/// maximum length for the type, so a payload's bytes are not unique for
/// its value. Each byte string still decodes to at most one value. The
/// payloads are raw byte arrays (no length prefix) read back as other
/// types, so they are authentic without forging.
#[test]
fn overlong_varints_are_accepted_up_to_the_type_maximum() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    enum Two {
        A,
        B,
    }
    let sealer = common::sealer(Algorithm::default());
    // u32: at most 5 bytes, the last holding no bits beyond 32.
    assert_eq!(read::<u32, 2>(&sealer, [0x85, 0x00]), Ok(5));
    assert_eq!(read::<u32, 2>(&sealer, [0x80, 0x00]), Ok(0));
    assert_eq!(
        read::<u32, 5>(&sealer, [0x85, 0x80, 0x80, 0x80, 0x00]),
        Ok(5)
    );
    assert_eq!(
        read::<u32, 6>(&sealer, [0x85, 0x80, 0x80, 0x80, 0x80, 0x00]),
        Err(Error::Deserialize)
    );
    assert_eq!(
        read::<u32, 5>(&sealer, [0x85, 0x80, 0x80, 0x80, 0x10]),
        Err(Error::Deserialize)
    );
    // u16 at most 3 bytes, u64 at most 10.
    assert_eq!(read::<u16, 3>(&sealer, [0x85, 0x80, 0x00]), Ok(5));
    assert_eq!(
        read::<u16, 4>(&sealer, [0x85, 0x80, 0x80, 0x00]),
        Err(Error::Deserialize)
    );
    let mut long = [0x80; 10];
    long[0] = 0x85;
    long[9] = 0;
    assert_eq!(read::<u64, 10>(&sealer, long), Ok(5));
    // Zigzag integers, lengths and enum variant indices are varints too.
    assert_eq!(read::<i32, 2>(&sealer, [0x85, 0x00]), Ok(-3));
    assert_eq!(
        read::<String, 5>(&sealer, [0x83, 0x00, b'a', b'b', b'c']),
        Ok("abc".into())
    );
    assert_eq!(
        read::<Vec<u8>, 4>(&sealer, [0x81, 0x80, 0x00, 7]),
        Ok(vec![7])
    );
    assert_eq!(read::<Two, 2>(&sealer, [0x81, 0x00]), Ok(Two::B));
    // The writer emits the shortest form: open_raw_at shows the payload.
    for (n, canonical) in [
        (0u32, &[0x00][..]),
        (127, &[0x7f]),
        (128, &[0x80, 0x01]),
        (16_384, &[0x80, 0x80, 0x01]),
        (u32::MAX, &[0xff, 0xff, 0xff, 0xff, 0x0f]),
    ] {
        let value = sealer.seal_value_at(&Session::new(n), T0).unwrap();
        let raw = sealer.open_raw_at(&value, T0).unwrap();
        assert_eq!(raw.session().data(), canonical, "{n}");
    }
}

/// FORMAT.md section 6: the bits DEFLATE leaves unused (after the 3 header
/// bits of a stored block, and after the end-of-block code of the final
/// block) carry nothing. Readers accept any value there; writers write
/// zeros. The streams are written out here, not produced by a deflater.
#[cfg(feature = "compression")]
#[test]
fn padding_bits_of_a_deflate_stream_may_be_anything() {
    let sealer = common::sealer(Algorithm::XChaCha20Poly1305);
    let open = |stream: &[u8]| {
        let value = common::forge_payload::<String>(common::FLAG_COMPRESSED, stream);
        sealer
            .open_at::<String>(&value, T0)
            .map(|o| o.into_session().into_data())
    };
    // postcard "abc": 3, b'a', b'b', b'c'.
    // A final stored block: BFINAL 1, BTYPE 00, then 5 bits to the byte
    // boundary, LEN 4, NLEN !4, the bytes.
    let stored = |first: u8| [first, 4, 0, 0xfb, 0xff, 3, b'a', b'b', b'c'];
    for first in [0b0000_0001, 0b0000_1001, 0b1111_1001] {
        assert_eq!(open(&stored(first)), Ok("abc".into()), "{first:08b}");
    }
    // A final fixed-Huffman block: 3 header bits, four 8-bit literals and
    // the 7-bit end-of-block code end at bit 1 of the sixth byte; its bits
    // 2 to 7 are padding. Bit 1 is the code's last bit: setting it breaks
    // the stream.
    let fixed = |last: u8| [0x63, 0x4e, 0x4c, 0x4a, 0x06, last];
    for last in [0x00, 0x04, 0x80, 0xfc] {
        assert_eq!(open(&fixed(last)), Ok("abc".into()), "{last:02x}");
    }
    assert_eq!(
        open(&fixed(0x02)),
        Err(Error::Malformed(sealed_session::Malformed::Compression))
    );
}
