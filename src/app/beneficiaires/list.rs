//! The list of files: pre-folded search strings, search with narrowing,
//! status filter and sort. The visible order (`view`) is only recomputed
//! when the query, sort, filter or data change, never on draw.
//!
//! Search: files where every query word appears as typed (accents and case
//! aside) come first; below them, under « approchés », files where some word
//! only matches with one typo (the catalogue's rule: 4 letters or more, same
//! first letter, one letter inserted, dropped, changed or two swapped, in a
//! word or at its start). Nothing else: `/martin` no longer lists files
//! whose letters merely appear in that order somewhere.

use super::branches;
use crate::app::text::TextInput;
use crate::catalog::fold::{char_mask, fold, fold_with_map, words};
use crate::catalog::search::{typo_match, TypoWord};
use crate::domain::{Beneficiary, Id};
use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    Name,
    LastContact,
    #[default]
    NextFollowUp,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Name => SortKey::LastContact,
            SortKey::LastContact => SortKey::NextFollowUp,
            SortKey::NextFollowUp => SortKey::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "nom ▲",
            SortKey::LastContact => "dernier contact ▼",
            SortKey::NextFollowUp => "prochain suivi ▲",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    Open,
    Closed,
    All,
}

impl StatusFilter {
    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Open => StatusFilter::Closed,
            StatusFilter::Closed => StatusFilter::All,
            StatusFilter::All => StatusFilter::Open,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::Open => "ouverts",
            StatusFilter::Closed => "clos",
            StatusFilter::All => "tous",
        }
    }
    fn keeps(self, b: &Beneficiary) -> bool {
        match self {
            StatusFilter::Open => b.status.is_open(),
            StatusFilter::Closed => !b.status.is_open(),
            StatusFilter::All => true,
        }
    }
}

/// One file with its pre-computed search and sort keys.
#[derive(Clone, Debug)]
pub struct Row {
    pub b: Beneficiary,
    /// Folded name, employer, branch, current métier: what the search sees.
    pub hay: String,
    /// `hay` without its spaces, so that words typed glued together match
    /// as typed (`ndiaye` for N'Diaye, `legoff` for Le Goff).
    pub compact: String,
    /// The words of `hay` in the list's vocabulary (for typos).
    words: Vec<u32>,
    /// Folded `last first`, for the name sort.
    pub name_key: String,
    /// Which letters and digits `hay` holds: a word whose letters are not
    /// all there cannot match fuzzily either, so most rows skip the matcher.
    pub mask: u64,
}

impl Row {
    pub fn new(b: Beneficiary) -> Row {
        let branch = b
            .branch
            .as_deref()
            .map(|s| match branches().by_short(s) {
                Some(br) => format!("{} {}", br.short, br.display),
                None => s.to_string(),
            })
            .unwrap_or_default();
        let job = b
            .current_job
            .as_ref()
            .map(|j| format!("{} {}", j.label, j.rome))
            .unwrap_or_default();
        let hay = fold(&format!(
            "{} {} | {} | {} | {}",
            b.last_name, b.first_name, b.employer.name, branch, job
        ));
        let name_key = fold(&format!("{} {}", b.last_name, b.first_name));
        let mask = char_mask(&hay);
        let compact = hay.replace(' ', "");
        Row {
            b,
            hay,
            compact,
            words: Vec::new(),
            name_key,
            mask,
        }
    }
}

/// Narrowing cache: the query's words and every row they matched.
#[derive(Clone, Debug)]
struct Narrowing {
    words: Vec<String>,
    hits: Vec<(usize, Tier)>,
}

/// How well a row matched the query: 0 every word found as typed,
/// 1 « approché » (some word within one typo).
pub type Tier = u8;

/// Whether the rows matching `new` are among those matching `prev`: the
/// same words, the last one extended or followed by more words, and no word
/// newly long enough for typos.
fn narrows(new: &[String], prev: &[String]) -> bool {
    let Some(k) = prev.len().checked_sub(1) else {
        return false;
    };
    new.len() >= prev.len()
        && new[..k] == prev[..k]
        && new[k].starts_with(prev[k].as_str())
        && (!typo_allowed(&new[k]) || typo_allowed(&prev[k]))
}

fn typo_allowed(w: &str) -> bool {
    TypoWord::new(w).allowed()
}

/// The distinct words of every row's search text: a query word is
/// compared by typo once per distinct word, not once per row.
#[derive(Clone, Debug, Default)]
struct Vocab {
    words: Vec<Box<str>>,
    ids: HashMap<Box<str>, u32>,
}

