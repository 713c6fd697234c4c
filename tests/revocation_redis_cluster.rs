//! The Redis store on a real local Redis Cluster (feature `redis-cluster`):
//! three primaries and three replicas each test starts on loopback ports
//! (see `redis_cluster/mod.rs`). A check is one command on one node; a
//! logout seen by one node is seen by all; a primary killed and failed
//! over to its replica loses no revocation.

#![cfg(not(target_family = "wasm"))]

mod redis_cluster;

#[path = "redis_server/sessions.rs"]
mod sessions;
use sessions::{cookie, open, revoked, sealer};

use redis_cluster::{RedisCluster, cli};
use sealed_session::revocation::{RedisStore, Revocation};
use sealed_session::{ConfigError, Error, RevokedReason, Session, UnavailableReason};
use std::time::{Duration as StdDuration, Instant};
use time::Duration;

async fn revocation(cluster: &RedisCluster, refresh: Duration) -> Revocation<RedisStore> {
    // One seed node is enough: the client discovers the others.
    let store = RedisStore::cluster_builder([cluster.urls()[0].clone()])
        .with_prefix("cluster:")
        .with_timeout(Duration::seconds(1))
        .with_refresh_interval(refresh)
        .connect()
        .await
        .expect("connects to the test cluster");
    Revocation::new(sealer(), store).unwrap()
}

