//! Finding our cookie in the `Cookie` header (issue 17): the cost of
//! `RequestCookies::from_header_values` (the layer's scan: exact-byte
//! names, nothing allocated, no other cookie parsed beyond the byte that
//! tells it apart from ours; the layer hands the value's bytes to the
//! base64 decoder, so `scan` reads `header_bytes`, which counts the value
//! found, and `scan+text` also asks for the value as `&str`, which checks
//! it as UTF-8) and of `http::find_cookie` over a `HeaderMap`,
//! for our 418-byte cookie alone and inside headers of other cookies up to
//! past the default header budget (6144 bytes), ours last. The per-byte
//! figure shows whether the cost is linear in the header's length.
//!
//! `cargo bench --bench cookie_scan --features http -- --warm-up-time 1 --measurement-time 2`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use http::HeaderMap;
use http::header::COOKIE;
use sealed_session::http::{RequestCookies, find_cookie};
use std::hint::black_box;

const NAME: &str = "__Host-session";

/// Our pair: the name and a 403-character value, 418 bytes in all (the
/// HTTP bench's cookie).
fn ours() -> String {
    let value: String = (0..403)
        .map(|i| b"AbCdEfGhIj-_0123456789"[i % 22] as char)
        .collect();
    format!("{NAME}={value}")
}

/// A header of about `len` bytes: other sites' cookies (some sharing our
/// name's prefix, which the scan must reject byte by byte), ours last.
fn header(len: usize) -> String {
    let others = [
        "_ga=GA1.2.1234567890.1700000000",
        "theme=dark",
        "__Host-sessio=x",
        "__Host-session.999=x",
        "__Host-sessionX=abc",
        "consent=yes; lang=en-GB",
        "_gid=GA1.2.987654321.1700000000",
    ];
    let ours = ours();
    let mut out = String::new();
    let mut i = 0;
    while out.len() + ours.len() + 2 < len {
        out.push_str(others[i % others.len()]);
        out.push_str("; ");
        i += 1;
    }
    out.push_str(&ours);
    out
}

fn bench_scan(c: &mut Criterion) {
    let mut group = c.benchmark_group("cookie_scan");
    for len in [418, 1024, 2048, 4096, 6144, 8192] {
        let text = if len == 418 { ours() } else { header(len) };
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, text.parse().unwrap());
        // Every case finds our one cookie: a scan that missed it would be fast.
        let found = RequestCookies::from_header_values([text.as_bytes()], NAME);
        assert_eq!(found.single().map(str::len), Some(403), "{len}");
        assert_eq!(find_cookie(&headers, NAME).map(str::len), Some(403));
        group.throughput(Throughput::Bytes(text.len() as u64));
        assert_eq!(found.header_bytes(), NAME.len() + 1 + 403 + 2);
        group.bench_with_input(BenchmarkId::new("scan", text.len()), &text, |b, text| {
            b.iter(|| {
                black_box(
                    RequestCookies::from_header_values([black_box(text.as_bytes())], NAME)
                        .header_bytes(),
                )
            })
        });
        group.bench_with_input(
            BenchmarkId::new("scan+text", text.len()),
            &text,
            |b, text| {
                b.iter(|| {
                    black_box(
                        RequestCookies::from_header_values([black_box(text.as_bytes())], NAME)
                            .single()
                            .map(str::len),
                    )
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("find_cookie", text.len()),
            &headers,
            |b, headers| b.iter(|| black_box(find_cookie(black_box(headers), NAME).map(str::len))),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
