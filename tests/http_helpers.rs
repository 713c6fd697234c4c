//! The `http` helpers: finding our cookie among many, several headers and
//! malformed pairs; duplicates; Set-Cookie values and removals. Look-alike
//! names and the duplicate rules in depth: tests/cookie_names.rs.

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use sealed_session::http::{
    Found, RequestCookies, append_set_cookies, find_cookie, removal, set_cookie, set_cookie_at,
};
use sealed_session::{Chunking, Key, KeyRing, Sealer, Session};

fn headers(values: &[&[u8]]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for v in values {
        map.append(COOKIE, HeaderValue::from_bytes(v).unwrap());
    }
    map
}

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(1)))
        .build()
        .unwrap()
}

#[test]
fn finds_the_cookie_among_many_and_across_headers() {
    let h = headers(&[b"a=1; b=2", b"c=3; sid=value; d=4"]);
    assert_eq!(find_cookie(&h, "sid"), Some("value"));
    assert_eq!(find_cookie(&h, "a"), Some("1"));
    assert_eq!(find_cookie(&h, "missing"), None);
    assert_eq!(find_cookie(&HeaderMap::new(), "sid"), None);
}

#[test]
fn malformed_pairs_around_it_are_skipped() {
    let h = headers(&[b"=empty; novalue; ;;  ; \xff\xfe=bin; x=\"q\"; sid=good; ==; a b=c"]);
    assert_eq!(find_cookie(&h, "sid"), Some("good"));
    // A header that is not UTF-8 as a whole still yields its valid pairs.
    let h = headers(&[b"junk=\xc3\x28; sid=ok"]);
    assert_eq!(find_cookie(&h, "sid"), Some("ok"));
}

#[test]
fn names_match_exactly() {
    let h = headers(&[b"SID=upper; sid2=longer; xsid=prefixed; sid=exact"]);
    assert_eq!(find_cookie(&h, "sid"), Some("exact"));
    let cookies = RequestCookies::parse(&h, "sid");
    assert_eq!(cookies.single(), Some("exact"));
    assert!(!cookies.has_duplicates());
}

#[test]
fn a_name_sent_twice_is_no_single_value_across_headers_and_within_one() {
    // The old rule took the first copy, which a planted cookie can be.
    let h = headers(&[b"sid=first; sid=second", b"sid=third"]);
    assert_eq!(find_cookie(&h, "sid"), None);
    let cookies = RequestCookies::parse(&h, "sid");
    assert_eq!(cookies.single(), None);
    assert!(cookies.has_duplicates());
    assert_eq!(
        cookies.plain_values().collect::<Vec<_>>(),
        ["first", "second", "third"]
    );
    assert_eq!(cookies.header_bytes(), 0, "nothing usable without opening");

    let h = headers(&[b"sid.0=2.a; sid.0=2.b; sid.1=c"]);
    let cookies = RequestCookies::parse(&h, "sid");
    assert_eq!(cookies.chunk(0), None);
    assert_eq!(cookies.chunk(1), None);
    assert!(cookies.has_duplicates());
}

#[test]
fn chunk_names_are_plain_decimal_up_to_254() {
    let h = headers(&[
        b"sid.0=a; sid.254=b; sid.255=c; sid.00=d; sid.01=e; sid.-1=f; sid.=g; sid.1x=h; sid..1=i",
    ]);
    let cookies = RequestCookies::parse(&h, "sid");
    assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [0, 254]);
    assert_eq!(cookies.single(), None);
    assert!(!cookies.is_empty());
}

#[test]
fn a_sealed_cookie_round_trips_through_headers() {
    let sealer = sealer();
    let value = set_cookie(&sealer, &Session::new("alice".to_string())).unwrap();
    let line = value.to_str().unwrap();
    let pair = line.split(';').next().unwrap();
    let h = headers(&[b"other=1", format!("x=y; {pair}; z=w").as_bytes()]);
    let found = find_cookie(&h, sealer.cookie_name()).unwrap();
    assert_eq!(
        sealer.open::<String>(found).unwrap().session().data(),
        "alice"
    );
}

