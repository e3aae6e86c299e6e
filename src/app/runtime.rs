//! Runs the effects that `update` asks for against the store and hands back
//! an [`Outcome`] for each: the runtime never touches `App`; the event loop
//! passes outcomes to [`super::App::effect_done`] (see [`super::tui::drive`]).
//!
//! Every write is one `Store::apply_noted` transaction, flushed before it
//! returns: the outcome (and so the « enregistré » message) only exists
//! once the data is on disk. A failure becomes [`Outcome::Failed`] with a
//! French message, and nothing moves (undo stacks included).

use super::beneficiaires::FileBatch;
use super::undo::{Change, Direction};
use super::{Effect, Outcome};
use crate::domain::time::Clock;
use crate::domain::{Id, Meta};
use crate::store::{Store, Write};
use crate::transfer::document::{render, Format};
use crate::transfer::{agenda, convention};
use chrono::{NaiveDate, NaiveDateTime};

pub struct Runtime {
    pub store: Store,
    pub clock: Box<dyn Clock>,
    pub advisor: String,
    /// The advisor's structure (`[conseiller] structure`), for documents.
    pub structure: String,
}

impl Runtime {
    pub fn new(store: Store, clock: Box<dyn Clock>, advisor: String) -> Runtime {
        Runtime {
            store,
            clock,
            advisor,
            structure: String::new(),
        }
    }

    /// Wall-clock time for display: Europe/Paris, the time of every
    /// screen, the agenda and the calendar export (whatever the machine's
    /// time zone).
    pub fn local_now(&self) -> NaiveDateTime {
        crate::domain::agenda::to_paris(self.clock.now())
    }

    /// Runs one effect; `None` when there is nothing to report.
    pub fn run(&mut self, effect: Effect) -> Option<Outcome> {
        match self.run_one(effect) {
            Ok(outcome) => outcome,
            Err(message) => {
                tracing::warn!("effect failed: {message}");
                Some(Outcome::Failed { message })
            }
        }
    }

    fn run_one(&mut self, effect: Effect) -> Result<Option<Outcome>, String> {
        let err = |e: crate::store::StoreError| e.to_string();
        Ok(Some(match effect {
            Effect::LoadBeneficiaries => {
                // Each record becomes a list row as it is read: the full
                // records are never all in memory at once.
                let mut batch =
                    FileBatch::with_capacity(self.store.beneficiary_count().unwrap_or(0));
                let damaged = self
                    .store
                    .each_beneficiary(|b| batch.push(&b))
                    .map_err(err)?;
                let recent = self.store.recent().map_err(err)?;
                Outcome::BeneficiariesLoaded {
                    beneficiaries: batch,
                    damaged,
                    recent,
                }
            }
            Effect::LoadBeneficiary(id) => Outcome::BeneficiaryLoaded {
                id,
                record: self.store.beneficiary(id).map_err(err)?.map(Box::new),
            },
            Effect::LoadFile(id) => Outcome::FileLoaded {
                id,
                interviews: self.store.interviews_of(id).map_err(err)?,
                journal: self.store.journal_of(id).map_err(err)?,
            },
            Effect::Apply {
                change,
                direction,
                owner,
            } => {
                let mut change = *change;
                self.apply(&mut change, direction)?;
                Outcome::Applied {
                    change: Box::new(change),
                    direction,
                    owner,
                }
            }
            Effect::EraseBeneficiary(id) => Outcome::BeneficiaryErased {
                id,
                report: self.store.erase_beneficiary(id).map_err(err)?,
            },
            Effect::SetRecent(ids) => {
                self.store.set_recent(&ids).map_err(err)?;
                return Ok(None);
            }
            Effect::LoadPlan(id) => Outcome::PlanLoaded {
                beneficiary: id,
                plan: self.store.plan_of(id).map_err(err)?,
            },
            Effect::LoadMobilities => Outcome::MobilitiesLoaded(
                self.store
                    .mobilites()
                    .map_err(err)?
                    .map(std::sync::Arc::new),
            ),
            Effect::WriteSynthesis {
                beneficiary,
                format,
            } => {
                let author = crate::transfer::synthese::Author {
                    advisor: self.advisor.clone(),
                    structure: self.structure.clone(),
                };
                let now = self.clock.now();
                let today = self.local_now().date();
                let path = crate::transfer::synthese::write(
                    &self.store,
                    beneficiary,
                    format,
                    &author,
                    None,
                    today,
                    now,
                )
                .map_err(|e| format!("Synthèse non écrite : {e}"))?;
                Outcome::DocumentWritten { beneficiary, path }
            }
            Effect::OpenExternal(path) => {
                crate::transfer::viewer::open(&path)?;
                return Ok(None);
            }
            Effect::LoadAgenda { from, to, today } => Outcome::AgendaLoaded {
                from,
                to,
                data: Box::new(agenda::load(&self.store, from, to, today).map_err(err)?),
            },
            Effect::LoadFileImmersions(id) => Outcome::FileImmersionsLoaded {
                id,
                data: Box::new(agenda::load_file(&self.store, id).map_err(err)?),
            },
            Effect::SaveSession {
                mut session,
                created,
            } => {
                let now = self.clock.now();
                if created {
                    session.meta = Meta::new(now, &self.advisor);
                } else {
                    session.meta.touch(now, &self.advisor);
                }
                self.store.save_session(&session).map_err(err)?;
                Outcome::SessionSaved { session, created }
            }
            Effect::DeleteSession(id) => Outcome::SessionDeleted {
                id,
                registrations: self
                    .store
                    .delete_session(id, self.clock.now(), &self.advisor)
                    .map_err(err)?,
            },
            Effect::ExportConvention { immersion, today } => {
                self.export_convention(immersion, today)?
            }
        }))
    }

