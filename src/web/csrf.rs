//! CSRF protection (`Sessions::with_csrf`), the framework-neutral part: the
//! token the handle makes for the session ([`SessionHandle::csrf_token`]),
//! and the checks behind each adapter's extractors (a form's `csrf_token`
//! field or the `x-csrf-token` header) with their rejections. A request
//! without a session has no valid token: start one (even an anonymous one)
//! before rendering a form, so that login forms are protected too.

use super::handle::SessionHandle;
use crate::{CsrfKey, SessionId};
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The header a `fetch` sends the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field an HTML form sends the token in.
pub const CSRF_FIELD: &str = "csrf_token";

/// What the layer leaves in the request for the extractors: the key and
/// the id of the session the request's cookie carried.
#[derive(Clone)]
pub(crate) struct CsrfContext {
    key: Arc<CsrfKey>,
    session: Option<SessionId>,
}

impl CsrfContext {
    pub(crate) fn new(key: &Arc<CsrfKey>, session: Option<SessionId>) -> CsrfContext {
        CsrfContext {
            key: Arc::clone(key),
            session,
        }
    }

    /// A request whose header holds the token (`CsrfHeader`).
    pub(crate) fn verify_header(&self, header: Option<&str>) -> Result<(), CsrfRejection> {
        self.verify(header.ok_or(CsrfRejection::Invalid)?)
    }

    /// A urlencoded form read as `F` once its token (the header's, else the
    /// `csrf_token` field's) is the session's (`CsrfForm`).
    pub(crate) fn verify_form<F: DeserializeOwned>(
        &self,
        header: Option<&str>,
        body: &[u8],
    ) -> Result<F, CsrfRejection> {
        let token = match header {
            Some(token) => Some(token.to_owned()),
            None => {
                serde_urlencoded::from_bytes::<TokenField>(body)
                    .map_err(|_| CsrfRejection::BadForm)?
                    .token
            }
        };
        self.verify(token.as_deref().ok_or(CsrfRejection::Invalid)?)?;
        serde_urlencoded::from_bytes(body).map_err(|_| CsrfRejection::BadForm)
    }

    fn verify(&self, token: &str) -> Result<(), CsrfRejection> {
        match &self.session {
            Some(id) if self.key.verify(id, token) => Ok(()),
            _ => Err(CsrfRejection::Invalid),
        }
    }
}

#[derive(serde::Deserialize)]
struct TokenField {
    #[serde(rename = "csrf_token")]
    token: Option<String>,
}

/// Why a CSRF extractor refused the request; each adapter answers it with
/// [`status`](Self::status) and a fixed body, the rejection in the
/// response extensions.
///
/// ```
/// use sealed_session::web::CsrfRejection;
/// assert_eq!(CsrfRejection::Invalid.status(), 403);
/// assert_eq!(CsrfRejection::NotConfigured.status(), 500);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CsrfRejection {
    /// No token, a wrong one, one of another session, or no session: 403.
    Invalid,
    /// The body is not a form `F` reads: 400.
    BadForm,
    /// The body could not be read (too large, or broken): 400.
    Body,
    /// The route's layer has no CSRF key (`Sessions::with_csrf`): a server
    /// bug, 500.
    NotConfigured,
}

impl CsrfRejection {
    /// The status code it is answered with.
    ///
    /// ```
    /// assert_eq!(sealed_session::web::CsrfRejection::BadForm.status(), 400);
    /// ```
    pub fn status(self) -> u16 {
        match self {
            CsrfRejection::Invalid => 403,
            CsrfRejection::BadForm | CsrfRejection::Body => 400,
            CsrfRejection::NotConfigured => 500,
        }
    }

    /// The fixed body it is answered with.
    ///
    /// ```
    /// assert_eq!(sealed_session::web::CsrfRejection::Invalid.body(), "invalid or missing CSRF token");
    /// ```
    pub fn body(self) -> &'static str {
        match self {
            CsrfRejection::Invalid => "invalid or missing CSRF token",
            CsrfRejection::BadForm => "unreadable form",
            CsrfRejection::Body => "unreadable request body",
            CsrfRejection::NotConfigured => "CSRF protection not configured",
        }
    }
}

impl core::fmt::Display for CsrfRejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.body())
    }
}

impl std::error::Error for CsrfRejection {}

impl<T, S> SessionHandle<T, S> {
    /// The CSRF token of the current session, for forms (a hidden
    /// `csrf_token` field) and `fetch` (the `x-csrf-token` header);
    /// `None` without a session or without `Sessions::with_csrf`. It
    /// changes with the session id: render it again after a login.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8, std::sync::Arc<sealed_session::revocation::MemoryStore>>) -> String {
    /// let token = session.csrf_token().unwrap_or_default();
    /// format!(r#"<input type="hidden" name="csrf_token" value="{token}">"#)
    /// # }
    /// ```
    pub fn csrf_token(&self) -> Option<String> {
        let key = self.csrf.as_ref()?;
        let id = self.read(|s| s.map(|s| s.id()))?;
        Some(key.token(&id))
    }

    /// Checks a token the request brought against the session its cookie
    /// carried, for frameworks without this crate's extractors (a plain
    /// hyper or tower service); axum and actix-web handlers take
    /// `CsrfForm` or `CsrfHeader` instead.
    ///
    /// ```
    /// # fn h(session: &sealed_session::web::SessionHandle<u8>, req: &http::Request<String>) -> Result<(), sealed_session::web::CsrfRejection> {
    /// let token = req.headers().get(sealed_session::web::CSRF_HEADER).and_then(|v| v.to_str().ok());
    /// session.verify_csrf(token.unwrap_or(""))?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`CsrfRejection::Invalid`] for a wrong or empty token, or a request
    /// that came without a session; [`CsrfRejection::NotConfigured`]
    /// without `Sessions::with_csrf`.
    pub fn verify_csrf(&self, token: &str) -> Result<(), CsrfRejection> {
        let key = self.csrf.as_ref().ok_or(CsrfRejection::NotConfigured)?;
        CsrfContext::new(key, self.lock().original).verify(token)
    }
}
