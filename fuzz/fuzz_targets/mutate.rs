//! A valid cookie with arbitrary edits must not open, unless the edits
//! produced a cookie the sealers issued (most simply: changed nothing).
//! Base64url decoding is canonical, so any change of the text is a change
//! of the sealed bytes, and authentication must catch it.
//!
//! Edits act on the text (any character, alphabet or not) or on the
//! decoded bytes (re-encoded afterwards), so both the base64 layer and the
//! header, nonce, ciphertext and tag get mutated.
#![no_main]

use arbitrary::Arbitrary;
use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC};
use fuzz_support::seeds::valid_cookies;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    cookie: u8,
    edits: Vec<Edit>,
    opener: u8,
}

#[derive(Debug, Arbitrary)]
enum Edit {
    // On the text.
    InsertChar {
        at: u16,
        c: u8,
    },
    RemoveChar {
        at: u16,
    },
    ReplaceChar {
        at: u16,
        c: u8,
    },
    Truncate {
        len: u16,
    },
    AppendText(String),
    // On the decoded bytes.
    FlipBits {
        at: u16,
        mask: u8,
    },
    SetByte {
        at: u16,
        value: u8,
    },
    InsertByte {
        at: u16,
        value: u8,
    },
    RemoveByte {
        at: u16,
    },
    /// Overwrite with bytes of another valid cookie at the same offset.
    Splice {
        from: u8,
        start: u16,
        len: u8,
    },
    SwapBytes {
        a: u16,
        b: u16,
    },
}

/// Characters an edit can put in the text: the alphabet and the usual
/// near misses (padding, standard alphabet, whitespace, separators).
fn char_of(c: u8) -> char {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const EXTRA: [char; 12] = [
        '=', '+', '/', ' ', '.', ';', '%', '\n', '\0', 'é', '\u{ff21}', '"',
    ];
    match usize::from(c) {
        i @ 0..64 => char::from(ALPHABET[i]),
        i => EXTRA[i % EXTRA.len()],
    }
}

/// A char boundary of `text` picked by `at`.
fn boundary(text: &str, at: u16) -> usize {
    let mut i = usize::from(at) % (text.len() + 1);
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(text: &mut String, edit: &Edit) {
    let bytes_edit = |text: &mut String, f: &dyn Fn(&mut Vec<u8>)| {
        // Byte edits need bytes: skip them while the text does not decode.
        if let Some(mut bytes) = fixtures::decode(text) {
            f(&mut bytes);
            *text = fixtures::encode(&bytes);
        }
    };
    let index = |at: u16, len: usize| usize::from(at) % len.max(1);
    match *edit {
        Edit::InsertChar { at, c } => {
            let i = boundary(text, at);
            text.insert(i, char_of(c));
        }
        Edit::RemoveChar { at } => {
            if !text.is_empty() {
                let i = boundary(text, at).min(text.len() - 1);
                let i = (0..=i)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.remove(i);
            }
        }
        Edit::ReplaceChar { at, c } => {
            if !text.is_empty() {
                let i = (0..=index(at, text.len()))
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.remove(i);
                text.insert(i, char_of(c));
            }
        }
        Edit::Truncate { len } => {
            let i = boundary(text, len);
            text.truncate(i);
        }
        Edit::AppendText(ref extra) => text.push_str(extra),
        Edit::FlipBits { at, mask } => bytes_edit(text, &|b| {
            if !b.is_empty() {
                let i = index(at, b.len());
                b[i] ^= mask;
            }
        }),
        Edit::SetByte { at, value } => bytes_edit(text, &|b| {
            if !b.is_empty() {
                let i = index(at, b.len());
                b[i] = value;
            }
        }),
        Edit::InsertByte { at, value } => bytes_edit(text, &|b| {
            let i = usize::from(at) % (b.len() + 1);
            b.insert(i, value);
        }),
        Edit::RemoveByte { at } => bytes_edit(text, &|b| {
            if !b.is_empty() {
                let i = index(at, b.len());
                b.remove(i);
            }
        }),
        Edit::Splice { from, start, len } => bytes_edit(text, &|b| {
            let cookies = valid_cookies();
            let donor = &cookies[usize::from(from) % cookies.len()].value;
            let donor = fixtures::decode(donor).expect("valid cookie decodes");
            let start = usize::from(start) % (b.len().min(donor.len()) + 1);
            let end = (start + usize::from(len)).min(b.len()).min(donor.len());
            b[start..end].copy_from_slice(&donor[start..end]);
        }),
        Edit::SwapBytes { a, b: other } => bytes_edit(text, &|b| {
            if !b.is_empty() {
                let (i, j) = (index(a, b.len()), index(other, b.len()));
                b.swap(i, j);
            }
        }),
    }
}

fuzz_target!(|input: Input| {
    let cookies = valid_cookies();
    let original = &cookies[usize::from(input.cookie) % cookies.len()];
    let mut text = original.value.clone();
    for edit in input.edits.iter().take(32) {
        apply(&mut text, edit);
    }
    let sealer = fixtures::sealer(u32::from(input.opener) % 3 + 1);
    let result = alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        sealer.open_at::<FuzzSession>(&text, fixtures::t0())
    });
    // The edits may have rebuilt some issued cookie byte for byte (for
    // example by splicing): that one must open, to its own data.
    match cookies.iter().find(|c| c.value == text) {
        Some(issued) => {
            let opened =
                result.unwrap_or_else(|e| panic!("issued cookie {} refused: {e:?}", issued.name));
            assert_eq!(opened.session().data(), &issued.data);
            assert_eq!(opened.session().subject(), issued.subject.as_deref());
        }
        None => {
            let err = result
                .err()
                .unwrap_or_else(|| panic!("edited cookie opened: {text:?}"));
            assert!(err.is_client_fault(), "{err:?}");
        }
    }
});
