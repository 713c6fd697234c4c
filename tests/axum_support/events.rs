//! Records the `tracing` events of the code a test runs, one line each:
//! `LEVEL target field=value ...`.
//!
//! One subscriber is the process's global default, installed once, and it
//! sends each event to the recorder of the thread it happened on (none:
//! dropped). A thread-local subscriber per test raced with the other test
//! threads over tracing's global interest cache and max level: an event
//! could be found "never interesting" while the recording thread's
//! subscriber was being installed or another was being dropped, and a test
//! lost it under load (seen in `a_migrated_cookie_is_resealed_in_the_new_
//! schema_once`, 2 runs in 15). With one global subscriber that is always
//! interested, there is nothing to race on.

use std::cell::RefCell;
use std::sync::{Arc, Mutex, Once};

/// Records the `tracing` events of the code it runs.
#[derive(Default, Clone)]
pub struct Events(pub Arc<Mutex<Vec<String>>>);

thread_local! {
    static RECORDER: RefCell<Option<Events>> = const { RefCell::new(None) };
}

/// The global subscriber: the event goes to this thread's recorder.
struct ToRecorder;

impl tracing::Subscriber for ToRecorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Text<'a>(&'a mut String);
        impl tracing::field::Visit for Text<'_> {
            fn record_debug(
                &mut self,
                field: &tracing::field::Field,
                value: &dyn core::fmt::Debug,
            ) {
                self.0.push_str(&format!("{}={:?} ", field.name(), value));
            }
        }
        RECORDER.with(|recorder| {
            let Some(events) = &*recorder.borrow() else {
                return;
            };
            let mut line = format!(
                "{} {} ",
                event.metadata().level(),
                event.metadata().target()
            );
            event.record(&mut Text(&mut line));
            events.0.lock().unwrap().push(line);
        });
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Clears this thread's recorder when the capture ends, also by a panic.
struct Recording;

impl Drop for Recording {
    fn drop(&mut self) {
        RECORDER.with(|recorder| *recorder.borrow_mut() = None);
    }
}

impl Events {
    /// Runs `f` (a future) on a current-thread runtime, so that all of it
    /// runs on this thread, recording its events; returns its output.
    pub fn capture<F: std::future::Future>(&self, f: F) -> F::Output {
        static INSTALL: Once = Once::new();
        INSTALL.call_once(|| {
            tracing::subscriber::set_global_default(ToRecorder)
                .expect("no other global subscriber in this test binary");
        });
        RECORDER.with(|recorder| *recorder.borrow_mut() = Some(self.clone()));
        let _recording = Recording;
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
