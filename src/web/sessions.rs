//! `Sessions`: the swappable revocation (sealer + store) and the chunking
//! settings that every layer built from it shares.

use crate::revocation::{AnyStore, Revocation, RevocationStore};
use crate::{Chunking, ConfigError, KeyRing, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

/// The session configuration shared by layers and by the code that rotates
/// keys: the current [`Revocation`] (sealer and store), replaceable at run
/// time, and the chunking settings. Cloning shares the same current value.
///
/// ```
/// use sealed_session::web::Sessions;
/// use sealed_session::revocation::{MemoryStore, Revocation};
/// use sealed_session::{Key, KeyRing, Sealer};
/// use std::sync::Arc;
///
/// let store = Arc::new(MemoryStore::new(1000)?);
/// let ring = KeyRing::new(Key::generate(1));
/// let sessions = Sessions::new(Revocation::new(Sealer::builder(ring.clone()).build()?, store.clone())?);
///
/// // Rotation: a new primary, the old key kept for opening.
/// let rotated = KeyRing::new(Key::generate(2)).with_key(ring.primary().clone());
/// sessions.replace(Revocation::new(Sealer::builder(rotated).build()?, store)?)?;
/// assert_eq!(sessions.current().sealer().key_ring().unwrap().primary().id(), 2);
/// # Ok::<(), sealed_session::Error>(())
/// ```
pub struct Sessions<S = AnyStore> {
    current: Arc<RwLock<Arc<Revocation<S>>>>,
    chunking: Option<Chunking>,
    seal_on_server_error: bool,
    /// Authentic cookies this server could not read, since it started.
    unreadable: Arc<AtomicU64>,
    csrf: Option<Arc<crate::CsrfKey>>,
    /// The flash cookie's sealer, rebuilt with every replaced sealer.
    flash: Option<Arc<RwLock<Arc<crate::Sealer>>>>,
}

impl<S> Clone for Sessions<S> {
    fn clone(&self) -> Self {
        Sessions {
            current: Arc::clone(&self.current),
            chunking: self.chunking,
            seal_on_server_error: self.seal_on_server_error,
            unreadable: Arc::clone(&self.unreadable),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
        }
    }
}

impl<S> core::fmt::Debug for Sessions<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sessions")
            .field("chunking", &self.chunking)
            .field("seal_on_server_error", &self.seal_on_server_error)
            .finish_non_exhaustive()
    }
}

