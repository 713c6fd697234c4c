//! TLS for `RedisStore` (feature `redis-tls`): `rediss://` URLs through the
//! redis crate's rustls support, with the `ring` provider. The server's
//! certificate is checked against the system's roots (rustls-native-certs)
//! or, with [`RedisStoreBuilder::with_root_ca_pem`], against the given root
//! CA alone: a managed Redis with a private CA. The certificate must name
//! the URL's host (a DNS name or an IP address in its subject alternative
//! names). A refused certificate fails `connect` (and any call) with
//! [`UnavailableReason::Tls`](crate::UnavailableReason::Tls), within the
//! timeout.

use crate::{ConfigError, Result};
use redis::{Client, RedisError};

#[cfg(feature = "redis-tls")]
use super::RedisStoreBuilder;

#[cfg(feature = "redis-tls")]
impl RedisStoreBuilder {
    /// Trusts only the root CA certificates in `pem` (one or more PEM
    /// `CERTIFICATE` blocks) for the server's certificate, instead of the
    /// system's roots: for a managed Redis whose CA is private. Needs a
    /// `rediss://` URL (or `rediss://` cluster nodes).
    ///
    /// ```no_run
    /// # async fn run() -> sealed_session::Result<()> {
    /// let ca = std::fs::read("/etc/redis/ca.pem").expect("the CA file");
    /// let store = sealed_session::revocation::RedisStore::builder("rediss://redis.internal:6380/")
    ///     .with_root_ca_pem(ca)
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// `connect` fails with [`ConfigError::RedisTls`] when `pem` holds no
    /// certificate or the URL is not `rediss://`.
    pub fn with_root_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_ca = Some(pem.into());
        self
    }
}

/// The client for `url`, with the custom root CA when one is given.
pub(super) fn client(url: &str, root_ca: Option<&[u8]>) -> Result<Client> {
    use redis::IntoConnectionInfo;
    let info = url
        .into_connection_info()
        .map_err(|_| ConfigError::RedisUrl)?;
    #[cfg(feature = "redis-tls")]
    {
        install_provider();
        if let Some(pem) = root_ca {
            if !matches!(info.addr(), redis::ConnectionAddr::TcpTls { .. }) {
                return Err(ConfigError::RedisTls.into());
            }
            return Client::build_with_tls(info, certificates(pem)?)
                .map_err(|_| ConfigError::RedisTls.into());
        }
    }
    let _ = root_ca;
    // Without feature `redis-tls` a `rediss://` URL fails here.
    Client::open(info).map_err(|_| ConfigError::RedisUrl.into())
}

/// The redis crate's certificates for a root CA, checked to hold at least
/// one PEM certificate (an empty trust store would refuse every server at
/// connect time with a less telling error).
#[cfg(feature = "redis-tls")]
pub(super) fn certificates(pem: &[u8]) -> Result<redis::TlsCertificates> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut count = 0;
    for cert in CertificateDer::pem_slice_iter(pem) {
        cert.map_err(|_| ConfigError::RedisTls)?;
        count += 1;
    }
    if count == 0 {
        return Err(ConfigError::RedisTls.into());
    }
    Ok(redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.to_vec()),
    })
}

/// The redis crate builds its rustls configuration with the process-wide
/// default provider. With only `ring` compiled in rustls picks it by
/// itself; when another crate also enables `aws-lc-rs`, rustls cannot
/// choose and would panic, so `ring` is installed unless the application
/// installed a provider first (which is then kept).
#[cfg(feature = "redis-tls")]
pub(super) fn install_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race with another installer is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Whether `err` is a failed TLS handshake (a refused certificate, a wrong
/// host name, a peer that does not speak TLS): rustls's error inside the
/// I/O error the redis crate holds (behind an `Arc`).
pub(super) fn is_handshake_failure(err: &RedisError) -> bool {
    #[cfg(feature = "redis-tls")]
    {
        use std::error::Error as StdError;
        use std::sync::Arc;
        fn io<'a>(cause: &'a (dyn StdError + 'static)) -> Option<&'a std::io::Error> {
            cause.downcast_ref::<std::io::Error>().or_else(|| {
                cause
                    .downcast_ref::<Arc<dyn StdError + Send + Sync>>()
                    .and_then(|inner| (**inner).downcast_ref::<std::io::Error>())
            })
        }
        let mut source = StdError::source(err);
        while let Some(cause) = source {
            if cause.is::<rustls::Error>()
                || io(cause)
                    .and_then(std::io::Error::get_ref)
                    .is_some_and(|inner| inner.is::<rustls::Error>())
            {
                return true;
            }
            source = cause.source();
        }
    }
    let _ = err;
    false
}
