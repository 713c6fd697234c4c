//! A minimal module that seals and opens a session: what an edge handler
//! links. On wasm32-unknown-unknown the two functions are exported to
//! JavaScript; the key comes in as its text form, so all three algorithms
//! are linked, as in an application that reads its key ring at run time.

use sealed_session::{Key, KeyRing, Sealer, Session};
use serde::{Deserialize, Serialize};

/// The session data.
#[derive(Serialize, Deserialize)]
pub struct User {
    /// The user's name.
    pub name: String,
}

fn sealer(key: &str) -> Option<Sealer> {
    let key = Key::from_text(key).ok()?;
    Sealer::builder(KeyRing::new(key)).build().ok()
}

/// A fresh key in text form (XAES-256-GCM, id 1), from the platform's
/// random source: `crypto.getRandomValues` under JavaScript.
#[cfg_attr(
    all(target_arch = "wasm32", target_os = "unknown"),
    wasm_bindgen::prelude::wasm_bindgen
)]
pub fn new_key() -> String {
    Key::generate(1).to_text().to_string()
}

/// Seals a session for `user`; returns the `Set-Cookie` value, or an empty
/// string if the key or the session is rejected.
#[cfg_attr(
    all(target_arch = "wasm32", target_os = "unknown"),
    wasm_bindgen::prelude::wasm_bindgen
)]
pub fn seal(key: &str, user: &str) -> String {
    let session = Session::new(User { name: user.into() });
    sealer(key)
        .and_then(|s| s.seal_value(&session).ok())
        .unwrap_or_default()
}

/// Opens a cookie value; returns the user's name, or `None` if the cookie
/// is rejected.
#[cfg_attr(
    all(target_arch = "wasm32", target_os = "unknown"),
    wasm_bindgen::prelude::wasm_bindgen
)]
pub fn open(key: &str, value: &str) -> Option<String> {
    let opened = sealer(key)?.open::<User>(value).ok()?;
    Some(opened.into_session().into_data().name)
}
