//! Deadlines: absolute expiry, issued-in-the-future, idle timeout, idle
//! renewal, and the `Max-Age` that tells the browser the same story. Every
//! boundary is pinned to the second, with the leeway.

mod common;

use common::{T0, max_age_of};
use sealed_session::{Algorithm, ConfigError, Error, Reseal, Sealer, Session};
use time::Duration;
use time::macros::datetime;

const TTL: Duration = Duration::hours(1);
const IDLE: Duration = Duration::minutes(30);
const LEEWAY: Duration = Duration::seconds(60);

fn sealer_with(ttl: Duration, idle: Option<Duration>, leeway: Option<Duration>) -> Sealer {
    let mut builder = common::builder(Algorithm::default()).with_ttl(ttl);
    if let Some(idle) = idle {
        builder = builder.with_idle_timeout(idle);
    }
    if let Some(leeway) = leeway {
        builder = builder.with_leeway(leeway);
    }
    builder.build_at(T0).unwrap()
}

fn seal(sealer: &Sealer, at: time::OffsetDateTime) -> String {
    sealer.seal_value_at(&Session::new(1u8), at).unwrap()
}

fn open(sealer: &Sealer, value: &str, at: time::OffsetDateTime) -> Result<(), Error> {
    sealer.open_at::<u8>(value, at).map(|_| ())
}

#[test]
fn absolute_expiry_with_the_default_leeway() {
    assert_eq!(sealed_session::DEFAULT_LEEWAY, LEEWAY);
    let sealer = sealer_with(TTL, None, None);
    let value = seal(&sealer, T0);
    let opened = sealer.open_at::<u8>(&value, T0).unwrap();
    assert_eq!(opened.session().issued_at(), Some(T0));
    assert_eq!(opened.session().expires_at(), Some(T0 + TTL));
    assert_eq!(opened.session().idle_deadline(), None);

    assert_eq!(open(&sealer, &value, T0 + TTL), Ok(()));
    assert_eq!(
        open(&sealer, &value, T0 + TTL + Duration::seconds(59)),
        Ok(())
    );
    // Sub-second clocks count whole seconds.
    assert_eq!(
        open(&sealer, &value, T0 + TTL + Duration::milliseconds(59_999)),
        Ok(())
    );
    assert_eq!(
        open(&sealer, &value, T0 + TTL + LEEWAY),
        Err(Error::Expired)
    );
    assert_eq!(
        open(&sealer, &value, T0 + Duration::days(365)),
        Err(Error::Expired)
    );
}

#[test]
fn absolute_expiry_with_no_leeway() {
    let sealer = sealer_with(TTL, None, Some(Duration::ZERO));
    let value = seal(&sealer, T0);
    assert_eq!(
        open(&sealer, &value, T0 + TTL - Duration::seconds(1)),
        Ok(())
    );
    assert_eq!(open(&sealer, &value, T0 + TTL), Err(Error::Expired));
}

#[test]
fn expiry_uses_the_opening_sealers_leeway() {
    let sealer = sealer_with(TTL, None, Some(Duration::ZERO));
    let lenient = sealer_with(TTL, None, Some(Duration::minutes(10)));
    let value = seal(&sealer, T0);
    let at = T0 + TTL + Duration::minutes(5);
    assert_eq!(open(&sealer, &value, at), Err(Error::Expired));
    assert_eq!(open(&lenient, &value, at), Ok(()));
}

/// Twice the leeway: one for the sealing node's clock, one for a session
/// stamped at a not-before set a leeway ahead (revocation's rule).
#[test]
fn issued_in_the_future_beyond_twice_the_leeway_is_not_yet_valid() {
    let sealer = sealer_with(TTL, None, None);
    let value = seal(&sealer, T0);
    assert_eq!(open(&sealer, &value, T0 - LEEWAY * 2), Ok(()));
    assert_eq!(
        open(&sealer, &value, T0 - LEEWAY * 2 - Duration::seconds(1)),
        Err(Error::NotYetValid)
    );
    assert_eq!(
        open(&sealer, &value, T0 - Duration::days(1)),
        Err(Error::NotYetValid)
    );

    let strict = sealer_with(TTL, None, Some(Duration::ZERO));
    assert_eq!(open(&strict, &value, T0), Ok(()));
    assert_eq!(
        open(&strict, &value, T0 - Duration::seconds(1)),
        Err(Error::NotYetValid)
    );
}

