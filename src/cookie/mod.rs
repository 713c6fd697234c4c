//! The cookie around a sealed value: its attributes and the exact bytes
//! of its `Set-Cookie` line.

pub(crate) mod attributes;
