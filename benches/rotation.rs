//! What the key source costs per request: a one-key static ring, a ring
//! whose cookie is under its last of four keys, and epoch keys (current
//! and previous epoch), all XAES-256-GCM with a 64-byte payload; plus the
//! one-off derivation of an epoch key (HKDF-SHA256 and key schedule), paid
//! once per key per epoch.
//!
//! `cargo bench --features epoch --bench rotation`

use criterion::{Criterion, criterion_group, criterion_main};
use sealed_session::{EpochKeys, Key, KeyRing, Sealer, Session};
use std::hint::black_box;
use time::{Duration, OffsetDateTime};

/// Inside an epoch of one-day epochs, away from its edges, so the window
/// never moves during a measurement.
fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(20_000 * 86_400 + 43_200).unwrap()
}

fn session() -> Session<Vec<u8>> {
    // postcard: one length byte + 63 bytes.
    Session::new(vec![0x5a; 63])
}

fn static_sealer(ring: KeyRing) -> Sealer {
    Sealer::builder(ring)
        .with_cookie_name("sid")
        .build_at(now())
        .unwrap()
}

fn epoch_sealer() -> Sealer {
    let keys = EpochKeys::new(&[7u8; 32], "bench", Duration::days(1)).unwrap();
    Sealer::epoch_builder(keys)
        .with_cookie_name("sid")
        .with_ttl(Duration::days(7))
        .build_at(now())
        .unwrap()
}

fn bench_key_sources(c: &mut Criterion) {
    let mut group = c.benchmark_group("key-source");
    let t = now();
    let single = static_sealer(KeyRing::new(Key::generate(1)));
    let old_ring = KeyRing::new(Key::generate(1));
    let mut four = old_ring.clone();
    for id in 2..=4 {
        four.rotate_at(Key::generate(id), t).unwrap();
    }
    let four = static_sealer(four);
    let under_oldest = static_sealer(old_ring)
        .seal_value_at(&session(), t)
        .unwrap();
    let epochs = epoch_sealer();
    let previous_epoch = epochs
        .seal_value_at(&session(), t - Duration::days(1))
        .unwrap();

    let s = session();
    group.bench_function("static 1 key/seal+open", |b| {
        b.iter(|| {
            let value = single.seal_value_at(black_box(&s), t).unwrap();
            single.open_at::<Vec<u8>>(&value, t).unwrap()
        })
    });
    group.bench_function("epoch/seal+open", |b| {
        b.iter(|| {
            let value = epochs.seal_value_at(black_box(&s), t).unwrap();
            epochs.open_at::<Vec<u8>>(&value, t).unwrap()
        })
    });
    let current = single.seal_value_at(&s, t).unwrap();
    group.bench_function("static 1 key/open", |b| {
        b.iter(|| single.open_at::<Vec<u8>>(black_box(&current), t).unwrap())
    });
    group.bench_function("static 4 keys, oldest/open", |b| {
        b.iter(|| {
            four.open_at::<Vec<u8>>(black_box(&under_oldest), t)
                .unwrap()
        })
    });
    let current_epoch = epochs.seal_value_at(&s, t).unwrap();
    group.bench_function("epoch current/open", |b| {
        b.iter(|| {
            epochs
                .open_at::<Vec<u8>>(black_box(&current_epoch), t)
                .unwrap()
        })
    });
    group.bench_function("epoch previous/open", |b| {
        b.iter(|| {
            epochs
                .open_at::<Vec<u8>>(black_box(&previous_epoch), t)
                .unwrap()
        })
    });
    group.finish();

    let keys = EpochKeys::new(&[7u8; 32], "bench", Duration::days(1)).unwrap();
    c.bench_function("epoch key derivation", |b| {
        b.iter(|| keys.key(black_box(20_000)))
    });
}

criterion_group!(benches, bench_key_sources);
criterion_main!(benches);
