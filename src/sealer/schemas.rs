//! The builder's schema settings: codec, pinned versions, migrations and
//! staged schemas (`crate::schema`; README, "Changing the session type").

use super::builder::SealerBuilder;
use crate::schema::{SessionData, version_id};
use crate::wire::codec::Codec;

impl SealerBuilder {
    /// How session data becomes payload bytes: [`Codec::Postcard`] (the
    /// default: smallest and fastest) or, with the `messagepack` feature,
    /// `Codec::MessagePack` (field names on the wire: added fields with a
    /// default and removed fields open without a migration). A sealer
    /// opens cookies of either codec and seals changed ones in its own.
    ///
    /// ```
    /// # use sealed_session::*;
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_codec(Codec::Postcard)
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Declares a session type of this sealer, so that its schema is
    /// traced when the sealer is built and a type that cannot be traced
    /// fails [`build`](Self::build) instead of the first request. Optional:
    /// undeclared types are traced on first use.
    ///
    /// ```
    /// # use sealed_session::*;
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Cart { items: Vec<u32> }
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_schema::<Cart>()
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_schema<T: SessionData>(mut self) -> Self {
        self.schemas.declare::<T>();
        self
    }

    /// Gives `T` the explicit schema version `n` instead of its traced
    /// fingerprint: for types that cannot be traced
    /// ([`ConfigError::UntraceableSchema`](crate::ConfigError::UntraceableSchema)),
    /// or to keep the schema through changes you know are compatible.
    /// Then *you* bump `n` when the shape changes: nothing checks it.
    ///
    /// ```
    /// # use sealed_session::*;
    /// #[derive(serde::Serialize, serde::Deserialize, Clone)]
    /// #[serde(try_from = "String", into = "String")]
    /// struct Email(String);
    /// impl TryFrom<String> for Email {
    ///     type Error = &'static str;
    ///     fn try_from(s: String) -> Result<Self, Self::Error> {
    ///         if s.contains('@') { Ok(Email(s)) } else { Err("not an email address") }
    ///     }
    /// }
    /// impl From<Email> for String {
    ///     fn from(email: Email) -> String { email.0 }
    /// }
    /// // The tracer's invented "" is no email address: tracing fails.
    /// assert!(Sealer::builder(KeyRing::new(Key::generate(1))).with_schema::<Email>().build().is_err());
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_schema_version::<Email>(1)
    ///     .build()?;
    /// let cookie = sealer.seal_value(&Session::new(Email("ann@example.com".into())))?;
    /// assert_eq!(sealer.open::<Email>(&cookie)?.session().data().0, "ann@example.com");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_schema_version<T: SessionData>(mut self, n: u16) -> Self {
        self.schemas.pin::<T>(version_id(n));
        self
    }

    /// Opens cookies of `Old`'s schema as `New`, through `migrate`, and asks
    /// for a re-seal ([`Opened::needs_reseal`](crate::Opened::needs_reseal)),
    /// so the session moves to `New`'s schema on its next response.
    /// Migrations chain: with `V0 -> V1` and `V1 -> V2`, a `V0` cookie opens
    /// as `V2`.
    ///
    /// ```
    /// # use sealed_session::*;
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V1 { user: String }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V2 { user: String, visits: u32 }
    /// let ring = KeyRing::new(Key::generate(1));
    /// let old = Sealer::builder(ring.clone()).build()?;
    /// let new = Sealer::builder(ring)
    ///     .with_migration(|v1: V1| V2 { user: v1.user, visits: 0 })
    ///     .build()?;
    /// let cookie = old.seal_value(&Session::new(V1 { user: "ann".into() }))?;
    /// let opened = new.open::<V2>(&cookie)?;
    /// assert_eq!(opened.session().data().user, "ann");
    /// assert!(opened.needs_reseal());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_migration<Old: SessionData, New: SessionData>(
        mut self,
        migrate: impl Fn(Old) -> New + Send + Sync + 'static,
    ) -> Self {
        self.schemas
            .migrate::<Old, New>(false, move |old| Some(migrate(old)));
        self
    }

    /// [`with_migration`](Self::with_migration) with a migration that may
    /// refuse a session (`None`): opening then fails with
    /// [`Error::MigrationFailed`](crate::Error::MigrationFailed), as it
    /// does when any migration panics (where panics unwind).
    ///
    /// ```
    /// # use sealed_session::*;
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V1 { role: String }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// enum Role { Admin, Viewer }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V2 { role: Role }
    /// let sealer = Sealer::builder(KeyRing::new(Key::generate(1)))
    ///     .with_fallible_migration(|v1: V1| match v1.role.as_str() {
    ///         "admin" => Some(V2 { role: Role::Admin }),
    ///         "viewer" => Some(V2 { role: Role::Viewer }),
    ///         _ => None,
    ///     })
    ///     .build()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_fallible_migration<Old: SessionData, New: SessionData>(
        mut self,
        migrate: impl Fn(Old) -> Option<New> + Send + Sync + 'static,
    ) -> Self {
        self.schemas.migrate::<Old, New>(false, migrate);
        self
    }

    /// Opens cookies of a *newer* schema, `Newer`, as this node's `Current`
    /// during a rolling deploy, without asking for a re-seal: an unchanged
    /// session keeps its newer cookie, so the nodes already on the new
    /// schema lose nothing. A session the handler changes is sealed in
    /// `Current`'s schema (what `down` kept of it). README, "Changing the
    /// session type", has the steps.
    ///
    /// ```
    /// # use sealed_session::*;
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V1 { user: String }
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct V2 { user: String, theme: String }
    /// let ring = KeyRing::new(Key::generate(1));
    /// let new_node = Sealer::builder(ring.clone())
    ///     .with_migration(|v1: V1| V2 { user: v1.user, theme: "light".into() })
    ///     .build()?;
    /// let old_node = Sealer::builder(ring)
    ///     .with_staged_schema(|v2: V2| V1 { user: v2.user })
    ///     .build()?;
    /// let cookie = new_node.seal_value(&Session::new(V2 { user: "ann".into(), theme: "dark".into() }))?;
    /// let opened = old_node.open::<V1>(&cookie)?;
    /// assert_eq!(opened.session().data().user, "ann");
    /// assert!(!opened.needs_reseal());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn with_staged_schema<Newer: SessionData, Current: SessionData>(
        mut self,
        down: impl Fn(Newer) -> Current + Send + Sync + 'static,
    ) -> Self {
        self.schemas
            .migrate::<Newer, Current>(true, move |newer| Some(down(newer)));
        self
    }
}
