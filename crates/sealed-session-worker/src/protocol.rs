//! What the Worker asks the Durable Object and what it answers, and the
//! object's ledger: plain Rust, with no Workers bindings, so it is tested
//! natively.
//!
//! The ledger keeps the crate's own [`MemoryStore`] (quota, folding,
//! anonymous share, bounds: the same rules as every other store) and
//! persists each request that changed it as one record. A restarted
//! object replays the records in order with the times they were made at,
//! which rebuilds the same list.

use sealed_session::revocation::{
    Denial, DeniedSession, MemoryStore, RevocationStore, Status, run_ready,
};
use sealed_session::{ConfigError, Error, RevokedReason, SessionId, UnavailableReason};
use serde::{Deserialize, Serialize};

/// One request to the object: a [`RevocationStore`] method and its
/// arguments. Times are unix seconds.
///
/// ```
/// use sealed_session_worker::Op;
/// let op = Op::GlobalNotBefore { not_before: 10, until: 20, now: 5 };
/// assert_eq!(op.until(), Some(20));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// [`RevocationStore::status`].
    Status {
        /// The session id's bytes.
        id: [u8; 16],
        /// The session's subject.
        subject: Option<String>,
        /// The caller's clock.
        now: i64,
    },
    /// [`RevocationStore::deny_session`].
    Deny {
        /// The session id's bytes.
        id: [u8; 16],
        /// The session's subject.
        subject: Option<String>,
        /// When the session was issued.
        issued_at: i64,
        /// When the entry may be forgotten.
        until: i64,
        /// The caller's clock.
        now: i64,
    },
    /// [`RevocationStore::set_subject_not_before`].
    SubjectNotBefore {
        /// The subject.
        subject: String,
        /// Its new not-before.
        not_before: i64,
        /// When the not-before may be forgotten.
        until: i64,
        /// The caller's clock.
        now: i64,
    },
    /// [`RevocationStore::set_global_not_before`].
    GlobalNotBefore {
        /// The new global not-before.
        not_before: i64,
        /// When it may be forgotten.
        until: i64,
        /// The caller's clock.
        now: i64,
    },
}

impl Op {
    /// When a persisted record of this request may be dropped (`None` for
    /// a read, which is never persisted).
    pub fn until(&self) -> Option<i64> {
        match self {
            Op::Status { .. } => None,
            Op::Deny { until, .. }
            | Op::SubjectNotBefore { until, .. }
            | Op::GlobalNotBefore { until, .. } => Some(*until),
        }
    }
}

/// The object's answer. Errors travel as their kind, so the Worker side
/// returns the same typed [`Error`] a local store would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// The answer to [`Op::Status`].
    Status {
        /// The id is on the deny-list.
        session_denied: bool,
        /// The subject's not-before.
        subject_not_before: Option<i64>,
        /// The global not-before.
        global_not_before: Option<i64>,
    },
    /// [`Denial::Recorded`].
    Recorded,
    /// [`Denial::Folded`].
    Folded {
        /// The subject's not-before after the fold.
        not_before: i64,
    },
    /// [`Denial::AlreadyRevoked`]: `reason` is 0 (session id), 1 (subject
    /// not-before) or 2 (global not-before).
    AlreadyRevoked {
        /// Which rule refused the session already.
        reason: u8,
    },
    /// [`Denial::Expired`].
    Expired,
    /// A not-before was set.
    Done,
    /// [`Error::RevocationFull`].
    Full {
        /// The store's bound.
        limit: usize,
    },
    /// [`ConfigError::Clock`]: a not-before too far ahead, refused.
    Clock,
    /// Anything else the store refused, or a request it could not read:
    /// [`Error::RevocationUnavailable`] on the Worker side.
    Failed,
}

impl Reply {
    fn from_error(error: &Error) -> Reply {
        match error {
            Error::RevocationFull { limit } => Reply::Full { limit: *limit },
            Error::InvalidConfig(ConfigError::Clock) => Reply::Clock,
            _ => Reply::Failed,
        }
    }

    fn from_denial(denial: Denial) -> Reply {
        match denial {
            Denial::Recorded => Reply::Recorded,
            Denial::Folded { not_before } => Reply::Folded { not_before },
            Denial::AlreadyRevoked { reason } => Reply::AlreadyRevoked {
                reason: match reason {
                    RevokedReason::SessionId => 0,
                    RevokedReason::SubjectNotBefore => 1,
                    _ => 2,
                },
            },
            // Expired, and any later variant: nothing was recorded.
            _ => Reply::Expired,
        }
    }

