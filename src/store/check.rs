//! `passerelle verifier`: the full check of a store, and the repair that
//! accepts its current state.
//!
//! The check reads everything: every record decodes, every index entry
//! points to a record and every record is indexed, the counters match the
//! trees, the store matches its manifest, the referential matches its
//! header. The quick check at open (manifest and generation) is in
//! [`super::Store::open_with`]; this one is for when something is wrong.

use super::error::StoreError;
use super::{
    child_key, count_key, keys, Beneficiary, Immersion, InfoSession, Interview, Plan, Record,
    RecordKind, SessionRegistration, Store, AUDIT, COUNTED, IDX_CHILDREN, IDX_JOURNAL_BY_BEN,
    IDX_SESS_BY_START, JOURNAL, META, RECORD_INDEXES, SESS, TX_TREE_NAMES,
};
use crate::domain::Id;
use std::collections::{BTreeMap, BTreeSet};

/// What `verifier` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Records found per counted tree.
    pub counts: BTreeMap<String, u64>,
    /// Problems, in French, one per line (empty: the store is sound).
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_sound(&self) -> bool {
        self.problems.is_empty()
    }
}

type IndexSet = BTreeSet<(usize, Vec<u8>)>;

/// Decodes every record of a tree; adds each record's expected index keys.
fn check_records<T: Record>(
    store: &Store,
    report: &mut CheckReport,
    expected: &mut IndexSet,
    owners: &mut Vec<(RecordKind, Id, Id)>,
) -> Result<(BTreeSet<Id>, BTreeSet<Id>), StoreError> {
    let mut ok = BTreeSet::new();
    let mut bad = BTreeSet::new();
    for kv in store.tx_trees[T::TREE].iter() {
        let (k, v) = kv?;
        let Some(id) = Id::from_slice(&k) else {
            report.problems.push(format!(
                "{} : clé invalide ({} octets)",
                T::KIND.label(),
                k.len()
            ));
            continue;
        };
        match store.codec.decode::<T>(&v) {
            Ok(r) => {
                if r.id() != id {
                    report.problems.push(format!(
                        "{} {} : rangé sous un autre identifiant ({})",
                        T::KIND.label(),
                        r.id().short(),
                        id.short()
                    ));
                }
                expected.extend(r.index_keys());
                if T::KIND != RecordKind::Beneficiary {
                    expected.insert((IDX_CHILDREN, child_key(r.beneficiary(), T::KIND, id)));
                    owners.push((T::KIND, id, r.beneficiary()));
                }
                ok.insert(id);
            }
            Err(e) => {
                report.problems.push(format!(
                    "{} {} illisible ({})",
                    T::KIND.label(),
                    id.short(),
                    e.record_problem()
                ));
                bad.insert(id);
            }
        }
    }
    Ok((ok, bad))
}

/// What the records say the indexes should hold.
struct Expected {
    /// Every index entry the readable records call for.
    entries: IndexSet,
    /// `(kind, id, beneficiary)` of every readable child record.
    owners: Vec<(RecordKind, Id, Id)>,
    /// The readable beneficiaries.
    beneficiaries: BTreeSet<Id>,
    /// Records that could not be decoded (their entries are unknown).
    unreadable: BTreeSet<Id>,
}

/// Decodes every record of every kind (problems go to `report`) and
/// computes the index entries they call for.
fn expected(store: &Store, report: &mut CheckReport) -> Result<Expected, StoreError> {
    let mut entries = IndexSet::new();
    let mut owners = Vec::new();
    let (beneficiaries, mut unreadable) =
        check_records::<Beneficiary>(store, report, &mut entries, &mut owners)?;
    for (_, bad) in [
        check_records::<Interview>(store, report, &mut entries, &mut owners)?,
        check_records::<Plan>(store, report, &mut entries, &mut owners)?,
        check_records::<Immersion>(store, report, &mut entries, &mut owners)?,
        check_records::<SessionRegistration>(store, report, &mut entries, &mut owners)?,
    ] {
        unreadable.extend(bad);
    }
    // Information sessions (not person-owned) and their date index.
    for kv in store.tx_trees[SESS].iter() {
        let (k, v) = kv?;
        match store.codec.decode::<InfoSession>(&v) {
            Ok(s) => {
                entries.insert((
                    IDX_SESS_BY_START,
                    keys::cat(&keys::instant(s.start), &s.id.0),
                ));
            }
            Err(e) => {
                report.problems.push(format!(
                    "séance d'information {} illisible : {e}",
                    Id::from_slice(&k).map(|i| i.short()).unwrap_or_default()
                ));
                if let Some(id) = Id::from_slice(&k) {
                    unreadable.insert(id);
                }
            }
        }
    }
    Ok(Expected {
        entries,
        owners,
        beneficiaries,
        unreadable,
    })
}

