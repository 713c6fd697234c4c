//! Revocation with the Redis store, against a real `redis-server` each test
//! starts on its own free loopback port (see `redis_server/mod.rs`).
//!
//! Redis expires keys on its own clock, so these tests run on the real
//! clock rather than a fixed one.

mod redis_server;

#[path = "redis_server/sessions.rs"]
mod sessions;
use sessions::{cookie, open, revoked};

use redis::AsyncCommands;
use redis_server::RedisServer;
use sealed_session::revocation::{
    FailurePolicy, RedisStore, Revocation, RevocationStore, run_ready,
};
use sealed_session::{
    ConfigError, Error, Key, KeyRing, RevokedReason, Sealer, Session, SessionId, UnavailableReason,
};
use std::time::{Duration as StdDuration, Instant};
use time::{Duration, OffsetDateTime};

const TIMEOUT: Duration = Duration::milliseconds(300);
/// What a failing call may take beyond its timeout: scheduling on a busy
/// two-core machine, not waiting.
const SLACK: StdDuration = StdDuration::from_millis(700);

fn ring() -> KeyRing {
    KeyRing::new(Key::from_bytes(
        sealed_session::Algorithm::XChaCha20Poly1305,
        1,
        &[7; 32],
    ))
}

fn sealer(ttl: Duration, leeway: Duration) -> Sealer {
    Sealer::builder(ring())
        .with_ttl(ttl)
        .with_leeway(leeway)
        .build()
        .expect("sealer builds")
}

async fn store(server: &RedisServer) -> RedisStore {
    RedisStore::builder(server.url())
        .with_prefix("test:")
        .with_timeout(TIMEOUT)
        .connect()
        .await
        .expect("connects to the test server")
}

async fn revocation(server: &RedisServer) -> Revocation<RedisStore> {
    Revocation::new(
        sealer(Duration::hours(1), Duration::seconds(30)),
        store(server).await,
    )
    .expect("revocation builds")
}

