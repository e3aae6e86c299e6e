//! Screens whose capability is not built yet say what they will hold.

use crate::app::Screen;

/// What each screen will hold, in the advisor's words.
pub fn promise(screen: Screen) -> &'static [&'static str] {
    match screen {
        Screen::Accueil => &[
            "Les entretiens et suivis du jour, les suivis en retard",
            "et les dossiers ouverts récemment s'afficheront ici",
            "dès que les dossiers bénéficiaires seront disponibles.",
        ],
        Screen::Beneficiaires => &[
            "La liste des dossiers (recherche, tri par prochain suivi),",
            "la fiche de chaque bénéficiaire, ses entretiens, son",
            "consentement et son historique arrivent avec la prochaine version.",
        ],
        Screen::Metiers => &[
            "La recherche dans le catalogue des métiers (codes ROME et",
            "appellations) des 18 branches de la cohésion sociale.",
        ],
        Screen::Parcours => &[
            "Les étapes du parcours (bilan, VAE, formation, immersion…),",
            "le plan de financement et l'éligibilité aux dispositifs.",
        ],
        Screen::Agenda => &[
            "La semaine : entretiens, séances d'information et immersions,",
            "avec les conflits d'horaires signalés.",
        ],
    }
}
