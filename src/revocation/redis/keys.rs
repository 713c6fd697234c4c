//! The key layout of a `RedisStore`. Every key starts with a namespace made
//! of the prefix's length, a colon and the prefix: the namespaces of two
//! different prefixes are never prefixes of each other, so no key of one
//! application can be a key of another that shares the Redis.
//!
//! On a cluster every key starts with a hash tag instead, so the keys one
//! call reads or writes share a hash slot (see `cluster.rs`):
//!
//! | keys | tag |
//! | --- | --- |
//! | a subject's not-before, quota, and the ids of its sessions | `{u` + hash of namespace and subject `}` |
//! | the anonymous set and the ids of anonymous sessions | `{a` + hash of namespace `}` |
//! | the global not-before and the sentinel | `{g` + hash of namespace `}` |
//!
//! The hash (16 hex digits of SHA-256) keeps braces in a subject or a
//! prefix from ending a tag early, and spreads subjects over the slots.
//! The namespace follows the tag, so keys stay disjoint between prefixes.

use crate::SessionId;
use sha2::{Digest, Sha256};

/// The keys of one store.
#[derive(Debug)]
pub(super) struct Keys {
    namespace: Vec<u8>,
    /// Whether keys carry hash tags (a cluster store).
    tagged: bool,
}

impl Keys {
    pub(super) fn new(prefix: &str, tagged: bool) -> Keys {
        Keys {
            namespace: format!("{}:{prefix}", prefix.len()).into_bytes(),
            tagged,
        }
    }

    /// `{` + group + 16 hex digits of SHA-256(namespace, 0, name) + `}`.
    fn tag(&self, group: u8, name: &[u8]) -> Vec<u8> {
        let digest = Sha256::new()
            .chain_update(&self.namespace)
            .chain_update([0])
            .chain_update(name)
            .finalize();
        let mut tag = Vec::with_capacity(19);
        tag.extend_from_slice(&[b'{', group]);
        tag.extend(digest[..8].iter().flat_map(|b| {
            let hex = |n: u8| b"0123456789abcdef"[usize::from(n)];
            [hex(b >> 4), hex(b & 15)]
        }));
        tag.push(b'}');
        tag
    }

    /// The key `kind` + `name`, tagged with `group`/`tag_name` on a cluster.
    fn key(&self, (group, tag_name): (u8, &[u8]), kind: &[u8], name: &[u8]) -> Vec<u8> {
        let mut key = if self.tagged {
            self.tag(group, tag_name)
        } else {
            Vec::new()
        };
        key.reserve(self.namespace.len() + kind.len() + name.len());
        key.extend_from_slice(&self.namespace);
        key.extend_from_slice(kind);
        key.extend_from_slice(name);
        key
    }

    /// The slot group of a session: its subject's, or the anonymous one.
    fn group(subject: Option<&str>) -> (u8, &[u8]) {
        match subject {
            Some(subject) => (b'u', subject.as_bytes()),
            None => (b'a', b""),
        }
    }

    /// A denied session id: `SET .. EXAT`. On a cluster it shares the slot
    /// of its subject's keys (or of the anonymous set).
    pub(super) fn session(&self, id: SessionId, subject: Option<&str>) -> Vec<u8> {
        self.key(Keys::group(subject), b"s:", id.to_string().as_bytes())
    }

    /// The denied ids of anonymous sessions, counted: one sorted set scored
    /// by the time each may be forgotten, bounded by the anonymous limit.
    pub(super) fn anonymous(&self) -> Vec<u8> {
        self.key(Keys::group(None), b"a", b"")
    }

    /// A subject's not-before.
    pub(super) fn subject(&self, subject: &str) -> Vec<u8> {
        self.key(Keys::group(Some(subject)), b"u:", subject.as_bytes())
    }

    /// How many ids a subject holds in the current window (its quota).
    pub(super) fn quota(&self, subject: &str) -> Vec<u8> {
        self.key(Keys::group(Some(subject)), b"c:", subject.as_bytes())
    }

    pub(super) fn global(&self) -> Vec<u8> {
        self.key((b'g', b""), b"g", b"")
    }

    /// The value this store's nodes armed; its loss means data loss.
    pub(super) fn sentinel(&self) -> Vec<u8> {
        self.key((b'g', b""), b"sentinel", b"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_prefixes_give_disjoint_keys() {
        for tagged in [false, true] {
            let app = Keys::new("app:", tagged);
            let nested = Keys::new("app:u:", tagged);
            // The old layout put `app:u:` + `g` (the nested app's global
            // key) at `app:` + `u:g` (the first app's subject `g`).
            assert_ne!(nested.global(), app.subject("g"));
            assert_ne!(nested.subject("x"), app.subject("u:x"));
            assert_ne!(nested.global(), app.global());
        }
        let app = Keys::new("app:", false);
        assert!(
            !Keys::new("app:u:", false)
                .global()
                .starts_with(&app.namespace)
        );
        assert_eq!(app.global(), b"4:app:g");
    }

    /// The text between the first `{` and the next `}`, as Redis Cluster
    /// hashes it.
    fn hash_tag(key: &[u8]) -> &[u8] {
        let open = key.iter().position(|&b| b == b'{').unwrap();
        let close = key[open..].iter().position(|&b| b == b'}').unwrap();
        &key[open + 1..open + close]
    }

    #[test]
    fn a_checks_keys_share_one_tag_on_a_cluster() {
        let keys = Keys::new("{odd}prefix:", true);
        let id = SessionId::random();
        for subject in ["alice", "b{o}b", "}"] {
            let tag = hash_tag(&keys.subject(subject)).to_vec();
            assert_eq!(tag.len(), 17, "a hash, whatever the subject holds");
            assert_eq!(hash_tag(&keys.session(id, Some(subject))), tag);
            assert_eq!(hash_tag(&keys.quota(subject)), tag);
        }
        assert_ne!(
            hash_tag(&keys.subject("alice")),
            hash_tag(&keys.subject("bob"))
        );
        assert_eq!(
            hash_tag(&keys.session(id, None)),
            hash_tag(&keys.anonymous())
        );
        assert_eq!(hash_tag(&keys.global()), hash_tag(&keys.sentinel()));
        // Untagged keys are the layout a single primary has always had.
        let plain = Keys::new("app:", false);
        assert_eq!(plain.subject("alice"), b"4:app:u:alice");
    }
}
