#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aead;
mod builder;
mod chunk;
mod clock;
mod codec;
mod cookie;
#[cfg(feature = "epoch")]
mod epoch;
mod error;
mod format;
mod header;
mod keyring;
mod keys;
mod keysource;
mod nonce;
mod ring_text;
mod rotation;
mod scratch;
mod sealer;
mod session;

pub mod revocation;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "http")]
pub mod http;

pub use crate::aead::Algorithm;
pub use builder::{
    DEFAULT_COMPRESSION_THRESHOLD, DEFAULT_COOKIE_NAME, DEFAULT_LEEWAY, DEFAULT_MAX_COOKIE_SIZE,
    DEFAULT_MAX_DECOMPRESSED, DEFAULT_RENEWAL_THRESHOLD, DEFAULT_TTL, SealerBuilder,
};
pub use chunk::{Chunking, DEFAULT_HEADER_BUDGET, DEFAULT_MAX_CHUNKS, SealedCookies};
pub use cookie::{CookieAttributes, SameSite};
#[cfg(feature = "epoch")]
pub use epoch::{EpochKeys, MAX_PREVIOUS_EPOCHS};
pub use error::{ConfigError, Error, Malformed, Result, RingEntryError};
pub use error::{RevokedReason, SnapshotError, UnavailableReason};
pub use header::CookieHeader;
pub use keyring::KeyRing;
pub use keys::Key;
pub use nonce::reseed_nonce_source;
pub use rotation::RingWarning;
pub use sealer::Sealer;
pub use session::{Opened, Reseal, Session, SessionId};

// A sealer is built once and shared across threads and tasks.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Sealer>();
    shareable::<KeyRing>();
};
