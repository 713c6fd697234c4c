//! Support code for the fuzz targets of `sealed-session`: fixed keys and
//! sealers, a session type that derives `Arbitrary`, an envelope forger,
//! the seed corpus, and an allocator that measures each iteration.

pub mod alloc_cap;
pub mod fixtures;
pub mod seeds;

#[global_allocator]
static ALLOCATOR: alloc_cap::CappedAllocator = alloc_cap::CappedAllocator;
