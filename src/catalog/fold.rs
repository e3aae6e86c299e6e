//! Accent and case folding: the one folding of the application, used by
//! the métier search, the file list, the command palette, the form choices
//! and the importers.
//!
//! One folding, two modes:
//! - **search** ([`fold`], [`fold_with_map`]): canonical decomposition (NFD)
//!   with combining marks removed, `œ`→`oe`, `æ`→`ae`, lowercase, and
//!   apostrophes / hyphens / whitespace turned into one space each
//!   (`Aide-soignant` → `aide soignant`, `d'immeuble` → `d immeuble`). Other
//!   punctuation is kept and the length barely changes, so positions map back
//!   to the original for highlighting.
//! - **words** ([`normalized`]): the same folding, then every run of
//!   non-alphanumeric characters becomes one space and the ends are trimmed
//!   (`  Le Gall-Côté ` → `le gall cote`, `ANCIENNETÉ (mois)` →
//!   `anciennete mois`). The key the importers compare names and column
//!   headers with, and the collation key of the catalogue.
//!
//! [`char_mask`] is the one letter-set prefilter: a text can only contain
//! (or fuzzily match) a query whose letters it holds.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folded text plus the map back to the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Folded {
    pub text: String,
    /// `map[i]` = index (in chars) in the original string of folded char `i`.
    pub map: Vec<u32>,
}

impl Folded {
    /// Original char indices of a set of folded char indices, sorted and deduplicated.
    pub fn original_indices(&self, folded: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut v: Vec<usize> = folded
            .into_iter()
            .filter_map(|i| self.map.get(i).map(|&o| o as usize))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' | '\u{2032}'
    )
}

fn is_hyphen(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
    )
}

/// Folds one char, pushing 0, 1 or more chars to `out`.
#[inline]
pub fn fold_char(c: char, out: &mut impl FnMut(char)) {
    if c.is_ascii() {
        // Fast path: nearly all text is ASCII once accents are gone.
        if c == '\'' || c == '-' || c == '`' || c.is_ascii_whitespace() {
            out(' ');
        } else {
            out(c.to_ascii_lowercase());
        }
        return;
    }
    match c {
        'œ' | 'Œ' => {
            out('o');
            out('e');
        }
        'æ' | 'Æ' => {
            out('a');
            out('e');
        }
        c if is_apostrophe(c) || is_hyphen(c) || c.is_whitespace() => out(' '),
        c => decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            for l in d.to_lowercase() {
                if !is_combining_mark(l) {
                    out(l);
                }
            }
        }),
    }
}

/// Folds a string (see the module docs).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut |f| out.push(f));
    }
    out
}

/// Folds a string and keeps the map from folded to original char positions.
pub fn fold_with_map(s: &str) -> Folded {
    let mut text = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        fold_char(c, &mut |f| {
            text.push(f);
            map.push(i as u32);
        });
    }
    Folded { text, map }
}

/// Words of folded text: maximal runs of alphanumeric chars, with the char
/// index where each starts.
pub fn words(folded: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None; // (char index, byte index)
    for (ci, (bi, c)) in folded.char_indices().enumerate() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some((ci, bi));
            }
        } else if let Some((sc, sb)) = start.take() {
            out.push((sc, &folded[sb..bi]));
        }
    }
    if let Some((sc, sb)) = start {
        out.push((sc, &folded[sb..]));
    }
    out
}

