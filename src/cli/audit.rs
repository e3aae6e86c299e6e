//! `passerelle audit`: who did what, on which file, when. Merges the change
//! journal (creations, changes with the names of the fields, deletions)
//! with the audit log (exports, erasures, restores, passphrase changes,
//! unlock failures, encryption), in time order. No personal value is
//! printed: files are named by their short id, changes by field names.

use super::export::parse_cli_date;
use super::{out, Failure, Setup};
use crate::domain::agenda::{from_paris, to_paris};
use crate::domain::time::fmt_date;
use crate::domain::Id;
use crate::store::audit::AuditEntry;
use crate::store::JournalEntry;
use crate::transfer::short_id;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Premier jour (par défaut : le début du journal)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub du: Option<NaiveDate>,
    /// Dernier jour, inclus (par défaut : aujourd'hui et après)
    #[arg(long, value_name = "DATE", value_parser = parse_cli_date)]
    pub au: Option<NaiveDate>,
    /// Sortie JSON (un tableau d'événements)
    #[arg(long)]
    pub json: bool,
}

/// One line of the audit, from either source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// UTC instant, RFC 3339.
    pub instant: DateTime<Utc>,
    pub conseiller: String,
    /// `creation`, `modification`, `suppression`, `export`, `effacement`…
    pub action: String,
    /// What the action was about: « dossier », « entretien »… or the
    /// audit event's detail.
    pub objet: String,
    /// The file concerned, full id.
    pub dossier: Option<String>,
    /// Names of the changed fields (changes only).
    pub champs: Vec<String>,
}

fn journal_row(e: JournalEntry) -> AuditRow {
    use crate::store::Op;
    AuditRow {
        instant: e.at,
        conseiller: e.advisor,
        action: match e.op {
            Op::Created => "creation",
            Op::Updated => "modification",
            Op::Deleted => "suppression",
        }
        .into(),
        objet: e.kind.label().into(),
        dossier: Some(e.beneficiary.to_string()),
        champs: e.fields,
    }
}

fn audit_row(e: AuditEntry) -> AuditRow {
    AuditRow {
        instant: e.at,
        conseiller: e.advisor,
        action: e.action.id().into(),
        objet: e.detail,
        dossier: e.beneficiary.map(|b| b.to_string()),
        champs: Vec::new(),
    }
}

/// Both sources of `[from, to]` merged in time order (stable: at the same
/// instant, journal first).
pub fn rows(journal: Vec<JournalEntry>, audit: Vec<AuditEntry>) -> Vec<AuditRow> {
    let mut all: Vec<AuditRow> = journal
        .into_iter()
        .map(journal_row)
        .chain(audit.into_iter().map(audit_row))
        .collect();
    all.sort_by_key(|r| r.instant);
    all
}

/// `28/11/2026 14:03  Claire Dubois  modification  dossier 1a2b3c4d  (email, telephone)`
fn line(r: &AuditRow) -> String {
    let at = to_paris(r.instant);
    let who = if r.conseiller.is_empty() {
        "(conseiller non renseigné)"
    } else {
        &r.conseiller
    };
    let mut s = format!(
        "{} {}  {}  {}  {}",
        fmt_date(at.date()),
        at.format("%H:%M"),
        out::escape(who),
        r.action,
        out::escape(&r.objet)
    );
    if let Some(id) = r.dossier.as_deref().and_then(|d| d.parse::<Id>().ok()) {
        s.push_str(&format!("  dossier {}", short_id(id)));
    }
    if !r.champs.is_empty() {
        s.push_str(&format!("  ({})", r.champs.join(", ")));
    }
    s
}

pub fn run(a: AuditArgs, setup: &Setup) -> Result<(), Failure> {
    if let (Some(du), Some(au)) = (a.du, a.au) {
        if au < du {
            return Err(Failure::usage(format!(
                "la date de fin (--au {}) précède la date de début (--du {})",
                fmt_date(au),
                fmt_date(du)
            )));
        }
    }
    // Days are Paris days: from its midnight to the next one's.
    let paris_start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(DateTime::<Utc>::MIN_UTC, from_paris)
    };
    let from = a.du.map_or(DateTime::<Utc>::MIN_UTC, paris_start);
    let to =
        a.au.and_then(|d| d.succ_opt())
            .map_or(DateTime::<Utc>::MAX_UTC, |d| {
                paris_start(d) - chrono::Duration::microseconds(1)
            });
    let store = super::open_existing(setup)?;
    let journal = store.journal_between(from, to)?;
    let audit = store.audit_between(from, to)?;
    drop(store);
    let all = rows(journal, audit);
    if a.json {
        let text = serde_json::to_string_pretty(&all)
            .map_err(|e| Failure::runtime(format!("JSON impossible à écrire : {e}")))?;
        return out::println(&text);
    }
    if all.is_empty() {
        return out::println("Aucun événement sur cette période.");
    }
    let mut text = String::new();
    for r in &all {
        text.push_str(&line(r));
        text.push('\n');
    }
    out::print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::AuditAction;
    use crate::store::Op;
    use crate::store::RecordKind;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000 + s, 0).unwrap()
    }

    #[test]
    fn rows_merge_both_sources_in_time_order_without_personal_values() {
        let ben = Id([7; 16]);
        let j = JournalEntry {
            at: at(10),
            advisor: "Claire".into(),
            kind: RecordKind::Beneficiary,
            id: ben,
            beneficiary: ben,
            op: Op::Updated,
            fields: vec!["email".into(), "phone".into()],
            note: "modification du dossier".into(),
        };
        let a = AuditEntry {
            at: at(5),
            advisor: "Claire".into(),
            action: AuditAction::Export,
            beneficiary: Some(ben),
            detail: "synthèse du parcours (HTML)".into(),
        };
        let r = rows(vec![j], vec![a]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].action, "export");
        assert_eq!(r[1].action, "modification");
        assert_eq!(r[1].champs, vec!["email", "phone"]);
        let l = line(&r[1]);
        assert!(
            l.contains("modification") && l.contains("(email, phone)"),
            "{l}"
        );
        assert!(l.contains(&short_id(ben)), "{l}");
        assert!(
            !l.contains("modification du dossier"),
            "notes are not printed: {l}"
        );
    }
}
