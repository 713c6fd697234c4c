//! Nonce and session-id uniqueness. A repeated nonce under one key breaks
//! GCM's authentication outright, so many seals of the very same session
//! (same plaintext but the nonce) must all use different nonces.

mod common;

use common::{HEADER_LEN, T0, decode};
use sealed_session::{Algorithm, Session, SessionId};
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
