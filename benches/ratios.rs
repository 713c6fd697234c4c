//! Ratios between contenders, measured interleaved: the contenders of one
//! comparison run in one process in alternating short batches, and every
//! ratio is the median of the ratios of batches taken a few milliseconds
//! apart. criterion runs its benches one after the other, minutes apart, so
//! on a shared machine a ratio of two criterion figures mostly measures how
//! the load changed in between; two adjacent batches see about the same
//! load, so their ratio cancels it.
//!
//! ```sh
//! cargo bench --bench ratios                 # every size and comparison, about 30 s
//! cargo bench --bench ratios -- 64           # only 64 B
//! cargo bench --bench ratios -- 512 floor    # filters combine: the floor comparisons at 512 B
//! cargo bench --bench ratios -- --quick      # a few seconds, to see that it runs
//! cargo bench --bench ratios -- --batch-us=200 --rounds=1000   # other than 50 µs x 4000
//! ```
//!
//! A filter that is a number selects that payload size; any other selects
//! the comparisons whose name contains it (`peers`, `floor`, `xaes256gcm`).
//! Other flags (cargo passes `--bench`) are ignored. The output is markdown
//! for BENCHMARKS.md.

mod common;

use common::{
    BrancaPeer, CookieJarPeer, FernetPeer, Floor, PasetoPeer, SIZES, Typical, peer_round_trip,
    postcard_ser_de, sealer, typical,
};
use sealed_session::{Algorithm, Session};
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Config {
    /// Target length of one batch: long enough that the two clock reads
    /// around it are negligible (about 0.1 %), and far shorter than a
    /// scheduler time slice, so that under load most batches still run
    /// unpreempted and neighbours in time see the same load. At a load
    /// average of 3.5 on 2 cores, the p10-p90 of our lead over the cookie
    /// jar at 64 B was 0.33x-3.62x with 2 ms batches, 0.88x-5.10x with
    /// 1 ms and 1.25x-1.45x with 50 µs, for about the same median.
    batch: Duration,
    rounds: usize,
    filters: Vec<String>,
}

impl Config {
    fn from_args() -> Self {
        let mut config = Config {
            batch: Duration::from_micros(50),
            rounds: 4000,
            filters: Vec::new(),
        };
        for arg in std::env::args().skip(1) {
            let number = |prefix| arg.strip_prefix(prefix).and_then(|n| n.parse().ok());
            if arg == "--quick" {
                config.rounds = 30;
            } else if let Some(us) = number("--batch-us=") {
                config.batch = Duration::from_micros(us);
            } else if let Some(rounds) = number("--rounds=") {
                config.rounds = rounds as usize;
            } else if !arg.starts_with('-') {
                config.filters.push(arg);
            }
        }
        config
    }

    fn wants(&self, comparison: &str, size: usize) -> bool {
        self.filters.iter().all(|f| match f.parse::<usize>() {
            Ok(n) => n == size,
            Err(_) => comparison.contains(f.as_str()),
        })
    }
}

/// A contender runs `n` calls of its round trip per batch: the loop is
/// inside the boxed closure, so the dynamic call is paid once per batch.
struct Contender<'a> {
    name: String,
    run: Box<dyn FnMut(u64) + 'a>,
}

fn contender<'a, R>(name: impl Into<String>, mut call: impl FnMut() -> R + 'a) -> Contender<'a> {
    Contender {
        name: name.into(),
        run: Box::new(move |n| {
            for _ in 0..n {
                black_box(call());
            }
        }),
    }
}

/// Calls per batch, found by doubling until a run lasts a quarter of a
/// batch; this doubles as the warm-up (caches, the thread's scratch buffer
/// and random generator).
fn calibrate(contender: &mut Contender, batch: Duration) -> u64 {
    let mut n = 1u64;
    loop {
        let start = Instant::now();
        (contender.run)(n);
        let took = start.elapsed();
        if took >= batch / 4 {
            return ((n as f64 * batch.as_secs_f64() / took.as_secs_f64()) as u64).max(1);
        }
        n *= 2;
    }
}