/// Commands a client sent to the node on `port` (INFO commandstats), less
/// the test's own INFOs and what nodes send each other (replication acks,
/// pings, cluster commands).
fn processed(port: u16) -> u64 {
    cli(port, &["INFO", "commandstats"])
        .lines()
        .filter_map(|l| l.strip_prefix("cmdstat_"))
        .filter(|l| {
            ![
                "info:",
                "replconf:",
                "ping:",
                "cluster",
                "command",
                "client",
            ]
            .iter()
            .any(|own| l.starts_with(own))
        })
        .filter_map(|l| {
            l.split("calls=")
                .nth(1)?
                .split(',')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

#[tokio::test]
async fn a_check_is_one_command_on_one_node_and_writes_wait_for_a_replica() {
    let cluster = RedisCluster::start();
    // A long refresh interval: no re-read of the global not-before here.
    let r = revocation(&cluster, Duration::minutes(5)).await;
    let subjects = ["alice", "bob", "carol", "dave", "erin", "frank"];
    let cookies: Vec<String> = subjects.iter().map(|s| cookie(&r, Some(s))).collect();
    let anonymous = cookie(&r, None);
    let primaries = cluster.primaries();
    for value in cookies.iter().chain([&anonymous]) {
        let before: Vec<u64> = primaries.iter().map(|p| processed(*p)).collect();
        assert_eq!(open(&r, value).await, Ok(7));
        let after: Vec<u64> = primaries.iter().map(|p| processed(*p)).collect();
        let commands: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
        assert_eq!(
            commands.iter().sum::<u64>(),
            1,
            "one command in all: {commands:?}"
        );
    }
    // Logouts of subjects that hash to different slots.
    for value in &cookies {
        let checked = r.open_checked::<u32>(value).await.unwrap();
        r.logout(&checked).await.unwrap();
    }
    let checked = r.open_checked::<u32>(&anonymous).await.unwrap();
    r.logout(&checked).await.unwrap();
    let keys = cluster.keys();
    let holders: std::collections::HashSet<u16> = keys.iter().map(|(port, _)| *port).collect();
    assert!(
        holders.len() >= 2,
        "subjects spread over primaries: {keys:?}"
    );
    // Every logout reached a replica before it was reported (WAIT 1):
    // the replicas hold as many keys as the primaries, right away.
    let count = |ports: Vec<&u16>| -> u64 {
        ports
            .iter()
            .map(|p| cli(**p, &["DBSIZE"]).trim().parse::<u64>().unwrap())
            .sum()
    };
    let replicas: Vec<&u16> = cluster
        .ports
        .iter()
        .filter(|p| !primaries.contains(p))
        .collect();
    assert_eq!(count(replicas), count(primaries.iter().collect()));
    assert_eq!(count(primaries.iter().collect()), keys.len() as u64);
    for value in cookies.iter().chain([&anonymous]) {
        assert!(matches!(open(&r, value).await, Err(Error::Revoked { .. })));
    }
}

#[tokio::test]
async fn nodes_see_each_others_logouts_at_once_and_revoke_all_within_the_refresh() {
    let cluster = RedisCluster::start();
    let refresh = Duration::milliseconds(300);
    let (one, two) = (
        revocation(&cluster, refresh).await,
        revocation(&cluster, refresh).await,
    );
    let alice = cookie(&one, Some("alice"));
    let bob = cookie(&one, Some("bob"));
    let bob_too = cookie(&one, Some("bob"));
    let anonymous = cookie(&one, None);
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let checked = one.open_checked::<u32>(&alice).await.unwrap();
    one.logout(&checked).await.unwrap();
    one.logout_everywhere("bob").await.unwrap();
    let checked = one.open_checked::<u32>(&anonymous).await.unwrap();
    one.logout(&checked).await.unwrap();
    assert_eq!(open(&two, &alice).await, revoked(RevokedReason::SessionId));
    assert_eq!(
        open(&two, &bob).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(
        open(&two, &bob_too).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(
        open(&two, &anonymous).await,
        revoked(RevokedReason::SessionId)
    );

    let carol = cookie(&one, Some("carol"));
    assert_eq!(open(&two, &carol).await, Ok(7));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    one.revoke_all().await.unwrap();
    // The node that revoked sees it at once; the other within the refresh.
    assert_eq!(
        open(&one, &carol).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
    tokio::time::sleep(StdDuration::from_millis(300 + 200)).await;
    assert_eq!(
        open(&two, &carol).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
    // And sessions logged in after it are fine on both.
    let mut login = Session::new(7u32);
    login.set_subject("carol").unwrap();
    two.login(&mut login).await.unwrap();
    let fresh = two.sealer().seal_value(&login).unwrap();
    assert_eq!(open(&one, &fresh).await, Ok(7));
    assert_eq!(open(&two, &fresh).await, Ok(7));
}

#[tokio::test]
async fn a_failed_over_primary_loses_no_revocation() {
    let mut cluster = RedisCluster::start();
    let r = revocation(&cluster, Duration::milliseconds(300)).await;
    let subjects: Vec<String> = (0..12).map(|n| format!("user{n}")).collect();
    let logged_out: Vec<String> = subjects.iter().map(|s| cookie(&r, Some(s))).collect();
    let fine: Vec<String> = subjects.iter().map(|s| cookie(&r, Some(s))).collect();
    for value in &logged_out {
        let checked = r.open_checked::<u32>(value).await.unwrap();
        r.logout(&checked).await.unwrap();
    }
    // Kill the primary that holds the most of these revocations, at once.
    let keys = cluster.keys();
    let victim = *cluster
        .primaries()
        .iter()
        .max_by_key(|p| keys.iter().filter(|(port, _)| port == *p).count())
        .unwrap();
    let held_there = keys.iter().filter(|(port, _)| *port == victim).count();
    assert!(held_there > 0);
    let took = cluster.fail_over(victim);
    eprintln!("failover of 127.0.0.1:{victim} ({held_there} keys) took {took:?}");
    assert!(!cluster.primaries().contains(&victim));

    // Checks come back, and no logged-out session does.
    let deadline = Instant::now() + StdDuration::from_secs(20);
    for (out, ok) in logged_out.iter().zip(&fine) {
        loop {
            match open(&r, ok).await {
                Ok(7) => break,
                // A lost primary is a connection failure (CLUSTERDOWN
                // included), never an unreadable reply.
                Err(Error::RevocationUnavailable {
                    reason: UnavailableReason::Connection | UnavailableReason::Timeout,
                }) if Instant::now() < deadline => {
                    tokio::time::sleep(StdDuration::from_millis(100)).await;
                }
                other => panic!("checks did not come back: {other:?}"),
            }
        }
        assert_eq!(open(&r, out).await, revoked(RevokedReason::SessionId));
    }
    // The old primary rejoins as a replica; logouts go on, and wait for it.
    cluster.restart(victim);
    cluster.wait_until_ok(&[]);
    assert!(!cluster.primaries().contains(&victim));
    for value in &fine {
        let checked = r.open_checked::<u32>(value).await.unwrap();
        r.logout(&checked).await.unwrap();
        assert_eq!(open(&r, value).await, revoked(RevokedReason::SessionId));
    }
}

#[tokio::test]
async fn connect_checks_every_primary_and_bad_settings() {
    let cluster = RedisCluster::start();
    let url = cluster.urls()[0].clone();
    // One primary without persistence is enough to refuse.
    let last = *cluster.primaries().last().unwrap();
    cli(last, &["CONFIG", "SET", "appendonly", "no"]);
    let err = RedisStore::cluster_builder([url.clone()])
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisPersistence));
    cli(last, &["CONFIG", "SET", "appendonly", "yes"]);
    cli(last, &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"]);
    let err = RedisStore::cluster_builder([url.clone()])
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisEvictionPolicy));
    cli(last, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    assert!(
        RedisStore::cluster_builder([url.clone()])
            .connect()
            .await
            .is_ok()
    );

    let none: [&str; 0] = [];
    let err = RedisStore::cluster_builder(none)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisCluster));
    let err = RedisStore::cluster_builder(["not a url"])
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisCluster));
    let err = RedisStore::cluster_builder([url])
        .with_refresh_interval(Duration::ZERO)
        .connect()
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RevocationTimeout));
    // No replica can acknowledge 5 acks: logouts fail, and say so.
    let strict = RedisStore::cluster_builder(cluster.urls())
        .with_replica_acks(5)
        .with_timeout(Duration::milliseconds(400))
        .connect()
        .await
        .unwrap();
    let r = Revocation::new(sealer(), strict).unwrap();
    let value = cookie(&r, Some("alice"));
    let checked = r.open_checked::<u32>(&value).await.unwrap();
    assert_eq!(
        r.logout(&checked).await.unwrap_err(),
        Error::RevocationUnavailable {
            reason: UnavailableReason::Replication
        }
    );
}

