//! Actions (what the user or the runtime asks) and effects (what `update`
//! asks the runtime to do against the store).

use super::undo::{Change, Direction};
use crate::domain::{
    Beneficiary, Id, InfoSession, Interview, Mobilities, Plan, SessionRegistration,
};
use crate::store::audit::AuditEntry;
use crate::store::{ErasureReport, JournalEntry};
use crate::transfer::agenda::{AgendaData, FileImmersions};
use chrono::NaiveDate;
use ratatui::crossterm::event::KeyEvent;

/// The five screens, in header order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    Accueil,
    Beneficiaires,
    Metiers,
    Parcours,
    Agenda,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Accueil,
        Screen::Beneficiaires,
        Screen::Metiers,
        Screen::Parcours,
        Screen::Agenda,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Screen::Accueil => "Accueil",
            Screen::Beneficiaires => "Bénéficiaires",
            Screen::Metiers => "Métiers",
            Screen::Parcours => "Parcours",
            Screen::Agenda => "Agenda",
        }
    }
    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
    pub fn next(self) -> Screen {
        Screen::ALL[(self.index() + 1) % Screen::ALL.len()]
    }
    pub fn prev(self) -> Screen {
        Screen::ALL[(self.index() + Screen::ALL.len() - 1) % Screen::ALL.len()]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // Bindable (see keymap).
    Quit,
    NextScreen,
    PrevScreen,
    GoTo(Screen),
    Help,
    Back,
    Privacy,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Search,
    Open,
    CycleBranch,
    ClearBranch,
    MarkTarget,
    FocusDetail,
    ToggleDetail,
    Palette,
    // Files (Bénéficiaires screen) and forms.
    New,
    Edit,
    Delete,
    NewInterview,
    CycleSort,
    CycleFilter,
    NextTab,
    PrevTab,
    Save,
    Undo,
    Redo,
    NextField,
    PrevField,
    /// Next / previous option of the focused choice field.
    NextChoice,
    PrevChoice,
    /// Move the selected target métier up / down in the ranking, or remove it.
    TargetUp,
    TargetDown,
    TargetRemove,
    // Parcours screen.
    /// Previous / next zone (targets, suggestions, steps).
    PrevZone,
    NextZone,
    /// Move the selected target or step up / down.
    MoveUp,
    MoveDown,
    /// The selected step's next status.
    StepStatus,
    /// Edit the selected step's funding lines.
    FundStep,
    /// Choose a plan template to apply.
    ApplyTemplate,
    /// Edit the plan's eligibility facts.
    EditFacts,
    /// Write the synthesis document.
    WriteSynthesis,
    /// Answers of a confirm dialog: « oui », « non », and the dialog's
    /// third answer when it offers one.
    Yes,
    No,
    Other,
    // Immersions, planned interviews and information sessions (issue 10).
    /// A new immersion (PMSMP) for the open or chosen file.
    NewImmersion,
    /// An interview scheduled ahead.
    PlanInterview,
    /// Change the status of the chosen immersion.
    ImmersionStatus,
    /// Renew the chosen immersion.
    Renew,
    /// Record the debrief of the chosen immersion.
    Debrief,
    /// Write the convention preparation sheet of the chosen immersion.
    ExportConvention,
    /// Register a file to an information session / remove it.
    Register,
    Unregister,
    /// Agenda: move by a day or a week, back to today, switch view.
    PrevDay,
    NextDay,
    PrevWeek,
    NextWeek,
    Today,
    CycleView,
    /// Blur names, hide contacts and notes on every screen (working beside
    /// someone), or show them again.
    MaskPersonal,
    /// Leave Passerelle from the lock screen without unlocking.
    LockQuit,
    // Not bindable: produced by the event loop.
    /// A key typed into the focused text box.
    Text(KeyEvent),
    /// Text pasted in one piece (bracketed paste), for the focused text box.
    Paste(String),
    /// Time passed (clock in the header, fading messages).
    Tick,
    Resize(u16, u16),
    /// Mouse click on a header tab.
    ClickTab(Screen),
}