    /// The error this reply stands for, if it is one.
    fn error(self) -> Option<Error> {
        match self {
            Reply::Full { limit } => Some(Error::RevocationFull { limit }),
            Reply::Clock => Some(Error::InvalidConfig(ConfigError::Clock)),
            Reply::Failed => Some(unavailable()),
            _ => None,
        }
    }

    /// The reply to [`Op::Status`] as a [`Status`].
    ///
    /// # Errors
    ///
    /// The error the object reported, or [`Error::RevocationUnavailable`]
    /// for any other reply.
    pub fn into_status(self) -> Result<Status, Error> {
        match self {
            Reply::Status {
                session_denied,
                subject_not_before,
                global_not_before,
            } => Ok(Status {
                session_denied,
                subject_not_before,
                global_not_before,
            }),
            other => Err(other.error().unwrap_or_else(unavailable)),
        }
    }

    /// The reply to [`Op::Deny`] as a [`Denial`].
    ///
    /// # Errors
    ///
    /// As [`into_status`](Self::into_status).
    pub fn into_denial(self) -> Result<Denial, Error> {
        match self {
            Reply::Recorded => Ok(Denial::Recorded),
            Reply::Folded { not_before } => Ok(Denial::Folded { not_before }),
            Reply::AlreadyRevoked { reason } => Ok(Denial::AlreadyRevoked {
                reason: match reason {
                    0 => RevokedReason::SessionId,
                    1 => RevokedReason::SubjectNotBefore,
                    2 => RevokedReason::GlobalNotBefore,
                    _ => return Err(unavailable()),
                },
            }),
            Reply::Expired => Ok(Denial::Expired),
            other => Err(other.error().unwrap_or_else(unavailable)),
        }
    }

    /// The reply to a not-before request.
    ///
    /// # Errors
    ///
    /// As [`into_status`](Self::into_status).
    pub fn into_done(self) -> Result<(), Error> {
        match self {
            Reply::Done => Ok(()),
            other => Err(other.error().unwrap_or_else(unavailable)),
        }
    }
}

/// The error for an object that did not answer, or answered nonsense.
pub(crate) fn unavailable() -> Error {
    Error::RevocationUnavailable {
        reason: UnavailableReason::Reply,
    }
}

/// The Durable Object's state: the deny-list in memory.
#[derive(Debug)]
pub struct Ledger {
    store: MemoryStore,
}

impl Ledger {
    /// A ledger of at most `max_entries` session ids (and as many subject
    /// records), as [`MemoryStore::new`].
    ///
    /// # Errors
    ///
    /// As [`MemoryStore::new`].
    pub fn new(max_entries: usize) -> Result<Ledger, Error> {
        Ok(Ledger {
            store: MemoryStore::new(max_entries)?,
        })
    }

    /// Answers `op`, and says whether it changed the list, so that the
    /// object persists exactly the requests it must replay after a
    /// restart. The memory store never waits, so this is synchronous: no
    /// other request interleaves with it inside the object.
    pub fn apply(&self, op: &Op) -> (Reply, bool) {
        let store = &self.store;
        let result = match op {
            Op::Status { id, subject, now } => {
                run_ready(store.status(SessionId::from_bytes(*id), subject.as_deref(), *now)).map(
                    |status| Reply::Status {
                        session_denied: status.session_denied,
                        subject_not_before: status.subject_not_before,
                        global_not_before: status.global_not_before,
                    },
                )
            }
            Op::Deny {
                id,
                subject,
                issued_at,
                until,
                now,
            } => {
                let entry = DeniedSession {
                    id: SessionId::from_bytes(*id),
                    subject: subject.as_deref(),
                    issued_at: *issued_at,
                    until: *until,
                };
                run_ready(store.deny_session(entry, *now)).map(Reply::from_denial)
            }
            Op::SubjectNotBefore {
                subject,
                not_before,
                until,
                now,
            } => run_ready(store.set_subject_not_before(subject, *not_before, *until, *now))
                .map(|()| Reply::Done),
            Op::GlobalNotBefore {
                not_before,
                until,
                now,
            } => run_ready(store.set_global_not_before(*not_before, *until, *now))
                .map(|()| Reply::Done),
        };
        match result {
            Ok(reply) => {
                let changed = matches!(reply, Reply::Recorded | Reply::Folded { .. } | Reply::Done);
                (reply, changed)
            }
            Err(error) => (Reply::from_error(&error), false),
        }
    }

    /// The number of session ids held.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether no session id is held.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

#[cfg(test)]
mod tests;
