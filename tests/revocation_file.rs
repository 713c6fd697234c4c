//! `MemoryStore::save_to` / `load_from`: a single node's revocations
//! survive a restart (a logged-out cookie stays refused), the file is
//! written whole and private, and a missing, corrupt or foreign file is
//! told apart.

use sealed_session::revocation::{MemoryStore, Revocation, SnapshotKey, run_ready};
use sealed_session::{Error, Key, KeyRing, RevokedReason, Sealer, Session, SnapshotError};
use std::path::PathBuf;

fn path(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ss-revocation-file-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    dir
}

fn sealer() -> Sealer {
    Sealer::builder(KeyRing::new(Key::from_bytes(
        Default::default(),
        1,
        &[8; 32],
    )))
    .build()
    .unwrap()
}

#[test]
#[cfg_attr(
    target_os = "wasi",
    ignore = "the WASI runner preopens no writable directory"
)]
fn a_logout_survives_a_restart_through_the_file() {
    let file = path("restart");
    let key = SnapshotKey::from_bytes([1; 32]);
    let before = Revocation::new(sealer(), MemoryStore::new(100).unwrap()).unwrap();
    let value = before.sealer().seal_value(&Session::new(5u32)).unwrap();
    // MemoryStore's futures are ready at once: no runtime needed.
    let checked = run_ready(before.open_checked::<u32>(&value)).unwrap();
    run_ready(before.logout(&checked)).unwrap();
    before.store().save_to(&file, &key).unwrap();

    // The process restarts: an empty store, loaded from the file.
    let store = MemoryStore::new(100).unwrap();
    assert_eq!(store.load_from(&file, &key).unwrap(), 1);
    let after = Revocation::new(sealer(), store).unwrap();
    assert_eq!(
        run_ready(after.open_checked::<u32>(&value)).unwrap_err(),
        Error::Revoked {
            reason: RevokedReason::SessionId
        }
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    assert!(!PathBuf::from(format!("{}.tmp", file.display())).exists());
    std::fs::remove_file(&file).unwrap();
}

#[test]
#[cfg_attr(
    target_os = "wasi",
    ignore = "the WASI runner preopens no writable directory"
)]
fn a_missing_file_is_a_first_start_and_a_bad_one_is_refused() {
    let key = SnapshotKey::from_bytes([1; 32]);
    let store = MemoryStore::new(10).unwrap();
    assert_eq!(store.load_from(path("missing"), &key), Ok(0));

    let corrupt = path("corrupt");
    std::fs::write(&corrupt, b"not a snapshot").unwrap();
    assert_eq!(
        store.load_from(&corrupt, &key),
        Err(Error::InvalidSnapshot(SnapshotError::Magic))
    );
    let foreign = path("foreign");
    store
        .save_to(&foreign, &SnapshotKey::from_bytes([2; 32]))
        .unwrap();
    assert_eq!(
        store.load_from(&foreign, &key),
        Err(Error::InvalidSnapshot(SnapshotError::Unauthenticated))
    );
    // A directory where the file should be: an I/O error, typed.
    let dir = path("dir");
    std::fs::create_dir_all(&dir).unwrap();
    assert!(matches!(
        store.load_from(&dir, &key),
        Err(Error::InvalidSnapshot(SnapshotError::File { .. }))
    ));
    for f in [corrupt, foreign] {
        std::fs::remove_file(f).unwrap();
    }
    std::fs::remove_dir(dir).unwrap();
}