impl Vocab {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.words.len() as u32;
        self.words.push(w.into());
        self.ids.insert(w.into(), id);
        id
    }
}

/// A query word: as typed, and which vocabulary words it matches by typo.
struct QueryWord {
    text: String,
    typo: Option<Vec<bool>>,
}

fn query_words(words_q: &[String], vocab: &Vocab) -> Vec<QueryWord> {
    let mut buf = Vec::new();
    words_q
        .iter()
        .map(|w| {
            let t = TypoWord::new(w);
            QueryWord {
                text: w.clone(),
                typo: t
                    .allowed()
                    .then(|| vocab.words.iter().map(|v| t.matches(v, &mut buf)).collect()),
            }
        })
        .collect()
}

/// Tier of a row for query words: None when some word matches neither as
/// typed (in the text, or glued: spaces ignored) nor by one typo.
fn tier(row: &Row, q: &[QueryWord]) -> Option<Tier> {
    let mut t = 0;
    for w in q {
        if row.hay.contains(w.text.as_str()) || row.compact.contains(w.text.as_str()) {
            continue;
        }
        let typo = |hit: &Vec<bool>| row.words.iter().any(|&id| hit[id as usize]);
        if w.typo.as_ref().is_some_and(typo) {
            t = 1;
            continue;
        }
        return None;
    }
    Some(t)
}

/// Char indices, in `text` (a name, a métier as displayed), of what the
/// query matched: every occurrence of a word found as typed, else the words
/// it matched with one typo. For the rows on screen only.
pub fn highlight(text: &str, query: &str) -> Vec<usize> {
    let q = fold(query.trim());
    let f = fold_with_map(text);
    let chars: Vec<char> = f.text.chars().collect();
    let mut marked = Vec::new();
    for w in q.split_whitespace() {
        let wc: Vec<char> = w.chars().collect();
        let mut found = false;
        for start in 0..chars.len() {
            if chars[start..].starts_with(&wc) {
                marked.extend(start..start + wc.len());
                found = true;
            }
        }
        if !found {
            // Glued words: `ndiaye` in « n diaye ».
            let compact: Vec<(usize, char)> = chars
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, c)| *c != ' ')
                .collect();
            for start in 0..compact.len() {
                let run = &compact[start..];
                if run.len() >= wc.len() && run.iter().zip(&wc).all(|((_, a), b)| a == b) {
                    marked.extend(run[..wc.len()].iter().map(|(i, _)| *i));
                    found = true;
                }
            }
        }
        if !found {
            for (start, hw) in words(&f.text) {
                if typo_match(w, hw) {
                    marked.extend(start..start + hw.chars().count().min(wc.len() + 1));
                }
            }
        }
    }
    f.original_indices(marked)
}

#[derive(Clone, Debug, Default)]
pub struct FileList {
    pub rows: Vec<Row>,
    by_id: HashMap<Id, usize>,
    /// Indices into `rows`, in display order.
    pub view: Vec<usize>,
    /// Cursor in `view`.
    pub selected: usize,
    pub sort: SortKey,
    pub filter: StatusFilter,
    pub query: TextInput,
    /// Position in `view` where the « approchés » start (`view.len()` when
    /// every listed file matched as typed).
    pub approx_from: usize,
    /// Narrowing cache: the folded query and every row it matched.
    hits: Option<Narrowing>,
    vocab: Vocab,
}

impl FileList {
    /// A row with its words interned in the list's vocabulary.
    fn row(&mut self, b: Beneficiary) -> Row {
        let mut r = Row::new(b);
        r.words = words(&r.hay)
            .into_iter()
            .map(|(_, w)| self.vocab.intern(w))
            .collect();
        r.words.sort_unstable();
        r.words.dedup();
        r
    }

    pub fn set_all(&mut self, all: Vec<Beneficiary>) {
        self.vocab = Vocab::default();
        self.rows = all.into_iter().map(|b| self.row(b)).collect();
        self.reindex();
        self.refresh();
    }

