//! The snapshot format of a [`MemoryStore`](super::MemoryStore): version 1
//! ends in a CRC-32 (corruption only), version 2 in an HMAC-SHA256 under a
//! [`SnapshotKey`] (forgery too); specified on
//! [`MemoryStore::export`](super::MemoryStore::export).

use super::entry::Stamp;
use crate::SnapshotError;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

const MAGIC: &[u8; 4] = b"SSRV";
const VERSION_CRC: u8 = 1;
const VERSION_MAC: u8 = 2;
const MAC_LEN: usize = 32;
const FLAG_GLOBAL: u8 = 1;
/// Magic, version, flags, global window, two counts.
const HEADER_LEN: usize = 4 + 1 + 1 + 8 + 4 + 4;
const SESSION_LEN: usize = 16 + 8;
const CRC_LEN: usize = 4;
const COUNTS_AT: usize = 14;

/// A decoded snapshot, validated whole.
pub(super) struct Contents {
    pub(super) global: Option<Stamp>,
    pub(super) sessions: Vec<([u8; 16], Stamp)>,
    pub(super) subjects: Vec<(Box<str>, Stamp)>,
}

/// Writes a snapshot in one pass: sessions first, then subjects; the
/// counts in the header are filled in at the end.
pub(super) struct Writer {
    out: Vec<u8>,
    sessions: u32,
    subjects: u32,
    /// Set once the first subject is written: sessions must come first.
    in_subjects: bool,
}

impl Writer {
    pub(super) fn new(global: Option<Stamp>) -> Writer {
        let mut out = Vec::with_capacity(HEADER_LEN + CRC_LEN);
        out.extend_from_slice(MAGIC);
        out.push(VERSION_CRC);
        out.push(if global.is_some() { FLAG_GLOBAL } else { 0 });
        let global = global.unwrap_or(Stamp { from: 0, until: 0 });
        push_stamp(&mut out, global);
        out.extend_from_slice(&[0; 8]);
        Writer {
            out,
            sessions: 0,
            subjects: 0,
            in_subjects: false,
        }
    }

    pub(super) fn session(&mut self, id: &[u8; 16], stamp: Stamp) {
        debug_assert!(!self.in_subjects, "sessions are written before subjects");
        self.out.extend_from_slice(id);
        push_stamp(&mut self.out, stamp);
        self.sessions += 1;
    }

    /// Subjects are at most 255 bytes: longer ones never reach a store.
    pub(super) fn subject(&mut self, subject: &str, stamp: Stamp) {
        let Ok(len) = u8::try_from(subject.len()) else {
            return;
        };
        self.in_subjects = true;
        self.out.push(len);
        self.out.extend_from_slice(subject.as_bytes());
        push_stamp(&mut self.out, stamp);
        self.subjects += 1;
    }

    /// The finished snapshot: version 1 with a CRC-32, or, given a key,
    /// version 2 with an HMAC-SHA256 of every byte before it.
    pub(super) fn finish(mut self, key: Option<&SnapshotKey>) -> Vec<u8> {
        self.out[COUNTS_AT..COUNTS_AT + 4].copy_from_slice(&self.sessions.to_le_bytes());
        self.out[COUNTS_AT + 4..HEADER_LEN].copy_from_slice(&self.subjects.to_le_bytes());
        match key {
            None => {
                let crc = crc32(&self.out);
                self.out.extend_from_slice(&crc.to_le_bytes());
            }
            Some(key) => {
                self.out[MAGIC.len()] = VERSION_MAC;
                let tag = key.mac(&self.out).finalize().into_bytes();
                self.out.extend_from_slice(&tag);
            }
        }
        self.out
    }
}

fn push_stamp(out: &mut Vec<u8>, stamp: Stamp) {
    out.extend_from_slice(&stamp.from.to_le_bytes());
    out.extend_from_slice(&stamp.until.to_le_bytes());
}

/// Reads fields off the front of a byte slice; every read is checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        if self.0.len() < n {
            return Err(SnapshotError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32, SnapshotError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn stamp(&mut self) -> Result<Stamp, SnapshotError> {
        let stamp = Stamp {
            from: self.u32()?,
            until: self.u32()?,
        };
        if stamp.until < stamp.from {
            return Err(SnapshotError::Times);
        }
        Ok(stamp)
    }
}

