//! A real local Redis Cluster for the tests: six `redis-server
//! --cluster-enabled yes` processes on loopback ports (each with AOF, in
//! its own directory), joined by `redis-cli --cluster create
//! --cluster-replicas 1` into three primaries with one replica each.
//! Nodes can be killed (SIGKILL) and restarted; everything is killed and
//! removed on drop.

#![allow(dead_code)]

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A node declares a silent peer failed after this long (ms); failover
/// follows within a few of these.
const NODE_TIMEOUT_MS: u32 = 1000;

pub struct RedisCluster {
    pub ports: Vec<u16>,
    children: Vec<Option<Child>>,
    dir: PathBuf,
}

/// A port whose cluster bus port (+10000) is free as well.
fn free_port_pair(taken: &[u16]) -> u16 {
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        let port = listener.local_addr().unwrap().port();
        if port < 55_000
            && !taken.contains(&port)
            && TcpListener::bind((Ipv4Addr::LOCALHOST, port + 10_000)).is_ok()
        {
            return port;
        }
    }
}

/// Runs `redis-cli -p port args..` and returns its output.
pub fn cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("redis-cli runs (apt-get install -y redis-tools)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl RedisCluster {
    /// Three primaries and three replicas, ready (`cluster_state:ok`).
    pub fn start() -> RedisCluster {
        let mut ports = Vec::new();
        for _ in 0..6 {
            let port = free_port_pair(&ports);
            ports.push(port);
        }
        let dir = std::env::temp_dir().join(format!(
            "sealed-session-redis-cluster-{}-{}",
            std::process::id(),
            ports[0]
        ));
        let mut cluster = RedisCluster {
            children: ports.iter().map(|_| None).collect(),
            ports,
            dir,
        };
        for node in 0..6 {
            // Another test may take a port (or its bus port) between the
            // probe and the bind: then the node exits, and gets another.
            let mut tries = 0;
            while !cluster.spawn(node) {
                tries += 1;
                assert!(tries < 5, "no free port pair for a cluster node");
                cluster.ports[node] = free_port_pair(&cluster.ports);
            }
        }
        let nodes: Vec<String> = cluster
            .ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        let out = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&nodes)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            out.status.success(),
            "cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        cluster.wait_until_ok(&[]);
        cluster
    }

    /// Starts node `node`; false when it exited at once (its port taken).
    fn spawn(&mut self, node: usize) -> bool {
        let port = self.ports[node];
        let dir = self.dir.join(port.to_string());
        std::fs::create_dir_all(&dir).expect("create the node's directory");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .arg("--dir")
            .arg(&dir)
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ])
            .args(["--cluster-node-timeout", &NODE_TIMEOUT_MS.to_string()])
            .args([
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts (apt-get install -y redis-server)");
        self.children[node] = Some(child);
        let deadline = Instant::now() + Duration::from_secs(15);
        while cli(port, &["PING"]).trim() != "PONG" {
            let child = self.children[node].as_mut().expect("just spawned");
            if let Ok(Some(_)) = child.try_wait() {
                self.children[node] = None;
                return false;
            }
            assert!(Instant::now() < deadline, "node {port} did not answer PING");
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// `redis://` URLs of every node, for seeding a client.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    /// Ports of the nodes that are primaries now (of the running nodes).
    pub fn primaries(&self) -> Vec<u16> {
        self.ports
            .iter()
            .enumerate()
            .filter(|(node, _)| self.children[*node].is_some())
            .filter(|(_, port)| cli(**port, &["ROLE"]).starts_with("master"))
            .map(|(_, port)| *port)
            .collect()
    }

    /// The port of the primary holding `key`.
    pub fn primary_of_key(&self, key: &str) -> u16 {
        for port in self.primaries() {
            if cli(port, &["EXISTS", key]).trim() == "1" {
                return port;
            }
        }
        panic!("no primary holds {key}");
    }

    /// Every key of the running primaries.
    pub fn keys(&self) -> Vec<(u16, String)> {
        let mut keys = Vec::new();
        for port in self.primaries() {
            for key in cli(port, &["--scan"]).lines() {
                keys.push((port, key.to_string()));
            }
        }
        keys
    }

    /// Kills the node on `port` at once (SIGKILL).
    pub fn kill(&mut self, port: u16) {
        let node = self
            .ports
            .iter()
            .position(|p| *p == port)
            .expect("a node's port");
        if let Some(mut child) = self.children[node].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the node on `port` again (it rejoins, as a replica if it was
    /// failed over).
    pub fn restart(&mut self, port: u16) {
        self.kill(port);
        let node = self
            .ports
            .iter()
            .position(|p| *p == port)
            .expect("a node's port");
        self.spawn(node);
    }

    /// Waits until every running node but `except` reports
    /// `cluster_state:ok`, three primaries cover the slots, and every
    /// running replica is in sync with its primary.
    pub fn wait_until_ok(&self, except: &[u16]) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = self
                .ports
                .iter()
                .enumerate()
                .filter(|(node, port)| self.children[*node].is_some() && !except.contains(port))
                .all(|(_, port)| cli(*port, &["CLUSTER", "INFO"]).contains("cluster_state:ok"));
            // Replicas that finished their sync, so `WAIT 1` can succeed.
            let synced = self
                .ports
                .iter()
                .enumerate()
                .filter(|(node, port)| self.children[*node].is_some() && !except.contains(port))
                .map(|(_, port)| cli(*port, &["INFO", "replication"]))
                .filter(|info| info.contains("role:slave"))
                .all(|info| info.contains("master_link_status:up"));
            if ok && synced && self.primaries().len() == 3 {
                return;
            }
            assert!(Instant::now() < deadline, "the cluster did not become ok");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the primary on `port` and waits until its replica took over.
    /// Returns how long the failover took.
    pub fn fail_over(&mut self, port: u16) -> Duration {
        let started = Instant::now();
        self.kill(port);
        self.wait_until_ok(&[port]);
        started.elapsed()
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in self.children.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
