//! Finding our cookies in a request allocates nothing (feature `http`),
//! however many other cookies, headers, look-alikes or chunks it carries,
//! and opening a plain cookie through `RequestCookies::open` allocates only
//! what opening it does.
#![cfg(feature = "http")]

#[path = "counting_alloc/mod.rs"]
mod counting_alloc;

use counting_alloc::{Counting, allocations};
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use sealed_session::http::{Found, RequestCookies, find_cookie};
use sealed_session::{Key, KeyRing, Sealer, Session};

#[global_allocator]
static GLOBAL: Counting = Counting;

const NAME: &str = "__Host-session";

#[test]
fn the_scan_allocates_nothing() {
    let others: Vec<String> = (0..200).map(|i| format!("c{i}=v{i}")).collect();
    let mut map = HeaderMap::new();
    map.append(COOKIE, HeaderValue::from_str(&others.join("; ")).unwrap());
    map.append(
        COOKIE,
        HeaderValue::from_bytes(
            "\u{2000}__Host-session=planted; __Host-session.1=b; __Host-session.0=2.a".as_bytes(),
        )
        .unwrap(),
    );
    map.append(COOKIE, HeaderValue::from_static("__Host-session=x; y=z"));
    let (cookies, n) = allocations(|| RequestCookies::parse(&map, NAME));
    assert_eq!(n, 0);
    assert_eq!(cookies.single(), Some("x"));
    assert_eq!(cookies.chunk_indices().collect::<Vec<_>>(), [0, 1]);
    let (found, n) = allocations(|| find_cookie(&map, NAME));
    assert_eq!((found, n), (Some("x"), 0));
}

#[test]
fn opening_through_the_lookup_adds_no_allocation() {
    let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
        .build()
        .unwrap();
    let value = sealer.seal_value(&Session::new(5u64)).unwrap();
    // Warm the thread's scratch buffer.
    let _ = sealer.open::<u64>(&value).unwrap();
    let mut map = HeaderMap::new();
    let header = format!("a=1; {NAME}={value}; b=2");
    map.insert(COOKIE, HeaderValue::from_str(&header).unwrap());
    let (found, n) = allocations(|| RequestCookies::parse(&map, NAME).open::<u64>(&sealer, None));
    assert!(matches!(found, Found::Session(o) if *o.session().data() == 5));
    assert_eq!(n, 0);
}

#[test]
fn every_chunk_name_at_once_is_bounded_work_and_then_a_conflict() {
    // A client can name all 255 chunk indices, and each one twice: past the
    // four inline slots their values go in one list, which grows a bounded
    // number of times, and the duplicate makes the request sessionless.
    let once: Vec<String> = (0..=254).map(|k| format!("{NAME}.{k}=v{k}")).collect();
    let mut map = HeaderMap::new();
    map.append(COOKIE, HeaderValue::from_str(&once.join("; ")).unwrap());
    let (cookies, n) = allocations(|| RequestCookies::parse(&map, NAME));
    assert_eq!(cookies.chunk_indices().count(), 255);
    assert_eq!(cookies.chunk(254), Some("v254"));
    assert!(cookies.conflict().is_none());
    assert!(
        n <= 10,
        "{n} allocations for 251 chunk values past the inline ones"
    );
    map.append(COOKIE, HeaderValue::from_str(&once.join("; ")).unwrap());
    let (cookies, n) = allocations(|| RequestCookies::parse(&map, NAME));
    assert_eq!(
        cookies.conflict(),
        Some(sealed_session::http::CookieConflict::DuplicatePrefixed)
    );
    assert_eq!(cookies.chunk_indices().count(), 0);
    assert!(n <= 10, "{n}");
}
