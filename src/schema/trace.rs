//! The shape of a `Deserialize` type, as serde's data model sees it: a
//! canonical text of its structs (with field names, in order), enums (with
//! every variant and its content), sequences, maps, options and scalars.
//!
//! The type is driven by a deserializer that invents values. One pass
//! visits one variant of each enum it meets, so passes repeat until every
//! variant of every enum reached has been described. Recursive types
//! (`Option<Box<Self>>`, `enum List { Cons(Box<List>), Nil }`) stop at the
//! first repetition of a container name: the inner occurrence is written
//! as `@Name` and gets empty options, sequences and maps and the enum's
//! smallest known variant.
//!
//! What needs data the tracer cannot invent (`deserialize_any`:
//! untagged or internally tagged enums, `serde_json::Value`, flatten;
//! types whose `Deserialize` validates what it reads) is untraceable and
//! needs an explicit version.

use super::access::{Elements, Entries, Variant};
use super::tracer::{EnumInfo, Explorer, Res, TraceError, Tracer, fail};
use crate::error::UntraceableReason;
use core::fmt::Write as _;
use serde::de::{self, Visitor};

/// Each pass describes at least one more variant; more passes than this
/// means the type is too large to trace at startup.
const MAX_PASSES: usize = 4096;

/// The canonical text of `T`'s shape.
pub(crate) fn shape<T: de::DeserializeOwned>() -> Result<String, UntraceableReason> {
    let mut explorer = Explorer::default();
    let mut top = None;
    for _ in 0..MAX_PASSES {
        explorer.progress = false;
        let mut out = String::new();
        T::deserialize(Tracer {
            ex: &mut explorer,
            out: &mut out,
            depth: 0,
        })
        .map_err(|e| e.0)?;
        top.get_or_insert(out);
        if !explorer.progress {
            let mut text = top.unwrap_or_default();
            for (name, info) in &explorer.enums {
                let _ = write!(text, "\nenum {name}{{");
                for (variant, content) in info.variants.iter().zip(&info.contents) {
                    let content = content.as_deref().ok_or(UntraceableReason::Recursive)?;
                    let _ = write!(text, "{variant}:{content};");
                }
                text.push('}');
            }
            return Ok(text);
        }
    }
    Err(UntraceableReason::TooLarge)
}

