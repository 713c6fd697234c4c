//! Schema identity, migrations and rolling deploys (README, "Changing the
//! session type"). Each pair of modules below is one session type before
//! and after a deploy: the same serde name, a changed shape.

use sealed_session::{
    Codec, ConfigError, Error, Key, KeyRing, Sealer, Session, SessionData, UntraceableReason,
    schema,
};
use serde::{Deserialize, Serialize};

mod before {
    use super::*;
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    pub struct Visit {
        pub user: String,
        pub role: String,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Count {
        pub user: String,
        pub visits: u32,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub enum Plan {
        Free,
        Paid { seats: u32 },
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Account {
        pub plan: Plan,
        pub prefs: Prefs,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Prefs {
        pub theme: String,
    }
}

mod after {
    use super::*;
    /// The fields of `before::Visit`, reordered.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Visit {
        pub role: String,
        pub user: String,
    }
    /// `before::Count` with a field added (with a default).
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Count {
        pub user: String,
        pub visits: u32,
        #[serde(default)]
        pub theme: Option<String>,
    }
    /// An enum variant added.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub enum Plan {
        Free,
        Paid { seats: u32 },
        Trial,
    }
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Account {
        pub plan: Plan,
        pub prefs: Prefs,
    }
    /// A nested struct's field changes type.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Prefs {
        pub theme: u8,
    }
}

mod removed {
    use super::*;
    /// `before::Count` without `visits`.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Count {
        pub user: String,
    }
}

mod renamed {
    use super::*;
    /// `before::Count` with `visits` renamed.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Count {
        pub user: String,
        pub hits: u32,
    }
}

mod retyped {
    use super::*;
    /// `before::Count` with `visits` a string.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    pub struct Count {
        pub user: String,
        pub visits: String,
    }
}

fn ring() -> KeyRing {
    KeyRing::new(Key::from_bytes(
        sealed_session::Algorithm::default(),
        1,
        &[7; 32],
    ))
}

fn sealer(codec: Codec) -> Sealer {
    Sealer::builder(ring()).with_codec(codec).build().unwrap()
}

fn codecs() -> Vec<Codec> {
    vec![Codec::Postcard, Codec::MessagePack]
}

fn cookie<T: SessionData>(codec: Codec, data: T) -> String {
    sealer(codec).seal_value(&Session::new(data)).unwrap()
}

fn mismatch<T: SessionData + core::fmt::Debug>(codec: Codec, value: &str) {
    match sealer(codec).open::<T>(value) {
        Err(Error::SchemaMismatch { found, expected }) => {
            assert_ne!(found, expected);
            assert_eq!(expected, schema::fingerprint::<T>().unwrap());
        }
        other => panic!("{codec:?}: expected SchemaMismatch, got {other:?}"),
    }
}

fn count() -> before::Count {
    before::Count {
        user: "ann".into(),
        visits: 3,
    }
}

#[test]
fn reordered_fields_of_one_type_never_open_swapped() {
    let value = cookie(
        Codec::Postcard,
        before::Visit {
            user: "viewer".into(),
            role: "admin".into(),
        },
    );
    mismatch::<after::Visit>(Codec::Postcard, &value);
    // MessagePack names the fields: the values land where they belong.
    let value = cookie(
        Codec::MessagePack,
        before::Visit {
            user: "viewer".into(),
            role: "admin".into(),
        },
    );
    let opened = sealer(Codec::MessagePack)
        .open::<after::Visit>(&value)
        .unwrap();
    assert_eq!(opened.session().data().user, "viewer");
    assert_eq!(opened.session().data().role, "admin");
    assert!(opened.reseal().schema);
}

#[test]
fn an_added_field_is_a_new_schema_under_postcard_and_reads_under_messagepack() {
    mismatch::<after::Count>(Codec::Postcard, &cookie(Codec::Postcard, count()));
    let opened = sealer(Codec::MessagePack)
        .open::<after::Count>(&cookie(Codec::MessagePack, count()))
        .unwrap();
    assert_eq!(opened.session().data().visits, 3);
    assert_eq!(opened.session().data().theme, None);
    assert!(opened.needs_reseal());
}

