//! Raw `Cookie` request headers (feature `http`): `RequestCookies::parse`
//! splits them into the plain session cookie and its chunks, and the result
//! goes to `Chunking::open_at`, as the axum layer does. Never a panic or an
//! allocation past the caps; nothing opens but a cookie the sealers issued;
//! every value found is a piece of some header's text, and every chunk
//! index is in range.
//!
//! Input: header values separated by `\n` (a byte no header value holds).
#![no_main]

use fuzz_support::alloc_cap;
use fuzz_support::fixtures::{self, FuzzSession, MAX_PEAK, MAX_SINGLE_ALLOC, NAME};
use fuzz_support::seeds::valid_cookies;
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use sealed_session::Chunking;
use sealed_session::http::RequestCookies;

fuzz_target!(|data: &[u8]| {
    let mut map = HeaderMap::new();
    for raw in data.split(|&b| b == b'\n').take(8) {
        if let Ok(value) = HeaderValue::from_bytes(raw) {
            map.append(COOKIE, value);
        }
    }
    let texts: Vec<&[u8]> = map
        .get_all(COOKIE)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let is_piece = |s: &str| {
        texts
            .iter()
            .any(|t| t.windows(s.len().max(1)).any(|w| w == s.as_bytes()) || s.is_empty())
    };
    // Built once per process, outside the measured call.
    let (sealer, issued) = (fixtures::sealer(1), valid_cookies());
    alloc_cap::within(MAX_SINGLE_ALLOC, MAX_PEAK, || {
        let cookies = RequestCookies::parse(&map, NAME);
        if let Some(single) = cookies.single() {
            assert!(is_piece(single), "{single:?} is not in the headers");
        }
        for k in cookies.chunk_indices() {
            assert!(k <= 254, "chunk index {k}");
            let value = cookies.chunk(k).expect("listed chunk present");
            assert!(is_piece(value), "{value:?} is not in the headers");
        }
        let opened = Chunking::new().open_at::<FuzzSession>(
            sealer,
            cookies.single(),
            |k| cookies.chunk(k),
            fixtures::t0(),
        );
        match opened {
            // Only a cookie the sealers issued opens (the seeds carry one).
            Ok(opened) => {
                let issued = issued
                    .iter()
                    .find(|c| Some(c.value.as_str()) == cookies.single())
                    .expect("only an issued cookie opens");
                assert_eq!(opened.session().data(), &issued.data);
            }
            Err(err) => assert!(err.is_client_fault(), "{err:?}"),
        }
    });
});
