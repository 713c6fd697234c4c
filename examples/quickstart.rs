//! The main job end to end: seal a session into a Set-Cookie header, open it
//! on the next request, rotate keys without logging anyone out, and watch
//! tampered, misplaced, expired and oversized cookies get typed rejections.
//!
//! Run: `cargo run --example quickstart`

use sealed_session::{Error, Key, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

#[derive(Debug, Serialize, Deserialize)]
struct Visitor {
    user: String,
    cart: Vec<String>,
}

fn main() -> Result<(), Error> {
    // 1. One sealer per cookie name, built at startup. In production the
    //    ring comes from a secret (Key::from_text), not from generate().
    let old_key = Key::generate(1);
    let sealer = Sealer::builder(KeyRing::new(old_key.clone()))
        .with_ttl(Duration::hours(8))
        .with_idle_timeout(Duration::minutes(30))
        .build()?;

    // 2. Login: a new session, with a subject for "log out everywhere".
    let mut session = Session::new(Visitor {
        user: "alice".into(),
        cart: vec![],
    });
    session.set_subject("user-42")?;
    let set_cookie = sealer.seal(&session)?;
    println!("login  -> Set-Cookie: {set_cookie}");
    println!("          ({} bytes, limit 4096)", set_cookie.len());

    // 3. Next request: the browser sends back `name=value`.
    let value = cookie_value(&set_cookie);
    let mut opened = sealer.open::<Visitor>(value)?;
    opened.session_mut().data_mut().cart.push("book".into());
    println!(
        "open   -> user {}, session {}, needs new cookie: {}",
        opened.session().data().user,
        opened.session().id(),
        opened.needs_reseal()
    );
    let value = cookie_value(&sealer.seal(opened.session())?).to_owned();

    // 4. Rotation: a new primary key; the old one still opens.
    let rotated = Sealer::builder(KeyRing::new(Key::generate(2)).with_key(old_key))
        .with_ttl(Duration::hours(8))
        .with_idle_timeout(Duration::minutes(30))
        .build()?;
    let opened = rotated.open::<Visitor>(&value)?;
    println!(
        "rotate -> old cookie opens under key {}, re-seal asked: {:?}",
        opened.key_id(),
        opened.reseal()
    );
    let resealed = rotated.seal(opened.session())?;
    let moved = rotated.open::<Visitor>(cookie_value(&resealed))?;
    println!(
        "          re-sealed under key {}, cart {:?}",
        moved.key_id(),
        moved.session().data().cart
    );

    // 5. What gets rejected, and why.
    let mut tampered = value.clone().into_bytes();
    tampered[40] = if tampered[40] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ASCII");
    report("tampered", rotated.open::<Visitor>(&tampered));

    let same_keys = rotated.key_ring().expect("a static key ring").clone();
    let elsewhere = Sealer::builder(same_keys)
        .with_cookie_name("__Host-other")
        .build()?;
    report("other cookie name", elsewhere.open::<Visitor>(&value));

    let later = OffsetDateTime::now_utc() + Duration::hours(9);
    report(
        "nine hours later",
        rotated.open_at::<Visitor>(&value, later),
    );

    let idle = OffsetDateTime::now_utc() + Duration::minutes(45);
    report("idle 45 minutes", rotated.open_at::<Visitor>(&value, idle));

    let huge = Session::new(Visitor {
        user: "bob".into(),
        cart: vec!["x".repeat(100); 40],
    });
    report("4 KB cart", rotated.seal(&huge).map(|_| ()));

    // 6. Logout: a removal cookie.
    println!("logout -> Set-Cookie: {}", rotated.removal_cookie());
    Ok(())
}

/// The value of `name=value; attributes...`, as a browser sends it back.
fn cookie_value(set_cookie: &str) -> &str {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=').map_or("", |(_, value)| value)
}

fn report<T>(what: &str, outcome: Result<T, Error>) {
    match outcome {
        Ok(_) => println!("reject -> {what}: accepted (unexpected)"),
        Err(e) => println!("reject -> {what}: {e:?} ({e})"),
    }
}