/// Words mode: folded words joined by single spaces, every other character
/// dropped. The key importers compare names and headers with, and the
/// collation and phrase key of the catalogue
/// (`Éducateur / Éducatrice` → `educateur educatrice`).
pub fn normalized(s: &str) -> String {
    let f = fold(s);
    let mut out = String::with_capacity(f.len());
    for (_, w) in words(&f) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Letter-set prefilter of folded text: one bit per ASCII letter and digit,
/// bit 63 for any other non-space character. A text whose mask lacks a bit
/// of the query's mask cannot contain the query (nor match it as a
/// subsequence), so most texts are rejected without looking at them.
pub fn char_mask(folded: &str) -> u64 {
    let mut m = 0u64;
    for c in folded.chars() {
        m |= match c {
            'a'..='z' => 1 << (c as u32 - 'a' as u32),
            '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
            ' ' => 0,
            _ => 1 << 63,
        };
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_ligatures() {
        assert_eq!(fold("Éducateur"), "educateur");
        assert_eq!(fold("Maître d'œuvre"), "maitre d oeuvre");
        assert_eq!(fold("ŒUVRE"), "oeuvre");
        assert_eq!(fold("Cæcum"), "caecum");
        assert_eq!(fold("Aide-soignant"), "aide soignant");
        assert_eq!(fold("l’accueil"), "l accueil");
        assert_eq!(fold("Âge Ça Ïle Û"), "age ca ile u");
        assert_eq!(fold("K1202"), "k1202");
        assert_eq!(fold("«Blanc»"), "«blanc»");
        // Already decomposed input (e + combining acute) folds the same.
        assert_eq!(fold("e\u{301}cole"), "ecole");
    }

    #[test]
    fn map_points_back_to_original_chars() {
        let f = fold_with_map("Œuvre éducative");
        assert_eq!(f.text, "oeuvre educative");
        assert_eq!(f.map.len(), f.text.chars().count());
        // "oe" both come from 'Œ' (char 0); 'u' from char 1.
        assert_eq!(&f.map[..3], &[0, 0, 1]);
        // 'e' of "educative" (folded 7) comes from 'é' (original char 6).
        assert_eq!(f.map[7], 6);
        assert_eq!(f.original_indices([0, 1, 2]), vec![0, 1]);

        let s = "e\u{301}te\u{301}"; // decomposed "été": 5 chars
        let f = fold_with_map(s);
        assert_eq!(f.text, "ete");
        assert_eq!(f.map, vec![0, 2, 3]);
    }

    #[test]
    fn words_and_normalized() {
        let f = fold("Gardien / Gardienne d'immeuble");
        let w: Vec<_> = words(&f)
            .into_iter()
            .map(|(i, w)| (i, w.to_string()))
            .collect();
        assert_eq!(
            w,
            vec![
                (0, "gardien".to_string()),
                (10, "gardienne".to_string()),
                (20, "d".to_string()),
                (22, "immeuble".to_string())
            ]
        );
        assert_eq!(
            normalized("  Éducateur / Éducatrice (EJE) "),
            "educateur educatrice eje"
        );
        assert!(words("").is_empty());
    }

    #[test]
    fn words_mode_is_what_the_importers_compare() {
        assert_eq!(normalized("  Le Gall-Côté "), "le gall cote");
        assert_eq!(normalized("Prénom"), "prenom");
        assert_eq!(normalized("ANCIENNETÉ (mois)"), "anciennete mois");
        assert_eq!(normalized("Œuvre"), "oeuvre");
        assert_eq!(normalized("N'Diaye"), "n diaye");
        assert_eq!(normalized("«Blanc» , noir"), "blanc noir");
        assert_eq!(normalized(" - "), "");
        // Search mode keeps the other punctuation (and so the positions).
        assert_eq!(fold("«Blanc» , noir"), "«blanc» , noir");
    }

    #[test]
    fn letter_masks_prefilter() {
        let hay = char_mask(&fold("Dupont Léa | Régie Nord"));
        assert_eq!(hay & char_mask("lea"), char_mask("lea"));
        assert_ne!(hay & char_mask("zoe"), char_mask("zoe"));
        assert_eq!(char_mask("a a"), char_mask("a"));
        assert_eq!(char_mask("k1202") & (1 << 27), 1 << 27, "digit 1");
        assert_eq!(char_mask("|"), 1 << 63);
        assert_eq!(char_mask(""), 0);
    }
}
