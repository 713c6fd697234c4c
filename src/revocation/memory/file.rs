//! A `MemoryStore` that survives restarts: its authenticated snapshot
//! saved to a file (on shutdown, and on a timer of the app's) and loaded
//! at start, so a restart no longer revives logged-out sessions.

use super::MemoryStore;
use crate::revocation::SnapshotKey;
use crate::{Result, SnapshotError};
use std::io::Write as _;
use std::path::Path;
use time::OffsetDateTime;

fn file_error(error: std::io::Error) -> crate::Error {
    SnapshotError::File { kind: error.kind() }.into()
}

impl MemoryStore {
    /// Writes the store's authenticated snapshot to `path`, whole: into a
    /// file beside it (readable by this user only, on Unix), flushed to
    /// disk, then renamed over `path`, so a crash leaves the old snapshot or
    /// the new one, never half of one. Call it on shutdown, and from a
    /// timer: revocations after the last save are lost in a crash.
    ///
    /// ```
    /// # #[cfg(not(target_family = "wasm"))] { // no file system in the WASI test runner
    /// use sealed_session::revocation::{DeniedSession, MemoryStore, RevocationStore, SnapshotKey, run_ready};
    /// use sealed_session::SessionId;
    /// let path = std::env::temp_dir().join(format!("ss-doc-save-{}", std::process::id()));
    /// let key = SnapshotKey::from_bytes([4; 32]);
    /// let store = MemoryStore::new(10)?;
    /// let id = SessionId::random();
    /// let now = time::OffsetDateTime::now_utc().unix_timestamp();
    /// run_ready(store.deny_session(DeniedSession { id, subject: None, issued_at: now, until: now + 60 }, now))?;
    /// store.save_to(&path, &key)?;
    ///
    /// // After a restart:
    /// let restarted = MemoryStore::new(10)?;
    /// assert_eq!(restarted.load_from(&path, &key)?, 1);
    /// assert!(run_ready(restarted.status(id, None, now))?.session_denied);
    /// # std::fs::remove_file(&path).unwrap();
    /// # }
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`SnapshotError::File`] when the file cannot be written.
    pub fn save_to(&self, path: impl AsRef<Path>, key: &SnapshotKey) -> Result<()> {
        let path = path.as_ref();
        let bytes = self.export_authenticated(key, OffsetDateTime::now_utc());
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp).map_err(file_error)?;
        file.write_all(&bytes).map_err(file_error)?;
        file.sync_all().map_err(file_error)?;
        std::fs::rename(&tmp, path).map_err(file_error)
    }

    /// Merges the snapshot saved at `path` by [`save_to`](Self::save_to)
    /// (entries expired since are dropped); `Ok(0)` when there is no file
    /// yet (the first start). Returns how many entries were merged.
    ///
    /// # Errors
    ///
    /// [`SnapshotError::File`] when the file exists but cannot be read;
    /// the errors of [`import_authenticated`](Self::import_authenticated)
    /// for a file that is not a snapshot under `key` (a corrupt or forged
    /// file is refused whole: start with a global not-before then, as a
    /// store that lost its data would).
    pub fn load_from(&self, path: impl AsRef<Path>, key: &SnapshotKey) -> Result<usize> {
        match std::fs::read(path) {
            Ok(bytes) => self.import_authenticated(&bytes, key, OffsetDateTime::now_utc()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(error) => Err(file_error(error)),
        }
    }
}
