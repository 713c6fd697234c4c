//! A sealer's schemas: the ids pinned to types, and the migrations that
//! turn payloads of other schemas into the requested type. Planned by the
//! builder ([`SchemaPlan`]), checked once ([`SchemaPlan::build`]), then
//! read on every open ([`Schemas::decode`]).

use super::{SessionData, fingerprint};
use crate::wire::codec;
use crate::{ConfigError, Error, Result};
use core::any::{Any, TypeId};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

type Value = Box<dyn Any>;
/// Unwind-safe by assertion: a migration only reads its input, so one that
/// panics leaves nothing of the sealer half-changed (and `&Sealer` stays
/// usable across `catch_unwind`, as before migrations existed).
type Apply = Arc<AssertUnwindSafe<Box<dyn Fn(Value) -> Option<Value> + Send + Sync>>>;

/// One edge `Old -> New`.
#[derive(Clone)]
struct Edge {
    from_type: TypeId,
    to_type: TypeId,
    /// From a newer schema (rolling deploy): read, but never a reason to
    /// seal again in the older one.
    staged: bool,
    /// The types' schema ids, when not pinned.
    from_id: fn() -> core::result::Result<u32, ConfigError>,
    to_id: fn() -> core::result::Result<u32, ConfigError>,
    decode: fn(&[u8], bool) -> Result<Value>,
    apply: Apply,
}

/// The builder's declarations, checked by [`build`](Self::build).
#[derive(Clone, Default)]
pub(crate) struct SchemaPlan {
    pinned: Vec<(TypeId, u32)>,
    /// Types to trace when the sealer is built, so an untraceable one
    /// fails there rather than on a request.
    declared: Vec<fn() -> core::result::Result<u32, ConfigError>>,
    edges: Vec<Edge>,
}

impl core::fmt::Debug for SchemaPlan {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SchemaPlan")
            .field("pinned", &self.pinned.len())
            .field("migrations", &self.edges.len())
            .finish_non_exhaustive()
    }
}

fn decode_as<T: SessionData>(payload: &[u8], messagepack: bool) -> Result<Value> {
    codec::deserialize::<T>(payload, messagepack).map(|v| Box::new(v) as Value)
}

impl SchemaPlan {
    pub(crate) fn declare<T: SessionData>(&mut self) {
        self.declared.push(fingerprint::<T>);
    }

    pub(crate) fn pin<T: SessionData>(&mut self, id: u32) {
        self.pinned.retain(|(ty, _)| *ty != TypeId::of::<T>());
        self.pinned.push((TypeId::of::<T>(), id));
    }

    pub(crate) fn migrate<Old: SessionData, New: SessionData>(
        &mut self,
        staged: bool,
        f: impl Fn(Old) -> Option<New> + Send + Sync + 'static,
    ) {
        self.edges.push(Edge {
            from_type: TypeId::of::<Old>(),
            to_type: TypeId::of::<New>(),
            staged,
            from_id: fingerprint::<Old>,
            to_id: fingerprint::<New>,
            decode: decode_as::<Old>,
            apply: Arc::new(AssertUnwindSafe(Box::new(move |old: Value| {
                let old = old.downcast::<Old>().ok()?;
                f(*old).map(|new| Box::new(new) as Value)
            }))),
        });
    }

    /// Resolves every id and refuses collisions: two types pinned to one
    /// version, two migrations from one schema, a migration from a type
    /// to itself or to a type of the same schema.
    pub(crate) fn build(self) -> core::result::Result<Schemas, ConfigError> {
        for trace in &self.declared {
            trace()?;
        }
        for (i, (_, id)) in self.pinned.iter().enumerate() {
            if self.pinned[..i].iter().any(|(_, other)| other == id) {
                return Err(ConfigError::ConflictingSchema { schema: *id });
            }
        }
        let id_of = |ty: TypeId, trace: fn() -> core::result::Result<u32, ConfigError>| match self
            .pinned
            .iter()
            .find(|(t, _)| *t == ty)
        {
            Some((_, id)) => Ok(*id),
            None => trace(),
        };
        let mut edges: Vec<(u32, Edge)> = Vec::with_capacity(self.edges.len());
        for edge in &self.edges {
            let from = id_of(edge.from_type, edge.from_id)?;
            // A migration into a type of the same schema would never run.
            let into_itself = id_of(edge.to_type, edge.to_id)? == from;
            if into_itself || edges.iter().any(|(id, _)| *id == from) {
                return Err(ConfigError::ConflictingSchema { schema: from });
            }
            edges.push((from, edge.clone()));
        }
        Ok(Schemas {
            pinned: self.pinned,
            edges,
        })
    }
}

