//! The tracer's state across passes (which enum variants are described)
//! and along one pass (the path of containers, recursion), and its error.

use crate::error::UntraceableReason;
use core::fmt::Write as _;
use serde::de;
use std::collections::BTreeMap;

/// Nesting beyond this is refused rather than followed.
const MAX_DEPTH: usize = 64;

#[derive(Default)]
pub(super) struct Explorer {
    pub(super) enums: BTreeMap<&'static str, EnumInfo>,
    /// Whether this pass described a variant not seen before.
    pub(super) progress: bool,
    /// Container names from the root to here.
    pub(super) stack: Vec<&'static str>,
    /// Inside a repeated container: invent as little as possible.
    pub(super) recursing: usize,
}

pub(super) struct EnumInfo {
    pub(super) variants: &'static [&'static str],
    /// Each variant's content, once described.
    pub(super) contents: Vec<Option<String>>,
    pub(super) started: Vec<bool>,
}

/// A serde error that carries only a reason, never the invented data.
#[derive(Debug)]
pub(crate) struct TraceError(pub(super) UntraceableReason);

impl core::fmt::Display for TraceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for TraceError {}

impl de::Error for TraceError {
    fn custom<M: core::fmt::Display>(_: M) -> Self {
        TraceError(UntraceableReason::Rejected)
    }
}

pub(super) type Res<T> = Result<T, TraceError>;

pub(super) fn fail<T>(reason: UntraceableReason) -> Res<T> {
    Err(TraceError(reason))
}

pub(super) struct Tracer<'a> {
    pub(super) ex: &'a mut Explorer,
    pub(super) out: &'a mut String,
    pub(super) depth: usize,
}

impl<'a> Tracer<'a> {
    pub(super) fn child<'b>(&'b mut self, out: &'b mut String) -> Res<Tracer<'b>> {
        if self.depth >= MAX_DEPTH {
            return fail(UntraceableReason::TooDeep);
        }
        Ok(Tracer {
            ex: self.ex,
            out,
            depth: self.depth + 1,
        })
    }

    /// Runs `visit` inside the container `name`; a container already on
    /// the path is written as a reference and visited with empty content.
    pub(super) fn container<R>(
        &mut self,
        name: &'static str,
        visit: impl FnOnce(&mut Tracer<'_>) -> Res<R>,
    ) -> Res<R> {
        let repeated = self.ex.stack.contains(&name);
        if repeated {
            let _ = write!(self.out, "@{name}");
            self.ex.recursing += 1;
        }
        self.ex.stack.push(name);
        let mut sink = String::new();
        let result = if repeated {
            let mut child = self.child(&mut sink)?;
            visit(&mut child)
        } else {
            visit(self)
        };
        self.ex.stack.pop();
        if repeated {
            self.ex.recursing -= 1;
        }
        result
    }
}
