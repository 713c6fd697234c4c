//! Whatever is sealed opens again unchanged: data, id, subject and times,
//! for every algorithm, with and without the optional envelope fields.

mod common;

use common::{NAME, T0, value_of};
use proptest::prelude::*;
use sealed_session::{Algorithm, ConfigError, Error, Sealer, Session};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Debug;
use time::Duration;

const TTL: Duration = Duration::hours(8);
const IDLE: Duration = Duration::minutes(20);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    user: u64,
    name: Option<String>,
    roles: Vec<String>,
    counters: HashMap<String, i64>,
    theme: Theme,
    flags: (bool, Option<u8>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Theme {
    Light,
    Dark { contrast: u8 },
    Custom(String),
}

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

fn subject() -> impl Strategy<Value = Option<String>> {
    // At most 85 chars of up to 3 bytes: within the 255-byte limit.
    prop::option::of("[a-z0-9@.é€-]{0,85}")
}

fn theme() -> impl Strategy<Value = Theme> {
    prop_oneof![
        Just(Theme::Light),
        any::<u8>().prop_map(|contrast| Theme::Dark { contrast }),
        ".{0,20}".prop_map(Theme::Custom),
    ]
}

fn profile() -> impl Strategy<Value = Profile> {
    (
        any::<u64>(),
        prop::option::of(".{0,30}"),
        prop::collection::vec("[a-z]{1,10}", 0..5),
        prop::collection::hash_map(".{0,10}", any::<i64>(), 0..8),
        theme(),
        (any::<bool>(), any::<Option<u8>>()),
    )
        .prop_map(|(user, name, roles, counters, theme, flags)| Profile {
            user,
            name,
            roles,
            counters,
            theme,
            flags,
        })
}

fn sealer(algorithm: Algorithm, idle: bool) -> Sealer {
    let mut builder = common::builder(algorithm).with_ttl(TTL);
    if idle {
        builder = builder.with_idle_timeout(IDLE);
    }
    builder.build_at(T0).unwrap()
}

/// Seals `data` at `T0 + offset`, opens it at the same instant and checks
/// that every part of the session survived.
fn round_trip<T>(
    algorithm: Algorithm,
    idle: bool,
    subject: Option<String>,
    offset: i64,
    data: T,
) -> Result<(), TestCaseError>
where
    T: sealed_session::SessionData + PartialEq + Debug,
{
    let sealer = sealer(algorithm, idle);
    let now = T0 + Duration::seconds(offset);
    let mut session = Session::new(data);
    if let Some(subject) = &subject {
        session.set_subject(subject.as_str()).unwrap();
    }
    let value = sealer.seal_value_at(&session, now).unwrap();
    let opened = sealer.open_at::<T>(&value, now).unwrap();
    prop_assert_eq!(opened.key_id(), 1);
    prop_assert!(!opened.needs_reseal());
    let back = opened.session();
    prop_assert_eq!(back.data(), session.data());
    prop_assert_eq!(back.id(), session.id());
    prop_assert_eq!(back.subject(), subject.as_deref());
    prop_assert_eq!(back.issued_at(), Some(now));
    prop_assert_eq!(back.expires_at(), Some(now + TTL));
    prop_assert_eq!(back.idle_deadline(), idle.then_some(now + IDLE));
    prop_assert!(!back.is_changed());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn bytes_round_trip(
        algorithm in algorithm(),
        idle in any::<bool>(),
        subject in subject(),
        offset in 0i64..100_000_000,
        data in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        round_trip(algorithm, idle, subject, offset, data)?;
    }

    #[test]
    fn strings_round_trip(
        algorithm in algorithm(),
        idle in any::<bool>(),
        subject in subject(),
        offset in 0i64..100_000_000,
        data in ".{0,200}",
    ) {
        round_trip(algorithm, idle, subject, offset, data)?;
    }

    #[test]
    fn structs_round_trip(
        algorithm in algorithm(),
        idle in any::<bool>(),
        subject in subject(),
        offset in 0i64..100_000_000,
        data in profile(),
    ) {
        round_trip(algorithm, idle, subject, offset, data)?;
    }

    #[test]
    fn set_cookie_value_opens(
        algorithm in algorithm(),
        data in ".{0,100}",
    ) {
        let sealer = sealer(algorithm, false);
        let line = sealer.seal_at(&Session::new(data.clone()), T0).unwrap();
        let value = value_of(&line, NAME);
        let opened = sealer.open_at::<String>(value, T0).unwrap();
        prop_assert_eq!(opened.session().data(), &data);
        // The bare-value form has the same length.
        let bare = sealer.seal_value_at(&Session::new(data), T0).unwrap();
        prop_assert_eq!(bare.len(), value.len());
    }
}

#[test]
fn every_combination_of_optional_fields() {
    // The deterministic counterpart of the properties above: all algorithms
    // times all envelope layouts, including the empty and longest subject.
    let subjects = [None, Some(String::new()), Some("s".repeat(255))];
    for algorithm in Algorithm::ALL {
        for idle in [false, true] {
            for subject in &subjects {
                round_trip(algorithm, idle, subject.clone(), 0, ())
                    .and_then(|()| round_trip(algorithm, idle, subject.clone(), 7, vec![0u8; 300]))
                    .unwrap();
            }
        }
    }
}

#[test]
fn subject_longer_than_255_bytes_is_refused() {
    let mut session = Session::new(());
    assert_eq!(
        session.set_subject("s".repeat(256)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Subject)
    );
    // 128 two-byte characters are 256 bytes.
    assert_eq!(
        session.set_subject("é".repeat(128)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Subject)
    );
    assert_eq!(session.subject(), None);
}

#[test]
fn reopened_session_can_be_changed_and_resealed() {
    let sealer = sealer(Algorithm::default(), false);
    let value = sealer.seal_value_at(&Session::new(vec![1u32]), T0).unwrap();
    let mut opened = sealer.open_at::<Vec<u32>>(&value, T0).unwrap();
    assert!(!opened.needs_reseal());
    let id = opened.session().id();
    opened.session_mut().data_mut().push(2);
    assert!(opened.needs_reseal());
    let later = T0 + Duration::minutes(5);
    let value = sealer.seal_value_at(opened.session(), later).unwrap();
    let reopened = sealer.open_at::<Vec<u32>>(&value, later).unwrap();
    assert_eq!(reopened.session().data(), &[1, 2]);
    assert_eq!(reopened.session().id(), id);
    assert_eq!(reopened.session().issued_at(), Some(T0));
}

/// Data whose `Serialize` fails, like a type with a custom impl that
/// rejects some states. (Session data must also deserialize.)
#[derive(Deserialize)]
struct Unserializable;

impl Serialize for Unserializable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refused"))
    }
}

#[test]
fn data_that_does_not_serialize_is_a_server_fault() {
    let sealer = sealer(Algorithm::default(), false);
    let session = Session::new(Unserializable);
    let err = sealer.seal_at(&session, T0).unwrap_err();
    assert_eq!(err, Error::Serialize);
    assert!(!err.is_client_fault());
    assert_eq!(
        sealer.seal_value_at(&session, T0).unwrap_err(),
        Error::Serialize
    );
}
