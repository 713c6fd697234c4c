//! The associated data: what a cookie is bound to without carrying it
//! (FORMAT.md, "Associated data"): the header, the cookie name, the
//! purpose and, for a chunked value, the chunk count.

use crate::wire::header::HEADER_LEN;

/// Longest cookie name, purpose and subject: each length is one byte.
pub(crate) const MAX_LABEL_LEN: usize = 255;
/// Longest associated data: the header, two length-prefixed labels and the
/// chunk count of a chunked value.
pub(crate) const MAX_AAD_LEN: usize = HEADER_LEN + 2 * (1 + MAX_LABEL_LEN) + 1;

/// The part of the associated data after the header: name and purpose,
/// each length-prefixed. Built once per sealer; lengths are checked to fit
/// one byte when the sealer is built.
pub(crate) fn aad_labels(name: &str, purpose: &str) -> Box<[u8]> {
    let mut labels = Vec::with_capacity(2 + name.len() + purpose.len());
    for part in [name, purpose] {
        labels.push(part.len() as u8);
        labels.extend_from_slice(part.as_bytes());
    }
    labels.into_boxed_slice()
}

/// Appends the associated data of one seal or open to `buf`, whose first
/// [`HEADER_LEN`] bytes are the sealed value's header: `header || labels`,
/// plus the chunk count of a chunked value (FORMAT.md, "Chunked values");
/// `labels` comes from [`aad_labels`]. Returns where the AAD starts.
///
/// The AAD goes after the sealed bytes in the same scratch buffer, whose
/// capacity already covers it: no allocation, and no stack buffer sized
/// for the longest labels to clear and copy on every call.
pub(crate) fn append_aad(buf: &mut Vec<u8>, labels: &[u8], chunks: Option<u8>) -> usize {
    let at = buf.len();
    buf.extend_from_within(..HEADER_LEN);
    buf.extend_from_slice(labels);
    if let Some(count) = chunks {
        buf.push(count);
    }
    at
}