#[tokio::test]
async fn checks_fail_closed_once_the_held_global_not_before_is_stale() {
    let mut cluster = RedisCluster::start();
    // 200 ms refresh: the held copy may serve for 600 ms without a read.
    let r = revocation(&cluster, Duration::milliseconds(200)).await;
    let subjects: Vec<String> = (0..12).map(|n| format!("user{n}")).collect();
    for subject in &subjects {
        let value = cookie(&r, Some(subject));
        let checked = r.open_checked::<u32>(&value).await.unwrap();
        r.logout(&checked).await.unwrap();
    }
    let keys = cluster.keys();
    let global_node = keys
        .iter()
        .find(|(_, key)| key.ends_with("sentinel"))
        .map(|(port, _)| *port)
        .expect("the sentinel is on a primary");
    // A subject whose keys live on another primary than the global's.
    let subject = subjects
        .iter()
        .find(|s| {
            keys.iter()
                .any(|(port, key)| *port != global_node && key.ends_with(&format!("c:{s}")))
        })
        .expect("some subject hashes elsewhere");
    let mut login = Session::new(7u32);
    login.set_subject(subject.as_str()).unwrap();
    let live = r.sealer().seal_value(&login).unwrap();
    assert_eq!(open(&r, &live).await, Ok(7));
    // A node whose held copy is still fresh (a 5 minute interval) tells a
    // stale copy from a connection that is down as a whole.
    let fresh = revocation(&cluster, Duration::minutes(5)).await;
    assert_eq!(open(&fresh, &live).await, Ok(7));

    let killed = Instant::now();
    cluster.kill(global_node);
    // Its own shard is up, but the global not-before cannot be read: after
    // three intervals its checks fail closed too.
    tokio::time::sleep(StdDuration::from_millis(900)).await;
    let err = open(&r, &live).await.unwrap_err();
    assert!(
        matches!(err, Error::RevocationUnavailable { .. }),
        "stale global not-before must fail closed, got {err:?}"
    );
    assert_eq!(open(&fresh, &live).await, Ok(7), "the shard itself is up");
    assert!(
        killed.elapsed() < StdDuration::from_secs(2),
        "checked before the failover could finish"
    );
    // Once the replica is promoted, the read succeeds and checks answer.
    cluster.wait_until_ok(&[global_node]);
    let deadline = Instant::now() + StdDuration::from_secs(20);
    while open(&r, &live).await != Ok(7) {
        assert!(Instant::now() < deadline, "checks did not come back");
        tokio::time::sleep(StdDuration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logouts_waiting_for_a_lost_replica_do_not_hold_up_checks() {
    let mut cluster = RedisCluster::start();
    let r = std::sync::Arc::new(revocation(&cluster, Duration::minutes(5)).await);
    let first = cookie(&r, Some("alice"));
    let checked = r.open_checked::<u32>(&first).await.unwrap();
    r.logout(&checked).await.unwrap();
    let primary = cluster
        .keys()
        .into_iter()
        .find(|(_, key)| key.ends_with("c:alice"))
        .map(|(port, _)| port)
        .expect("alice's quota key is on a primary");
    // Its replica: `ROLE` of a replica names its primary's port.
    let replica = *cluster
        .ports
        .iter()
        .find(|p| cli(**p, &["ROLE"]).lines().nth(2) == Some(&primary.to_string()))
        .expect("the primary has a replica");
    cluster.kill(replica);

    // Logouts of alice's sessions now wait for a replica that is gone,
    // and fail; meanwhile her live session is checked on the same primary.
    let live = cookie(&r, Some("alice"));
    let logouts: Vec<_> = (0..4)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move {
                let mut failed = 0;
                for _ in 0..4 {
                    let value = cookie(&r, Some("alice"));
                    let checked = r.open_checked::<u32>(&value).await.unwrap();
                    // Too few replicas, or queued behind the other
                    // logouts' WAITs past the timeout: reported, not lost.
                    match r.logout(&checked).await {
                        Err(Error::RevocationUnavailable {
                            reason: UnavailableReason::Replication | UnavailableReason::Timeout,
                        }) => failed += 1,
                        other => panic!("a logout without a replica must fail: {other:?}"),
                    }
                }
                failed
            })
        })
        .collect();
    tokio::time::sleep(StdDuration::from_millis(100)).await;
    for _ in 0..10 {
        let started = Instant::now();
        assert_eq!(open(&r, &live).await, Ok(7));
        // WAIT gives up after half the 1 s timeout; a check queued behind
        // it would take that long.
        assert!(
            started.elapsed() < StdDuration::from_millis(300),
            "a check waited {:?} behind a logout's WAIT",
            started.elapsed()
        );
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let mut failed = 0;
    for logout in logouts {
        failed += logout.await.unwrap();
    }
    assert_eq!(failed, 16);
}
