//! Keys and where a sealer gets them: [`Key`](crate::Key), the
//! [`KeyRing`](crate::KeyRing), its text form, rotation, and (feature
//! `epoch`) keys derived per time epoch. Keys know the wire's algorithms
//! and nothing of sealers.

#[cfg(feature = "epoch")]
pub(crate) mod epoch;
pub(crate) mod key;
pub(crate) mod ring;
pub(crate) mod ring_text;
pub(crate) mod rotation;
pub(crate) mod source;
