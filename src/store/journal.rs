//! The change journal: one entry per created / updated / deleted record.
//! It names the fields that changed, never their values, so it holds no
//! personal data beyond ids and the advisor's name.

use super::kind::RecordKind;
use crate::domain::time::serde_micros;
use crate::domain::Id;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Persisted (bincode variant index): only append variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    Created,
    Updated,
    Deleted,
}

impl Op {
    pub fn label(self) -> &'static str {
        match self {
            Op::Created => "création",
            Op::Updated => "modification",
            Op::Deleted => "suppression",
        }
    }
}

/// One change. Persisted with envelope version 2 (version 1 had no
/// `note`, see `legacy`): changing this struct means a new version and a
/// migration in `legacy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// The record's `meta.updated_at` (or the time given to a delete).
    #[serde(with = "serde_micros")]
    pub at: DateTime<Utc>,
    pub advisor: String,
    pub kind: RecordKind,
    pub id: Id,
    /// The beneficiary the record belongs to (itself for a beneficiary).
    pub beneficiary: Id,
    pub op: Op,
    /// Top-level field names that changed (sorted); `id` and `meta` are left
    /// out. For a creation: the fields that are filled in. Empty for a delete.
    pub fields: Vec<String>,
    /// What the change was, in French, **without personal data** (e.g.
    /// « ajout du métier cible Aide-soignant (J1501) »); empty when the
    /// field names say enough. Since envelope version 2.
    pub note: String,
}

/// Names of the top-level fields that differ between `old` and `new`,
/// compared through their serde JSON form (so only names, never values,
/// leave this function). With `old = None`, the fields of `new` that are
/// not empty (null, "", [], {}, false are "empty"). `id` and `meta` are
/// bookkeeping and never listed. Sorted.
pub fn changed_fields<T: Serialize>(old: Option<&T>, new: &T) -> Vec<String> {
    use serde_json::Value;
    let to_map = |v: &T| match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let Some(old) = old else {
        return filled_fields(new);
    };
    let new = to_map(new);
    let old = to_map(old);
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| *k != "id" && *k != "meta" && old.get(*k) != new.get(*k))
        .cloned()
        .collect()
}

/// [`changed_fields`] of a creation: the top-level fields of `new` whose
/// JSON form is not empty (null, false, "", [], {}), found by walking its
/// serialization without building that JSON (an import creates 100 000
/// files: the JSON trees were a tenth of its time). Sorted.
fn filled_fields<T: Serialize>(new: &T) -> Vec<String> {
    let mut out = new.serialize(probe::Fields).unwrap_or_default();
    out.sort();
    out
}

/// Serializers that look at a value's shape only (see [`filled_fields`]).
mod probe {
    use serde::ser::{self, Impossible, Serialize};
    use std::fmt;

    #[derive(Debug)]
    pub struct NotAStruct;