    /// Writes the convention sheet of an immersion (HTML, 0600) in
    /// `DATA/exports/`.
    fn export_convention(&self, id: Id, today: NaiveDate) -> Result<Outcome, String> {
        let err = |e: crate::store::StoreError| e.to_string();
        let imm = self
            .store
            .immersion(id)
            .map_err(err)?
            .ok_or("cette immersion n'existe plus")?;
        let doc = convention::sheet_from_store(
            &self.store,
            &imm,
            &self.advisor,
            today,
            &crate::app::beneficiaires::interview_form::to_local,
        )
        .map_err(err)?
        .ok_or("le dossier de cette immersion est introuvable")?;
        let dir = self.store.paths().data_dir().join("exports");
        crate::store::files::ensure_private_dir(&dir).map_err(err)?;
        let path = dir.join(format!("convention-{}.html", imm.id.short()));
        crate::store::files::write_atomic(&path, render(&doc, Format::Html).as_bytes())
            .map_err(err)?;
        Ok(Outcome::Exported {
            path: path.display().to_string(),
            what: "Fiche de convention".into(),
        })
    }

    /// Writes `dir` of a change in one transaction with its journal note:
    /// the `after` records for a save or a redo, the `before` ones for an
    /// undo (deleting what did not exist). The written records in `change`
    /// are stamped as stored. Works for every kind of `AnyRecord`.
    fn apply(&self, change: &mut Change, dir: Direction) -> Result<(), String> {
        let now = self.clock.now();
        let mut writes = Vec::with_capacity(change.records.len());
        for (before, after) in change.records.iter_mut() {
            let (kind, id) = match before.as_ref().or(after.as_ref()) {
                Some(r) => (r.kind(), r.id()),
                None => continue,
            };
            let created = dir == Direction::Do && before.is_none();
            let target = match dir {
                Direction::Undo => before,
                Direction::Do | Direction::Redo => after,
            };
            match target {
                Some(r) => {
                    // A record written back keeps its creation date.
                    r.stamp(created, now, &self.advisor);
                    writes.push(Write::Put(r.clone()));
                }
                None => writes.push(Write::Delete {
                    kind,
                    id,
                    at: now,
                    advisor: self.advisor.clone(),
                }),
            }
        }
        self.store
            .apply_noted(&writes, &change.note_for(dir))
            .map_err(|e| e.to_string())
    }
}