#[test]
fn set_cookie_at_seals_at_the_given_time() {
    let sealer = sealer();
    let t0 = time::macros::datetime!(2030-01-01 0:00 UTC);
    let value = set_cookie_at(&sealer, &Session::new(7u32), t0).unwrap();
    // The same line as the sealer's own, apart from the random nonce.
    let line = value.to_str().unwrap();
    let direct = sealer.seal_at(&Session::new(7u32), t0).unwrap();
    assert_eq!(line.len(), direct.len());
    assert_eq!(
        line.split_once(';').unwrap().1,
        direct.split_once(';').unwrap().1
    );
    let pair = line.split(';').next().unwrap();
    let cookie = &pair[sealer.cookie_name().len() + 1..];
    let opened = sealer.open_at::<u32>(cookie, t0).unwrap();
    assert_eq!(opened.session().issued_at().unwrap(), t0);
    // Sealed at t0, so it is expired a TTL later, whatever the system clock.
    let ttl = sealer
        .open_at::<u32>(cookie, t0)
        .unwrap()
        .session()
        .expires_at()
        .unwrap()
        - t0;
    assert!(
        sealer
            .open_at::<u32>(cookie, t0 + ttl + time::Duration::hours(1))
            .is_err()
    );
}

#[test]
fn removal_and_append() {
    let sealer = sealer();
    assert_eq!(removal(&sealer), sealer.removal_cookie().as_str());
    let mut out = HeaderMap::new();
    out.append(SET_COOKIE, HeaderValue::from_static("theme=dark"));
    append_set_cookies(&mut out, [removal(&sealer), removal(&sealer)]);
    assert_eq!(out.get_all(SET_COOKIE).iter().count(), 3);
}

#[test]
fn removals_cover_everything_the_request_carried() {
    let sealer = sealer();
    let n = sealer.cookie_name();
    let h = headers(&[format!("{n}=a; {n}.0=3.x; {n}.1=y; {n}.2=z; other=1").as_bytes()]);
    let cookies = RequestCookies::parse(&h, n);
    let lines: Vec<String> = cookies
        .removals(&sealer)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(lines.len(), 4);
    for (line, name) in lines.iter().zip([
        n.to_string(),
        format!("{n}.0"),
        format!("{n}.1"),
        format!("{n}.2"),
    ]) {
        assert!(
            line.starts_with(&format!("{name}=; Max-Age=0; Path=/; Secure; HttpOnly")),
            "{line}"
        );
    }
}

#[test]
fn replacing_a_chunked_session_with_a_single_cookie_clears_the_chunks() {
    let sealer = sealer();
    let n = sealer.cookie_name();
    let h = headers(&[format!("{n}.0=2.x; {n}.1=y").as_bytes()]);
    let sealed = Chunking::new().seal(&sealer, &Session::new(1u8)).unwrap();
    let values = RequestCookies::parse(&h, n)
        .replace_with(&sealer, &sealed)
        .unwrap();
    let lines: Vec<&str> = values.iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with(&format!("{n}=")) && !lines[0].contains("Max-Age=0"));
    assert!(lines[1].starts_with(&format!("{n}.0=; Max-Age=0")));
    assert!(lines[2].starts_with(&format!("{n}.1=; Max-Age=0")));

    // And the other way: a chunked session replaces a single cookie.
    let h = headers(&[format!("{n}=old").as_bytes()]);
    let big = Chunking::new()
        .seal(&sealer, &Session::new(vec![1u8; 4000]))
        .unwrap();
    let values = RequestCookies::parse(&h, n)
        .replace_with(&sealer, &big)
        .unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(values[2], sealer.removal_cookie().as_str());
}