/// Issue 13, item 5: a reader caps the lifetime by its own TTL, so a TTL
/// shortened after a "log out everywhere" (whose entry lives for the new
/// TTL) cannot revive a session sealed under the old, longer one.
#[test]
fn a_lifetime_longer_than_the_readers_ttl_is_refused() {
    // Both sealers hold the same fixed key (tests/common).
    let long = sealer_with(TTL * 4, None, None);
    let value = seal(&long, T0);
    assert_eq!(open(&long, &value, T0), Ok(()));
    let short = sealer_with(TTL, None, None);
    assert_eq!(open(&short, &value, T0), Err(Error::LifetimeTooLong));
    assert!(Error::LifetimeTooLong.is_client_fault());
    // Equal to the TTL is fine.
    let same = sealer_with(TTL * 4, None, None);
    assert_eq!(open(&same, &value, T0), Ok(()));
}

/// A session opened under a long TTL and sealed again by a sealer with a
/// shorter one is shortened to that TTL, never written with a lifetime its
/// own readers refuse.
#[test]
fn resealing_under_a_shorter_ttl_shortens_the_session() {
    let long = sealer_with(TTL * 4, None, None);
    let value = seal(&long, T0);
    let opened = long.open_at::<u8>(&value, T0).unwrap();
    let short = sealer_with(TTL, None, None);
    let resealed = short.seal_value_at(opened.session(), T0).unwrap();
    let reopened = short.open_at::<u8>(&resealed, T0).unwrap();
    assert_eq!(reopened.session().expires_at(), Some(T0 + TTL));
}

#[test]
fn idle_timeout_with_the_leeway() {
    let sealer = sealer_with(TTL, Some(IDLE), None);
    let value = seal(&sealer, T0);
    let opened = sealer.open_at::<u8>(&value, T0).unwrap();
    assert_eq!(opened.session().idle_deadline(), Some(T0 + IDLE));
    assert_eq!(
        open(&sealer, &value, T0 + IDLE + LEEWAY - Duration::seconds(1)),
        Ok(())
    );
    assert_eq!(
        open(&sealer, &value, T0 + IDLE + LEEWAY),
        Err(Error::IdleExpired)
    );
    // Past both deadlines, the absolute one is reported.
    assert_eq!(
        open(&sealer, &value, T0 + TTL + LEEWAY),
        Err(Error::Expired)
    );

    let strict = sealer_with(TTL, Some(IDLE), Some(Duration::ZERO));
    let value = seal(&strict, T0);
    assert_eq!(
        open(&strict, &value, T0 + IDLE - Duration::seconds(1)),
        Ok(())
    );
    assert_eq!(open(&strict, &value, T0 + IDLE), Err(Error::IdleExpired));
}

#[test]
fn idle_renewal_is_due_after_the_threshold_share_of_the_window() {
    // 30 min window, threshold 0.25: due once 7.5 min have passed.
    assert_eq!(sealed_session::DEFAULT_RENEWAL_THRESHOLD, 0.25);
    let sealer = common::builder(Algorithm::default())
        .with_ttl(TTL)
        .with_idle_timeout(IDLE)
        .with_renewal_threshold(0.25)
        .build_at(T0)
        .unwrap();
    let value = seal(&sealer, T0);
    let renewal_at = |at| {
        let opened = sealer.open_at::<u8>(&value, at).unwrap();
        assert!(!opened.reseal().non_primary_key);
        assert_eq!(opened.needs_reseal(), opened.reseal().idle_renewal);
        opened.reseal().idle_renewal
    };
    assert!(!renewal_at(T0));
    assert!(!renewal_at(T0 + Duration::seconds(1)));
    assert!(!renewal_at(T0 + Duration::seconds(449)));
    assert!(renewal_at(T0 + Duration::seconds(450)));
    assert!(renewal_at(T0 + Duration::minutes(20)));
}

#[test]
fn renewal_threshold_extremes() {
    let build = |threshold| {
        common::builder(Algorithm::default())
            .with_ttl(TTL)
            .with_idle_timeout(IDLE)
            .with_renewal_threshold(threshold)
            .build_at(T0)
            .unwrap()
    };
    // 0: every open a second or more after the seal asks for a renewal; in
    // the same second a re-seal could not move the deadline.
    let eager = build(0.0);
    let value = seal(&eager, T0);
    let renewal = |at| {
        eager
            .open_at::<u8>(&value, at)
            .unwrap()
            .reseal()
            .idle_renewal
    };
    assert!(!renewal(T0));
    assert!(renewal(T0 + Duration::seconds(1)));
    // 1: only once the idle deadline itself is reached (inside the leeway).
    let lazy = build(1.0);
    let value = seal(&lazy, T0);
    let at = |d| {
        lazy.open_at::<u8>(&value, T0 + d)
            .unwrap()
            .reseal()
            .idle_renewal
    };
    assert!(!at(IDLE - Duration::seconds(1)));
    assert!(at(IDLE));
}