/// Reads the whole store and reports every inconsistency.
pub fn check(store: &Store) -> Result<CheckReport, StoreError> {
    let mut report = CheckReport::default();
    if let Some(d) = store.open_damage() {
        report.problems.push(capitalized(&d.to_string()));
    }
    let Expected {
        entries: expected,
        owners,
        beneficiaries: bens,
        unreadable,
    } = expected(store, &mut report)?;
    for (kind, id, ben) in &owners {
        if !bens.contains(ben) && !unreadable.contains(ben) {
            report.problems.push(format!(
                "{} {} : son dossier {} n'existe pas (enregistrement orphelin)",
                kind.label(),
                id.short(),
                ben.short()
            ));
        }
    }
    // Indexes: every entry expected, every expected entry present. Entries
    // of unreadable records cannot be computed: they are not reported.
    for tree in std::iter::once(IDX_CHILDREN).chain(RECORD_INDEXES) {
        for kv in store.tx_trees[tree].iter() {
            let k = kv?.0.to_vec();
            if expected.contains(&(tree, k.clone())) {
                continue;
            }
            if keys::id_suffix(&k).is_some_and(|id| unreadable.contains(&id)) {
                continue;
            }
            report.problems.push(format!(
                "index {} : une entrée ne renvoie à aucun enregistrement{}",
                TX_TREE_NAMES[tree],
                keys::id_suffix(&k)
                    .map(|id| format!(" ({})", id.short()))
                    .unwrap_or_default()
            ));
        }
        for (t, k) in expected.iter().filter(|(t, _)| *t == tree) {
            if store.tx_trees[*t].get(k)?.is_none() {
                report.problems.push(format!(
                    "index {} : l'enregistrement {} n'y figure pas",
                    TX_TREE_NAMES[*t],
                    keys::id_suffix(k).map(|id| id.short()).unwrap_or_default()
                ));
            }
        }
    }
    // Journal and its index.
    let mut journal_keys = BTreeSet::new();
    for kv in store.tx_trees[JOURNAL].iter() {
        let (k, v) = kv?;
        journal_keys.insert(k.to_vec());
        if let Err(e) = store.codec.decode::<super::JournalEntry>(&v) {
            report.problems.push(format!(
                "entrée du journal illisible ({})",
                e.record_problem()
            ));
        }
    }
    for kv in store.tx_trees[IDX_JOURNAL_BY_BEN].iter() {
        let k = kv?.0;
        if k.len() < 16 || !journal_keys.contains(&k[16..]) {
            report
                .problems
                .push("index du journal : une entrée ne renvoie à aucune entrée du journal".into());
        }
    }
    for kv in store.tx_trees[AUDIT].iter() {
        let (_, v) = kv?;
        if let Err(e) = store.codec.decode::<super::audit::AuditEntry>(&v) {
            report.problems.push(format!(
                "événement du journal d'audit illisible ({})",
                e.record_problem()
            ));
        }
    }
    // Referential and mobility file.
    if let Err(e) = store.referentiel() {
        report.problems.push(format!("référentiel ROME : {e}"));
    }
    match store.referentiel_index_problem() {
        Ok(Some(p)) => report.problems.push(p),
        Ok(None) => {}
        Err(e) => report.problems.push(format!("référentiel ROME : {e}")),
    }
    if let Err(e) = store.mobilites() {
        report
            .problems
            .push(format!("fichier des mobilités ROME : {e}"));
    }
    if let Err(e) = store.recent() {
        report
            .problems
            .push(format!("liste des dossiers récents : {e}"));
    }
    // Counters against the trees.
    let counters = store.counts()?;
    for (name, kind) in COUNTED {
        let (actual, also) = counted_len(store, name);
        report.counts.insert(name.to_string(), actual);
        let counted = counters.get(name).copied().unwrap_or(0);
        if counted != actual && Some(counted) != also {
            report.problems.push(format!(
                "compteur des {} : {counted} enregistré, {actual} présents",
                kind.plural()
            ));
        }
    }
    Ok(report)
}

