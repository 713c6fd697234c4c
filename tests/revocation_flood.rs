//! Issue 13, item 2, on both stores: a client that creates anonymous
//! sessions and logs them out as fast as it can (and one with an account
//! that logs its own sessions out) cannot stop anybody else's logout or
//! login. While the flood runs, a victim logs in, a copy of the cookie is
//! stolen, the victim logs out, and the stolen copy is refused, every time.

use sealed_session::revocation::{MemoryStore, Revocation, RevocationStore};
use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[cfg(feature = "redis")]
#[allow(dead_code)] // the shared helper has more than this file uses
mod redis_server;

const VICTIM_ROUNDS: usize = 40;

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(1)))
        .build()
        .expect("sealer builds")
}

fn anonymous_cookie<S: RevocationStore>(r: &Revocation<S>) -> String {
    r.sealer().seal_value(&Session::new(0u32)).unwrap()
}

/// What the flood managed, for the assertions and the report.
#[derive(Default)]
struct Flood {
    anonymous_logouts: AtomicUsize,
    anonymous_refused: AtomicUsize,
    account_logouts: AtomicUsize,
}

/// One attacker step: an anonymous session logged out, and a session of
/// the attacker's own account logged out.
async fn attack<S: RevocationStore>(r: &Revocation<S>, flood: &Flood) {
    let value = anonymous_cookie(r);
    let checked = r.open_checked::<u32>(&value).await.unwrap();
    match r.logout(&checked).await {
        Ok(_) => flood.anonymous_logouts.fetch_add(1, Ordering::Relaxed),
        Err(Error::RevocationFull { .. }) => {
            flood.anonymous_refused.fetch_add(1, Ordering::Relaxed)
        }
        Err(other) => panic!("attacker's logout: {other:?}"),
    };
    let mut own = Session::new(0u32);
    own.set_subject("mallory").unwrap();
    let value = r.sealer().seal_value(&own).unwrap();
    if let Ok(checked) = r.open_checked::<u32>(&value).await {
        r.logout(&checked).await.unwrap();
        flood.account_logouts.fetch_add(1, Ordering::Relaxed);
    }
}

/// One victim round: visit, log in (renewing the anonymous session), a
/// copy is stolen, log out; the copy must be refused. Each round is
/// another user.
async fn victim<S: RevocationStore>(r: &Revocation<S>, round: usize) {
    let visit = anonymous_cookie(r);
    let mut checked = r.open_checked::<u32>(&visit).await.expect("visit");
    r.renew_id(&mut checked)
        .await
        .expect("login under the flood");
    checked
        .session_mut()
        .set_subject(format!("victim-{round}"))
        .unwrap();
    let logged_in = r.sealer().seal_value(checked.session()).unwrap();
    let stolen = logged_in.clone();
    let checked = r.open_checked::<u32>(&logged_in).await.expect("logged in");
    r.logout(&checked).await.expect("logout under the flood");
    assert_eq!(
        r.open_checked::<u32>(&stolen)
            .await
            .map(|_| ())
            .unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        },
        "the stolen copy is refused"
    );
}

fn assert_flooded(flood: &Flood, anonymous_limit: usize) {
    let refused = flood.anonymous_refused.load(Ordering::Relaxed);
    let taken = flood.anonymous_logouts.load(Ordering::Relaxed);
    assert!(taken <= anonymous_limit, "{taken} anonymous ids held");
    assert!(refused > 0, "the flood filled the anonymous share");
    assert!(flood.account_logouts.load(Ordering::Relaxed) > 0);
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn a_flood_on_the_memory_store_does_not_stop_a_victims_logout_or_login() {
    use sealed_session::revocation::run_ready;
    // 1000 ids, 250 of them anonymous: the old single bound of 200 entries
    // was full after 210 requests.
    let store = MemoryStore::new(1000).unwrap();
    let r = Arc::new(Revocation::new(sealer(), store).unwrap());
    let flood = Arc::new(Flood::default());
    let stop = Arc::new(AtomicBool::new(false));
    let attackers: Vec<_> = (0..2)
        .map(|_| {
            let (r, flood, stop) = (Arc::clone(&r), Arc::clone(&flood), Arc::clone(&stop));
            std::thread::spawn(move || {
                // Bounded: at most 5,000 steps per attacker thread.
                for _ in 0..5_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    run_ready(async {
                        attack(&r, &flood).await;
                        Ok::<(), Error>(())
                    })
                    .unwrap();
                }
            })
        })
        .collect();
    // Let the flood fill the anonymous share first.
    while flood.anonymous_refused.load(Ordering::Relaxed) == 0 {
        std::thread::yield_now();
        if attackers.iter().all(|a| a.is_finished()) {
            break;
        }
    }
    for round in 0..VICTIM_ROUNDS {
        run_ready(async {
            victim(&r, round).await;
            Ok::<(), Error>(())
        })
        .unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    for attacker in attackers {
        attacker.join().expect("attacker thread");
    }
    assert_flooded(&flood, 250);
    // Ids: at most the anonymous share, the attacker account's quota and
    // one per victim; records: the attacker's and one per victim.
    let quota = sealed_session::revocation::DEFAULT_SUBJECT_QUOTA as usize;
    assert!(r.store().len() <= 250 + quota + 2 * VICTIM_ROUNDS + 1);
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_on_redis_does_not_stop_a_victims_logout_or_login() {
    use sealed_session::revocation::RedisStore;
    let server = redis_server::RedisServer::start();
    let store = RedisStore::builder(server.url())
        .with_anonymous_limit(200)
        .connect()
        .await
        .unwrap();
    let r = Arc::new(Revocation::new(sealer(), store).unwrap());
    // Sessions sealed in the second of the store's first connect (which
    // arms it with a global not-before) would be refused: start after it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let flood = Arc::new(Flood::default());
    let stop = Arc::new(AtomicBool::new(false));
    let attackers: Vec<_> = (0..4)
        .map(|_| {
            let (r, flood, stop) = (Arc::clone(&r), Arc::clone(&flood), Arc::clone(&stop));
            tokio::spawn(async move {
                for _ in 0..2_000 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    attack(&r, &flood).await;
                }
            })
        })
        .collect();
    while flood.anonymous_refused.load(Ordering::Relaxed) == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        if attackers.iter().all(|a| a.is_finished()) {
            break;
        }
    }
    for round in 0..VICTIM_ROUNDS {
        victim(&r, round).await;
    }
    stop.store(true, Ordering::Relaxed);
    for attacker in attackers {
        attacker.await.expect("attacker task");
    }
    assert_flooded(&flood, 200);
}
