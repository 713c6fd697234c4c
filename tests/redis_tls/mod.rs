//! A real TLS-only `redis-server` for the tests, with certificates made
//! here by rcgen: a test CA, a server certificate it signs for `127.0.0.1`
//! only, and an unrelated CA a client must not accept. Debian's
//! redis-server is built with TLS. Killed on drop, its directory removed.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TlsRedis {
    child: Child,
    pub port: u16,
    dir: PathBuf,
    /// The CA that signed the server's certificate (PEM).
    pub ca_pem: String,
    /// Another CA, which signed nothing the server holds (PEM).
    pub other_ca_pem: String,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

impl TlsRedis {
    /// Listens with TLS only (`--port 0`), persisting with AOF.
    pub fn start() -> TlsRedis {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!(
            "sealed-session-redis-tls-{}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = ca("sealed-session test CA");
        let other = ca_other();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
        std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
        std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
        // Another test may take the port between the probe and the bind:
        // then the server exits at once, and gets another port.
        let mut port = port;
        let mut tries = 0;
        let child = loop {
            let mut child = spawn(&dir, port);
            let deadline = Instant::now() + Duration::from_secs(15);
            while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
                if let Ok(Some(status)) = child.try_wait() {
                    tries += 1;
                    assert!(
                        tries < 5,
                        "redis-server exited with {status} (is it built with TLS?)"
                    );
                    break;
                }
                assert!(Instant::now() < deadline, "redis-server did not listen");
                std::thread::sleep(Duration::from_millis(20));
            }
            if child.try_wait().is_ok_and(|s| s.is_none()) {
                break child;
            }
            port = free_port();
        };
        TlsRedis {
            child,
            port,
            dir,
            ca_pem: ca.pem(),
            other_ca_pem: other.pem(),
        }
    }

    /// The `rediss://` URL on `host` (the certificate names `127.0.0.1`).
    pub fn url(&self, host: &str) -> String {
        format!("rediss://{host}:{}/", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// A TLS-only redis-server on `port` with the certificates in `dir`.
fn spawn(dir: &std::path::Path, port: u16) -> Child {
    Command::new("redis-server")
        .args(["--port", "0", "--tls-port", &port.to_string()])
        .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"])
        .arg("--dir")
        .arg(dir)
        .arg("--tls-cert-file")
        .arg(dir.join("server.pem"))
        .arg("--tls-key-file")
        .arg(dir.join("server.key"))
        .arg("--tls-ca-cert-file")
        .arg(dir.join("ca.pem"))
        .args(["--tls-auth-clients", "no"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|err| {
            panic!("cannot start redis-server ({err}); install it: apt-get install -y redis-server")
        })
}

fn ca_other() -> CertifiedIssuer<'static, KeyPair> {
    ca("an unrelated CA")
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
