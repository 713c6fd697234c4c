//! Getting the handle out of a request: the lookup every adapter's
//! extractors share, and its rejections. A route without the layer, or
//! under a layer for another session or store type, is a server bug
//! ([`MissingSessionLayer`], 500, naming the types); a [required
//! session](NoSession) that is not there is 401.

use super::handle::SessionHandle;
use super::parts::ResponseParts;
use core::fmt;

/// Fills in the types of the layer a [`MissingSessionLayer`] answer went
/// through (`T`, `S`), and tells the operator. The extractor cannot know
/// them: a request carries only the handle, so that the layer leaves no
/// second extension on every request for the sake of a server bug.
pub(crate) fn name_the_layer<T, S>(response: &mut impl ResponseParts) {
    response.edit_extension(|missing: &mut MissingSessionLayer| {
        if missing.found.is_none() {
            missing.found = Some((core::any::type_name::<T>(), core::any::type_name::<S>()));
            super::events::missing_layer(missing);
        }
    });
}

/// The rejection when a handler asks for a [`SessionHandle<T, S>`] on a
/// route without the session layer (middleware), or under a layer for
/// another session type or store type (`SessionHandle<String,
/// MemoryStore>` under a layer over `Arc<MemoryStore>`, say): a server
/// bug, answered 500 with a generic body; the rejection, which names the
/// types, is in the response extensions (and, with `tracing`, an `error`
/// event).
///
/// The extractor sees only the request, which holds the handle and
/// nothing else, so it rejects with `found: None`. When the rejection
/// passes back through a session layer, that layer fills in `found` with
/// its own types and logs a second `error` event naming them; the
/// response's extension is the complete one.
///
/// ```
/// use sealed_session::web::MissingSessionLayer;
/// let missing = MissingSessionLayer { wanted: ("u8", "Stateless"), found: None };
/// assert!(missing.to_string().starts_with("no session layer for SessionHandle<u8, Stateless>"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingSessionLayer {
    /// The handler's `SessionHandle<T, S>`, as `type_name` spells it.
    pub wanted: (&'static str, &'static str),
    /// The session and store types of the (innermost) layer the request
    /// went through, if any: filled in by that layer on the way out.
    pub found: Option<(&'static str, &'static str)>,
}

impl MissingSessionLayer {
    /// The fixed body of its 500 response (the types stay in the server's
    /// logs and the response extensions).
    pub(crate) const BODY: &'static str = "session layer missing";
}

impl fmt::Display for MissingSessionLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (session, store) = self.wanted;
        write!(f, "no session layer for SessionHandle<{session}, {store}>")?;
        match self.found {
            Some((session, store)) => {
                write!(f, ": the route's layer is for SessionHandle<{session}, {store}>")
            }
            None => f.write_str(": the route has no session layer for these types (axum: .layer(sessions.layer::<T>()) after the routes; actix-web: .wrap(sessions.middleware::<T>()))"),
        }
    }
}

impl std::error::Error for MissingSessionLayer {}

/// Why a required session (`RequiredSession` in each adapter) was refused:
/// the request has no session (401), or the route has no layer
/// ([`MissingSessionLayer`], 500).
///
/// ```
/// use sealed_session::web::NoSession;
/// assert_eq!(NoSession::Unauthenticated.to_string(), "log in first");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoSession {
    /// No session was sent, or the one sent did not open.
    Unauthenticated,
    /// The route has no layer for this handle type.
    MissingLayer(MissingSessionLayer),
}

impl NoSession {
    /// The fixed body of the 401 answer.
    pub(crate) const BODY: &'static str = "log in first";
}

impl fmt::Display for NoSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoSession::Unauthenticated => f.write_str(NoSession::BODY),
            NoSession::MissingLayer(missing) => missing.fmt(f),
        }
    }
}

impl std::error::Error for NoSession {}

/// The handle the layer left in a request's extensions, given what the
/// framework's extension map holds of its type. Without it, the layer (if
/// any) is named once the rejection reaches it ([`name_the_layer`]).
pub(crate) fn lookup<T, S>(
    handle: Option<&SessionHandle<T, S>>,
) -> Result<SessionHandle<T, S>, MissingSessionLayer> {
    handle.cloned().ok_or_else(|| MissingSessionLayer {
        wanted: (core::any::type_name::<T>(), core::any::type_name::<S>()),
        found: None,
    })
}

/// The handle of a request that must have a session.
pub(crate) fn required<T, S>(
    handle: Result<SessionHandle<T, S>, MissingSessionLayer>,
) -> Result<SessionHandle<T, S>, NoSession> {
    let handle = handle.map_err(NoSession::MissingLayer)?;
    if handle.is_present() {
        Ok(handle)
    } else {
        Err(NoSession::Unauthenticated)
    }
}
