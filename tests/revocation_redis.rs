//! Redis revocation store tests (being written).
