//! Sealing with a caller-chosen nonce or payload (feature `vectors`), for
//! the known-answer vectors in tests/vectors/ and for tests of what readers
//! accept. Never enabled in production builds.

use super::Sealer;
use super::seal::{NO_CHUNKS, base64_value};
use crate::schema::SessionData;
use crate::session::Session;
use crate::wire::unix::unix;
use crate::{Malformed, Result};
use serde::Serialize;
use time::OffsetDateTime;

impl Sealer {
    /// Fills the nonce slot with `nonce`, once it is the primary key's
    /// nonce length at `now`.
    fn fixed_nonce<'n>(&self, now: i64, nonce: &'n [u8]) -> Result<impl Fn(&mut [u8]) + 'n> {
        let key = self.config.keys.sealing(now)?;
        if nonce.len() != key.algorithm().nonce_len() {
            return Err(Malformed::TooShort.into());
        }
        Ok(move |slot: &mut [u8]| slot.copy_from_slice(nonce))
    }

    /// Seals with a caller-chosen nonce, for known-answer test vectors only.
    ///
    /// Reusing a nonce under one key breaks confidentiality and, for the GCM
    /// algorithms, authenticity: this exists behind the `vectors` feature so
    /// that other implementations can be checked byte for byte, and must
    /// never be enabled in production builds.
    ///
    /// # Errors
    ///
    /// As [`seal_at`](Self::seal_at), and [`Malformed::TooShort`] when
    /// `nonce` is not the primary algorithm's nonce length.
    #[doc(hidden)]
    pub fn seal_value_with_nonce_at<T: SessionData>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
        nonce: &[u8],
    ) -> Result<String> {
        let now = unix(now)?;
        let fill = self.fixed_nonce(now, nonce)?;
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            now,
            fill,
            NO_CHUNKS,
            base64_value,
        )
    }

    /// Seals `payload` verbatim as the payload bytes of a new session with
    /// schema id `schema` (postcard sealers only), for tests of what
    /// readers accept: payloads no `Serialize` writes, schemas of other
    /// types.
    #[doc(hidden)]
    pub fn seal_raw_value_at(
        &self,
        payload: &[u8],
        schema: u32,
        now: OffsetDateTime,
    ) -> Result<String> {
        /// A tuple of bytes: postcard writes them as they are.
        struct Verbatim<'a>(&'a [u8]);
        impl Serialize for Verbatim<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                use serde::ser::SerializeTuple as _;
                let mut t = s.serialize_tuple(self.0.len())?;
                for b in self.0 {
                    t.serialize_element(b)?;
                }
                t.end()
            }
        }
        let session = Session::new(Verbatim(payload));
        self.seal_planned(
            &session,
            schema,
            unix(now)?,
            crate::random::fill,
            NO_CHUNKS,
            base64_value,
        )
    }

    /// [`seal_chunked_at`](Self::seal_chunked_at) with a caller-chosen
    /// nonce, for the chunked known-answer vectors only (see
    /// `Chunking::seal_with_nonce_at`).
    ///
    /// Reusing a nonce under one key breaks confidentiality and, for the GCM
    /// algorithms, authenticity: this exists behind the `vectors` feature so
    /// that other implementations can be checked byte for byte, and must
    /// never be enabled in production builds.
    pub(crate) fn seal_chunked_with_nonce_at<T: SessionData>(
        &self,
        session: &Session<T>,
        now: OffsetDateTime,
        nonce: &[u8],
        plan: impl FnOnce(usize, i64) -> Result<Option<u8>>,
    ) -> Result<(String, i64)> {
        let now = unix(now)?;
        let fill = self.fixed_nonce(now, nonce)?;
        self.seal_planned(
            session,
            self.config.schemas.id_of::<T>()?,
            now,
            fill,
            Some(plan),
            |bytes, max_age| (base64_value(bytes, max_age), max_age),
        )
    }
}
