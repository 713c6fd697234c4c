//! seal+open time of a 64-byte session per algorithm, printed as one line
//! per algorithm. The same source runs natively and on wasm32-wasip1 under
//! Node's WASI (scripts/wasm-bench.sh), so the two can be compared. A
//! benchmark, not a test: the median of several timed batches, no
//! assertions.

use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::Instant;
use time::macros::datetime;

/// The benches' typical session (benches/common), at a 64-byte payload.
#[derive(Serialize, Deserialize)]
struct Typical {
    user_id: u64,
    name: String,
    roles: Vec<String>,
    blob: Vec<u8>,
}

const BATCHES: usize = 15;
const PER_BATCH: u32 = 2_000;

fn main() {
    let session = Session::new(Typical {
        user_id: 42,
        name: "alice".into(),
        roles: vec!["admin".into(), "editor".into()],
        blob: vec![0x5a; 42], // postcard: 22 bytes of fields + 42 = 64
    });
    // A fixed clock: the loop measures sealing and opening, not the host's
    // clock call (which costs more through WASI).
    let now = datetime!(2030-01-01 0:00 UTC);
    println!("algorithm\tns per seal+open (median of {BATCHES} x {PER_BATCH})");
    for algorithm in Algorithm::ALL {
        let sealer = Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
            .with_cookie_name("sid")
            .build()
            .expect("valid configuration");
        let once = || {
            let value = sealer.seal_value_at(black_box(&session), now).unwrap();
            sealer.open_at::<Typical>(black_box(&value), now).unwrap()
        };
        for _ in 0..PER_BATCH {
            black_box(once());
        }
        let mut batches: Vec<f64> = (0..BATCHES)
            .map(|_| {
                let start = Instant::now();
                for _ in 0..PER_BATCH {
                    black_box(once());
                }
                start.elapsed().as_nanos() as f64 / f64::from(PER_BATCH)
            })
            .collect();
        batches.sort_by(f64::total_cmp);
        println!("{algorithm}\t{:.0}", batches[BATCHES / 2]);
    }
}
