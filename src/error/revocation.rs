//! The reasons of revocation errors: rule that rejected, store that
//! could not answer, snapshot that was refused.

use super::Error;
use core::fmt;

/// Which revocation rule rejected a session; see [`Error::Revoked`].
///
/// When several rules apply, the most specific is reported: the session id
/// first, then the subject, then the global not-before.
///
/// ```
/// use sealed_session::{Error, RevokedReason};
/// let err = Error::Revoked { reason: RevokedReason::SessionId };
/// assert_eq!(err.to_string(), "session revoked: this session was logged out");
/// assert!(err.is_client_fault());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevokedReason {
    /// The session id is on the deny-list (logout, or an id renewed away).
    SessionId,
    /// The session was issued before its subject's not-before time ("log
    /// out everywhere", password change).
    SubjectNotBefore,
    /// The session was issued before the global not-before time.
    GlobalNotBefore,
}

impl fmt::Display for RevokedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RevokedReason::SessionId => "this session was logged out",
            RevokedReason::SubjectNotBefore => "issued before its subject's not-before time",
            RevokedReason::GlobalNotBefore => "issued before the global not-before time",
        })
    }
}

/// Why a revocation store could not answer; see
/// [`Error::RevocationUnavailable`].
///
/// ```
/// use sealed_session::{Error, UnavailableReason};
/// let err = Error::RevocationUnavailable { reason: UnavailableReason::Timeout };
/// assert!(!err.is_client_fault());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnavailableReason {
    /// The store did not answer within its configured timeout.
    Timeout,
    /// The connection to the store failed or was lost.
    Connection,
    /// The store answered with an error or a reply this crate cannot read.
    Reply,
    /// A store future was not ready when polled by
    /// [`revocation::run_ready`](crate::revocation::run_ready), which never
    /// blocks: that store needs an async runtime.
    NotReady,
    /// The store is configured so that it may lose revocations (Redis's
    /// `maxmemory-policy` changed to an evicting one after connect): it
    /// fails closed until that is fixed.
    Misconfigured,
    /// The TLS handshake with the store failed: its certificate is not
    /// signed by a trusted root (see
    /// `RedisStoreBuilder::with_root_ca_pem`), does not name the host of
    /// the URL, or the server does not speak TLS on that port.
    Tls,
    /// A write reached the Redis Cluster primary but fewer replicas than
    /// required (`RedisStoreBuilder::with_replica_acks`) acknowledged it
    /// within the timeout, so a failover could lose it: the logout is
    /// reported as failed. Retrying it is safe.
    Replication,
}

impl fmt::Display for UnavailableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnavailableReason::Timeout => "timed out",
            UnavailableReason::Connection => "connection failed",
            UnavailableReason::Reply => "error or unreadable reply",
            UnavailableReason::NotReady => "store future not ready without a runtime",
            UnavailableReason::Misconfigured => "store may lose revocations (eviction policy)",
            UnavailableReason::Tls => "TLS handshake failed (certificate or host name)",
            UnavailableReason::Replication => "write not acknowledged by enough replicas",
        })
    }
}

/// Why a revocation snapshot was rejected on import; see
/// [`Error::InvalidSnapshot`] and the format in
/// [`MemoryStore::export`](crate::revocation::MemoryStore::export).
///
/// ```
/// use sealed_session::{Error, SnapshotError};
/// let err = Error::InvalidSnapshot(SnapshotError::Magic);
/// assert_eq!(err.to_string(), "invalid revocation snapshot: does not start with SSRV");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes do not start with the magic `SSRV`.
    Magic,
    /// The version byte names a snapshot version this build does not know.
    UnsupportedVersion {
        /// The version byte found.
        version: u8,
    },
    /// The flags byte has unknown bits set.
    Flags,
    /// The bytes end before the entries their header announces.
    Truncated,
    /// There are bytes after the last entry and the checksum.
    TrailingBytes,
    /// The CRC-32 does not match: the snapshot was corrupted in transit.
    Checksum,
    /// A subject is not UTF-8.
    Subject,
    /// An entry expires before the time it starts from.
    Times,
    /// The snapshot names a not-before further in the future than any
    /// revocation sets (an hour): a forged or broken snapshot that would
    /// lock sessions out until then.
    FutureNotBefore,
    /// An authenticated snapshot (version 2) whose MAC does not verify
    /// under the key given, or one imported without a key, or a plain
    /// (version 1) one imported where a key is required.
    Unauthenticated,
    /// The snapshot file could not be read or written
    /// ([`MemoryStore::save_to`](crate::revocation::MemoryStore::save_to),
    /// [`load_from`](crate::revocation::MemoryStore::load_from)).
    File {
        /// What the operating system said.
        kind: std::io::ErrorKind,
    },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::File { kind } => write!(f, "snapshot file: {kind}"),
            SnapshotError::Magic => f.write_str("does not start with SSRV"),
            SnapshotError::UnsupportedVersion { version } => {
                write!(f, "unsupported snapshot version {version}")
            }
            SnapshotError::Flags => f.write_str("unknown flags"),
            SnapshotError::Truncated => f.write_str("truncated"),
            SnapshotError::TrailingBytes => f.write_str("bytes after the end"),
            SnapshotError::Checksum => f.write_str("checksum mismatch"),
            SnapshotError::Subject => f.write_str("subject is not UTF-8"),
            SnapshotError::Times => f.write_str("entry expires before it starts"),
            SnapshotError::FutureNotBefore => {
                f.write_str("not-before more than an hour in the future")
            }
            SnapshotError::Unauthenticated => f.write_str("MAC missing or wrong"),
        }
    }
}

impl From<SnapshotError> for Error {
    fn from(why: SnapshotError) -> Self {
        Error::InvalidSnapshot(why)
    }
}