/// Nanoseconds per call, `[contender][round]`. Each round runs one batch of
/// every contender, starting at a different one each round and in reverse
/// order every other round, so that none always goes first or always
/// follows the same neighbour (whose cache and frequency footprint it
/// would inherit).
fn interleave(contenders: &mut [Contender], config: &Config) -> Vec<Vec<f64>> {
    const WARM_UP_ROUNDS: usize = 3;
    let iters: Vec<u64> = contenders
        .iter_mut()
        .map(|c| calibrate(c, config.batch))
        .collect();
    let n = contenders.len();
    let mut times = vec![Vec::with_capacity(config.rounds); n];
    for round in 0..WARM_UP_ROUNDS + config.rounds {
        for k in 0..n {
            let k = if round % 2 == 0 { k } else { n - 1 - k };
            let i = (round + k) % n;
            let start = Instant::now();
            (contenders[i].run)(iters[i]);
            let ns = start.elapsed().as_nanos() as f64 / iters[i] as f64;
            if round >= WARM_UP_ROUNDS {
                times[i].push(ns);
            }
        }
    }
    // The spread of each contender's own batch times, to tell a noisy
    // contender from a noisy ratio.
    for (c, t) in contenders.iter().zip(&times) {
        let s = Spread::of(t);
        let (median, p10, p90) = (fmt_time(s.median), fmt_time(s.p10), fmt_time(s.p90));
        eprintln!("  {}: {median} ({p10}-{p90})", c.name);
    }
    times
}

/// Median and the 10th and 90th percentiles.
struct Spread {
    median: f64,
    p10: f64,
    p90: f64,
}

impl Spread {
    fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        Spread {
            median: at(0.5),
            p10: at(0.1),
            p90: at(0.9),
        }
    }

    /// Of the per-round ratios `top[r] / bottom[r]`.
    fn of_ratios(top: &[f64], bottom: &[f64]) -> Self {
        let ratios: Vec<f64> = top.iter().zip(bottom).map(|(t, b)| t / b).collect();
        Spread::of(&ratios)
    }

    fn ratio(&self, suffix: &str) -> String {
        let (median, p10, p90) = (sig3(self.median), sig3(self.p10), sig3(self.p90));
        format!("{median}{suffix} ({p10}-{p90})")
    }
}

/// Three significant digits (at least the units), as the other tables.
fn sig3(value: f64) -> String {
    let decimals = match value {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    format!("{value:.decimals$}")
}

fn fmt_time(ns: f64) -> String {
    match ns {
        ns if ns < 1e3 => format!("{} ns", sig3(ns)),
        ns if ns < 1e6 => format!("{} µs", sig3(ns / 1e3)),
        ns => format!("{} ms", sig3(ns / 1e6)),
    }
}

/// Ours in the peers comparison, in the column order of BENCHMARKS.md's
/// peers table (the default, then the two others by speed).
const OURS: [Algorithm; 3] = [
    Algorithm::Xaes256Gcm,
    Algorithm::Aes256Gcm,
    Algorithm::XChaCha20Poly1305,
];

fn label(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Xaes256Gcm => "XAES-256-GCM",
        Algorithm::XChaCha20Poly1305 => "XChaCha20-Poly1305",
        Algorithm::Aes256Gcm => "AES-256-GCM",
        other => other.name(),
    }
}

/// Markdown rows of the two tables, filled as the comparisons run.
#[derive(Default)]
struct Tables {
    peers: Vec<String>,
    leads: Vec<String>,
    floor: Vec<String>,
}

/// Ours (all three algorithms, `seal_value` + `open` as benches/peers.rs
/// calls them) against every peer, at one size.
fn compare_peers(size: usize, config: &Config, tables: &mut Tables) {
    let session = &Session::new(typical(size));
    let data = session.data();
    let sealers = OURS.map(|a| (a, sealer(a)));
    let (jar, fernet) = (CookieJarPeer::new(), FernetPeer::new());
    let (paseto, branca) = (PasetoPeer::new(), BrancaPeer::new());
    let mut contenders: Vec<Contender> = sealers
        .iter()
        .map(|(algorithm, sealer)| {
            contender(format!("ours {}", label(*algorithm)), move || {
                let value = sealer.seal_value(black_box(session)).unwrap();
                sealer.open::<Typical>(&value).unwrap()
            })
        })
        .collect();
    let ours = contenders.len();
    contenders.extend([
        contender("cookie private jar", || {
            peer_round_trip(black_box(data), |p| jar.seal(p), |v| jar.open(v))
        }),
        contender("Fernet", || {
            peer_round_trip(black_box(data), |p| fernet.seal(p), |v| fernet.open(v))
        }),
        contender("PASETO v4.local", || {
            peer_round_trip(black_box(data), |p| paseto.seal(p), |v| paseto.open(v))
        }),
        // Quadratic base62: from 512 B one call outlasts a batch, so its
        // batches are single calls; its median is still sound, and its
        // ratios are far from the others'.
        contender("Branca", || {
            peer_round_trip(black_box(data), |p| branca.seal(p), |v| branca.open(v))
        }),
    ]);
    let times = interleave(&mut contenders, config);
    let medians: Vec<f64> = times.iter().map(|t| Spread::of(t).median).collect();
    let fastest = (ours..contenders.len())
        .min_by(|&a, &b| medians[a].total_cmp(&medians[b]))
        .unwrap();
    // A lead is peer / ours: how many of our round trips fit in the peer's.
    let leads: Vec<String> = (0..ours)
        .map(|o| Spread::of_ratios(&times[fastest], &times[o]).ratio("x"))
        .collect();
    let cells: Vec<String> = medians.iter().map(|&m| fmt_time(m)).collect();
    tables.peers.push(format!(
        "| {size} B | {} | {} | {} |",
        cells.join(" | "),
        contenders[fastest].name,
        leads.join(" | ")
    ));
    for o in 0..ours {
        let over: Vec<String> = (ours..contenders.len())
            .map(|p| Spread::of_ratios(&times[p], &times[o]).ratio("x"))
            .collect();
        tables.leads.push(format!(
            "| {size} B | {} | {} |",
            contenders[o].name,
            over.join(" | ")
        ));
    }
}

