#!/usr/bin/env python3
"""Load and fault test of the Redis revocation store at the HTTP level.

Starts a real redis-server (AOF on, loopback, a free port) and the example
server (examples/server, built with --features redis) on loopback, then:

1. latency: N clients send GET /whoami with a live cookie, against the
   example server with the in-memory store and then with RedisStore; prints
   p50/p99 of each and the Redis commands per check (INFO
   total_commands_processed over the number of checks);
2. faults: N clients loop login -> whoami -> logout -> replay of the
   logged-out cookie (and of an older one), while redis-server is killed
   (SIGKILL) and restarted on the same AOF; then every cookie whose logout
   was answered 200 is replayed once more.

Bounded: --clients threads, each stopping at --seconds or --max-iterations,
only 127.0.0.1. Exits 1 unless: no logged-out cookie was ever accepted, no
acknowledged logout was lost, every answer to a live cookie during the
outage was 503 (fail closed), and checks came back after the restart.
Standard library only. See RELIABILITY.md.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    sys.exit(f"{what} did not listen on {port}")


class Redis:
    def __init__(self, fsync):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="sealed-session-load-redis-")
        self.fsync = fsync
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", self.dir, "--save", "", "--appendonly", "yes",
             "--appendfsync", self.fsync],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc, "redis-server")
        while self.command("PING") != "PONG":
            time.sleep(0.02)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def command(self, *args):
        out = subprocess.run(["redis-cli", "-p", str(self.port), *args],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip()

    def processed(self):
        info = self.command("INFO", "stats")
        for line in info.splitlines():
            if line.startswith("total_commands_processed:"):
                return int(line.split(":")[1])
        raise RuntimeError("no total_commands_processed")

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port_pair(taken):
    """A port whose cluster bus port (+10000) is free too."""
    while True:
        port = free_port()
        if port >= 55000 or port in taken:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue


def cli(port, *args):
    out = subprocess.run(["redis-cli", "-p", str(port), *args],
                         capture_output=True, text=True, timeout=5)
    return out.stdout.strip()


class Cluster:
    """Three primaries and three replicas on loopback, AOF on each."""

    def __init__(self):
        self.ports = []
        for _ in range(6):
            self.ports.append(free_port_pair(self.ports))
        self.dir = tempfile.mkdtemp(prefix="sealed-session-load-cluster-")
        self.procs = {}
        for i in range(len(self.ports)):
            # A port (or its bus port) taken between the probe and the
            # bind: the node exits, and gets another port.
            for _ in range(5):
                if self.spawn(self.ports[i]):
                    break
                self.ports[i] = free_port_pair(self.ports)
            else:
                sys.exit("no free port pair for a cluster node")
        out = subprocess.run(
            ["redis-cli", "--cluster", "create",
             *[f"127.0.0.1:{p}" for p in self.ports],
             "--cluster-replicas", "1", "--cluster-yes"],
            capture_output=True, text=True, timeout=60)
        if out.returncode:
            sys.exit("cluster create failed: " + out.stdout)
        self.wait_ok()

    def spawn(self, port):
        d = os.path.join(self.dir, str(port))
        os.makedirs(d, exist_ok=True)
        self.procs[port] = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", d,
             "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
             "--cluster-node-timeout", "1000", "--appendonly", "yes",
             "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while cli(port, "PING") != "PONG":
            if self.procs[port].poll() is not None:
                del self.procs[port]
                return False
            if time.monotonic() > deadline:
                sys.exit(f"node {port} did not answer PING")
            time.sleep(0.02)
        return True

    def running(self, except_=()):
        return [p for p in self.ports if p in self.procs and p not in except_]

    def primaries(self):
        return [p for p in self.running() if cli(p, "ROLE").startswith("master")]

    def wait_ok(self, except_=(), timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            nodes = self.running(except_)
            ok = all("cluster_state:ok" in cli(p, "CLUSTER", "INFO") for p in nodes)
            infos = [cli(p, "INFO", "replication") for p in nodes]
            synced = all("master_link_status:up" in i for i in infos if "role:slave" in i)
            if ok and synced and len(self.primaries()) == 3:
                return
            time.sleep(0.05)
        sys.exit("the cluster did not become ok")

    def kill(self, port):
        proc = self.procs.pop(port)
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def processed(self):
        """Client commands on the primaries (INFO commandstats), less INFO
        and what nodes send each other (replication acks, pings, cluster
        and client-setup commands)."""
        own = ("info:", "replconf:", "ping:", "cluster", "command", "client")
        total = 0
        for port in self.primaries():
            for line in cli(port, "INFO", "commandstats").splitlines():
                if line.startswith("cmdstat_") and not line[8:].startswith(own):
                    total += int(line.split("calls=")[1].split(",")[0])
        return total

    def close(self):
        for proc in self.procs.values():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    def __init__(self, binary, redis_url=None):
        self.port = free_port()
        env = dict(os.environ, SEALED_SESSION_ADDR=f"127.0.0.1:{self.port}",
                   SEALED_SESSION_COOKIE="session", SEALED_SESSION_SECURE="0")
        env.pop("SEALED_SESSION_REDIS_URL", None)
        if redis_url:
            env["SEALED_SESSION_REDIS_URL"] = redis_url
        self.proc = subprocess.Popen([binary], env=env,
                                     stdout=subprocess.DEVNULL)
        wait_port(self.port, self.proc, "example server")

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Client:
    """One keep-alive HTTP/1.1 connection; cookies handled by hand."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, cookie=None):
        headers = {"Cookie": f"session={cookie}"} if cookie else {}
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                self.conn.request(method, path, headers=headers)
                response = self.conn.getresponse()
                body = response.read().decode(errors="replace")
                set_cookie = None
                for name, value in response.getheaders():
                    if name.lower() == "set-cookie" and value.startswith("session="):
                        set_cookie = value.split(";", 1)[0][len("session="):]
                return response.status, body, set_cookie
            except (http.client.HTTPException, OSError):
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def latency_phase(memory_port, redis_port, clients, requests_each, redis):
    """GET /whoami with a live cookie, each client alternating between the
    server on the memory store and the one on Redis, so that whatever else
    runs on the machine slows both alike. Returns the latencies (ms) of
    each, the per-pair differences, and Redis commands per check."""
    cookies = {}
    for port in (memory_port, redis_port):
        setup = Client(port)
        cookies[port] = []
        for n in range(clients):
            status, _, cookie = setup.request("POST", f"/login?user=lat{n}")
            assert status == 200 and cookie, status
            cookies[port].append(cookie)
    samples = [[] for _ in range(clients)]

    def timed(client, cookie):
        started = time.perf_counter()
        status, body, fresh = client.request("GET", "/whoami", cookie)
        elapsed = (time.perf_counter() - started) * 1000
        assert status == 200 and body.startswith("user="), (status, body)
        return elapsed, fresh or cookie

    def run(n):
        memory, remote = Client(memory_port), Client(redis_port)
        mine = [cookies[memory_port][n], cookies[redis_port][n]]
        for i in range(requests_each):
            # Alternate which goes first, so neither always runs warm.
            if i % 2:
                b, mine[1] = timed(remote, mine[1])
                a, mine[0] = timed(memory, mine[0])
            else:
                a, mine[0] = timed(memory, mine[0])
                b, mine[1] = timed(remote, mine[1])
            samples[n].append((a, b))

    # Warm up connections and both servers before counting.
    for port in (memory_port, redis_port):
        for n in range(clients):
            Client(port).request("GET", "/whoami", cookies[port][n])
    # The INFO that read `before` counts itself (commandstats, on a
    # cluster, leaves INFO out).
    infos = 0 if isinstance(redis, Cluster) else 1
    before = redis.processed()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The INFOs reading `after` do not count themselves yet.
    per_check = (redis.processed() - before - infos) / (clients * requests_each)
    pairs = [pair for xs in samples for pair in xs]
    return pairs, per_check