#[test]
fn a_removed_field_is_a_new_schema_under_postcard_and_reads_under_messagepack() {
    mismatch::<removed::Count>(Codec::Postcard, &cookie(Codec::Postcard, count()));
    let opened = sealer(Codec::MessagePack)
        .open::<removed::Count>(&cookie(Codec::MessagePack, count()))
        .unwrap();
    assert_eq!(opened.session().data().user, "ann");
}

#[test]
fn renamed_and_retyped_fields_are_refused_by_both_codecs() {
    for codec in codecs() {
        mismatch::<renamed::Count>(codec, &cookie(codec, count()));
        mismatch::<retyped::Count>(codec, &cookie(codec, count()));
    }
}

#[test]
fn an_added_enum_variant_and_a_nested_change_are_new_schemas() {
    let account = || before::Account {
        plan: before::Plan::Paid { seats: 2 },
        prefs: before::Prefs {
            theme: "dark".into(),
        },
    };
    assert_ne!(
        schema::fingerprint::<before::Plan>().unwrap(),
        schema::fingerprint::<after::Plan>().unwrap()
    );
    // The variant added to an existing enum: postcard refuses, MessagePack
    // reads the old variant.
    mismatch::<after::Plan>(
        Codec::Postcard,
        &cookie(Codec::Postcard, before::Plan::Free),
    );
    let opened = sealer(Codec::MessagePack)
        .open::<after::Plan>(&cookie(Codec::MessagePack, before::Plan::Paid { seats: 4 }))
        .unwrap();
    assert_eq!(*opened.session().data(), after::Plan::Paid { seats: 4 });
    // A change two levels down (Prefs.theme: String -> u8) in both codecs.
    for codec in codecs() {
        mismatch::<after::Account>(codec, &cookie(codec, account()));
    }
}

#[test]
fn an_unchanged_type_opens_without_a_reseal_in_both_codecs() {
    for codec in codecs() {
        let opened = sealer(codec)
            .open::<before::Count>(&cookie(codec, count()))
            .unwrap();
        assert_eq!(*opened.session().data(), count());
        assert!(!opened.needs_reseal(), "{codec:?}");
    }
}

#[test]
fn a_cookie_of_the_other_codec_opens_and_moves_to_this_sealers_codec() {
    let value = cookie(Codec::MessagePack, count());
    let opened = sealer(Codec::Postcard)
        .open::<before::Count>(&value)
        .unwrap();
    assert_eq!(*opened.session().data(), count());
    assert!(opened.reseal().schema);
    let resealed = sealer(Codec::Postcard)
        .seal_value(opened.session())
        .unwrap();
    assert!(resealed.len() < value.len(), "postcard carries no names");
    let opened = sealer(Codec::Postcard)
        .open::<before::Count>(&resealed)
        .unwrap();
    assert!(!opened.needs_reseal());
}

/// v0 -> v1 -> v2, each a separate deploy; a v0 cookie opens on v2.
mod chain {
    use super::*;
    pub mod v0 {
        use super::*;
        #[derive(Serialize, Deserialize)]
        pub struct User {
            pub name: String,
        }
    }
    pub mod v1 {
        use super::*;
        #[derive(Serialize, Deserialize)]
        pub struct User {
            pub name: String,
            pub admin: bool,
        }
    }
    pub mod v2 {
        use super::*;
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        pub enum Role {
            Admin,
            Member,
        }
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        pub struct User {
            pub name: String,
            pub role: Role,
        }
    }

    pub fn v2_sealer() -> Sealer {
        Sealer::builder(ring())
            .with_migration(|u: v0::User| v1::User {
                name: u.name,
                admin: false,
            })
            .with_migration(|u: v1::User| v2::User {
                name: u.name,
                role: if u.admin {
                    v2::Role::Admin
                } else {
                    v2::Role::Member
                },
            })
            .with_schema::<v2::User>()
            .build()
            .unwrap()
    }
}

