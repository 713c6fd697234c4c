//! Known-answer vectors of the format (FORMAT.md), checked in both
//! directions against the files beside this one: `single.rs` for one-cookie
//! values (`v1.json`), `chunked.rs` for values split over cookies
//! (`v1-chunked.json`). `SEALED_SESSION_WRITE_VECTORS=1 cargo test
//! --all-features --test vectors` rewrites both files from the case lists;
//! tools/check_vectors.py checks them independently of this crate.

mod chunked;
mod common;
mod single;