impl<S: RevocationStore + 'static> Sessions<S> {
    /// Sessions over `revocation`, without chunking.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?);
    /// assert!(sessions.chunking().is_none());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(revocation: Revocation<S>) -> Sessions<S> {
        Sessions {
            current: Arc::new(RwLock::new(Arc::new(revocation))),
            chunking: None,
            seal_on_server_error: false,
            unreadable: Arc::default(),
            csrf: None,
            flash: None,
        }
    }

    /// Turns on flash messages ([`SessionHandle::flash`](super::SessionHandle::flash),
    /// [`take_flash`](super::SessionHandle::take_flash)): short texts for
    /// the next request, read once, carried in a companion cookie
    /// `<name>-flash` sealed under the same keys (its own name and purpose
    /// in the associated data; a 10-minute deadline). They work with or
    /// without a session and leave the session type alone.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?)
    ///     .with_flash()?;
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::CookieName`] when `<name>-flash` is too long for a
    /// cookie name.
    pub fn with_flash(mut self) -> Result<Sessions<S>> {
        let sealer = flash_sealer(self.current().sealer())?;
        self.flash = Some(Arc::new(RwLock::new(Arc::new(sealer))));
        Ok(self)
    }

    /// The flash cookie's current sealer, when flash messages are on.
    pub(crate) fn flash_sealer(&self) -> Option<Arc<crate::Sealer>> {
        let flash = self.flash.as_ref()?;
        Some(Arc::clone(
            &flash.read().unwrap_or_else(PoisonError::into_inner),
        ))
    }

    /// Turns on CSRF protection with `key` (shared by every node, like the
    /// session keys): handles make tokens
    /// ([`SessionHandle::csrf_token`](super::SessionHandle::csrf_token)) and the `CsrfForm`
    /// and `CsrfHeader` extractors of each adapter check them.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{CsrfKey, Error, Key, KeyRing, Sealer};
    /// let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?)
    ///     .with_csrf(CsrfKey::from_bytes([9; 32]));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_csrf(mut self, key: crate::CsrfKey) -> Sessions<S> {
        self.csrf = Some(Arc::new(key));
        self
    }

    /// The CSRF key, when [`with_csrf`](Self::with_csrf) set one.
    pub(crate) fn csrf(&self) -> Option<&Arc<crate::CsrfKey>> {
        self.csrf.as_ref()
    }

    /// How many requests, since these sessions were made, carried an
    /// authentic cookie this server could not read
    /// ([`Found::Unreadable`](crate::http::Found::Unreadable): a schema
    /// without a migration, a failed migration, a payload that did not
    /// deserialize). Such a request runs without a session and the cookie
    /// is kept; with the `tracing` feature each one is also a `warn` event.
    /// A number that grows after a deploy means sessions are being lost:
    /// add a migration or a staged schema (README, "Changing the session
    /// type").
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// assert_eq!(sessions.unreadable_sessions(), 0);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn unreadable_sessions(&self) -> u64 {
        self.unreadable.load(Ordering::Relaxed)
    }

    /// Counts (and, with `tracing`, reports) one unreadable cookie.
    pub(crate) fn report_unreadable(&self, error: &crate::Error) {
        self.unreadable.fetch_add(1, Ordering::Relaxed);
        super::events::unreadable(error);
    }

    /// Whether a response with a 5xx status still gets the handler's
    /// session changes sealed. Off by default (as in Django): a handler
    /// that failed halfway (an error, or a panic turned into a 500 by a
    /// catch-panic layer) leaves the cookie as it was, and the layer sends
    /// no `Set-Cookie` at all on such a response. Turn it on when handlers
    /// answer 5xx on purpose after a complete change. A handler that
    /// panicked while holding the session is never sealed either way.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?)
    ///     .with_seal_on_server_error(true);
    /// assert!(sessions.seal_on_server_error());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_seal_on_server_error(mut self, seal: bool) -> Sessions<S> {
        self.seal_on_server_error = seal;
        self
    }

    /// Whether 5xx responses get session changes sealed (see
    /// [`with_seal_on_server_error`](Self::with_seal_on_server_error)).
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// assert!(!sessions.seal_on_server_error());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn seal_on_server_error(&self) -> bool {
        self.seal_on_server_error
    }

    /// Turns chunking on: sessions larger than one cookie are split (see
    /// [`Chunking`]). Checked now, against the current sealer.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1))).build()?;
    /// let sessions = Sessions::new(Revocation::new(sealer, MemoryStore::new(10)?)?)
    ///     .with_chunking(Chunking::new().with_max_chunks(3))?;
    /// assert_eq!(sessions.chunking().map(|c| c.max_chunks()), Some(3));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Chunking`] as [`Chunking::check`].
    pub fn with_chunking(mut self, chunking: Chunking) -> Result<Sessions<S>> {
        chunking.check(self.current().sealer())?;
        self.chunking = Some(chunking);
        Ok(self)
    }

    /// The chunking settings, if on.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// assert_eq!(sessions.chunking(), None);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn chunking(&self) -> Option<Chunking> {
        self.chunking
    }

    /// The revocation (and sealer) new requests use.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// # let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, MemoryStore::new(10)?)?);
    /// assert_eq!(sessions.current().sealer().cookie_name(), "__Host-session");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn current(&self) -> Arc<Revocation<S>> {
        // A poisoned lock still holds a complete value: the writer only
        // swaps an Arc.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the revocation (a sealer over a reloaded key ring, usually
    /// with the same store) for every later request. The cookie name must
    /// stay the same: a new name would log everyone out.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Chunking, ConfigError, Error, Key, KeyRing, Sealer, Session};
    /// # use std::sync::Arc;
    /// let store = Arc::new(MemoryStore::new(10)?);
    /// let sessions = Sessions::new(Revocation::new(Sealer::builder(KeyRing::new(Key::generate(1))).build()?, store.clone())?);
    /// let renamed = Sealer::builder(KeyRing::new(Key::generate(2))).with_cookie_name("__Host-other").build()?;
    /// assert_eq!(
    ///     sessions.replace(Revocation::new(renamed, store)?),
    ///     Err(Error::InvalidConfig(ConfigError::CookieName))
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::CookieName`] for another cookie name;
    /// [`ConfigError::Chunking`] when the chunking settings do not suit the
    /// new sealer.
    pub fn replace(&self, revocation: Revocation<S>) -> Result<()> {
        if revocation.sealer().cookie_name() != self.current().sealer().cookie_name() {
            return Err(ConfigError::CookieName.into());
        }
        if let Some(chunking) = self.chunking {
            chunking.check(revocation.sealer())?;
        }
        // The flash cookie follows the session's keys.
        let flash = match &self.flash {
            Some(_) => Some(flash_sealer(revocation.sealer())?),
            None => None,
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(revocation);
        if let (Some(slot), Some(sealer)) = (&self.flash, flash) {
            *slot.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(sealer);
        }
        Ok(())
    }
}

impl<S: RevocationStore + Clone + 'static> Sessions<S> {
    /// Key rotation in place: the current sealer's settings, store and
    /// failure policy over `ring`, for every later request. Reload the
    /// ring text every node shares (`KeyRing::from_env`, a secret
    /// manager) rather than minting a key in one process, so the fleet
    /// keeps sealing and opening alike; the store is untouched, so no
    /// logout is forgotten. Cookies under keys still in the ring keep
    /// opening and are re-sealed under the new primary.
    ///
    /// ```
    /// # use sealed_session::web::Sessions;
    /// # use sealed_session::revocation::{MemoryStore, Revocation};
    /// # use sealed_session::{Error, Key, KeyRing, Sealer};
    /// # use std::sync::Arc;
    /// let old = KeyRing::new(Key::generate(1));
    /// let sessions = Sessions::new(Revocation::new(Sealer::builder(old.clone()).build()?, Arc::new(MemoryStore::new(10)?))?);
    /// // What the secret now says, e.g. KeyRing::from_env("SESSION_KEYS").
    /// let text = KeyRing::new(Key::generate(2)).with_key(old.primary().clone()).to_text();
    /// sessions.reload_keys(KeyRing::from_text(&text)?)?;
    /// assert_eq!(sessions.current().sealer().key_ring().unwrap().primary().id(), 2);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Sealer::with_key_ring`](crate::Sealer::with_key_ring) and
    /// [`replace`](Self::replace); the running sealer is kept on error.
    pub fn reload_keys(&self, ring: KeyRing) -> Result<()> {
        let current = self.current();
        let sealer = current.sealer().with_key_ring(ring)?;
        self.replace(current.with_sealer(sealer)?)
    }
}

fn flash_sealer(session: &crate::Sealer) -> Result<crate::Sealer> {
    session.companion(
        super::flash::SUFFIX,
        super::flash::PURPOSE,
        super::flash::TTL,
    )
}
