//! A global allocator that measures what one fuzz iteration allocates.
//!
//! "Never allocate beyond the configured caps" is checked here rather than
//! through libFuzzer's `-malloc_limit_mb`, which needs a sanitizer's malloc
//! hooks: this works on stable with `-s none` too. Two numbers are kept
//! while a measurement is armed: the largest single allocation (or
//! reallocation target) and the peak of live bytes above the level at the
//! start. A single request above [`HARD_LIMIT`] is refused on the spot, so
//! a length claim of 2^60 ends as an allocation failure naming the size
//! instead of swapping the machine.
//!
//! libFuzzer runs the target on one thread, so process-wide counters are
//! the iteration's counters.

// The allocator is the one place the fuzz harness needs `unsafe`: the
// `GlobalAlloc` trait is unsafe to implement. The library itself forbids it.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

/// Requests above this are refused while armed, whatever the target's own
/// bound: far above any legitimate allocation of the crate, far below what
/// would hurt the machine.
pub const HARD_LIMIT: usize = 64 << 20;

/// Counts allocations into [`Usage`] while [`measure`] runs.
pub struct CappedAllocator;

static ARMED: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Relaxed) + size;
    if ARMED.load(Relaxed) {
        LARGEST.fetch_max(size, Relaxed);
        PEAK.fetch_max(live, Relaxed);
    }
}

fn refused(size: usize) -> bool {
    ARMED.load(Relaxed) && size > HARD_LIMIT && {
        LARGEST.fetch_max(size, Relaxed);
        true
    }
}

// SAFETY: every method forwards to `System` with the caller's layout; the
// bookkeeping only touches atomics and never allocates.
unsafe impl GlobalAlloc for CappedAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if refused(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if refused(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if refused(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        new
    }
}

/// What one measured call allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// The largest single allocation or reallocation, in bytes.
    pub largest: usize,
    /// The peak of live heap bytes above the level when the call started.
    pub peak: usize,
}

/// Runs `f` and reports what it allocated. Only meaningful when
/// [`CappedAllocator`] is the global allocator (it is in every target of
/// this crate); otherwise both numbers are zero.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, Usage) {
    let base = LIVE.load(Relaxed);
    LARGEST.store(0, Relaxed);
    PEAK.store(base, Relaxed);
    ARMED.store(true, Relaxed);
    let result = f();
    ARMED.store(false, Relaxed);
    let usage = Usage {
        largest: LARGEST.load(Relaxed),
        peak: PEAK.load(Relaxed).saturating_sub(base),
    };
    (result, usage)
}

static SEEN_LARGEST: AtomicUsize = AtomicUsize::new(0);
static SEEN_PEAK: AtomicUsize = AtomicUsize::new(0);

/// With `FUZZ_ALLOC_REPORT=1`, prints each new maximum to stderr, so that
/// running a target over its corpus (`-runs=0`) tells the largest usage of
/// any input in it; FUZZING.md quotes those numbers.
fn report(usage: Usage) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("FUZZ_ALLOC_REPORT").is_some_and(|v| v == "1")) {
        return;
    }
    let largest = SEEN_LARGEST.fetch_max(usage.largest, Relaxed);
    let peak = SEEN_PEAK.fetch_max(usage.peak, Relaxed);
    if usage.largest > largest || usage.peak > peak {
        eprintln!(
            "alloc-report: largest single allocation {} B, peak live growth {} B",
            largest.max(usage.largest),
            peak.max(usage.peak)
        );
    }
}

/// Runs `f` and panics (a crash for libFuzzer) if one allocation exceeded
/// `largest` bytes or the live heap grew by more than `peak` bytes.
pub fn within<R>(largest: usize, peak: usize, f: impl FnOnce() -> R) -> R {
    let (result, usage) = measure(f);
    report(usage);
    assert!(
        usage.largest <= largest && usage.peak <= peak,
        "allocation cap exceeded: {usage:?}, allowed largest {largest}, peak {peak}"
    );
    result
}
