//! What the hardening of issue 13 costs, each next to the whole it is a
//! share of, measured in one run:
//!
//! - a fork-safe nonce and session-id source: the 24 + 16 random bytes of a
//!   new session from `rand`'s thread-local generator, from it behind a
//!   process-id check per draw, and straight from the OS (getrandom), next
//!   to sealing a new small session;
//! - wiping the scratch buffer after each use: only the bytes a small
//!   cookie used (what `sealer/scratch.rs` does) against its whole capacity
//!   (a seal reserves 4096 + 519 bytes), next to a seal + open.
//!
//! `cargo bench --bench hardening -- --warm-up-time 1 --measurement-time 2`

use criterion::{Criterion, criterion_group, criterion_main};
use rand::Rng as _;
use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use std::hint::black_box;
use zeroize::Zeroize as _;

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
                    .seal_value_at(&Session::new(black_box(data.clone())), now)
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn bench_wipe(c: &mut Criterion) {
    let mut group = c.benchmark_group("scratch_wipe");
    // A warm scratch buffer: a seal reserves the largest cookie plus the
    // longest associated data.
    let mut buf: Vec<u8> = Vec::with_capacity(4096 + 519);
    let used = [0x5au8; 200];
    group.bench_function("none", |b| {
        b.iter(|| {
            buf.extend_from_slice(black_box(&used));
            buf.clear();
        })
    });
    group.bench_function("used_200", |b| {
        b.iter(|| {
            buf.extend_from_slice(black_box(&used));
            buf.as_mut_slice().zeroize();
            buf.clear();
        })
    });
    group.bench_function("capacity_4615", |b| {
        b.iter(|| {
            buf.extend_from_slice(black_box(&used));
            buf.as_mut_slice().zeroize();
            buf.spare_capacity_mut().zeroize();
            buf.clear();
        })
    });
    group.bench_function("capacity_4615_vec_zeroize", |b| {
        b.iter(|| {
            buf.extend_from_slice(black_box(&used));
            buf.zeroize();
        })
    });
    group.finish();

    let mut group = c.benchmark_group("scratch_wipe/seal+open_at");
    for algorithm in [Algorithm::Xaes256Gcm, Algorithm::Aes256Gcm] {
        let sealer = Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
            .with_cookie_name("sid")
            .build()
            .unwrap();
        let now = time::OffsetDateTime::now_utc();
        let session = Session::new("x".repeat(60));
        group.bench_function(format!("{algorithm}/64"), |b| {
            b.iter(|| {
                let value = sealer.seal_value_at(black_box(&session), now).unwrap();
                sealer.open_at::<String>(&value, now).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sources, bench_wipe);
criterion_main!(benches);
