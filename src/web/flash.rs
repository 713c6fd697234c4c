//! Flash messages (`Sessions::with_flash`): short texts for the next
//! request ("saved", "wrong password"), read once. They travel in a
//! companion cookie, `<name>-flash`, sealed like the session (its own name
//! and purpose in the associated data, so neither cookie opens as the
//! other; a 10-minute deadline), so they work with or without a session
//! and never change the session's schema.

use super::handle::{SessionHandle, State};
use crate::http::RequestCookies;
use crate::{Sealer, Session};

/// The flash cookie's name after the session cookie's.
pub(super) const SUFFIX: &str = "-flash";
/// Its purpose, bound into its authentication.
pub(super) const PURPOSE: &str = "sealed-session flash";
/// How long a flash waits for the next request.
pub(super) const TTL: i64 = 600;
/// At most this many messages are kept (the oldest are dropped)...
const MAX_MESSAGES: usize = 16;
/// ...each at most this many bytes (cut at a character boundary)...
const MAX_MESSAGE_LEN: usize = 200;
/// ...and this many in all, so that the flash cookie always fits the
/// smallest cookie limit a sealer takes (a 2 KB payload seals to under
/// 3 KB of cookie).
const MAX_TOTAL_LEN: usize = 2048;

/// What the request's flash cookie held.
#[derive(Debug, Default)]
pub(crate) struct Incoming {
    pub(crate) messages: Vec<String>,
    /// A flash cookie was sent (opened or not): remove it once read.
    pub(crate) present: bool,
}

/// Opens the request's flash cookie; one that does not open (forged,
/// expired) counts as present and empty, so it is removed.
pub(super) fn read<'h>(
    cookies: impl IntoIterator<Item = &'h [u8]>,
    sealer: &Sealer,
    now: crate::Result<i64>,
) -> Incoming {
    let cookies = RequestCookies::for_sealer(cookies, sealer);
    // Copies that could be planted by a sibling host: neither read nor
    // removed (as for the session cookie, a removal could hit the genuine
    // one).
    if cookies.conflict().is_some() {
        return Incoming::default();
    }
    let Some(value) = cookies.single() else {
        return Incoming {
            messages: Vec::new(),
            present: !cookies.is_empty(),
        };
    };
    let messages = now
        .and_then(|now| sealer.open_unix::<Vec<String>>(value, now))
        .map(|o| o.into_session().into_data())
        .unwrap_or_default();
    Incoming {
        messages,
        present: true,
    }
}

/// The flash cookie line the response needs, if any: the queued messages
/// sealed, or a removal once the incoming ones were read (or did not open).
pub(super) fn line<T>(state: &State<T>, sealer: &Sealer, now: i64) -> Option<String> {
    if !state.flash_out.is_empty() {
        match sealer.seal_line(&Session::new(state.flash_out.clone()), now) {
            Ok(line) => Some(line),
            // Only a cookie limit below 3 KB gets here: the messages are
            // dropped, and said so.
            Err(error) => {
                super::events::seal_failed(&error);
                None
            }
        }
    } else if state.flash_in.present && (state.flash_read || state.flash_in.messages.is_empty()) {
        Some(sealer.removal_cookie())
    } else {
        None
    }
}

impl<T, S> SessionHandle<T, S> {
    /// Queues `message` for the next request (after a redirect, say); it is
    /// shown once, by [`take_flash`](Self::take_flash) there. Needs
    /// [`Sessions::with_flash`](super::Sessions::with_flash) (without it the
    /// message is dropped, and `false` returned). The newest 16 messages,
    /// of at most 200 bytes each and 2048 in all, are kept.
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8>) {
    /// session.flash("Saved.");
    /// # }
    /// ```
    pub fn flash(&self, message: impl Into<String>) -> bool {
        if self.flash_sealer.is_none() {
            return false;
        }
        let mut message = message.into();
        if message.len() > MAX_MESSAGE_LEN {
            let mut cut = MAX_MESSAGE_LEN;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let mut state = self.lock();
        state.flash_out.push(message);
        while state.flash_out.len() > MAX_MESSAGES
            || state.flash_out.iter().map(String::len).sum::<usize>() > MAX_TOTAL_LEN
        {
            state.flash_out.remove(0);
        }
        true
    }

    /// The messages queued for this request by the previous one, once: the
    /// response removes them. Empty without any (or without
    /// [`Sessions::with_flash`](super::Sessions::with_flash)).
    ///
    /// ```
    /// # async fn h(session: sealed_session::web::SessionHandle<u8>) -> String {
    /// session.take_flash().join("\n")
    /// # }
    /// ```
    pub fn take_flash(&self) -> Vec<String> {
        let mut state = self.access();
        state.flash_read = true;
        core::mem::take(&mut state.flash_in.messages)
    }
}
