//! Key rotation on a static ring: the ring's text form (environment
//! variables, secret managers), rotate / add / promote / retire / prune /
//! truncate, what each does to cookies sealed before it, and the warnings
//! an operator gets.

mod common;

use common::{T0, key};
use sealed_session::{
    Algorithm, ConfigError, Error, Key, KeyRing, RingEntryError, RingWarning, Sealer, Session,
};
use time::{Duration, OffsetDateTime, macros::datetime};

const TTL: Duration = Duration::days(7);

fn sealer(ring: &KeyRing, now: OffsetDateTime) -> Sealer {
    Sealer::builder(ring.clone())
        .with_ttl(TTL)
        .build_at(now)
        .expect("ring builds")
}

fn ids(ring: &KeyRing) -> Vec<u32> {
    ring.keys().map(Key::id).collect()
}

/// Position, key id and reason of a ring entry error.
type EntryError = (usize, Option<u32>, RingEntryError);

fn entry_error(text: &str) -> EntryError {
    match KeyRing::from_text(text) {
        Err(Error::InvalidConfig(ConfigError::RingEntry {
            position,
            key_id,
            reason,
        })) => (position, key_id, reason),
        other => panic!("expected a ring entry error for {text:?}, got {other:?}"),
    }
}

fn text_of(algorithm: Algorithm, id: u32) -> String {
    key(algorithm, id).to_text().to_string()
}

// ---------------------------------------------------------------- text form

#[test]
fn text_form_round_trips_keys_order_and_times() {
    let mut ring = KeyRing::new(key(Algorithm::Aes256Gcm, 1))
        .with_retiring_key(key(Algorithm::XChaCha20Poly1305, 7), T0 + TTL)
        .with_key(key(Algorithm::Xaes256Gcm, 3));
    ring.rotate_at(key(Algorithm::Xaes256Gcm, 9), T0).unwrap();

    let text = ring.to_text();
    let back = KeyRing::from_text(&text).unwrap();
    assert_eq!(ids(&back), [9, 1, 7, 3]);
    assert_eq!(back.since(9), Some(T0));
    assert_eq!(back.since(1), None);
    assert_eq!(back.retire_at(7), Some(T0 + TTL));
    assert_eq!(back.retire_at(9), None);
    for (a, b) in ring.keys().zip(back.keys()) {
        assert_eq!(a.to_text(), b.to_text());
    }
    assert_eq!(back.to_text(), text);
    // Same keys, same cookies: one ring's cookie opens under the other.
    let value = sealer(&ring, T0)
        .seal_value_at(&Session::new(5u8), T0)
        .unwrap();
    let opened = sealer(&back, T0).open_at::<u8>(&value, T0).unwrap();
    assert_eq!(*opened.session().data(), 5);
    assert_eq!(opened.key_id(), 9);
}

#[test]
fn text_form_spelling() {
    let ring = KeyRing::new(Key::from_bytes(Algorithm::Aes256Gcm, 2, &[0; 32])).with_retiring_key(
        Key::from_bytes(Algorithm::XChaCha20Poly1305, 1, &[0xff; 32]),
        datetime!(2030-01-08 12:30:05 UTC),
    );
    assert_eq!(
        ring.to_text().as_str(),
        "ss1:aes256gcm:2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,\
         ss1:xchacha20poly1305:1:__________________________________________8;\
         retire=2030-01-08T12:30:05Z"
    );
}

#[test]
fn text_form_tolerates_whitespace_newlines_and_offsets() {
    let text = format!(
        "\n  {} ; since = 2030-01-01T02:00:00+02:00 ;retire=2031-01-01T00:00:00.9Z ,\n\t{}\n",
        text_of(Algorithm::Aes256Gcm, 2),
        text_of(Algorithm::Xaes256Gcm, 1)
    );
    let ring: KeyRing = text.parse().unwrap();
    assert_eq!(ids(&ring), [2, 1]);
    assert_eq!(ring.since(2), Some(T0));
    assert_eq!(ring.since(2).unwrap().offset(), time::UtcOffset::UTC);
    // Printed back in UTC, to the whole second (retirement is decided on
    // whole seconds, so nothing changes).
    let printed = ring.to_text();
    let first = printed.split(',').next().unwrap();
    assert!(
        first.ends_with(";since=2030-01-01T00:00:00Z;retire=2031-01-01T00:00:00Z"),
        "{first}"
    );
}

