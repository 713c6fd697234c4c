//! The schema fingerprint: what it sees of a type, that it is stable
//! (fixed expected values, also checked by the wasm suite), and that it
//! reaches enums nested anywhere and survives recursive types.

use sealed_session::schema::{fingerprint, shape};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Demo {
    user: String,
    visits: u32,
    roles: Vec<Role>,
    theme: Option<Theme>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
enum Role {
    Admin,
    Editor { sections: Vec<u16> },
    Viewer(u8),
}

#[derive(Deserialize)]
#[allow(dead_code)]
enum Theme {
    Light,
    Dark,
}

#[test]
fn the_fingerprint_is_fixed_across_builds_and_platforms() {
    assert_eq!(
        shape::<Demo>().unwrap(),
        "Demo{user:str,visits:u32,roles:seq<enum Role,>,theme:option<enum Theme>,}\n\
         enum Role{Admin:();Editor:{sections:seq<u16,>,};Viewer:u8;}\n\
         enum Theme{Light:();Dark:();}"
    );
    // SHA-256 of the domain label and the text above, high bit set: any
    // change to the tracer or the hash shows here first (and in the wasm
    // suite, which runs this test on wasm32-wasip1).
    assert_eq!(fingerprint::<Demo>().unwrap(), 0xD3E7_6FD9);
    assert_eq!(fingerprint::<u32>().unwrap(), 0xE66B_D908);
}

#[test]
fn enums_behind_options_sequences_and_maps_are_traced_to_every_variant() {
    mod a {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub enum Flag {
            On,
            Off,
        }
    }
    mod b {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub enum Flag {
            On,
            Off,
            Auto,
        }
    }
    type Deep<F> = Vec<Option<BTreeMap<String, (u8, F)>>>;
    assert_ne!(
        fingerprint::<Deep<a::Flag>>().unwrap(),
        fingerprint::<Deep<b::Flag>>().unwrap()
    );
    assert!(
        shape::<Deep<b::Flag>>()
            .unwrap()
            .ends_with("enum Flag{On:();Off:();Auto:();}")
    );
}

#[test]
fn recursive_types_trace_without_looping() {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Node {
        value: u32,
        next: Option<Box<Node>>,
    }
    #[derive(Deserialize)]
    #[allow(dead_code)]
    enum List {
        Cons(u32, Box<List>),
        Nil,
    }
    #[derive(Deserialize)]
    #[allow(dead_code)]
    enum Tree {
        Leaf(u8),
        Branch(Vec<Tree>),
    }
    assert_eq!(
        shape::<Node>().unwrap(),
        "Node{value:u32,next:option<Node{@Node}>,}"
    );
    assert!(shape::<List>().unwrap().contains("Nil:()"));
    assert!(shape::<Tree>().unwrap().contains("Leaf:u8"));
}

#[test]
fn common_field_types_trace() {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Everything {
        when: time::OffsetDateTime,
        count: std::num::NonZeroU32,
        pair: (i64, char),
        bytes: Vec<u8>,
        flags: std::collections::HashSet<String>,
        unit: (),
        wrapped: Wrapper,
        marker: Marker,
        #[serde(skip)]
        skipped: u8,
    }
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Wrapper(u64);
    #[derive(Deserialize)]
    struct Marker;
    let text = shape::<Everything>().unwrap();
    assert!(text.contains("count:u32,"), "{text}");
    assert!(text.contains("pair:tuple(i64,char,),"), "{text}");
    assert!(
        text.contains("wrapped:Wrapper(u64),marker:Marker,"),
        "{text}"
    );
    assert!(!text.contains("skipped"), "{text}");
}

#[test]
fn what_the_fingerprint_tells_apart() {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct A {
        x: u32,
        y: u32,
    }
    mod renamed_type {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub struct B {
            pub x: u32,
            pub y: u32,
        }
    }
    mod same {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub struct A {
            pub x: u32,
            pub y: u32,
        }
    }
    mod wider {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub struct A {
            pub x: u32,
            pub y: u64,
        }
    }
    let id = fingerprint::<A>().unwrap();
    assert_eq!(id, fingerprint::<same::A>().unwrap(), "same serde shape");
    assert_ne!(id, fingerprint::<renamed_type::B>().unwrap());
    assert_ne!(id, fingerprint::<wider::A>().unwrap());
    assert_ne!(id, fingerprint::<(u32, u32)>().unwrap());
}

#[test]
#[cfg_attr(
    target_family = "wasm",
    ignore = "wasm targets abort on panic: nothing to catch"
)]
fn a_deserialize_that_panics_on_invented_values_is_untraceable_not_a_crash() {
    struct Picky;
    impl<'de> Deserialize<'de> for Picky {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let n = u32::deserialize(d)?;
            assert!(n > 1, "a hand-written impl that panics instead of failing");
            Ok(Picky)
        }
    }
    assert_eq!(
        fingerprint::<Picky>(),
        Err(sealed_session::ConfigError::UntraceableSchema {
            reason: sealed_session::UntraceableReason::Rejected
        })
    );
}
