//! Why a session type's schema could not be traced.

use core::fmt;

/// Why the schema of a session type could not be derived from its serde
/// shape; see [`ConfigError::UntraceableSchema`](crate::ConfigError). Such
/// a type needs an explicit version
/// ([`SealerBuilder::with_schema_version`](crate::SealerBuilder::with_schema_version)).
///
/// ```
/// use sealed_session::{ConfigError, UntraceableReason, schema};
/// // `serde_json::Value`-like types describe themselves only at run time.
/// #[derive(serde::Deserialize)]
/// #[serde(untagged)]
/// enum Loose { Number(u32), Text(String) }
/// assert_eq!(
///     schema::fingerprint::<Loose>(),
///     Err(ConfigError::UntraceableSchema { reason: UntraceableReason::SelfDescribing })
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UntraceableReason {
    /// The type asks the data what it is (`deserialize_any`): untagged or
    /// internally tagged enums, `#[serde(flatten)]`, JSON values.
    SelfDescribing,
    /// The type's `Deserialize` rejected the values the tracer invents
    /// (it validates what it reads).
    Rejected,
    /// Nested deeper than 64 levels.
    TooDeep,
    /// More than 4096 enum variants to visit.
    TooLarge,
    /// An enum variant could only be reached through itself.
    Recursive,
    /// Two different enums share one name.
    Ambiguous,
}

impl fmt::Display for UntraceableReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UntraceableReason::SelfDescribing => {
                "it reads self-describing data (untagged or internally tagged enum, flatten, any)"
            }
            UntraceableReason::Rejected => "its Deserialize rejected invented values",
            UntraceableReason::TooDeep => "it nests deeper than 64 levels",
            UntraceableReason::TooLarge => "it has more than 4096 enum variants to visit",
            UntraceableReason::Recursive => "an enum variant is reachable only through itself",
            UntraceableReason::Ambiguous => "two different enums share one name",
        })
    }
}
