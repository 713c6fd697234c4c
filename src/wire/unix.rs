//! Times on the wire are whole unix seconds in `0..=MAX_UNIX`.

use crate::{ConfigError, Result};

/// Largest unix time accepted (9999-12-31T23:59:59Z), the end of what
/// calendar types such as `time::OffsetDateTime` represent by default.
pub(crate) const MAX_UNIX: i64 = 253_402_300_799;

pub(crate) fn within_range(unix: i64) -> Option<i64> {
    (unix <= MAX_UNIX).then_some(unix)
}

/// Whole unix seconds of `now`, which the format needs in `0..=MAX_UNIX`:
/// a clock outside that range is a configuration error, not bad input.
pub(crate) fn unix(now: time::OffsetDateTime) -> Result<i64> {
    check_unix(now.unix_timestamp())
}

/// `secs` if the format can hold it, else [`ConfigError::Clock`](crate::ConfigError::Clock).
pub(crate) fn check_unix(secs: i64) -> Result<i64> {
    if (0..=MAX_UNIX).contains(&secs) {
        Ok(secs)
    } else {
        Err(ConfigError::Clock.into())
    }
}
