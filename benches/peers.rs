//! seal+open of the same typical session by sealed-session and by each peer,
//! in one run, at the three payload sizes; plus the raw AEAD floor.
//!
//! `cargo bench --bench peers`
//!
//! Peers carry the postcard payload plus the 32 bytes of metadata our
//! envelope holds (see `common::peer_plaintext`); the two whose values must
//! be text (the cookie crate's jar, PASETO) get it as base64url, the way a
//! user would pass binary data to them.

mod common;

use common::{
    BrancaPeer, CookieJarPeer, FernetPeer, PasetoPeer, SIZES, Typical, peer_round_trip, sealer,
    typical,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sealed_session::{Algorithm, Session};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let jar = CookieJarPeer::new();
    let fernet = FernetPeer::new();
    let paseto = PasetoPeer::new();
    let branca = BrancaPeer::new();
    for size in SIZES {
        let mut group = c.benchmark_group(format!("seal+open/{size}"));
        let session = Session::new(typical(size));
        for algorithm in Algorithm::ALL {
            let sealer = sealer(algorithm);
            group.bench_function(BenchmarkId::new("sealed-session", algorithm), |b| {
                b.iter(|| {
                    let value = sealer.seal_value(black_box(&session)).unwrap();
                    sealer.open::<Typical>(&value).unwrap()
                })
            });
        }
        let data = session.data();
        let roundtrip = |seal: &dyn Fn(&[u8]) -> String, open: &dyn Fn(&str) -> Vec<u8>| {
            peer_round_trip(black_box(data), seal, open)
        };
        group.bench_function("cookie-private-jar", |b| {
            b.iter(|| roundtrip(&|p| jar.seal(p), &|v| jar.open(v)))
        });
        group.bench_function("fernet", |b| {
            b.iter(|| roundtrip(&|p| fernet.seal(p), &|v| fernet.open(v)))
        });
        group.bench_function("paseto-v4-local", |b| {
            b.iter(|| roundtrip(&|p| paseto.seal(p), &|v| paseto.open(v)))
        });
        if size > 512 {
            // base62 is quadratic in the length: few samples suffice.
            group.sample_size(10);
        }
        group.bench_function("branca", |b| {
            b.iter(|| roundtrip(&|p| branca.seal(p), &|v| branca.open(v)))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
