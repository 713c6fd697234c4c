//! One test table, run against both web adapters: every case drives the
//! axum router (through the generic tower layer) and the actix-web app
//! in-process with the same requests, and asserts the same answers. The
//! routes are the same in both (`axum_app.rs`, `actix_app.rs`), their
//! bodies one set of functions over the shared `SessionHandle`
//! (`routes.rs`): what differs is only the framework's wiring.
//!
//! Topics: `sealing.rs` (when Set-Cookie is emitted, re-seals, bad cookies,
//! chunking, too large), `access.rs` (plain, optional and required handles,
//! a missing layer), `revoking.rs` (logout, renew, everywhere, a store
//! that is down), `forms.rs` (CSRF, flash), `caching.rs` (5xx, 304, cache
//! headers, planted duplicates).
#![cfg(not(target_family = "wasm"))]

mod actix_app;
mod apps;
mod axum_app;
mod routes;

mod access;
mod caching;
mod forms;
mod loopback;
mod revoking;
mod sealing;

#[path = "../redis_server/mod.rs"]
#[allow(dead_code)]
mod redis_server;
