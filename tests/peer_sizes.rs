//! Bytes on the wire: the cookie value of the same session sealed by us and
//! by each peer. Sizes are deterministic, so this is a test, not a bench:
//! our value must be the smallest at every payload size.

#[path = "../benches/common/mod.rs"]
mod common;

use common::{BrancaPeer, CookieJarPeer, FernetPeer, PasetoPeer, SIZES, typical};
use sealed_session::{Algorithm, Key, KeyRing, Sealer, Session};

#[test]
fn our_cookie_is_the_smallest_for_the_same_session() {
    let jar = CookieJarPeer::new();
    let fernet = FernetPeer::new();
    let paseto = PasetoPeer::new();
    let branca = BrancaPeer::new();
    for size in SIZES {
        let session = Session::new(typical(size));
        assert_eq!(postcard::to_allocvec(session.data()).unwrap().len(), size);
        let plain = common::peer_plaintext(session.data());
        let ours: Vec<(String, usize)> = Algorithm::ALL
            .into_iter()
            .map(|algorithm| {
                let sealer = Sealer::builder(KeyRing::new(Key::generate_with(algorithm, 1)))
                    .build()
                    .unwrap();
                let value = sealer.seal_value(&session).unwrap();
                (format!("sealed-session {algorithm}"), value.len())
            })
            .collect();
        let peers = [
            ("cookie private jar", jar.seal(&plain).len()),
            ("fernet", fernet.seal(&plain).len()),
            ("paseto v4.local", paseto.seal(&plain).len()),
            ("branca", branca.seal(&plain).len()),
        ];
        for (name, len) in ours.iter().map(|(n, l)| (n.as_str(), *l)).chain(peers) {
            println!("payload {size:>4} B: {name:<36} {len:>5} bytes");
        }
        let largest_ours = ours.iter().map(|(_, l)| *l).max().unwrap();
        for (peer, len) in peers {
            assert!(
                largest_ours < len,
                "{peer} ({len}) beats us ({largest_ours}) at {size} B"
            );
        }
    }
}