impl Action {
    /// The kebab-case name used in `[touches]`; None for internal actions.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Action::Quit => "quitter",
            Action::NextScreen => "ecran-suivant",
            Action::PrevScreen => "ecran-precedent",
            Action::GoTo(Screen::Accueil) => "accueil",
            Action::GoTo(Screen::Beneficiaires) => "beneficiaires",
            Action::GoTo(Screen::Metiers) => "metiers",
            Action::GoTo(Screen::Parcours) => "parcours",
            Action::GoTo(Screen::Agenda) => "agenda",
            Action::Help => "aide",
            Action::Back => "retour",
            Action::Privacy => "masquer",
            Action::Up => "haut",
            Action::Down => "bas",
            Action::PageUp => "page-precedente",
            Action::PageDown => "page-suivante",
            Action::Home => "debut",
            Action::End => "fin",
            Action::Search => "chercher",
            Action::Open => "ouvrir",
            Action::CycleBranch => "branche",
            Action::ClearBranch => "toutes-branches",
            Action::MarkTarget => "cible",
            Action::FocusDetail => "fiche",
            Action::ToggleDetail => "panneau-fiche",
            Action::Palette => "palette",
            Action::New => "nouveau",
            Action::Edit => "modifier",
            Action::Delete => "supprimer",
            Action::NewInterview => "entretien",
            Action::CycleSort => "tri",
            Action::CycleFilter => "filtre",
            Action::NextTab => "onglet-suivant",
            Action::PrevTab => "onglet-precedent",
            Action::Save => "enregistrer",
            Action::Undo => "annuler",
            Action::Redo => "retablir",
            Action::NextField => "champ-suivant",
            Action::PrevField => "champ-precedent",
            Action::NextChoice => "choix-suivant",
            Action::PrevChoice => "choix-precedent",
            Action::TargetUp => "cible-monter",
            Action::TargetDown => "cible-descendre",
            Action::TargetRemove => "cible-retirer",
            Action::PrevZone => "zone-precedente",
            Action::NextZone => "zone-suivante",
            Action::MoveUp => "monter",
            Action::MoveDown => "descendre",
            Action::StepStatus => "statut-etape",
            Action::FundStep => "financer",
            Action::ApplyTemplate => "modele",
            Action::EditFacts => "elements-eligibilite",
            Action::WriteSynthesis => "synthese",
            Action::Yes => "oui",
            Action::No => "non",
            Action::Other => "autre-reponse",
            Action::NewImmersion => "immersion",
            Action::PlanInterview => "planifier-entretien",
            Action::ImmersionStatus => "statut-immersion",
            Action::Renew => "renouveler",
            Action::Debrief => "bilan",
            Action::ExportConvention => "convention",
            Action::Register => "inscrire",
            Action::Unregister => "desinscrire",
            Action::PrevDay => "jour-precedent",
            Action::NextDay => "jour-suivant",
            Action::PrevWeek => "semaine-precedente",
            Action::NextWeek => "semaine-suivante",
            Action::Today => "aujourdhui",
            Action::CycleView => "vue",
            Action::MaskPersonal => "masquer-donnees",
            Action::LockQuit => "quitter-verrouille",
            Action::Text(_)
            | Action::Paste(_)
            | Action::Tick
            | Action::Resize(..)
            | Action::ClickTab(_) => return None,
        })
    }

    /// French description for the help overlay and the palette.
    pub fn label(&self) -> &'static str {
        match self {
            Action::Quit => "quitter Passerelle",
            Action::NextScreen => "écran suivant",
            Action::PrevScreen => "écran précédent",
            Action::GoTo(Screen::Accueil) => "aller à l'Accueil",
            Action::GoTo(Screen::Beneficiaires) => "aller aux Bénéficiaires",
            Action::GoTo(Screen::Metiers) => "aller aux Métiers",
            Action::GoTo(Screen::Parcours) => "aller au Parcours",
            Action::GoTo(Screen::Agenda) => "aller à l'Agenda",
            Action::Help => "afficher cette aide",
            Action::Back => "revenir en arrière / effacer",
            Action::Privacy => "masquer l'écran (données personnelles)",
            Action::Up => "ligne précédente",
            Action::Down => "ligne suivante",
            Action::PageUp => "page précédente",
            Action::PageDown => "page suivante",
            Action::Home => "première ligne",
            Action::End => "dernière ligne",
            Action::Search => "chercher (saisie dans la zone de recherche)",
            Action::Open => "ouvrir la fiche choisie",
            Action::CycleBranch => "filtrer par branche (suivante)",
            Action::ClearBranch => "toutes les branches",
            Action::MarkTarget => "ajouter comme métier cible du bénéficiaire ouvert",
            Action::FocusDetail => "aller au panneau de la fiche",
            Action::ToggleDetail => "masquer / afficher la fiche (tableau pleine largeur)",
            Action::Palette => "palette : chercher une commande",
            Action::New => "nouveau dossier",
            Action::Edit => "modifier le dossier",
            Action::Delete => "effacer le dossier (droit à l'effacement, confirmation)",
            Action::NewInterview => "noter un entretien",
            Action::CycleSort => "changer le tri",
            Action::CycleFilter => "ouverts / fermés / tous",
            Action::NextTab => "onglet suivant du dossier",
            Action::PrevTab => "onglet précédent du dossier",
            Action::Save => "enregistrer le formulaire",
            Action::Undo => "annuler la dernière modification",
            Action::Redo => "rétablir la modification annulée",
            Action::NextField => "champ suivant",
            Action::PrevField => "champ précédent",
            Action::NextChoice => "choix suivant (champ à choix)",
            Action::PrevChoice => "choix précédent (champ à choix)",
            Action::TargetUp => "monter le métier cible choisi",
            Action::TargetDown => "descendre le métier cible choisi",
            Action::TargetRemove => "retirer le métier cible choisi",
            Action::PrevZone => "zone précédente (cibles, suggestions, étapes)",
            Action::NextZone => "zone suivante (cibles, suggestions, étapes)",
            Action::MoveUp => "monter la cible ou l'étape choisie",
            Action::MoveDown => "descendre la cible ou l'étape choisie",
            Action::StepStatus => "statut suivant de l'étape (noté dans l'historique)",
            Action::FundStep => "financements de l'étape choisie",
            Action::ApplyTemplate => "appliquer un modèle de parcours",
            Action::EditFacts => "éléments d'éligibilité (jours travaillés, accords…)",
            Action::WriteSynthesis => "écrire la synthèse à remettre (HTML)",
            Action::Yes => "répondre oui",
            Action::No => "répondre non",
            Action::Other => "choisir l'autre réponse proposée",
            Action::NewImmersion => "nouvelle immersion (PMSMP) pour le dossier",
            Action::PlanInterview => "planifier un entretien (date, heure, durée, modalité)",
            Action::ImmersionStatus => "changer le statut de l'immersion choisie",
            Action::Renew => "renouveler l'immersion choisie (une fois au plus)",
            Action::Debrief => "bilan de l'immersion choisie",
            Action::ExportConvention => {
                "fiche de préparation de la convention (fichier HTML, données personnelles)"
            }
            Action::Register => "inscrire à une séance d'information",
            Action::Unregister => "désinscrire de la séance choisie (confirmation)",
            Action::PrevDay => "jour précédent",
            Action::NextDay => "jour suivant",
            Action::PrevWeek => "semaine précédente",
            Action::NextWeek => "semaine suivante",
            Action::Today => "revenir à aujourd'hui",
            Action::CycleView => "vue suivante : semaine, à venir, séances",
            Action::MaskPersonal => {
                "masquer / afficher les données personnelles (noms floutés, contacts et notes cachés)"
            }
            Action::LockQuit => "quitter Passerelle sans déverrouiller",
            Action::Text(_)
            | Action::Paste(_)
            | Action::Tick
            | Action::Resize(..)
            | Action::ClickTab(_) => "",
        }
    }

    /// Moves a cursor in a list (meaningless inside a form).
    pub fn moves_in_list(&self) -> bool {
        matches!(
            self,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End
        )
    }

    /// What an open form lets through to the shell: switching screens
    /// (the form is kept for later), quitting, undo and redo (they ask
    /// first while a form is open).
    pub fn passes_form(&self) -> bool {
        matches!(
            self,
            Action::GoTo(_)
                | Action::ClickTab(_)
                | Action::NextScreen
                | Action::PrevScreen
                | Action::Quit
                | Action::Undo
                | Action::Redo
        )
    }

    /// Short French word for the bottom bar.
    pub fn short_label(&self) -> &'static str {
        match self {
            Action::Quit => "quitter",
            Action::Help => "aide",
            Action::Back => "retour",
            Action::Search => "chercher",
            Action::Open => "fiche",
            Action::CycleBranch => "branche",
            Action::MarkTarget => "cible",
            Action::Privacy => "masquer",
            Action::New => "nouveau",
            Action::Edit => "modifier",
            Action::Delete => "effacer",
            Action::NewInterview => "entretien",
            Action::CycleSort => "tri",
            Action::CycleFilter => "filtre",
            Action::Save => "enregistrer",
            Action::Undo => "annuler",
            Action::Redo => "rétablir",
            Action::NextChoice => "choisir",
            Action::TargetUp => "monter",
            Action::TargetDown => "descendre",
            Action::TargetRemove => "retirer",
            Action::PrevZone | Action::NextZone => "zone",
            Action::MoveUp => "monter",
            Action::MoveDown => "descendre",
            Action::StepStatus => "statut",
            Action::FundStep => "financer",
            Action::ApplyTemplate => "modèle",
            Action::EditFacts => "éligibilité",
            Action::WriteSynthesis => "synthèse",
            Action::Yes => "oui",
            Action::No => "non",
            Action::NewImmersion => "immersion",
            Action::PlanInterview => "planifier",
            Action::ImmersionStatus => "statut",
            Action::Renew => "renouveler",
            Action::Debrief => "bilan",
            Action::ExportConvention => "convention",
            Action::Register => "inscrire",
            Action::Unregister => "désinscrire",
            Action::PrevWeek => "semaine préc.",
            Action::NextWeek => "semaine suiv.",
            Action::Today => "aujourd'hui",
            Action::CycleView => "vue",
            Action::MaskPersonal => "masquer les données",
            Action::LockQuit => "quitter",
            other => other.label(),
        }
    }
}

