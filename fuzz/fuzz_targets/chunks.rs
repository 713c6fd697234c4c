//! Chunked cookies (FORMAT.md section 11): arbitrary cookie jars, and the
//! chunks of valid chunked sessions with arbitrary edits, into
//! `Chunking::open_at`. Never a panic or an allocation past the caps; an
//! arbitrary jar never opens; an edited jar opens exactly when it still
//! carries the same count and the same joined value in non-empty parts
//! (moving the split between two chunks changes nothing that is sealed, so
//! it must still open), and then to the original data.
//!
//! The chunked sessions are sealed once per process with random nonces
//! (the crate has no fixed-nonce chunked seal), so a crash input is an
//! edit script that reproduces on any run, not a fixed byte string.
#![no_main]

use arbitrary::Arbitrary;
use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC};
use fuzz_support::seeds::large_session;
use libfuzzer_sys::fuzz_target;
use sealed_session::{Chunking, Error, Session};
use std::sync::OnceLock;

#[derive(Debug, Arbitrary)]
enum Input {
    /// An arbitrary jar: the plain cookie and `name.0`, `name.1`, ...
    Raw {
        single: Option<String>,
        chunks: Vec<String>,
    },
    /// A valid chunked session, edited.
    Edited { jar: u8, edits: Vec<Edit> },
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Drop(u8),
    Swap(u8, u8),
    Duplicate(u8),
    /// Moves `count` characters across the boundary after chunk `at`.
    ShiftSplit {
        at: u8,
        count: u8,
        forward: bool,
    },
    Insert {
        chunk: u8,
        at: u16,
        c: u8,
    },
    Remove {
        chunk: u8,
        at: u16,
    },
    Truncate {
        chunk: u8,
        len: u16,
    },
    /// Rewrites the `n.` prefix of chunk 0.
    SetPrefix(String),
    /// Adds a chunk past the end (left over from an older session).
    Append(String),
    /// Adds a plain cookie, which is read instead of the chunks.
    Single(String),
}

fn chunking() -> Chunking {
    Chunking::new().with_header_budget(32 * 1024)
}

/// The values of valid chunked jars (2, 3 and 4 chunks) and their data.
fn jars() -> &'static [(Vec<String>, FuzzSession)] {
    static JARS: OnceLock<Vec<(Vec<String>, FuzzSession)>> = OnceLock::new();
    JARS.get_or_init(|| {
        let sealer = fixtures::sealer(1);
        [3_000usize, 6_000, 9_000]
            .into_iter()
            .map(|len| {
                let mut data = large_session();
                // Incompressible, so the session needs several cookies.
                let mut x = 0x9e37_79b9_u32;
                data.token = Some(
                    (0..len)
                        .map(|_| {
                            x ^= x << 13;
                            x ^= x >> 17;
                            x ^= x << 5;
                            x as u8
                        })
                        .collect(),
                );
                let sealed = chunking()
                    .seal_at(sealer, &Session::new(data.clone()), fixtures::t0())
                    .expect("seal chunked");
                assert!(sealed.chunk_count().is_some(), "{len} bytes need chunks");
                let values = sealed
                    .set_cookies()
                    .iter()
                    .map(|line| {
                        let (_, rest) = line.split_once('=').expect("name=value");
                        rest.split(';').next().expect("value").to_owned()
                    })
                    .collect();
                (values, data)
            })
            .collect()
    })
}

fn char_of(c: u8) -> char {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const EXTRA: [char; 6] = ['.', '=', ' ', '+', '0', '\u{e9}'];
    match usize::from(c) {
        i @ 0..64 => char::from(ALPHABET[i]),
        i => EXTRA[i % EXTRA.len()],
    }
}