/// Ours against the same algorithm's raw AEAD floor and postcard ser+de
/// alone, the ratios of the core table in BENCHMARKS.md.
fn compare_floor(algorithm: Algorithm, size: usize, config: &Config, tables: &mut Tables) {
    let sealer = sealer(algorithm);
    let session = Session::new(typical(size));
    let now = time::OffsetDateTime::now_utc();
    let floor = Floor::new(algorithm);
    let plain = postcard::to_allocvec(session.data()).unwrap();
    let mut contenders = [
        contender("seal+open", || {
            let value = sealer.seal_value(black_box(&session)).unwrap();
            sealer.open::<Typical>(&value).unwrap()
        }),
        contender("seal+open_at", || {
            let value = sealer.seal_value_at(black_box(&session), now).unwrap();
            sealer.open_at::<Typical>(&value, now).unwrap()
        }),
        contender("floor", || floor.round_trip(black_box(&plain))),
        contender("postcard ser+de", || {
            postcard_ser_de(black_box(session.data()))
        }),
        // What our seal pays and the floor does not: the process id read
        // before each nonce draw, a system call (src/random.rs), so kernel
        // time that no instruction count sees.
        contender("fork check", || black_box(std::process::id())),
    ];
    let times = interleave(&mut contenders, config);
    let [plain_clock, at, floor, serde, fork] = &times[..] else {
        unreachable!()
    };
    // Summed per round, so that the sum is as close in time as its parts.
    let floor_serde: Vec<f64> = floor.iter().zip(serde).map(|(f, s)| f + s).collect();
    let with_fork: Vec<f64> = floor_serde.iter().zip(fork).map(|(f, p)| f + p).collect();
    let cells: Vec<String> = times
        .iter()
        .map(|t| fmt_time(Spread::of(t).median))
        .collect();
    tables.floor.push(format!(
        "| {} | {size} B | {} | {} | {} | {} | {} |",
        label(algorithm),
        cells.join(" | "),
        Spread::of_ratios(plain_clock, floor).ratio(""),
        Spread::of_ratios(at, floor).ratio(""),
        Spread::of_ratios(at, &floor_serde).ratio(""),
        Spread::of_ratios(at, &with_fork).ratio(""),
    ));
}

fn main() {
    let config = Config::from_args();
    let mut tables = Tables::default();
    let started = Instant::now();
    for size in SIZES {
        if config.wants("peers", size) {
            eprintln!("ratios: peers at {size} B");
            compare_peers(size, &config, &mut tables);
        }
        for algorithm in Algorithm::ALL {
            if config.wants(&format!("floor {algorithm}"), size) {
                eprintln!("ratios: floor {algorithm} at {size} B");
                compare_floor(algorithm, size, &config, &mut tables);
            }
        }
    }
    println!(
        "{} rounds of batches of about {:?} per contender, {:.0} s in all; \
         each cell is the median, ratios with their p10-p90 in parentheses.\n",
        config.rounds,
        config.batch,
        started.elapsed().as_secs_f64()
    );
    if !tables.peers.is_empty() {
        let ours = OURS.map(label);
        println!(
            "| payload | ours {} | cookie private jar | Fernet | PASETO v4.local | Branca \
             | fastest peer | {} |",
            ours.join(" | ours "),
            ours.map(|a| format!("{a} lead")).join(" | ")
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
        tables.peers.iter().for_each(|row| println!("{row}"));
        println!(
            "\n| payload | ours | lead over cookie private jar | over Fernet \
             | over PASETO v4.local | over Branca |"
        );
        println!("|---|---|---|---|---|---|");
        tables.leads.iter().for_each(|row| println!("{row}"));
        println!();
    }
    if !tables.floor.is_empty() {
        println!(
            "| algorithm | payload | seal+open | seal+open_at | floor | postcard ser+de \
             | fork check | seal+open / floor | seal+open_at / floor \
             | seal+open_at / (floor + ser+de) | seal+open_at / (floor + ser+de + fork check) |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        tables.floor.iter().for_each(|row| println!("{row}"));
    }
}