/// A built sealer's schemas.
#[derive(Clone, Default)]
pub(crate) struct Schemas {
    pinned: Vec<(TypeId, u32)>,
    edges: Vec<(u32, Edge)>,
}

impl Schemas {
    /// The schema id `T` seals with and opens without a migration.
    pub(crate) fn id_of<T: SessionData>(&self) -> Result<u32> {
        let ty = TypeId::of::<T>();
        match self.pinned.iter().find(|(t, _)| *t == ty) {
            Some((_, id)) => Ok(*id),
            None => Ok(fingerprint::<T>()?),
        }
    }

    /// Decodes a payload of schema `found` as `T`: directly when the
    /// schemas agree, through the chain of migrations from `found`, or
    /// (for a self-describing payload) by trying. The flag is whether the
    /// session should be sealed again in `T`'s schema.
    pub(crate) fn decode<T: SessionData>(
        &self,
        found: u32,
        payload: &[u8],
        messagepack: bool,
    ) -> Result<(T, bool)> {
        if messagepack && !cfg!(feature = "messagepack") {
            return Err(crate::Malformed::CodecUnsupported.into());
        }
        let expected = self.id_of::<T>()?;
        if found == expected {
            return Ok((codec::deserialize(payload, messagepack)?, false));
        }
        let mismatch = Error::SchemaMismatch { found, expected };
        let failed = Error::MigrationFailed { from: found };
        let Some(mut edge) = self
            .edges
            .iter()
            .find(|(id, _)| *id == found)
            .map(|(_, e)| e)
        else {
            // Field names on the wire: an added field with a default or a
            // removed one still reads (and moves to the current schema).
            if messagepack {
                let data = codec::deserialize(payload, true).map_err(|_| mismatch)?;
                migrated(found, expected, "field names");
                return Ok((data, true));
            }
            return Err(mismatch);
        };
        let mut value = (edge.decode)(payload, messagepack).map_err(|_| failed.clone())?;
        let mut reseal = false;
        // Each step follows a different edge (one per source type), so a
        // chain is never longer than the edges.
        for _ in 0..self.edges.len() {
            reseal |= !edge.staged;
            // A migration that panics on an old session it did not expect
            // is a failed migration, not a panic in the request.
            let apply = &edge.apply;
            value = std::panic::catch_unwind(AssertUnwindSafe(move || (apply.0)(value)))
                .ok()
                .flatten()
                .ok_or_else(|| failed.clone())?;
            if edge.to_type == TypeId::of::<T>() {
                let data = value.downcast::<T>().map_err(|_| failed.clone())?;
                migrated(
                    found,
                    expected,
                    if reseal { "migration" } else { "staged schema" },
                );
                return Ok((*data, reseal));
            }
            edge = match self.edges.iter().find(|(_, e)| e.from_type == edge.to_type) {
                Some((_, next)) => next,
                None => return Err(mismatch),
            };
        }
        Err(mismatch)
    }
}

/// A `debug` event (feature `tracing`) for a payload read from another
/// schema: ids and the way only, never data.
fn migrated(from: u32, to: u32, by: &'static str) {
    #[cfg(feature = "tracing")]
    tracing::debug!(target: "sealed_session", from = %format_args!("{from:#010x}"), to = %format_args!("{to:#010x}"), by, "session read from another schema");
    #[cfg(not(feature = "tracing"))]
    let _ = (from, to, by);
}
