//! The sealer: built once by its [`builder`], then [`seal`] and [`open`] on
//! every request, in this thread's [`scratch`] buffer with the [`clock`]'s
//! time. A `Sealer` knows the wire format and the keys; it knows nothing of
//! chunking, revocation or web frameworks, which sit above it.

pub(crate) mod builder;
pub(crate) mod clock;
pub(crate) mod defaults;
mod open;
mod reload;
mod schemas;
pub(crate) mod scratch;
mod seal;
#[cfg(feature = "vectors")]
mod vectors;

use crate::KeyRing;
use crate::cookie::attributes::{CookieAttributes, max_age_len, push_max_age};
use crate::keys::source::KeySource;
use crate::schema::migrate::Schemas;
use crate::wire::codec::{self, Codec, Compression};

/// Everything a sealer needs per request, checked and precomputed by the
/// builder.
pub(crate) struct Config {
    pub(crate) keys: KeySource,
    /// The associated data after the header: name and purpose.
    pub(crate) aad_labels: Box<[u8]>,
    pub(crate) name: String,
    pub(crate) ttl: i64,
    pub(crate) idle: Option<i64>,
    /// Seconds of the idle window that must pass before a renewal is due.
    pub(crate) renew_after: i64,
    pub(crate) leeway: i64,
    pub(crate) max_cookie_size: usize,
    pub(crate) attributes: CookieAttributes,
    /// The attributes after `Max-Age`, rendered once.
    pub(crate) suffix: String,
    pub(crate) compression: Option<Compression>,
    /// How payloads are written (both are read).
    pub(crate) codec: Codec,
    pub(crate) schemas: Schemas,
}

/// Seals sessions into cookies and opens them again.
///
/// Build one per cookie name at startup and share it (it is `Send + Sync`
/// and cheap to use from many threads): the key schedules, the associated
/// data and the rendered attributes are all prepared once.
///
/// ```
/// use sealed_session::{Key, KeyRing, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let set_cookie = sealer.seal(&Session::new(String::from("alice")))?;
/// assert!(set_cookie.starts_with("__Host-session="));
///
/// let value = set_cookie.split(';').next().unwrap()["__Host-session=".len()..].to_owned();
/// let opened = sealer.open::<String>(&value)?;
/// assert_eq!(opened.session().data(), "alice");
/// # Ok::<(), sealed_session::Error>(())
/// ```
pub struct Sealer {
    config: Config,
    /// Whether the cookie name has a `__Host-`/`__Secure-` prefix, looked
    /// at once rather than in every request's cookie scan.
    #[cfg(feature = "web")]
    name_prefixed: bool,
}

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let c = &self.config;
        f.debug_struct("Sealer")
            .field("keys", &c.keys)
            .field("name", &c.name)
            .field("ttl", &c.ttl)
            .field("idle", &c.idle)
            .field("leeway", &c.leeway)
            .field("max_cookie_size", &c.max_cookie_size)
            .field("compression", &c.compression)
            .field("codec", &c.codec)
            .finish_non_exhaustive()
    }
}

impl Sealer {
    pub(crate) fn from_config(config: Config) -> Sealer {
        Sealer {
            #[cfg(feature = "web")]
            name_prefixed: crate::cookie::attributes::is_prefixed(&config.name),
            config,
        }
    }

    /// Whether browsers hold the cookie name to a prefix (`__Host-`,
    /// `__Secure-`, in any case).
    #[cfg(feature = "web")]
    pub(crate) fn name_prefixed(&self) -> bool {
        self.name_prefixed
    }

    /// The cookie name.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.cookie_name(), "__Host-session");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn cookie_name(&self) -> &str {
        &self.config.name
    }

    /// The key ring; `None` for a sealer over epoch keys.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.key_ring().map(|r| r.primary().id()), Some(1));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn key_ring(&self) -> Option<&KeyRing> {
        self.config.keys.ring()
    }

    /// The cookie attributes.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert!(sealer.attributes().secure());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn attributes(&self) -> &CookieAttributes {
        &self.config.attributes
    }

    /// Whether a seal at `now` would find its key and clock (a retired
    /// primary key, a clock outside the format's range fail), without
    /// sealing or drawing random bytes.
    pub(crate) fn check_can_seal_at(&self, now: time::OffsetDateTime) -> crate::Result<()> {
        let now = crate::wire::unix::unix(now)?;
        self.config.keys.sealing(now).map(drop)
    }

    /// The absolute lifetime of new sessions (and the longest lifetime a
    /// cookie may have to open here).
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.ttl(), DEFAULT_TTL);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn ttl(&self) -> time::Duration {
        time::Duration::seconds(self.config.ttl)
    }

    /// The clock leeway applied to every deadline.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(sealer.leeway(), DEFAULT_LEEWAY);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn leeway(&self) -> time::Duration {
        time::Duration::seconds(self.config.leeway)
    }

    /// When a key that stops sealing at `demoted_at` can be retired without
    /// refusing a cookie it sealed: its last cookies live for the TTL, plus
    /// the leeway. Use it for a ring's `;retire=` time after a rotation.
    ///
    /// ```
    /// # use sealed_session::*;
    /// use time::macros::datetime;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let rotated = datetime!(2030-01-01 0:00 UTC);
    /// assert_eq!(sealer.safe_retire_at(rotated), rotated + DEFAULT_TTL + DEFAULT_LEEWAY);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn safe_retire_at(&self, demoted_at: time::OffsetDateTime) -> time::OffsetDateTime {
        demoted_at + self.ttl() + self.leeway()
    }

    /// The absolute lifetime of new sessions, in seconds.
    pub(crate) fn ttl_seconds(&self) -> i64 {
        self.config.ttl
    }

    /// The clock leeway, in seconds.
    pub(crate) fn leeway_seconds(&self) -> i64 {
        self.config.leeway
    }

    /// The largest `Set-Cookie` line this sealer emits, in bytes.
    pub(crate) fn max_cookie_size(&self) -> usize {
        self.config.max_cookie_size
    }

    /// The attributes after `Max-Age` as rendered into every line
    /// (`; Path=/; Secure; HttpOnly; SameSite=Lax` by default).
    pub(crate) fn attribute_suffix(&self) -> &str {
        &self.config.suffix
    }

    /// A `Set-Cookie` value that deletes the session cookie (logout).
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// assert_eq!(
    ///     sealer.removal_cookie(),
    ///     "__Host-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax"
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    pub fn removal_cookie(&self) -> String {
        let c = &self.config;
        let mut out = String::with_capacity(self.cookie_len(0, 0));
        out.push_str(&c.name);
        out.push('=');
        push_max_age(&mut out, 0);
        out.push_str(&c.suffix);
        out
    }

    /// Exact length of `name=<base64 of sealed_len bytes>; Max-Age=..<suffix>`.
    fn cookie_len(&self, sealed_len: usize, max_age: i64) -> usize {
        let c = &self.config;
        c.name.len() + 1 + codec::base64_len(sealed_len) + max_age_len(max_age) + c.suffix.len()
    }
}
