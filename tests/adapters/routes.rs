//! The handlers' bodies, shared by both apps: each framework's route only
//! extracts and wraps.

use sealed_session::Error;
use sealed_session::web::SessionHandle;

/// The session type of every route; the store is chosen per test.
pub type Handle = SessionHandle<String>;

/// A form with a CSRF token.
#[derive(serde::Deserialize)]
pub struct Comment {
    pub text: String,
}

pub fn read(s: &Handle) -> String {
    s.get().unwrap_or_else(|| "none".into())
}

pub async fn login(s: &Handle) -> Result<&'static str, Error> {
    s.login("alice".into(), Some("user-1")).await?;
    Ok("in")
}

pub async fn login_bob(s: &Handle) -> Result<&'static str, Error> {
    s.login("bob".into(), Some("user-1")).await?;
    Ok("in")
}

pub fn append(s: &Handle) {
    s.update(|s| s.data_mut().push('!'));
}

pub fn fill(s: &Handle, n: usize) {
    s.insert("x".repeat(n));
}

pub async fn logout(s: &Handle) -> Result<&'static str, Error> {
    s.logout().await?;
    Ok("out")
}

pub async fn everywhere(s: &Handle) -> Result<&'static str, Error> {
    s.logout_everywhere().await?;
    Ok("all out")
}

pub async fn renew(s: &Handle) -> Result<&'static str, Error> {
    s.renew_id().await?;
    Ok("renewed")
}

/// The page a form is rendered on: starts an anonymous session when there
/// is none, so the token exists.
pub fn token(s: &Handle) -> String {
    if !s.is_present() {
        s.insert("anonymous".into());
    }
    s.csrf_token().unwrap_or_default()
}

pub fn flash(s: &Handle) -> &'static str {
    if s.flash("Saved.") {
        "queued"
    } else {
        "no flash"
    }
}

pub fn take_flash(s: &Handle) -> String {
    s.take_flash().join("|")
}

pub fn checked(s: &Handle) -> String {
    let how = if s.revocation_unchecked() {
        "unchecked"
    } else {
        "checked"
    };
    format!("{} {how}", read(s))
}

/// Panics inside a change, with the session's lock held.
pub fn half(s: &Handle) -> &'static str {
    s.update(|s| {
        s.data_mut().push_str(" half");
        panic!("halfway through a change");
    });
    "unreachable"
}
