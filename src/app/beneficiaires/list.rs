//! The list of files: pre-folded search strings, fuzzy search with
//! narrowing, status filter and sort. The visible order (`view`) is only
//! recomputed when the query, sort, filter or data change, never on draw.

use super::branches;
use crate::app::text::TextInput;
use crate::domain::{Beneficiary, Id};
use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use std::cmp::Ordering;
use std::collections::HashMap;

use crate::catalog::fold::{char_mask, fold};

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
        Row {
            b,
            hay,
            name_key,
            mask,
        }
    }
}

/// Words shorter than this are matched as typed only (no typo tolerance).
const FUZZY_MIN_LEN: usize = 4;
/// Typo-tolerant matching runs only when fewer files match as typed.
const FUZZY_FALLBACK: usize = 20;

/// Narrowing cache: a query, every row it matched, and whether typo-tolerant
/// matching ran for it (if not, a looser later query cannot narrow from it).
#[derive(Clone, Debug)]
struct Narrowing {
    query: String,
    hits: Vec<(usize, Tier)>,
    fuzzy: bool,
}

/// How well a row matched the query: 0 every word found as typed, 1 fuzzy.
type Tier = u8;

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
    /// Narrowing cache: the folded query and every row it matched.
    hits: Option<Narrowing>,
}

impl FileList {
    pub fn set_all(&mut self, all: Vec<Beneficiary>) {
        self.rows = all.into_iter().map(Row::new).collect();
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
            Some(&i) => self.rows[i] = Row::new(b),
            None => {
                self.by_id.insert(b.id, self.rows.len());
                self.rows.push(Row::new(b));
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
        let words: Vec<&str> = q.split_whitespace().collect();
        if words.is_empty() {
            self.hits = None;
            return (0..self.rows.len()).map(|i| (i, 0)).collect();
        }
        // Fuzzy (subsequence) matching of short words matches nearly every
        // file: it is only used once a word is long enough to be meant.
        let fuzzy = words.iter().any(|w| w.chars().count() >= FUZZY_MIN_LEN);
        // Narrowing: a longer query can only match rows the shorter one matched.
        let candidates: Vec<usize> = match &self.hits {
            // Narrowing is sound only if the previous query matched at least
            // as loosely as this one.
            Some(n) if q.starts_with(n.query.as_str()) && (n.fuzzy || !fuzzy) => {
                n.hits.iter().map(|h| h.0).collect()
            }
            _ => (0..self.rows.len()).collect(),
        };
        let matcher = SkimMatcherV2::default().ignore_case();
        let need = char_mask(&q);
        let mut out = Vec::with_capacity(candidates.len());
        let mut rest = Vec::new();
        for i in candidates {
            let row = &self.rows[i];
            if row.mask & need != need {
                continue;
            }
            if words.iter().all(|w| row.hay.contains(w)) {
                out.push((i, 0));
            } else {
                rest.push(i);
            }
        }
        // Typos are looked for only when the exact words find few files.
        let fuzzy = fuzzy && out.len() < FUZZY_FALLBACK;
        if fuzzy {
            for i in rest {
                let hay = &self.rows[i].hay;
                if words.iter().all(|w| matcher.fuzzy_match(hay, w).is_some()) {
                    out.push((i, 1));
                }
            }
        }
        self.hits = Some(Narrowing {
            query: q,
            hits: out.clone(),
            fuzzy,
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
        self.view = m.into_iter().map(|(i, _)| i).collect();
        self.selected = 0;
        if let Some(id) = keep {
            self.select_id(id);
        }
        self.move_by(0);
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