#[test]
fn cache_protection_merges_with_the_handlers_directives() {
    use http::header::CACHE_CONTROL;
    use sealed_session::http::{CacheProtection, protect_from_caches};
    let run = |values: &[&[u8]], level| {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(CACHE_CONTROL, HeaderValue::from_bytes(v).unwrap());
        }
        protect_from_caches(&mut h, level);
        let out: Vec<&str> = h
            .get_all(CACHE_CONTROL)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        out.join(" | ")
    };
    use CacheProtection::{NoStore, Private};
    assert_eq!(run(&[], Private), "private");
    assert_eq!(run(&[], NoStore), "no-store");
    // Several headers become one; weakening directives go, in any case.
    assert_eq!(
        run(&[b"PUBLIC", b"max-age=5, S-MaxAge=9"], Private),
        "max-age=5, private"
    );
    // A field-qualified private (commas inside its quotes) is not private.
    assert_eq!(
        run(&[br#"private="Set-Cookie, X", max-age=5"#], Private),
        "max-age=5, private"
    );
    // Stricter or equal: left exactly as the handler wrote it.
    assert_eq!(run(&[b"no-store"], Private), "no-store");
    assert_eq!(
        run(&[b"NO-STORE, max-age=0"], NoStore),
        "NO-STORE, max-age=0"
    );
    assert_eq!(
        run(&[b"private", b"max-age=1"], Private),
        "private | max-age=1"
    );
    // private is not enough for a new session.
    assert_eq!(run(&[b"private"], NoStore), "private, no-store");
    // no-store beside public: no-store wins, public is dropped anyway.
    assert_eq!(run(&[b"public, no-store"], Private), "no-store");
    // An unreadable value is dropped (it might say public).
    assert_eq!(
        run(&[b"max-age=5", b"\xffpublic"], Private),
        "max-age=5, private"
    );
}

#[test]
fn vary_gains_cookie_once() {
    use http::header::VARY;
    use sealed_session::http::vary_on_cookie;
    let run = |values: &[&[u8]]| {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(VARY, HeaderValue::from_bytes(v).unwrap());
        }
        vary_on_cookie(&mut h);
        let out: Vec<String> = h
            .get_all(VARY)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        out.join(" | ")
    };
    assert_eq!(run(&[]), "Cookie");
    assert_eq!(
        run(&[b"Origin", b"Accept-Encoding"]),
        "Origin, Accept-Encoding, Cookie"
    );
    assert_eq!(run(&[b"origin, cookie"]), "origin, cookie");
    assert_eq!(run(&[b"*"]), "*");
    assert_eq!(run(&[b" , "]), "Cookie");
    // Unreadable values are kept; Cookie comes as its own line.
    assert_eq!(run(&[b"X-\xff"]), "X-\u{fffd} | Cookie");
}

/// Chunk indices past the 16 kept inline are found too, duplicates of them
/// are a conflict, and a request naming every index is bounded work.
#[test]
fn high_chunk_indices_are_read_and_their_duplicates_refused() {
    use sealed_session::http::{CookieConflict, RequestCookies};
    let header = "sid.20=t; sid.3=c; sid.254=z".as_bytes();
    let cookies = RequestCookies::from_header_values([header], "sid");
    assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [3, 20, 254]);
    assert_eq!(
        (cookies.chunk(20), cookies.chunk(254), cookies.chunk(3)),
        (Some("t"), Some("z"), Some("c"))
    );
    assert_eq!(cookies.chunk(21), None);
    assert_eq!(
        cookies.header_bytes(),
        "sid.20=t; sid.3=c; sid.254=z; ".len()
    );

    let twice = "sid.30=a; sid.30=b".as_bytes();
    let cookies = RequestCookies::from_header_values([twice], "sid");
    assert_eq!(cookies.conflict(), Some(CookieConflict::DuplicateChunk));
    assert_eq!(cookies.chunk(30), None);

    let every: String = (0..300).map(|k| format!("sid.{k}=v{k}; ")).collect();
    let cookies = RequestCookies::from_header_values([every.as_bytes()], "sid");
    assert_eq!(cookies.chunk_indices().count(), 255, "0..=254 only");
    assert_eq!(cookies.chunk(254), Some("v254"));
}

#[test]
fn a_session_of_more_chunks_than_are_kept_inline_opens_through_the_headers() {
    // Four chunk values are kept inline (the default count); the fifth and
    // later go in a list: the same session must open either way.
    let sealer = sealer();
    let chunking = Chunking::new()
        .with_max_chunks(6)
        .with_header_budget(30_000);
    let data: String = (0..16_000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let sealed = chunking.seal(&sealer, &Session::new(data.clone())).unwrap();
    assert_eq!(sealed.chunk_count(), Some(6));
    // Sent in reverse order, over two headers.
    let pairs: Vec<String> = sealed
        .set_cookies()
        .iter()
        .rev()
        .map(|line| line.split(';').next().unwrap().to_owned())
        .collect();
    let (first, second) = pairs.split_at(2);
    let h = headers(&[first.join("; ").as_bytes(), second.join("; ").as_bytes()]);
    let cookies = RequestCookies::parse(&h, sealer.cookie_name());
    assert_eq!(
        cookies.chunk_indices().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    match cookies.open::<String>(&sealer, Some(chunking)) {
        Found::Session(opened) => assert_eq!(*opened.session().data(), data),
        other => panic!("{other:?}"),
    }
    // The same chunks under a chunking that allows four: refused, no session.
    let four = Chunking::new()
        .with_max_chunks(4)
        .with_header_budget(30_000);
    assert!(matches!(
        cookies.open::<String>(&sealer, Some(four)),
        Found::Invalid(_)
    ));
}