/// A char boundary of `s` picked by `at`.
fn boundary(s: &str, at: u16) -> usize {
    let mut i = usize::from(at) % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(chunks: &mut Vec<String>, single: &mut Option<String>, edit: &Edit) {
    let pick = |i: u8, len: usize| usize::from(i) % len.max(1);
    match edit {
        Edit::Drop(i) if !chunks.is_empty() => {
            chunks.remove(pick(*i, chunks.len()));
        }
        Edit::Swap(a, b) if !chunks.is_empty() => {
            let (a, b) = (pick(*a, chunks.len()), pick(*b, chunks.len()));
            chunks.swap(a, b);
        }
        Edit::Duplicate(i) if !chunks.is_empty() => {
            let i = pick(*i, chunks.len());
            chunks.insert(i, chunks[i].clone());
        }
        Edit::ShiftSplit { at, count, forward } if chunks.len() >= 2 => {
            let i = pick(*at, chunks.len() - 1);
            let (left, right) = chunks.split_at_mut(i + 1);
            let (left, right) = (&mut left[i], &mut right[0]);
            for _ in 0..*count {
                if *forward {
                    match left.pop() {
                        Some(c) => right.insert(0, c),
                        None => break,
                    }
                } else if !right.is_empty() {
                    left.push(right.remove(0));
                }
            }
        }
        Edit::Insert { chunk, at, c } if !chunks.is_empty() => {
            let k = pick(*chunk, chunks.len());
            let s = &mut chunks[k];
            let i = boundary(s, *at);
            s.insert(i, char_of(*c));
        }
        Edit::Remove { chunk, at } if !chunks.is_empty() => {
            let k = pick(*chunk, chunks.len());
            let s = &mut chunks[k];
            if !s.is_empty() {
                let i = boundary(s, *at).min(s.len() - 1);
                if s.is_char_boundary(i) {
                    s.remove(i);
                }
            }
        }
        Edit::Truncate { chunk, len } if !chunks.is_empty() => {
            let k = pick(*chunk, chunks.len());
            let s = &mut chunks[k];
            let i = boundary(s, *len);
            s.truncate(i);
        }
        Edit::SetPrefix(prefix) if !chunks.is_empty() => {
            let rest = chunks[0].split_once('.').map_or("", |(_, r)| r).to_owned();
            chunks[0] = format!("{prefix}{rest}");
        }
        Edit::Append(extra) => chunks.push(extra.clone()),
        Edit::Single(value) => *single = Some(value.clone()),
        _ => {}
    }
}

/// Count and joined value of a jar as FORMAT.md section 11 reads it, if
/// it is well formed (plain single cookie absent, canonical count, the
/// first `n` chunks present and non-empty).
fn logical(chunks: &[String]) -> Option<(usize, String)> {
    let (digits, head) = chunks.first()?.split_once('.')?;
    let canonical = !digits.is_empty()
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    let n: usize = digits.parse().ok().filter(|_| canonical)?;
    if !(2..=4).contains(&n) || chunks.len() < n || head.is_empty() {
        return None;
    }
    let mut joined = head.to_owned();
    for part in &chunks[1..n] {
        if part.is_empty() {
            return None;
        }
        joined.push_str(part);
    }
    Some((n, joined))
}

fn open(single: Option<&str>, chunks: &[String]) -> Result<FuzzSession, Error> {
    alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        chunking()
            .open_at::<FuzzSession>(
                fixtures::sealer(1),
                single,
                |k| chunks.get(k).map(String::as_str),
                fixtures::t0(),
            )
            .map(|o| o.into_session().into_data())
    })
}

fuzz_target!(|input: Input| match input {
    Input::Raw { single, chunks } => {
        let chunks: Vec<String> = chunks.into_iter().take(8).collect();
        if let Err(err) = open(single.as_deref(), &chunks) {
            assert!(err.is_client_fault(), "{err:?}");
        } else {
            panic!("an arbitrary jar opened");
        }
    }
    Input::Edited { jar, edits } => {
        let jars = jars();
        let (original, data) = &jars[usize::from(jar) % jars.len()];
        let mut chunks = original.clone();
        let mut single = None;
        for edit in edits.iter().take(16) {
            apply(&mut chunks, &mut single, edit);
        }
        let result = open(single.as_deref(), &chunks);
        let same = single.is_none() && logical(&chunks) == logical(original);
        match result {
            Ok(opened) => {
                assert!(same, "edited jar opened: {single:?} {chunks:?}");
                assert_eq!(&opened, data);
            }
            Err(err) => {
                assert!(!same, "jar carrying the same value refused: {err:?}");
                assert!(err.is_client_fault(), "{err:?}");
            }
        }
    }
});
