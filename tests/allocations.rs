//! Heap allocations per seal and per open, counted by a global allocator
//! wrapper. Counts are deterministic, so they are asserted here. The target
//! is at most 2 per seal and per open; once a thread has warmed its scratch
//! buffer, a seal allocates only the string it returns and an open only what
//! the session data itself owns (a `Vec` field, a subject).

use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    // Per thread, so tests running in parallel don't see each other.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; the
// thread-local counter is a const-initialised Cell that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (result, ALLOCATIONS.with(Cell::get) - before)
}

fn sealer(algorithm: Algorithm) -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
        .build()
        .unwrap()
}

#[test]
fn seal_allocates_its_string_open_only_the_data() {
    for algorithm in Algorithm::ALL {
        let sealer = sealer(algorithm);
        // Warm the thread-local nonce generator: its first use allocates.
        let _ = sealer.seal_value(&Session::new(0u64)).unwrap();
        for payload in [0usize, 64, 2000] {
            let session = Session::new(vec![7u8; payload]);
            let (value, n) = allocations(|| sealer.seal_value(&session).unwrap());
            assert!(
                n <= 2,
                "{algorithm} seal_value of {payload} B: {n} allocations"
            );
            let (_, n) = allocations(|| sealer.seal(&session).unwrap());
            assert!(n <= 2, "{algorithm} seal of {payload} B: {n} allocations");
            // The Vec<u8> being opened allocates once itself.
            let (_, n) = allocations(|| sealer.open::<Vec<u8>>(&value).unwrap());
            assert!(n <= 2, "{algorithm} open of {payload} B: {n} allocations");
        }
        let value = sealer.seal_value(&Session::new(5u64)).unwrap();
        let (_, n) = allocations(|| sealer.open::<u64>(&value).unwrap());
        assert_eq!(n, 0, "{algorithm} open of a u64 allocates nothing");
    }
}

#[test]
fn rejections_allocate_nothing() {
    let sealer = sealer(Algorithm::default());
    let value = sealer.seal_value(&Session::new(5u64)).unwrap();
    let _ = sealer.open::<u64>(&value).unwrap();
    let mut tampered = value.into_bytes();
    tampered[40] ^= 1;
    let tampered = String::from_utf8(tampered).unwrap();
    let (result, n) = allocations(|| sealer.open::<u64>(&tampered));
    assert!(result.is_err());
    assert_eq!(n, 0, "tampered cookie");
}
