//! The ledger natively: what is persisted, what a replay rebuilds, and
//! refusals as typed errors.

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
