//! Whether a handler's edit changed what a seal would write: a handler
//! that marks the session changed but leaves it as it was (`update` with
//! nothing to do) gets no new cookie.

use crate::sealer::scratch::with_buffer;
use crate::{Session, SessionData};

/// Runs `f` on an unchanged session; when it marks the session changed but
/// leaves its data (as encoded), subject and deadlines as they were, the
/// mark is dropped, so no cookie is sealed for nothing.
///
/// The "before" is written into this thread's scratch buffer, which a seal
/// has already grown, and wiped with it: no allocation. `f` is synchronous,
/// so the buffer stays on this thread; if `f` seals, its seal gets a fresh
/// buffer of its own (`with_buffer`).
pub(super) fn tracked<T: SessionData, R>(
    session: &mut Session<T>,
    f: impl FnOnce(&mut Session<T>) -> R,
) -> R {
    if session.is_changed() {
        return f(session);
    }
    with_buffer(|buf| {
        let before = Snapshot::of(session, buf);
        let out = f(session);
        if session.is_changed() && before.is_some_and(|before| before.matches(session, buf)) {
            session.set_unchanged();
        }
        out
    })
}

/// What a seal writes of a session, to compare: the data's encoding, then
/// the subject's bytes, in the scratch buffer; the rest here.
struct Snapshot {
    data_len: usize,
    has_subject: bool,
    deadlines: (Option<i64>, Option<i64>, Option<i64>),
}

impl Snapshot {
    fn of<T: SessionData>(session: &Session<T>, buf: &mut Vec<u8>) -> Option<Snapshot> {
        let out = crate::wire::codec::serialize_into(
            session.data(),
            core::mem::take(buf),
            crate::Codec::Postcard,
        )
        .ok()?;
        *buf = out;
        let data_len = buf.len();
        if let Some(subject) = session.subject() {
            // Past the data, which is plaintext: a plain `extend` that
            // reallocated would free it unwiped.
            crate::wire::codec::append_wiped(buf, subject.as_bytes());
        }
        Some(Snapshot {
            data_len,
            has_subject: session.subject().is_some(),
            deadlines: deadlines(session),
        })
    }

    /// Whether `session` would give this snapshot again. The data is
    /// encoded against the snapshot's bytes as it goes, with no second
    /// buffer, and stops at the first byte that differs.
    fn matches<T: SessionData>(&self, session: &Session<T>, buf: &[u8]) -> bool {
        let (data, subject) = buf.split_at(self.data_len.min(buf.len()));
        let subject = self.has_subject.then_some(subject);
        subject == session.subject().map(str::as_bytes)
            && self.deadlines == deadlines(session)
            && postcard::serialize_with_flavor(session.data(), Compare(data))
                .is_ok_and(|rest: &[u8]| rest.is_empty())
    }
}

fn deadlines<T>(session: &Session<T>) -> (Option<i64>, Option<i64>, Option<i64>) {
    (session.issued_at, session.expires_at, session.idle_deadline)
}

/// A postcard output that holds no bytes: it checks each one against the
/// expected encoding and fails at the first difference.
struct Compare<'a>(&'a [u8]);

impl<'a> postcard::ser_flavors::Flavor for Compare<'a> {
    /// What is left of the expected encoding: empty when all of it came.
    type Output = &'a [u8];

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.try_extend(&[byte])
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        match self.0.strip_prefix(bytes) {
            Some(rest) => {
                self.0 = rest;
                Ok(())
            }
            None => Err(postcard::Error::SerializeBufferFull),
        }
    }

    fn finalize(self) -> postcard::Result<&'a [u8]> {
        Ok(self.0)
    }
}
