//! Chunking: layout, per-cookie and budget limits, the authenticated count
//! (dropped, reordered, added, mixed chunks), stale chunks.

use sealed_session::{Chunking, Error, Key, KeyRing, Malformed, SealedCookies, Sealer, Session};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(1)))
        .build_at(NOW)
        .unwrap()
}

/// `(name, value)` of each Set-Cookie line.
fn jar(sealed: &SealedCookies) -> Vec<(String, String)> {
    sealed
        .set_cookies()
        .iter()
        .map(|line| {
            let pair = line.split(';').next().unwrap();
            let (n, v) = pair.split_once('=').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

fn open(c: &Chunking, s: &Sealer, chunks: &[String]) -> Result<Vec<u8>, Error> {
    c.open_at::<Vec<u8>>(s, None, |k| chunks.get(k).map(String::as_str), NOW)
        .map(|o| o.into_session().into_data())
}

fn values(sealed: &SealedCookies) -> Vec<String> {
    jar(sealed).into_iter().map(|(_, v)| v).collect()
}

#[test]
fn small_sessions_stay_one_plain_v1_cookie() {
    let s = sealer();
    let sealed = Chunking::new()
        .seal_at(&s, &Session::new(vec![1u8; 100]), NOW)
        .unwrap();
    assert_eq!(sealed.chunk_count(), None);
    let (name, value) = &jar(&sealed)[0];
    assert_eq!(name, s.cookie_name());
    // A plain v1 value: the sealer alone opens it.
    assert_eq!(
        s.open_at::<Vec<u8>>(value, NOW)
            .unwrap()
            .session()
            .data()
            .len(),
        100
    );
}

#[test]
fn large_sessions_split_into_the_fewest_chunks_each_within_the_limit() {
    let s = sealer();
    let c = Chunking::new()
        .with_max_chunks(5)
        .with_header_budget(20_000);
    for (len, want) in [(2900, 1), (3100, 2), (5800, 2), (6200, 3), (11_000, 4)] {
        let data = vec![7u8; len];
        let sealed = c.seal_at(&s, &Session::new(data.clone()), NOW).unwrap();
        let count = sealed.chunk_count().map_or(1, usize::from);
        assert_eq!(count, want, "{len}");
        for (k, line) in sealed.set_cookies().iter().enumerate() {
            assert!(line.len() <= 4096, "{len} chunk {k}: {}", line.len());
            assert!(line.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"));
            if want > 1 {
                assert!(line.starts_with(&format!("{}.{k}=", s.cookie_name())));
            }
        }
        if want > 1 {
            assert!(values(&sealed)[0].starts_with(&format!("{want}.")));
            assert_eq!(open(&c, &s, &values(&sealed)).unwrap(), data);
        }
    }
}

#[test]
fn the_first_chunk_fills_the_cookie_limit_exactly() {
    let s = sealer();
    let sealed = Chunking::new()
        .seal_at(&s, &Session::new(vec![7u8; 4000]), NOW)
        .unwrap();
    assert_eq!(sealed.chunk_count(), Some(2));
    assert_eq!(sealed.set_cookies()[0].len(), 4096);
}

#[test]
fn dropped_reordered_added_or_mixed_chunks_fail() {
    let s = sealer();
    let c = Chunking::new()
        .with_max_chunks(4)
        .with_header_budget(20_000);
    let a = values(&c.seal_at(&s, &Session::new(vec![1u8; 7000]), NOW).unwrap());
    let b = values(&c.seal_at(&s, &Session::new(vec![2u8; 7000]), NOW).unwrap());
    assert_eq!(a.len(), 3);
    assert_eq!(open(&c, &s, &a).unwrap(), vec![1u8; 7000]);

    // Dropped: the last chunk missing, or a middle one.
    assert_eq!(
        open(&c, &s, &a[..2]),
        Err(Error::Malformed(Malformed::Chunks))
    );
    // Dropped with a forged count: the count is authenticated.
    let mut short = a[..2].to_vec();
    short[0] = short[0].replacen("3.", "2.", 1);
    assert_eq!(open(&c, &s, &short), Err(Error::Unauthenticated));
    // Reordered.
    let swapped = vec![a[0].clone(), a[2].clone(), a[1].clone()];
    assert!(open(&c, &s, &swapped).is_err());
    // Added: a fourth chunk claimed by the count.
    let mut added = a.clone();
    added[0] = added[0].replacen("3.", "4.", 1);
    added.push("AAAA".into());
    assert_eq!(open(&c, &s, &added), Err(Error::Unauthenticated));
    // Mixed from two sessions.
    let mixed = vec![a[0].clone(), b[1].clone(), a[2].clone()];
    assert_eq!(open(&c, &s, &mixed), Err(Error::Unauthenticated));
    // A chunk moved from the end into the first cookie (same joined text,
    // count 2 instead of 3).
    // (Refused by the length cap here; authentication would refuse it too.)
    let joined = vec![a[0].replacen("3.", "2.", 1), format!("{}{}", a[1], a[2])];
    assert!(matches!(
        open(&c, &s, &joined),
        Err(Error::TooLarge { .. } | Error::Unauthenticated)
    ));
    let c2 = Chunking::new()
        .with_max_chunks(4)
        .with_header_budget(20_000);
    let two = values(&c2.seal_at(&s, &Session::new(vec![1u8; 4000]), NOW).unwrap());
    let merged = vec![format!("{}{}", two[0], two[1])];
    assert_eq!(
        open(&c2, &s, &merged),
        Err(Error::Malformed(Malformed::Chunks))
    );
}

#[test]
fn a_chunked_value_does_not_open_as_a_single_cookie_and_back() {
    let s = sealer();
    let c = Chunking::new();
    let parts = values(&c.seal_at(&s, &Session::new(vec![1u8; 4000]), NOW).unwrap());
    let joined = format!("{}{}", parts[0].split_once('.').unwrap().1, parts[1]);
    // Joined, it is too long for one cookie; the single path refuses it
    // even without the cap, because the count is in the associated data.
    assert!(s.open_at::<Vec<u8>>(&joined, NOW).is_err());
    // A single value presented as one "chunk" of a two-chunk session.
    let single = s.seal_value_at(&Session::new(vec![1u8; 10]), NOW).unwrap();
    let (head, tail) = single.split_at(10);
    let forged = vec![format!("2.{head}"), tail.to_owned()];
    assert_eq!(open(&c, &s, &forged), Err(Error::Unauthenticated));
}

#[test]
fn stale_chunks_beyond_the_count_are_ignored_and_cleared() {
    let s = sealer();
    let c = Chunking::new()
        .with_max_chunks(4)
        .with_header_budget(20_000);
    let mut chunks = values(&c.seal_at(&s, &Session::new(vec![3u8; 4000]), NOW).unwrap());
    assert_eq!(chunks.len(), 2);
    // A third chunk left from an older, larger session does not matter.
    chunks.push("leftover".into());
    assert_eq!(open(&c, &s, &chunks).unwrap(), vec![3u8; 4000]);
    let removals = Chunking::removals(&s, false, [0, 1, 2], 2);
    assert_eq!(
        removals,
        [format!(
            "{}.2=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax",
            s.cookie_name()
        )]
    );
    assert_eq!(Chunking::removals(&s, true, [], 2), [s.removal_cookie()]);
    assert!(Chunking::removals(&s, true, [], 0).is_empty());
}

#[test]
fn the_header_budget_and_the_chunk_count_bound_the_session() {
    let s = sealer();
    let session = Session::new(vec![1u8; 5000]);
    // Fits three chunks, but not a 5000-byte budget.
    let c = Chunking::new().with_max_chunks(4).with_header_budget(5000);
    match c.seal_at(&s, &session, NOW) {
        Err(Error::TooLarge { size, limit }) => assert!(size > limit && limit < 5000),
        other => panic!("{other:?}"),
    }
    // Fits the budget, not two chunks.
    let c = Chunking::new()
        .with_max_chunks(2)
        .with_header_budget(20_000);
    let huge = Session::new(vec![1u8; 9000]);
    match c.seal_at(&s, &huge, NOW) {
        Err(Error::TooLarge { size, limit }) => assert!(size > limit && limit > 8000),
        other => panic!("{other:?}"),
    }
    // Within both, with the request-header bytes counted.
    let c = Chunking::new().with_header_budget(7000);
    let sealed = c.seal_at(&s, &session, NOW).unwrap();
    let header: usize = jar(&sealed)
        .iter()
        .map(|(n, v)| n.len() + 1 + v.len() + 2)
        .sum();
    assert!(header - 2 <= 7000, "{header}");
}

#[test]
fn bad_counts_and_missing_chunks_are_malformed() {
    let s = sealer();
    let c = Chunking::new();
    for first in ["", "AAAA", "1.AAAA", "5.AAAA", "02.AAAA", "2."] {
        let chunks = vec![first.to_string(), "BBBB".to_string()];
        assert_eq!(
            open(&c, &s, &chunks),
            Err(Error::Malformed(Malformed::Chunks)),
            "{first:?}"
        );
    }
    let chunks = vec!["2.AAAA".to_string(), String::new()];
    assert_eq!(
        open(&c, &s, &chunks),
        Err(Error::Malformed(Malformed::Chunks))
    );
    assert_eq!(open(&c, &s, &[]), Err(Error::Malformed(Malformed::Empty)));
    // Joined chunks longer than the count of cookies can hold.
    let long = vec!["2.".to_string() + &"A".repeat(5000), "A".repeat(5000)];
    assert!(matches!(open(&c, &s, &long), Err(Error::TooLarge { .. })));
}

#[test]
fn settings_are_checked_once() {
    let s = sealer();
    assert!(Chunking::new().check(&s).is_ok());
    for bad in [
        Chunking::new().with_max_chunks(0),
        Chunking::new().with_max_chunks(1),
        Chunking::new().with_header_budget(10),
    ] {
        assert_eq!(
            bad.check(&s),
            Err(Error::InvalidConfig(sealed_session::ConfigError::Chunking))
        );
    }
}

#[test]
fn a_session_that_fits_one_cookie_is_one_plain_cookie_whatever_the_budget() {
    // FORMAT.md section 11: the header budget bounds chunked values only.
    // The smallest budget `check` accepts is far below one cookie.
    let s = sealer();
    let name = s.cookie_name();
    let tiny = Chunking::new().with_header_budget(name.len() + ".0=2.".len() + 64);
    tiny.check(&s).unwrap();
    let session = Session::new(vec![5u8; 2900]);
    let plain = s.seal_at(&session, NOW).unwrap();
    let sealed = tiny.seal_at(&s, &session, NOW).unwrap();
    assert_eq!(sealed.chunk_count(), None);
    let [line] = sealed.set_cookies() else {
        panic!("{:?}", sealed.set_cookies())
    };
    // The same line as without chunking (the nonce aside): same name, same
    // length, same attributes, and the plain sealer opens it.
    assert_eq!(line.len(), plain.len());
    assert!(line.len() > tiny.header_budget());
    let tail = |l: &str| l.split_once(';').unwrap().1.to_owned();
    assert_eq!(tail(line), tail(&plain));
    let (_, value) = &jar(&sealed)[0];
    assert_eq!(
        s.open_at::<Vec<u8>>(value, NOW).unwrap().session().data(),
        session.data()
    );
    // Larger than one cookie: no chunked layout fits the budget, and the
    // limit reported is the one cookie's capacity, 4096 minus
    // `__Host-session=`, `; Max-Age=604800` and the 40 attribute bytes.
    let huge = Session::new(vec![5u8; 3100]);
    match tiny.seal_at(&s, &huge, NOW) {
        Err(Error::TooLarge { size, limit }) => {
            assert_eq!(limit, 4096 - 15 - 16 - 40);
            assert!(size > limit);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn chunk_shape_is_checked_before_the_joined_length() {
    // FORMAT.md section 11: missing or empty chunks are malformed whatever
    // the length of the others; only well-shaped chunks meet the length
    // check (n times the maximum cookie size), and that before decoding.
    let s = sealer();
    let c = Chunking::new();
    let chunks = |parts: &[&str]| parts.iter().map(|p| p.to_string()).collect::<Vec<_>>();
    let huge = "!".repeat(20_000);
    let malformed = Err(Error::Malformed(Malformed::Chunks));
    // The last chunk missing, after one over the length limit.
    assert_eq!(open(&c, &s, &chunks(&["3.AAAA", &huge])), malformed);
    // An empty chunk after one over the length limit.
    assert_eq!(open(&c, &s, &chunks(&["3.AAAA", &huge, ""])), malformed);
    // An empty first part before one over the length limit.
    assert_eq!(open(&c, &s, &chunks(&["3.", &huge, "AAAA"])), malformed);
    // Well-shaped but too long: too large, not malformed base64.
    let limit = 3 * 4096;
    assert_eq!(
        open(&c, &s, &chunks(&["3.AAAA", &huge, "!"])),
        Err(Error::TooLarge {
            size: 4 + 20_000 + 1,
            limit
        })
    );
    // Exactly at the limit the value is decoded: zero bytes, version 0.
    let a = "A".repeat(limit - 8);
    assert_eq!(
        open(&c, &s, &chunks(&["3.AAAA", &a, "AAAA"])),
        Err(Error::UnsupportedVersion { version: 0 })
    );
    let a = "A".repeat(limit - 7);
    assert_eq!(
        open(&c, &s, &chunks(&["3.AAAA", &a, "AAAA"])),
        Err(Error::TooLarge {
            size: limit + 1,
            limit
        })
    );
}
