//! What schema identity and the codecs cost, measured in one run:
//!
//! - tracing a session type's schema (once per type and process) against
//!   the cached lookup every seal and open pays;
//! - seal + open of the typical session at 64 / 512 / 2900 payload bytes
//!   with the postcard codec (default) and with MessagePack (field names);
//! - the three encodings alone (postcard, MessagePack named, CBOR via
//!   ciborium, the CBOR crate this was compared with), serialize +
//!   deserialize, next to their bytes (printed once per size).
//!
//! `cargo bench --features messagepack --bench schema -- --warm-up-time 1 --measurement-time 2`

#[path = "common/mod.rs"]
mod common;

use common::{SIZES, Typical, typical};
use criterion::{Criterion, criterion_group, criterion_main};
use sealed_session::{Codec, Key, KeyRing, Sealer, Session, schema};
use std::hint::black_box;

fn bench_fingerprint(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema/Typical");
    group.bench_function("trace (first use)", |b| {
        b.iter(|| black_box(schema::shape::<Typical>().unwrap()))
    });
    group.bench_function("cached lookup", |b| {
        b.iter(|| black_box(schema::fingerprint::<Typical>().unwrap()))
    });
    group.finish();
}

fn bench_codecs(c: &mut Criterion) {
    let ring = KeyRing::new(Key::generate(1));
    let now = time::OffsetDateTime::now_utc();
    for size in SIZES {
        let data = typical(size);
        let postcard = postcard::to_allocvec(&data).unwrap();
        let messagepack = rmp_serde::to_vec_named(&data).unwrap();
        let mut cbor = Vec::new();
        ciborium::into_writer(&data, &mut cbor).unwrap();
        let session = Session::new(data.clone());
        let mut group = c.benchmark_group(format!("codec/{size}"));
        for codec in [Codec::Postcard, Codec::MessagePack] {
            let sealer = Sealer::builder(ring.clone())
                .with_codec(codec)
                .build()
                .unwrap();
            let value = sealer.seal_value_at(&session, now).unwrap();
            eprintln!(
                "{size} B session, {codec:?}: cookie value {} B",
                value.len()
            );
            group.bench_function(format!("{codec:?}/seal+open"), |b| {
                b.iter(|| {
                    let value = sealer.seal_value_at(black_box(&session), now).unwrap();
                    black_box(sealer.open_at::<Typical>(&value, now).unwrap())
                })
            });
        }
        eprintln!(
            "{size} B session: postcard {} B, MessagePack {} B, CBOR {} B",
            postcard.len(),
            messagepack.len(),
            cbor.len()
        );
        group.bench_function("postcard/ser+de", |b| {
            b.iter(|| {
                let bytes = postcard::to_allocvec(black_box(&data)).unwrap();
                black_box(postcard::from_bytes::<Typical>(&bytes).unwrap())
            })
        });
        group.bench_function("messagepack/ser+de", |b| {
            b.iter(|| {
                let bytes = rmp_serde::to_vec_named(black_box(&data)).unwrap();
                black_box(rmp_serde::from_slice::<Typical>(&bytes).unwrap())
            })
        });
        group.bench_function("cbor/ser+de", |b| {
            b.iter(|| {
                let mut bytes = Vec::new();
                ciborium::into_writer(black_box(&data), &mut bytes).unwrap();
                black_box(ciborium::from_reader::<Typical, _>(&bytes[..]).unwrap())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench_fingerprint, bench_codecs);
criterion_main!(benches);