#[test]
fn times_before_1970_print_as_the_unix_epoch_and_retire_the_same() {
    let ring = KeyRing::new(key(Algorithm::default(), 2))
        .with_retiring_key(key(Algorithm::default(), 1), datetime!(1960-01-01 0:00 UTC));
    let back = KeyRing::from_text(&ring.to_text()).unwrap();
    assert_eq!(back.retire_at(1), Some(OffsetDateTime::UNIX_EPOCH));
    let value = Sealer::builder(KeyRing::new(key(Algorithm::default(), 1)))
        .build_at(T0)
        .unwrap()
        .seal_value_at(&Session::new(()), T0)
        .unwrap();
    for ring in [&ring, &back] {
        assert_eq!(
            sealer(ring, T0).open_at::<()>(&value, T0).unwrap_err(),
            Error::RetiredKey { key_id: 1 }
        );
    }
}

#[test]
fn times_past_year_9999_in_utc_are_refused_or_clamped_never_a_panic() {
    // RFC 3339 allows offsets, so a local time in 9999 can be in 10000 UTC:
    // a typed error when parsed (fuzzing found the panic), and clamped to the
    // last second of 9999 when printed from a time set in code.
    let k = text_of(Algorithm::default(), 1);
    for time in ["9999-12-31T23:59:59-01:00", "9999-12-31T23:00:00-23:59"] {
        for attribute in ["retire", "since"] {
            assert_eq!(
                entry_error(&format!("{k};{attribute}={time}")),
                (1, Some(1), RingEntryError::Time),
                "{attribute}={time}"
            );
        }
    }
    let last = KeyRing::from_text(&format!("{k};retire=9999-12-31T23:59:59+00:00")).unwrap();
    assert_eq!(last.retire_at(1), Some(datetime!(9999-12-31 23:59:59 UTC)));
    let far = KeyRing::new(key(Algorithm::default(), 2)).with_retiring_key(
        key(Algorithm::default(), 1),
        datetime!(9999-12-31 23:59:59 -01:00),
    );
    let text = far.to_text();
    assert!(text.ends_with(";retire=9999-12-31T23:59:59Z"), "{}", *text);
    let warnings = far.warnings_at(T0, Duration::days(1));
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn each_bad_entry_is_named_by_position_and_key_id() {
    let k1 = text_of(Algorithm::default(), 1);
    let k2 = text_of(Algorithm::default(), 2);
    let cases: Vec<(String, EntryError)> = vec![
        (String::new(), (1, None, RingEntryError::Empty)),
        ("  \n ".into(), (1, None, RingEntryError::Empty)),
        (format!("{k1},"), (2, None, RingEntryError::Empty)),
        (format!("{k1},,{k2}"), (2, None, RingEntryError::Empty)),
        (
            format!(";since=2030-01-01T00:00:00Z,{k1}"),
            (1, None, RingEntryError::Empty),
        ),
        (
            format!("{k1},ss1:aes256gcm:2:AAAA"),
            (2, None, RingEntryError::KeyText),
        ),
        (
            format!("{k1},{}", &k2[..k2.len() - 1]),
            (2, None, RingEntryError::KeyText),
        ),
        (
            format!("{k1},ss2{}", &k2[3..]),
            (2, None, RingEntryError::KeyText),
        ),
        (
            format!("{k1},{k2};expires=2030-01-01T00:00:00Z"),
            (2, Some(2), RingEntryError::UnknownAttribute),
        ),
        (format!("{k1};retire"), (1, Some(1), RingEntryError::Time)),
        (
            format!("{k1};"),
            (1, Some(1), RingEntryError::UnknownAttribute),
        ),
        (
            format!("{k1};since=2030-01-01"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{k1};since=1700000000"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{k1};since=2030-01-01T00:00:00"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{k1},{k2};retire=2030-01-01T00:00:00Z;retire=2030-01-02T00:00:00Z"),
            (2, Some(2), RingEntryError::RepeatedAttribute),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(entry_error(&text), expected, "{text:?}");
    }
}

#[test]
fn ring_text_whitespace_around_separators_only() {
    // FORMAT.md section 12: `WS` (Unicode White_Space) around the text,
    // entries, `,`, `;` and `=`; never inside a key text or a time (where
    // RFC 3339's one space between date and time is a separator, not WS).
    let (k1, k2) = (
        text_of(Algorithm::default(), 1),
        text_of(Algorithm::default(), 2),
    );
    for ws in ["\t", "\r\n", "\u{85}", "\u{a0}", "\u{2028}", "\u{3000}"] {
        let text = format!(
            "{ws}{k2}{ws};{ws}since{ws}={ws}2030-01-01T00:00:00Z{ws},{ws}{k1}{ws};{ws}retire{ws}={ws}2030-01-08T00:00:00Z{ws}"
        );
        let ring = KeyRing::from_text(&text).unwrap();
        assert_eq!(ids(&ring), [2, 1], "{ws:?}");
        assert_eq!(ring.since(2), Some(T0), "{ws:?}");
        assert_eq!(ring.retire_at(1), Some(T0 + TTL), "{ws:?}");
    }
    let cases: Vec<(String, EntryError)> = vec![
        (format!("\u{feff}{k1}"), (1, None, RingEntryError::KeyText)),
        (
            format!("{k1};\u{200b}since=2030-01-01T00:00:00Z"),
            (1, Some(1), RingEntryError::UnknownAttribute),
        ),
        (
            format!("{k1};since=2030-01-01T00: 00:00Z"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{k1};since=2030-01-01  00:00:00Z"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{k1};since=2030-01-01T00:00:00 Z"),
            (1, Some(1), RingEntryError::Time),
        ),
        (
            format!("{},{k2}", k1.replacen(':', ": ", 1)),
            (1, None, RingEntryError::KeyText),
        ),
        // Attribute names are case-sensitive.
        (
            format!("{k1};Since=2030-01-01T00:00:00Z"),
            (1, Some(1), RingEntryError::UnknownAttribute),
        ),
        (
            format!("{k1};retire==2030-01-01T00:00:00Z"),
            (1, Some(1), RingEntryError::Time),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(entry_error(&text), expected, "{text:?}");
    }
}

#[test]
fn ring_text_times_are_rfc_3339_date_times() {
    // FORMAT.md section 12, `time`: the spellings accepted, each with the
    // instant it names (unix seconds and nanoseconds).
    let k = text_of(Algorithm::default(), 1);
    let at = |time: &str| {
        KeyRing::from_text(&format!("{k};retire={time}")).map(|ring| {
            ring.retire_at(1)
                .map(|t| (t.unix_timestamp(), t.nanosecond()))
        })
    };
    let t0 = T0.unix_timestamp();
    let accepted = [
        ("2030-01-01T00:00:00Z", (t0, 0)),
        ("2030-01-01t00:00:00z", (t0, 0)),
        ("2030-01-01 00:00:00Z", (t0, 0)),
        ("2030-01-01T00:00:00+00:00", (t0, 0)),
        ("2030-01-01T00:00:00-00:00", (t0, 0)),
        ("2030-01-01T01:30:00+01:30", (t0, 0)),
        ("2029-12-31T00:01:00-23:59", (t0, 0)),
        ("2030-01-01T00:00:00.5Z", (t0, 500_000_000)),
        ("2030-01-01T00:00:00.123456789Z", (t0, 123_456_789)),
        // Digits past the ninth are dropped, not rounded.
        ("2030-01-01T00:00:00.9999999999Z", (t0, 999_999_999)),
        // A leap second, only at the end of a month in UTC.
        ("2029-12-31T23:59:60Z", (t0 - 1, 999_999_999)),
        ("2030-01-01T00:59:60+01:00", (t0 - 1, 999_999_999)),
    ];
    for (time, instant) in accepted {
        assert_eq!(at(time), Ok(Some(instant)), "{time}");
    }
    let refused = [
        "2030-01-01",
        "2030-01-01T00:00Z",
        "2030-01-01T00:00:00",
        "2030-01-01T00:00:00.Z",
        "2030-01-01T00:00:00,5Z",
        "2030-01-01T00:00:00+0000",
        "2030-01-01T00:00:00+01",
        "2030-01-01T00:00:00+24:00",
        "2030-01-01T00:00:00+00:60",
        "2030-01-01T24:00:00Z",
        "2030-01-01T00:60:00Z",
        "2030-01-01T00:00:60Z",
        "2030-01-31T22:59:60Z",
        "2030-02-30T00:00:00Z",
        "2030-1-01T00:00:00Z",
        "+2030-01-01T00:00:00Z",
        "12030-01-01T00:00:00Z",
        "20300101T000000Z",
        "1893456000",
    ];
    for time in refused {
        assert_eq!(
            entry_error(&format!("{k};retire={time}")),
            (1, Some(1), RingEntryError::Time),
            "{time}"
        );
    }
}

#[test]
fn ring_times_count_in_whole_seconds_rounded_down() {
    // FORMAT.md section 12: a key retires at the start of the second its
    // retire time falls in, and the text form prints that second.
    let k1 = text_of(Algorithm::default(), 1);
    let k2 = text_of(Algorithm::default(), 2);
    let ring =
        KeyRing::from_text(&format!("{k2},{k1};retire=2030-01-01T00:00:00.999999999Z")).unwrap();
    assert!(
        ring.to_text().ends_with(";retire=2030-01-01T00:00:00Z"),
        "{}",
        *ring.to_text()
    );
    let value = sealer(&KeyRing::from_text(&k1).unwrap(), T0 - Duration::hours(1))
        .seal_value_at(&Session::new(1u8), T0 - Duration::hours(1))
        .unwrap();
    let node = Sealer::builder(ring)
        .with_ttl(TTL)
        .build_at(T0 - Duration::hours(1))
        .unwrap();
    let open = |now| node.open_at::<u8>(&value, now).map(|o| o.key_id());
    assert_eq!(open(T0 - Duration::nanoseconds(1)), Ok(1));
    assert_eq!(open(T0), Err(Error::RetiredKey { key_id: 1 }));
    // A leap second names the second before it.
    let ring = KeyRing::from_text(&format!("{k2},{k1};retire=2029-12-31T23:59:60Z")).unwrap();
    assert!(ring.to_text().ends_with(";retire=2029-12-31T23:59:59Z"));
}

#[test]
fn duplicate_ids_in_text_are_named() {
    let text = format!(
        "{},{},{}",
        text_of(Algorithm::default(), 1),
        text_of(Algorithm::default(), 2),
        text_of(Algorithm::Aes256Gcm, 1)
    );
    assert_eq!(
        KeyRing::from_text(&text).unwrap_err(),
        Error::InvalidConfig(ConfigError::DuplicateKeyId { key_id: 1 })
    );
}

#[test]
fn one_secret_twice_in_the_text_is_refused() {
    // The same bytes as key 1, under another id and algorithm.
    let bytes = common::key_bytes(Algorithm::default(), 1);
    let copy = Key::from_bytes(Algorithm::Aes256Gcm, 3, &bytes).to_text();
    let text = format!(
        "{},{};retire=2030-01-08T00:00:00Z,{}",
        text_of(Algorithm::default(), 1),
        text_of(Algorithm::default(), 2),
        copy.as_str()
    );
    assert_eq!(
        KeyRing::from_text(&text).unwrap_err(),
        Error::InvalidConfig(ConfigError::DuplicateKeySecret {
            key_id: 3,
            same_as: 1
        })
    );
}

#[test]
fn ring_text_errors_never_show_key_bytes() {
    let secret = key(Algorithm::default(), 1);
    let text = secret.to_text();
    let secret_part = text.rsplit(':').next().unwrap().to_owned();
    let bad = [
        format!("{};colour=blue", *text),
        format!("{};since=yesterday", *text),
        format!("{},{}", *text, &text[..text.len() - 2]),
        format!("{},{}", *text, *text),
        format!("{}X", *text),
    ];
    for bad in bad {
        let err = KeyRing::from_text(&bad).unwrap_err();
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(&secret_part), "{shown}");
            assert!(!shown.contains(&secret_part[..8]), "{shown}");
        }
    }
    assert_eq!(
        KeyRing::from_text(&format!("{}X", *text))
            .unwrap_err()
            .to_string(),
        "invalid configuration: key ring entry 1: key text is not ss1:<algorithm>:<id>:<base64url 32 bytes>"
    );
    assert_eq!(
        KeyRing::from_text(&format!("{};colour=blue", *text))
            .unwrap_err()
            .to_string(),
        "invalid configuration: key ring entry 1 (key 1): unknown attribute (expected since= or retire=)"
    );
}

#[test]
fn from_env_reads_the_variable_and_names_it_when_missing() {
    // Cargo sets CARGO_PKG_NAME for tests: a set variable that is no ring.
    assert_eq!(
        KeyRing::from_env("CARGO_PKG_NAME").unwrap_err(),
        Error::InvalidConfig(ConfigError::RingEntry {
            position: 1,
            key_id: None,
            reason: RingEntryError::KeyText,
        })
    );
    let name = "SEALED_SESSION_TEST_RING_THAT_IS_NEVER_SET";
    let err = KeyRing::from_env(name).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidConfig(ConfigError::EnvVar { name: name.into() })
    );
    assert!(err.to_string().contains(name));
}

// ---------------------------------------------------------------- rotation

#[test]
fn rotate_keeps_old_cookies_opening_and_moves_them_to_the_new_key() {
    let mut ring = KeyRing::new(key(Algorithm::Aes256Gcm, 1));
    let before = sealer(&ring, T0)
        .seal_value_at(&Session::new(String::from("cart")), T0)
        .unwrap();

    let t1 = T0 + Duration::days(1);
    ring.rotate_at(key(Algorithm::Xaes256Gcm, 2), t1).unwrap();
    assert_eq!(ids(&ring), [2, 1]);
    assert_eq!(ring.since(2), Some(t1));
    let after = sealer(&ring, t1);

    let opened = after.open_at::<String>(&before, t1).unwrap();
    assert_eq!(opened.key_id(), 1);
    assert!(opened.reseal().non_primary_key);
    assert!(opened.needs_reseal());
    let resealed = after.seal_value_at(opened.session(), t1).unwrap();
    let reopened = after.open_at::<String>(&resealed, t1).unwrap();
    assert_eq!(reopened.key_id(), 2);
    assert!(!reopened.needs_reseal());
    assert_eq!(reopened.session().id(), opened.session().id());

    // Retire the old key once the longest session under it is over, then
    // prune it: its cookies go from RetiredKey to UnknownKey.
    let retire = t1 + TTL + Duration::minutes(1);
    ring.retire(1, retire).unwrap();
    let retiring = sealer(&ring, t1);
    assert!(retiring.open_at::<String>(&before, t1).is_ok());
    let late = retire; // past the deadline too, but the key check comes first
    assert_eq!(
        retiring.open_at::<String>(&before, late).unwrap_err(),
        Error::RetiredKey { key_id: 1 }
    );
    assert_eq!(ring.prune(retire - Duration::seconds(1)), Vec::<u32>::new());
    assert_eq!(ring.prune(retire), [1]);
    assert_eq!(ids(&ring), [2]);
    let pruned = sealer(&ring, retire);
    assert_eq!(
        pruned.open_at::<String>(&before, t1).unwrap_err(),
        Error::UnknownKey { key_id: 1 }
    );
    assert_eq!(pruned.open_at::<String>(&resealed, t1).unwrap().key_id(), 2);
}

#[test]
fn rotating_through_the_text_form_is_the_same_as_in_memory() {
    // What an operator does: read the ring from a secret, rotate, write it
    // back; nodes that load the new text open the old cookies.
    let text = KeyRing::new(key(Algorithm::default(), 1)).to_text();
    let node_before = sealer(&KeyRing::from_text(&text).unwrap(), T0);
    let cookie = node_before.seal_value_at(&Session::new(1u32), T0).unwrap();

    let mut ring = KeyRing::from_text(&text).unwrap();
    ring.rotate_at(key(Algorithm::default(), 2), T0).unwrap();
    let node_after = sealer(&KeyRing::from_text(&ring.to_text()).unwrap(), T0);
    let opened = node_after.open_at::<u32>(&cookie, T0).unwrap();
    assert!(opened.reseal().non_primary_key);
    // The old node cannot open the new primary's cookies: why fleets add a
    // key everywhere before promoting it.
    let new_cookie = node_after.seal_value_at(opened.session(), T0).unwrap();
    assert_eq!(
        node_before.open_at::<u32>(&new_cookie, T0).unwrap_err(),
        Error::UnknownKey { key_id: 2 }
    );
}

#[test]
fn add_then_promote_is_a_zero_downtime_rotation() {
    let mut ring = KeyRing::new(key(Algorithm::default(), 1));
    // Step 1: every node gets key 2 for opening only.
    ring.add(key(Algorithm::default(), 2)).unwrap();
    assert_eq!(ids(&ring), [1, 2]);
    assert_eq!(ring.since(2), None);
    let staged = sealer(&ring, T0);
    let sealed_by_staged = staged.seal_value_at(&Session::new(()), T0).unwrap();
    assert_eq!(
        staged
            .open_at::<()>(&sealed_by_staged, T0)
            .unwrap()
            .key_id(),
        1
    );

    // Step 2: one node promotes first; the others (still staged) open its
    // cookies, and ask to move them to their primary (key 1).
    let mut promoted = ring.clone();
    let t1 = T0 + Duration::hours(1);
    promoted.promote_at(2, t1).unwrap();
    assert_eq!(ids(&promoted), [2, 1]);
    assert_eq!(promoted.since(2), Some(t1));
    let early = sealer(&promoted, t1);
    let sealed_by_early = early.seal_value_at(&Session::new(()), t1).unwrap();
    let opened = staged.open_at::<()>(&sealed_by_early, t1).unwrap();
    assert_eq!(opened.key_id(), 2);
    assert!(opened.reseal().non_primary_key);
    let opened = early.open_at::<()>(&sealed_by_staged, t1).unwrap();
    assert_eq!(opened.key_id(), 1);
    assert!(opened.reseal().non_primary_key);

    // Promoting the primary again changes nothing, not even `since`.
    promoted.promote_at(2, t1 + Duration::days(1)).unwrap();
    assert_eq!(promoted.since(2), Some(t1));
    assert_eq!(ids(&promoted), [2, 1]);
}

#[test]
fn add_inserts_after_the_primary_newest_first() {
    let mut ring =
        KeyRing::new(key(Algorithm::default(), 5)).with_key(key(Algorithm::default(), 4));
    ring.add(key(Algorithm::default(), 6)).unwrap();
    ring.add(key(Algorithm::default(), 7)).unwrap();
    assert_eq!(ids(&ring), [5, 7, 6, 4]);
}

#[test]
fn rotation_mistakes_are_typed_and_leave_the_ring_unchanged() {
    let mut ring = KeyRing::new(key(Algorithm::default(), 2))
        .with_retiring_key(key(Algorithm::default(), 1), T0);
    let before = ring.to_text();
    assert_eq!(
        ring.rotate_at(key(Algorithm::Aes256Gcm, 1), T0)
            .unwrap_err(),
        Error::InvalidConfig(ConfigError::DuplicateKeyId { key_id: 1 })
    );
    assert_eq!(
        ring.add(key(Algorithm::default(), 2)).unwrap_err(),
        Error::InvalidConfig(ConfigError::DuplicateKeyId { key_id: 2 })
    );
    // Key 2's bytes under a new id and algorithm: refused by add and rotate.
    let copy = Key::from_bytes(
        Algorithm::Aes256Gcm,
        8,
        &common::key_bytes(Algorithm::default(), 2),
    );
    let shared = Error::InvalidConfig(ConfigError::DuplicateKeySecret {
        key_id: 8,
        same_as: 2,
    });
    assert_eq!(ring.add(copy.clone()).unwrap_err(), shared);
    assert_eq!(ring.rotate_at(copy, T0).unwrap_err(), shared);
    assert_eq!(
        ring.promote_at(9, T0).unwrap_err(),
        Error::InvalidConfig(ConfigError::NoSuchKey { key_id: 9 })
    );
    assert_eq!(
        ring.promote_at(1, T0).unwrap_err(),
        Error::InvalidConfig(ConfigError::RetiredPrimary { key_id: 1 })
    );
    assert_eq!(
        ring.retire(9, T0).unwrap_err(),
        Error::InvalidConfig(ConfigError::NoSuchKey { key_id: 9 })
    );
    assert_eq!(ring.to_text(), before);
    // Not yet retired a second earlier: promotion works then.
    ring.promote_at(1, T0 - Duration::seconds(1)).unwrap();
    assert_eq!(ids(&ring), [1, 2]);
}

#[test]
fn prune_drops_only_retired_opening_keys_never_the_primary() {
    let mut ring = KeyRing::new(key(Algorithm::default(), 4))
        .with_retiring_key(
            key(Algorithm::default(), 3),
            T0 + Duration::milliseconds(500),
        )
        .with_key(key(Algorithm::default(), 2))
        .with_retiring_key(key(Algorithm::default(), 1), T0 + Duration::seconds(1));
    ring.retire(4, T0).unwrap();
    // Whole seconds: T0 + 0.5 s retires at T0, like opening decides.
    assert_eq!(ring.prune(T0), [3]);
    assert_eq!(ring.prune(T0 + Duration::seconds(1)), [1]);
    assert_eq!(ids(&ring), [4, 2]);
    assert_eq!(ring.prune(T0 + Duration::days(999)), Vec::<u32>::new());
    assert_eq!(ids(&ring), [4, 2]);
}

#[test]
fn truncate_keeps_the_newest_and_at_least_the_primary() {
    let mut ring = KeyRing::new(key(Algorithm::default(), 1));
    for id in 2..=5 {
        ring.rotate_at(key(Algorithm::default(), id), T0).unwrap();
    }
    assert_eq!(ids(&ring), [5, 4, 3, 2, 1]);
    assert_eq!(ring.truncate(10), Vec::<u32>::new());
    assert_eq!(ring.truncate(3), [2, 1]);
    assert_eq!(ids(&ring), [5, 4, 3]);
    assert_eq!(ring.truncate(0), [4, 3]);
    assert_eq!(ids(&ring), [5]);
}

#[test]
fn keys_dropped_by_truncate_fail_as_unknown_while_kept_ones_reseal() {
    let mut ring = KeyRing::new(key(Algorithm::default(), 1));
    let mut cookies = Vec::new();
    for id in 2..=4 {
        cookies.push(
            sealer(&ring, T0)
                .seal_value_at(&Session::new(id), T0)
                .unwrap(),
        );
        ring.rotate_at(key(Algorithm::default(), id), T0).unwrap();
    }
    ring.truncate(2);
    let current = sealer(&ring, T0);
    let results: Vec<_> = cookies
        .iter()
        .map(|c| {
            current
                .open_at::<u32>(c, T0)
                .map(|o| (o.key_id(), o.reseal().non_primary_key))
        })
        .collect();
    assert_eq!(
        results,
        [
            Err(Error::UnknownKey { key_id: 1 }),
            Err(Error::UnknownKey { key_id: 2 }),
            Ok((3, true)),
        ]
    );
}

#[test]
fn next_id_is_one_past_the_largest() {
    assert_eq!(
        KeyRing::new(key(Algorithm::default(), 0)).next_id(),
        Some(1)
    );
    let ring = KeyRing::new(key(Algorithm::default(), 3)).with_key(key(Algorithm::default(), 8));
    assert_eq!(ring.next_id(), Some(9));
    let full = ring.with_key(key(Algorithm::default(), u32::MAX));
    assert_eq!(full.next_id(), None);
}

// ---------------------------------------------------------------- warnings

#[test]
fn aes_gcm_primary_warns_after_the_configured_period() {
    let max = Duration::days(4);
    let mut ring = KeyRing::new(key(Algorithm::default(), 1));
    ring.rotate_at(key(Algorithm::Aes256Gcm, 2), T0).unwrap();
    assert_eq!(ring.warnings_at(T0, max), []);
    assert_eq!(ring.warnings_at(T0 + max, max), []);
    assert_eq!(
        ring.warnings_at(T0 + max + Duration::seconds(1), max),
        [RingWarning::AesGcmPrimaryTooOld {
            key_id: 2,
            since: T0,
            max_age: max
        }]
    );
    // Rotating clears it; the old AES key no longer seals, so it is fine.
    ring.rotate_at(key(Algorithm::Aes256Gcm, 3), T0 + Duration::days(5))
        .unwrap();
    assert_eq!(ring.warnings_at(T0 + Duration::days(5), max), []);
}

#[test]
fn aes_gcm_primary_of_unknown_age_warns_other_algorithms_never() {
    let max = Duration::days(1);
    let ring = KeyRing::new(key(Algorithm::Aes256Gcm, 1));
    assert_eq!(
        ring.warnings_at(T0, max),
        [RingWarning::AesGcmPrimarySinceUnknown { key_id: 1 }]
    );
    for algorithm in [Algorithm::Xaes256Gcm, Algorithm::XChaCha20Poly1305] {
        let mut ring = KeyRing::new(key(algorithm, 1));
        assert_eq!(ring.warnings_at(T0, max), []);
        ring.set_since(1, Some(T0 - Duration::days(365)));
        assert_eq!(ring.warnings_at(T0, max), []);
    }
    // `since` from the text form counts like one from a rotation.
    let text = format!(
        "{};since=2029-12-01T00:00:00Z",
        text_of(Algorithm::Aes256Gcm, 1)
    );
    let ring = KeyRing::from_text(&text).unwrap();
    assert_eq!(
        ring.warnings_at(T0, Duration::days(30)),
        [RingWarning::AesGcmPrimaryTooOld {
            key_id: 1,
            since: datetime!(2029-12-01 0:00 UTC),
            max_age: Duration::days(30)
        }]
    );
}

#[test]
fn retiring_primary_and_prunable_keys_warn() {
    let ring = KeyRing::new(key(Algorithm::default(), 3))
        .with_retiring_key(key(Algorithm::default(), 2), T0)
        .with_retiring_key(key(Algorithm::default(), 1), T0 + Duration::days(1));
    let mut ring = ring;
    ring.retire(3, T0 + Duration::days(30)).unwrap();
    let warnings = ring.warnings_at(T0, Duration::days(1));
    assert_eq!(
        warnings,
        [
            RingWarning::PrimaryRetires {
                key_id: 3,
                retire_at: T0 + Duration::days(30)
            },
            RingWarning::Prunable {
                key_id: 2,
                retire_at: T0
            },
        ]
    );
    assert_eq!(
        warnings[0].to_string(),
        "primary key 3 retires at 2030-01-31T00:00:00Z: promote another key before then"
    );
    assert_eq!(
        warnings[1].to_string(),
        "key 2 retired at 2030-01-01T00:00:00Z and can be pruned"
    );
    assert_eq!(ring.prune(T0), [2]);
    assert_eq!(ring.warnings_at(T0, Duration::days(1)).len(), 1);
}
