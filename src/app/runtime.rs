//! Runs the effects that `update` asks for against the store, then reports
//! back to the app through [`App::effect_done`] with an [`Outcome`].
//!
//! Every save goes through a `Store::save_*` call, which flushes before
//! returning: the outcome (and so the « enregistré » message) only exists
//! once the data is on disk. Failures become French status messages.

use super::undo::{Change, Direction};
use super::{App, Effect, Outcome, StatusLevel};
use crate::domain::time::Clock;
use crate::domain::{Beneficiary, Interview, Meta};
use crate::store::{AnyRecord, Store, Write};
use chrono::{DateTime, NaiveDateTime, Utc};

pub struct Runtime {
    pub store: Store,
    pub clock: Box<dyn Clock>,
    pub advisor: String,
    /// The initial load (files, recent list) was asked for.
    started: bool,
}

/// Same content, ignoring who changed it and when.
fn same_content(a: &Beneficiary, b: &Beneficiary) -> bool {
    let mut b = b.clone();
    b.meta = a.meta.clone();
    *a == b
}

impl Runtime {
    pub fn new(store: Store, clock: Box<dyn Clock>, advisor: String) -> Runtime {
        Runtime {
            store,
            clock,
            advisor,
            started: false,
        }
    }

    /// Local wall-clock time for display.
    pub fn local_now(&self) -> NaiveDateTime {
        self.clock.now().with_timezone(&chrono::Local).naive_local()
    }

    /// Loads what the screens need at startup (every file, the recent
    /// list). Call once before the first draw; [`Runtime::run`] does it
    /// anyway on its first call if it was not done.
    pub fn start(&mut self, app: &mut App) {
        self.run(app, Vec::new());
    }

