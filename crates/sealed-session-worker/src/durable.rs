//! The Workers side: the Durable Object class and the store that talks to
//! it. Compiled for `wasm32` only.

use crate::protocol::{Ledger, Op, Reply, unavailable};
use core::future::Future;
use sealed_session::revocation::{Denial, DeniedSession, RevocationStore, Status};
use sealed_session::{Error, SessionId, UnavailableReason};
use std::cell::Cell;
use worker::send::{SendFuture, SendWrapper};
use worker::{
    DurableObject, Env, ListOptions, Method, ObjectNamespace, Request, RequestInit, Response,
    State, durable_object, js_sys,
};

// `SendFuture` and `SendWrapper` assert `Send` for JavaScript values. That
// holds because a Worker isolate runs one thread and nothing here is ever
// handed to another; wasm threads would break it, so refuse to build there.
#[cfg(target_feature = "atomics")]
compile_error!("sealed-session-worker assumes single-threaded wasm (no `atomics` target feature)");

/// How many session ids (and subject records) the object holds, as
/// [`MemoryStore::new`](sealed_session::revocation::MemoryStore::new): a
/// quarter of them for anonymous sessions. About 50 bytes each in memory,
/// far inside a Durable Object's 128 MB.
pub const MAX_ENTRIES: usize = 100_000;

/// The name of the one object instance that holds the list: every Worker
/// isolate, everywhere, addresses the same instance, which is what makes
/// a logout visible to the next request wherever it lands.
pub const OBJECT_NAME: &str = "sealed-session-revocations";

const RECORD_PREFIX: &str = "op:";

/// The Durable Object class holding the deny-list. Export it from the
/// Worker (it is, by depending on this crate) and bind it in
/// `wrangler.toml` (see the crate docs).
#[durable_object]
pub struct SessionRevocations {
    state: State,
    ledger: Option<Ledger>,
    loaded: Cell<bool>,
    next_record: Cell<u64>,
}

impl DurableObject for SessionRevocations {
    fn new(state: State, _env: Env) -> Self {
        SessionRevocations {
            state,
            // MAX_ENTRIES is a valid bound; were it not, every request
            // would answer `Failed` (fail closed) instead of panicking.
            ledger: Ledger::new(MAX_ENTRIES).ok(),
            loaded: Cell::new(false),
            next_record: Cell::new(0),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let Some(ledger) = &self.ledger else {
            return Response::from_json(&Reply::Failed);
        };
        // A body that is no request of ours is answered, not a panic.
        let Ok(op) = req.json::<Op>().await else {
            return Response::from_json(&Reply::Failed);
        };
        if !self.loaded.get() {
            self.load(ledger, now_of(&op)).await?;
        }
        let (reply, changed) = ledger.apply(&op);
        if changed {
            // Numbered when applied, so replay keeps the order of
            // application. The put completes before the reply leaves
            // (the runtime's output gate), so a logout that was answered
            // is on disk.
            let seq = self.next_record.get();
            self.next_record.set(seq + 1);
            let record = serde_json::to_string(&op).map_err(|e| e.to_string())?;
            self.state
                .storage()
                .put(&format!("{RECORD_PREFIX}{seq:020}"), record)
                .await?;
        }
        Response::from_json(&reply)
    }
}

impl SessionRevocations {
    /// Replays the persisted records into the ledger and drops the expired
    /// ones. Replaying is idempotent (a denial twice is `AlreadyRevoked`,
    /// a not-before keeps the later one), so two requests that both find
    /// the object unloaded may both load: neither answers from a
    /// half-loaded list.
    async fn load(&self, ledger: &Ledger, now: i64) -> worker::Result<()> {
        let storage = self.state.storage();
        let records = storage
            .list_with_options(ListOptions::new().prefix(RECORD_PREFIX))
            .await?;
        let mut expired = Vec::new();
        let mut next = self.next_record.get();
        for entry in records.entries() {
            let pair: js_sys::Array = entry?.into();
            let key = pair.get(0).as_string().unwrap_or_default();
            let op = pair
                .get(1)
                .as_string()
                .and_then(|text| serde_json::from_str::<Op>(&text).ok());
            if let Some(seq) = key
                .strip_prefix(RECORD_PREFIX)
                .and_then(|n| n.parse::<u64>().ok())
            {
                next = next.max(seq + 1);
            }
            match op {
                Some(op) if op.until().is_some_and(|until| until > now) => {
                    ledger.apply(&op);
                }
                // Past its deadline (or unreadable, which only a foreign
                // writer could leave): nothing to keep.
                _ => expired.push(key),
            }
        }
        if !expired.is_empty() {
            storage.delete_multiple(expired).await?;
        }
        self.next_record.set(next);
        self.loaded.set(true);
        Ok(())
    }
}

fn now_of(op: &Op) -> i64 {
    match op {
        Op::Status { now, .. }
        | Op::Deny { now, .. }
        | Op::SubjectNotBefore { now, .. }
        | Op::GlobalNotBefore { now, .. } => *now,
    }
}

/// A [`RevocationStore`] over the [`SessionRevocations`] Durable Object:
/// one subrequest to the object per check or revocation.
///
/// The trait asks for `Send` futures (native servers run them on
/// multi-threaded executors), while the `worker` crate's are not `Send`:
/// they hold JavaScript values. On a Worker there is one thread per
/// isolate, so the namespace is kept in a [`SendWrapper`] and each future
/// wrapped in a [`SendFuture`], the `worker` crate's own answer to this;
/// the crate refuses to build for threaded wasm, where that would be
/// unsound.
///
/// ```no_run
/// # fn demo(env: &worker::Env, sealer: sealed_session::Sealer) -> Result<(), Box<dyn std::error::Error>> {
/// use sealed_session::revocation::Revocation;
/// use sealed_session_worker::DurableObjectStore;
///
/// let store = DurableObjectStore::from_env(env, "REVOCATIONS")?;
/// let sessions = Revocation::new(sealer, store)?;
/// # let _ = sessions; Ok(()) }
/// ```
#[derive(Debug)]
pub struct DurableObjectStore {
    namespace: SendWrapper<ObjectNamespace>,
}

impl DurableObjectStore {
    /// The store over the Durable Object namespace bound as `binding`.
    /// Bindings live as long as the isolate, so the store may be built
    /// once (with the [`Revocation`](sealed_session::revocation::Revocation)
    /// around it) and kept in a `static`.
    ///
    /// # Errors
    ///
    /// When `binding` is not a Durable Object namespace binding.
    pub fn from_env(env: &Env, binding: &str) -> worker::Result<DurableObjectStore> {
        Ok(DurableObjectStore {
            namespace: SendWrapper::new(env.durable_object(binding)?),
        })
    }