    impl fmt::Display for NotAStruct {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("not a struct")
        }
    }

    impl std::error::Error for NotAStruct {}

    impl ser::Error for NotAStruct {
        fn custom<T: fmt::Display>(_: T) -> Self {
            NotAStruct
        }
    }

    /// The top level: a struct, whose filled-in field names it returns.
    pub struct Fields;

    pub struct Names(Vec<String>);

    impl ser::SerializeStruct for Names {
        type Ok = Vec<String>;
        type Error = NotAStruct;
        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), NotAStruct> {
            if key != "id" && key != "meta" && !value.serialize(IsEmpty)? {
                self.0.push(key.to_string());
            }
            Ok(())
        }
        fn end(self) -> Result<Vec<String>, NotAStruct> {
            Ok(self.0)
        }
    }

    macro_rules! refuse {
        ($($name:ident($($t:ty),*)),* $(,)?) => {
            $(fn $name(self $(, _: $t)*) -> Result<Self::Ok, NotAStruct> {
                Err(NotAStruct)
            })*
        };
    }

    impl ser::Serializer for Fields {
        type Ok = Vec<String>;
        type Error = NotAStruct;
        type SerializeSeq = Impossible<Vec<String>, NotAStruct>;
        type SerializeTuple = Impossible<Vec<String>, NotAStruct>;
        type SerializeTupleStruct = Impossible<Vec<String>, NotAStruct>;
        type SerializeTupleVariant = Impossible<Vec<String>, NotAStruct>;
        type SerializeMap = Impossible<Vec<String>, NotAStruct>;
        type SerializeStruct = Names;
        type SerializeStructVariant = Impossible<Vec<String>, NotAStruct>;

        fn serialize_struct(self, _: &'static str, len: usize) -> Result<Names, NotAStruct> {
            Ok(Names(Vec::with_capacity(len)))
        }
        refuse!(
            serialize_bool(bool),
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_f32(f32),
            serialize_f64(f64),
            serialize_char(char),
            serialize_str(&str),
            serialize_bytes(&[u8]),
            serialize_none(),
            serialize_unit(),
            serialize_unit_struct(&'static str),
            serialize_unit_variant(&'static str, u32, &'static str),
        );
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<Self::Ok, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<Self::Ok, NotAStruct> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<Self::Ok, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
            Err(NotAStruct)
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, NotAStruct> {
            Err(NotAStruct)
        }
    }

    /// Whether a value's JSON form is empty: null, false, "", [] or {}.
    /// Numbers, characters and enum variants never are; a non-finite float
    /// is (JSON writes it null).
    pub struct IsEmpty;

    /// A container being walked: empty when nothing was put in it, unless
    /// it is an enum variant (JSON: an object naming the variant).
    pub struct Count {
        n: usize,
        variant: bool,
    }

    impl Count {
        fn new(variant: bool) -> Count {
            Count { n: 0, variant }
        }
        fn add(&mut self) -> Result<(), NotAStruct> {
            self.n += 1;
            Ok(())
        }
        fn empty(self) -> Result<bool, NotAStruct> {
            Ok(!self.variant && self.n == 0)
        }
    }

    /// The compound serializers of [`Count`]: each element, field or
    /// entry key counts one.
    macro_rules! counted {
        ($($trait:ident :: $method:ident($($key:ty)?)),* $(,)?) => {
            $(impl ser::$trait for Count {
                type Ok = bool;
                type Error = NotAStruct;
                fn $method<T: ?Sized + Serialize>(
                    &mut self,
                    $(_: $key,)?
                    _: &T,
                ) -> Result<(), NotAStruct> {
                    self.add()
                }
                fn end(self) -> Result<bool, NotAStruct> {
                    self.empty()
                }
            })*
        };
    }

    counted!(
        SerializeSeq::serialize_element(),
        SerializeTuple::serialize_element(),
        SerializeTupleStruct::serialize_field(),
        SerializeTupleVariant::serialize_field(),
        SerializeStruct::serialize_field(&'static str),
        SerializeStructVariant::serialize_field(&'static str),
    );

    impl ser::SerializeMap for Count {
        type Ok = bool;
        type Error = NotAStruct;
        fn serialize_key<T: ?Sized + Serialize>(&mut self, _: &T) -> Result<(), NotAStruct> {
            self.add()
        }
        fn serialize_value<T: ?Sized + Serialize>(&mut self, _: &T) -> Result<(), NotAStruct> {
            Ok(())
        }
        fn end(self) -> Result<bool, NotAStruct> {
            self.empty()
        }
    }

    macro_rules! filled {
        ($($name:ident($t:ty)),* $(,)?) => {
            $(fn $name(self, _: $t) -> Result<bool, NotAStruct> {
                Ok(false)
            })*
        };
    }

    impl ser::Serializer for IsEmpty {
        type Ok = bool;
        type Error = NotAStruct;
        type SerializeSeq = Count;
        type SerializeTuple = Count;
        type SerializeTupleStruct = Count;
        type SerializeTupleVariant = Count;
        type SerializeMap = Count;
        type SerializeStruct = Count;
        type SerializeStructVariant = Count;

        fn serialize_bool(self, v: bool) -> Result<bool, NotAStruct> {
            Ok(!v)
        }
        filled!(
            serialize_i8(i8),
            serialize_i16(i16),
            serialize_i32(i32),
            serialize_i64(i64),
            serialize_i128(i128),
            serialize_u8(u8),
            serialize_u16(u16),
            serialize_u32(u32),
            serialize_u64(u64),
            serialize_u128(u128),
            serialize_char(char),
        );
        fn serialize_f32(self, v: f32) -> Result<bool, NotAStruct> {
            Ok(!v.is_finite())
        }
        fn serialize_f64(self, v: f64) -> Result<bool, NotAStruct> {
            Ok(!v.is_finite())
        }
        fn serialize_str(self, v: &str) -> Result<bool, NotAStruct> {
            Ok(v.is_empty())
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<bool, NotAStruct> {
            Ok(v.is_empty())
        }
        fn serialize_none(self) -> Result<bool, NotAStruct> {
            Ok(true)
        }
        fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<bool, NotAStruct> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<bool, NotAStruct> {
            Ok(true)
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<bool, NotAStruct> {
            Ok(true)
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
        ) -> Result<bool, NotAStruct> {
            Ok(false)
        }
        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<bool, NotAStruct> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<bool, NotAStruct> {
            Ok(false)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Count, NotAStruct> {
            Ok(Count::new(false))
        }
        fn serialize_tuple(self, _: usize) -> Result<Count, NotAStruct> {
            Ok(Count::new(false))
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Count, NotAStruct> {
            Ok(Count::new(false))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Count, NotAStruct> {
            Ok(Count::new(true))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Count, NotAStruct> {
            Ok(Count::new(false))
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Count, NotAStruct> {
            Ok(Count::new(false))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Count, NotAStruct> {
            Ok(Count::new(true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Beneficiary, Meta};

    /// The fields of a creation as the JSON form of `new` gives them: what
    /// [`filled_fields`] must answer without building it.
    fn filled_by_json<T: Serialize>(new: &T) -> Vec<String> {
        use serde_json::Value;
        let Ok(Value::Object(m)) = serde_json::to_value(new) else {
            return Vec::new();
        };
        let mut out: Vec<String> = m
            .into_iter()
            .filter(|(k, v)| {
                k != "id"
                    && k != "meta"
                    && !matches!(v, Value::Null | Value::Bool(false))
                    && v.as_str() != Some("")
                    && v.as_array().is_none_or(|a| !a.is_empty())
                    && v.as_object().is_none_or(|o| !o.is_empty())
            })
            .map(|(k, _)| k)
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_creation_lists_the_fields_its_json_fills_in() {
        let catalog = crate::app::metiers::builtin_catalog();
        let demo = crate::transfer::demo::build_for_bench(catalog.branches(), 60);
        let (mut plans, mut immersions, mut regs) = (0, 0, 0);
        for f in &demo.files {
            assert_eq!(
                filled_fields(&f.beneficiary),
                filled_by_json(&f.beneficiary)
            );
            for i in &f.interviews {
                assert_eq!(filled_fields(i), filled_by_json(i));
            }
            if let Some(p) = &f.plan {
                plans += 1;
                assert_eq!(filled_fields(p), filled_by_json(p));
            }
            for i in &f.immersions {
                immersions += 1;
                assert_eq!(filled_fields(i), filled_by_json(i));
            }
            for r in &f.registrations {
                regs += 1;
                assert_eq!(filled_fields(r), filled_by_json(r));
            }
        }
        for s in &demo.sessions {
            assert_eq!(filled_fields(s), filled_by_json(s));
        }
        assert!(
            plans > 0 && immersions > 0 && regs > 0,
            "every kind was compared"
        );
        // A bare file: most fields empty; and its fields differ from a full one.
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let bare = Beneficiary::new(Id([7; 16]), "Dupont", "Léa", Meta::new(t0, "cx"));
        assert_eq!(filled_fields(&bare), filled_by_json(&bare));
        assert_ne!(
            filled_fields(&bare),
            filled_fields(&demo.files[0].beneficiary)
        );
        // Not a struct: no field names.
        assert!(filled_fields(&"texte").is_empty());
        assert!(filled_fields(&vec![1, 2]).is_empty());
    }

    #[test]
    fn changed_fields_names_only_what_changed() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let t1 = DateTime::from_timestamp(1_700_000_100, 0).unwrap();
        let a = Beneficiary::new(Id([7; 16]), "Dupont", "Léa", Meta::new(t0, "cx"));
        let mut b = a.clone();
        b.email = Some("lea@example.org".into());
        b.constraints = "mobilité".into();
        b.meta.touch(t1, "cy");
        assert_eq!(changed_fields(Some(&a), &b), vec!["constraints", "email"]);
        assert!(changed_fields(Some(&a), &a).is_empty());
        let created = changed_fields(None, &b);
        assert!(created.contains(&"last_name".to_string()));
        assert!(created.contains(&"email".to_string()));
        assert!(!created.contains(&"phone".to_string()));
        assert!(!created.contains(&"id".to_string()));
        assert!(!created.contains(&"meta".to_string()));
        // Values never appear.
        assert!(!created
            .iter()
            .any(|f| f.contains("Dupont") || f.contains('@')));
    }
}
