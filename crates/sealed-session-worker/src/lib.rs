//! A revocation store for [sealed-session] on Cloudflare Workers.
//!
//! The deny-list lives in one Durable Object, [`SessionRevocations`]:
//! every isolate of the Worker, in every location, sends its checks and
//! logouts to that single instance, which applies them one at a time and
//! persists each change before it answers. So a logout is refused by the
//! very next request, wherever it lands. [`DurableObjectStore`] implements
//! sealed-session's `RevocationStore` over it; put it in a `Revocation` as
//! any other store.
//!
//! Inside the object the list is sealed-session's own `MemoryStore` (the
//! same quota, folding, anonymous share and bounds as every store, at most
//! [`MAX_ENTRIES`] ids), rebuilt after a restart by replaying the persisted
//! changes ([`Ledger`]).
//!
//! # Setup
//!
//! `Cargo.toml` of the Worker: both crates from the same source (one git
//! URL and revision, or path dependencies on one checkout), so that they
//! share one `sealed-session` and its types:
//!
//! ```toml
//! [dependencies]
//! sealed-session = { git = "https://github.com/sealed-session/sealed-session", features = ["js"] }
//! sealed-session-worker = { git = "https://github.com/sealed-session/sealed-session" }
//! worker = "0.7"
//! ```
//!
//! `wrangler.toml`: bind the class (exported from the Worker by the
//! dependency) and create it with a migration:
//!
//! ```toml
//! [[durable_objects.bindings]]
//! name = "REVOCATIONS"
//! class_name = "SessionRevocations"
//!
//! [[migrations]]
//! tag = "sealed-session-revocations-v1"
//! new_sqlite_classes = ["SessionRevocations"]
//! ```
//!
//! In the Worker, once per isolate:
//!
//! ```no_run
//! # fn demo(env: &worker::Env, sealer: sealed_session::Sealer) -> Result<(), Box<dyn std::error::Error>> {
//! use sealed_session::revocation::Revocation;
//! use sealed_session_worker::DurableObjectStore;
//!
//! let sessions = Revocation::new(sealer, DurableObjectStore::from_env(env, "REVOCATIONS")?)?;
//! // sessions.check(opened).await?, sessions.logout(&checked).await?, ...
//! # let _ = sessions; Ok(()) }
//! ```
//!
//! # Costs and failure
//!
//! Each check is one subrequest to the object (a few milliseconds when the
//! object is near, more across the world: the object lives in one place).
//! When the object cannot be reached the store answers
//! `Error::RevocationUnavailable` and `Revocation` fails closed, unless its
//! policy says otherwise.
//!
//! # Why not KV
//!
//! Workers KV is eventually consistent: a write is visible in other
//! locations only after up to about a minute, and reads are cached at the
//! edge for at least the `cacheTtl` (60 s minimum). A logout recorded in KV
//! is therefore refused at once only where it was written; a copy of the
//! cookie replayed elsewhere keeps working for up to a minute or more. KV
//! also has no atomic read-modify-write, which the store contract needs
//! (`deny_session` reports whether the id was already revoked, so a
//! renewal racing a logout cannot revive the session). So this crate
//! offers no KV store; a deny-list *snapshot* published to KV and loaded
//! into a local `MemoryStore` (README, "Serverless and edge") is the
//! eventually consistent option, with the delay stated.
//!
//! [sealed-session]: https://github.com/sealed-session/sealed-session

mod durable;
mod protocol;

pub use protocol::{Ledger, Op, Reply};

pub use durable::{DurableObjectStore, MAX_ENTRIES, OBJECT_NAME, SessionRevocations};
