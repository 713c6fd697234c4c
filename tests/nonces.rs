//! Nonce and session-id uniqueness. A repeated nonce under one key breaks
//! GCM's authentication outright, so many seals of the very same session
//! (same plaintext but the nonce) must all use different nonces.

mod common;

use common::{HEADER_LEN, T0, decode};
use sealed_session::{Algorithm, NonceSource, Session, SessionId, nonce_source};
use std::collections::HashSet;

const COUNT: usize = 1 << 17;

#[test]
fn repeated_seals_of_one_session_use_distinct_nonces() {
    let algorithm = Algorithm::Xaes256Gcm;
    let sealer = common::sealer(algorithm);
    let session = Session::new(0u8);
    let nonce = HEADER_LEN..HEADER_LEN + algorithm.nonce_len();
    let mut nonces = HashSet::with_capacity(COUNT);
    let mut ciphertexts = HashSet::with_capacity(COUNT);
    for _ in 0..COUNT {
        let bytes = decode(&sealer.seal_value_at(&session, T0).unwrap());
        let n: [u8; 24] = bytes[nonce.clone()].try_into().unwrap();
        assert!(
            nonces.insert(n),
            "nonce repeated after {} seals",
            nonces.len()
        );
        // Same plaintext, different nonce: the rest differs as well.
        ciphertexts.insert(bytes[nonce.end..].to_vec());
    }
    assert_eq!(ciphertexts.len(), COUNT);
}

#[test]
fn short_nonces_of_aes_gcm_do_not_repeat_either() {
    // 96-bit nonces: fewer seals, same property.
    for algorithm in [Algorithm::Aes256Gcm, Algorithm::XChaCha20Poly1305] {
        let sealer = common::sealer(algorithm);
        let session = Session::new(0u8);
        let nonce = HEADER_LEN..HEADER_LEN + algorithm.nonce_len();
        let mut nonces = HashSet::new();
        for _ in 0..COUNT / 8 {
            let bytes = decode(&sealer.seal_value_at(&session, T0).unwrap());
            assert!(
                nonces.insert(bytes[nonce.clone()].to_vec()),
                "{algorithm:?}"
            );
        }
    }
}

