//! seal, open and seal+open of a typical session at three payload sizes (64 B, 512 B, ~3 KB) for
//! each algorithm, next to the floor: the same algorithm's raw AEAD of the
//! same bytes with a random nonce plus base64url, nothing else.
//!
//! `cargo bench --bench seal_open`

mod common;

use common::{Floor, SIZES, Typical, postcard_ser_de, sealer, typical};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sealed_session::{Algorithm, Session};
use std::hint::black_box;

/// The floor of every algorithm (`common::Floor`, as benches/instructions.rs
/// and benches/ratios.rs measure it).
fn bench_floors(c: &mut Criterion) {
    for algorithm in Algorithm::ALL {
        let floor = Floor::new(algorithm);
        let mut group = c.benchmark_group(format!("floor/{algorithm}"));
        for size in SIZES {
            let plain = postcard::to_allocvec(&typical(size)).unwrap();
            group.throughput(Throughput::Bytes(plain.len() as u64));
            group.bench_with_input(BenchmarkId::new("seal+open", size), &plain, |b, plain| {
                b.iter(|| floor.round_trip(black_box(plain)))
            });
        }
        group.finish();
    }
}

fn bench_sealer(c: &mut Criterion) {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        let mut group = c.benchmark_group(format!("sealed-session/{algorithm}"));
        for size in SIZES {
            let session = Session::new(typical(size));
            let value = sealer.seal_value(&session).unwrap();
            group.throughput(Throughput::Bytes(size as u64));
            group.bench_with_input(BenchmarkId::new("seal", size), &session, |b, s| {
                b.iter(|| sealer.seal_value(black_box(s)).unwrap())
            });
            group.bench_with_input(BenchmarkId::new("open", size), &value, |b, v| {
                b.iter(|| sealer.open::<Typical>(black_box(v)).unwrap())
            });
            group.bench_with_input(BenchmarkId::new("seal+open", size), &session, |b, s| {
                b.iter(|| {
                    sealer
                        .open::<Typical>(&sealer.seal_value(black_box(s)).unwrap())
                        .unwrap()
                })
            });
            // The same with the caller's clock reading (`_at`), as a server
            // that reads the clock once per request does: the difference is
            // the two system-clock reads of the plain calls.
            let now = time::OffsetDateTime::now_utc();
            group.bench_with_input(BenchmarkId::new("seal+open_at", size), &session, |b, s| {
                b.iter(|| {
                    sealer
                        .open_at::<Typical>(&sealer.seal_value_at(black_box(s), now).unwrap(), now)
                        .unwrap()
                })
            });
        }
        group.finish();
    }
}

/// What the floor leaves out (`common::postcard_ser_de`).
fn bench_serde(c: &mut Criterion) {
    let mut group = c.benchmark_group("postcard");
    for size in SIZES {
        let data = typical(size);
        group.bench_with_input(BenchmarkId::new("ser+de", size), &data, |b, data| {
            b.iter(|| postcard_ser_de(black_box(data)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_sealer, bench_floors, bench_serde);
criterion_main!(benches);
