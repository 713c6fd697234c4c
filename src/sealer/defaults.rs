//! What a sealer does when its builder is not told otherwise.

use time::Duration;

/// The default cookie name. The `__Host-` prefix makes browsers refuse the
/// cookie unless it is `Secure`, host-only and `Path=/`, which stops a
/// sibling subdomain from planting its own session cookie.
///
/// ```
/// assert!(sealed_session::DEFAULT_COOKIE_NAME.starts_with("__Host-"));
/// ```
pub const DEFAULT_COOKIE_NAME: &str = "__Host-session";
/// The default absolute lifetime of a session: 7 days.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_TTL, time::Duration::days(7));
/// ```
pub const DEFAULT_TTL: Duration = Duration::days(7);
/// The default clock leeway: 60 s.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_LEEWAY, time::Duration::seconds(60));
/// ```
pub const DEFAULT_LEEWAY: Duration = Duration::seconds(60);
/// The default limit on the whole `Set-Cookie` value: 4096 bytes.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_MAX_COOKIE_SIZE, 4096);
/// ```
pub const DEFAULT_MAX_COOKIE_SIZE: usize = 4096;
/// The default share of the idle window after which a re-seal is due.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_RENEWAL_THRESHOLD, 0.25);
/// ```
pub const DEFAULT_RENEWAL_THRESHOLD: f64 = 0.25;
/// Payloads shorter than this are not compressed by default.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_COMPRESSION_THRESHOLD, 256);
/// ```
pub const DEFAULT_COMPRESSION_THRESHOLD: usize = 256;
/// The default cap on a decompressed payload: 64 KiB.
///
/// ```
/// assert_eq!(sealed_session::DEFAULT_MAX_DECOMPRESSED, 65536);
/// ```
pub const DEFAULT_MAX_DECOMPRESSED: usize = 64 * 1024;
