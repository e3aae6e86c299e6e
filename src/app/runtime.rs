//! Runs the effects that `update` asks for against the store and hands back
//! an [`Outcome`] for each: the runtime never touches `App`; the event loop
//! passes outcomes to [`super::App::effect_done`] (see [`super::tui::drive`]).
//!
//! Every write is one `Store::apply_noted` transaction, flushed before it
//! returns: the outcome (and so the « enregistré » message) only exists
//! once the data is on disk. A failure becomes [`Outcome::Failed`] with a
//! French message, and nothing moves (undo stacks included).

use super::action::LoadedCatalog;
use super::beneficiaires::FileBatch;
use super::undo::{Change, Direction};
use super::{Effect, Outcome};
use crate::catalog::Catalog;
use crate::domain::time::Clock;
use crate::domain::{Id, Meta};
use crate::store::audit::AuditAction;
use crate::store::{Store, Write};
use crate::transfer::document::{render, Format};
use crate::transfer::{agenda, convention};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Encrypts a clear store under `secret` (a backup is made first, see
/// [`Store::encrypt_with`]) and records the audit event, written by
/// `advisor`. The store comes back unlocked; an audit event that could not
/// be written is returned beside it (the store is encrypted either way).
pub fn encrypt_store(
    store: Store,
    secret: &crate::store::Secret,
    kdf: crate::store::crypto::KdfParams,
    stamp: NaiveDateTime,
    now: chrono::DateTime<chrono::Utc>,
    advisor: &str,
) -> Result<(Store, Option<crate::store::StoreError>), crate::store::StoreError> {
    let files = store.beneficiary_count()?;
    let store = store.encrypt_with(secret, kdf, stamp)?;
    store.set_advisor(advisor);
    let detail = if files > 0 {
        format!(
            "base existante chiffrée ({files} dossier{}), sauvegarde préalable",
            if files > 1 { "s" } else { "" }
        )
    } else {
        "nouvelle base chiffrée".to_string()
    };
    let audited = store.record_audit(AuditAction::Encryption, None, &detail, now);
    tracing::info!("store encrypted");
    Ok((store, audited.err()))
}

/// The name of the background loading thread: a panic there is logged
/// and reported as a failed load, the terminal stays as it is (see the
/// panic hook in `cli`).
pub const LOADER_THREAD: &str = "chargement";

/// An effect's result as the loop hears it: a failure becomes
/// [`Outcome::Failed`] with its French message (and a line in the log).
fn reported(result: Result<Option<Outcome>, String>) -> Option<Outcome> {
    match result {
        Ok(outcome) => outcome,
        Err(message) => {
            tracing::warn!("effect failed: {message}");
            Some(Outcome::Failed { message })
        }
    }
}

/// The store itself, once no background load holds it.
fn sole(store: Arc<Store>) -> Result<Store, crate::store::StoreError> {
    Arc::try_unwrap(store).map_err(|store| {
        crate::store::StoreError::io(
            crate::store::IoAction::Open,
            &store.paths().dir,
            std::io::Error::other("la base est encore utilisée par un chargement"),
        )
    })
}

/// Where [`Effect::LoadCatalog`] reads the catalogue in force: the shipped
/// one by default; the interface sets the store's imported referential
/// (`cli::metiers::load_catalog`). A French message on failure.
pub type CatalogSource = fn(&Store) -> Result<Arc<Catalog>, String>;

/// The shipped catalogue (the default [`CatalogSource`]).
fn shipped_catalog(_: &Store) -> Result<Arc<Catalog>, String> {
    Ok(super::metiers::builtin_catalog())
}

/// The catalogue in force ([`Effect::LoadCatalog`]), in line or on a
/// background thread: when the imported referential cannot be read, the
/// shipped catalogue stands in, and the outcome says why.
fn load_catalog(source: CatalogSource, store: &Store) -> Option<Outcome> {
    Some(Outcome::CatalogLoaded(match source(store) {
        Ok(catalog) => LoadedCatalog {
            catalog,
            warning: None,
        },
        Err(why) => {
            tracing::warn!("imported referential not loaded: {why}");
            catalog_fallback(format!(
                "Référentiel importé illisible ({why}) : recherche dans le catalogue intégré"
            ))
        }
    }))
}

/// The shipped catalogue, standing in for an imported one, with `warning`.
fn catalog_fallback(warning: String) -> LoadedCatalog {
    LoadedCatalog {
        catalog: super::metiers::builtin_catalog(),
        warning: Some(warning),
    }
}

/// What the loop hears from a background load that panicked.
fn files_load_panicked() -> Outcome {
    Outcome::Failed {
        message: "Le chargement des dossiers a échoué (voir le journal)".into(),
    }
}

fn catalog_load_panicked() -> Outcome {
    Outcome::CatalogLoaded(catalog_fallback(
        "Le chargement du référentiel importé a échoué (voir le journal) : recherche dans le \
         catalogue intégré"
            .into(),
    ))
}

/// A background load: its thread, and what the loop hears if it panics.
struct Job {
    handle: JoinHandle<Option<Outcome>>,
    panicked: fn() -> Outcome,
}

/// Every file and the recent list ([`Effect::LoadBeneficiaries`]), in line
/// or on a background thread.
fn load_files(store: &Store) -> Result<Option<Outcome>, String> {
    let err = |e: crate::store::StoreError| e.to_string();
    // Each record becomes a list row (and its search index) as it is read,
    // here (on the loading thread): the full records are never all in
    // memory at once, and the interface thread only moves the batch in.
    let mut batch = FileBatch::with_capacity(store.beneficiary_count().unwrap_or(0));
    let damaged = store.each_beneficiary(|b| batch.push(&b)).map_err(err)?;
    let recent = store.recent().map_err(err)?;
    Ok(Some(Outcome::BeneficiariesLoaded {
        beneficiaries: batch,
        damaged,
        recent,
    }))
}

pub struct Runtime {
    /// Shared with the background loads (see [`Runtime::background`]).
    pub store: Arc<Store>,
    pub clock: Box<dyn Clock>,
    pub advisor: String,
    /// The advisor's structure (`[conseiller] structure`), for documents.
    pub structure: String,
    /// Argon2 cost of a passphrase chosen in the TUI (tests use cheap ones).
    pub kdf: crate::store::crypto::KdfParams,
    /// Loading every file runs on a thread while the loop keeps drawing
    /// and reading keys (the real terminal); `false` (tests) runs it in
    /// line, so a script sees the same order every time.
    pub background: bool,
    /// Where [`Effect::LoadCatalog`] reads the catalogue.
    pub catalog_source: CatalogSource,
    /// Background loads still running, in the order they started.
    jobs: VecDeque<Job>,
}

impl Runtime {
    /// The runtime of `store`; the advisor is named to the store once, as
    /// the author of its audit events.
    pub fn new(store: Store, clock: Box<dyn Clock>, advisor: String) -> Runtime {
        store.set_advisor(&advisor);
        Runtime {
            store: Arc::new(store),
            clock,
            advisor,
            structure: String::new(),
            kdf: crate::store::crypto::KdfParams::for_new_store(),
            background: false,
            catalog_source: shipped_catalog,
            jobs: VecDeque::new(),
        }
    }

    /// A background load is still running.
    pub fn busy(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// The outcomes of the background loads that have ended, in the order
    /// they started; with `wait`, waits for all of them first. A load that
    /// panicked reports a failure (its thread's panic message is logged by
    /// the panic hook).
    pub fn finished(&mut self, wait: bool) -> Vec<Outcome> {
        let mut done = Vec::new();
        while let Some(job) = self.jobs.front() {
            if !wait && !job.handle.is_finished() {
                break;
            }
            let Some(job) = self.jobs.pop_front() else {
                break;
            };
            match job.handle.join() {
                Ok(Some(outcome)) => done.push(outcome),
                Ok(None) => {}
                Err(_) => done.push((job.panicked)()),
            }
        }
        done
    }

    /// The store, once every background load has ended (the runtime is
    /// done with it: exit, or the first start's encryption).
    pub fn into_store(mut self) -> Result<Store, crate::store::StoreError> {
        self.finished(true);
        sole(self.store)
    }

    /// Rewrites the store once every background load has ended (their
    /// outcomes, if any, are dropped: the caller collects them first) and
    /// gives back a runtime around the new one, with the same clock,
    /// advisor and settings, and what `rewrite` returned beside it.
    pub fn replace_store<T>(
        mut self,
        rewrite: impl FnOnce(Store) -> Result<(Store, T), crate::store::StoreError>,
    ) -> Result<(Runtime, T), crate::store::StoreError> {
        self.finished(true);
        let Runtime {
            store,
            clock,
            advisor,
            structure,
            kdf,
            background,
            catalog_source,
            jobs: _,
        } = self;
        let (store, extra) = rewrite(sole(store)?)?;
        let mut runtime = Runtime::new(store, clock, advisor);
        runtime.structure = structure;
        runtime.kdf = kdf;
        runtime.background = background;
        runtime.catalog_source = catalog_source;
        Ok((runtime, extra))
    }

    /// Wall-clock time for display: Europe/Paris, the time of every
    /// screen, the agenda and the calendar export (whatever the machine's
    /// time zone).
    pub fn local_now(&self) -> NaiveDateTime {
        crate::domain::agenda::to_paris(self.clock.now())
    }

    /// Runs one effect; `None` when there is nothing to report.
    ///
    /// The one guard of the lock: while the store is locked (its key
    /// dropped by the idle lock, or not yet unlocked), only the lock's own
    /// effects run; any other is refused before it touches the store.
    pub fn run(&mut self, effect: Effect) -> Option<Outcome> {
        if self.store.is_locked() && !effect.runs_locked() {
            tracing::warn!("effect refused while the store is locked");
            return Some(Outcome::Failed {
                message: "Base verrouillée : rien n'a été lu ni écrit".into(),
            });
        }
        if self.background {
            let source = self.catalog_source;
            let started = match effect {
                Effect::LoadBeneficiaries => {
                    self.spawn(move |s| reported(load_files(s)), files_load_panicked)
                }
                Effect::LoadCatalog => {
                    self.spawn(move |s| load_catalog(source, s), catalog_load_panicked)
                }
                _ => false,
            };
            if started {
                return None;
            }
        }
        reported(self.run_one(effect))
    }

    /// Runs `load` on the loading thread with a share of the store; false
    /// when no thread could be had (the caller runs it in line).
    fn spawn(
        &mut self,
        load: impl FnOnce(&Store) -> Option<Outcome> + Send + 'static,
        panicked: fn() -> Outcome,
    ) -> bool {
        let store = Arc::clone(&self.store);
        let spawned = std::thread::Builder::new()
            .name(LOADER_THREAD.into())
            .spawn(move || load(&store));
        match spawned {
            Ok(handle) => {
                self.jobs.push_back(Job { handle, panicked });
                true
            }
            Err(e) => {
                tracing::warn!("background load not started: {e}");
                false
            }
        }
    }

    fn run_one(&mut self, effect: Effect) -> Result<Option<Outcome>, String> {
        let err = |e: crate::store::StoreError| e.to_string();
        Ok(Some(match effect {
            Effect::LoadBeneficiaries => return load_files(&self.store),
            Effect::LoadCatalog => return Ok(load_catalog(self.catalog_source, &self.store)),
            Effect::LoadBeneficiary(id) => Outcome::BeneficiaryLoaded {
                id,
                record: self.store.beneficiary(id).map_err(err)?.map(Box::new),
            },
            Effect::LoadFile(id) => Outcome::FileLoaded {
                id,
                interviews: self.store.interviews_of(id).map_err(err)?,
                journal: self.store.journal_of(id).map_err(err)?,
                audit: self.store.audit_of(id).map_err(err)?,
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
                let what = match format {
                    Format::Html => "synthèse du parcours (HTML)",
                    Format::Markdown => "synthèse du parcours (Markdown)",
                };
                self.audit_export(beneficiary, what)?;
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
            Effect::Unlock {
                passphrase,
                failures,
            } => match self.store.unlock(&passphrase.0) {
                Ok(()) => Outcome::Unlocked {
                    warning: self.audit_failures(failures),
                },
                Err(crate::store::StoreError::WrongPassphrase) => {
                    tracing::warn!("unlock failed (wrong passphrase)");
                    Outcome::UnlockRefused
                }
                Err(e) => return Err(e.to_string()),
            },
            Effect::ForgetKey => {
                self.store.forget_key();
                return Ok(None);
            }
        }))
    }

    /// After an unlock preceded by `failures` wrong passphrases: the audit
    /// event that says so. The French warning when it could not be written.
    fn audit_failures(&self, failures: u32) -> Option<String> {
        if failures == 0 {
            return None;
        }
        let detail = format!(
            "{failures} échec{} avant déverrouillage",
            if failures > 1 { "s" } else { "" }
        );
        self.store
            .record_audit(AuditAction::UnlockFailures, None, &detail, self.clock.now())
            .err()
            .map(|e| format!("Journal d'audit non écrit ({detail}) : {e}"))
    }

    /// Records the export of a file's personal data in the audit log
    /// (`detail` says what, never whom), before the data leaves the store:
    /// an export that cannot be traced is not made, and none goes
    /// unrecorded even if writing the file fails midway (as on the CLI).
    fn audit_export(&self, beneficiary: Id, detail: &str) -> Result<(), String> {
        self.store
            .record_audit(
                AuditAction::Export,
                Some(beneficiary),
                detail,
                self.clock.now(),
            )
            .map_err(|e| {
                format!("Export annulé : le journal d'audit n'a pas pu l'enregistrer ({e})")
            })
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
        self.audit_export(imm.beneficiary, "fiche de convention d'immersion (HTML)")?;
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
