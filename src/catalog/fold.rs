//! Accent and case folding for search.
//!
//! `fold` turns display text into the form the search index works on:
//! canonical decomposition (NFD) with combining marks removed, `œ`→`oe`,
//! `æ`→`ae`, lowercase, and apostrophes / hyphens turned into spaces
//! (`Aide-soignant` → `aide soignant`, `d'immeuble` → `d immeuble`).
//! Other punctuation is kept; words are runs of alphanumeric characters.
//!
//! `fold_with_map` also returns, for every folded char, the index of the
//! original char it came from, so that matches found in folded text can be
//! highlighted in the accented original.

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

/// Folded words joined by single spaces: the collation and phrase key
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
}