/// Validates and decodes a whole snapshot. Never panics, and allocates no
/// more than the input's length justifies.
/// Parses a snapshot. With `key`, only a version 2 snapshot whose MAC
/// verifies is accepted; without, only version 1 (a CRC-32 is no
/// protection against forgery, so a key holder never falls back to it).
pub(super) fn decode(bytes: &[u8], key: Option<&SnapshotKey>) -> Result<Contents, SnapshotError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::Magic);
    }
    let version = bytes.get(MAGIC.len()).copied();
    match (version, key) {
        (Some(VERSION_CRC), None) | (Some(VERSION_MAC), Some(_)) | (None, _) => {}
        (Some(VERSION_CRC | VERSION_MAC), _) => return Err(SnapshotError::Unauthenticated),
        (Some(version), _) => return Err(SnapshotError::UnsupportedVersion { version }),
    }
    let tail = if key.is_some() { MAC_LEN } else { CRC_LEN };
    if bytes.len() < HEADER_LEN + tail {
        return Err(SnapshotError::Truncated);
    }
    let (body, check) = bytes.split_at(bytes.len() - tail);
    match key {
        None if crc32(body).to_le_bytes() != check => return Err(SnapshotError::Checksum),
        Some(key) if key.mac(body).verify_slice(check).is_err() => {
            return Err(SnapshotError::Unauthenticated);
        }
        _ => {}
    }
    let mut reader = Reader(&body[MAGIC.len() + 1..]);
    let flags = reader.u8()?;
    if flags & !FLAG_GLOBAL != 0 {
        return Err(SnapshotError::Flags);
    }
    let global = reader.stamp()?;
    let global = if flags & FLAG_GLOBAL != 0 {
        Some(global)
    } else if global == (Stamp { from: 0, until: 0 }) {
        None
    } else {
        return Err(SnapshotError::Flags);
    };
    let session_count = reader.u32()? as usize;
    let subject_count = reader.u32()? as usize;
    if session_count
        .checked_mul(SESSION_LEN)
        .is_none_or(|len| len > reader.0.len())
    {
        return Err(SnapshotError::Truncated);
    }
    let mut sessions = Vec::with_capacity(session_count);
    for _ in 0..session_count {
        let id = reader.array::<16>()?;
        sessions.push((id, reader.stamp()?));
    }
    // The smallest subject entry (empty subject) is 9 bytes.
    if subject_count > reader.0.len() / 9 {
        return Err(SnapshotError::Truncated);
    }
    let mut subjects = Vec::with_capacity(subject_count);
    for _ in 0..subject_count {
        let len = usize::from(reader.u8()?);
        let subject =
            core::str::from_utf8(reader.take(len)?).map_err(|_| SnapshotError::Subject)?;
        subjects.push((subject.into(), reader.stamp()?));
    }
    if !reader.0.is_empty() {
        return Err(SnapshotError::TrailingBytes);
    }
    Ok(Contents {
        global,
        sessions,
        subjects,
    })
}

/// CRC-32 (IEEE 802.3, reflected, as in zlib and PNG).
/// The secret that authenticates snapshots between nodes (version 2): an
/// HMAC-SHA256 key of 32 bytes the operator provides to the exporting and
/// the importing nodes. Whoever can forge a snapshot can un-revoke sessions
/// or lock everyone out, so ship snapshots over untrusted channels only
/// with one. Zeroized on drop; `Debug` shows no bytes.
///
/// ```
/// use sealed_session::revocation::{MemoryStore, SnapshotKey};
/// use time::OffsetDateTime;
///
/// let key = SnapshotKey::from_bytes([7; 32]);
/// assert_eq!(format!("{key:?}"), "SnapshotKey(..)");
/// let now = OffsetDateTime::from_unix_timestamp(1_000).unwrap();
/// let bytes = MemoryStore::new(10)?.export_authenticated(&key, now);
/// assert_eq!(MemoryStore::new(10)?.import_authenticated(&bytes, &key, now)?, 0);
/// # Ok::<(), sealed_session::Error>(())
/// ```
#[derive(Clone)]
pub struct SnapshotKey(Zeroizing<[u8; 32]>);

impl SnapshotKey {
    /// A key from 32 secret bytes (from a secret manager; never hard-coded).
    ///
    /// ```
    /// let key = sealed_session::revocation::SnapshotKey::from_bytes([1; 32]);
    /// ```
    pub fn from_bytes(bytes: [u8; 32]) -> SnapshotKey {
        SnapshotKey(Zeroizing::new(bytes))
    }

    fn mac(&self, body: &[u8]) -> Hmac<Sha256> {
        // HMAC pads a key shorter than the hash's 64-byte block with zeros
        // (RFC 2104), so the padded key gives the same MAC, through the
        // fixed-size constructor that cannot fail.
        let mut block = Zeroizing::new([0u8; 64]);
        block[..32].copy_from_slice(&self.0[..]);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&(*block).into());
        mac.update(body);
        mac
    }
}

impl core::fmt::Debug for SnapshotKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SnapshotKey(..)")
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |crc, &b| {
        CRC_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8)
    })
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                0xEDB8_8320 ^ (crc >> 1)
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn subjects_over_255_bytes_are_not_written() {
        let mut writer = Writer::new(None);
        writer.subject(&"x".repeat(256), Stamp { from: 1, until: 2 });
        let contents = decode(&writer.finish(None), None).unwrap();
        assert!(contents.subjects.is_empty());
    }

    #[test]
    fn the_padded_key_gives_rfc_2104_hmac() {
        // RFC 4231 test case 2 uses a 4-byte key; ours are 32 bytes, so
        // check the padding argument against the variable-length
        // constructor instead.
        let key = SnapshotKey::from_bytes([0x0b; 32]);
        let mut plain = <Hmac<Sha256> as KeyInit>::new_from_slice(&[0x0b; 32]).unwrap();
        plain.update(b"Hi There");
        assert_eq!(
            key.mac(b"Hi There").finalize().into_bytes(),
            plain.finalize().into_bytes()
        );
    }
}