#[test]
fn reseal_moves_the_idle_deadline_but_not_issued_at_or_expires_at() {
    let sealer = sealer_with(TTL, Some(IDLE), None);
    let first = seal(&sealer, T0);
    let later = T0 + Duration::minutes(20);
    let opened = sealer.open_at::<u8>(&first, later).unwrap();
    assert!(opened.reseal().idle_renewal);

    let second = sealer.seal_value_at(opened.session(), later).unwrap();
    let reopened = sealer.open_at::<u8>(&second, later).unwrap();
    let session = reopened.session();
    assert_eq!(session.id(), opened.session().id());
    assert_eq!(session.issued_at(), Some(T0));
    assert_eq!(session.expires_at(), Some(T0 + TTL));
    assert_eq!(session.idle_deadline(), Some(later + IDLE));
    assert!(!reopened.reseal().idle_renewal);

    // The old cookie idles out, the new one is still good at that time.
    let at = T0 + IDLE + LEEWAY;
    assert_eq!(open(&sealer, &first, at), Err(Error::IdleExpired));
    assert_eq!(open(&sealer, &second, at), Ok(()));
}

#[test]
fn idle_deadline_never_passes_the_absolute_deadline() {
    let sealer = sealer_with(TTL, Some(IDLE), None);
    let first = seal(&sealer, T0);
    let late = T0 + Duration::minutes(50);
    let opened = sealer
        .open_at::<u8>(&first, T0 + Duration::minutes(20))
        .unwrap();
    let second = sealer.seal_value_at(opened.session(), late).unwrap();
    let reopened = sealer.open_at::<u8>(&second, late).unwrap();
    assert_eq!(reopened.session().idle_deadline(), Some(T0 + TTL));
    assert_eq!(reopened.session().expires_at(), Some(T0 + TTL));
}

#[test]
fn cookie_without_idle_opened_by_a_sealer_with_idle_needs_renewal() {
    let without = sealer_with(TTL, None, None);
    let with = sealer_with(TTL, Some(IDLE), None);
    let value = seal(&without, T0);
    let opened = without.open_at::<u8>(&value, T0).unwrap();
    assert!(!opened.reseal().idle_renewal);
    let opened = with.open_at::<u8>(&value, T0).unwrap();
    assert_eq!(opened.session().idle_deadline(), None);
    assert!(opened.reseal().idle_renewal);
    assert!(opened.needs_reseal());
    // Re-sealing adds the idle deadline.
    let resealed = with.seal_value_at(opened.session(), T0).unwrap();
    let reopened = with.open_at::<u8>(&resealed, T0).unwrap();
    assert_eq!(reopened.session().idle_deadline(), Some(T0 + IDLE));
}

#[test]
fn sealing_an_expired_session_is_refused() {
    let sealer = sealer_with(TTL, None, None);
    let value = seal(&sealer, T0);
    // Opened inside the leeway after the deadline...
    let opened = sealer
        .open_at::<u8>(&value, T0 + TTL + Duration::seconds(30))
        .unwrap();
    // ...but it cannot be sealed again at or after its deadline.
    for at in [T0 + TTL, T0 + TTL + Duration::seconds(30)] {
        assert_eq!(
            sealer.seal_value_at(opened.session(), at).unwrap_err(),
            Error::Expired
        );
        assert_eq!(
            sealer.seal_at(opened.session(), at).unwrap_err(),
            Error::Expired
        );
    }
    // One second before, it seals with one second left.
    let set_cookie = sealer
        .seal_at(opened.session(), T0 + TTL - Duration::seconds(1))
        .unwrap();
    assert_eq!(max_age_of(&set_cookie), 1);
}

#[test]
fn max_age_is_the_remaining_lifetime() {
    let sealer = sealer_with(TTL, Some(IDLE), None);
    let set_cookie = sealer.seal_at(&Session::new(1u8), T0).unwrap();
    assert_eq!(max_age_of(&set_cookie), TTL.whole_seconds());

    // A re-seal later keeps the absolute deadline: Max-Age shrinks, and it
    // follows the absolute deadline, not the idle one.
    let value = common::value_of(&set_cookie, common::NAME);
    let later = T0 + Duration::minutes(25);
    let opened = sealer.open_at::<u8>(value, later).unwrap();
    let resealed = sealer.seal_at(opened.session(), later).unwrap();
    assert_eq!(
        max_age_of(&resealed),
        (TTL - Duration::minutes(25)).whole_seconds()
    );

    // The default TTL is a week.
    let default = common::sealer(Algorithm::default());
    let set_cookie = default.seal_at(&Session::new(1u8), T0).unwrap();
    assert_eq!(max_age_of(&set_cookie), 7 * 24 * 3600);
}

