//! What opening a cookie gives: the session, its key id and whether it
//! should be sealed again.

use super::Session;

/// Why an opened session should be sealed again even if unchanged.
///
/// ```
/// use sealed_session::Reseal;
/// assert!(!Reseal::default().any());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reseal {
    /// The cookie was sealed under a key other than the primary.
    pub non_primary_key: bool,
    /// The configured share of the idle window has passed: a new cookie
    /// moves the idle deadline forward.
    pub idle_renewal: bool,
    /// The cookie follows an older schema (it was migrated) or another
    /// codec than this sealer seals with.
    pub schema: bool,
}

impl Reseal {
    /// Whether any reason applies.
    ///
    /// ```
    /// let r = sealed_session::Reseal { non_primary_key: true, ..Default::default() };
    /// assert!(r.any());
    /// ```
    pub fn any(self) -> bool {
        self.non_primary_key || self.idle_renewal || self.schema
    }
}

/// A session opened from a cookie, with what the opener learned about it.
///
/// Opening checks authenticity and deadlines only. Revocation, when used, is
/// a separate step on top.
///
/// ```
/// use sealed_session::{Key, KeyRing, Sealer, Session};
///
/// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let cookie = sealer.seal_value(&Session::new(7u8))?;
/// let opened = sealer.open::<u8>(&cookie)?;
/// assert_eq!(*opened.session().data(), 7);
/// assert_eq!(opened.key_id(), 1);
/// assert!(!opened.needs_reseal());
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Opened<T> {
    pub(crate) session: Session<T>,
    pub(crate) key_id: u32,
    pub(crate) reseal: Reseal,
}

impl<T> Opened<T> {
    /// The session.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// # let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// assert!(!opened.session().is_changed());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn session(&self) -> &Session<T> {
        &self.session
    }

    /// The session, for changing.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// # let mut opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// *opened.session_mut().data_mut() = 8;
    /// assert!(opened.session().is_changed());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn session_mut(&mut self) -> &mut Session<T> {
        &mut self.session
    }

    /// The session, consuming the wrapper.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// # let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// assert_eq!(opened.into_session().into_data(), 7);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn into_session(self) -> Session<T> {
        self.session
    }

    /// The id of the key the cookie was sealed under.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(3))).build()?;
    /// # let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// assert_eq!(opened.key_id(), 3);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// Why the session should be re-sealed even if unchanged.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(3))).build()?;
    /// # let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// assert_eq!(opened.reseal(), Reseal::default());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn reseal(&self) -> Reseal {
        self.reseal
    }

    /// Whether a new cookie should be sent: the session changed, or a
    /// re-seal reason applies.
    ///
    /// ```
    /// # use sealed_session::*;
    /// # let sealer = Sealer::builder(KeyRing::new(Key::generate(3))).build()?;
    /// # let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(7u8))?)?;
    /// assert!(!opened.needs_reseal());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn needs_reseal(&self) -> bool {
        self.session.is_changed() || self.reseal.any()
    }
}
