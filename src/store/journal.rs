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
    let new = to_map(new);
    let skip = |k: &str| k == "id" || k == "meta";
    let mut out: Vec<String> = match old {
        Some(old) => {
            let old = to_map(old);
            let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| !skip(k) && old.get(*k) != new.get(*k))
                .cloned()
                .collect()
        }
        None => new
            .iter()
            .filter(|(k, v)| {
                !skip(k)
                    && !matches!(v, Value::Null | Value::Bool(false))
                    && v.as_str() != Some("")
                    && v.as_array().is_none_or(|a| !a.is_empty())
                    && v.as_object().is_none_or(|o| !o.is_empty())
            })
            .map(|(k, _)| k.clone())
            .collect(),
    };
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Beneficiary, Meta};

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
