//! `Checked<T>`: an opened session that has also passed the revocation
//! check. Only this module's crate can make one.

use crate::{Opened, Session};
use core::ops::Deref;

/// An [`Opened`] session that has passed the revocation check.
///
/// Only [`Revocation::check`](super::Revocation::check) and
/// [`Revocation::open_checked`](super::Revocation::open_checked) construct
/// one, so a handler that takes a `Checked<T>` cannot be given a session
/// that skipped revocation. It dereferences to the [`Opened`] for reading;
/// there is deliberately no mutable dereference, which would let an
/// unchecked `Opened` be swapped in.
///
/// ```
/// use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
/// use sealed_session::{Key, KeyRing, Sealer, Session};
///
/// let sessions = Revocation::new(
///     Sealer::builder(KeyRing::new(Key::generate(1))).build()?,
///     MemoryStore::new(1000)?,
/// )?;
/// let cookie = sessions.sealer().seal_value(&Session::new(5u8))?;
/// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
/// assert_eq!(*checked.session().data(), 5);
/// assert!(checked.store_answered());
/// assert!(!checked.needs_reseal()); // through Deref to Opened
/// # Ok::<(), sealed_session::Error>(())
/// ```
///
/// An `Opened` does not turn into a `Checked` any other way:
///
/// ```compile_fail
/// # use sealed_session::*;
/// # use sealed_session::revocation::Checked;
/// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(5u8))?)?;
/// let checked: Checked<u8> = opened.into(); // no such conversion
/// # Ok::<(), Error>(())
/// ```
///
/// ```compile_fail
/// # use sealed_session::*;
/// # use sealed_session::revocation::Checked;
/// # let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
/// let opened = sealer.open::<u8>(&sealer.seal_value(&Session::new(5u8))?)?;
/// let checked = Checked { opened, answered: true }; // private fields
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Checked<T> {
    opened: Opened<T>,
    answered: bool,
    /// The latest not-before (subject or global) the store reported, so a
    /// renewal can stamp the new session at it (unix seconds; 0 for none).
    floor: i64,
}

impl<T> Checked<T> {
    pub(super) fn new(opened: Opened<T>, answered: bool, floor: i64) -> Checked<T> {
        Checked {
            opened,
            answered,
            floor,
        }
    }

    pub(super) fn not_before_floor(&self) -> i64 {
        self.floor
    }

    /// Whether the store answered the check. `false` only under
    /// [`FailurePolicy::Open`](super::FailurePolicy::Open) when the store
    /// was unavailable and the session was let through unchecked: log it.
    ///
    /// ```
    /// # use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(
    /// #     Sealer::builder(KeyRing::new(Key::generate(1))).build()?,
    /// #     MemoryStore::new(1000)?,
    /// # )?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(5u8))?;
    /// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// assert!(checked.store_answered());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn store_answered(&self) -> bool {
        self.answered
    }

    /// The opened session.
    ///
    /// ```
    /// # use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(
    /// #     Sealer::builder(KeyRing::new(Key::generate(1))).build()?,
    /// #     MemoryStore::new(1000)?,
    /// # )?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(5u8))?;
    /// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// assert_eq!(checked.opened().key_id(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn opened(&self) -> &Opened<T> {
        &self.opened
    }

    /// The session, for changing its data or subject. Its id changes only
    /// through [`Revocation::renew_id`](super::Revocation::renew_id), which
    /// also revokes the old one.
    ///
    /// ```
    /// # use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(
    /// #     Sealer::builder(KeyRing::new(Key::generate(1))).build()?,
    /// #     MemoryStore::new(1000)?,
    /// # )?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(5u8))?;
    /// let mut checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// *checked.session_mut().data_mut() = 6;
    /// assert!(checked.needs_reseal());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn session_mut(&mut self) -> &mut Session<T> {
        &mut self.opened.session
    }

    /// The opened session, consuming the wrapper (and the proof of the
    /// check with it).
    ///
    /// ```
    /// # use sealed_session::revocation::{MemoryStore, Revocation, run_ready};
    /// # use sealed_session::*;
    /// # let sessions = Revocation::new(
    /// #     Sealer::builder(KeyRing::new(Key::generate(1))).build()?,
    /// #     MemoryStore::new(1000)?,
    /// # )?;
    /// # let cookie = sessions.sealer().seal_value(&Session::new(5u8))?;
    /// let checked = run_ready(sessions.open_checked::<u8>(&cookie))?;
    /// assert_eq!(checked.into_opened().into_session().into_data(), 5);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn into_opened(self) -> Opened<T> {
        self.opened
    }
}

impl<T> Deref for Checked<T> {
    type Target = Opened<T>;

    fn deref(&self) -> &Opened<T> {
        &self.opened
    }
}
