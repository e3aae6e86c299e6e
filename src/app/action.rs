//! Actions (what the user or the runtime asks) and effects (what `update`
//! asks the runtime to do against the store).

use super::undo::{Change, Direction};
use crate::domain::{Beneficiary, Id, Interview, TargetMetier};
use crate::store::{ErasureReport, JournalEntry};
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Answer to a confirm dialog.
    Confirm(bool),
    // Not bindable: produced by the event loop.
    /// A key typed into the focused text box.
    Text(KeyEvent),
    /// Time passed (clock in the header, fading messages).
    Tick,
    Resize(u16, u16),
    /// Mouse click on a header tab.
    ClickTab(Screen),
}

impl Action {
    /// The kebab-case name used in `[touches]`; None for internal actions.
    pub fn name(self) -> Option<&'static str> {
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
            Action::Confirm(_) => return None,
            Action::Text(_) | Action::Tick | Action::Resize(..) | Action::ClickTab(_) => {
                return None
            }
        })
    }

    /// French description for the help overlay.
    pub fn label(self) -> &'static str {
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
            Action::Confirm(_) => "",
            Action::Text(_) | Action::Tick | Action::Resize(..) | Action::ClickTab(_) => "",
        }
    }

    /// Short French word for the bottom bar.
    pub fn short_label(self) -> &'static str {
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
            other => other.label(),
        }
    }
}

/// Side effects asked by `update`, run by the runtime against the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Add a target métier to a beneficiary's file and save it.
    AddTarget {
        beneficiary: Id,
        target: TargetMetier,
    },
    /// Save a beneficiary (already validated).
    SaveBeneficiary(Box<Beneficiary>),
    /// Load every file and the recent list (at startup).
    LoadBeneficiaries,
    /// Save a validated change (file, or interview with its file); the
    /// runtime stamps `meta` and reports [`Outcome::Saved`].
    Save(Box<Change>),
    /// Load a file's interviews and journal (timeline).
    LoadFile(Id),
    /// Erase a file and everything linked to it (right to erasure).
    EraseBeneficiary(Id),
    /// Store the recently opened files, newest first.
    SetRecent(Vec<Id>),
    /// Undo or redo a change saved in this session.
    ApplyChange {
        change: Box<Change>,
        direction: Direction,
    },
}

/// What the runtime reports back after running effects (the runtime's half
/// of the one-way loop: `update` asks with [`Effect`], hears with `Outcome`).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A beneficiary was saved (created or updated).
    BeneficiarySaved(Box<Beneficiary>),
    /// Every file and the recent list, loaded at startup.
    BeneficiariesLoaded {
        beneficiaries: Vec<Beneficiary>,
        /// Files that could not be read (skipped, reported in the status bar).
        damaged: Vec<crate::store::Damaged>,
        recent: Vec<Id>,
    },
    /// A change was saved and flushed (records as stored, meta stamped).
    Saved(Box<Change>),
    /// A file's interviews (newest first) and journal (newest first).
    FileLoaded {
        id: Id,
        interviews: Vec<Interview>,
        journal: Vec<JournalEntry>,
    },
    /// A file was erased with everything linked to it.
    BeneficiaryErased { id: Id, report: ErasureReport },
    /// An undo / redo was written and flushed.
    ChangeApplied {
        change: Box<Change>,
        direction: Direction,
    },
}
