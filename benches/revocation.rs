//! The in-memory revocation store: the cost of a check (hit and miss, with
//! and without a subject) against a list of 1M entries, and the memory each
//! entry takes, counted by a global allocator that tracks live bytes.
//!
//! `cargo bench --bench revocation`
//!
//! The memory figures are printed first (they are not timings, so not
//! criterion's), then criterion runs the checks.

use criterion::{BatchSize, Criterion};
use sealed_session::revocation::{
    DeniedSession, MemoryStore, Revocation, RevocationStore, run_ready,
};
use sealed_session::{Key, KeyRing, Opened, Sealer, Session, SessionId};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Duration;
use time::OffsetDateTime;
use time::macros::datetime;

/// Counts the bytes currently allocated, and the peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

// The library forbids unsafe code; a global allocator cannot be written
// without it. This one only forwards to the system allocator and counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from `alloc` above.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const T0: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);
const ENTRIES: usize = 1_000_000;

fn now() -> i64 {
    T0.unix_timestamp()
}

/// Fills `store` with `n` live deny-list entries.
fn fill(store: &MemoryStore, n: usize) {
    for _ in 0..n {
        let entry = DeniedSession {
            id: SessionId::random(),
            subject: None,
            issued_at: now() - 60,
            until: now() + 86_400,
        };
        run_ready(store.deny_session(entry, now())).expect("room for every entry");
    }
}

/// Bytes per entry of a store holding `n` entries, and of the peak while
/// it grew there (a hash table briefly holds its old and new tables).
fn bytes_per_entry(n: usize) -> (f64, f64) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let store = MemoryStore::builder(n)
        .with_anonymous_limit(n)
        .build()
        .unwrap();
    fill(&store, n);
    let live = LIVE.load(Relaxed) - base;
    let peak = PEAK.load(Relaxed) - base;
    drop(store);
    (live as f64 / n as f64, peak as f64 / n as f64)
}

fn report_memory() {
    println!("memory per deny-list entry (live bytes / entries; peak while growing)");
    // 930,000: just after the 16 shards' tables double (57,344 ids each), the
    // most bytes per entry.
    for n in [
        10_000, 100_000, 500_000, 900_000, 930_000, ENTRIES, 5_000_000,
    ] {
        let (live, peak) = bytes_per_entry(n);
        println!("  {n:>9} entries: {live:5.1} B/entry  (peak {peak:5.1} B/entry)");
    }
}

fn opened(sealer: &Sealer, subject: Option<&str>) -> Opened<()> {
    let mut session = Session::new(());
    if let Some(subject) = subject {
        session.set_subject(subject).unwrap();
    }
    let value = sealer.seal_value_at(&session, T0).unwrap();
    sealer.open_at(&value, T0).unwrap()
}

fn bench_checks(c: &mut Criterion) {
    let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
        .build_at(T0)
        .unwrap();
    let store = MemoryStore::builder(ENTRIES + 10_001)
        .with_anonymous_limit(ENTRIES + 10_001)
        .build()
        .unwrap();
    let revocation = Revocation::builder(sealer, store).build_at(T0).unwrap();
    let store = revocation.store();
    fill(store, ENTRIES);
    for i in 0..10_000 {
        run_ready(store.set_subject_not_before(
            &format!("user-{i}"),
            now() - 3600,
            now() + 86_400,
            now(),
        ))
        .unwrap();
    }
    let sealer = revocation.sealer();
    let miss = opened(sealer, None);
    let hit = opened(sealer, None);
    run_ready(revocation.logout_at(&hit, T0)).unwrap();
    let miss_subject = opened(sealer, Some("user-5000"));
    assert!(run_ready(revocation.check_at(miss.clone(), T0)).is_ok());
    assert!(run_ready(revocation.check_at(hit.clone(), T0)).is_err());
    assert!(run_ready(revocation.check_at(miss_subject.clone(), T0)).is_ok());

    let mut group = c.benchmark_group("revocation check, 1M entries");
    let cases = [
        ("miss", &miss),
        ("hit (revoked)", &hit),
        ("miss, subject among 10k", &miss_subject),
    ];
    for (name, session) in cases {
        group.bench_function(name, |b| {
            b.iter_batched(
                || session.clone(),
                // Returned, not dropped: criterion drops outputs outside the
                // timed loop, so a subject's deallocation is not counted.
                |session| run_ready(revocation.check_at(black_box(session), T0)),
                BatchSize::SmallInput,
            )
        });
    }
    let id = miss.session().id();
    group.bench_function("store status only, miss", |b| {
        b.iter(|| run_ready(store.status(black_box(id), None, now())))
    });
    group.bench_function("store status only, subject among 10k", |b| {
        b.iter(|| run_ready(store.status(black_box(id), Some(black_box("user-5000")), now())))
    });
    group.finish();
}

/// A different random id per lookup, so that the table's cache lines are
/// cold as they are under real traffic (repeating one id keeps them warm):
/// ids not in the store (a valid session's check) and ids drawn from the
/// revoked ones, at 100k, 1M and 5M entries.
fn bench_random_ids(c: &mut Criterion) {
    const PROBES: usize = 1 << 16;
    for n in [100_000, ENTRIES, 5_000_000] {
        let store = MemoryStore::builder(n)
            .with_anonymous_limit(n)
            .build()
            .unwrap();
        let mut revoked = Vec::with_capacity(PROBES);
        for i in 0..n {
            let id = SessionId::random();
            // Every (n / PROBES)-th id is kept as a hit to look up later.
            if i % (n / PROBES).max(1) == 0 && revoked.len() < PROBES {
                revoked.push(id);
            }
            let entry = DeniedSession {
                id,
                subject: None,
                issued_at: now() - 60,
                until: now() + 86_400,
            };
            run_ready(store.deny_session(entry, now())).expect("room for every entry");
        }
        let valid: Vec<SessionId> = (0..PROBES).map(|_| SessionId::random()).collect();
        let mut group = c.benchmark_group(format!("store status, random ids, {n} entries"));
        // One clock read per request, outside the lookup, as the layer does.
        let at = now();
        for (name, ids) in [("valid (miss)", &valid), ("revoked (hit)", &revoked)] {
            let mut next = 0usize;
            group.bench_function(name, |b| {
                b.iter(|| {
                    next = (next + 1) % ids.len();
                    run_ready(store.status(black_box(ids[next]), None, at))
                })
            });
        }
        group.finish();
    }
}

fn main() {
    report_memory();
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_checks(&mut criterion);
    bench_random_ids(&mut criterion);
    criterion.final_summary();
}
