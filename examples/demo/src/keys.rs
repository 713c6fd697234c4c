//! The keys file: the key ring text every node of a fleet shares, rotated
//! by one node and reloaded by the others.

use crate::Answer;
use sealed_session::revocation::RevocationStore;
use sealed_session::web::Sessions;
use sealed_session::{Key, KeyRing};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The shared key ring text; the lock serializes rotations.
pub struct KeysFile(pub Mutex<PathBuf>);

/// A keys file the demo made for itself, removed when dropped: the demo's
/// keys live as long as the demo.
pub struct OwnFile(Option<PathBuf>);

impl Drop for OwnFile {
    fn drop(&mut self) {
        if let Some(path) = &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `SEALED_SESSION_KEYS_FILE`, or else a file of this process's own (the
/// demo's "shared secret") holding `SEALED_SESSION_KEYS` or a fresh key.
pub(crate) fn from_env() -> Result<(PathBuf, OwnFile), Box<dyn std::error::Error>> {
    if let Some(path) = std::env::var_os("SEALED_SESSION_KEYS_FILE") {
        return Ok((PathBuf::from(path), OwnFile(None)));
    }
    let ring = match std::env::var("SEALED_SESSION_KEYS") {
        Ok(_) => KeyRing::from_env("SEALED_SESSION_KEYS")?,
        Err(_) => KeyRing::new(Key::generate(1)),
    };
    let path = std::env::temp_dir().join(format!(
        "sealed-session-demo-keys-{}.txt",
        std::process::id()
    ));
    write_private(&path, ring.to_text().as_str())?;
    Ok((path.clone(), OwnFile(Some(path))))
}

pub(crate) fn read_ring(file: &Path) -> Result<KeyRing, Box<dyn std::error::Error>> {
    Ok(KeyRing::from_text(std::fs::read_to_string(file)?.trim())?)
}

/// Writes key material readable by this user only.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, text.as_bytes())
}

/// An admin route's failure, with its reason (a demo: real admin routes
/// would log it instead).
fn internal(e: &dyn std::fmt::Display) -> Answer {
    Answer::Text(500, format!("{e}\n"))
}

/// `POST /admin/rotate`.
pub fn rotate<S: RevocationStore + Clone + 'static>(
    sessions: &Sessions<S>,
    keys: &KeysFile,
) -> Answer {
    try_rotate(sessions, keys).unwrap_or_else(|e| e)
}

fn try_rotate<S: RevocationStore + Clone + 'static>(
    sessions: &Sessions<S>,
    keys: &KeysFile,
) -> Result<Answer, Answer> {
    // The lock serializes rotations; it is never held across an await.
    let file = keys.0.lock().unwrap_or_else(PoisonError::into_inner);
    let mut ring = read_ring(&file).map_err(|e| internal(&*e))?;
    let id = ring.next_id().ok_or_else(|| internal(&"no key id left"))?;
    ring.rotate(Key::generate(id)).map_err(|e| internal(&e))?;
    // Keep the new primary and two older keys: cookies sealed under the
    // previous key keep opening and are re-sealed on their next request.
    ring.truncate(3);
    // What `sealed-session rotate` does to a shared secret: write it back
    // whole (a rename, so a reader never sees half a ring), then reload.
    let tmp = file.with_extension("tmp");
    write_private(&tmp, ring.to_text().as_str()).map_err(|e| internal(&e))?;
    std::fs::rename(&tmp, &*file).map_err(|e| internal(&e))?;
    sessions.reload_keys(ring).map_err(|e| internal(&e))?;
    Ok(Answer::ok(format!("primary key is now {id}\n")))
}

/// `POST /admin/reload`.
pub fn reload<S: RevocationStore + Clone + 'static>(
    sessions: &Sessions<S>,
    keys: &KeysFile,
) -> Answer {
    let file = keys.0.lock().unwrap_or_else(PoisonError::into_inner);
    let ring = match read_ring(&file) {
        Ok(ring) => ring,
        Err(e) => return internal(&*e),
    };
    let primary = ring.primary().id();
    match sessions.reload_keys(ring) {
        Ok(()) => Answer::ok(format!("reloaded: primary key {primary}\n")),
        Err(e) => internal(&e),
    }
}
