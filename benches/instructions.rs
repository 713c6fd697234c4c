//! Instruction counts (valgrind callgrind `Ir`) of seal, open, the raw AEAD
//! floor and postcard ser+de alone, for each algorithm at the payload sizes
//! of benches/seal_open.rs and with the same session. A count is
//! deterministic for a given binary and input, so a regression shows here
//! on the shared, noisy machine where criterion's timings cannot show it.
//!
//! ```sh
//! scripts/instructions.sh            # installs gungraun-runner and valgrind when missing
//! cargo bench --bench instructions   # when both are already there
//! ```
//!
//! Without `gungraun-runner` or `valgrind` on the machine this bench says
//! so and exits successfully, so a plain `cargo bench` still runs the
//! criterion benches.

mod common;

use common::{Floor, SIZES, Typical, typical};
use gungraun::{LibraryBenchmarkConfig, library_benchmark, library_benchmark_group, main};
use sealed_session::{Algorithm, Key, KeyRing, Opened, Sealer, Session};
use std::hint::black_box;
use time::OffsetDateTime;
use time::macros::datetime;

// The bench ids below spell out every algorithm and size; these fail the
// build when either list changes, instead of silently measuring less.
const _: () = assert!(Algorithm::ALL.len() == 3, "add the new algorithm's benches");
const _: () = assert!(
    SIZES[0] == 64 && SIZES[1] == 512 && SIZES[2] == 2900,
    "rename the bench ids to the new sizes"
);

/// Every seal and open runs at this instant, so the system clock is not
/// part of the count.
const NOW: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

fn sealer(algorithm: Algorithm) -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
        .with_cookie_name("sid")
        .build_at(NOW)
        .unwrap()
}

// Fixtures are leaked and borrowed by the measured functions: a value
// passed in by value would be dropped inside them, and dropping a sealer
// (zeroizing its keys) is not part of sealing.

struct Sealing {
    sealer: Sealer,
    session: Session<Typical>,
}

/// The sealer and session, after one seal: a server thread past its first
/// request, whose scratch buffer and random generator are already set up.
fn sealing(algorithm: Algorithm, size: usize) -> &'static Sealing {
    let sealer = sealer(algorithm);
    let session = Session::new(typical(size));
    sealer.seal_value_at(&session, NOW).unwrap();
    Box::leak(Box::new(Sealing { sealer, session }))
}

struct Opening {
    sealer: Sealer,
    value: String,
}

/// A sealed value of the session, already opened once (see [`sealing`]).
fn opening(algorithm: Algorithm, size: usize) -> &'static Opening {
    let sealer = sealer(algorithm);
    let value = sealer
        .seal_value_at(&Session::new(typical(size)), NOW)
        .unwrap();
    sealer.open_at::<Typical>(&value, NOW).unwrap();
    Box::leak(Box::new(Opening { sealer, value }))
}

struct FloorFixture {
    floor: Floor,
    plain: Vec<u8>,
}

/// The same key and postcard bytes as the floor in benches/seal_open.rs,
/// after one round trip (the random generator set up, as in [`sealing`]).
fn floor(algorithm: Algorithm, size: usize) -> &'static FloorFixture {
    let floor = Floor::new(algorithm);
    let plain = postcard::to_allocvec(&typical(size)).unwrap();
    floor.round_trip(&plain);
    Box::leak(Box::new(FloorFixture { floor, plain }))
}

fn session_data(size: usize) -> &'static Typical {
    Box::leak(Box::new(typical(size)))
}

// Results are returned rather than dropped, so freeing them stays outside
// the count (gungraun counts only inside the bench function).

#[library_benchmark]
#[bench::xaes256gcm_64(args = (Algorithm::Xaes256Gcm, SIZES[0]), setup = sealing)]
#[bench::xaes256gcm_512(args = (Algorithm::Xaes256Gcm, SIZES[1]), setup = sealing)]
#[bench::xaes256gcm_2900(args = (Algorithm::Xaes256Gcm, SIZES[2]), setup = sealing)]
#[bench::xchacha20poly1305_64(args = (Algorithm::XChaCha20Poly1305, SIZES[0]), setup = sealing)]
#[bench::xchacha20poly1305_512(args = (Algorithm::XChaCha20Poly1305, SIZES[1]), setup = sealing)]
#[bench::xchacha20poly1305_2900(args = (Algorithm::XChaCha20Poly1305, SIZES[2]), setup = sealing)]
#[bench::aes256gcm_64(args = (Algorithm::Aes256Gcm, SIZES[0]), setup = sealing)]
#[bench::aes256gcm_512(args = (Algorithm::Aes256Gcm, SIZES[1]), setup = sealing)]
#[bench::aes256gcm_2900(args = (Algorithm::Aes256Gcm, SIZES[2]), setup = sealing)]
fn seal(f: &'static Sealing) -> String {
    f.sealer.seal_value_at(black_box(&f.session), NOW).unwrap()
}