#[test]
fn a_two_step_migration_chain_opens_the_oldest_cookie_and_asks_for_a_reseal() {
    use chain::*;
    let v0_cookie = cookie(Codec::Postcard, v0::User { name: "ann".into() });
    let v1_cookie = cookie(
        Codec::Postcard,
        v1::User {
            name: "bob".into(),
            admin: true,
        },
    );
    let new = v2_sealer();
    let opened = new.open::<v2::User>(&v0_cookie).unwrap();
    assert_eq!(opened.session().data().role, v2::Role::Member);
    assert!(opened.reseal().schema);
    let opened = new.open::<v2::User>(&v1_cookie).unwrap();
    assert_eq!(opened.session().data().role, v2::Role::Admin);
    // The re-sealed cookie is of v2's schema: no migration the next time,
    // and its session id and times survive the move.
    let resealed = new.seal_value(opened.session()).unwrap();
    let again = new.open::<v2::User>(&resealed).unwrap();
    assert!(!again.needs_reseal());
    assert_eq!(again.session().id(), opened.session().id());
    // The intermediate type still opens v0 cookies (the first edge only).
    let v1 = new.open::<v1::User>(&v0_cookie).unwrap();
    assert!(!v1.session().data().admin);
}

#[test]
fn a_failed_migration_is_a_typed_error_not_a_session() {
    use chain::*;
    let sealer = Sealer::builder(ring())
        .with_fallible_migration(|u: v1::User| {
            (!u.admin).then_some(v2::User {
                name: u.name,
                role: v2::Role::Member,
            })
        })
        .build()
        .unwrap();
    let admin = cookie(
        Codec::Postcard,
        v1::User {
            name: "eve".into(),
            admin: true,
        },
    );
    let from = schema::fingerprint::<v1::User>().unwrap();
    let err = sealer.open::<v2::User>(&admin).unwrap_err();
    assert_eq!(err, Error::MigrationFailed { from });
    assert!(!err.is_client_fault());
    assert!(
        !Error::SchemaMismatch {
            found: 1,
            expected: 2
        }
        .is_client_fault()
    );
}

/// Step 1 of a rolling deploy: nodes still on v1 learn to read v2 (staged);
/// step 2: nodes on v2 read v1 (migration). Both kinds serve the same users
/// at once, in both directions, and nobody is logged out.
#[test]
fn a_rolling_deploy_logs_nobody_out_in_either_direction() {
    use after::Count as V2;
    use before::Count as V1;
    let old_node = Sealer::builder(ring())
        .with_staged_schema(|v2: V2| V1 {
            user: v2.user,
            visits: v2.visits,
        })
        .build()
        .unwrap();
    let new_node = Sealer::builder(ring())
        .with_migration(|v1: V1| V2 {
            user: v1.user,
            visits: v1.visits,
            theme: None,
        })
        .build()
        .unwrap();
    let from_new = new_node
        .seal_value(&Session::new(V2 {
            user: "ann".into(),
            visits: 5,
            theme: Some("dark".into()),
        }))
        .unwrap();
    // An old node reads the new cookie and leaves it as it is.
    let opened = old_node.open::<V1>(&from_new).unwrap();
    assert_eq!(opened.session().data().visits, 5);
    assert!(!opened.needs_reseal(), "the newer cookie keeps its theme");
    // A new node reads what an old node sealed, and moves it forward.
    let from_old = old_node.seal_value(&Session::new(count())).unwrap();
    let opened = new_node.open::<V2>(&from_old).unwrap();
    assert_eq!(opened.session().data().visits, 3);
    assert!(opened.needs_reseal());
    // Without the staged schema an old node refuses, with a typed error
    // (which the layer reports instead of dropping the session).
    mismatch::<V1>(Codec::Postcard, &from_new);
}

