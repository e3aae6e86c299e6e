//! « Masquer les données personnelles »: a mode that keeps every screen
//! usable while someone sits beside the advisor. It is one rule, applied in
//! one place per kind of data:
//!
//! - **names** are blurred to their initial (`DUPONT Léa` → `D••••• L••`)
//!   wherever they appear on screen — lists, headers, form titles, agenda
//!   lines, status messages — by [`crate::ui::mask`], which runs over the
//!   drawn frame and blurs every word that is a known person's name (the
//!   loaded files, the open file's tutors and prescribers): no screen
//!   has to remember to do it;
//! - **contacts** (e-mail, phone, address, birth date) are hidden: the
//!   renderers pass them through [`Privacy::contact`];
//! - **free text** (interview summaries, notes, constraints, debriefs,
//!   reasons) is replaced by « (masqué) »: the renderers pass it through
//!   [`Privacy::note`];
//! - in a **form**, every text field but the one being typed shows
//!   « (masqué) » (the form widget asks [`Privacy::note`]).
//!
//! Names keep their width (one `•` per hidden cell) so that columns stay
//! aligned; this shows a name's length, not its letters.

use crate::catalog::fold::{fold, words};
use std::borrow::Cow;
use std::collections::HashSet;

/// What a hidden contact shows.
pub const HIDDEN: &str = "•••";
/// What hidden free text shows.
pub const MASKED: &str = "(masqué)";
/// The character that replaces the letters of a blurred name.
pub const BLUR: &str = "•";

/// Short words of names that are also ordinary words everywhere on screen
/// (particles): never blurred on their own.
const PARTICLES: [&str; 22] = [
    "de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "di", "da", "del", "della",
    "dos", "el", "al", "ben", "bin", "af", "ter", "mc",
];

/// The words of a name that identify someone: folded (lowercase, no
/// accent), at least two letters, particles left out.
pub fn name_words(name: &str) -> Vec<String> {
    let folded = fold(name);
    words(&folded)
        .into_iter()
        .map(|(_, w)| w)
        .filter(|w| w.chars().count() >= 2 && !PARTICLES.contains(w))
        .map(str::to_string)
        .collect()
}

/// The mode and the names it blurs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Privacy {
    /// The mode is on.
    pub masked: bool,
    /// Folded words of every known person's name.
    names: HashSet<String>,
}

impl Privacy {
    /// Replaces the known names (when the mode is on; off, none are kept).
    pub fn refresh<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        self.names.clear();
        if self.masked {
            for n in names {
                self.names.extend(name_words(n));
            }
        }
    }

    /// Whether a word on screen is (a word of) a known person's name; the
    /// word is folded here.
    pub fn is_name(&self, word: &str) -> bool {
        self.masked && !self.names.is_empty() && {
            let f = fold(word);
            f.chars().count() >= 2 && self.names.contains(f.as_str())
        }
    }

    /// How many name words are known (tests, diagnostics).
    pub fn known_names(&self) -> usize {
        self.names.len()
    }

    /// A contact (e-mail, phone, address, birth date): hidden when the
    /// mode is on and there is one (`—` stays `—`).
    pub fn contact<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.masked && !s.trim().is_empty() && s.trim() != "—" {
            Cow::Borrowed(HIDDEN)
        } else {
            Cow::Borrowed(s)
        }
    }

    /// Free text (summary, note, reason): « (masqué) » when the mode is on
    /// and there is some.
    pub fn note<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.masked && !s.trim().is_empty() && s.trim() != "—" {
            Cow::Borrowed(MASKED)
        } else {
            Cow::Borrowed(s)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(names: &[&str]) -> Privacy {
        let mut p = Privacy {
            masked: true,
            ..Privacy::default()
        };
        p.refresh(names.iter().copied());
        p
    }

    #[test]
    fn name_words_fold_and_skip_particles_and_initials() {
        assert_eq!(name_words("DUPONT Léa"), vec!["dupont", "lea"]);
        assert_eq!(
            name_words("Jean-Pierre de La Tour"),
            vec!["jean", "pierre", "tour"]
        );
        assert_eq!(name_words("N'Diaye"), vec!["diaye"]);
        assert_eq!(name_words("Œdipe"), vec!["oedipe"]);
        assert_eq!(name_words("محمد"), vec!["محمد"], "any script");
        assert!(name_words("X").is_empty());
    }

    #[test]
    fn names_are_known_only_while_the_mode_is_on() {
        let p = on(&["DUPONT", "Léa"]);
        assert!(p.is_name("Dupont") && p.is_name("LÉA") && p.is_name("lea"));
        assert!(!p.is_name("Dupond") && !p.is_name("L"));
        assert_eq!(p.known_names(), 2);
        let mut off = p.clone();
        off.masked = false;
        assert!(!off.is_name("Dupont"));
        off.refresh(["Dupont"]);
        assert_eq!(off.known_names(), 0, "off: nothing is kept");
    }

    #[test]
    fn contacts_are_hidden_and_notes_replaced_only_when_on() {
        let p = on(&[]);
        assert_eq!(p.contact("lea@exemple.fr"), HIDDEN);
        assert_eq!(p.contact("—"), "—");
        assert_eq!(p.contact(""), "");
        assert_eq!(p.note("A parlé de sa santé"), MASKED);
        assert_eq!(p.note("  "), "  ");
        let off = Privacy::default();
        assert_eq!(off.contact("06 12 34 56 78"), "06 12 34 56 78");
        assert_eq!(off.note("Résumé"), "Résumé");
    }
}
