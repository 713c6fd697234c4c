//! The text form of a key ring, for an environment variable or a secret
//! manager:
//!
//! ```text
//! ring  = entry *( "," entry )          primary first; whitespace around
//!                                       entries (newlines too) is ignored
//! entry = key *( ";" attr )
//! key   = ss1:<algorithm>:<id>:<base64url 32 bytes>     (Key::to_text)
//! attr  = "since=" time                 when the key began sealing
//!       / "retire=" time                when it stops opening
//! time  = RFC 3339, e.g. 2030-01-01T00:00:00Z
//! ```
//!
//! FORMAT.md section 12 has the full grammar (whitespace is Unicode
//! `White_Space`, times are RFC 3339 date-times, retirement counts whole
//! seconds rounded down). Errors name the entry by position and, once
//! known, by key id; they never carry the text itself, so they are safe
//! to log.

use crate::keys::ring::{Entry, check_new_secret};
use crate::wire::unix::MAX_UNIX;
use crate::{ConfigError, Error, Key, KeyRing, Result, RingEntryError};
use core::str::FromStr;
use std::fmt::Write as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

/// The longest entry of the text form: the longest key text
/// (`ss1:xchacha20poly1305:4294967295:` and 43 base64url characters), both
/// attributes (`;since=` and `;retire=`, 20 characters of time each) and
/// the comma.
const MAX_ENTRY_TEXT: usize = 76 + 7 + 20 + 8 + 20 + 1;

impl KeyRing {
    /// Parses a ring from its text form: comma-separated key texts, the
    /// primary first, each optionally followed by `;since=<RFC 3339>` (when
    /// it began sealing) and `;retire=<RFC 3339>` (when it stops opening).
    ///
    /// ```
    /// use sealed_session::{Key, KeyRing, Algorithm};
    /// use time::macros::datetime;
    ///
    /// let new = Key::from_bytes(Algorithm::Aes256Gcm, 2, &[2; 32]).to_text();
    /// let old = Key::from_bytes(Algorithm::Xaes256Gcm, 1, &[1; 32]).to_text();
    /// let text = format!("{}; since=2030-01-01T00:00:00Z,\n {};retire=2030-01-08T00:00:00Z", *new, *old);
    /// let ring = KeyRing::from_text(&text)?;
    /// assert_eq!(ring.primary().id(), 2);
    /// assert_eq!(ring.since(2), Some(datetime!(2030-01-01 0:00 UTC)));
    /// assert_eq!(ring.retire_at(1), Some(datetime!(2030-01-08 0:00 UTC)));
    /// # Ok::<(), sealed_session::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::RingEntry`] naming the first bad entry (an empty
    /// text is entry 1, empty), [`ConfigError::DuplicateKeyId`] when two
    /// entries share an id, and [`ConfigError::DuplicateKeySecret`] when
    /// two entries hold the same key bytes.
    pub fn from_text(text: &str) -> Result<KeyRing> {
        let mut entries: Vec<Entry> = Vec::new();
        for (index, part) in text.trim().split(',').enumerate() {
            let entry =
                parse_entry(part.trim()).map_err(|(key_id, reason)| ConfigError::RingEntry {
                    position: index + 1,
                    key_id,
                    reason,
                })?;
            let id = entry.key.id();
            if entries.iter().any(|e| e.key.id() == id) {
                return Err(ConfigError::DuplicateKeyId { key_id: id }.into());
            }
            check_new_secret(&entries, &entry.key)?;
            entries.push(entry);
        }
        Ok(KeyRing { entries })
    }

