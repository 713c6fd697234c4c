//! The routes natively, over a `MemoryStore`, whose futures are always
//! ready (`run_ready`). The same routes run in workerd over the Durable
//! Object store in tests/edge/worker.test.mjs.

use super::*;
use sealed_session::Key;
use sealed_session::revocation::{MemoryStore, run_ready};

fn sessions(keys: &str) -> Revocation<MemoryStore> {
    Revocation::new(
        sealer_from_keys(keys).unwrap(),
        MemoryStore::new(100).unwrap(),
    )
    .unwrap()
}

/// The `name=value` pairs a browser would send back, from `Set-Cookie`
/// lines (removals dropped).
fn jar(reply: &Reply) -> String {
    reply
        .set_cookies
        .iter()
        .filter(|line| !line.contains("Max-Age=0"))
        .map(|line| line.split(';').next().unwrap())
        .collect::<Vec<_>>()
        .join("; ")
}

fn login_as(sessions: &Revocation<MemoryStore>, user: &str, note: &str) -> Reply {
    run_ready(async { Ok(login(sessions, None, user.into(), note.into()).await) }).unwrap()
}

fn me_with(sessions: &Revocation<MemoryStore>, cookies: &str) -> Reply {
    run_ready(async { Ok(me(sessions, Some(cookies)).await) }).unwrap()
}

fn logout_with(sessions: &Revocation<MemoryStore>, cookies: &str) -> Reply {
    run_ready(async { Ok(logout(sessions, Some(cookies)).await) }).unwrap()
}

#[test]
fn login_read_logout_and_the_copy_is_refused() {
    let sessions = sessions(&Key::generate(1).to_text());
    let login = login_as(&sessions, "alice", "");
    assert_eq!(login.status, 200);
    let cookie = jar(&login);
    assert!(cookie.starts_with("__Host-session="), "{cookie}");

    let me = me_with(&sessions, &format!("theme=dark; {cookie}"));
    assert_eq!((me.status, me.body.as_str()), (200, "hello alice\n"));
    assert!(
        me.set_cookies.is_empty(),
        "a fresh session needs no new cookie"
    );

    let out = logout_with(&sessions, &cookie);
    assert_eq!(out.status, 200);
    assert!(out.set_cookies[0].starts_with("__Host-session=; Max-Age=0"));
    let replay = me_with(&sessions, &cookie);
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (401, "session revoked\n")
    );
}

#[test]
fn rejects_missing_foreign_and_tampered_cookies() {
    let sessions = sessions(&Key::generate(1).to_text());
    let other = super::tests::sessions(&Key::generate(1).to_text());
    let foreign = jar(&login_as(&other, "mallory", ""));
    let genuine = jar(&login_as(&sessions, "alice", ""));
    // One character of the sealed value changed.
    let mut tampered = genuine.into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    for header in ["", "__Host-session=AQEAAAAB", &foreign, &tampered] {
        let reply = me_with(&sessions, header);
        assert_eq!(reply.status, 401, "{header:?}");
    }
    let reply = me_with(&sessions, &tampered);
    assert_eq!(reply.set_cookies.len(), 1, "the bad cookie is deleted");
}

#[test]
fn a_large_session_is_chunked_and_reads_back_whole() {
    let sessions = sessions(&Key::generate(1).to_text());
    let note = "n".repeat(3500);
    let login = login_as(&sessions, "carol", &note);
    assert_eq!(login.set_cookies.len(), 2, "{:?}", login.set_cookies);
    let cookies = jar(&login);
    assert!(cookies.contains("__Host-session.0=2."));
    let me = me_with(&sessions, &cookies);
    assert_eq!(me.body, format!("hello carol\nnote: {note}\n"));
    // One chunk missing: no session.
    let first_only = cookies.split("; ").next().unwrap();
    assert_eq!(me_with(&sessions, first_only).status, 401);
    // Too large for four cookies: refused, not truncated.
    let too_large = login_as(&sessions, "dave", &"x".repeat(20_000));
    assert_eq!(too_large.status, 413);
    assert!(too_large.set_cookies.is_empty());
}

#[test]
fn rotation_keeps_sessions_and_reseals_them() {
    let old = Key::generate(1);
    let before = sessions(&old.to_text());
    let cookie = jar(&login_as(&before, "bob", ""));
    let keys = format!("{}, {}", &*Key::generate(2).to_text(), &*old.to_text());
    let after = sessions(&keys);
    let me = me_with(&after, &cookie);
    assert_eq!(me.body, "hello bob\n");
    let resealed = jar(&me);
    assert_ne!(resealed, cookie, "sealed under an old key: re-sealed");
    // The re-sealed cookie opens without the old key.
    let new_only = sessions(keys.split(',').next().unwrap());
    assert_eq!(me_with(&new_only, &resealed).status, 200);
    assert_eq!(me_with(&new_only, &cookie).status, 401);
}

#[test]
fn bad_keys_fail_when_the_sealer_is_built() {
    assert!(sealer_from_keys("").is_err());
    assert!(sealer_from_keys("ss1:xaes256gcm:1:short").is_err());
}