#[library_benchmark]
#[bench::xaes256gcm_64(args = (Algorithm::Xaes256Gcm, SIZES[0]), setup = opening)]
#[bench::xaes256gcm_512(args = (Algorithm::Xaes256Gcm, SIZES[1]), setup = opening)]
#[bench::xaes256gcm_2900(args = (Algorithm::Xaes256Gcm, SIZES[2]), setup = opening)]
#[bench::xchacha20poly1305_64(args = (Algorithm::XChaCha20Poly1305, SIZES[0]), setup = opening)]
#[bench::xchacha20poly1305_512(args = (Algorithm::XChaCha20Poly1305, SIZES[1]), setup = opening)]
#[bench::xchacha20poly1305_2900(args = (Algorithm::XChaCha20Poly1305, SIZES[2]), setup = opening)]
#[bench::aes256gcm_64(args = (Algorithm::Aes256Gcm, SIZES[0]), setup = opening)]
#[bench::aes256gcm_512(args = (Algorithm::Aes256Gcm, SIZES[1]), setup = opening)]
#[bench::aes256gcm_2900(args = (Algorithm::Aes256Gcm, SIZES[2]), setup = opening)]
fn open(f: &'static Opening) -> Opened<Typical> {
    f.sealer
        .open_at::<Typical>(black_box(&f.value), NOW)
        .unwrap()
}

// The floor's round trip, as in benches/seal_open.rs: freeing the
// intermediate string is inside the count, freeing the returned buffer is not.
#[library_benchmark]
#[bench::xaes256gcm_64(args = (Algorithm::Xaes256Gcm, SIZES[0]), setup = floor)]
#[bench::xaes256gcm_512(args = (Algorithm::Xaes256Gcm, SIZES[1]), setup = floor)]
#[bench::xaes256gcm_2900(args = (Algorithm::Xaes256Gcm, SIZES[2]), setup = floor)]
#[bench::xchacha20poly1305_64(args = (Algorithm::XChaCha20Poly1305, SIZES[0]), setup = floor)]
#[bench::xchacha20poly1305_512(args = (Algorithm::XChaCha20Poly1305, SIZES[1]), setup = floor)]
#[bench::xchacha20poly1305_2900(args = (Algorithm::XChaCha20Poly1305, SIZES[2]), setup = floor)]
#[bench::aes256gcm_64(args = (Algorithm::Aes256Gcm, SIZES[0]), setup = floor)]
#[bench::aes256gcm_512(args = (Algorithm::Aes256Gcm, SIZES[1]), setup = floor)]
#[bench::aes256gcm_2900(args = (Algorithm::Aes256Gcm, SIZES[2]), setup = floor)]
fn floor_round_trip(f: &'static FloorFixture) -> Vec<u8> {
    f.floor.round_trip(black_box(&f.plain))
}

// What the floor leaves out and every session layer must do, as
// `postcard/ser+de` in benches/seal_open.rs.
#[library_benchmark]
#[bench::size_64(args = (SIZES[0]), setup = session_data)]
#[bench::size_512(args = (SIZES[1]), setup = session_data)]
#[bench::size_2900(args = (SIZES[2]), setup = session_data)]
fn postcard_ser_de(data: &'static Typical) -> Typical {
    common::postcard_ser_de(black_box(data))
}

library_benchmark_group!(name = ours, benchmarks = [seal, open]);
library_benchmark_group!(
    name = reference,
    benchmarks = [floor_round_trip, postcard_ser_de]
);

/// `main!` evaluates its config just before it hands over to
/// `gungraun-runner`, which is the only place to bow out when the runner or
/// valgrind is missing: without this, a plain `cargo bench` would fail here
/// on every machine that has not run scripts/instructions.sh.
fn config_or_skip() -> LibraryBenchmarkConfig {
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(name).is_file()))
    };
    let runner = option_env!("GUNGRAUN_RUNNER").is_some() || on_path("gungraun-runner");
    if !runner || !on_path("valgrind") {
        eprintln!(
            "instructions: skipped, {} not found; scripts/instructions.sh installs it",
            if runner {
                "valgrind"
            } else {
                "gungraun-runner"
            }
        );
        std::process::exit(0);
    }
    LibraryBenchmarkConfig::default()
}

main!(
    config = config_or_skip();
    library_benchmark_groups = ours, reference
);
