//! The showcase under `/app`: HTML forms a browser submits, each checked
//! against the session's CSRF token, with flash messages across the
//! redirects, "remember me", logout and "log out everywhere".

use crate::{Handle, Visitor};
use axum::Router;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sealed_session::axum::CsrfForm;
use sealed_session::revocation::RevocationStore;
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

async fn page<S: RevocationStore + 'static>(session: Handle<S>) -> Html<String> {
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
    Html(format!(
        "<!doctype html><title>sealed-session</title>{flashes}{body}"
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    remember: Option<String>,
}

async fn login<S: RevocationStore + 'static>(
    session: Handle<S>,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, sealed_session::Error> {
    let user = form.user.trim().to_owned();
    if user.is_empty() || user.len() > 64 {
        session.flash("Give a name of 1 to 64 characters.");
        return Ok(Redirect::to("/app").into_response());
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
    Ok(Redirect::to("/app").into_response())
}

#[derive(Deserialize)]
struct NoteForm {
    text: String,
}

async fn note<S: RevocationStore + 'static>(
    session: Handle<S>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Redirect {
    let text: String = form.text.chars().take(200).collect();
    session.update(|s| s.data_mut().note = text);
    session.flash("Saved.");
    Redirect::to("/app")
}

#[derive(Deserialize)]
struct Empty {}

async fn logout<S: RevocationStore + 'static>(
    session: Handle<S>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Redirect, sealed_session::Error> {
    session.logout().await?;
    session.flash("Signed out.");
    Ok(Redirect::to("/app"))
}

async fn logout_everywhere<S: RevocationStore + 'static>(
    session: Handle<S>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Redirect, sealed_session::Error> {
    session.logout_everywhere().await?;
    session.flash("Signed out on every device.");
    Ok(Redirect::to("/app"))
}

pub(crate) fn routes<S: RevocationStore + 'static, St: Clone + Send + Sync + 'static>() -> Router<St>
{
    Router::new()
        .route("/app", get(page::<S>))
        .route("/app/login", post(login::<S>))
        .route("/app/note", post(note::<S>))
        .route("/app/logout", post(logout::<S>))
        .route("/app/logout-everywhere", post(logout_everywhere::<S>))
}
