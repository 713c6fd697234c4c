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
mod tests {
    use super::*;

    fn deny(id: u8, subject: Option<&str>, now: i64) -> Op {
        Op::Deny {
            id: [id; 16],
            subject: subject.map(str::to_owned),
            issued_at: now - 10,
            until: now + 100,
            now,
        }
    }

    fn status(id: u8, subject: Option<&str>, now: i64) -> Op {
        Op::Status {
            id: [id; 16],
            subject: subject.map(str::to_owned),
            now,
        }
    }

    #[test]
    fn a_denial_is_seen_and_reported_once() {
        let ledger = Ledger::new(100).unwrap();
        let (reply, _) = ledger.apply(&status(1, Some("alice"), 1000));
        assert_eq!(reply.into_status().unwrap(), Status::default());
        assert_eq!(
            ledger.apply(&deny(1, Some("alice"), 1000)),
            (Reply::Recorded, true)
        );
        let (again, changed) = ledger.apply(&deny(1, Some("alice"), 1001));
        assert!(!changed, "an id already denied is not persisted twice");
        assert_eq!(
            again.into_denial().unwrap(),
            Denial::AlreadyRevoked {
                reason: RevokedReason::SessionId
            }
        );
        let (reply, changed) = ledger.apply(&status(1, Some("alice"), 1001));
        assert!(!changed);
        assert!(reply.into_status().unwrap().session_denied);
    }

    #[test]
    fn replaying_the_persisted_requests_rebuilds_the_list() {
        let first = Ledger::new(100).unwrap();
        let ops = [
            deny(1, None, 1000),
            deny(2, Some("bob"), 1000),
            Op::SubjectNotBefore {
                subject: "carol".into(),
                not_before: 1000,
                until: 2000,
                now: 1000,
            },
            status(3, None, 1000),
        ];
        let persisted: Vec<_> = ops.iter().filter(|op| first.apply(op).1).cloned().collect();
        assert_eq!(persisted.len(), 3, "the read is not persisted");
        // Through JSON, as the object stores them.
        let text = serde_json::to_string(&persisted).unwrap();
        let restarted = Ledger::new(100).unwrap();
        for op in serde_json::from_str::<Vec<Op>>(&text).unwrap() {
            restarted.apply(&op);
        }
        assert_eq!(restarted.len(), first.len());
        for id in [1, 2] {
            let (reply, _) = restarted.apply(&status(id, None, 1001));
            assert!(reply.into_status().unwrap().session_denied, "{id}");
        }
        let (reply, _) = restarted.apply(&status(9, Some("carol"), 1001));
        assert_eq!(reply.into_status().unwrap().subject_not_before, Some(1000));
    }

    #[test]
    fn refusals_come_back_as_the_same_typed_errors() {
        let ledger = Ledger::new(4).unwrap();
        // A not-before more than an hour ahead would lock everyone out.
        let (reply, changed) = ledger.apply(&Op::GlobalNotBefore {
            not_before: 10_000,
            until: 20_000,
            now: 0,
        });
        assert!(!changed);
        assert_eq!(
            reply.into_done().unwrap_err(),
            Error::InvalidConfig(ConfigError::Clock)
        );
        // The anonymous share of a 4-entry store is one id.
        assert_eq!(ledger.apply(&deny(1, None, 1000)).0, Reply::Recorded);
        let (reply, changed) = ledger.apply(&deny(2, None, 1000));
        assert!(!changed);
        assert!(matches!(
            reply.into_denial().unwrap_err(),
            Error::RevocationFull { .. }
        ));
    }

    #[test]
    fn a_reply_of_the_wrong_kind_is_unavailable_not_a_panic() {
        assert_eq!(Reply::Done.into_status().unwrap_err(), unavailable());
        assert_eq!(Reply::Recorded.into_done().unwrap_err(), unavailable());
        let bad_reason = Reply::AlreadyRevoked { reason: 7 };
        assert_eq!(bad_reason.into_denial().unwrap_err(), unavailable());
        for text in ["", "{}", r#"{"reply":"nope"}"#, r#"{"op":"deny"}"#] {
            assert!(serde_json::from_str::<Reply>(text).is_err(), "{text}");
            assert!(serde_json::from_str::<Op>(text).is_err(), "{text}");
        }
    }
}