/// A plain connection for looking at the keys directly.
async fn raw(server: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn expire_time(conn: &mut redis::aio::MultiplexedConnection, key: &str) -> i64 {
    redis::cmd("EXPIRETIME")
        .arg(key)
        .query_async(conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn logout_revokes_the_session_until_its_deadline_plus_margin() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let alice = cookie(&r, Some("alice"));
    let other = cookie(&r, Some("alice"));

    let checked = r.open_checked::<u32>(&alice).await.unwrap();
    assert!(checked.store_answered());
    let removal = r.logout(&checked).await.unwrap();
    assert_eq!(removal, r.sealer().removal_cookie());

    assert_eq!(open(&r, &alice).await, revoked(RevokedReason::SessionId));
    assert_eq!(open(&r, &other).await, Ok(7));

    let key = format!("5:test:s:{}", checked.session().id());
    let expires_at = checked.session().expires_at().unwrap().unix_timestamp();
    let mut conn = raw(&server).await;
    assert_eq!(expire_time(&mut conn, &key).await, expires_at + 60);
    let value: String = conn.get(&key).await.unwrap();
    assert_eq!(value, "1");
}

#[tokio::test]
async fn logout_everywhere_sets_a_subject_not_before() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let old = cookie(&r, Some("alice"));
    let bob = cookie(&r, Some("bob"));
    let anonymous = cookie(&r, None);
    // Issued in an earlier second than the logout.
    tokio::time::sleep(StdDuration::from_millis(1100)).await;

    let before = OffsetDateTime::now_utc().unix_timestamp();
    r.logout_everywhere("alice").await.unwrap();
    // A login right after goes through `login`, stamped at the not-before.
    let mut login = Session::new(7u32);
    login.set_subject("alice").unwrap();
    r.login(&mut login).await.unwrap();
    let fresh = r.sealer().seal_value(&login).unwrap();
    let plain = cookie(&r, Some("alice"));
    assert_eq!(
        open(&r, &plain).await,
        revoked(RevokedReason::SubjectNotBefore)
    );

    assert_eq!(
        open(&r, &old).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(open(&r, &fresh).await, Ok(7));
    assert_eq!(open(&r, &bob).await, Ok(7));
    assert_eq!(open(&r, &anonymous).await, Ok(7));

    let mut conn = raw(&server).await;
    let not_before: i64 = conn.get("5:test:u:alice").await.unwrap();
    // A leeway (30 s) ahead of the call.
    assert!(not_before >= before + 30 && not_before <= before + 31);
    assert_eq!(
        expire_time(&mut conn, "5:test:u:alice").await,
        not_before + 3600 + 60
    );
}

#[tokio::test]
async fn a_not_before_never_moves_back_nor_loses_time() {
    let server = RedisServer::start();
    let store = store(&server).await;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let set = |nb, until| store.set_subject_not_before("alice", nb, until, now);
    set(now, now + 1000).await.unwrap();
    // An older not-before with a shorter life (a node whose clock is behind).
    set(now - 50, now + 500).await.unwrap();
    let mut conn = raw(&server).await;
    let held: i64 = conn.get("5:test:u:alice").await.unwrap();
    assert_eq!(held, now);
    assert_eq!(expire_time(&mut conn, "5:test:u:alice").await, now + 1000);
    // A newer one with a longer life replaces both.
    set(now + 5, now + 2000).await.unwrap();
    let held: i64 = conn.get("5:test:u:alice").await.unwrap();
    assert_eq!(held, now + 5);
    assert_eq!(expire_time(&mut conn, "5:test:u:alice").await, now + 2000);

    store
        .set_global_not_before(now, now + 100, now)
        .await
        .unwrap();
    let status = store
        .status(SessionId::random(), Some("alice"), now)
        .await
        .unwrap();
    assert_eq!(status.subject_not_before, Some(now + 5));
    assert_eq!(status.global_not_before, Some(now));
    assert!(!status.session_denied);
}

#[tokio::test]
async fn revoke_all_rejects_every_earlier_session() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let old = cookie(&r, None);
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    r.revoke_all().await.unwrap();
    let mut login = Session::new(7u32);
    r.login(&mut login).await.unwrap();
    let fresh = r.sealer().seal_value(&login).unwrap();
    assert_eq!(
        open(&r, &old).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
    assert_eq!(open(&r, &fresh).await, Ok(7));
}

#[tokio::test]
async fn entries_are_gone_after_their_deadline() {
    let server = RedisServer::start();
    // Two-second sessions, no leeway: entries live two seconds.
    let r = Revocation::new(
        sealer(Duration::seconds(2), Duration::ZERO),
        store(&server).await,
    )
    .unwrap();
    let value = cookie(&r, Some("alice"));
    let checked = r.open_checked::<u32>(&value).await.unwrap();
    r.logout(&checked).await.unwrap();
    r.logout_everywhere("alice").await.unwrap();
    let key = format!("5:test:s:{}", checked.session().id());
    let mut conn = raw(&server).await;
    let exists = |conn: &mut redis::aio::MultiplexedConnection, key: String| {
        let mut conn = conn.clone();
        async move { conn.exists::<_, bool>(key).await.unwrap() }
    };
    assert!(exists(&mut conn, key.clone()).await);
    assert!(exists(&mut conn, "5:test:u:alice".into()).await);

    tokio::time::sleep(StdDuration::from_millis(3200)).await;
    assert!(!exists(&mut conn, key).await);
    assert!(!exists(&mut conn, "5:test:u:alice".into()).await);
    assert_eq!(r.sealer().open::<u32>(&value).unwrap_err(), Error::Expired);
}

#[tokio::test]
async fn renew_id_kills_the_old_cookie() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let anonymous = cookie(&r, None);
    let mut checked = r.open_checked::<u32>(&anonymous).await.unwrap();
    r.renew_id(&mut checked).await.unwrap();
    checked.session_mut().set_subject("alice").unwrap();
    let logged_in = r.sealer().seal_value(checked.session()).unwrap();
    assert_eq!(
        open(&r, &anonymous).await,
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(open(&r, &logged_in).await, Ok(7));
}

#[tokio::test]
async fn nodes_sharing_one_redis_see_each_others_revocations() {
    let server = RedisServer::start();
    // Two nodes of a fleet: same keys, each with its own connection.
    let node_a = revocation(&server).await;
    let node_b = revocation(&server).await;
    // Another application (another prefix) on the same Redis, connected
    // first: its first connect arms its namespace, which refuses every
    // session issued before it (a store cannot tell a new Redis from one
    // that lost its data).
    let other_app = RedisStore::builder(server.url())
        .with_prefix("other:")
        .connect()
        .await
        .unwrap();
    let other_app =
        Revocation::new(sealer(Duration::hours(1), Duration::seconds(30)), other_app).unwrap();
    let one = cookie(&node_a, Some("alice"));
    let two = cookie(&node_b, Some("bob"));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;

    let on_b = node_b.open_checked::<u32>(&one).await.unwrap();
    node_b.logout(&on_b).await.unwrap();
    assert_eq!(open(&node_a, &one).await, revoked(RevokedReason::SessionId));

    node_a.logout_everywhere("bob").await.unwrap();
    assert_eq!(
        open(&node_b, &two).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(open(&other_app, &one).await, Ok(7));
    assert_eq!(open(&other_app, &two).await, Ok(7));
}

#[tokio::test]
async fn a_check_is_one_round_trip() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let with_subject = cookie(&r, Some("alice"));
    let without = cookie(&r, None);
    let mut conn = raw(&server).await;
    let processed = |info: String| -> u64 {
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("INFO stats has total_commands_processed")
    };
    let before = processed(
        redis::cmd("INFO")
            .arg("stats")
            .query_async(&mut conn)
            .await
            .unwrap(),
    );
    for _ in 0..5 {
        open(&r, &with_subject).await.unwrap();
        open(&r, &without).await.unwrap();
    }
    let after = processed(
        redis::cmd("INFO")
            .arg("stats")
            .query_async(&mut conn)
            .await
            .unwrap(),
    );
    // Ten checks, plus the first INFO itself.
    assert_eq!(after - before, 10 + 1);
}

#[tokio::test]
async fn a_killed_server_fails_closed_within_the_timeout() {
    let mut server = RedisServer::start();
    let closed = revocation(&server).await;
    let open_policy = Revocation::builder(
        sealer(Duration::hours(1), Duration::seconds(30)),
        store(&server).await,
    )
    .with_failure_policy(FailurePolicy::Open)
    .build()
    .unwrap();
    let value = cookie(&closed, Some("alice"));
    assert_eq!(open(&closed, &value).await, Ok(7));

    server.kill();
    for _ in 0..5 {
        let started = Instant::now();
        let err = open(&closed, &value).await.unwrap_err();
        assert!(
            matches!(err, Error::RevocationUnavailable { .. }),
            "fails closed, got {err:?}"
        );
        assert!(!err.is_client_fault());
        assert!(started.elapsed() < StdDuration::from_millis(300) + SLACK);

        let started = Instant::now();
        let checked = open_policy.open_checked::<u32>(&value).await.unwrap();
        assert!(!checked.store_answered());
        assert!(started.elapsed() < StdDuration::from_millis(300) + SLACK);
    }
    // Writes report the failure too: a logout is never silently lost.
    let opened = closed.sealer().open::<u32>(&value).unwrap();
    let started = Instant::now();
    assert!(matches!(
        closed.logout(&opened).await,
        Err(Error::RevocationUnavailable { .. })
    ));
    assert!(matches!(
        closed.logout_everywhere("alice").await,
        Err(Error::RevocationUnavailable { .. })
    ));
    assert!(started.elapsed() < StdDuration::from_millis(600) + SLACK);
}

#[tokio::test]
async fn a_restarted_server_answers_again_and_keeps_earlier_revocations() {
    let mut server = RedisServer::start_persistent();
    // `appendfsync always` syncs every write to disk: on a loaded two-core
    // machine that alone can take most of the 300 ms other tests allow.
    const FSYNC_TIMEOUT: Duration = Duration::seconds(1);
    let store = RedisStore::builder(server.url())
        .with_prefix("test:")
        .with_timeout(FSYNC_TIMEOUT)
        .connect()
        .await
        .expect("connects to the test server");
    let r = Revocation::new(sealer(Duration::hours(1), Duration::seconds(30)), store).unwrap();
    let logged_out = cookie(&r, Some("alice"));
    let everywhere = cookie(&r, Some("bob"));
    let fine = cookie(&r, Some("carol"));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let checked = r.open_checked::<u32>(&logged_out).await.unwrap();
    r.logout(&checked).await.unwrap();
    r.logout_everywhere("bob").await.unwrap();

    server.kill();
    assert!(matches!(
        open(&r, &fine).await,
        Err(Error::RevocationUnavailable { .. })
    ));
    server.restart();

    // The connection manager reconnects on the next calls.
    let deadline = Instant::now() + StdDuration::from_secs(10);
    loop {
        let started = Instant::now();
        match open(&r, &fine).await {
            Ok(7) => break,
            Err(Error::RevocationUnavailable { .. }) if Instant::now() < deadline => {
                assert!(started.elapsed() < StdDuration::from_secs(1) + SLACK);
                tokio::time::sleep(StdDuration::from_millis(50)).await;
            }
            other => panic!("checks did not come back: {other:?}"),
        }
    }
    assert_eq!(
        open(&r, &logged_out).await,
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(
        open(&r, &everywhere).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    // And new revocations are taken.
    let checked = r.open_checked::<u32>(&fine).await.unwrap();
    r.logout(&checked).await.unwrap();
    assert_eq!(open(&r, &fine).await, revoked(RevokedReason::SessionId));
}

#[tokio::test]
async fn connect_refuses_an_evicting_server_and_bad_settings() {
    let evicting = RedisServer::start_with(&[
        "--save",
        "",
        "--appendonly",
        "yes",
        "--maxmemory-policy",
        "volatile-lru",
    ]);
    assert_eq!(
        RedisStore::connect(&evicting.url()).await.unwrap_err(),
        Error::InvalidConfig(ConfigError::RedisEvictionPolicy)
    );
    // Opting out of the check is possible, and explicit.
    RedisStore::builder(evicting.url())
        .with_eviction_check(false)
        .connect()
        .await
        .unwrap();

    assert_eq!(
        RedisStore::connect("not a url").await.unwrap_err(),
        Error::InvalidConfig(ConfigError::RedisUrl)
    );
    assert_eq!(
        RedisStore::builder(evicting.url())
            .with_timeout(Duration::ZERO)
            .connect()
            .await
            .unwrap_err(),
        Error::InvalidConfig(ConfigError::RevocationTimeout)
    );

    // Nobody listening: unavailable, within the timeout.
    let mut gone = RedisServer::start();
    let url = gone.url();
    gone.kill();
    let started = Instant::now();
    let err = RedisStore::builder(url)
        .with_timeout(TIMEOUT)
        .connect()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RevocationUnavailable { .. }),
        "{err:?}"
    );
    assert!(started.elapsed() < StdDuration::from_millis(300) + SLACK);
}

#[tokio::test]
async fn outside_a_runtime_the_store_reports_instead_of_panicking() {
    let server = RedisServer::start();
    let store = store(&server).await;
    let status = std::thread::spawn(move || run_ready(store.status(SessionId::random(), None, 0)))
        .join()
        .expect("no panic");
    assert_eq!(
        status.unwrap_err(),
        Error::RevocationUnavailable {
            reason: UnavailableReason::NotReady
        }
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_and_logouts_run_on_spawned_tasks() {
    let server = RedisServer::start();
    let r = std::sync::Arc::new(revocation(&server).await);
    let cookies: Vec<String> = (0..16).map(|_| cookie(&r, None)).collect();
    let tasks: Vec<_> = cookies
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (r, value) = (r.clone(), value.clone());
            tokio::spawn(async move {
                let checked = r.open_checked::<u32>(&value).await?;
                if i % 2 == 0 {
                    r.logout(&checked).await?;
                }
                Ok::<_, Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task ran").expect("store answered");
    }
    for (i, value) in cookies.iter().enumerate() {
        let expected = if i % 2 == 0 {
            revoked(RevokedReason::SessionId)
        } else {
            Ok(7)
        };
        assert_eq!(open(&r, value).await, expected);
    }
}

/// Issue 13, item 8: a Redis that forgets its data on restart would revive
/// every revoked session, so `connect` refuses one (unless told otherwise).
#[tokio::test]
async fn connect_requires_persistence_unless_opted_out() {
    let volatile = RedisServer::start_volatile();
    assert_eq!(
        RedisStore::connect(&volatile.url()).await.unwrap_err(),
        Error::InvalidConfig(ConfigError::RedisPersistence)
    );
    RedisStore::builder(volatile.url())
        .with_persistence_check(false)
        .connect()
        .await
        .unwrap();
}

/// Issue 13, item 8: a restart without persistence (here: opted out of
/// the check) empties Redis. The sentinel notices, and every session
/// issued before the loss is refused, the logged-out one included, instead
/// of coming back to life.
#[tokio::test]
async fn an_emptied_redis_revokes_everything_issued_before_the_loss() {
    let mut server = RedisServer::start_volatile();
    let store = RedisStore::builder(server.url())
        .with_prefix("test:")
        .with_timeout(TIMEOUT)
        .with_persistence_check(false)
        .connect()
        .await
        .unwrap();
    let r = Revocation::new(sealer(Duration::hours(1), Duration::seconds(30)), store).unwrap();
    let logged_out = cookie(&r, Some("alice"));
    let other = cookie(&r, Some("bob"));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let checked = r.open_checked::<u32>(&logged_out).await.unwrap();
    r.logout(&checked).await.unwrap();
    assert_eq!(
        open(&r, &logged_out).await,
        revoked(RevokedReason::SessionId)
    );

    server.restart(); // nothing survives
    let deadline = Instant::now() + StdDuration::from_secs(10);
    let after = loop {
        match open(&r, &logged_out).await {
            Err(Error::RevocationUnavailable { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(StdDuration::from_millis(50)).await;
            }
            other => break other,
        }
    };
    assert_eq!(
        after,
        revoked(RevokedReason::GlobalNotBefore),
        "not revived"
    );
    assert_eq!(
        open(&r, &other).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
    // Logins after the loss work again.
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let fresh = cookie(&r, Some("alice"));
    assert_eq!(open(&r, &fresh).await, Ok(7));

    // FLUSHALL on a persistent server is the same loss, seen by a second
    // node too: whichever arms first sets the not-before for all.
    let server = RedisServer::start();
    let (a, b) = (revocation(&server).await, revocation(&server).await);
    let value = cookie(&a, Some("carol"));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let checked = a.open_checked::<u32>(&value).await.unwrap();
    a.logout(&checked).await.unwrap();
    let mut conn = raw(&server).await;
    let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
    assert_eq!(
        open(&b, &value).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
    assert_eq!(
        open(&a, &value).await,
        revoked(RevokedReason::GlobalNotBefore)
    );
}

/// Issue 13, item 8: a policy switched to an evicting one while running is
/// noticed within a minute and fails closed.
#[tokio::test]
async fn an_eviction_policy_set_after_connect_fails_closed() {
    let server = RedisServer::start();
    let r = revocation(&server).await;
    let value = cookie(&r, None);
    let id = r.sealer().open::<u32>(&value).unwrap().session().id();
    let mut conn = raw(&server).await;
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("allkeys-lru")
        .query_async(&mut conn)
        .await
        .unwrap();
    // Within the minute the policy is not read again; a minute later it is.
    let now = OffsetDateTime::now_utc().unix_timestamp();
    r.store().status(id, None, now).await.unwrap();
    assert_eq!(
        r.store().status(id, None, now + 61).await.unwrap_err(),
        Error::RevocationUnavailable {
            reason: UnavailableReason::Misconfigured
        }
    );
}

/// Issue 13, item 15: prefixes that nest (`app:` and `app:u:`) no longer
/// share keys, so one application's "log out everywhere" of a subject
/// named `g` cannot become another's global not-before.
#[tokio::test]
async fn nested_prefixes_do_not_share_keys() {
    let server = RedisServer::start();
    let connect = |prefix: &'static str| {
        let url = server.url();
        async move {
            let store = RedisStore::builder(url)
                .with_prefix(prefix)
                .connect()
                .await
                .unwrap();
            Revocation::new(sealer(Duration::hours(1), Duration::seconds(30)), store).unwrap()
        }
    };
    let app = connect("app:").await;
    let nested = connect("app:u:").await;
    let value = cookie(&nested, None);
    let users = cookie(&nested, Some("x"));
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    app.logout_everywhere("g").await.unwrap();
    app.logout_everywhere("u:x").await.unwrap();
    assert_eq!(open(&nested, &value).await, Ok(7));
    assert_eq!(open(&nested, &users).await, Ok(7));
}

/// Issue 13, items 2 and 7 on Redis: anonymous ids are bounded apart, a
/// subject folds past its quota, and a renewal that lost a race with a
/// logout is refused.
#[tokio::test]
async fn anonymous_floods_are_bounded_and_renewals_are_atomic() {
    let server = RedisServer::start();
    let store = RedisStore::builder(server.url())
        .with_prefix("test:")
        .with_anonymous_limit(3)
        .with_subject_quota(2)
        .connect()
        .await
        .unwrap();
    let r = Revocation::new(sealer(Duration::hours(1), Duration::seconds(30)), store).unwrap();
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let anonymous: Vec<String> = (0..4).map(|_| cookie(&r, None)).collect();
    for value in &anonymous[..3] {
        let checked = r.open_checked::<u32>(value).await.unwrap();
        r.logout(&checked).await.unwrap();
    }
    let fourth = r.open_checked::<u32>(&anonymous[3]).await.unwrap();
    assert_eq!(
        r.logout(&fourth).await.unwrap_err(),
        Error::RevocationFull { limit: 3 }
    );
    for value in &anonymous[..3] {
        assert_eq!(open(&r, value).await, revoked(RevokedReason::SessionId));
    }
    // A user's logouts go on, folding past the quota.
    let mallory: Vec<String> = (0..3).map(|_| cookie(&r, Some("mallory"))).collect();
    for value in &mallory {
        let checked = r.open_checked::<u32>(value).await.unwrap();
        r.logout(&checked).await.unwrap();
    }
    assert_eq!(
        open(&r, &mallory[0]).await,
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(
        open(&r, &mallory[2]).await,
        revoked(RevokedReason::SubjectNotBefore)
    );
    // Login goes ahead with a full anonymous share.
    let mut checked = r.open_checked::<u32>(&anonymous[3]).await.unwrap();
    r.renew_id(&mut checked).await.unwrap();
    // The race: both requests checked, then one logs out, the other renews.
    let value = cookie(&r, Some("victim"));
    let mut renewing = r.open_checked::<u32>(&value).await.unwrap();
    let out = r.open_checked::<u32>(&value).await.unwrap();
    r.logout(&out).await.unwrap();
    assert_eq!(
        r.renew_id(&mut renewing).await.unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
}

/// After a loss that another node re-armed, a node still holding the old
/// sentinel must record a logout, not report it as done: the session was
/// issued after the re-arm, so no not-before covers it.
#[tokio::test]
async fn a_logout_through_a_node_with_a_stale_sentinel_is_recorded() {
    let server = RedisServer::start();
    let stale = revocation(&server).await;
    let mut conn = raw(&server).await;
    let _: () = redis::cmd("FLUSHALL").query_async(&mut conn).await.unwrap();
    let fresh = revocation(&server).await; // re-arms the emptied store
    tokio::time::sleep(StdDuration::from_millis(1100)).await;
    let value = cookie(&fresh, Some("dana"));
    assert_eq!(open(&fresh, &value).await, Ok(7));
    let checked = r_open(&fresh, &value).await;
    stale.logout(&checked).await.unwrap();
    assert_eq!(
        open(&fresh, &value).await,
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(
        open(&stale, &value).await,
        revoked(RevokedReason::SessionId)
    );
}

async fn r_open(
    r: &Revocation<RedisStore>,
    value: &str,
) -> sealed_session::revocation::Checked<u32> {
    r.open_checked::<u32>(value).await.unwrap()
}
