//! The byte scan that finds our pairs in `Cookie` headers: names compare as
//! exact bytes, only SP and HTAB are trimmed (RFC 6265 section 5.2), and
//! other cookies are never parsed beyond the first byte that tells them
//! apart from our name. Chunk indices found go in a `ChunkSet`.

/// Largest chunk index read from a request: a chunked session has at most
/// 255 chunks, `name.0 ..= name.254`.
pub(crate) const MAX_CHUNK_INDEX: usize = 254;

/// Chunk indices `0..=MAX_CHUNK_INDEX`.
pub(crate) const SLOTS: usize = MAX_CHUNK_INDEX + 1;

/// A set of chunk indices `0..=254`, without allocating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChunkSet([u64; 4]);

impl ChunkSet {
    pub(crate) fn insert(&mut self, k: usize) {
        if k < SLOTS {
            self.0[k / 64] |= 1 << (k % 64);
        }
    }

    pub(crate) fn contains(&self, k: usize) -> bool {
        k < SLOTS && self.0[k / 64] & (1 << (k % 64)) != 0
    }

    /// The indices, ascending: set bits only, not all 255 slots (one is
    /// listed per request to count the header's bytes).
    pub(crate) fn iter(self) -> impl Iterator<Item = usize> {
        self.0.into_iter().enumerate().flat_map(|(word, mut bits)| {
            core::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some(word * 64 + bit)
            })
        })
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }
}

/// Which of our names a pair carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ours {
    /// The plain name.
    Plain,
    /// Chunk `name.k`.
    Chunk(usize),
}

/// Every pair of ours in the `Cookie` header values `values` (each one
/// header's bytes, in header order), in header order then pair order, with
/// its value (SP and HTAB trimmed). Nothing is allocated; each byte of the
/// headers is looked at a bounded number of times. Taking bytes rather
/// than a `HeaderMap` lets frameworks on other `http` versions (actix-web)
/// share the scan.
pub(crate) fn ours<'h>(
    values: impl IntoIterator<Item = &'h [u8]>,
    name: &str,
) -> impl Iterator<Item = (Ours, &'h [u8])> {
    values
        .into_iter()
        .flat_map(pairs)
        .filter_map(move |pair| classify(pair, name.as_bytes()))
}

/// The `;`-separated pairs of one header, as `split` gives them, found with
/// `memchr` (a vectorized search: the scan is O(header length) at a few
/// bytes per instruction, not a byte-at-a-time loop).
fn pairs(header: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(header);
    core::iter::from_fn(move || {
        let now = rest?;
        match memchr::memchr(b';', now) {
            Some(i) => {
                rest = Some(&now[i + 1..]);
                Some(&now[..i])
            }
            None => {
                rest = None;
                Some(now)
            }
        }
    })
}

/// Whether `pair` is ours, and as which name. A pair whose name differs
/// from ours in any byte (other whitespace such as U+00A0 or U+2000, other
/// case, non-ASCII bytes) is someone else's cookie, however it looks when
/// printed.
fn classify<'a>(pair: &'a [u8], name: &[u8]) -> Option<(Ours, &'a [u8])> {
    let rest = trim_start(pair).strip_prefix(name)?;
    let eq = rest.iter().position(|&b| b == b'=')?;
    // Only trailing SP/HTAB may follow the name before `=`: `name .0` is
    // not a chunk name.
    let suffix = trim_end(&rest[..eq]);
    let value = trim_end(trim_start(&rest[eq + 1..]));
    if suffix.is_empty() {
        return Some((Ours::Plain, value));
    }
    let index = chunk_index(suffix.strip_prefix(b".")?)?;
    Some((Ours::Chunk(index), value))
}

/// `k` for the digits of `name.k`: plain decimal without a leading zero,
/// up to [`MAX_CHUNK_INDEX`].
fn chunk_index(digits: &[u8]) -> Option<usize> {
    let plain = matches!(digits.len(), 1..=3)
        && (digits == b"0" || digits[0] != b'0')
        && digits.iter().all(u8::is_ascii_digit);
    if !plain {
        return None;
    }
    let k = digits
        .iter()
        .fold(0usize, |k, &d| k * 10 + usize::from(d - b'0'));
    (k <= MAX_CHUNK_INDEX).then_some(k)
}

fn is_wsp(b: &u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !is_wsp(b)).unwrap_or(bytes.len());
    &bytes[start..]
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| !is_wsp(b)).map_or(0, |i| i + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_split_exactly_as_split_does() {
        for header in [
            &b""[..],
            b";",
            b";;",
            b"a",
            b"a;",
            b";a",
            b"a=1; b=2",
            b"a=1;;b=2; ",
            b"x=\xff;y",
        ] {
            let ours: Vec<&[u8]> = pairs(header).collect();
            let split: Vec<&[u8]> = header.split(|&b| b == b';').collect();
            assert_eq!(ours, split, "{header:?}");
        }
    }

    #[test]
    fn chunk_sets_list_set_bits_in_order() {
        let mut set = ChunkSet::default();
        for k in [254, 0, 63, 64, 127, 128, 200, 1] {
            set.insert(k);
        }
        set.insert(255); // out of range: ignored
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [0, 1, 63, 64, 127, 128, 200, 254]
        );
        assert_eq!(ChunkSet::default().iter().count(), 0);
    }

    #[test]
    fn chunk_indices_are_plain_decimal() {
        assert_eq!(chunk_index(b"0"), Some(0));
        assert_eq!(chunk_index(b"254"), Some(254));
        for bad in [
            &b""[..],
            b"255",
            b"00",
            b"01",
            b"1x",
            b"-1",
            b"1000",
            b"\xd9\xa1",
        ] {
            assert_eq!(chunk_index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_sp_and_htab_are_trimmed() {
        let n = b"sid";
        assert_eq!(
            classify(b" \tsid \t= v \t", n),
            Some((Ours::Plain, &b"v"[..]))
        );
        assert_eq!(classify(b"sid.3\t=x", n), Some((Ours::Chunk(3), &b"x"[..])));
        assert_eq!(classify(b"sid .3=x", n), None);
        assert_eq!(classify(b"\xc2\xa0sid=x", n), None);
        assert_eq!(classify(b"sid\xc2\xa0=x", n), None);
        assert_eq!(classify(b"sid\x0b=x", n), None);
        assert_eq!(classify(b"sid", n), None);
        assert_eq!(classify(b"sid2=x", n), None);
    }
}