    fn reindex(&mut self) {
        self.by_id = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.b.id, i))
            .collect();
        self.hits = None;
    }

    pub fn get(&self, id: Id) -> Option<&Beneficiary> {
        self.by_id.get(&id).map(|&i| &self.rows[i].b)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Inserts or replaces a file; recomputes the view.
    pub fn upsert(&mut self, b: Beneficiary) {
        match self.by_id.get(&b.id) {
            Some(&i) => self.rows[i] = self.row(b),
            None => {
                self.by_id.insert(b.id, self.rows.len());
                let r = self.row(b);
                self.rows.push(r);
            }
        }
        self.hits = None;
        self.refresh();
    }

    pub fn remove(&mut self, id: Id) {
        if let Some(i) = self.by_id.get(&id).copied() {
            // The cursor stays at the same position (on the next file).
            let pos = self.selected;
            self.rows.remove(i);
            self.view.clear();
            self.reindex();
            self.refresh();
            self.selected = pos;
            self.move_by(0);
        }
    }

    /// The file under the cursor.
    pub fn selected_row(&self) -> Option<&Row> {
        self.view.get(self.selected).and_then(|&i| self.rows.get(i))
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.selected_row().map(|r| r.b.id)
    }

    pub fn select_id(&mut self, id: Id) {
        if let Some(p) = self.view.iter().position(|&i| self.rows[i].b.id == id) {
            self.selected = p;
        }
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            self.selected = 0;
            return;
        }
        let max = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }

    /// Rows matching the query with their tier (all rows, tier 0, without query).
    fn matches(&mut self) -> Vec<(usize, Tier)> {
        let q = fold(self.query.text.trim());
        let words_q: Vec<String> = q.split_whitespace().map(String::from).collect();
        if words_q.is_empty() {
            self.hits = None;
            return (0..self.rows.len()).map(|i| (i, 0)).collect();
        }
        // Narrowing: a longer query can only match rows the shorter one matched.
        let candidates: Vec<usize> = match &self.hits {
            Some(n) if narrows(&words_q, &n.words) => n.hits.iter().map(|h| h.0).collect(),
            _ => (0..self.rows.len()).collect(),
        };
        // Letter-set prefilter: a word matched with one typo may lack one
        // letter of the query.
        let need = char_mask(&words_q.join(" "));
        let slack = words_q.iter().filter(|w| typo_allowed(w)).count() as u32;
        let q = query_words(&words_q, &self.vocab);
        let mut out = Vec::with_capacity(candidates.len());
        for i in candidates {
            let row = &self.rows[i];
            if (need & !row.mask).count_ones() > slack {
                continue;
            }
            if let Some(t) = tier(row, &q) {
                out.push((i, t));
            }
        }
        self.hits = Some(Narrowing {
            words: words_q,
            hits: out.clone(),
        });
        out
    }

    /// Recomputes `view` (filter, search, sort), keeping the cursor on the
    /// same file when it is still listed.
    pub fn refresh(&mut self) {
        let keep = self.selected_id();
        let mut m: Vec<(usize, Tier)> = self.matches();
        m.retain(|(i, _)| self.filter.keeps(&self.rows[*i].b));
        let rows = &self.rows;
        let sort = self.sort;
        m.sort_by(|(a, ta), (b, tb)| ta.cmp(tb).then_with(|| compare(&rows[*a], &rows[*b], sort)));
        self.approx_from = m.iter().position(|(_, t)| *t > 0).unwrap_or(m.len());
        self.view = m.into_iter().map(|(i, _)| i).collect();
        self.selected = 0;
        if let Some(id) = keep {
            self.select_id(id);
        }
        self.move_by(0);
    }

    /// After the query changed: recomputes the view and puts the cursor on
    /// the best match (the first row).
    pub fn search_changed(&mut self) {
        self.refresh();
        self.selected = 0;
    }

    pub fn cycle_sort(&mut self) {
        self.sort = self.sort.next();
        self.refresh();
    }

    pub fn cycle_filter(&mut self) {
        self.filter = self.filter.next();
        self.refresh();
    }
}

/// Missing dates sort last in both directions.
fn cmp_opt<T: Ord>(a: &Option<T>, b: &Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            if desc {
                y.cmp(x)
            } else {
                x.cmp(y)
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn compare(a: &Row, b: &Row, sort: SortKey) -> Ordering {
    let by_name = || a.name_key.cmp(&b.name_key).then(a.b.id.cmp(&b.b.id));
    match sort {
        SortKey::Name => by_name(),
        SortKey::LastContact => {
            cmp_opt(&a.b.last_contact, &b.b.last_contact, true).then_with(by_name)
        }
        SortKey::NextFollowUp => {
            cmp_opt(&a.b.next_follow_up, &b.b.next_follow_up, false).then_with(by_name)
        }
    }
}
