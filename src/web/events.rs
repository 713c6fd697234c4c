//! The layer's `tracing` events (feature `tracing`, target
//! `sealed_session`): every rejected cookie with its reason, conflicts,
//! store failures, seals and removals. Reasons and kinds only: never key
//! bytes, cookie values or session data. Without the feature each is a
//! no-op.

use crate::Error;
use crate::http::CookieConflict;

/// A cookie that did not open or was revoked: the client's doing, so
/// `debug` (a flood of forged cookies must not flood the logs at `warn`).
pub(crate) fn rejected(error: &Error) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "sealed_session", reason = %error, "session cookie rejected: no session, cookie removed");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// Copies that could be planted by a sibling host.
pub(crate) fn conflict(conflict: CookieConflict) {
    #[cfg(feature = "tracing")]
    tracing::warn!(target: "sealed_session", conflict = ?conflict, "conflicting session cookies: no session, none removed");
    #[cfg(not(feature = "tracing"))]
    let _ = conflict;
}

/// An authentic cookie this server cannot read.
pub(crate) fn unreadable(error: &Error) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        target: "sealed_session",
        reason = %error,
        "authentic session cookie could not be read: no session for this request, cookie kept"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// The revocation store could not answer (fail-closed: 503).
pub(crate) fn store_failed(error: &Error) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "sealed_session", reason = %error, "revocation check failed: answered 503");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// A session that could not be sealed (500).
pub(crate) fn seal_failed(error: &Error) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "sealed_session", reason = %error, "session could not be sealed: answered 500");
    #[cfg(not(feature = "tracing"))]
    let _ = error;
}

/// What the response does to the cookie: `new`, `changed`, `resealed`
/// (with why) or `removed`.
pub(crate) fn sealed(kind: &'static str, why: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "sealed_session", kind, why, "session cookie set");
    #[cfg(not(feature = "tracing"))]
    let _ = (kind, why);
}

/// A CSRF extractor refused the request.
pub(crate) fn csrf_refused(rejection: super::CsrfRejection) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "sealed_session", rejection = ?rejection, "CSRF check refused the request");
    #[cfg(not(feature = "tracing"))]
    let _ = rejection;
}

/// A handler asked for a handle the route's layer does not provide.
pub(crate) fn missing_layer(missing: &super::MissingSessionLayer) {
    #[cfg(feature = "tracing")]
    tracing::error!(target: "sealed_session", "{missing}");
    #[cfg(not(feature = "tracing"))]
    let _ = missing;
}
