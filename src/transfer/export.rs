//! Everything stored about one person, as JSON: the right of access and the
//! right to portability (RGPD art. 15 and 20).
//!
//! The records are serialised with serde from the domain types themselves
//! (so a new field is exported without anyone thinking of it), then made
//! readable: stored day numbers become ISO dates (`2026-05-28`), stored
//! microsecond instants become RFC 3339 UTC instants, ids become UUID text.
//! Money stays in integer cents (see `unites` in the document).

use crate::domain::{Beneficiary, Id, Immersion, Interview, Plan};
use crate::store::{JournalEntry, Store, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

/// Identifies the document format.
pub const FORMAT: &str = "passerelle.export-personne";
pub const VERSION: u32 = 1;

/// Keys whose numeric values are stored day numbers (`NaiveDate`).
const DAY_KEYS: [&str; 8] = [
    "date",
    "on",
    "due",
    "start",
    "end",
    "next_follow_up",
    "last_contact",
    // `Birth::Date`
    "Date",
];
/// Keys whose numeric values are microsecond instants (`DateTime<Utc>`).
const MICROS_KEYS: [&str; 3] = ["created_at", "updated_at", "at"];
/// Keys whose values are ids (16-byte arrays).
const ID_KEYS: [&str; 2] = ["id", "beneficiary"];

/// The full export of one person.
#[derive(Clone, Debug, Serialize)]
pub struct PersonExport {
    pub beneficiaire: Beneficiary,
    /// Newest first.
    pub entretiens: Vec<Interview>,
    pub parcours: Vec<Plan>,
    pub immersions: Vec<Immersion>,
    /// Change journal about the person and their records, newest first.
    pub journal: Vec<JournalEntry>,
}

impl PersonExport {
    /// Reads everything about `id`; `None` when there is no such file.
    pub fn load(store: &Store, id: Id) -> Result<Option<PersonExport>, StoreError> {
        let Some(b) = store.beneficiary(id)? else {
            return Ok(None);
        };
        Ok(Some(PersonExport {
            beneficiaire: b,
            entretiens: store.interviews_of(id)?,
            parcours: store.plans_of(id)?,
            immersions: store.immersions_of(id)?,
            journal: store.journal_of(id)?,
        }))
    }

    /// The readable JSON document, stamped with `now`.
    pub fn to_json(&self, now: DateTime<Utc>) -> Value {
        let mut body = serde_json::to_value(self).unwrap_or(Value::Null);
        readable(&mut body, None);
        let mut doc = Map::new();
        doc.insert("format".into(), FORMAT.into());
        doc.insert("version".into(), VERSION.into());
        doc.insert(
            "exporte_le".into(),
            now.to_rfc3339_opts(SecondsFormat::Secs, true).into(),
        );
        doc.insert(
            "unites".into(),
            serde_json::json!({
                "dates": "AAAA-MM-JJ",
                "instants": "RFC 3339, UTC",
                "montants": "centimes d'euro (entiers)",
            }),
        );
        if let Value::Object(m) = body {
            doc.extend(m);
        }
        Value::Object(doc)
    }
}

/// Pretty JSON of everything stored about `id`; `None` for an unknown id.
pub fn person_json(
    store: &Store,
    id: Id,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    Ok(PersonExport::load(store, id)?
        .map(|e| serde_json::to_string_pretty(&e.to_json(now)).unwrap_or_else(|_| "{}".into())))
}

fn day_text(n: i64) -> Option<String> {
    let n = i32::try_from(n).ok()?;
    NaiveDate::from_num_days_from_ce_opt(n).map(|d| d.format("%Y-%m-%d").to_string())
}

fn micros_text(n: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_micros(n).map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

fn id_text(v: &Value) -> Option<String> {
    let a = v.as_array()?;
    let bytes: Vec<u8> = a
        .iter()
        .map(|x| x.as_u64().and_then(|n| u8::try_from(n).ok()))
        .collect::<Option<_>>()?;
    Id::from_slice(&bytes).map(|id| id.to_string())
}

/// Rewrites stored numeric dates, instants and byte-array ids in place,
/// guided by the key they sit under.
fn readable(v: &mut Value, key: Option<&str>) {
    let replacement = match (key, &*v) {
        (Some(k), Value::Number(n)) if DAY_KEYS.contains(&k) => n.as_i64().and_then(day_text),
        (Some(k), Value::Number(n)) if MICROS_KEYS.contains(&k) => n.as_i64().and_then(micros_text),
        (Some(k), Value::Array(_)) if ID_KEYS.contains(&k) => id_text(v),
        _ => None,
    };
    if let Some(s) = replacement {
        *v = Value::String(s);
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                readable(child, Some(k));
            }
        }
        Value::Array(a) => {
            for child in a {
                readable(child, None);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    #[test]
    fn dates_instants_and_ids_become_text() {
        let t = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        let id = Id::new_v7(1_780_000_000_000, [3; 10]);
        let mut b = Beneficiary::new(id, "Dupont", "Léa", Meta::new(t, "Camille"));
        b.birth = Some(Birth::Date(NaiveDate::from_ymd_opt(1984, 3, 12).unwrap()));
        b.next_follow_up = NaiveDate::from_ymd_opt(2026, 6, 1);
        b.status = Status::Closed {
            on: NaiveDate::from_ymd_opt(2026, 5, 30).unwrap(),
            reason: "projet abouti".into(),
        };
        b.consent.processing = Some(ConsentRecord {
            date: NaiveDate::from_ymd_opt(2026, 5, 2).unwrap(),
            notice_version: "2026-01".into(),
        });
        let e = PersonExport {
            beneficiaire: b,
            entretiens: vec![],
            parcours: vec![],
            immersions: vec![],
            journal: vec![],
        };
        let v = e.to_json(t);
        let b = &v["beneficiaire"];
        assert_eq!(v["format"], FORMAT);
        assert_eq!(b["id"], id.to_string());
        assert_eq!(b["birth"]["Date"], "1984-03-12");
        assert_eq!(b["next_follow_up"], "2026-06-01");
        assert_eq!(b["status"]["Closed"]["on"], "2026-05-30");
        assert_eq!(b["consent"]["processing"]["date"], "2026-05-02");
        assert_eq!(b["meta"]["created_at"], "2026-05-28T20:26:40Z");
        assert_eq!(v["exporte_le"], "2026-05-28T20:26:40Z");
        assert_eq!(b["last_contact"], Value::Null);
    }
}
