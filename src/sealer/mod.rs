//! The sealer: its builder, seal and open, and the per-call machinery
//! (the per-thread scratch buffer, the clock).

pub(crate) mod builder;
pub(crate) mod clock;
pub(crate) mod scratch;
pub(crate) mod seal;
