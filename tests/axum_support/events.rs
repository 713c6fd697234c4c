//! A `tracing` subscriber that records the events of the code it runs,
//! one line each: `LEVEL target field=value ...`.

use std::sync::{Arc, Mutex};

/// Records the `tracing` events of the code it runs.
#[derive(Default, Clone)]
pub struct Events(pub Arc<Mutex<Vec<String>>>);

impl tracing::Subscriber for Events {
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
        let mut line = format!(
            "{} {} ",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Text(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

impl Events {
    /// Runs `f` (a future) on a current-thread runtime with this
    /// subscriber, and returns its output.
    pub fn capture<F: std::future::Future>(&self, f: F) -> F::Output {
        tracing::subscriber::with_default(self.clone(), || {
            // Another test thread may have registered a callsite as "never
            // interesting" while this subscriber was being installed (tests
            // run in parallel, each with a thread-local subscriber): ask
            // again, or the event is lost and the test flakes under load.
            tracing::callsite::rebuild_interest_cache();
            tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap()
                .block_on(f)
        })
    }

    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