def summary(values):
    return {"p50": round(percentile(values, 0.5), 2),
            "p99": round(percentile(values, 0.99), 2), "n": len(values)}


def fault_phase(port, redis, args):
    lock = threading.Lock()
    stats = {
        "requests": 0, "by_status": {}, "logouts_ok": 0, "logouts_failed": 0,
        "replays": 0, "replays_accepted": 0, "outage_answers": {},
        "outage_live_sessions_served": 0, "logins": 0, "outage_by_request": {},
    }
    acknowledged = []  # cookies whose logout was answered 200
    # down: redis-server reaped (not when the SIGKILL is sent: the dying
    # process may still answer); back: its restart begun (not when it
    # answers PING: it serves before the script sees that); up: it answers
    # PING; recovered: every probe answered. The outage is down..back, when
    # Redis is certainly dead (RELIABILITY.md).
    window = {"down": None, "back": None, "up": None, "recovered": None}
    stop = threading.Event()

    def in_outage():
        # Redis down (killed, its restart not begun).
        return window["down"] is not None and window["back"] is None

    def note(status, outage, what):
        # Down both when the request was sent and when it was answered.
        outage = outage and in_outage()
        stats["requests"] += 1
        stats["by_status"][status] = stats["by_status"].get(status, 0) + 1
        if outage:
            stats["outage_answers"][status] = stats["outage_answers"].get(status, 0) + 1
            key = f"{what} {status}"
            stats["outage_by_request"][key] = stats["outage_by_request"].get(key, 0) + 1

    def run(n):
        client = Client(port)
        for i in range(args.max_iterations):
            if stop.is_set():
                return
            outage = in_outage()
            status, body, cookie = client.request("POST", f"/login?user=c{n}-{i}")
            with lock:
                note(status, outage, "login")
            if status != 200 or not cookie:
                time.sleep(0.01)
                continue
            with lock:
                stats["logins"] += 1
            outage = in_outage()
            status, body, fresh = client.request("GET", "/whoami", cookie)
            cookie = fresh or cookie
            with lock:
                note(status, outage, "whoami")
                if outage and in_outage() and status == 200 and body.startswith("user="):
                    stats["outage_live_sessions_served"] += 1
            outage = in_outage()
            status, body, _ = client.request("POST", "/logout", cookie)
            with lock:
                note(status, outage, "logout")
                if status == 200:
                    stats["logouts_ok"] += 1
                    acknowledged.append(cookie)
                else:
                    stats["logouts_failed"] += 1
            if status != 200:
                continue
            # Replay this cookie, and an older logged-out one.
            with lock:
                older = acknowledged[(n * 7919 + i) % len(acknowledged)]
            for replay in (cookie, older):
                outage = in_outage()
                status, body, _ = client.request("GET", "/whoami", replay)
                with lock:
                    note(status, outage, "replay")
                    stats["replays"] += 1
                    if status == 200 and body.startswith("user="):
                        stats["replays_accepted"] += 1

    probe = Client(port)
    probes = []
    for n in range(24):
        status, _, cookie = probe.request("POST", f"/login?user=probe{n}")
        assert status == 200 and cookie, status
        probes.append(cookie)

    def faults():
        time.sleep(args.kill_at)
        if isinstance(redis, Cluster):
            # Fail over the primary holding the most keys, then bring it
            # back (as a replica: writes on its shard wait for one).
            victim = max(redis.primaries(), key=lambda p: int(cli(p, "DBSIZE") or 0))
            redis.kill(victim)
            window["down"] = time.monotonic()
            redis.wait_ok(except_=(victim,))
            window["back"] = window["up"] = time.monotonic()
            stats["failover_s"] = round(window["up"] - window["down"], 2)
        else:
            redis.kill()
            window["down"] = time.monotonic()
            time.sleep(args.down_for)
            window["back"] = time.monotonic()
            redis.start()
            window["up"] = time.monotonic()
        # Live cookies of the fault thread's own, for subjects spread over
        # the slots: recovered when every one is answered 200 again.
        deadline = time.monotonic() + 30
        pending = list(probes)
        while pending and time.monotonic() < deadline:
            status, body, _ = probe.request("GET", "/whoami", pending[0])
            if status == 200 and body.startswith("user="):
                pending.pop(0)
            else:
                time.sleep(0.01)
        if not pending:
            window["recovered"] = time.monotonic()
        if isinstance(redis, Cluster):
            redis.spawn(victim)
            redis.wait_ok()
            stats["victim_back_as_replica_s"] = round(time.monotonic() - window["down"], 2)

    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(args.clients)]
    fault = threading.Thread(target=faults)
    for t in threads + [fault]:
        t.start()
    fault.join()
    remaining = args.seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    # Every acknowledged logout must still hold after the restart.
    checker = Client(port)
    lost = 0
    for cookie in acknowledged:
        status, body, _ = checker.request("GET", "/whoami", cookie)
        if status == 200 and body.startswith("user="):
            lost += 1
        assert status != 503, "Redis is back: checks must answer"
    # (On a cluster the replica was promoted, and the old primary is back
    # as its replica.)
    stats["acknowledged_logouts_rechecked"] = len(acknowledged)
    stats["logouts_lost"] = lost
    stats["elapsed_s"] = round(elapsed, 2)
    stats["outage_s"] = round(window["back"] - window["down"], 2)
    stats["recovery_after_restart_ms"] = (
        round((window["recovered"] - window["up"]) * 1000) if window["recovered"] else None)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="target/debug/server")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-iterations", type=int, default=2000)
    parser.add_argument("--kill-at", type=float, default=6)
    parser.add_argument("--down-for", type=float, default=4)
    parser.add_argument("--latency-requests", type=int, default=200)
    parser.add_argument("--fsync", default="everysec", choices=["always", "everysec"])
    parser.add_argument("--cluster", action="store_true",
                        help="a local 3+3 Redis Cluster; a primary fails over "
                             "(needs the server built with --features redis-cluster)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    assert args.clients <= 64 and args.seconds <= 120, "keep the load bounded"

    figures = {"clients": args.clients}
    redis = Cluster() if args.cluster else Redis(args.fsync)
    figures["store"] = "redis-cluster" if args.cluster else "redis"
    memory = server = None
    try:
        if args.cluster:
            url = ",".join(f"redis://127.0.0.1:{p}/" for p in redis.ports)
        else:
            url = f"redis://127.0.0.1:{redis.port}/"
        memory = Server(args.server)
        server = Server(args.server, url)
        pairs, per_check = latency_phase(memory.port, server.port, args.clients,
                                         args.latency_requests, redis)
        memory.close()
        memory = None
        figures["memory_whoami_ms"] = summary([a for a, _ in pairs])
        figures["redis_whoami_ms"] = summary([b for _, b in pairs])
        figures["redis_added_ms"] = summary([b - a for a, b in pairs])
        figures["redis_commands_per_check"] = round(per_check, 3)
        figures["faults"] = fault_phase(server.port, redis, args)
    finally:
        for s in (memory, server):
            if s:
                s.close()
        redis.close()

    print(json.dumps(figures, indent=2, sort_keys=True))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2, sort_keys=True)

    faults = figures["faults"]
    failures = []
    if faults["replays_accepted"]:
        failures.append(f"{faults['replays_accepted']} logged-out cookies accepted")
    if faults["logouts_lost"]:
        failures.append(f"{faults['logouts_lost']} acknowledged logouts lost")
    if faults["outage_live_sessions_served"] and not args.cluster:
        # (On a cluster the shards that did not fail keep serving.)
        failures.append("sessions served while Redis was down (not fail-closed)")
    bad = {s: c for s, c in faults["outage_answers"].items() if s not in (503, 200)}
    if bad:
        failures.append(f"answers other than 503 during the outage: {bad}")
    if faults["outage_answers"].get(503, 0) == 0:
        failures.append("no 503 during the outage: the fault did not happen")
    if faults["recovery_after_restart_ms"] is None:
        failures.append("checks did not come back after Redis restarted")
    # A cluster node also re-reads the global not-before once a second.
    allowed = 1.01 if args.cluster else 1
    if not 1 <= figures["redis_commands_per_check"] <= allowed:
        failures.append(f"{figures['redis_commands_per_check']} Redis commands per check, not 1")
    if faults["logouts_ok"] == 0:
        failures.append("no logout succeeded: nothing was tested")
    for failure in failures:
        print("FAIL:", failure)
    print(f"redis-load: {0 if failures else 1} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
