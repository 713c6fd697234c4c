//! The authenticated envelope: the session's fields (flags, id, times,
//! subject) in front of the payload, inside the ciphertext. Byte-exact;
//! FORMAT.md, "Envelope", is the normative description.
//!
//! ```text
//! sealed    = header(6) || nonce(12|24) || ciphertext(envelope) || tag(16)
//! header    = version(1) = 0x01 || algorithm(1) || key_id(4, u32 BE)
//! aad       = header || len(name)(1) || name || len(purpose)(1) || purpose
//! envelope  = flags(1) || session_id(16) || issued_at(5, u40 BE unix s)
//!             || lifetime(4, u32 BE s) || schema(4, u32 BE)
//!             || [idle(4, u32 BE s)] || [len(1) || subject] || payload
//! ```

use crate::wire::aad::MAX_LABEL_LEN;
use crate::wire::unix::{MAX_UNIX, within_range};
use crate::{Error, Malformed, Result};

pub(crate) const SESSION_ID_LEN: usize = 16;
/// Bytes of the issue time: 40 bits reach past year 9999 (`MAX_UNIX`).
const ISSUED_AT_LEN: usize = 5;
/// flags + session id + issued-at + lifetime + schema.
pub(crate) const ENVELOPE_FIXED_LEN: usize = 1 + SESSION_ID_LEN + ISSUED_AT_LEN + 4 + 4;
/// Longest subject: its length is one byte.
pub(crate) const MAX_SUBJECT_LEN: usize = MAX_LABEL_LEN;

const FLAG_IDLE: u8 = 0b001;
const FLAG_SUBJECT: u8 = 0b010;
const FLAG_COMPRESSED: u8 = 0b100;
/// The payload is MessagePack with field names, not postcard.
const FLAG_MESSAGEPACK: u8 = 0b1000;
/// A browser-session cookie: sealed again without `Max-Age`.
const FLAG_BROWSER_SESSION: u8 = 0b1_0000;
const KNOWN_FLAGS: u8 =
    FLAG_IDLE | FLAG_SUBJECT | FLAG_COMPRESSED | FLAG_MESSAGEPACK | FLAG_BROWSER_SESSION;

const _: () = assert!(ENVELOPE_FIXED_LEN == 30);
const _: () = assert!(MAX_UNIX < 1 << (8 * ISSUED_AT_LEN));

/// The authenticated fields of a session, borrowed from the plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope<'a> {
    pub(crate) session_id: [u8; SESSION_ID_LEN],
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) idle_deadline: Option<i64>,
    pub(crate) subject: Option<&'a str>,
    /// The payload's schema identity (FORMAT.md, "Schema").
    pub(crate) schema: u32,
    /// The payload is MessagePack (else postcard).
    pub(crate) messagepack: bool,
    /// The cookie ends with the browser session (no `Max-Age`).
    pub(crate) browser_session: bool,
    pub(crate) compressed: bool,
    pub(crate) payload: &'a [u8],
}

/// The envelope's fields before the payload, written by [`write_fields`].
pub(crate) struct Fields<'a> {
    pub(crate) session_id: [u8; SESSION_ID_LEN],
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) idle_deadline: Option<i64>,
    pub(crate) subject: Option<&'a str>,
    pub(crate) schema: u32,
    pub(crate) messagepack: bool,
    pub(crate) browser_session: bool,
}

impl Fields<'_> {
    /// Appends the fields to `out`; the flags byte comes first, so the
    /// compression bit can be set once the payload is known (see
    /// [`set_compressed`]). Times must satisfy
    /// `0 <= issued_at <= idle, expires <= issued_at + u32::MAX`, which the
    /// sealer guarantees.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        let mut flags = 0;
        if self.idle_deadline.is_some() {
            flags |= FLAG_IDLE;
        }
        if self.subject.is_some() {
            flags |= FLAG_SUBJECT;
        }
        if self.messagepack {
            flags |= FLAG_MESSAGEPACK;
        }
        if self.browser_session {
            flags |= FLAG_BROWSER_SESSION;
        }
        out.push(flags);
        out.extend_from_slice(&self.session_id);
        out.extend_from_slice(&(self.issued_at as u64).to_be_bytes()[8 - ISSUED_AT_LEN..]);
        out.extend_from_slice(&offset(self.issued_at, self.expires_at).to_be_bytes());
        out.extend_from_slice(&self.schema.to_be_bytes());
        if let Some(idle) = self.idle_deadline {
            out.extend_from_slice(&offset(self.issued_at, idle).to_be_bytes());
        }
        if let Some(subject) = self.subject {
            out.push(subject.len() as u8);
            out.extend_from_slice(subject.as_bytes());
        }
    }
}

/// Seconds from `from` to `to`; the sealer guarantees `0..=u32::MAX`, and
/// anything else is clamped rather than wrapped.
fn offset(from: i64, to: i64) -> u32 {
    u32::try_from((to - from).max(0)).unwrap_or(u32::MAX)
}

/// Marks the envelope starting at `envelope[0]` as carrying a compressed
/// payload.
pub(crate) fn set_compressed(envelope: &mut [u8]) {
    envelope[0] |= FLAG_COMPRESSED;
}

impl<'a> Envelope<'a> {
    /// Parses an authenticated plaintext. Unknown flags, truncation, times
    /// beyond year 9999 and non-UTF-8 subjects are all `Malformed::Envelope`.
    pub(crate) fn decode(plain: &'a [u8]) -> Result<Envelope<'a>> {
        Envelope::parse(plain).ok_or(Error::Malformed(Malformed::Envelope))
    }

    fn parse(plain: &'a [u8]) -> Option<Envelope<'a>> {
        let (&flags, rest) = plain.split_first()?;
        if flags & !KNOWN_FLAGS != 0 {
            return None;
        }
        let (session_id, rest) = rest.split_first_chunk::<SESSION_ID_LEN>()?;
        let (issued_at, rest) = rest.split_first_chunk::<ISSUED_AT_LEN>()?;
        let mut wide = [0; 8];
        wide[8 - ISSUED_AT_LEN..].copy_from_slice(issued_at);
        let issued_at = i64::try_from(u64::from_be_bytes(wide)).ok()?;
        if issued_at > MAX_UNIX {
            return None;
        }
        // Below MAX_UNIX + u32::MAX: these sums cannot overflow an i64.
        let (lifetime, rest) = rest.split_first_chunk::<4>()?;
        let expires_at = within_range(issued_at + i64::from(u32::from_be_bytes(*lifetime)))?;
        let (schema, mut rest) = rest.split_first_chunk::<4>()?;
        let mut idle_deadline = None;
        if flags & FLAG_IDLE != 0 {
            let (idle, tail) = rest.split_first_chunk::<4>()?;
            idle_deadline = Some(within_range(
                issued_at + i64::from(u32::from_be_bytes(*idle)),
            )?);
            rest = tail;
        }
        let mut subject = None;
        if flags & FLAG_SUBJECT != 0 {
            let (&len, tail) = rest.split_first()?;
            let (text, tail) = tail.split_at_checked(usize::from(len))?;
            subject = Some(core::str::from_utf8(text).ok()?);
            rest = tail;
        }
        Some(Envelope {
            session_id: *session_id,
            issued_at,
            expires_at,
            idle_deadline,
            subject,
            schema: u32::from_be_bytes(*schema),
            messagepack: flags & FLAG_MESSAGEPACK != 0,
            browser_session: flags & FLAG_BROWSER_SESSION != 0,
            compressed: flags & FLAG_COMPRESSED != 0,
            payload: rest,
        })
    }
}
