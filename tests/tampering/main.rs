//! Cookies an attacker has edited: `edits.rs` alters, truncates, extends,
//! splices and transplants valid cookies; `exhaustive.rs` enumerates every
//! small edit and predicts each rejection from a model of FORMAT.md.
//! Nothing but the exact bytes a sealer produced, under the exact name and
//! purpose, may open.

#[path = "../common/mod.rs"]
mod common;
mod edits;
mod exhaustive;
