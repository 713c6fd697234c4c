//! Revocation with the in-memory store: the three rules and their
//! reasons, the whole-second rule, lifetimes of entries, the bound, many
//! threads at once, and snapshots.

use proptest::prelude::*;
use sealed_session::revocation::{
    Denial, DeniedSession, FailurePolicy, MemoryStore, Revocation, RevocationStore, run_ready,
};
use sealed_session::{
    ConfigError, Error, Key, KeyRing, RevokedReason, Sealer, Session, SessionId, SnapshotError,
};
use std::sync::Arc;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);
const TTL: Duration = Duration::hours(1);
const LEEWAY: Duration = Duration::seconds(30);

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::generate(1)))
        .with_ttl(TTL)
        .with_leeway(LEEWAY)
        .build_at(T0)
        .expect("sealer builds")
}

fn revocation(max_entries: usize) -> Revocation<MemoryStore> {
    Revocation::builder(sealer(), MemoryStore::new(max_entries).unwrap())
        .build_at(T0)
        .expect("revocation builds")
}

fn cookie<S: RevocationStore>(
    r: &Revocation<S>,
    subject: Option<&str>,
    at: OffsetDateTime,
) -> String {
    let mut session = Session::new(7u32);
    if let Some(subject) = subject {
        session.set_subject(subject).unwrap();
    }
    r.sealer().seal_value_at(&session, at).unwrap()
}

fn open<S: RevocationStore>(
    r: &Revocation<S>,
    cookie: &str,
    at: OffsetDateTime,
) -> Result<u32, Error> {
    run_ready(r.open_checked_at::<u32>(cookie, at)).map(|c| *c.session().data())
}

fn revoked(reason: RevokedReason) -> Result<u32, Error> {
    Err(Error::Revoked { reason })
}