#[test]
fn max_age_is_capped_at_400_days() {
    const CAP: i64 = 34_560_000;
    for days in [400, 401, 1000, 49_710] {
        let sealer = sealer_with(Duration::days(days), None, None);
        let set_cookie = sealer.seal_at(&Session::new(1u8), T0).unwrap();
        assert_eq!(max_age_of(&set_cookie), CAP.min(days * 86_400), "{days}");
        // The cookie itself keeps the full lifetime.
        let value = common::value_of(&set_cookie, common::NAME);
        let opened = sealer.open_at::<u8>(value, T0).unwrap();
        assert_eq!(
            opened.session().expires_at(),
            Some(T0 + Duration::days(days))
        );
    }
    let sealer = sealer_with(Duration::days(399), None, None);
    let set_cookie = sealer.seal_at(&Session::new(1u8), T0).unwrap();
    assert_eq!(max_age_of(&set_cookie), 399 * 86_400);
}

#[test]
fn clock_outside_the_format_range_is_a_config_error() {
    let sealer = sealer_with(TTL, None, None);
    let value = seal(&sealer, T0);
    let before_1970 = datetime!(1969-12-31 23:59:59 UTC);
    assert_eq!(
        sealer
            .seal_value_at(&Session::new(1u8), before_1970)
            .unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
    assert_eq!(
        open(&sealer, &value, before_1970),
        Err(Error::InvalidConfig(ConfigError::Clock))
    );
    // An absolute deadline past year 9999 cannot be written.
    let near_end = datetime!(9999-12-31 23:00 UTC);
    assert_eq!(
        sealer
            .seal_value_at(&Session::new(1u8), near_end)
            .unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
}

#[test]
fn reseal_behind_issued_at_keeps_the_idle_timeout() {
    // Node A seals at T0; node B, 30 s behind, opens (inside the 60 s
    // leeway) and re-seals at T0 - 30 s. With a 10 s idle timeout the new
    // idle deadline, T0 - 20 s, lies before issued_at.
    let idle = Duration::seconds(10);
    let sealer = sealer_with(TTL, Some(idle), None);
    let value = seal(&sealer, T0);
    let skewed = T0 - Duration::seconds(30);
    let opened = sealer.open_at::<u8>(&value, skewed).unwrap();
    let resealed = sealer.seal_value_at(opened.session(), skewed).unwrap();

    let reopened = sealer.open_at::<u8>(&resealed, skewed).unwrap();
    let idle_deadline = reopened.session().idle_deadline().unwrap();
    assert!(
        idle_deadline <= T0 + TTL,
        "idle deadline {idle_deadline} is past the absolute deadline {}",
        T0 + TTL
    );
    // Twenty minutes without use is far beyond the 10 s idle timeout.
    assert_eq!(
        open(&sealer, &resealed, T0 + Duration::minutes(20)),
        Err(Error::IdleExpired)
    );
}

#[test]
fn no_idle_renewal_when_a_reseal_cannot_move_the_deadline() {
    let sealer = sealer_with(TTL, Some(IDLE), None);
    let value = seal(&sealer, T0);
    // Keep the session alive until the idle deadline reaches the absolute
    // one: re-sealed at 45 min, the new idle deadline is min(75, 60) min.
    let at = T0 + Duration::minutes(25);
    let opened = sealer.open_at::<u8>(&value, at).unwrap();
    let value = sealer.seal_value_at(opened.session(), at).unwrap();
    let at = T0 + Duration::minutes(45);
    let opened = sealer.open_at::<u8>(&value, at).unwrap();
    let value = sealer.seal_value_at(opened.session(), at).unwrap();

    // One second later, a re-seal would write the very same deadline...
    let at = at + Duration::seconds(1);
    let opened = sealer.open_at::<u8>(&value, at).unwrap();
    assert_eq!(opened.session().idle_deadline(), Some(T0 + TTL));
    let again = sealer.seal_value_at(opened.session(), at).unwrap();
    let reopened = sealer.open_at::<u8>(&again, at).unwrap();
    assert_eq!(reopened.session().idle_deadline(), Some(T0 + TTL));
    // ...so no renewal is due.
    assert_eq!(opened.reseal(), Reseal::default());
}