macro_rules! scalar {
    ($($method:ident $name:literal $visit:ident $value:expr;)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
            self.out.push_str($name);
            visitor.$visit($value)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Tracer<'_> {
    type Error = TraceError;

    // Ones, not zeros: `NonZero*` and similar checks accept them.
    scalar! {
        deserialize_bool "bool" visit_bool false;
        deserialize_i8 "i8" visit_i8 1;
        deserialize_i16 "i16" visit_i16 1;
        deserialize_i32 "i32" visit_i32 1;
        deserialize_i64 "i64" visit_i64 1;
        deserialize_i128 "i128" visit_i128 1;
        deserialize_u8 "u8" visit_u8 1;
        deserialize_u16 "u16" visit_u16 1;
        deserialize_u32 "u32" visit_u32 1;
        deserialize_u64 "u64" visit_u64 1;
        deserialize_u128 "u128" visit_u128 1;
        deserialize_f32 "f32" visit_f32 1.0;
        deserialize_f64 "f64" visit_f64 1.0;
        deserialize_char "char" visit_char 'a';
        deserialize_str "str" visit_str "";
        deserialize_string "str" visit_str "";
        deserialize_bytes "bytes" visit_bytes &[];
        deserialize_byte_buf "bytes" visit_bytes &[];
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Res<V::Value> {
        self.out.push_str("()");
        visitor.visit_unit()
    }

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Res<V::Value> {
        fail(UntraceableReason::SelfDescribing)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, _: V) -> Res<V::Value> {
        fail(UntraceableReason::SelfDescribing)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, _: V) -> Res<V::Value> {
        fail(UntraceableReason::SelfDescribing)
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Res<V::Value> {
        self.out.push_str("option<");
        let value = if self.ex.recursing > 0 {
            visitor.visit_none()
        } else {
            let mut inner = String::new();
            let value = visitor.visit_some(self.child(&mut inner)?);
            self.out.push_str(&inner);
            value
        };
        self.out.push('>');
        value
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        let _ = write!(self.out, "{name}");
        self.container(name, |_| visitor.visit_unit())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Res<V::Value> {
        let _ = write!(self.out, "{name}(");
        let value = self.container(name, |t| {
            let mut inner = String::new();
            let value = visitor.visit_newtype_struct(t.child(&mut inner)?);
            t.out.push_str(&inner);
            value
        });
        self.out.push(')');
        value
    }

    fn deserialize_seq<V: Visitor<'de>>(mut self, visitor: V) -> Res<V::Value> {
        self.out.push_str("seq<");
        let count = usize::from(self.ex.recursing == 0);
        let value = visitor.visit_seq(Elements::new(&mut self, None, count));
        self.out.push('>');
        value
    }

    fn deserialize_tuple<V: Visitor<'de>>(mut self, len: usize, visitor: V) -> Res<V::Value> {
        self.out.push_str("tuple(");
        let value = visitor.visit_seq(Elements::new(&mut self, None, len));
        self.out.push(')');
        value
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Res<V::Value> {
        let _ = write!(self.out, "{name}(");
        let value = self.container(name, |t| visitor.visit_seq(Elements::new(t, None, len)));
        self.out.push(')');
        value
    }

    fn deserialize_map<V: Visitor<'de>>(mut self, visitor: V) -> Res<V::Value> {
        self.out.push_str("map<");
        let count = usize::from(self.ex.recursing == 0);
        let value = visitor.visit_map(Entries::new(&mut self, count));
        self.out.push('>');
        value
    }

    fn deserialize_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        let _ = write!(self.out, "{name}{{");
        let value = self.container(name, |t| {
            visitor.visit_seq(Elements::new(t, Some(fields), fields.len()))
        });
        self.out.push('}');
        value
    }

    fn deserialize_enum<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        let _ = write!(self.out, "enum {name}");
        if variants.is_empty() {
            return fail(UntraceableReason::Rejected);
        }
        let recursing = self.ex.recursing > 0 || self.ex.stack.contains(&name);
        let info = self.ex.enums.entry(name).or_insert_with(|| EnumInfo {
            variants,
            contents: vec![None; variants.len()],
            started: vec![false; variants.len()],
        });
        if info.variants != variants {
            // Two enums of one name: their variants would be mixed up.
            return fail(UntraceableReason::Ambiguous);
        }
        let fresh = (!recursing)
            .then(|| info.started.iter().position(|started| !started))
            .flatten();
        let index = match fresh {
            Some(index) => {
                info.started[index] = true;
                self.ex.progress = true;
                index
            }
            // The smallest variant described so far keeps invented values
            // (and recursion) short; inside a recursion before any is
            // described, one not yet begun (a later pass describes it).
            None => (0..variants.len())
                .filter(|&i| info.contents[i].is_some())
                .min_by_key(|&i| info.contents[i].as_ref().map(String::len))
                .or_else(|| info.started.iter().position(|started| !started))
                .unwrap_or(0),
        };
        let mut content = String::new();
        let value = self.container(name, |t| {
            let variant = Variant::new(t.child(&mut content)?, index as u32);
            visitor.visit_enum(variant)
        })?;
        if fresh.is_some() {
            self.ex
                .enums
                .get_mut(name)
                .expect("inserted above")
                .contents[index] = Some(content);
        }
        Ok(value)
    }

    fn is_human_readable(&self) -> bool {
        // As postcard and rmp-serde: types that print themselves for JSON
        // (times, addresses) take their compact form here too.
        false
    }
}