    /// Reads a ring in [text form](KeyRing::from_text) from the environment
    /// variable `name`.
    ///
    /// ```
    /// use sealed_session::{ConfigError, Error, KeyRing};
    /// let err = KeyRing::from_env("SEALED_SESSION_DOC_UNSET").unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     Error::InvalidConfig(ConfigError::EnvVar { name: "SEALED_SESSION_DOC_UNSET".into() })
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::EnvVar`] when the variable is unset or not UTF-8, and
    /// the errors of [`from_text`](KeyRing::from_text).
    pub fn from_env(name: &str) -> Result<KeyRing> {
        let text = Zeroizing::new(std::env::var(name).map_err(|_| ConfigError::EnvVar {
            name: name.to_owned(),
        })?);
        KeyRing::from_text(&text)
    }

    /// The ring in text form, which [`from_text`](KeyRing::from_text) reads
    /// back. Times are printed in UTC to the whole second (the ring decides
    /// retirement on whole seconds), clamped to 1970..=9999 like every clock
    /// the crate accepts: a time before 1970 prints as
    /// `1970-01-01T00:00:00Z`, which retires identically. The string holds
    /// key bytes and is zeroized when dropped.
    ///
    /// ```
    /// use sealed_session::{Algorithm, Key, KeyRing};
    /// use time::macros::datetime;
    /// let ring = KeyRing::new(Key::from_bytes(Algorithm::Aes256Gcm, 2, &[0; 32]))
    ///     .with_retiring_key(Key::from_bytes(Algorithm::Aes256Gcm, 1, &[1; 32]), datetime!(2030-01-08 0:00 UTC));
    /// assert_eq!(
    ///     ring.to_text().as_str(),
    ///     "ss1:aes256gcm:2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,\
    ///      ss1:aes256gcm:1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE;retire=2030-01-08T00:00:00Z"
    /// );
    /// ```
    pub fn to_text(&self) -> Zeroizing<String> {
        // Never grown: a reallocation would free a copy of the key texts
        // without wiping it.
        let mut text = Zeroizing::new(String::with_capacity(self.entries.len() * MAX_ENTRY_TEXT));
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&entry.key.to_text());
            for (name, time) in [("since", entry.since), ("retire", entry.retire_at)] {
                if let Some(time) = time {
                    text.push(';');
                    text.push_str(name);
                    text.push('=');
                    push_time(&mut text, time);
                }
            }
        }
        text
    }
}

impl FromStr for KeyRing {
    type Err = Error;

    /// As [`KeyRing::from_text`].
    fn from_str(text: &str) -> Result<KeyRing> {
        KeyRing::from_text(text)
    }
}

/// One entry, or the key id (when known) and what is wrong.
fn parse_entry(text: &str) -> Result<Entry, (Option<u32>, RingEntryError)> {
    let mut parts = text.split(';');
    let key_text = parts.next().unwrap_or_default().trim();
    if key_text.is_empty() {
        return Err((None, RingEntryError::Empty));
    }
    let key = Key::from_text(key_text).map_err(|_| (None, RingEntryError::KeyText))?;
    let id = Some(key.id());
    let mut entry = Entry::new(key);
    for attr in parts {
        let (name, value) = attr.trim().split_once('=').unwrap_or((attr, ""));
        let slot = match name.trim() {
            "since" => &mut entry.since,
            "retire" => &mut entry.retire_at,
            _ => return Err((id, RingEntryError::UnknownAttribute)),
        };
        if slot.is_some() {
            return Err((id, RingEntryError::RepeatedAttribute));
        }
        *slot = Some(parse_time(value.trim()).ok_or((id, RingEntryError::Time))?);
    }
    Ok(entry)
}

/// An RFC 3339 time, normalised to UTC; `None` also for a local time whose
/// UTC instant is past year 9999 (`to_offset` would panic on it).
pub(crate) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    let local = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(local.unix_timestamp_nanos()).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `time`; see [`push_time`].
pub(crate) fn time_text(time: OffsetDateTime) -> String {
    let mut out = String::with_capacity(20);
    push_time(&mut out, time);
    out
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `time` in UTC, whole seconds, clamped to the
/// clock range the crate accepts (1970 to the end of 9999), which retires
/// identically: no clock outside that range opens or seals anything.
fn push_time(out: &mut String, time: OffsetDateTime) {
    let unix = time.unix_timestamp().clamp(0, MAX_UNIX);
    // In range by the clamp: the fallback is never taken.
    let time = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (date, clock) = (time.date(), time.time());
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        clock.hour(),
        clock.minute(),
        clock.second()
    );
}
