//! Which pairs of a `Cookie` header are ours (feature `http`): names are
//! exact bytes, only SP and HTAB are trimmed, look-alike names (Unicode
//! whitespace, other case, non-ASCII bytes) are other cookies, and
//! duplicates follow the rules of `sealed_session::http`: a duplicate of a
//! `__Host-`/`__Secure-` name is a conflict (no session, nothing deleted),
//! copies of an unprefixed name are opened and only a single authentic one
//! is used. The same rules hold for chunk names.
#![cfg(feature = "http")]

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::http::{CookieConflict, Found, RequestCookies, find_cookie};
use sealed_session::{Chunking, Key, KeyRing, Sealer, Session};

/// The whitespace that Unicode-aware trimming strips and RFC 6265 does
/// not: the list, plus the byte-order mark.
const LOOKALIKE: &[char] = &[
    '\u{2000}', '\u{00A0}', '\u{3000}', '\u{0085}', '\u{1680}', '\u{205F}', '\u{2028}', '\u{FEFF}',
];

const HOST: &str = "__Host-session";

fn headers(values: &[&[u8]]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for v in values {
        map.append(COOKIE, HeaderValue::from_bytes(v).unwrap());
    }
    map
}

fn sealer(name: &str) -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(1)))
        .with_cookie_name(name)
        .build()
        .unwrap()
}

fn sealed(sealer: &Sealer, data: &str) -> String {
    sealer.seal_value(&Session::new(data.to_string())).unwrap()
}

fn opened(found: Found<String>) -> Option<String> {
    match found {
        Found::Session(opened) => Some(opened.session().data().clone()),
        _ => None,
    }
}

/// Every look-alike of `name`: each character before, after and inside the
/// name, and between the name and `=`.
fn lookalikes(name: &str) -> Vec<String> {
    let (head, tail) = name.split_at(name.len() / 2);
    LOOKALIKE
        .iter()
        .flat_map(|c| {
            [
                format!("{c}{name}"),
                format!("{name}{c}"),
                format!("{head}{c}{tail}"),
                format!("{name} {c}"),
                format!("{c} {name}"),
            ]
        })
        .collect()
}

#[test]
fn unicode_whitespace_around_or_inside_a_name_makes_another_cookie() {
    let sealer = sealer(HOST);
    let genuine = sealed(&sealer, "victim");
    for fake in lookalikes(HOST) {
        let planted = format!("{fake}=planted");
        let alone = headers(&[planted.as_bytes()]);
        let cookies = RequestCookies::parse(&alone, HOST);
        assert!(cookies.is_empty(), "{fake:?} read as ours");
        assert_eq!(find_cookie(&alone, HOST), None, "{fake:?}");
        assert!(matches!(cookies.open::<String>(&sealer, None), Found::None));
        assert!(cookies.removals(&sealer).is_empty(), "{fake:?}");

        // Beside the genuine cookie, planted first and last, in one header
        // and in separate ones: the genuine one is read, no duplicate.
        let real = format!("{HOST}={genuine}");
        for h in [
            headers(&[format!("{planted}; {real}").as_bytes()]),
            headers(&[format!("{real}; {planted}").as_bytes()]),
            headers(&[planted.as_bytes(), real.as_bytes()]),
            headers(&[real.as_bytes(), planted.as_bytes()]),
        ] {
            let cookies = RequestCookies::parse(&h, HOST);
            assert_eq!(cookies.single(), Some(genuine.as_str()), "{fake:?}");
            assert!(!cookies.has_duplicates(), "{fake:?}");
            assert_eq!(cookies.conflict(), None);
            let found = cookies.open::<String>(&sealer, None);
            assert_eq!(opened(found).as_deref(), Some("victim"), "{fake:?}");
        }
    }
}

#[test]
fn look_alike_chunk_names_are_other_cookies() {
    for c in LOOKALIKE {
        for fake in [
            format!("{c}{HOST}.0"),
            format!("{HOST}.0{c}"),
            format!("{HOST}{c}.0"),
            format!("{HOST}.{c}0"),
            format!("{HOST} .0"),
        ] {
            let h = headers(&[format!("{fake}=2.planted; {HOST}.0=2.real; {HOST}.1=b").as_bytes()]);
            let cookies = RequestCookies::parse(&h, HOST);
            assert_eq!(cookies.chunk(0), Some("2.real"), "{fake:?}");
            assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [0, 1]);
            assert!(!cookies.has_duplicates(), "{fake:?}");
        }
    }
    // Digits that only look like digits (Arabic-Indic one, full-width one).
    let h = headers(&["__Host-session.\u{661}=x; __Host-session.\u{FF11}=y".as_bytes()]);
    assert!(RequestCookies::parse(&h, HOST).is_empty());
}

