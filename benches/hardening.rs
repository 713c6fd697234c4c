//! What a fork-safe nonce and session-id source costs: the 24 + 16 random
//! bytes of a new session drawn from `rand`'s thread-local generator, from
//! it behind a per-call process-id check, and straight from the OS
//! (getrandom), next to what sealing a new small session costs in all.
//!
//! `cargo bench --bench randomness -- --warm-up-time 1 --measurement-time 2`

use criterion::{Criterion, criterion_group, criterion_main};
use rand::Rng as _;
use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use std::hint::black_box;

fn bench_sources(c: &mut Criterion) {
    let mut group = c.benchmark_group("random/24+16");
    group.bench_function("thread_rng", |b| {
        b.iter(|| {
            let (mut nonce, mut id) = ([0u8; 24], [0u8; 16]);
            rand::rng().fill_bytes(&mut nonce);
            rand::rng().fill_bytes(&mut id);
            black_box((nonce, id))
        })
    });
    group.bench_function("pid_check+thread_rng", |b| {
        b.iter(|| {
            let (mut nonce, mut id) = ([0u8; 24], [0u8; 16]);
            black_box(std::process::id());
            rand::rng().fill_bytes(&mut nonce);
            black_box(std::process::id());
            rand::rng().fill_bytes(&mut id);
            black_box((nonce, id))
        })
    });
    group.bench_function("getrandom", |b| {
        b.iter(|| {
            let (mut nonce, mut id) = ([0u8; 24], [0u8; 16]);
            getrandom::fill(&mut nonce).unwrap();
            getrandom::fill(&mut id).unwrap();
            black_box((nonce, id))
        })
    });
    group.finish();

    // The whole cost the source is a share of: a new 64-byte session
    // (its id drawn here) sealed with the library as built.
    let mut group = c.benchmark_group("random/new_session");
    for algorithm in [Algorithm::Xaes256Gcm, Algorithm::Aes256Gcm] {
        let sealer = Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
            .with_cookie_name("sid")
            .build()
            .unwrap();
        let now = time::OffsetDateTime::now_utc();
        let data = "x".repeat(60);
        group.bench_function(format!("{algorithm}/seal_at"), |b| {
            b.iter(|| {
                sealer
                    .seal_value_at(&Session::new(black_box(data.as_str())), now)
                    .unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sources);
criterion_main!(benches);
