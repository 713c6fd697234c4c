//! Revocation benches (being written).
fn main() {}