#[test]
fn other_case_and_non_ascii_bytes_are_other_cookies() {
    let raw: &[&[u8]] = &[
        b"__host-session=a",
        b"__HOST-SESSION=b",
        b"__Host-Session=c",
        b"\xff__Host-session=d",
        b"__Host-session\x80=e",
        b"__Host-sessi\xc3\xb3n=f",
        "\u{FF3F}\u{FF3F}Host-session=g".as_bytes(),
        b"__Host-session\xc2=h",
        b"__Host-session.0\xa0=2.i",
    ];
    for pair in raw {
        let h = headers(&[pair]);
        assert!(RequestCookies::parse(&h, HOST).is_empty(), "{pair:?}");
    }
    let mut all = raw.join(&b"; "[..]);
    all.extend_from_slice(b"; __Host-session=real");
    let h = headers(&[&all]);
    let cookies = RequestCookies::parse(&h, HOST);
    assert_eq!(cookies.single(), Some("real"));
    assert!(!cookies.has_duplicates());
}

#[test]
fn sp_and_htab_around_names_and_values_are_trimmed() {
    let h = headers(&[b" \t__Host-session \t=\t value \t;\t__Host-session.1  = two "]);
    let cookies = RequestCookies::parse(&h, HOST);
    assert_eq!(cookies.single(), Some("value"));
    assert_eq!(cookies.chunk(1), Some("two"));
    assert_eq!(find_cookie(&h, HOST), Some("value"));
    // A trimmed genuine cookie still opens.
    let sealer = sealer(HOST);
    let value = sealed(&sealer, "spaced");
    let h = headers(&[format!("a=1;\t {HOST}\t= {value}\t ;b=2").as_bytes()]);
    let found = RequestCookies::parse(&h, HOST).open::<String>(&sealer, None);
    assert_eq!(opened(found).as_deref(), Some("spaced"));
}

#[test]
fn a_value_that_is_not_utf8_is_empty_and_still_a_copy() {
    let h = headers(&[b"__Host-session=\xff\xfe"]);
    let cookies = RequestCookies::parse(&h, HOST);
    assert_eq!(cookies.single(), Some(""));
    let sealer = sealer(HOST);
    assert!(matches!(
        cookies.open::<String>(&sealer, None),
        Found::Invalid(_)
    ));
    let h = headers(&[b"__Host-session=\xff\xfe; __Host-session=abc"]);
    assert_eq!(
        RequestCookies::parse(&h, HOST).conflict(),
        Some(CookieConflict::DuplicatePrefixed)
    );
}

#[test]
fn a_duplicate_prefixed_name_is_a_conflict_whatever_the_order() {
    for name in [
        "__Host-session",
        "__Secure-session",
        "__host-s",
        "__SECURE-s",
    ] {
        let sealer = sealer(name);
        let genuine = sealed(&sealer, "victim");
        let attacker = sealed(&sealer, "attacker");
        let real = format!("{name}={genuine}");
        for planted in ["garbage".to_string(), attacker] {
            let fake = format!("{name}={planted}");
            for h in [
                headers(&[format!("{fake}; {real}").as_bytes()]),
                headers(&[format!("{real}; {fake}").as_bytes()]),
                headers(&[fake.as_bytes(), real.as_bytes()]),
                headers(&[real.as_bytes(), b"x=1", fake.as_bytes()]),
            ] {
                let cookies = RequestCookies::parse(&h, name);
                assert_eq!(cookies.conflict(), Some(CookieConflict::DuplicatePrefixed));
                assert_eq!(cookies.single(), None, "{name}");
                assert_eq!(cookies.plain_values().count(), 0);
                assert_eq!(find_cookie(&h, name), None);
                assert!(cookies.removals(&sealer).is_empty(), "no removal");
                assert!(matches!(
                    cookies.open::<String>(&sealer, Some(Chunking::new())),
                    Found::Conflict(CookieConflict::DuplicatePrefixed)
                ));
                // A new session is still written, and nothing deleted.
                let new = Chunking::new().seal(&sealer, &Session::new(1u8)).unwrap();
                let lines = cookies.replace_with(&sealer, &new).unwrap();
                assert_eq!(lines.len(), 1);
                assert!(!lines[0].to_str().unwrap().contains("Max-Age=0"));
            }
        }
    }
}

