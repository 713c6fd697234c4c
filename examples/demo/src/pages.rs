//! The showcase under `/app`: HTML forms a browser submits, each checked
//! against the session's CSRF token (by the server's `CsrfForm` extractor,
//! before these run), with flash messages across the redirects, "remember
//! me", logout and "log out everywhere".

use crate::{Answer, Visitor};
use sealed_session::Error;
use sealed_session::revocation::RevocationStore;
use sealed_session::web::SessionHandle;
use serde::Deserialize;

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn form(action: &str, token: &str, fields: &str, button: &str) -> String {
    format!(
        r#"<form method="post" action="{action}"><input type="hidden" name="csrf_token" value="{token}">{fields}<button>{button}</button></form>"#
    )
}

/// `GET /app`.
pub fn page<S: RevocationStore + 'static>(session: &SessionHandle<Visitor, S>) -> Answer {
    // A session (even an anonymous one) before any form: the CSRF token
    // is bound to it, so the login form is protected too.
    if !session.is_present() {
        session.insert(Visitor::default());
    }
    let token = session.csrf_token().unwrap_or_default();
    let flashes: String = session
        .take_flash()
        .iter()
        .map(|m| format!(r#"<p class="flash">{}</p>"#, esc(m)))
        .collect();
    let visitor = session.get().unwrap_or_default();
    let body = if visitor.user.is_empty() {
        form(
            "/app/login",
            &token,
            r#"<input name="user" placeholder="name"><label><input type="checkbox" name="remember" value="on"> remember me</label>"#,
            "Sign in",
        )
    } else {
        format!(
            r#"<p id="who">Signed in as {}</p><p id="note">Note: {}</p>{}{}{}"#,
            esc(&visitor.user),
            esc(&visitor.note),
            form("/app/note", &token, r#"<input name="text">"#, "Save note"),
            form("/app/logout", &token, "", "Sign out"),
            form("/app/logout-everywhere", &token, "", "Sign out everywhere"),
        )
    };
    Answer::Html(format!(
        "<!doctype html><title>sealed-session</title>{flashes}{body}"
    ))
}

/// `POST /app/login`'s form.
#[derive(Deserialize)]
pub struct LoginForm {
    pub user: String,
    pub remember: Option<String>,
}

/// `POST /app/note`'s form.
#[derive(Deserialize)]
pub struct NoteForm {
    pub text: String,
}

/// The sign-out forms carry only the token.
#[derive(Deserialize)]
pub struct Empty {}

/// `POST /app/login`.
pub async fn login<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
    form: LoginForm,
) -> Result<Answer, Error> {
    let user = form.user.trim().to_owned();
    if user.is_empty() || user.len() > 64 {
        session.flash("Give a name of 1 to 64 characters.");
        return Ok(Answer::Redirect("/app"));
    }
    let visitor = Visitor {
        user: user.clone(),
        ..Visitor::default()
    };
    session.login(visitor, Some(&user)).await?;
    if form.remember.is_none() {
        session.update(|s| {
            s.set_browser_session(true);
            s.set_lifetime(time::Duration::hours(1));
        });
    }
    session.flash(format!("Welcome, {user}."));
    Ok(Answer::Redirect("/app"))
}

/// `POST /app/note`.
pub fn note<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
    form: NoteForm,
) -> Answer {
    let text: String = form.text.chars().take(200).collect();
    session.update(|s| s.data_mut().note = text);
    session.flash("Saved.");
    Answer::Redirect("/app")
}

/// `POST /app/logout` (`everywhere: false`) and `POST
/// /app/logout-everywhere` (every session of the user).
pub async fn sign_out<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
    everywhere: bool,
) -> Result<Answer, Error> {
    if everywhere {
        session.logout_everywhere().await?;
        session.flash("Signed out on every device.");
    } else {
        session.logout().await?;
        session.flash("Signed out.");
    }
    Ok(Answer::Redirect("/app"))
}
