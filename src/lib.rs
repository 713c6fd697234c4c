#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Feature badges on docs.rs (nightly rustdoc there, `--cfg docsrs`).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chunking;
mod cookie;
mod error;
mod keys;
mod random;
mod sealer;
mod session;
mod wire;

pub mod revocation;
pub mod schema;

#[cfg(feature = "actix")]
pub mod actix;
#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "tower")]
pub mod tower;
#[cfg(feature = "web")]
pub mod web;

pub use chunking::{Chunking, DEFAULT_HEADER_BUDGET, DEFAULT_MAX_CHUNKS, SealedCookies};
pub use cookie::attributes::{CookieAttributes, SameSite};
pub use error::{ConfigError, Error, Malformed, Result, RingEntryError};
pub use error::{RevokedReason, SnapshotError, UnavailableReason, UntraceableReason};
#[cfg(feature = "epoch")]
pub use keys::epoch::{EpochKeys, MAX_PREVIOUS_EPOCHS};
pub use keys::key::Key;
pub use keys::ring::KeyRing;
pub use keys::rotation::RingWarning;
pub use random::{NonceSource, nonce_source, reseed_nonce_source};
pub use schema::SessionData;
pub use sealer::Sealer;
pub use sealer::builder::SealerBuilder;
pub use sealer::defaults::{
    DEFAULT_COMPRESSION_THRESHOLD, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY, DEFAULT_MAX_COOKIE_SIZE,
    DEFAULT_MAX_DECOMPRESSED, DEFAULT_RENEWAL_THRESHOLD, DEFAULT_TTL,
};
pub use session::{CSRF_TOKEN_LEN, CsrfKey, Opened, Reseal, Session, SessionId, random_token};
pub use wire::aead::Algorithm;
pub use wire::codec::Codec;
pub use wire::header::CookieHeader;

/// The `time` crate, re-exported: durations and instants in this API are
/// `time` types, so callers need no version of their own to match.
///
/// ```
/// let ttl = sealed_session::time::Duration::hours(12);
/// assert_eq!(ttl.whole_hours(), 12);
/// ```
pub use time;

// A sealer is built once and shared across threads and tasks (and used
// across `catch_unwind`).
const _: () = {
    const fn shareable<T: Send + Sync + std::panic::RefUnwindSafe>() {}
    shareable::<Sealer>();
    shareable::<KeyRing>();
};