    async fn call(&self, op: Op) -> Result<Reply, Error> {
        let connection = |_| Error::RevocationUnavailable {
            reason: UnavailableReason::Connection,
        };
        let stub = self
            .namespace
            .get_by_name(OBJECT_NAME)
            .map_err(connection)?;
        let body = serde_json::to_string(&op).map_err(|_| unavailable())?;
        let mut init = RequestInit::new();
        init.with_method(Method::Post).with_body(Some(body.into()));
        // The URL only routes within the object; it never leaves the runtime.
        let request = Request::new_with_init("https://revocations.invalid/", &init)
            .map_err(|_| unavailable())?;
        let mut response = stub.fetch_with_request(request).await.map_err(connection)?;
        if response.status_code() != 200 {
            return Err(unavailable());
        }
        response.json::<Reply>().await.map_err(|_| unavailable())
    }
}

impl RevocationStore for DurableObjectStore {
    fn status(
        &self,
        id: SessionId,
        subject: Option<&str>,
        now: i64,
    ) -> impl Future<Output = sealed_session::Result<Status>> + Send {
        let op = Op::Status {
            id: *id.as_bytes(),
            subject: subject.map(str::to_owned),
            now,
        };
        SendFuture::new(async move { self.call(op).await?.into_status() })
    }

    fn deny_session(
        &self,
        entry: DeniedSession<'_>,
        now: i64,
    ) -> impl Future<Output = sealed_session::Result<Denial>> + Send {
        let op = Op::Deny {
            id: *entry.id.as_bytes(),
            subject: entry.subject.map(str::to_owned),
            issued_at: entry.issued_at,
            until: entry.until,
            now,
        };
        SendFuture::new(async move { self.call(op).await?.into_denial() })
    }

    fn set_subject_not_before(
        &self,
        subject: &str,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = sealed_session::Result<()>> + Send {
        let op = Op::SubjectNotBefore {
            subject: subject.to_owned(),
            not_before,
            until,
            now,
        };
        SendFuture::new(async move { self.call(op).await?.into_done() })
    }

    fn set_global_not_before(
        &self,
        not_before: i64,
        until: i64,
        now: i64,
    ) -> impl Future<Output = sealed_session::Result<()>> + Send {
        let op = Op::GlobalNotBefore {
            not_before,
            until,
            now,
        };
        SendFuture::new(async move { self.call(op).await?.into_done() })
    }
}