#[test]
fn schema_declarations_that_collide_fail_when_the_sealer_is_built() {
    use chain::*;
    let conflict = |b: sealed_session::SealerBuilder| match b.build() {
        Err(Error::InvalidConfig(ConfigError::ConflictingSchema { .. })) => {}
        other => panic!("expected ConflictingSchema, got {:?}", other.map(|_| ())),
    };
    // Two migrations from one type.
    conflict(
        Sealer::builder(ring())
            .with_migration(|u: v0::User| v1::User {
                name: u.name,
                admin: false,
            })
            .with_migration(|u: v0::User| v2::User {
                name: u.name,
                role: v2::Role::Member,
            }),
    );
    // Two types pinned to one version.
    conflict(
        Sealer::builder(ring())
            .with_schema_version::<v0::User>(3)
            .with_schema_version::<v1::User>(3),
    );
    // A migration between types of one schema would never run.
    conflict(
        Sealer::builder(ring())
            .with_schema_version::<v0::User>(3)
            .with_schema_version::<v1::User>(3)
            .with_migration(|u: v0::User| v1::User {
                name: u.name,
                admin: false,
            }),
    );
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
#[serde(try_from = "String", into = "String")]
struct Email(String);

impl TryFrom<String> for Email {
    type Error = &'static str;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.contains('@') {
            Ok(Email(s))
        } else {
            Err("not an email address")
        }
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[test]
fn an_untraceable_type_fails_the_build_when_declared_and_works_with_a_version() {
    let untraceable = Error::InvalidConfig(ConfigError::UntraceableSchema {
        reason: UntraceableReason::Rejected,
    });
    let declared = Sealer::builder(ring()).with_schema::<Email>().build();
    assert_eq!(declared.map(|_| ()), Err(untraceable.clone()));
    // Undeclared: refused on use, never sealed without a schema.
    let plain = sealer(Codec::Postcard);
    assert_eq!(
        plain.seal_value(&Session::new(Email("a@b".into()))),
        Err(untraceable)
    );
    let pinned = Sealer::builder(ring())
        .with_schema_version::<Email>(7)
        .build()
        .unwrap();
    let value = pinned
        .seal_value(&Session::new(Email("a@b".into())))
        .unwrap();
    assert_eq!(
        pinned.open::<Email>(&value).unwrap().session().data().0,
        "a@b"
    );
    // Another sealer without the version does not know the schema.
    assert!(matches!(
        Sealer::builder(ring())
            .with_schema_version::<String>(7)
            .build()
            .unwrap()
            .open::<Email>(&value),
        Err(Error::InvalidConfig(_))
    ));
}

#[test]
fn self_describing_types_are_untraceable() {
    #[derive(Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Loose {
        Number(u32),
        Text(String),
    }
    #[derive(Deserialize)]
    #[serde(tag = "kind")]
    #[allow(dead_code)]
    enum Tagged {
        A { x: u32 },
    }
    let reason = |r| Err(ConfigError::UntraceableSchema { reason: r });
    assert_eq!(
        schema::fingerprint::<Loose>(),
        reason(UntraceableReason::SelfDescribing)
    );
    assert_eq!(
        schema::fingerprint::<Tagged>(),
        reason(UntraceableReason::SelfDescribing)
    );
    assert_eq!(
        schema::fingerprint::<serde_json::Value>(),
        reason(UntraceableReason::SelfDescribing)
    );
}

/// A build without a codec or compression reads nothing of such a cookie,
/// but the cookie is authentic: another node may read it, so it is not
/// the client's fault (the layer keeps it instead of deleting it).
#[test]
fn a_payload_this_build_cannot_decode_is_not_the_clients_fault() {
    use sealed_session::Malformed;
    for why in [
        Malformed::CodecUnsupported,
        Malformed::CompressionUnsupported,
    ] {
        assert!(!Error::Malformed(why).is_client_fault(), "{why}");
    }
    assert!(Error::Malformed(Malformed::Envelope).is_client_fault());
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "wasm targets abort on panic: nothing to catch"
)]
fn a_migration_that_panics_is_a_failed_migration_not_a_crash() {
    use chain::*;
    let sealer = Sealer::builder(ring())
        .with_migration(|u: v1::User| -> v2::User {
            assert!(!u.admin, "a migration that did not expect admins");
            v2::User {
                name: u.name,
                role: v2::Role::Member,
            }
        })
        .build()
        .unwrap();
    let admin = cookie(
        Codec::Postcard,
        v1::User {
            name: "eve".into(),
            admin: true,
        },
    );
    let from = schema::fingerprint::<v1::User>().unwrap();
    assert_eq!(
        sealer.open::<v2::User>(&admin).unwrap_err(),
        Error::MigrationFailed { from }
    );
}