fn unix(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

#[test]
fn reads_ttl_and_leeway_back_from_the_sealer() {
    for leeway in [0, 1, 29, 30, 31, 1000, 3600] {
        let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
            .with_ttl(Duration::minutes(10))
            .with_idle_timeout(Duration::minutes(2))
            .with_leeway(Duration::seconds(leeway))
            .build_at(T0)
            .unwrap();
        let r = Revocation::builder(sealer, MemoryStore::new(1).unwrap())
            .build_at(T0)
            .unwrap();
        assert_eq!(r.leeway(), Duration::seconds(leeway));
        assert_eq!(r.max_ttl(), Duration::minutes(10));
    }
}

#[test]
fn max_ttl_can_be_raised_but_not_lowered() {
    let build = |max| {
        Revocation::builder(sealer(), MemoryStore::new(1).unwrap())
            .with_max_ttl(max)
            .build_at(T0)
    };
    assert_eq!(
        build(Duration::days(3)).unwrap().max_ttl(),
        Duration::days(3)
    );
    assert_eq!(build(TTL).unwrap().max_ttl(), TTL);
    for bad in [
        TTL - Duration::SECOND,
        Duration::seconds(i64::from(u32::MAX) + 1),
    ] {
        assert_eq!(
            build(bad).unwrap_err(),
            Error::InvalidConfig(ConfigError::RevocationMaxTtl)
        );
    }
    assert_eq!(
        MemoryStore::new(0).unwrap_err(),
        Error::InvalidConfig(ConfigError::RevocationCapacity)
    );
}

#[test]
fn logout_revokes_that_session_only() {
    let r = revocation(100);
    let alice = cookie(&r, Some("alice"), T0);
    let alice_phone = cookie(&r, Some("alice"), T0);
    let now = T0 + Duration::minutes(1);

    let checked = run_ready(r.open_checked_at::<u32>(&alice, now)).unwrap();
    assert!(checked.store_answered());
    let removal = run_ready(r.logout_at(&checked, now)).unwrap();
    assert_eq!(removal, r.sealer().removal_cookie());

    assert_eq!(open(&r, &alice, now), revoked(RevokedReason::SessionId));
    assert_eq!(
        open(&r, &alice, now + Duration::minutes(30)),
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(open(&r, &alice_phone, now), Ok(7));
    // The id, and alice's record (her quota's count).
    assert_eq!(r.store().len(), 2);
    // Logging out twice is harmless and takes no second entry.
    run_ready(r.logout_at(&checked, now)).unwrap();
    assert_eq!(r.store().len(), 2);
}

#[test]
fn check_of_an_opened_session_gives_the_same_verdicts() {
    let r = revocation(100);
    let value = cookie(&r, None, T0);
    let opened = r.sealer().open_at::<u32>(&value, T0).unwrap();
    run_ready(r.logout_at(&opened, T0)).unwrap();
    let again = r.sealer().open_at::<u32>(&value, T0).unwrap();
    assert_eq!(
        run_ready(r.check_at(again, T0)).unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
}

#[test]
fn logout_everywhere_rejects_sessions_issued_before_now_plus_the_leeway() {
    let r = revocation(100);
    let old = cookie(&r, Some("alice"), T0);
    let just_before = cookie(&r, Some("alice"), T0 + Duration::seconds(9));
    let bob = cookie(&r, Some("bob"), T0);
    let anonymous = cookie(&r, None, T0);

    let at = T0 + Duration::seconds(10);
    run_ready(r.logout_everywhere_at("alice", at)).unwrap();
    // Sealed the plain way within the leeway after: refused, since a node
    // whose clock runs that fast could have sealed it before the call.
    let right_after = cookie(&r, Some("alice"), at + Duration::seconds(1));
    let past_the_leeway = cookie(&r, Some("alice"), at + LEEWAY);
    // A login through `login_at` is stamped at the not-before: it survives.
    let mut login = Session::new(7u32);
    login.set_subject("alice").unwrap();
    run_ready(r.login_at(&mut login, at)).unwrap();
    assert_eq!(login.issued_at(), Some(at + LEEWAY));
    assert_eq!(login.expires_at(), Some(at + TTL));
    let logged_in = r.sealer().seal_value_at(&login, at).unwrap();

    let now = at + Duration::seconds(2);
    for refused in [&old, &just_before, &right_after] {
        assert_eq!(
            open(&r, refused, now),
            revoked(RevokedReason::SubjectNotBefore)
        );
    }
    assert_eq!(open(&r, &logged_in, now), Ok(7));
    assert_eq!(open(&r, &past_the_leeway, at + LEEWAY), Ok(7));
    assert_eq!(open(&r, &bob, now), Ok(7));
    assert_eq!(open(&r, &anonymous, now), Ok(7));
}

/// Issue 13, item 6: a node whose clock runs up to the leeway fast seals
/// a session shortly before a "log out everywhere" on a node with the
/// right time; its issue time lies after the moment of the call, and the
/// not-before still covers it.
#[test]
fn a_session_from_a_fast_node_does_not_survive_logout_everywhere() {
    let r = revocation(100);
    let true_time = T0 + Duration::minutes(10);
    let fast_by = LEEWAY - Duration::seconds(1);
    // Sealed 20 s before the call by a node 29 s fast: issued at +9 s.
    let skewed = cookie(
        &r,
        Some("alice"),
        true_time - Duration::seconds(20) + fast_by,
    );
    run_ready(r.logout_everywhere_at("alice", true_time)).unwrap();
    assert_eq!(
        open(&r, &skewed, true_time + Duration::seconds(1)),
        revoked(RevokedReason::SubjectNotBefore)
    );
    // The same holds for revoke_all.
    let skewed = cookie(&r, None, true_time - Duration::seconds(20) + fast_by);
    run_ready(r.revoke_all_at(true_time)).unwrap();
    assert_eq!(
        open(&r, &skewed, true_time + Duration::seconds(1)),
        revoked(RevokedReason::GlobalNotBefore)
    );
}

/// A login stamped at a not-before lies up to a leeway in the future; a
/// node whose clock runs up to a leeway behind still accepts it (readers
/// allow twice the leeway), so the login is not lost on a lagging node.
#[test]
fn a_stamped_login_opens_on_a_node_running_a_leeway_behind() {
    let r = revocation(100);
    run_ready(r.logout_everywhere_at("alice", T0)).unwrap();
    let mut login = Session::new(7u32);
    login.set_subject("alice").unwrap();
    run_ready(r.login_at(&mut login, T0)).unwrap();
    let value = r.sealer().seal_value_at(&login, T0).unwrap();
    assert_eq!(open(&r, &value, T0 - LEEWAY), Ok(7));
}

#[test]
fn an_earlier_logout_everywhere_never_moves_the_not_before_back() {
    let r = revocation(100);
    let session = cookie(&r, Some("alice"), T0 + Duration::seconds(5));
    run_ready(r.logout_everywhere_at("alice", T0 + Duration::seconds(10))).unwrap();
    // A node whose clock runs behind sends an older not-before.
    run_ready(r.logout_everywhere_at("alice", T0 + Duration::seconds(1))).unwrap();
    assert_eq!(
        open(&r, &session, T0 + Duration::seconds(20)),
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(r.store().len(), 1);
}

#[test]
fn revoke_all_rejects_everything_issued_before() {
    let r = revocation(100);
    let alice = cookie(&r, Some("alice"), T0);
    let anonymous = cookie(&r, None, T0);
    let at = T0 + Duration::minutes(1);
    run_ready(r.revoke_all_at(at)).unwrap();
    let within_the_leeway = cookie(&r, None, at);
    let fresh = cookie(&r, None, at + LEEWAY);
    let mut login = Session::new(7u32);
    run_ready(r.login_at(&mut login, at)).unwrap();
    let logged_in = r.sealer().seal_value_at(&login, at).unwrap();
    for refused in [&alice, &anonymous, &within_the_leeway] {
        assert_eq!(
            open(&r, refused, at),
            revoked(RevokedReason::GlobalNotBefore)
        );
    }
    assert_eq!(open(&r, &fresh, at + LEEWAY), Ok(7));
    assert_eq!(open(&r, &logged_in, at), Ok(7));
}

#[test]
fn the_most_specific_reason_is_reported() {
    let r = revocation(100);
    let logged_out = cookie(&r, Some("alice"), T0);
    let other = cookie(&r, Some("alice"), T0);
    let at = T0 + Duration::seconds(5);
    let opened = r.sealer().open_at::<u32>(&logged_out, at).unwrap();
    run_ready(r.logout_at(&opened, at)).unwrap();
    run_ready(r.logout_everywhere_at("alice", at)).unwrap();
    // The global not-before goes in first: it would drop the entries it
    // covers, so set it without covering them (earlier than the others).
    let r2 = revocation(100);
    let both = cookie(&r2, Some("carol"), T0);
    run_ready(r2.logout_everywhere_at("carol", at)).unwrap();
    run_ready(r2.revoke_all_at(T0 + Duration::seconds(1))).unwrap();

    assert_eq!(open(&r, &logged_out, at), revoked(RevokedReason::SessionId));
    assert_eq!(
        open(&r, &other, at),
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(
        open(&r2, &both, at),
        revoked(RevokedReason::SubjectNotBefore)
    );
}

#[test]
fn renew_id_at_login_kills_the_old_id_and_starts_over() {
    let r = revocation(100);
    let anonymous = cookie(&r, None, T0);
    let password_change = T0 + Duration::minutes(5);
    run_ready(r.logout_everywhere_at("alice", password_change)).unwrap();

    // Login after the "log out everywhere", in a session that began before it.
    let login = T0 + Duration::minutes(10);
    let mut checked = run_ready(r.open_checked_at::<u32>(&anonymous, login)).unwrap();
    let old_id = checked.session().id();
    run_ready(r.renew_id_at(&mut checked, login)).unwrap();
    checked.session_mut().set_subject("alice").unwrap();
    assert_ne!(checked.session().id(), old_id);
    let logged_in = r.sealer().seal_value_at(checked.session(), login).unwrap();

    assert_eq!(
        open(&r, &anonymous, login),
        revoked(RevokedReason::SessionId)
    );
    let reopened = run_ready(r.open_checked_at::<u32>(&logged_in, login)).unwrap();
    assert_eq!(reopened.session().issued_at(), Some(login));
    assert_eq!(reopened.session().expires_at(), Some(login + TTL));
}

#[test]
fn password_change_keeps_the_current_session_through_logout_everywhere_else() {
    let r = revocation(100);
    let other_device = cookie(&r, Some("alice"), T0);
    let this_device = cookie(&r, Some("alice"), T0 + Duration::seconds(1));
    let at = T0 + Duration::minutes(3);

    let mut checked = run_ready(r.open_checked_at::<u32>(&this_device, at)).unwrap();
    run_ready(r.logout_everywhere_else_at(&mut checked, at)).unwrap();
    let renewed = r.sealer().seal_value_at(checked.session(), at).unwrap();

    assert_eq!(
        open(&r, &other_device, at),
        revoked(RevokedReason::SubjectNotBefore)
    );
    assert_eq!(
        open(&r, &this_device, at),
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(open(&r, &renewed, at), Ok(7));
    assert_eq!(
        open(&r, &renewed, at + Duration::minutes(5)),
        Ok(7),
        "the renewed session outlives the not-before"
    );
}

/// Issue 13, item 7: `renew_id` racing a logout of the same session (or a
/// "log out everywhere" of its subject) must not give the revoked session
/// a new life: the denial is atomic and reports that it was revoked.
#[test]
fn renew_id_after_a_racing_logout_is_refused() {
    let r = revocation(100);
    let value = cookie(&r, Some("alice"), T0);
    let at = T0 + Duration::minutes(1);
    // Both requests passed their check before either wrote.
    let mut renewing = run_ready(r.open_checked_at::<u32>(&value, at)).unwrap();
    let logging_out = run_ready(r.open_checked_at::<u32>(&value, at)).unwrap();
    run_ready(r.logout_at(&logging_out, at)).unwrap();
    let before = renewing.session().id();
    assert_eq!(
        run_ready(r.renew_id_at(&mut renewing, at)).unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
    assert_eq!(renewing.session().id(), before, "left unchanged");

    let other = cookie(&r, Some("alice"), T0);
    let mut renewing = run_ready(r.open_checked_at::<u32>(&other, at)).unwrap();
    run_ready(r.logout_everywhere_at("alice", at)).unwrap();
    assert_eq!(
        run_ready(r.renew_id_at(&mut renewing, at)).unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SubjectNotBefore
        }
    );
    // And the same race against logout_everywhere_else.
    let third = cookie(&r, Some("bob"), T0);
    let mut keeping = run_ready(r.open_checked_at::<u32>(&third, at)).unwrap();
    let out = run_ready(r.open_checked_at::<u32>(&third, at)).unwrap();
    run_ready(r.logout_at(&out, at)).unwrap();
    assert_eq!(
        run_ready(r.logout_everywhere_else_at(&mut keeping, at)).unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
}

#[test]
fn deny_entries_live_until_the_deadline_plus_twice_the_leeway() {
    let r = revocation(100);
    let value = cookie(&r, None, T0);
    let opened = r.sealer().open_at::<u32>(&value, T0).unwrap();
    run_ready(r.logout_at(&opened, T0)).unwrap();
    let id = opened.session().id();
    let until = T0 + TTL + LEEWAY * 2;

    let store = r.store();
    let status = |t: OffsetDateTime| run_ready(store.status(id, None, unix(t))).unwrap();
    assert!(status(until - Duration::SECOND).session_denied);
    assert!(!status(until).session_denied);
    assert_eq!(store.prune(until - Duration::SECOND), 0);
    assert_eq!(store.len(), 1);
    assert_eq!(store.prune(until), 1);
    assert!(store.is_empty());
    // The cookie is dead by then anyway.
    assert_eq!(
        r.sealer()
            .open_at::<u32>(&value, T0 + TTL + LEEWAY)
            .unwrap_err(),
        Error::Expired
    );
}

#[test]
fn not_before_lies_a_leeway_ahead_and_lives_for_the_max_ttl_plus_twice_the_leeway() {
    let r = Revocation::builder(sealer(), MemoryStore::new(10).unwrap())
        .with_max_ttl(Duration::hours(3))
        .build_at(T0)
        .unwrap();
    run_ready(r.logout_everywhere_at("alice", T0)).unwrap();
    run_ready(r.revoke_all_at(T0 - Duration::hours(1))).unwrap();
    let until = T0 + LEEWAY + Duration::hours(3) + LEEWAY * 2;
    let id = SessionId::random();
    let status =
        |t: OffsetDateTime| run_ready(r.store().status(id, Some("alice"), unix(t))).unwrap();
    assert_eq!(
        status(until - Duration::SECOND).subject_not_before,
        Some(unix(T0 + LEEWAY))
    );
    assert_eq!(status(until).subject_not_before, None);
    assert_eq!(r.store().prune(until), 1);
}

fn revocation_over(store: MemoryStore) -> Revocation<MemoryStore> {
    Revocation::builder(sealer(), store)
        .build_at(T0)
        .expect("revocation builds")
}

fn opened_cookie(
    r: &Revocation<MemoryStore>,
    subject: Option<&str>,
    at: OffsetDateTime,
) -> (String, sealed_session::Opened<u32>) {
    let value = cookie(r, subject, at);
    let opened = r.sealer().open_at::<u32>(&value, at).unwrap();
    (value, opened)
}

/// Issue 13, item 2: ids of sessions without a subject use a bounded
/// share. When it is full, an anonymous logout fails (honestly: the
/// cookie is not revoked and the caller is told), and nothing else does.
#[test]
fn the_anonymous_share_is_bounded_and_spares_everyone_else() {
    let r = revocation_over(
        MemoryStore::builder(8)
            .with_anonymous_limit(3)
            .build()
            .unwrap(),
    );
    let anonymous: Vec<_> = (0..4).map(|_| opened_cookie(&r, None, T0)).collect();
    for (_, opened) in &anonymous[..3] {
        run_ready(r.logout_at(opened, T0)).unwrap();
    }
    assert_eq!(
        run_ready(r.logout_at(&anonymous[3].1, T0)).unwrap_err(),
        Error::RevocationFull { limit: 3 }
    );
    for (value, _) in &anonymous[..3] {
        assert_eq!(open(&r, value, T0), revoked(RevokedReason::SessionId));
    }
    assert_eq!(
        open(&r, &anonymous[3].0, T0),
        Ok(7),
        "not revoked, and the caller knows"
    );
    // Revoking an id held already needs no room.
    run_ready(r.logout_at(&anonymous[0].1, T0)).unwrap();
    // A user's logout and logout-everywhere are unaffected.
    let (alice, opened) = opened_cookie(&r, Some("alice"), T0);
    run_ready(r.logout_at(&opened, T0)).unwrap();
    assert_eq!(open(&r, &alice, T0), revoked(RevokedReason::SessionId));
    run_ready(r.logout_everywhere_at("bob", T0)).unwrap();
    // Once they have expired, the share prunes itself to make room.
    let later = T0 + TTL + LEEWAY * 2;
    let (_, fresh) = opened_cookie(&r, None, later);
    run_ready(r.logout_at(&fresh, later)).unwrap();
}

/// Past its quota, a subject's logouts fold into its not-before: one entry
/// that revokes the session and every older one of the subject, never an
/// error.
#[test]
fn a_subject_past_its_quota_folds_into_its_not_before() {
    let r = revocation_over(
        MemoryStore::builder(100)
            .with_subject_quota(2)
            .build()
            .unwrap(),
    );
    let sessions: Vec<_> = (0..4)
        .map(|i| opened_cookie(&r, Some("mallory"), T0 + Duration::seconds(i)))
        .collect();
    let at = T0 + Duration::minutes(1);
    let deny = |opened: &sealed_session::Opened<u32>| {
        let session = opened.session();
        let entry = DeniedSession {
            id: session.id(),
            subject: session.subject(),
            issued_at: session.issued_at().unwrap().unix_timestamp(),
            until: unix(at + TTL),
        };
        run_ready(r.store().deny_session(entry, unix(at))).unwrap()
    };
    assert_eq!(deny(&sessions[0].1), Denial::Recorded);
    assert_eq!(deny(&sessions[1].1), Denial::Recorded);
    assert_eq!(
        deny(&sessions[2].1),
        Denial::Folded {
            not_before: unix(T0) + 3
        }
    );
    assert_eq!(
        open(&r, &sessions[0].0, at),
        revoked(RevokedReason::SessionId)
    );
    assert_eq!(
        open(&r, &sessions[2].0, at),
        revoked(RevokedReason::SubjectNotBefore)
    );
    // Issued in the second the fold names: not covered.
    assert_eq!(open(&r, &sessions[3].0, at), Ok(7));
    // Two ids and one subject record, however many logouts follow.
    for _ in 0..50 {
        let (_, opened) = opened_cookie(&r, Some("mallory"), at);
        run_ready(r.logout_at(&opened, at)).unwrap();
    }
    assert_eq!(r.store().len(), 3);
}

/// With every id slot taken, a subject's logout folds instead of failing.
#[test]
fn when_the_ids_are_full_a_subject_logout_folds_and_succeeds() {
    let r = revocation_over(MemoryStore::builder(2).build().unwrap());
    for _ in 0..2 {
        let (_, opened) = opened_cookie(&r, Some("bob"), T0);
        run_ready(r.logout_at(&opened, T0)).unwrap();
    }
    let (alice, opened) = opened_cookie(&r, Some("alice"), T0);
    run_ready(r.logout_at(&opened, T0)).unwrap();
    assert_eq!(
        open(&r, &alice, T0),
        revoked(RevokedReason::SubjectNotBefore)
    );
    // A full subject table is the one way to be refused: it takes as many
    // subjects (accounts) as the store holds.
    let r = revocation_over(
        MemoryStore::builder(10)
            .with_max_subjects(1)
            .build()
            .unwrap(),
    );
    run_ready(r.logout_everywhere_at("alice", T0)).unwrap();
    let (_, opened) = opened_cookie(&r, Some("carol"), T0);
    assert_eq!(
        run_ready(r.logout_at(&opened, T0)).unwrap_err(),
        Error::RevocationFull { limit: 1 }
    );
}

#[test]
fn revoke_all_empties_a_full_list() {
    let r = revocation_over(
        MemoryStore::builder(4)
            .with_anonymous_limit(1)
            .build()
            .unwrap(),
    );
    let (a, opened) = opened_cookie(&r, None, T0);
    run_ready(r.logout_at(&opened, T0)).unwrap();
    run_ready(r.logout_everywhere_at("alice", T0 + Duration::seconds(1))).unwrap();
    let at = T0 + Duration::seconds(2);
    let (_, b) = opened_cookie(&r, None, T0);
    assert!(matches!(
        run_ready(r.logout_at(&b, at)),
        Err(Error::RevocationFull { .. })
    ));

    run_ready(r.revoke_all_at(at)).unwrap();
    assert_eq!(r.store().len(), 0);
    assert_eq!(open(&r, &a, at), revoked(RevokedReason::GlobalNotBefore));
    // Logouts of sessions it covers take no room; newer ones do.
    run_ready(r.logout_at(&b, at)).unwrap();
    assert_eq!(r.store().len(), 0);
    let past = at + LEEWAY;
    let (_, c) = opened_cookie(&r, None, past);
    run_ready(r.logout_at(&c, past)).unwrap();
    assert_eq!(r.store().len(), 1);
}

/// Logins never depend on room for anonymous ids: renewing an anonymous
/// session at login goes ahead when the share is full.
#[test]
fn login_goes_ahead_when_the_anonymous_share_is_full() {
    let r = revocation_over(
        MemoryStore::builder(8)
            .with_anonymous_limit(1)
            .build()
            .unwrap(),
    );
    let (_, filler) = opened_cookie(&r, None, T0);
    run_ready(r.logout_at(&filler, T0)).unwrap();
    let (value, _) = opened_cookie(&r, None, T0);
    let mut checked = run_ready(r.open_checked_at::<u32>(&value, T0)).unwrap();
    run_ready(r.renew_id_at(&mut checked, T0)).unwrap();
    checked.session_mut().set_subject("victim").unwrap();
    let logged_in = r.sealer().seal_value_at(checked.session(), T0).unwrap();
    assert_eq!(open(&r, &logged_in, T0), Ok(7));
}

#[test]
#[cfg_attr(target_os = "wasi", ignore = "wasm32-wasip1 cannot spawn threads")]
fn many_threads_revoke_and_check_and_nothing_is_lost() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 2_000;
    let store = Arc::new(
        MemoryStore::builder(THREADS * PER_THREAD)
            .with_anonymous_limit(THREADS * PER_THREAD)
            .build()
            .unwrap(),
    );
    let now = unix(T0);
    let ids: Vec<Vec<SessionId>> = (0..THREADS)
        .map(|_| (0..PER_THREAD).map(|_| SessionId::random()).collect())
        .collect();
    let ids = Arc::new(ids);
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (store, ids) = (Arc::clone(&store), Arc::clone(&ids));
            std::thread::spawn(move || {
                for (i, &id) in ids[t].iter().enumerate() {
                    let entry = DeniedSession {
                        id,
                        subject: None,
                        issued_at: now - 10,
                        until: now + 3600,
                    };
                    run_ready(store.deny_session(entry, now)).unwrap();
                    // Read back one of ours and one of a neighbour's.
                    assert!(
                        run_ready(store.status(id, None, now))
                            .unwrap()
                            .session_denied
                    );
                    let other = ids[(t + 1) % THREADS][i];
                    run_ready(store.status(other, Some("x"), now)).unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("no thread panicked");
    }
    assert_eq!(store.len(), THREADS * PER_THREAD);
    for &id in ids.iter().flatten() {
        assert!(
            run_ready(store.status(id, None, now))
                .unwrap()
                .session_denied
        );
    }
    // Full now: one more is refused, from any thread.
    let entry = DeniedSession {
        id: SessionId::random(),
        subject: None,
        issued_at: now,
        until: now + 10,
    };
    assert_eq!(
        run_ready(store.deny_session(entry, now)).unwrap_err(),
        Error::RevocationFull {
            limit: THREADS * PER_THREAD
        }
    );
}

/// A store with sessions, subjects and a global not-before, and the ids.
fn filled_store(now: i64) -> (MemoryStore, Vec<SessionId>) {
    let store = MemoryStore::new(1000).unwrap();
    let ids: Vec<SessionId> = (0..50).map(|_| SessionId::random()).collect();
    for (i, &id) in ids.iter().enumerate() {
        let until = now + 100 + i as i64;
        run_ready(store.deny_session(
            DeniedSession {
                id,
                subject: None,
                issued_at: now - 5,
                until,
            },
            now,
        ))
        .unwrap();
    }
    run_ready(store.set_subject_not_before("alice", now - 20, now + 500, now)).unwrap();
    run_ready(store.set_subject_not_before("björn", now - 30, now + 50, now)).unwrap();
    run_ready(store.set_subject_not_before("", now - 40, now + 500, now)).unwrap();
    run_ready(store.set_global_not_before(now - 100, now + 1000, now)).unwrap();
    (store, ids)
}

fn at(unix: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(unix).unwrap()
}

#[test]
fn snapshots_round_trip() {
    let now = unix(T0);
    let (store, ids) = filled_store(now);
    let bytes = store.export(at(now));
    assert_eq!(
        bytes.len(),
        22 + 50 * 24 + (1 + 5 + 8) + (1 + 6 + 8) + (1 + 8) + 4
    );

    let copy = MemoryStore::new(1000).unwrap();
    assert_eq!(copy.import(&bytes, at(now)).unwrap(), 50 + 3 + 1);
    assert_eq!(copy.len(), store.len());
    let probes = ids.iter().copied().chain([SessionId::random()]);
    for id in probes {
        for subject in [None, Some("alice"), Some("björn"), Some(""), Some("carol")] {
            for t in [now, now + 60, now + 120, now + 600] {
                assert_eq!(
                    run_ready(copy.status(id, subject, t)).unwrap(),
                    run_ready(store.status(id, subject, t)).unwrap(),
                );
            }
        }
    }
    // Importing the same snapshot again merges; nothing doubles.
    copy.import(&bytes, at(now)).unwrap();
    assert_eq!(copy.len(), store.len());
}

#[test]
fn snapshots_leave_out_expired_entries() {
    let now = unix(T0);
    let (store, _) = filled_store(now);
    // At now + 120: 29 sessions left (until now+100..now+149), "björn" gone.
    let later = store.export(at(now + 120));
    let copy = MemoryStore::new(1000).unwrap();
    assert_eq!(copy.import(&later, at(now + 120)).unwrap(), 29 + 2 + 1);
    // An old snapshot imported late takes only what is still live.
    let early = store.export(at(now));
    let late = MemoryStore::new(1000).unwrap();
    assert_eq!(late.import(&early, at(now + 2000)).unwrap(), 0);
    assert!(late.is_empty());
}

#[test]
fn an_import_that_does_not_fit_takes_nothing() {
    let now = unix(T0);
    let (store, ids) = filled_store(now);
    let bytes = store.export(at(now));
    let small = MemoryStore::new(10).unwrap();
    assert_eq!(
        small.import(&bytes, at(now)).unwrap_err(),
        Error::RevocationFull { limit: 10 }
    );
    assert!(small.is_empty());
    assert!(
        !run_ready(small.status(ids[0], None, now))
            .unwrap()
            .session_denied
    );
}

/// Re-seals a snapshot body with a correct checksum, so the structural
/// checks behind it are reached.
fn with_crc(mut body: Vec<u8>) -> Vec<u8> {
    let crc = !body.iter().fold(!0u32, |mut crc, &b| {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
        }
        crc
    });
    body.extend_from_slice(&crc.to_le_bytes());
    body
}

#[test]
fn malformed_snapshots_are_rejected_with_their_reason() {
    let now = unix(T0);
    let store = MemoryStore::new(1000).unwrap();
    let id = SessionId::random();
    run_ready(store.deny_session(
        DeniedSession {
            id,
            subject: None,
            issued_at: now,
            until: now + 100,
        },
        now,
    ))
    .unwrap();
    run_ready(store.set_subject_not_before("alice", now, now + 100, now)).unwrap();
    let good = store.export(at(now));
    let body = good[..good.len() - 4].to_vec();
    let target = MemoryStore::new(1000).unwrap();
    let reject = |bytes: &[u8]| match target.import(bytes, at(now)) {
        Err(Error::InvalidSnapshot(why)) => why,
        other => panic!("expected a snapshot error, got {other:?}"),
    };

    assert_eq!(reject(b""), SnapshotError::Magic);
    assert_eq!(reject(b"SSRW\x01"), SnapshotError::Magic);
    let mut v3 = good.clone();
    v3[4] = 3;
    assert_eq!(
        reject(&v3),
        SnapshotError::UnsupportedVersion { version: 3 }
    );
    // Version 2 is the authenticated form: not taken without a key.
    let mut v2 = good.clone();
    v2[4] = 2;
    assert_eq!(reject(&v2), SnapshotError::Unauthenticated);
    assert_eq!(reject(&good[..20]), SnapshotError::Truncated);
    let mut flipped = good.clone();
    flipped[30] ^= 0x01;
    assert_eq!(reject(&flipped), SnapshotError::Checksum);

    let edit = |at: usize, byte: u8| {
        let mut b = body.clone();
        b[at] = byte;
        with_crc(b)
    };
    assert_eq!(reject(&edit(5, 0x02)), SnapshotError::Flags);
    assert_eq!(reject(&edit(10, 0x01)), SnapshotError::Flags); // a global until without the flag
    assert_eq!(reject(&edit(14, 2)), SnapshotError::Truncated); // two sessions announced
    assert_eq!(reject(&edit(14, 0xff)), SnapshotError::Truncated);
    assert_eq!(reject(&edit(18, 9)), SnapshotError::Truncated); // nine subjects
    assert_eq!(reject(&edit(18, 0)), SnapshotError::TrailingBytes);
    // The session's until (bytes 42..46) before its issued-at.
    let mut early = body.clone();
    early[42..46].copy_from_slice(&0u32.to_le_bytes());
    assert_eq!(reject(&with_crc(early)), SnapshotError::Times);
    // The subject "alice" at 47..52 with a byte that is not UTF-8.
    assert_eq!(reject(&edit(47, 0xff)), SnapshotError::Subject);
    let mut longer = body.clone();
    longer[46] = 200;
    assert_eq!(reject(&with_crc(longer)), SnapshotError::Truncated);
    let mut extra = body.clone();
    extra.push(0);
    assert_eq!(reject(&with_crc(extra)), SnapshotError::TrailingBytes);

    assert!(target.is_empty());
    assert_eq!(target.import(&good, at(now)).unwrap(), 2);
}

#[test]
fn every_truncation_and_bit_flip_of_a_snapshot_is_rejected() {
    let now = unix(T0);
    let (store, _) = filled_store(now);
    let good = store.export(at(now));
    let target = MemoryStore::new(1000).unwrap();
    for len in 0..good.len() {
        assert!(matches!(
            target.import(&good[..len], at(now)),
            Err(Error::InvalidSnapshot(_))
        ));
    }
    for i in 0..good.len() {
        for bit in 0..8 {
            let mut bad = good.clone();
            bad[i] ^= 1 << bit;
            assert!(matches!(
                target.import(&bad, at(now)),
                Err(Error::InvalidSnapshot(_))
            ));
        }
    }
    assert!(target.is_empty());
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_the_importer(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let target = MemoryStore::new(100).unwrap();
        let _ = target.import(&bytes, T0);
        let mut framed = b"SSRV\x01".to_vec();
        framed.extend_from_slice(&bytes);
        let framed = with_crc(framed);
        let _ = target.import(&framed, T0);
    }
}

#[test]
fn fail_open_has_nothing_to_open_with_a_store_that_always_answers() {
    let r = Revocation::builder(sealer(), MemoryStore::new(10).unwrap())
        .with_failure_policy(FailurePolicy::Open)
        .build_at(T0)
        .unwrap();
    let value = cookie(&r, None, T0);
    let opened = r.sealer().open_at::<u32>(&value, T0).unwrap();
    run_ready(r.logout_at(&opened, T0)).unwrap();
    // Fail-open concerns outages only: a revoked session stays revoked.
    assert_eq!(open(&r, &value, T0), revoked(RevokedReason::SessionId));
}

#[test]
fn a_shared_store_serves_two_sealers() {
    let store = Arc::new(MemoryStore::new(100).unwrap());
    let build = || {
        Revocation::builder(sealer(), Arc::clone(&store))
            .build_at(T0)
            .unwrap()
    };
    let (a, b) = (build(), build());
    let value = cookie(&a, Some("alice"), T0);
    run_ready(b.logout_everywhere_at("alice", T0 + Duration::seconds(1))).unwrap();
    assert_eq!(
        open(&a, &value, T0 + Duration::seconds(1)),
        revoked(RevokedReason::SubjectNotBefore)
    );
}

#[test]
fn over_long_subjects_and_bad_clocks_are_typed_errors() {
    let r = revocation(10);
    assert_eq!(
        run_ready(r.logout_everywhere_at(&"x".repeat(256), T0)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Subject)
    );
    assert_eq!(
        run_ready(r.revoke_all_at(datetime!(1969-12-31 23:59 UTC))).unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
}

/// Handlers run on multi-threaded executors: every future must be `Send`,
/// even for session data that is `Send` but not `Sync`.
#[test]
fn revocation_futures_are_send() {
    fn send<F: Send>(_: F) {}
    let r = revocation(10);
    let value = cookie(&r, None, T0);
    type NotSync = std::cell::Cell<u32>;
    let opened = r.sealer().open_at::<NotSync>(&value, T0).unwrap();
    send(r.logout_at(&opened, T0));
    send(r.check_at(opened, T0));
    let mut checked = run_ready(r.open_checked_at::<NotSync>(&value, T0)).unwrap();
    send(r.renew_id_at(&mut checked, T0));
    send(r.open_checked_at::<NotSync>(&value, T0));
    send(r.logout_everywhere_at("alice", T0));
    send(r.revoke_all_at(T0));
}

#[test]
fn a_fresh_snapshot_of_a_list_mostly_held_needs_room_only_for_the_news() {
    let now = unix(T0);
    let (source, _) = filled_store(now); // 50 sessions, 3 subjects
    // Room for 51 session ids (subjects have a table of their own).
    let edge = MemoryStore::new(51).unwrap();
    assert_eq!(edge.import(&source.export(at(now)), at(now)).unwrap(), 54);
    assert_eq!(edge.len(), 53);
    // The next snapshot has one more entry: it fits, though the store
    // could not take the whole snapshot a second time.
    let deny = |store: &MemoryStore| {
        let id = SessionId::random();
        let entry = DeniedSession {
            id,
            subject: None,
            issued_at: now,
            until: now + 100,
        };
        run_ready(store.deny_session(entry, now)).unwrap();
        id
    };
    let id = deny(&source);
    edge.import(&source.export(at(now)), at(now)).unwrap();
    assert_eq!(edge.len(), 54);
    assert!(
        run_ready(edge.status(id, None, now))
            .unwrap()
            .session_denied
    );
    // Two more news do not fit; nothing is taken.
    deny(&source);
    deny(&source);
    assert_eq!(
        edge.import(&source.export(at(now)), at(now)).unwrap_err(),
        Error::RevocationFull { limit: 51 }
    );
    assert_eq!(edge.len(), 54);
    // Later, with the old entries expired, the full store makes room.
    let later = now + 150;
    let fresh = MemoryStore::new(10).unwrap();
    let entry = DeniedSession {
        id: SessionId::random(),
        subject: None,
        issued_at: later,
        until: later + 100,
    };
    run_ready(fresh.deny_session(entry, later)).unwrap();
    edge.import(&fresh.export(at(later)), at(later)).unwrap();
    assert!(edge.len() < 54);
}

/// Epoch keys do not open before their epoch: reading the leeway back by
/// opening before the issue time fails right after an epoch starts, and
/// the deadline's end is used instead.
#[cfg(feature = "epoch")]
#[test]
fn epoch_sealers_get_their_own_leeway() {
    use sealed_session::EpochKeys;
    for start_offset in [0, 1, 30, 3599] {
        let keys = EpochKeys::new(&[0x42; 32], "revocation/test", Duration::hours(1)).unwrap();
        let now = datetime!(2030-01-01 0:00 UTC) + Duration::seconds(start_offset);
        let sealer = Sealer::epoch_builder(keys)
            .with_ttl(Duration::hours(2))
            .with_leeway(Duration::seconds(45))
            .build_at(now)
            .unwrap();
        let r = Revocation::builder(sealer, MemoryStore::new(1).unwrap())
            .build_at(now)
            .unwrap();
        assert_eq!(r.leeway(), Duration::seconds(45));
        assert_eq!(r.max_ttl(), Duration::hours(2));
    }
}

#[test]
fn a_primary_retiring_before_the_deadline_still_gives_the_leeway() {
    let mut ring = KeyRing::new(Key::generate(1));
    ring.set_retire_at(1, Some(T0 + Duration::minutes(30)));
    let sealer = Sealer::builder(ring)
        .with_ttl(TTL)
        .with_leeway(Duration::seconds(17))
        .build_at(T0)
        .unwrap();
    let r = Revocation::builder(sealer, MemoryStore::new(1).unwrap())
        .build_at(T0)
        .unwrap();
    assert_eq!(r.leeway(), Duration::seconds(17));
    assert_eq!(r.max_ttl(), TTL);
}

/// Issue 13, item 14: a CRC is no MAC. An authenticated snapshot takes
/// only bytes made under the same key, and no snapshot may plant a
/// not-before far in the future (which would lock everyone out).
#[test]
fn authenticated_snapshots_refuse_forgeries_and_far_future_not_befores() {
    use sealed_session::revocation::SnapshotKey;
    let now = unix(T0);
    let (source, ids) = filled_store(now);
    let key = SnapshotKey::from_bytes([9; 32]);
    let bytes = source.export_authenticated(&key, at(now));
    let edge = MemoryStore::new(1000).unwrap();
    assert_eq!(
        edge.import_authenticated(&bytes, &key, at(now)).unwrap(),
        54
    );
    assert!(
        run_ready(edge.status(ids[0], None, now))
            .unwrap()
            .session_denied
    );

    let fresh = MemoryStore::new(1000).unwrap();
    let refused = |bytes: &[u8], key: &SnapshotKey| {
        fresh.import_authenticated(bytes, key, at(now)).unwrap_err()
    };
    let unauthenticated = Error::InvalidSnapshot(SnapshotError::Unauthenticated);
    // Every single-bit change of the body is caught by the MAC.
    for at_byte in [6, 10, 20, 30, bytes.len() - 40, bytes.len() - 1] {
        let mut forged = bytes.clone();
        forged[at_byte] ^= 0x01;
        assert_eq!(refused(&forged, &key), unauthenticated, "byte {at_byte}");
    }
    assert_eq!(
        refused(&bytes, &SnapshotKey::from_bytes([8; 32])),
        unauthenticated
    );
    // A plain snapshot is no substitute, and an authenticated one is not
    // taken where no key is given.
    assert_eq!(refused(&source.export(at(now)), &key), unauthenticated);
    assert_eq!(fresh.import(&bytes, at(now)).unwrap_err(), unauthenticated);
    assert!(fresh.is_empty());

    // The 2106 lock-out: a snapshot (authentic, say from a node with a
    // broken clock) whose global not-before lies far ahead.
    let ahead = MemoryStore::new(10).unwrap();
    let far = now + 3601;
    assert_eq!(
        run_ready(ahead.set_global_not_before(far, far + 10, now)).unwrap_err(),
        Error::InvalidConfig(ConfigError::Clock)
    );
    let skewed = MemoryStore::new(10).unwrap();
    run_ready(skewed.set_global_not_before(far, far + 10, far - 3600)).unwrap();
    let planted = skewed.export_authenticated(&key, at(far - 3600));
    assert_eq!(
        fresh
            .import_authenticated(&planted, &key, at(now))
            .unwrap_err(),
        Error::InvalidSnapshot(SnapshotError::FutureNotBefore)
    );
    assert!(fresh.is_empty());
}

/// A sealer that could not seal at build time (its primary retired) fails
/// when the revocation is built, not on the first request; the check seals
/// nothing (issue 13, item 3: builders draw no randomness).
#[test]
fn building_checks_that_the_sealer_can_seal_then() {
    let retire = T0 + Duration::hours(1);
    let mut ring = KeyRing::new(Key::generate(1));
    ring.retire(1, retire).unwrap();
    let sealer = Sealer::builder(ring).build_at(T0).unwrap();
    let store = MemoryStore::new(10).unwrap();
    assert_eq!(
        Revocation::builder(sealer, store)
            .build_at(retire)
            .unwrap_err(),
        Error::RetiredKey { key_id: 1 }
    );
}
