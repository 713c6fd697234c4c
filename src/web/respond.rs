//! After the handler: decide what the response says about the session
//! (`Set-Cookie`, cache headers), or answer 500 when it cannot be sealed.

use super::events;
use super::handle::{SessionHandle, Slot, State};
use super::parts::{Edit, Failure, Header, ResponseParts};
use crate::SessionData;
use crate::http::{CacheProtection, ChunkSet, CookieConflict, VaryEdit};
use crate::http::{cache_control_merged, vary_merged};
use crate::{Chunking, Result, Sealer, Session};

/// Which of our cookies the request carried, so that the response can
/// delete those the new cookies do not overwrite.
#[derive(Debug, Default)]
pub(crate) struct Carried {
    pub(crate) single: bool,
    pub(crate) chunks: ChunkSet,
    /// Copies that could be planted: nothing is deleted, and the conflict
    /// is reported in the response extensions.
    pub(crate) conflict: Option<CookieConflict>,
    /// The cookies did not open or were revoked: delete them.
    pub(crate) clear: bool,
}

/// What the layer does with the response once the handler is done.
pub(crate) struct Finish<'a> {
    pub(crate) sealer: &'a Sealer,
    /// The flash cookie's sealer, when flash messages are on.
    pub(crate) flash: Option<&'a Sealer>,
    pub(crate) chunking: Option<Chunking>,
    pub(crate) carried: &'a Carried,
    pub(crate) seal_on_server_error: bool,
    /// The request's clock reading, taken before the handler ran.
    pub(crate) now: Result<i64>,
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
    /// Seals the handler's changes onto `response`, with cache headers;
    /// `Err` when the session cannot be sealed (the response is then to be
    /// replaced by the failure's).
    pub(crate) fn apply<T: SessionData, S>(
        &self,
        response: &mut impl ResponseParts,
        handle: &SessionHandle<T, S>,
    ) -> core::result::Result<(), Failure> {
        if let Some(conflict) = self.carried.conflict {
            response.insert_extension(conflict);
        }
        // A handler panicked inside a change: the cookie stays as it was.
        let Some(state) = handle.sealable() else {
            return Ok(());
        };
        let status = response.status();
        // A 304 must not carry a cookie a cache would apply to the stored
        // response; a failed handler's change may be half done.
        let withheld = status == 304 || (status >= 500 && !self.seal_on_server_error);
        let lines = if withheld {
            Lines::default()
        } else {
            match self.lines(&state) {
                Ok(mut lines) => {
                    if let (Some(flash), Ok(now)) = (self.flash, &self.now) {
                        lines.extend(super::flash::line(&state, flash, *now));
                    }
                    lines
                }
                Err(error) => {
                    events::seal_failed(&error);
                    return Err(Failure::new(error));
                }
            }
        };
        let (accessed, issued) = (state.accessed, state.issued_new_id());
        drop(state);
        if !lines.is_empty() {
            let level = if issued {
                CacheProtection::NoStore
            } else {
                CacheProtection::Private
            };
            for line in lines.into_iter() {
                response.append_header(Header::SetCookie, line.into());
            }
            response.edit_header(Header::CacheControl, |values| {
                cache_control_merged(values, level).map_or(Edit::Keep, Edit::Replace)
            });
            vary_on_cookie(response);
        } else if accessed {
            vary_on_cookie(response);
        }
        Ok(())
    }

    /// The `Set-Cookie` values the handler's changes call for.
    fn lines<T: SessionData>(&self, state: &State<T>) -> Result<Lines> {
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
            Slot::Opened(_) => Lines::default(),
            Slot::Empty if state.removed || self.carried.clear => {
                events::sealed(
                    "removed",
                    if state.removed {
                        "ended by the handler"
                    } else {
                        "cookie did not open"
                    },
                );
                Lines::many(self.removals())
            }
            Slot::Empty => Lines::default(),
        };
        Ok(lines)
    }

    fn seal<T: SessionData>(&self, session: &Session<T>) -> Result<Lines> {
        let now = self.now.clone()?;
        let (mut lines, written) = match self.chunking {
            Some(chunking) => {
                let sealed = chunking.seal_unix(self.sealer, session, now)?;
                let written = sealed.chunk_count().map_or(0, usize::from);
                (Lines::many(sealed.into_set_cookies()), written)
            }
            None => (Lines::one(self.sealer.seal_line(session, now)?), 0),
        };
        let carried = self.carried;
        // Nearly every request carried one cookie or none: nothing to scan.
        if !carried.chunks.is_empty() || (carried.single && written > 0) {
            let stale = carried.chunks.iter();
            lines.extend(Chunking::removals(
                self.sealer,
                carried.single,
                stale,
                written,
            ));
        }
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

/// The `Set-Cookie` lines of one response. Nearly every response has one
/// (a seal) or none, and those are kept without allocating a list.
#[derive(Debug, Default)]
struct Lines {
    first: Option<String>,
    rest: Vec<String>,
}

impl Lines {
    fn one(line: String) -> Lines {
        Lines {
            first: Some(line),
            rest: Vec::new(),
        }
    }

    fn many(lines: Vec<String>) -> Lines {
        Lines {
            first: None,
            rest: lines,
        }
    }

    fn is_empty(&self) -> bool {
        self.first.is_none() && self.rest.is_empty()
    }

    fn into_iter(self) -> impl Iterator<Item = String> {
        self.first.into_iter().chain(self.rest)
    }
}

impl Extend<String> for Lines {
    fn extend<I: IntoIterator<Item = String>>(&mut self, lines: I) {
        for line in lines {
            match self.first {
                None if self.rest.is_empty() => self.first = Some(line),
                _ => self.rest.push(line),
            }
        }
    }
}

/// Adds `Cookie` to the response's `Vary`, as [`crate::http::vary_on_cookie`].
fn vary_on_cookie(response: &mut impl ResponseParts) {
    response.edit_header(Header::Vary, |values| match vary_merged(values) {
        VaryEdit::Keep => Edit::Keep,
        VaryEdit::Append => Edit::Append("Cookie".into()),
        VaryEdit::Replace(joined) => Edit::Replace(joined.into()),
    });
}
