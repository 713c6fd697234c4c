//! `rediss://` with the Redis store (feature `redis-tls`), against a real
//! TLS-only `redis-server` each test starts with certificates it makes
//! (see `redis_tls/mod.rs`): a private root CA works, and a certificate
//! from another CA, a host name the certificate does not hold, or the
//! system's roots (which do not hold the test CA) fail to connect with
//! `UnavailableReason::Tls` within the timeout, never a hang.

#![cfg(not(target_family = "wasm"))]

mod redis_tls;

#[path = "redis_server/sessions.rs"]
mod sessions;
use sessions::sealer;

use redis_tls::TlsRedis;
use sealed_session::revocation::{RedisStore, Revocation};
use sealed_session::{ConfigError, Error, RevokedReason, Session, UnavailableReason};
use std::time::{Duration as StdDuration, Instant};
use time::Duration;

const TIMEOUT: Duration = Duration::milliseconds(500);
/// Scheduling on a busy two-core machine, not waiting.
const SLACK: StdDuration = StdDuration::from_millis(700);

async fn connect(url: String, ca: Option<&str>) -> Result<RedisStore, Error> {
    let mut builder = RedisStore::builder(url)
        .with_prefix("tls:")
        .with_timeout(TIMEOUT);
    if let Some(ca) = ca {
        builder = builder.with_root_ca_pem(ca.as_bytes());
    }
    builder.connect().await
}

/// Connecting must fail with a TLS error, within the timeout.
async fn refused(url: String, ca: Option<&str>) {
    let started = Instant::now();
    let err = connect(url, ca).await.unwrap_err();
    assert_eq!(
        err,
        Error::RevocationUnavailable {
            reason: UnavailableReason::Tls
        }
    );
    assert!(!err.is_client_fault());
    assert!(started.elapsed() < StdDuration::from_millis(500) + SLACK);
}

#[tokio::test]
async fn a_private_root_ca_connects_and_revocation_works_over_tls() {
    let server = TlsRedis::start();
    let store = connect(server.url("127.0.0.1"), Some(&server.ca_pem))
        .await
        .expect("connects with the CA that signed the server");
    let r = Revocation::new(sealer(), store).unwrap();
    let mut session = Session::new(7u32);
    session.set_subject("alice").unwrap();
    let value = r.sealer().seal_value(&session).unwrap();
    let checked = r.open_checked::<u32>(&value).await.unwrap();
    assert!(checked.store_answered());
    r.logout(&checked).await.unwrap();
    assert_eq!(
        r.open_checked::<u32>(&value).await.unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
    // A second node with its own TLS connection sees the logout.
    let other = connect(server.url("127.0.0.1"), Some(&server.ca_pem))
        .await
        .unwrap();
    let other = Revocation::new(sealer(), other).unwrap();
    assert_eq!(
        other.open_checked::<u32>(&value).await.unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused() {
    let server = TlsRedis::start();
    refused(server.url("127.0.0.1"), Some(&server.other_ca_pem)).await;
}

#[tokio::test]
async fn a_host_name_the_certificate_does_not_hold_is_refused() {
    let server = TlsRedis::start();
    // The certificate names 127.0.0.1 only; `localhost` resolves there.
    refused(server.url("localhost"), Some(&server.ca_pem)).await;
}

#[tokio::test]
async fn the_system_roots_do_not_trust_a_private_ca() {
    let server = TlsRedis::start();
    refused(server.url("127.0.0.1"), None).await;
}

#[tokio::test]
async fn a_plain_client_on_the_tls_port_fails_closed_in_time() {
    let server = TlsRedis::start();
    let started = Instant::now();
    let err = connect(format!("redis://127.0.0.1:{}/", server.port), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RevocationUnavailable { .. }),
        "got {err:?}"
    );
    assert!(started.elapsed() < StdDuration::from_millis(500) + SLACK);
}

#[tokio::test]
async fn unusable_tls_settings_are_typed_config_errors() {
    let server = TlsRedis::start();
    let url = server.url("127.0.0.1");
    let garbage = "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
    for pem in ["", "no PEM here", garbage] {
        let err = connect(url.clone(), Some(pem)).await.unwrap_err();
        assert_eq!(err, Error::InvalidConfig(ConfigError::RedisTls));
        assert!(!err.to_string().contains("base64"), "no PEM in {err}");
    }
    // A root CA needs a `rediss://` URL: it would be ignored otherwise.
    let err = connect(
        format!("redis://127.0.0.1:{}/", server.port),
        Some(&server.ca_pem),
    )
    .await
    .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisTls));
    let err = connect("rediss://".into(), Some(&server.ca_pem))
        .await
        .unwrap_err();
    assert_eq!(err, Error::InvalidConfig(ConfigError::RedisUrl));
}