#[test]
fn a_duplicate_prefixed_chunk_name_is_a_conflict() {
    let n = HOST;
    for header in [
        format!("{n}.0=3.a; {n}.1=b; {n}.2=c; {n}.1=planted"),
        format!("{n}.1=planted; {n}.0=3.a; {n}.1=b; {n}.2=c"),
        format!("{n}=x; {n}.0=2.a; {n}.0=2.b"),
    ] {
        let h = headers(&[header.as_bytes()]);
        let cookies = RequestCookies::parse(&h, n);
        assert_eq!(
            cookies.conflict(),
            Some(CookieConflict::DuplicatePrefixed),
            "{header}"
        );
        assert_eq!(cookies.chunk(0), None);
        assert_eq!(cookies.chunk_indices().count(), 0);
        assert!(cookies.removals(&sealer(n)).is_empty());
    }
}

#[test]
fn copies_of_an_unprefixed_name_use_the_single_one_that_opens() {
    let sealer = sealer("sid");
    let genuine = sealed(&sealer, "victim");
    let attacker = sealed(&sealer, "attacker");
    let other_key = sealed(&self::sealer("sid"), "other key");
    let open = |header: String| {
        let h = headers(&[header.as_bytes()]);
        RequestCookies::parse(&h, "sid").open::<String>(&sealer, None)
    };
    // Planted garbage (or a cookie under another key) first or last.
    for planted in ["garbage", other_key.as_str()] {
        let found = open(format!("sid={planted}; sid={genuine}"));
        assert_eq!(opened(found).as_deref(), Some("victim"));
        let found = open(format!("sid={genuine}; sid={planted}"));
        assert_eq!(opened(found).as_deref(), Some("victim"));
    }
    // Two that open: the attacker's own session cannot win, in either order.
    for header in [
        format!("sid={attacker}; sid={genuine}"),
        format!("sid={genuine}; sid={attacker}"),
    ] {
        assert!(matches!(
            open(header),
            Found::Conflict(CookieConflict::Ambiguous)
        ));
    }
    // None opens: no session, and (unlike a single bad cookie) no removal.
    assert!(matches!(
        open("sid=a; sid=b".into()),
        Found::Conflict(CookieConflict::Ambiguous)
    ));
    // More copies than are tried.
    assert!(matches!(
        open(format!("sid=1; sid=2; sid=3; sid=4; sid={genuine}")),
        Found::Conflict(CookieConflict::Ambiguous)
    ));
    // A single bad copy is an ordinary invalid cookie, deleted by the caller.
    assert!(matches!(open("sid=garbage".into()), Found::Invalid(_)));
}

#[test]
fn unprefixed_chunks_beside_a_plain_copy_or_duplicated() {
    let sealer = sealer("sid");
    let chunking = Chunking::new();
    let big = chunking
        .seal(&sealer, &Session::new("c".repeat(4000)))
        .unwrap();
    let genuine: Vec<String> = big
        .set_cookies()
        .iter()
        .map(|l| l.split(';').next().unwrap().to_owned())
        .collect();
    let genuine = genuine.join("; ");
    let open = |header: String| {
        let h = headers(&[header.as_bytes()]);
        RequestCookies::parse(&h, "sid").open::<String>(&sealer, Some(chunking))
    };
    // A planted plain cookie beside genuine chunks: the chunks open.
    for header in [
        format!("sid=garbage; {genuine}"),
        format!("{genuine}; sid=garbage"),
    ] {
        assert_eq!(opened(open(header)).map(|d| d.len()), Some(4000));
    }
    // A planted chunk beside a genuine plain cookie: the plain one opens.
    let single = sealed(&sealer, "plain");
    let found = open(format!("sid.0=2.x; sid={single}; sid.1=y"));
    assert_eq!(opened(found).as_deref(), Some("plain"));
    // A duplicated chunk is never combined: a conflict, in either order.
    for header in [
        format!("sid.0=2.planted; {genuine}"),
        format!("{genuine}; sid.1=planted"),
    ] {
        let h = headers(&[header.as_bytes()]);
        let cookies = RequestCookies::parse(&h, "sid");
        assert_eq!(cookies.conflict(), Some(CookieConflict::DuplicateChunk));
        assert!(cookies.removals(&sealer).is_empty());
        assert!(matches!(
            cookies.open::<String>(&sealer, Some(chunking)),
            Found::Conflict(CookieConflict::DuplicateChunk)
        ));
    }
}

#[test]
fn conflicts_are_typed_and_printable() {
    for (conflict, text) in [
        (CookieConflict::DuplicatePrefixed, "__Host-/__Secure-"),
        (CookieConflict::DuplicateChunk, "chunk"),
        (CookieConflict::Ambiguous, "not exactly one"),
    ] {
        assert!(conflict.to_string().contains(text), "{conflict}");
        let _: &dyn std::error::Error = &conflict;
    }
}
