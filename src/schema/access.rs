//! The serde access types the tracer hands to visitors: the elements of
//! a sequence, tuple or struct, a map's one invented entry, one enum
//! variant. Each writes what it visits into the tracer's text.

use super::tracer::{Res, TraceError, Tracer};
use core::fmt::Write as _;
use serde::de::{self, DeserializeSeed, IntoDeserializer as _, Visitor};

/// The elements of a sequence, tuple or struct (with field names).
pub(super) struct Elements<'t, 'a> {
    tracer: &'t mut Tracer<'a>,
    fields: Option<&'static [&'static str]>,
    at: usize,
    len: usize,
}

impl<'t, 'a> Elements<'t, 'a> {
    pub(super) fn new(
        tracer: &'t mut Tracer<'a>,
        fields: Option<&'static [&'static str]>,
        len: usize,
    ) -> Self {
        Elements {
            tracer,
            fields,
            at: 0,
            len,
        }
    }
}

impl<'de> de::SeqAccess<'de> for Elements<'_, '_> {
    type Error = TraceError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Res<Option<S::Value>> {
        if self.at == self.len {
            return Ok(None);
        }
        if let Some(field) = self.fields.and_then(|f| f.get(self.at)) {
            let _ = write!(self.tracer.out, "{field}:");
        }
        self.at += 1;
        let mut inner = String::new();
        let value = seed.deserialize(self.tracer.child(&mut inner)?)?;
        self.tracer.out.push_str(&inner);
        self.tracer.out.push(',');
        Ok(Some(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len - self.at)
    }
}

/// A map's one invented entry.
pub(super) struct Entries<'t, 'a> {
    tracer: &'t mut Tracer<'a>,
    left: usize,
}

impl<'t, 'a> Entries<'t, 'a> {
    pub(super) fn new(tracer: &'t mut Tracer<'a>, left: usize) -> Self {
        Entries { tracer, left }
    }
}

impl<'de> de::MapAccess<'de> for Entries<'_, '_> {
    type Error = TraceError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Res<Option<K::Value>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let mut inner = String::new();
        let key = seed.deserialize(self.tracer.child(&mut inner)?)?;
        self.tracer.out.push_str(&inner);
        self.tracer.out.push_str("=>");
        Ok(Some(key))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Res<S::Value> {
        let mut inner = String::new();
        let value = seed.deserialize(self.tracer.child(&mut inner)?)?;
        self.tracer.out.push_str(&inner);
        Ok(value)
    }
}

/// One variant of an enum, chosen by index.
pub(super) struct Variant<'a> {
    tracer: Tracer<'a>,
    index: u32,
}

impl<'a> Variant<'a> {
    pub(super) fn new(tracer: Tracer<'a>, index: u32) -> Self {
        Variant { tracer, index }
    }
}

impl<'de, 'a> de::EnumAccess<'de> for Variant<'a> {
    type Error = TraceError;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Res<(S::Value, Self)> {
        let index: de::value::U32Deserializer<TraceError> = self.index.into_deserializer();
        Ok((seed.deserialize(index)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_> {
    type Error = TraceError;

    fn unit_variant(self) -> Res<()> {
        self.tracer.out.push_str("()");
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Res<S::Value> {
        seed.deserialize(self.tracer)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Res<V::Value> {
        de::Deserializer::deserialize_tuple(self.tracer, len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        mut self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Res<V::Value> {
        self.tracer.out.push('{');
        let value = visitor.visit_seq(Elements::new(&mut self.tracer, Some(fields), fields.len()));
        self.tracer.out.push('}');
        value
    }
}
