//! The plain-text routes the README drives with curl.

use crate::{Answer, Visitor, describe};
use sealed_session::revocation::RevocationStore;
use sealed_session::web::{SessionHandle, Sessions};
use sealed_session::{Error, Session};
use serde::Deserialize;

/// `POST /login`'s query.
#[derive(Deserialize)]
pub struct Login {
    pub user: String,
}

/// `POST /pad`'s query.
#[derive(Deserialize)]
pub struct Pad {
    pub bytes: Option<usize>,
    pub line: Option<usize>,
}

/// `POST /login?user=..`. Session errors are the adapters' responses (503
/// when the store is down, 500 when the session cannot be saved).
pub async fn login<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
    q: Login,
) -> Result<Answer, Error> {
    let visitor = Visitor {
        user: q.user.clone(),
        ..Visitor::default()
    };
    session.login(visitor, Some(&q.user)).await?;
    Ok(Answer::ok(session.read(describe)))
}

/// `GET /`: a change on every visit, so each one re-seals.
pub fn show<S: RevocationStore + 'static>(session: &SessionHandle<Visitor, S>) -> Answer {
    session.update(|s| s.data_mut().visits += 1);
    Answer::ok(session.read(describe))
}

/// `GET /whoami`: reads only, so no Set-Cookie unless a re-seal is due.
pub fn whoami<S: RevocationStore + 'static>(session: &SessionHandle<Visitor, S>) -> Answer {
    Answer::ok(session.read(describe))
}

/// `POST /pad?bytes=N` or `?line=L`.
pub fn pad<S: RevocationStore + 'static>(
    sessions: &Sessions<S>,
    session: &SessionHandle<Visitor, S>,
    q: Pad,
) -> Answer {
    let Some(mut visitor) = session.get() else {
        return Answer::Text(401, "log in first\n".into());
    };
    visitor.pad = match (q.bytes, q.line) {
        (Some(bytes), _) => "p".repeat(bytes.min(64 * 1024)),
        (None, Some(line)) => match pad_to_line(sessions, session.read(|s| s.cloned()), line) {
            Ok(pad) => pad,
            Err(answer) => return answer,
        },
        (None, None) => String::new(),
    };
    session.update(|s| *s.data_mut() = visitor);
    Answer::ok(session.read(describe))
}

/// Padding that brings the Set-Cookie line to within 4 bytes of `target`
/// (base64 moves in steps of 4 characters per 3 bytes). Bounded search.
pub fn pad_to_line<S: RevocationStore + 'static>(
    sessions: &Sessions<S>,
    current: Option<Session<Visitor>>,
    target: usize,
) -> Result<String, Answer> {
    let revocation = sessions.current();
    // The real session (subject, deadlines), so the trial seals to the
    // same length as the response will.
    let Some(mut trial) = current else {
        return Err(Answer::Text(401, "log in first\n".into()));
    };
    let mut len = 0usize;
    for _ in 0..32 {
        trial.data_mut().pad = "p".repeat(len);
        let line = match revocation.sealer().seal(&trial) {
            Ok(line) => line.len(),
            Err(Error::TooLarge { size, .. }) => size,
            Err(e) => return Err(Answer::Text(500, format!("{e}\n"))),
        };
        if line <= target && target - line < 4 {
            return Ok(trial.data().pad.clone());
        }
        let step = (target.abs_diff(line) * 3 / 4).max(1);
        len = if line > target {
            len.saturating_sub(step)
        } else {
            len + step
        };
    }
    Err(Answer::Text(
        400,
        "no padding reaches that line length\n".into(),
    ))
}

/// `POST /logout`: revoked, so a copy of the cookie no longer opens.
pub async fn logout<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
) -> Result<Answer, Error> {
    session.logout().await?;
    Ok(Answer::ok("logged out\n"))
}

/// `POST /logout-everywhere`: every session of the user.
pub async fn logout_everywhere<S: RevocationStore + 'static>(
    session: &SessionHandle<Visitor, S>,
) -> Result<Answer, Error> {
    session.logout_everywhere().await?;
    Ok(Answer::ok("logged out everywhere\n"))
}
