//! The key layout of a `RedisStore`. Every key starts with a namespace made
//! of the prefix's length, a colon and the prefix: the namespaces of two
//! different prefixes are never prefixes of each other, so no key of one
//! application can be a key of another that shares the Redis.

use crate::SessionId;

/// The keys of one store.
#[derive(Debug)]
pub(super) struct Keys {
    namespace: Vec<u8>,
}

impl Keys {
    pub(super) fn new(prefix: &str) -> Keys {
        Keys {
            namespace: format!("{}:{prefix}", prefix.len()).into_bytes(),
        }
    }

    fn key(&self, kind: &[u8], name: &[u8]) -> Vec<u8> {
        let mut key = Vec::with_capacity(self.namespace.len() + kind.len() + name.len());
        key.extend_from_slice(&self.namespace);
        key.extend_from_slice(kind);
        key.extend_from_slice(name);
        key
    }

    /// A denied session id: `SET .. EXAT`.
    pub(super) fn session(&self, id: SessionId) -> Vec<u8> {
        self.key(b"s:", id.to_string().as_bytes())
    }

    /// The denied ids of anonymous sessions, counted: one sorted set scored
    /// by the time each may be forgotten, bounded by the anonymous limit.
    pub(super) fn anonymous(&self) -> Vec<u8> {
        self.key(b"a", b"")
    }

    /// A subject's not-before.
    pub(super) fn subject(&self, subject: &str) -> Vec<u8> {
        self.key(b"u:", subject.as_bytes())
    }

    /// How many ids a subject holds in the current window (its quota).
    pub(super) fn quota(&self, subject: &str) -> Vec<u8> {
        self.key(b"c:", subject.as_bytes())
    }

    pub(super) fn global(&self) -> Vec<u8> {
        self.key(b"g", b"")
    }

    /// The value this store's nodes armed; its loss means data loss.
    pub(super) fn sentinel(&self) -> Vec<u8> {
        self.key(b"sentinel", b"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_prefixes_give_disjoint_keys() {
        let app = Keys::new("app:");
        let nested = Keys::new("app:u:");
        // The old layout put `app:u:` + `g` (the nested app's global key)
        // at `app:` + `u:g` (the first app's subject `g`).
        assert_ne!(nested.global(), app.subject("g"));
        assert_ne!(nested.subject("x"), app.subject("u:x"));
        assert!(!nested.global().starts_with(&app.namespace));
        assert_eq!(app.global(), b"4:app:g");
    }
}
