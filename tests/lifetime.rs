//! Per-session lifetime: a browser-session cookie (no `Max-Age`, kept so
//! across re-seals and chunks, with a shorter server-side deadline) beside
//! the default persistent one ("remember me"), chosen per session.

mod common;

use common::T0;
use sealed_session::{Chunking, Key, KeyRing, Sealer, Session};
use time::Duration;

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::from_bytes(
        Default::default(),
        1,
        &[3; 32],
    )))
    .with_ttl(Duration::days(30))
    .with_idle_timeout(Duration::hours(2))
    .build()
    .unwrap()
}

fn value(line: &str) -> &str {
    line.split(';').next().unwrap().split_once('=').unwrap().1
}

#[test]
fn remember_me_is_persistent_and_the_default_is_too() {
    let line = sealer().seal_at(&Session::new(1u8), T0).unwrap();
    assert!(line.contains("; Max-Age=2592000;"), "{line}");
}

#[test]
fn a_browser_session_has_no_max_age_and_a_shorter_deadline_across_reseals() {
    let sealer = sealer();
    let mut session = Session::new(1u8);
    session.set_browser_session(true);
    session.set_lifetime(Duration::hours(12));
    let line = sealer.seal_at(&session, T0).unwrap();
    assert!(!line.contains("Max-Age"), "{line}");
    let opened = sealer.open_at::<u8>(value(&line), T0).unwrap();
    assert!(opened.session().is_browser_session());
    assert_eq!(
        opened.session().expires_at(),
        Some(T0 + Duration::hours(12))
    );
    // An idle renewal an hour and a half later: still no Max-Age, same deadline.
    let later = T0 + Duration::minutes(90);
    let opened = sealer.open_at::<u8>(value(&line), later).unwrap();
    assert!(opened.needs_reseal());
    let again = sealer.seal_at(opened.session(), later).unwrap();
    assert!(!again.contains("Max-Age"), "{again}");
    let reopened = sealer.open_at::<u8>(value(&again), later).unwrap();
    assert_eq!(
        reopened.session().expires_at(),
        Some(T0 + Duration::hours(12))
    );
    // Past 12 hours it is over, whatever the TTL of 30 days says.
    let chain = T0 + Duration::hours(11);
    let renewed = sealer.open_at::<u8>(value(&again), later).unwrap();
    let last = sealer.seal_at(renewed.session(), chain).unwrap();
    assert!(
        sealer
            .open_at::<u8>(
                value(&last),
                T0 + Duration::hours(12) + Duration::minutes(2)
            )
            .is_err()
    );
}

#[test]
fn a_lifetime_only_shortens_and_never_passes_the_ttl() {
    let sealer = sealer();
    let mut session = Session::new(1u8);
    session.set_lifetime(Duration::days(365));
    let opened = sealer
        .open_at::<u8>(value(&sealer.seal_at(&session, T0).unwrap()), T0)
        .unwrap();
    assert_eq!(
        opened.session().expires_at(),
        Some(T0 + Duration::days(30)),
        "capped by the TTL"
    );
    let mut opened = opened.into_session();
    opened.set_lifetime(Duration::days(1));
    let line = sealer.seal_at(&opened, T0 + Duration::hours(1)).unwrap();
    let shorter = sealer
        .open_at::<u8>(value(&line), T0 + Duration::hours(1))
        .unwrap();
    assert_eq!(shorter.session().expires_at(), Some(T0 + Duration::days(1)));
}

#[test]
fn chunks_of_a_browser_session_carry_no_max_age_either() {
    let sealer = sealer();
    let mut session = Session::new("x".repeat(4000));
    session.set_browser_session(true);
    let sealed = Chunking::new().seal_at(&sealer, &session, T0).unwrap();
    let lines = sealed.set_cookies();
    assert!(lines.len() >= 2, "{lines:?}");
    for line in lines {
        assert!(!line.contains("Max-Age"), "{line}");
    }
}