#[test]
fn new_sessions_get_distinct_ids() {
    let mut ids = HashSet::with_capacity(COUNT);
    for _ in 0..COUNT {
        assert!(ids.insert(Session::new(()).id()));
    }
    // No id is the all-zero placeholder.
    assert!(!ids.contains(&SessionId::from_bytes([0; 16])));
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn nonces_differ_across_threads() {
    // Each thread has its own generator; they must not start from a shared
    // state.
    let sealer = std::sync::Arc::new(common::sealer(Algorithm::Xaes256Gcm));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let sealer = sealer.clone();
            std::thread::spawn(move || {
                (0..1024)
                    .map(|_| {
                        let bytes = decode(&sealer.seal_value_at(&Session::new(0u8), T0).unwrap());
                        bytes[HEADER_LEN..HEADER_LEN + 24].to_vec()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = HashSet::new();
    for thread in threads {
        for nonce in thread.join().unwrap() {
            assert!(all.insert(nonce));
        }
    }
    assert_eq!(all.len(), 4 * 1024);
}

/// The process keeps the nonce source it measured at its first draw, and
/// it is the one the suite's scripts expect for this C library:
/// `scripts/test.sh` sets `SEALED_SESSION_EXPECT_NONCE_SOURCE=thread-rng`
/// below glibc 2.41 (there getrandom is a system call, dearer than the
/// process-id check), and `scripts/nonce-sources.sh` runs this file under
/// glibc 2.41 with `os` when the kernel has the vDSO getrandom, so that
/// every test here covers both sources.
#[test]
fn the_process_keeps_the_nonce_source_its_c_library_makes_cheaper() {
    let source = nonce_source();
    let expected = match std::env::var("SEALED_SESSION_EXPECT_NONCE_SOURCE").as_deref() {
        Ok("os") => Some(NonceSource::Os),
        Ok("thread-rng") => Some(NonceSource::ThreadRng),
        Ok(other) => panic!("SEALED_SESSION_EXPECT_NONCE_SOURCE={other}: os or thread-rng"),
        Err(_) => None,
    };
    if let Some(expected) = expected {
        assert_eq!(source, expected);
    }
    // Draws do not change it.
    let sealer = common::sealer(Algorithm::Xaes256Gcm);
    for _ in 0..64 {
        sealer.seal_value_at(&Session::new(0u8), T0).unwrap();
    }
    assert_eq!(nonce_source(), source);
}

/// A real `fork()`: the child inherits the parent's thread-local generator,
/// which must reseed by itself (issue 13, item 3) so that neither its
/// nonces nor its session ids repeat the parent's. Unix only; wasm targets
/// have no fork.
#[cfg(unix)]
mod fork {
    use super::common::{self, HEADER_LEN, T0, decode};
    use sealed_session::revocation::{MemoryStore, Revocation};
    use sealed_session::{Algorithm, Sealer, Session};
    use std::collections::HashSet;
    use std::io::{Read as _, Write as _};
    use std::os::fd::{FromRawFd as _, OwnedFd};

    const SEALS: usize = 256;
    /// A nonce (24 bytes) then a session id (16 bytes).
    const RECORD: usize = 24 + 16;

    /// What one process draws: the id of a new session, then the nonce of
    /// its seal, `SEALS` times, in the same order in parent and child so
    /// that a shared generator state would give byte-equal records.
    fn draw(sealer: &Sealer) -> Vec<[u8; RECORD]> {
        (0..SEALS)
            .map(|_| {
                let session = Session::new(0u8);
                let bytes = decode(&sealer.seal_value_at(&session, T0).unwrap());
                let mut record = [0u8; RECORD];
                record[..24].copy_from_slice(&bytes[HEADER_LEN..HEADER_LEN + 24]);
                record[24..].copy_from_slice(session.id().as_bytes());
                record
            })
            .collect()
    }

    #[test]
    fn a_forked_child_repeats_no_nonce_or_session_id_of_its_parent() {
        let sealer = common::sealer(Algorithm::Xaes256Gcm);
        // The parent touches its generator before forking, as any server
        // that sealed once (or built a Revocation) has.
        let before = draw(&sealer);
        let store = MemoryStore::new(10).unwrap();
        drop(Revocation::new(common::sealer(Algorithm::Xaes256Gcm), store).unwrap());

        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe() writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0, "pipe");
        // SAFETY: pipe() returned these descriptors and nothing else owns them.
        let (read_end, write_end) =
            unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: the child only seals, writes to the pipe and `_exit`s; it
        // never returns into the test harness or prints (another thread of
        // the harness may hold the output lock at the fork).
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            drop(read_end);
            let ok = std::panic::catch_unwind(|| {
                let bytes: Vec<u8> = draw(&sealer).concat();
                std::fs::File::from(write_end).write_all(&bytes).is_ok()
            });
            // SAFETY: ends the child at once, skipping the parent's atexit
            // handlers and destructors.
            unsafe { libc::_exit(if matches!(ok, Ok(true)) { 0 } else { 1 }) };
        }
        drop(write_end);
        let after = draw(&sealer);
        let mut child = Vec::new();
        std::fs::File::from(read_end)
            .read_to_end(&mut child)
            .unwrap();
        let mut status = 0;
        // SAFETY: `pid` is our child; `status` is a valid out pointer.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "child failed: {status}"
        );
        assert_eq!(child.len(), SEALS * RECORD, "child wrote every record");

        let mut nonces = HashSet::new();
        let mut ids = HashSet::new();
        let parent = before.iter().chain(&after).map(|r| r.as_slice());
        for (i, record) in parent.chain(child.chunks(RECORD)).enumerate() {
            let from = if i < 2 * SEALS { "parent" } else { "child" };
            assert!(
                nonces.insert(record[..24].to_vec()),
                "{from} nonce {i} repeats"
            );
            assert!(
                ids.insert(record[24..].to_vec()),
                "{from} session id {i} repeats"
            );
        }
        assert_eq!(
            nonces.len(),
            3 * SEALS,
            "{:?}",
            sealed_session::nonce_source()
        );
    }
}