/// What a confirm dialog's answer means to the screen that asked: the
/// dialog carries it and hands it back to that screen
/// ([`super::screen::ScreenLogic::confirmed`]). Any screen may add its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Leave a changed form without saving.
    DiscardForm,
    /// Leave a changed form and quit Passerelle.
    QuitDiscardingForm,
    /// Erase a beneficiary's file and everything linked to it.
    EraseBeneficiary(Id),
    /// Save the new file although it looks like an existing one.
    CreateDuplicate,
    /// Drop the new-file form and open the existing file instead.
    OpenExisting(Id),
    /// Delete a step of the open file's plan.
    DeleteStep(Id),
    /// Open a written document with the system's viewer.
    OpenDocument(std::path::PathBuf),
    /// Remove this registration (to an information session).
    Unregister(Id),
    /// Delete an information session and its registrations.
    DeleteSession(Id),
}

/// Side effects asked by `update`, run by the runtime against the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Load every file and the recent list (at startup).
    LoadBeneficiaries,
    /// Load a file's full record (the list keeps rows only): when it is
    /// opened or edited.
    LoadBeneficiary(Id),
    /// Load a file's interviews and journal (timeline).
    LoadFile(Id),
    /// Write a change (any record kinds) in one transaction: its `after`
    /// records ([`Direction::Do`] and [`Direction::Redo`]) or its `before`
    /// ones ([`Direction::Undo`]). The runtime stamps `meta` and reports
    /// [`Outcome::Applied`]; `owner` is the screen that asked.
    Apply {
        change: Box<Change>,
        direction: Direction,
        owner: Screen,
    },
    /// Erase a file and everything linked to it (right to erasure).
    EraseBeneficiary(Id),
    /// Store the recently opened files, newest first.
    SetRecent(Vec<Id>),
    /// Load a file's plan (Parcours screen, Métiers `c`).
    LoadPlan(Id),
    /// Load France Travail's mobility file, when imported.
    LoadMobilities,
    /// Load the métier catalogue in force: the imported referential (its
    /// stored index), or the shipped one. Public data: it runs while the
    /// store is locked, so it is ready by the time the passphrase is typed.
    LoadCatalog,
    /// Write a file's synthesis into the data directory's `documents`.
    WriteSynthesis {
        beneficiary: Id,
        format: crate::transfer::document::Format,
    },
    /// Open a file with the system's default viewer (detached).
    OpenExternal(std::path::PathBuf),
    /// Load the agenda of the days `from` to `to` (and the debriefs
    /// overdue on `today`).
    LoadAgenda {
        from: NaiveDate,
        to: NaiveDate,
        today: NaiveDate,
    },
    /// Load what a file's Immersions tab shows (immersions, plan, sessions).
    LoadFileImmersions(Id),
    /// Create or update an information session (no personal data; the
    /// runtime stamps it).
    SaveSession {
        session: Box<InfoSession>,
        created: bool,
    },
    /// Delete an information session with its registrations.
    DeleteSession(Id),
    /// Write the convention preparation sheet of an immersion (HTML) in the
    /// data directory's `exports` folder.
    ExportConvention { immersion: Id, today: NaiveDate },
    /// Unlock the store (Argon2, about half a second): `failures` wrong
    /// passphrases came before this one (an audit event says so once the
    /// store is open). Reported by [`Outcome::Unlocked`] or
    /// [`Outcome::UnlockRefused`].
    Unlock {
        passphrase: super::lock::Passphrase,
        failures: u32,
    },
    /// Drop the store's key from memory (idle lock).
    ForgetKey,
}

