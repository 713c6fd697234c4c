//! Heap allocations per seal and per open, counted by a global allocator
//! wrapper. Counts are deterministic, so they are asserted here. The target
//! is at most 2 per seal and per open; once a thread has warmed its scratch
//! buffer, a seal allocates only the string it returns and an open only what
//! the session data itself owns (a `Vec` field, a subject).
//!
//! The same allocator looks into every block as it is freed, for key bytes
//! and a session's plaintext: nothing secret may be left behind in freed
//! memory, where the next allocation (or a heap dump) would find it.

use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

thread_local! {
    // Per thread, so tests running in parallel don't see each other.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// Byte strings no freed block may hold, and how often one was seen.
/// Global, not per thread: a thread's scratch buffer is freed by its
/// thread-local destructors, after which its thread-locals may be gone.
/// So each test that counts plaintext has a needle of its own: a count
/// taken around one test's window must not see another test, running at
/// the same time, free its own plaintext (the compressed test's seal does,
/// in miniz's dictionary, outside its window).
static NEEDLES: [(&[u8], AtomicUsize); 4] = [
    (&KEY_BYTES, AtomicUsize::new(0)),
    (KEY_TEXT.as_bytes(), AtomicUsize::new(0)),
    (&PLAINTEXT, AtomicUsize::new(0)),
    (&COMPRESSIBLE, AtomicUsize::new(0)),
];

/// The bytes of the keys under watch: every key of these tests is this
/// pattern with its last byte set to the key's id.
const KEY_BYTES: [u8; 31] = [
    0x9d, 0x17, 0xe3, 0x5a, 0xc4, 0x28, 0x6f, 0xb1, 0x03, 0x8e, 0x72, 0xd9, 0x4b, 0xa0, 0x35, 0xfc,
    0x61, 0x0a, 0xb7, 0x2e, 0xd5, 0x93, 0x48, 0x1c, 0xe6, 0x7d, 0x09, 0xbe, 0x54, 0xc2, 0x8b,
];
/// The start of those keys' base64url text (31 bytes = 41 characters and
/// a partial one; the first 40 depend on the pattern alone).
const KEY_TEXT: &str = "nRfjWsQob7EDjnLZS6A1_GEKty7Vk0gc5n0Jvl";
/// A session's data, serialized verbatim (postcard writes a `[u8; 32]` as
/// its 32 bytes) and so present in the plaintext.
const PLAINTEXT: [u8; 32] = *b"plaintext that must not linger!!";
/// The compressed test's plaintext: another needle than [`PLAINTEXT`].
const COMPRESSIBLE: [u8; 32] = *b"compressed text, never left free";

fn key(algorithm: Algorithm, id: u8) -> Key {
    let mut bytes = [id; 32];
    bytes[..31].copy_from_slice(&KEY_BYTES);
    Key::from_bytes(algorithm, id.into(), &bytes)
}

/// Counts a watched needle in a block about to be freed.
///
/// # Safety
///
/// `ptr` is a live block of `size` bytes from [`Counting`], which zeroes
/// every block it hands out, so all of its bytes are initialised.
unsafe fn inspect(ptr: *mut u8, size: usize) {
    // SAFETY: see above; nothing else uses the block while it is freed.
    let block = unsafe { std::slice::from_raw_parts(ptr, size) };
    for (needle, seen) in &NEEDLES {
        if block.windows(needle.len()).any(|w| w == *needle) {
            seen.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: forwards to the system allocator; blocks are zeroed when handed
// out (so `inspect` reads only initialised bytes) and a reallocation is an
// allocation, a copy and a free, so that the old block is inspected too. The
// thread-local counter is a const-initialised Cell that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            inspect(ptr, layout.size());
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = System.alloc_zeroed(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                inspect(ptr, layout.size());
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How often each needle ([`KEY_BYTES`], [`KEY_TEXT`], [`PLAINTEXT`],
/// [`COMPRESSIBLE`]) was in a freed block so far.
fn seen() -> [usize; 4] {
    NEEDLES.each_ref().map(|(_, n)| n.load(Ordering::Relaxed))
}

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
        // So does the first use of a session type, whose schema is traced
        // once per process (FORMAT.md, "Schema") and then cached.
        let _ = sealer.seal_value(&Session::new(0u64)).unwrap();
        let _ = sealer.seal_value(&Session::new(vec![0u8])).unwrap();
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

#[test]
fn moving_keys_and_growing_rings_leave_no_key_bytes_in_freed_memory() {
    let before = seen();
    let now = time::OffsetDateTime::now_utc();
    // One key at a time: the ring's Vec grows 1 -> 4 -> 8 -> 16, and each
    // growth frees the block the keys were in before.
    let mut ring = KeyRing::new(key(Algorithm::Xaes256Gcm, 1));
    for (id, algorithm) in (2..=12).zip(Algorithm::ALL.into_iter().cycle()) {
        ring = ring.with_key(key(algorithm, id));
    }
    // Rotation inserts and moves keys inside the Vec; a clone builds new
    // key material; pruning and truncating drop keys.
    ring.rotate_at(key(Algorithm::Aes256Gcm, 20), now).unwrap();
    ring.promote_at(5, now).unwrap();
    let copy = ring.clone();
    ring.retire(3, now).unwrap();
    assert_eq!(ring.prune(now), [3]);
    // Through the text form (both attributes on every entry: its longest),
    // whose parser grows its own Vec entry by entry.
    let later = now + time::Duration::days(1);
    let ids: Vec<u32> = ring.keys().map(Key::id).collect();
    for &id in &ids[1..] {
        ring.set_since(id, Some(now));
        ring.retire(id, later).unwrap();
    }
    let parsed = {
        let text = ring.to_text();
        KeyRing::from_text(&text).unwrap()
    };
    let sealer = Sealer::builder(parsed).build_at(now).unwrap();
    let value = sealer.seal_value_at(&Session::new(1u8), now).unwrap();
    assert_eq!(
        *sealer.open_at::<u8>(&value, now).unwrap().session().data(),
        1
    );
    drop(sealer);
    assert_eq!(ring.truncate(2).len(), 10);
    drop((ring, copy));
    let after = seen();
    assert_eq!(after[0], before[0], "raw key bytes in a freed block");
    assert_eq!(after[1], before[1], "key text in a freed block");
}

/// A `Serialize` that unwinds, after whatever came before it in the session
/// data was serialized. `resume_unwind` skips the panic hook, so the test
/// prints nothing and captures no backtrace.
#[derive(serde::Deserialize)]
struct Panics;

impl serde::Serialize for Panics {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        std::panic::resume_unwind(Box::new("serialization unwinds on purpose"))
    }
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn the_scratch_buffer_keeps_no_plaintext_after_a_seal_or_open() {
    let before = seen()[2];
    // A thread of its own, whose scratch buffer is freed (and inspected)
    // when the thread ends.
    std::thread::spawn(|| {
        let sealer = Sealer::builder(KeyRing::new(key(Algorithm::default(), 1)))
            .build()
            .unwrap();
        let value = sealer.seal_value(&Session::new(PLAINTEXT)).unwrap();
        // Decrypted in place in the buffer.
        let opened = sealer.open::<[u8; 32]>(&value).unwrap();
        assert_eq!(opened.session().data(), &PLAINTEXT);
        // Refused after decryption (another type's schema): the plaintext
        // was in the buffer.
        let err = sealer.open::<String>(&value).unwrap_err();
        assert!(
            matches!(err, sealed_session::Error::SchemaMismatch { .. }),
            "{err:?}"
        );
        // Serialized in the buffer, then refused before encryption.
        let big = Session::new((PLAINTEXT, "x".repeat(3200)));
        let err = sealer.seal_value(&big).unwrap_err();
        assert!(
            matches!(err, sealed_session::Error::TooLarge { .. }),
            "{err:?}"
        );
        // Too large even for the buffer a seal reserves: it grew while the
        // plaintext was written into it.
        let huge = Session::new((PLAINTEXT, "x".repeat(20_000)));
        let err = sealer.seal_value(&huge).unwrap_err();
        assert!(
            matches!(err, sealed_session::Error::TooLarge { .. }),
            "{err:?}"
        );
        // Serialized in the buffer, then unwound through the seal.
        let panicking = Session::new((PLAINTEXT, Panics));
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            sealer.seal_value(&panicking)
        }));
        assert!(unwound.is_err());
        // The buffer still works after the unwind.
        assert!(sealer.open::<[u8; 32]>(&value).is_ok());
    })
    .join()
    .unwrap();
    assert_eq!(seen()[2], before, "plaintext in a freed block");
}

/// Opening a compressed cookie inflates the plaintext into a buffer of its
/// own, grown by hand and wiped when dropped: no freed block holds it.
/// (Sealing one is not covered: miniz's compressor frees its dictionary,
/// which holds the plaintext, without wiping it; README says so.)
#[cfg(feature = "compression")]
#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn opening_a_compressed_cookie_leaves_no_plaintext_in_freed_memory() {
    let sealer = Sealer::builder(KeyRing::new(key(Algorithm::default(), 1)))
        .with_compression(true)
        .build()
        .unwrap();
    // Compressible, long enough that the inflate buffer grows, and on the
    // stack (the session data's own heap blocks are the caller's to wipe).
    let data = [COMPRESSIBLE; 32];
    let value = sealer.seal_value(&Session::new(data)).unwrap();
    assert!(value.len() < 200, "compressed: {}", value.len());
    let before = seen()[3];
    // The closure is boxed by `spawn`: it captures no plaintext.
    std::thread::spawn(move || {
        let opened = sealer.open::<[[u8; 32]; 32]>(&value).unwrap();
        assert_eq!(opened.session().data(), &[COMPRESSIBLE; 32]);
        drop(opened);
        // Refused after inflating: the plaintext was in the inflate buffer.
        assert!(sealer.open::<u8>(&value).is_err());
    })
    .join()
    .unwrap();
    assert_eq!(seen()[3], before, "plaintext in a freed block");
}