/// What a counted tree actually holds, and another value its counter may
/// rightly hold: a store of referential layout 1 counted keys, not rows
/// (see [`Store::referentiel_counted`]).
fn counted_len(store: &Store, name: &str) -> (u64, Option<u64>) {
    if name == super::REFERENTIEL_TREE {
        // An unreadable header is reported by the referential check.
        store.referentiel_counted().unwrap_or((0, None))
    } else {
        (tree_len(store, name), None)
    }
}

/// Entries actually in a counted tree (a full scan); for the referential,
/// its fiches and appellations.
fn tree_len(store: &Store, name: &str) -> u64 {
    if name == super::REFERENTIEL_TREE {
        counted_len(store, name).0
    } else if name == super::MOBILITES_TREE {
        store.mobilites.len() as u64
    } else {
        let i = TX_TREE_NAMES
            .iter()
            .position(|n| *n == name)
            .unwrap_or(META);
        store.tx_trees[i].len() as u64
    }
}

fn capitalized(s: &str) -> String {
    super::error::capitalize(s)
}

/// What a repair changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairReport {
    pub index_entries_added: usize,
    pub index_entries_removed: usize,
    pub counters_fixed: usize,
    /// A damaged search index of the referential was removed.
    pub index_removed: bool,
    /// Records the store now holds, per counted tree.
    pub counts: BTreeMap<String, u64>,
    /// How many records of each kind the old manifest counted and the
    /// store no longer holds: what the repair accepted to lose.
    pub lost: Vec<(RecordKind, u64)>,
}

/// Accepts the store as it is: rebuilds the indexes from the readable
/// records, resets the counters to what the trees hold and rewrites the
/// manifest. Unreadable records are left as they are (and still reported
/// by [`check`]); nothing readable is deleted.
pub fn repair(store: &Store) -> Result<RepairReport, StoreError> {
    let _w = store.lock();
    let mut report = RepairReport::default();
    let Expected {
        entries: expected,
        unreadable,
        ..
    } = expected(store, &mut CheckReport::default())?;
    for tree in std::iter::once(IDX_CHILDREN).chain(RECORD_INDEXES) {
        let mut batch = sled::Batch::default();
        for kv in store.tx_trees[tree].iter() {
            let k = kv?.0.to_vec();
            let keep = expected.contains(&(tree, k.clone()))
                || keys::id_suffix(&k).is_some_and(|id| unreadable.contains(&id));
            if !keep {
                batch.remove(k);
                report.index_entries_removed += 1;
            }
        }
        for (_, k) in expected.iter().filter(|(t, _)| *t == tree) {
            if store.tx_trees[tree].get(k)?.is_none() {
                batch.insert(k.as_slice(), &[]);
                report.index_entries_added += 1;
            }
        }
        store.tx_trees[tree].apply_batch(batch)?;
    }
    // Journal index entries that point nowhere.
    let mut batch = sled::Batch::default();
    for kv in store.tx_trees[IDX_JOURNAL_BY_BEN].iter() {
        let k = kv?.0;
        if k.len() < 16 || store.tx_trees[JOURNAL].get(&k[16..])?.is_none() {
            batch.remove(k);
            report.index_entries_removed += 1;
        }
    }
    store.tx_trees[IDX_JOURNAL_BY_BEN].apply_batch(batch)?;
    // A damaged catalogue snapshot: removed, searching rebuilds it.
    report.index_removed = store.drop_damaged_referentiel_index()?;
    // Counters and generation.
    let counters = store.counts()?;
    let old_manifest = super::manifest::Manifest::read(&store.paths.manifest())
        .ok()
        .flatten();
    let mut m = sled::Batch::default();
    for (name, kind) in COUNTED {
        let actual = tree_len(store, name);
        if counters.get(name).copied().unwrap_or(0) != actual {
            report.counters_fixed += 1;
        }
        report.counts.insert(name.to_string(), actual);
        let promised = old_manifest
            .as_ref()
            .and_then(|o| o.counts.get(name).copied())
            .unwrap_or(0);
        if promised > actual {
            report.lost.push((kind, promised - actual));
        }
        m.insert(count_key(name), &actual.to_be_bytes());
    }
    // Past every generation the old manifest knew: generations only grow.
    let generation = store
        .generation()?
        .max(old_manifest.map_or(0, |o| o.generation))
        + 1;
    m.insert(super::GEN_KEY, &generation.to_be_bytes());
    store.tx_trees[META].apply_batch(m)?;
    store.db.flush()?;
    // The manifest now describes the store as it is.
    store.manifest()?.write(&store.paths.manifest())?;
    store
        .manifest_gen
        .store(generation, std::sync::atomic::Ordering::SeqCst);
    Ok(report)
}
