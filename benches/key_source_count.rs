//! Round trips for instruction counting, which the shared, noisy bench
//! machine cannot disturb: `static N` or `epoch N` seals and opens a
//! 64-byte payload N times (3-key static ring, or one-day epoch keys).
//! Without arguments (as under plain `cargo bench`) it does nothing.
//!
//! ```sh
//! cargo bench --features epoch --bench key_source_count --no-run
//! valgrind --tool=cachegrind --cache-sim=no target/release/deps/key_source_count-* static 11000
//! ```
//!
//! Subtracting a run of N = 1000 from N = 11000 gives the count of 10,000
//! round trips without the setup.

use sealed_session::{EpochKeys, Key, KeyRing, Sealer, Session};
use std::hint::black_box;
use time::{Duration, OffsetDateTime};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(kind), Some(n)) = (args.next(), args.next()) else {
        return;
    };
    let Ok(n) = n.parse::<usize>() else {
        return;
    };
    let t = OffsetDateTime::from_unix_timestamp(20_000 * 86_400 + 43_200).unwrap();
    let builder = match kind.as_str() {
        "static" => Sealer::builder(
            KeyRing::new(Key::generate(4))
                .with_key(Key::generate(3))
                .with_key(Key::generate(2)),
        ),
        "epoch" => {
            Sealer::epoch_builder(EpochKeys::new(&[7u8; 32], "bench", Duration::days(1)).unwrap())
        }
        _ => return,
    };
    let sealer = builder.with_cookie_name("sid").build_at(t).unwrap();
    let session = Session::new(vec![0x5au8; 63]);
    let mut total = 0usize;
    for _ in 0..n {
        let value = sealer.seal_value_at(black_box(&session), t).unwrap();
        total += sealer
            .open_at::<Vec<u8>>(black_box(&value), t)
            .unwrap()
            .session()
            .data()
            .len();
    }
    println!("{total}");
}
