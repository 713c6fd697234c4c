//! Schema identity: which shape a cookie's payload follows, so that a
//! payload of one session type is never read as another (postcard carries
//! no field names: a reordered struct of same-typed fields would open with
//! its values swapped).
//!
//! Every cookie carries a 32-bit schema id in its authenticated envelope
//! (FORMAT.md, "Schema"). By default it is the [`fingerprint`] of the
//! session type's serde shape, traced once per type and process; a type
//! that cannot be traced gets an explicit version
//! ([`SealerBuilder::with_schema_version`](crate::SealerBuilder::with_schema_version)).
//! A sealer opens cookies of other schemas only through the migrations
//! and staged schemas it was built with
//! ([`SealerBuilder::with_migration`](crate::SealerBuilder::with_migration),
//! [`SealerBuilder::with_staged_schema`](crate::SealerBuilder::with_staged_schema)).
//!
//! ```
//! use sealed_session::schema;
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Visit { user: String, role: String }
//! #[derive(serde::Serialize, serde::Deserialize)]
//! struct Swapped { role: String, user: String }
//! assert_ne!(schema::fingerprint::<Visit>()?, schema::fingerprint::<Swapped>()?);
//! # Ok::<(), sealed_session::ConfigError>(())
//! ```

mod access;
pub(crate) mod migrate;
mod trace;
mod tracer;

use crate::error::{ConfigError, UntraceableReason};
use core::any::TypeId;
use core::cell::Cell;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

/// What a session's data must be: serializable, deserializable without
/// borrowing, and `'static` (its schema is looked up by type). Implemented
/// for every such type.
///
/// ```
/// fn takes<T: sealed_session::SessionData>() {}
/// takes::<String>();
/// takes::<Vec<(u32, bool)>>();
/// ```
pub trait SessionData: Serialize + DeserializeOwned + 'static {}

impl<T: Serialize + DeserializeOwned + 'static> SessionData for T {}

/// Traced ids have the high bit set; explicit versions are `0..=65535`.
const TRACED: u32 = 1 << 31;

/// The schema id of `T` from its serde shape: the names and order of its
/// fields, their types, every enum variant and its content, recursively.
/// Stable across builds, platforms and crate versions of this format
/// (FORMAT.md, "Schema"); the type's name and the names of the structs and
/// enums it contains are part of it, so renaming a type is a change too.
/// Traced once per type and process, then cached.
///
/// ```
/// use sealed_session::schema;
/// #[derive(serde::Deserialize)]
/// struct Cart { items: Vec<u32> }
/// let id = schema::fingerprint::<Cart>()?;
/// assert!(id >= 1 << 31, "traced ids have the high bit set");
/// assert_eq!(schema::fingerprint::<Cart>()?, id);
/// # Ok::<(), sealed_session::ConfigError>(())
/// ```
///
/// # Errors
///
/// [`ConfigError::UntraceableSchema`] when the type reads self-describing
/// data (`deserialize_any`), validates what it reads, or nests too deep.
pub fn fingerprint<T: DeserializeOwned + 'static>() -> Result<u32, ConfigError> {
    let ty = TypeId::of::<T>();
    // Most apps seal one session type: the thread's last answer is a
    // compare away, where the shared map costs a lock and a hash (about
    // 40 ns; BENCHMARKS.md, "Schema").
    thread_local! {
        static LAST: Cell<Option<(TypeId, u32)>> = const { Cell::new(None) };
    }
    if let Some((last, id)) = LAST.with(Cell::get)
        && last == ty
    {
        return Ok(id);
    }
    let id = cached(ty, traced_id::<T>)?;
    LAST.with(|last| last.set(Some((ty, id))));
    Ok(id)
}

/// The canonical shape text that [`fingerprint`] hashes; for tests and for
/// telling two versions of a type apart by eye.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Login { user: String, admin: bool }
/// assert_eq!(
///     sealed_session::schema::shape::<Login>()?,
///     "Login{user:str,admin:bool,}"
/// );
/// # Ok::<(), sealed_session::ConfigError>(())
/// ```
///
/// # Errors
///
/// As [`fingerprint`].
pub fn shape<T: DeserializeOwned>() -> Result<String, ConfigError> {
    trace::shape::<T>().map_err(untraceable)
}

fn untraceable(reason: UntraceableReason) -> ConfigError {
    ConfigError::UntraceableSchema { reason }
}

fn traced_id<T: DeserializeOwned>() -> Result<u32, UntraceableReason> {
    // A `Deserialize` that panics on the invented values (an `unwrap` in a
    // hand-written impl) must not take a request down: it is untraceable,
    // once (the answer is cached).
    let text =
        std::panic::catch_unwind(trace::shape::<T>).map_err(|_| UntraceableReason::Rejected)??;
    // A domain label, so the id is of this use only.
    let digest = Sha256::new()
        .chain_update(b"sealed-session schema v1\0")
        .chain_update(text.as_bytes())
        .finalize();
    let first: [u8; 4] = digest[..4].try_into().expect("32-byte digest");
    Ok(u32::from_be_bytes(first) | TRACED)
}

type Cache = RwLock<HashMap<TypeId, Result<u32, UntraceableReason>>>;

fn cached(ty: TypeId, trace: fn() -> Result<u32, UntraceableReason>) -> Result<u32, ConfigError> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    // A poisoned lock still holds complete entries: each is inserted whole.
    let known = cache
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&ty)
        .copied();
    let id = match known {
        Some(id) => id,
        None => {
            let id = trace();
            cache
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(ty, id);
            id
        }
    };
    id.map_err(untraceable)
}

/// The explicit schema id of version `n`; see
/// [`SealerBuilder::with_schema_version`](crate::SealerBuilder::with_schema_version).
pub(crate) fn version_id(n: u16) -> u32 {
    u32::from(n)
}
