//! The system clock as whole unix seconds, for the per-request `seal` and
//! `open` that read it themselves.
//!
//! `OffsetDateTime::now_utc()` converts the system time into a calendar date
//! and `unix_timestamp()` converts it straight back: about 200 instructions
//! per call that the format, which only stores seconds, never needs.

use crate::Result;
use crate::wire::unix::check_unix;

/// The current time in whole unix seconds, checked as
/// [`unix`](crate::wire::unix::unix) checks a caller's time.
pub(crate) fn unix_now() -> Result<i64> {
    check_unix(system_seconds())
}

/// `std`'s clock panics on wasm32-unknown-unknown; there `time` reads the
/// JavaScript clock (feature `js`).
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn system_seconds() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        // Before 1970: whole seconds toward minus infinity, as
        // `OffsetDateTime::unix_timestamp` counts them.
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -secs - i64::from(before.subsec_nanos() > 0)
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn system_seconds() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    #[test]
    fn agrees_with_time() {
        let before = time::OffsetDateTime::now_utc().unix_timestamp();
        let now = super::unix_now().unwrap();
        let after = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!(
            (before..=after).contains(&now),
            "{before} <= {now} <= {after}"
        );
    }
}