impl Effect {
    /// Effects the runtime runs while the store is locked: only those of
    /// the lock itself (see [`super::runtime::Runtime::run`]).
    pub fn runs_locked(&self) -> bool {
        matches!(
            self,
            Effect::Unlock { .. } | Effect::ForgetKey | Effect::LoadCatalog
        )
    }

    /// Reads the store without writing nor changing its key: may run while
    /// a background load does.
    pub fn reads_only(&self) -> bool {
        matches!(
            self,
            Effect::LoadBeneficiaries
                | Effect::LoadFile(_)
                | Effect::LoadPlan(_)
                | Effect::LoadMobilities
                | Effect::LoadCatalog
                | Effect::LoadAgenda { .. }
                | Effect::LoadFileImmersions(_)
                | Effect::OpenExternal(_)
        )
    }
}

/// What the runtime reports back after running an effect (the runtime's
/// half of the one-way loop: `update` asks with [`Effect`], hears with
/// `Outcome` through [`super::App::effect_done`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Every file and the recent list, loaded at startup: the files as
    /// list rows with their search index (`App::effect_done` moves them
    /// into the list).
    BeneficiariesLoaded {
        beneficiaries: crate::app::beneficiaires::FileBatch,
        /// Files that could not be read (skipped, reported in the status bar).
        damaged: Vec<crate::store::Damaged>,
        recent: Vec<Id>,
    },
    /// A file's full record (None: it no longer exists).
    BeneficiaryLoaded {
        id: Id,
        record: Option<Box<Beneficiary>>,
    },
    /// A file's interviews (newest first), journal (newest first) and audit
    /// events (exports, erasure…, newest first).
    FileLoaded {
        id: Id,
        interviews: Vec<Interview>,
        journal: Vec<JournalEntry>,
        audit: Vec<AuditEntry>,
    },
    /// A change was written and flushed (records as stored, meta stamped).
    Applied {
        change: Box<Change>,
        direction: Direction,
        owner: Screen,
    },
    /// A file was erased with everything linked to it.
    BeneficiaryErased { id: Id, report: ErasureReport },
    /// A file's plan (None: no plan yet).
    PlanLoaded { beneficiary: Id, plan: Option<Plan> },
    /// France Travail's mobility file (None: not imported).
    MobilitiesLoaded(Option<std::sync::Arc<Mobilities>>),
    /// The catalogue in force ([`Effect::LoadCatalog`]).
    CatalogLoaded(LoadedCatalog),
    /// A document was written (0600) at `path`.
    DocumentWritten {
        beneficiary: Id,
        path: std::path::PathBuf,
    },
    /// An effect failed; nothing was changed. French message for the status bar.
    Failed { message: String },
    /// The agenda of `from`..=`to`.
    AgendaLoaded {
        from: NaiveDate,
        to: NaiveDate,
        data: Box<AgendaData>,
    },
    /// What a file's Immersions tab shows.
    FileImmersionsLoaded { id: Id, data: Box<FileImmersions> },
    /// A session was saved (as stored).
    SessionSaved {
        session: Box<InfoSession>,
        created: bool,
    },
    /// A session was deleted, with these registrations.
    SessionDeleted {
        id: Id,
        registrations: Vec<SessionRegistration>,
    },
    /// A file was written (`path`); `what` says what it is, in French.
    Exported { path: String, what: String },
    /// The store is unlocked; `warning` when the audit event of the
    /// failures before could not be written.
    Unlocked { warning: Option<String> },
    /// The passphrase is not the store's (nothing was written).
    UnlockRefused,
}

/// The catalogue [`Effect::LoadCatalog`] read, and why it is the shipped one
/// when an imported referential could not be read.
#[derive(Clone)]
pub struct LoadedCatalog {
    pub catalog: std::sync::Arc<crate::catalog::Catalog>,
    /// A French message when the imported referential was unreadable and
    /// the shipped catalogue stands in for it.
    pub warning: Option<String>,
}

impl PartialEq for LoadedCatalog {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.catalog, &other.catalog) && self.warning == other.warning
    }
}

impl std::fmt::Debug for LoadedCatalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedCatalog")
            .field("version", &self.catalog.info().short_version)
            .field("appellations", &self.catalog.len())
            .field("warning", &self.warning)
            .finish()
    }
}
