//! What a Redis check costs beside a memory-store check, under concurrent
//! load: 16 tasks on a two-thread runtime, each timing a memory check and a
//! Redis check in turn (so whatever else runs on the machine slows both
//! alike), against a real `redis-server` on loopback. Asserts one Redis
//! command per check under that concurrency; prints p50/p99 of each and of
//! the per-pair difference (RELIABILITY.md quotes them; run with
//! `--nocapture`). Debug build: the figures are upper bounds.

#![cfg(not(target_family = "wasm"))]

#[allow(dead_code)]
mod redis_server;

#[path = "redis_server/sessions.rs"]
mod sessions;
use sessions::sealer;

use redis_server::RedisServer;
use sealed_session::Session;
use sealed_session::revocation::{MemoryStore, RedisStore, Revocation};
use std::sync::Arc;
use std::time::Instant;

/// Concurrent tasks: one (a round trip alone), then 16 (queueing too).
const TASKS: [usize; 2] = [1, 16];
const CHECKS: usize = 300;

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 * p) as usize).min(values.len() - 1)]
}

fn processed(info: &str) -> u64 {
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("INFO stats has total_commands_processed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_check_is_one_command_alone_and_under_concurrency_and_its_cost_is_measured() {
    let server = RedisServer::start();
    let redis = RedisStore::builder(server.url())
        .with_prefix("cost:")
        .connect()
        .await
        .unwrap();
    let remote = Arc::new(Revocation::new(sealer(), redis).unwrap());
    let local = Arc::new(Revocation::new(sealer(), MemoryStore::new(100_000).unwrap()).unwrap());
    let mut conn = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let info = || redis::cmd("INFO").arg("stats").to_owned();
    for tasks in TASKS {
        let before = processed(&info().query_async::<String>(&mut conn).await.unwrap());
        let handles: Vec<_> = (0..tasks)
            .map(|n| {
                let (local, remote) = (local.clone(), remote.clone());
                tokio::spawn(async move {
                    let mut session = Session::new(7u32);
                    session.set_subject(format!("user{n}")).unwrap();
                    let value = local.sealer().seal_value(&session).unwrap();
                    let mut pairs = Vec::with_capacity(CHECKS);
                    for i in 0..CHECKS {
                        let time = |r: bool| {
                            let (local, remote, value) = (&local, &remote, &value);
                            async move {
                                let started = Instant::now();
                                if r {
                                    remote.open_checked::<u32>(value).await.unwrap();
                                } else {
                                    local.open_checked::<u32>(value).await.unwrap();
                                }
                                started.elapsed().as_secs_f64() * 1000.0
                            }
                        };
                        // Alternate which goes first.
                        let (m, r) = if i % 2 == 0 {
                            (time(false).await, time(true).await)
                        } else {
                            let r = time(true).await;
                            (time(false).await, r)
                        };
                        pairs.push((m, r));
                    }
                    pairs
                })
            })
            .collect();
        let mut pairs = Vec::new();
        for handle in handles {
            pairs.extend(handle.await.unwrap());
        }
        let after = processed(&info().query_async::<String>(&mut conn).await.unwrap());
        // The first INFO counts itself; the second does not yet.
        assert_eq!(
            after - before - 1,
            (tasks * CHECKS) as u64,
            "one command per check"
        );
        let mut memory: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let mut redis: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        let mut added: Vec<f64> = pairs.iter().map(|p| p.1 - p.0).collect();
        let line = |name: &str, v: &mut Vec<f64>| {
            format!(
                "{name}: p50 {:.3} ms, p99 {:.3} ms",
                percentile(v, 0.5),
                percentile(v, 0.99)
            )
        };
        eprintln!("checks: {} pairs, {tasks} concurrent tasks", pairs.len());
        eprintln!("{}", line("memory check", &mut memory));
        eprintln!("{}", line("redis check", &mut redis));
        eprintln!("{}", line("added by redis", &mut added));
        assert!(percentile(&mut memory, 0.5) < percentile(&mut redis, 0.5));
    }
}