    /// Runs effects in order; failures become French status messages.
    pub fn run(&mut self, app: &mut App, mut effects: Vec<Effect>) {
        if !self.started {
            self.started = true;
            effects.insert(0, Effect::LoadBeneficiaries);
        }
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if let Err(msg) = self.run_one(app, effect) {
                tracing::warn!("effect failed: {msg}");
                app.set_status(StatusLevel::Error, msg);
            }
            // Effects asked for while handling an outcome (e.g. open the
            // file that was just created).
            queue.extend(std::mem::take(&mut app.benef.follow_up));
        }
    }

    fn stamp(&self, meta: &mut Meta, created: bool, now: DateTime<Utc>) {
        if created {
            *meta = Meta::new(now, &self.advisor);
        } else {
            meta.touch(now, &self.advisor);
        }
    }

    fn save_file(
        &self,
        b: &mut Beneficiary,
        created: bool,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        self.stamp(&mut b.meta, created, now);
        self.store.save_beneficiary(b).map_err(|e| e.to_string())
    }

    fn save_interview(
        &self,
        i: &mut Interview,
        created: bool,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        self.stamp(&mut i.meta, created, now);
        self.store.save_interview(i).map_err(|e| e.to_string())
    }

    /// Saves an interview's file when the interview changed it.
    fn save_file_if_changed(
        &self,
        stored: &Beneficiary,
        new: &mut Beneficiary,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        if same_content(stored, new) {
            new.meta = stored.meta.clone();
            Ok(())
        } else {
            self.save_file(new, false, now)
        }
    }

    /// Reloads the interviews and journal of the file shown on screen.
    fn refresh_open_file(&self, app: &mut App, id: crate::domain::Id) -> Result<(), String> {
        if app.benef.open_id() != Some(id) {
            return Ok(());
        }
        let interviews = self.store.interviews_of(id).map_err(|e| e.to_string())?;
        let journal = self.store.journal_of(id).map_err(|e| e.to_string())?;
        app.effect_done(Outcome::FileLoaded {
            id,
            interviews,
            journal,
        });
        Ok(())
    }

    fn run_one(&mut self, app: &mut App, effect: Effect) -> Result<(), String> {
        let now = self.clock.now();
        match effect {
            Effect::AddTarget {
                beneficiary,
                target,
            } => {
                let before = self
                    .store
                    .beneficiary(beneficiary)
                    .map_err(|e| e.to_string())?
                    .ok_or("Ce dossier n'existe plus.")?;
                let mut b = before.clone();
                let label = target.label.clone();
                if !b.add_target(target) {
                    app.set_status(
                        StatusLevel::Info,
                        format!("« {label} » est déjà une cible de ce dossier"),
                    );
                    return Ok(());
                }
                self.save_file(&mut b, false, now)?;
                let id = b.id;
                app.effect_done(Outcome::Saved(Box::new(Change::File {
                    before: Some(Box::new(before)),
                    after: Box::new(b),
                })));
                app.set_status(
                    StatusLevel::Success,
                    format!("Cible ajoutée : {label} (enregistré)"),
                );
                self.refresh_open_file(app, id)?;
            }
            Effect::SaveBeneficiary(b) => {
                let mut b = *b;
                b.meta.touch(now, &self.advisor);
                self.store.save_beneficiary(&b).map_err(|e| e.to_string())?;
                let id = b.id;
                app.effect_done(Outcome::BeneficiarySaved(Box::new(b)));
                self.refresh_open_file(app, id)?;
            }
            Effect::LoadBeneficiaries => {
                let scan = self.store.beneficiaries().map_err(|e| e.to_string())?;
                let recent = self.store.recent().map_err(|e| e.to_string())?;
                app.effect_done(Outcome::BeneficiariesLoaded {
                    beneficiaries: scan.records,
                    damaged: scan.damaged,
                    recent,
                });
            }
            Effect::Save(change) => {
                let mut change = *change;
                match &mut change {
                    Change::File { before, after } => {
                        self.save_file(after, before.is_none(), now)?;
                    }
                    Change::Interview {
                        before,
                        after,
                        file_before,
                        file_after,
                    } => {
                        // The interview and the file fields it updates are
                        // one transaction.
                        self.stamp(&mut after.meta, before.is_none(), now);
                        let mut writes = vec![Write::Put(AnyRecord::from((**after).clone()))];
                        if same_content(file_before, file_after) {
                            file_after.meta = file_before.meta.clone();
                        } else {
                            self.stamp(&mut file_after.meta, false, now);
                            writes.push(Write::Put(AnyRecord::from((**file_after).clone())));
                        }
                        self.store.apply(&writes).map_err(|e| e.to_string())?;
                    }
                }
                let id = change.beneficiary().id;
                app.effect_done(Outcome::Saved(Box::new(change)));
                self.refresh_open_file(app, id)?;
            }
            Effect::LoadFile(id) => {
                let interviews = self.store.interviews_of(id).map_err(|e| e.to_string())?;
                let journal = self.store.journal_of(id).map_err(|e| e.to_string())?;
                app.effect_done(Outcome::FileLoaded {
                    id,
                    interviews,
                    journal,
                });
            }
            Effect::EraseBeneficiary(id) => {
                let report = self
                    .store
                    .erase_beneficiary(id)
                    .map_err(|e| e.to_string())?;
                app.effect_done(Outcome::BeneficiaryErased { id, report });
            }
            Effect::SetRecent(ids) => {
                self.store.set_recent(&ids).map_err(|e| e.to_string())?;
            }
            Effect::ApplyChange { change, direction } => {
                let mut change = *change;
                self.apply(&mut change, direction, now)?;
                let id = change.beneficiary().id;
                app.effect_done(Outcome::ChangeApplied {
                    change: Box::new(change),
                    direction,
                });
                self.refresh_open_file(app, id)?;
            }
        }
        Ok(())
    }

    /// Writes the undo or redo of a change; the records in `change` are
    /// updated to what was stored.
    fn apply(&self, change: &mut Change, dir: Direction, now: DateTime<Utc>) -> Result<(), String> {
        match (change, dir) {
            (
                Change::File {
                    before: None,
                    after,
                },
                Direction::Undo,
            ) => {
                self.store
                    .erase_beneficiary(after.id)
                    .map_err(|e| e.to_string())?;
            }
            (
                Change::File {
                    before: Some(b), ..
                },
                Direction::Undo,
            ) => {
                self.save_file(b, false, now)?;
            }
            (Change::File { after, .. }, Direction::Redo) => {
                let exists = self
                    .store
                    .beneficiary(after.id)
                    .map_err(|e| e.to_string())?
                    .is_some();
                self.save_file(after, !exists, now)?;
            }
            (
                Change::Interview {
                    before,
                    after,
                    file_before,
                    file_after,
                },
                Direction::Undo,
            ) => {
                match before {
                    None => {
                        self.store
                            .delete_interview(after.id, now, &self.advisor)
                            .map_err(|e| e.to_string())?;
                    }
                    Some(i) => self.save_interview(i, false, now)?,
                }
                let stored = self
                    .store
                    .beneficiary(file_before.id)
                    .map_err(|e| e.to_string())?
                    .ok_or("Ce dossier n'existe plus.")?;
                self.save_file_if_changed(&stored, file_before, now)?;
                let _ = file_after;
            }
            (
                Change::Interview {
                    before,
                    after,
                    file_after,
                    ..
                },
                Direction::Redo,
            ) => {
                let exists = self
                    .store
                    .interview(after.id)
                    .map_err(|e| e.to_string())?
                    .is_some();
                self.save_interview(after, !exists && before.is_none(), now)?;
                let stored = self
                    .store
                    .beneficiary(file_after.id)
                    .map_err(|e| e.to_string())?
                    .ok_or("Ce dossier n'existe plus.")?;
                self.save_file_if_changed(&stored, file_after, now)?;
            }
        }
        Ok(())
    }
}
