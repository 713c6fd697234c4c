//! After the handler: decide what the response says about the session
//! (`Set-Cookie`, cache headers), or answer 500 when it cannot be sealed.

use super::events;
use super::handle::{SessionHandle, Slot, State};
use crate::SessionData;
use crate::http::{CacheProtection, ChunkSet, CookieConflict};
use crate::http::{append_set_cookies, protect_from_caches, vary_on_cookie};
use crate::{Chunking, Error, Result, SealedCookies, Sealer, Session};
use axum_core::response::Response;
use http::{HeaderValue, StatusCode};

/// The typed reason the layer answered 500 or 503 itself, put in the
/// response extensions so that an outer layer can log it. It holds only
/// an [`Error`], which never contains key bytes or session data.
///
/// ```
/// use sealed_session::{Error, axum::SessionError};
/// let e = SessionError(Error::Serialize);
/// assert_eq!(e.0.to_string(), Error::Serialize.to_string());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError(pub Error);

/// Which of our cookies the request carried, so that the response can
/// delete those the new cookies do not overwrite.
#[derive(Debug, Default)]
pub(super) struct Carried {
    pub(super) single: bool,
    pub(super) chunks: ChunkSet,
    /// Copies that could be planted: nothing is deleted, and the conflict
    /// is reported in the response extensions.
    pub(super) conflict: Option<CookieConflict>,
    /// The cookies did not open or were revoked: delete them.
    pub(super) clear: bool,
}

/// What the layer does with the response once the handler is done.
pub(super) struct Finish<'a> {
    pub(super) sealer: &'a Sealer,
    /// The flash cookie's sealer, when flash messages are on.
    pub(super) flash: Option<&'a Sealer>,
    pub(super) chunking: Option<Chunking>,
    pub(super) carried: &'a Carried,
    pub(super) seal_on_server_error: bool,
}

/// The first reason a re-seal is due, for the `sealed` event.
fn reseal_reason(reseal: crate::Reseal) -> &'static str {
    if reseal.schema {
        "older schema or other codec"
    } else if reseal.non_primary_key {
        "non-primary key"
    } else if reseal.idle_renewal {
        "idle renewal"
    } else {
        "changed by the handler"
    }
}

impl Finish<'_> {
    /// Seals the handler's changes onto `response`, with cache headers.
    pub(super) fn apply<T: SessionData, S>(
        &self,
        mut response: Response,
        handle: &SessionHandle<T, S>,
    ) -> Response {
        if let Some(conflict) = self.carried.conflict {
            response.extensions_mut().insert(conflict);
        }
        // A handler panicked inside a change: the cookie stays as it was.
        let Some(state) = handle.sealable() else {
            return response;
        };
        let status = response.status();
        // A 304 must not carry a cookie a cache would apply to the stored
        // response; a failed handler's change may be half done.
        let withheld = status == StatusCode::NOT_MODIFIED
            || (status.is_server_error() && !self.seal_on_server_error);
        let lines = if withheld {
            Vec::new()
        } else {
            match self.lines(&state) {
                Ok(mut lines) => {
                    if let Some(flash) = self.flash {
                        lines.extend(super::flash::lines(&state, flash));
                    }
                    lines
                }
                Err(error) => {
                    super::events::seal_failed(&error);
                    return super::errors::failure(StatusCode::INTERNAL_SERVER_ERROR, error);
                }
            }
        };
        let (accessed, issued) = (state.accessed, state.issued_new_id());
        drop(state);
        let headers = response.headers_mut();
        if !lines.is_empty() {
            let level = if issued {
                CacheProtection::NoStore
            } else {
                CacheProtection::Private
            };
            append_set_cookies(headers, lines);
            protect_from_caches(headers, level);
            vary_on_cookie(headers);
        } else if accessed {
            vary_on_cookie(headers);
        }
        response
    }

    /// The `Set-Cookie` values the handler's changes call for.
    fn lines<T: SessionData>(&self, state: &State<T>) -> Result<Vec<HeaderValue>> {
        let lines = match &state.slot {
            Slot::Fresh(session) => {
                events::sealed("new", "created in this request");
                self.seal(session)?
            }
            Slot::Opened(checked) if checked.opened().needs_reseal() => {
                events::sealed(
                    if checked.session().is_changed() {
                        "changed"
                    } else {
                        "resealed"
                    },
                    reseal_reason(checked.opened().reseal()),
                );
                self.seal(checked.session())?
            }
            Slot::Opened(_) => Vec::new(),
            Slot::Empty if state.removed || self.carried.clear => {
                events::sealed(
                    "removed",
                    if state.removed {
                        "ended by the handler"
                    } else {
                        "cookie did not open"
                    },
                );
                self.removals()
            }
            Slot::Empty => Vec::new(),
        };
        Ok(lines
            .into_iter()
            .filter_map(|line| HeaderValue::try_from(line).ok())
            .collect())
    }

    fn seal<T: SessionData>(&self, session: &Session<T>) -> Result<Vec<String>> {
        let sealed = match self.chunking {
            Some(chunking) => chunking.seal(self.sealer, session)?,
            None => SealedCookies::single(self.sealer.seal(session)?),
        };
        let written = sealed.chunk_count().map_or(0, usize::from);
        let carried = self.carried;
        let stale = Chunking::removals(self.sealer, carried.single, carried.chunks.iter(), written);
        let mut lines = sealed.into_set_cookies();
        lines.extend(stale);
        Ok(lines)
    }

    /// Deletes everything the request carried; after a logout with nothing
    /// carried (a session created and ended in one request), the plain
    /// name. Never after a conflict: that would delete the genuine cookie.
    fn removals(&self) -> Vec<String> {
        let carried = self.carried;
        if carried.conflict.is_some() {
            return Vec::new();
        }
        let mut lines = Chunking::removals(self.sealer, false, carried.chunks.iter(), 0);
        if carried.single || lines.is_empty() {
            lines.insert(0, self.sealer.removal_cookie());
        }
        lines
    }
}
