//! The framework-neutral request/response core (features `tower`, `axum`,
//! `actix`): what every web adapter of this crate shares. [`Sessions`]
//! holds the configuration (the current sealer and store, chunking, CSRF,
//! flash); per request the core opens and checks the cookie before the
//! handler, hands the handler a [`SessionHandle`], and after it decides what
//! the response says about the session. The adapters
//! ([`crate::tower`], [`crate::axum`], [`crate::actix`]) only translate
//! requests, responses and extractors, so they behave alike.
//!
//! # What the layer does per request
//!
//! 1. Finds the session cookie (or its chunks, with [`Chunking`]) in the
//!    `Cookie` headers by exact name, with the duplicate rules of
//!    [`crate::http`], and opens it with the current sealer. Look-alike
//!    names (`"\u{2000}__Host-session"`) are other cookies. Copies that
//!    could be planted ([`CookieConflict`]) are "no session" and are
//!    **not** deleted; the conflict is put in the response extensions (log
//!    it from an outer layer).
//! 2. Checks it against the revocation store. A store that cannot answer
//!    under [`FailurePolicy::Closed`](crate::revocation::FailurePolicy)
//!    ends the request with **503** before the handler runs; under
//!    `FailurePolicy::Open` the handler runs and
//!    [`SessionHandle::revocation_unchecked`] says so.
//! 3. A tampered, expired, revoked, unknown-key or otherwise unopenable
//!    cookie is "no session": the handler sees none, and the response
//!    deletes the cookie (and any chunks) with removal cookies. Never a 500.
//!    An *authentic* cookie this server cannot read (a schema it has no
//!    migration for, a failed migration, a payload that does not
//!    deserialize: the session type changed between deploys) is also no
//!    session, but is **kept**, counted
//!    ([`Sessions::unreadable_sessions`]), reported to the handler
//!    ([`SessionHandle::unreadable`]) and, with the `tracing` feature,
//!    logged as a `warn` event.
//! 4. Runs the handler with a [`SessionHandle`] in the request extensions.
//!    The handle shares its state with the layer, so every change made
//!    through it is sealed whatever the handler returns: there is nothing
//!    to forget to return.
//! 5. Emits `Set-Cookie` only when the session changed, was created or
//!    removed, or a re-seal is due ([`Opened::needs_reseal`]: a non-primary
//!    key after rotation, or the idle renewal). An unchanged session sends
//!    no `Set-Cookie`.
//! 6. Leaves the cookie alone (no `Set-Cookie` at all) when the handler
//!    failed: it panicked while holding the session (under a catch-panic
//!    layer), or the response is a 5xx (unless
//!    [`Sessions::with_seal_on_server_error`]). A **304** never carries a
//!    `Set-Cookie` either; the change is sealed on a later response.
//! 7. Keeps responses out of shared caches: one that sets our cookie gets
//!    `Cache-Control: private`, or `no-store` when it issues a new session
//!    id (a login, a new session, [`SessionHandle::renew_id`]), merged with
//!    the handler's own ([`protect_from_caches`]: a stricter `no-store` is
//!    kept, `public` is dropped); one whose handler read or changed the
//!    session, or that sets our cookie, gets `Vary: Cookie` (merged into
//!    the handler's `Vary`).
//! 8. A session that cannot be sealed (too large for one cookie or the
//!    configured chunks, or a serialization failure) turns the response
//!    into **500** with the typed [`SessionError`] in the response
//!    extensions (log it from an outer layer); the previous cookie is left
//!    as it was. Changes are never dropped silently: only by the rules of
//!    step 6.
//!
//! Key rotation: [`Sessions::replace`] swaps in a new [`Revocation`] (a
//! sealer over the reloaded ring, the same store) for every later request;
//! requests in flight finish with the one they started with.
//!
//! ```
//! use sealed_session::revocation::{MemoryStore, Revocation};
//! use sealed_session::web::Sessions;
//! use sealed_session::{Key, KeyRing, Sealer};
//! use std::sync::Arc;
//!
//! let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
//! let sessions = Sessions::new(Revocation::new(sealer, Arc::new(MemoryStore::new(100_000)?))?);
//! // sessions.layer::<T>() for tower and axum, sessions.middleware::<T>() for actix-web.
//! # let _ = sessions;
//! # Ok::<(), sealed_session::Error>(())
//! ```
//!
//! [`Chunking`]: crate::Chunking
//! [`CookieConflict`]: crate::http::CookieConflict
//! [`protect_from_caches`]: crate::http::protect_from_caches
//! [`Opened::needs_reseal`]: crate::Opened::needs_reseal
//! [`Revocation`]: crate::revocation::Revocation

// `web` or `tower` alone build the public types; some crate-internal
// pieces below are only for the adapters with extractors.
#![cfg_attr(
    not(any(feature = "axum", feature = "actix")),
    allow(unused_imports, dead_code)
)]

mod csrf;
mod events;
mod exchange;
mod flash;
mod handle;
mod missing;
mod parts;
mod respond;
mod revoking;
#[cfg(any(feature = "tower", feature = "actix"))]
mod sealing;
mod sessions;
mod stores;
mod tracked;

pub use csrf::{CSRF_FIELD, CSRF_HEADER, CsrfRejection};
pub use handle::SessionHandle;
pub use missing::{MissingSessionLayer, NoSession};
pub use parts::{SessionError, status_of};
pub use sessions::Sessions;

pub(crate) use csrf::CsrfContext;
pub(crate) use events::{csrf_refused, missing_layer};
// Both adapters drive the check in two steps (`check_now`, then the boxed
// path) and return the shared `Sealing` future; the tower one edits
// headers through `http`'s entry API, actix-web keeps the trait's
// two-step header edit.
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) use exchange::{Checking, Exchange};
pub(crate) use missing::{lookup, required};
#[cfg(feature = "tower")]
pub(crate) use parts::Edit;
pub(crate) use parts::{Failure, Header, HeaderText, ResponseParts, header_value};
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) use sealing::{Seal, Sealing};
