//! The list of files: a compact row per file (what the list, the Accueil
//! screen and the duplicate check show or compare, never the full record)
//! and a pre-folded search index, with narrowing search, status filter and
//! sort. The visible order (`view`) is only recomputed when the query,
//! sort, filter or data change, never on draw.
//!
//! Search: files where every query word appears as typed (accents and case
//! aside) come first; below them, under « approchés », files where some word
//! only matches with one typo (the catalogue's rule: 4 letters or more, same
//! first letter, one letter inserted, dropped, changed or two swapped, in a
//! word or at its start). Nothing else: `/martin` no longer lists files
//! whose letters merely appear in that order somewhere.
//!
//! Costs, for `n` files (see `passerelle bench dossiers`):
//! - the search text of each file is folded once, when the file enters the
//!   list, into one shared buffer (no allocation per file);
//! - a keystroke that extends the query only looks at the files the shorter
//!   query matched; the result sets of the previous queries are kept on a
//!   small stack, so Backspace gives them back without searching;
//! - the three sort orders are kept sorted as files come and go, so a sort
//!   or filter change, like a keystroke, is one walk over an order (O(n),
//!   no sorting, no allocation: the view and scratch buffers are reused).
//!
//! Loading: [`FileBatch`] is plain data (`Send`) built from full records
//! anywhere (a background thread), then handed to [`FileList::set_all`]
//! (one batch) or [`FileList::append`] (the list fills in as parts arrive).

use super::branches;
use crate::app::text::TextInput;
use crate::catalog::fold::{char_mask, fold, fold_with_map, words};
use crate::catalog::search::{typo_match, TypoWord};
use crate::domain::{Beneficiary, Id};
use chrono::NaiveDate;
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
    pub const ALL: [SortKey; 3] = [SortKey::Name, SortKey::LastContact, SortKey::NextFollowUp];

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
    fn slot(self) -> usize {
        self as usize
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
    fn keeps(self, open: bool) -> bool {
        match self {
            StatusFilter::Open => open,
            StatusFilter::Closed => !open,
            StatusFilter::All => true,
        }
    }
}

const OPEN: u8 = 1;
const NOTICE: u8 = 2;
const HAS_BRANCH: u8 = 4;
const HAS_JOB: u8 = 8;
const HAS_EMAIL: u8 = 16;
const HAS_PHONE: u8 = 32;

/// What the list knows of a file: what it shows (name, branch, current
/// job, dates, notice, status) and what the duplicate check compares
/// (names, e-mail, phone). The full record is loaded when the file is
/// opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: Id,
    /// Last name, first name, branch short id, current job label, e-mail,
    /// phone, one after the other (one allocation).
    text: Box<str>,
    /// Where each of the first five fields of `text` ends.
    ends: [u32; 5],
    flags: u8,
    pub last_contact: Option<NaiveDate>,
    pub next_follow_up: Option<NaiveDate>,
}

impl Row {
    pub fn new(b: &Beneficiary) -> Row {
        let fields = [
            Some(b.last_name.as_str()),
            Some(b.first_name.as_str()),
            b.branch.as_deref(),
            b.current_job.as_ref().map(|j| j.label.as_str()),
            b.email.as_deref(),
            b.phone.as_deref(),
        ];
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; 5];
        for (k, f) in fields.iter().enumerate() {
            text.push_str(f.unwrap_or(""));
            if let Some(e) = ends.get_mut(k) {
                *e = text.len() as u32;
            }
        }
        let mut flags = 0;
        for (flag, on) in [
            (OPEN, b.status.is_open()),
            (NOTICE, b.consent.processing.is_some()),
            (HAS_BRANCH, fields[2].is_some()),
            (HAS_JOB, fields[3].is_some()),
            (HAS_EMAIL, fields[4].is_some()),
            (HAS_PHONE, fields[5].is_some()),
        ] {
            if on {
                flags |= flag;
            }
        }
        Row {
            id: b.id,
            text: text.into_boxed_str(),
            ends,
            flags,
            last_contact: b.last_contact,
            next_follow_up: b.next_follow_up,
        }
    }

    fn field(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        let end = self.ends.get(k).map_or(self.text.len(), |&e| e as usize);
        self.text.get(start..end).unwrap_or("")
    }

    fn optional(&self, k: usize, flag: u8) -> Option<&str> {
        (self.flags & flag != 0).then(|| self.field(k))
    }

    pub fn last_name(&self) -> &str {
        self.field(0)
    }
    pub fn first_name(&self) -> &str {
        self.field(1)
    }
    /// Branch short id.
    pub fn branch(&self) -> Option<&str> {
        self.optional(2, HAS_BRANCH)
    }
    /// Label of the current job.
    pub fn job(&self) -> Option<&str> {
        self.optional(3, HAS_JOB)
    }
    pub fn email(&self) -> Option<&str> {
        self.optional(4, HAS_EMAIL)
    }
    pub fn phone(&self) -> Option<&str> {
        self.optional(5, HAS_PHONE)
    }
    pub fn is_open(&self) -> bool {
        self.flags & OPEN != 0
    }
    /// The information notice was given (consent to processing recorded).
    pub fn notice_given(&self) -> bool {
        self.flags & NOTICE != 0
    }
    /// `DUPONT Léa`
    pub fn display_name(&self) -> String {
        crate::domain::display_name(self.last_name(), self.first_name())
    }
}

/// Folded name, employer, branch, current métier: what the search sees.
fn search_text(b: &Beneficiary) -> String {
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
    fold(&format!(
        "{} {} | {} | {} | {}",
        b.last_name, b.first_name, b.employer.name, branch, job
    ))
}

/// Folded `last first`, the key of the name sort.
fn name_key(b: &Beneficiary) -> String {
    fold(&format!("{} {}", b.last_name, b.first_name))
}

/// Strings of many rows in one buffer: row `i` is `spans[i]`. A replaced
/// row's old bytes stay until [`TextPool::compacted`].
#[derive(Clone, Debug, Default)]
struct TextPool {
    text: String,
    spans: Vec<(u32, u32)>,
    dead: usize,
}

impl TextPool {
    fn span_of(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }
    fn push(&mut self, s: &str) {
        let span = self.span_of(s);
        self.spans.push(span);
    }
    fn set(&mut self, i: usize, s: &str) {
        self.dead += self.spans[i].1 as usize;
        self.spans[i] = self.span_of(s);
    }
    fn get(&self, i: usize) -> &str {
        let (s, l) = self.spans[i];
        self.text.get(s as usize..(s + l) as usize).unwrap_or("")
    }
    fn swap_remove(&mut self, i: usize) {
        self.dead += self.spans[i].1 as usize;
        self.spans.swap_remove(i);
    }
    fn append(&mut self, other: &TextPool) {
        for i in 0..other.spans.len() {
            self.push(other.get(i));
        }
    }
    /// The same strings without the dead bytes, once they are half the buffer.
    fn compacted(&mut self) {
        if self.dead * 2 > self.text.len() {
            let mut fresh = TextPool::default();
            fresh.append(self);
            *self = fresh;
        }
    }
}

/// The distinct words of every row's search text: a query word is
/// compared by typo once per distinct word, not once per row.
#[derive(Clone, Debug, Default)]
struct Vocab {
    ids: HashMap<Box<str>, u32>,
}

impl Vocab {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = self.ids.len() as u32;
        self.ids.insert(w.into(), id);
        id
    }
}

/// The search index of rows (same positions as the rows).
#[derive(Clone, Debug, Default)]
struct Index {
    /// Search text without its spaces: a query word (which has none)
    /// appears in the text with spaces iff it appears here, and words
    /// typed glued together match as typed (`ndiaye` for N'Diaye, `legoff`
    /// for Le Goff).
    compact: TextPool,
    /// Folded `last first`, for the name sort.
    names: TextPool,
    /// The words of the search text, as vocabulary ids (sorted, distinct):
    /// `words[word_spans[i]]`.
    words: Vec<u32>,
    word_spans: Vec<(u32, u32)>,
    dead_words: usize,
    /// Which letters and digits the text holds: a word whose letters are
    /// not all there cannot match fuzzily either, so most rows skip the
    /// comparison.
    masks: Vec<u64>,
    /// `OPEN` per row, for the status filter.
    flags: Vec<u8>,
    vocab: Vocab,
}

impl Index {
    /// The index entry of `b`: (compact text, name key, word ids, mask).
    fn entry(&mut self, b: &Beneficiary) -> (String, String, Vec<u32>, u64) {
        let hay = search_text(b);
        let mut ids: Vec<u32> = words(&hay)
            .into_iter()
            .map(|(_, w)| self.vocab.intern(w))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mask = char_mask(&hay);
        (hay.replace(' ', ""), name_key(b), ids, mask)
    }

    fn word_span(&mut self, ids: &[u32]) -> (u32, u32) {
        let start = self.words.len() as u32;
        self.words.extend_from_slice(ids);
        (start, ids.len() as u32)
    }

    fn push(&mut self, b: &Beneficiary, flags: u8) {
        let (compact, name, ids, mask) = self.entry(b);
        self.compact.push(&compact);
        self.names.push(&name);
        let span = self.word_span(&ids);
        self.word_spans.push(span);
        self.masks.push(mask);
        self.flags.push(flags);
    }

    fn set(&mut self, i: usize, b: &Beneficiary, flags: u8) {
        let (compact, name, ids, mask) = self.entry(b);
        self.compact.set(i, &compact);
        self.names.set(i, &name);
        self.dead_words += self.word_spans[i].1 as usize;
        self.word_spans[i] = self.word_span(&ids);
        self.masks[i] = mask;
        self.flags[i] = flags;
        self.compacted();
    }

    fn swap_remove(&mut self, i: usize) {
        self.compact.swap_remove(i);
        self.names.swap_remove(i);
        self.dead_words += self.word_spans[i].1 as usize;
        self.word_spans.swap_remove(i);
        self.masks.swap_remove(i);
        self.flags.swap_remove(i);
        self.compacted();
    }

    fn word_ids(&self, i: usize) -> &[u32] {
        let (s, l) = self.word_spans[i];
        self.words
            .get(s as usize..(s + l) as usize)
            .unwrap_or_default()
    }

    /// Adds the rows of `other` after these (its words re-interned here).
    fn append(&mut self, other: &Index) {
        self.compact.append(&other.compact);
        self.names.append(&other.names);
        let mut map = vec![0u32; other.vocab.ids.len()];
        for (w, &id) in &other.vocab.ids {
            map[id as usize] = self.vocab.intern(w);
        }
        for i in 0..other.word_spans.len() {
            let mut ids: Vec<u32> = other
                .word_ids(i)
                .iter()
                .map(|&id| map[id as usize])
                .collect();
            ids.sort_unstable();
            let span = self.word_span(&ids);
            self.word_spans.push(span);
        }
        self.masks.extend_from_slice(&other.masks);
        self.flags.extend_from_slice(&other.flags);
    }

    fn compacted(&mut self) {
        self.compact.compacted();
        self.names.compacted();
        if self.dead_words * 2 > self.words.len() {
            let mut words = Vec::with_capacity(self.words.len() - self.dead_words);
            for span in &mut self.word_spans {
                let (s, l) = *span;
                let start = words.len() as u32;
                words.extend_from_slice(&self.words[s as usize..(s + l) as usize]);
                *span = (start, l);
            }
            self.words = words;
            self.dead_words = 0;
        }
    }
}

/// Files ready to enter a [`FileList`]: their rows and search index,
/// built from the full records. Plain data (`Send`): build it where the
/// records are read (the runtime, a background thread), then hand it to
/// [`FileList::set_all`] or [`FileList::append`].
#[derive(Clone, Debug, Default)]
pub struct FileBatch {
    rows: Vec<Row>,
    index: Index,
}

/// Two batches are equal when they hold the same rows and search texts.
impl PartialEq for FileBatch {
    fn eq(&self, other: &FileBatch) -> bool {
        self.rows == other.rows
            && (0..self.rows.len()).all(|i| self.index.compact.get(i) == other.index.compact.get(i))
    }
}

// A batch is built where the records are read and moved to the interface
// thread: it must stay `Send` (checked at compile time).
const _: fn() = || {
    fn send<T: Send + 'static>() {}
    send::<FileBatch>();
};

impl FileBatch {
    pub fn with_capacity(n: usize) -> FileBatch {
        let mut b = FileBatch::default();
        b.rows.reserve(n);
        b
    }

    /// Adds a file (the record itself is not kept).
    pub fn push(&mut self, b: &Beneficiary) {
        let row = Row::new(b);
        self.index.push(b, row.flags & OPEN);
        self.rows.push(row);
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl From<Vec<Beneficiary>> for FileBatch {
    fn from(all: Vec<Beneficiary>) -> FileBatch {
        FileBatch::from(all.as_slice())
    }
}

impl From<&[Beneficiary]> for FileBatch {
    fn from(all: &[Beneficiary]) -> FileBatch {
        let mut batch = FileBatch::with_capacity(all.len());
        for b in all {
            batch.push(b);
        }
        batch
    }
}

/// How well a row matched the query: 0 every word found as typed,
/// 1 « approché » (some word within one typo).
pub type Tier = u8;

/// In a result set, the bit that marks an « approché » row.
const APPROX: u32 = 1 << 31;

/// The rows a query matched (row index, `APPROX` bit for tier 1), in row
/// order.
#[derive(Clone, Debug)]
struct Level {
    words: Vec<String>,
    hits: Vec<u32>,
}

/// Levels kept for Backspace, at most.
const MAX_LEVELS: usize = 32;

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

/// A query word: as typed, its letter bit when it is one letter or digit
/// (then the mask alone decides), and which vocabulary words it matches
/// by typo (a bitset).
struct QueryWord {
    text: String,
    single: Option<u64>,
    typo: Option<Vec<u64>>,
}

fn bit(set: &[u64], id: u32) -> bool {
    set.get(id as usize / 64)
        .is_some_and(|w| w & (1 << (id % 64)) != 0)
}

/// The vocabulary words `w` matches with one typo, as a bitset.
fn typo_set(w: &str, vocab: &Vocab) -> Vec<u64> {
    let t = TypoWord::new(w);
    let mut set = vec![0u64; vocab.ids.len().div_ceil(64)];
    let mut buf = Vec::new();
    for (v, &id) in &vocab.ids {
        if t.matches(v, &mut buf) {
            set[id as usize / 64] |= 1 << (id % 64);
        }
    }
    set
}

/// Tier of row `i` for query words: None when some word matches neither as
/// typed (in the text, spaces ignored) nor by one typo.
fn tier(ix: &Index, i: usize, q: &[QueryWord]) -> Option<Tier> {
    let mut t = 0;
    for w in q {
        let found = match w.single {
            Some(b) => ix.masks[i] & b != 0,
            None => ix.compact.get(i).contains(w.text.as_str()),
        };
        if found {
            continue;
        }
        if w.typo
            .as_ref()
            .is_some_and(|set| ix.word_ids(i).iter().any(|&id| bit(set, id)))
        {
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

fn compare(rows: &[Row], ix: &Index, a: u32, b: u32, sort: SortKey) -> Ordering {
    let (ra, rb) = (&rows[a as usize], &rows[b as usize]);
    let by_name = || {
        ix.names
            .get(a as usize)
            .cmp(ix.names.get(b as usize))
            .then(ra.id.cmp(&rb.id))
    };
    match sort {
        SortKey::Name => by_name(),
        SortKey::LastContact => {
            cmp_opt(&ra.last_contact, &rb.last_contact, true).then_with(by_name)
        }
        SortKey::NextFollowUp => {
            cmp_opt(&ra.next_follow_up, &rb.next_follow_up, false).then_with(by_name)
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct FileList {
    rows: Vec<Row>,
    index: Index,
    by_id: HashMap<Id, u32>,
    /// Every row, in the order of each [`SortKey`] (`orders[sort.slot()]`).
    orders: [Vec<u32>; 3],
    /// Indices of rows, in display order.
    pub view: Vec<u32>,
    /// Cursor in `view`.
    pub selected: usize,
    pub sort: SortKey,
    pub filter: StatusFilter,
    pub query: TextInput,
    /// Position in `view` where the « approchés » start (`view.len()` when
    /// every listed file matched as typed).
    pub approx_from: usize,
    /// Narrowing stack: result sets of the last queries, the current one
    /// on top.
    levels: Vec<Level>,
    /// Typo bitsets of recent query words.
    typo_cache: Vec<(String, Vec<u64>)>,
    /// Scratch: per row, 0 not matched, 1 matched as typed, 2 approché.
    mark: Vec<u8>,
}

impl FileList {
    /// Replaces every file (query, sort, filter and cursor are kept).
    pub fn set_all(&mut self, batch: impl Into<FileBatch>) {
        self.rows.clear();
        self.index = Index::default();
        self.by_id.clear();
        self.orders = Default::default();
        self.append(batch);
    }

    /// Adds files (a part of a load, or files created elsewhere); a file
    /// already listed is replaced.
    pub fn append(&mut self, batch: impl Into<FileBatch>) {
        let batch = batch.into();
        let first = self.rows.len() as u32;
        let fresh = self.rows.is_empty();
        if fresh {
            self.index = batch.index;
        } else {
            self.index.append(&batch.index);
        }
        self.rows.extend(batch.rows);
        let mut dup = Vec::new();
        for i in first..self.rows.len() as u32 {
            if let Some(old) = self.by_id.insert(self.rows[i as usize].id, i) {
                dup.push(old);
            }
        }
        self.changed();
        let (rows, ix) = (&self.rows, &self.index);
        for sort in SortKey::ALL {
            let mut new: Vec<u32> = (first..rows.len() as u32).collect();
            new.sort_by(|&a, &b| compare(rows, ix, a, b, sort));
            let order = &mut self.orders[sort.slot()];
            if fresh {
                *order = new;
            } else {
                let old = std::mem::take(order);
                *order = merge(old, new, |a, b| compare(rows, ix, a, b, sort));
            }
        }
        // A file listed twice keeps its newest row.
        dup.sort_unstable_by(|a, b| b.cmp(a));
        for i in dup {
            self.remove_at(i as usize);
        }
        self.refresh();
    }

    /// The file's row, if listed.
    pub fn get(&self, id: Id) -> Option<&Row> {
        self.by_id.get(&id).map(|&i| &self.rows[i as usize])
    }

    pub fn contains(&self, id: Id) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Every row, in no particular order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The row at position `pos` of the view.
    pub fn row_at(&self, pos: usize) -> Option<&Row> {
        self.view.get(pos).map(|&i| &self.rows[i as usize])
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Inserts or replaces a file; recomputes the view.
    pub fn upsert(&mut self, b: &Beneficiary) {
        let Some(i) = self.by_id.get(&b.id).copied() else {
            let mut batch = FileBatch::with_capacity(1);
            batch.push(b);
            self.append(batch);
            return;
        };
        let row = Row::new(b);
        self.index.set(i as usize, b, row.flags & OPEN);
        self.rows[i as usize] = row;
        self.changed();
        let (rows, ix) = (&self.rows, &self.index);
        for sort in SortKey::ALL {
            let order = &mut self.orders[sort.slot()];
            order.retain(|&j| j != i);
            let at = order.partition_point(|&j| compare(rows, ix, j, i, sort) == Ordering::Less);
            order.insert(at, i);
        }
        self.refresh();
    }

    pub fn remove(&mut self, id: Id) {
        if let Some(i) = self.by_id.get(&id).copied() {
            // The cursor stays at the same position (on the next file).
            let pos = self.selected;
            self.remove_at(i as usize);
            self.view.clear();
            self.refresh();
            self.selected = pos;
            self.move_by(0);
        }
    }

    /// Takes row `i` out (the last row takes its place).
    fn remove_at(&mut self, i: usize) {
        let last = (self.rows.len() - 1) as u32;
        let gone = self.rows.swap_remove(i);
        self.index.swap_remove(i);
        if self.by_id.get(&gone.id) == Some(&(i as u32)) {
            self.by_id.remove(&gone.id);
        }
        if i as u32 != last {
            self.by_id.insert(self.rows[i].id, i as u32);
        }
        for order in &mut self.orders {
            order.retain(|&j| j != i as u32);
            for j in order.iter_mut() {
                if *j == last {
                    *j = i as u32;
                }
            }
        }
        self.changed();
    }

    /// The data changed: cached result sets are stale.
    fn changed(&mut self) {
        self.levels.clear();
        self.typo_cache.clear();
    }

    /// The file under the cursor.
    pub fn selected_row(&self) -> Option<&Row> {
        self.row_at(self.selected)
    }

    pub fn selected_id(&self) -> Option<Id> {
        self.selected_row().map(|r| r.id)
    }

    pub fn select_id(&mut self, id: Id) {
        let Some(&i) = self.by_id.get(&id) else {
            return;
        };
        if let Some(p) = self.view.iter().position(|&j| j == i) {
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

    /// The typo bitset of a query word (cached while the data stays).
    fn typo_of(&mut self, w: &str) -> Vec<u64> {
        if let Some((_, set)) = self.typo_cache.iter().find(|(k, _)| k == w) {
            return set.clone();
        }
        let set = typo_set(w, &self.index.vocab);
        if self.typo_cache.len() >= 16 {
            self.typo_cache.remove(0);
        }
        self.typo_cache.push((w.to_string(), set.clone()));
        set
    }

    /// Makes the top of the narrowing stack the result of the current
    /// query; false when there is no query (every row, as typed).
    fn search(&mut self) -> bool {
        let q = fold(self.query.text.trim());
        let words_q: Vec<String> = q.split_whitespace().map(String::from).collect();
        if words_q.is_empty() {
            return false;
        }
        // The same query as before (Backspace, a sort or filter change).
        if let Some(at) = self.levels.iter().rposition(|l| l.words == words_q) {
            self.levels.truncate(at + 1);
            return true;
        }
        // Narrowing: a longer query can only match rows a shorter one matched.
        let base = self
            .levels
            .iter()
            .rposition(|l| narrows(&words_q, &l.words));
        let q: Vec<QueryWord> = words_q
            .iter()
            .map(|w| {
                let single = (w.len() == 1 && w.bytes().all(|c| c.is_ascii_alphanumeric()))
                    .then(|| char_mask(w));
                QueryWord {
                    text: w.clone(),
                    single,
                    typo: typo_allowed(w).then(|| self.typo_of(w)),
                }
            })
            .collect();
        // Letter-set prefilter: a word matched with one typo may lack one
        // letter of the query.
        let need = char_mask(&words_q.join(" "));
        let slack = q.iter().filter(|w| w.typo.is_some()).count() as u32;
        let ix = &self.index;
        let keep = |i: u32| -> Option<u32> {
            let i = i & !APPROX;
            if (need & !ix.masks[i as usize]).count_ones() > slack {
                return None;
            }
            tier(ix, i as usize, &q).map(|t| if t > 0 { i | APPROX } else { i })
        };
        let hits: Vec<u32> = match base {
            Some(b) => {
                self.levels.truncate(b + 1);
                self.levels[b]
                    .hits
                    .iter()
                    .filter_map(|&i| keep(i))
                    .collect()
            }
            None => (0..self.rows.len() as u32).filter_map(keep).collect(),
        };
        self.levels.push(Level {
            words: words_q,
            hits,
        });
        // Bounded memory: a few levels, a few times the rows in all.
        let budget = 4 * self.rows.len().max(1024);
        while self.levels.len() > MAX_LEVELS
            || (self.levels.len() > 1
                && self.levels.iter().map(|l| l.hits.len()).sum::<usize>() > budget)
        {
            self.levels.remove(0);
        }
        true
    }

    /// Recomputes `view` (search, filter, sort), keeping the cursor on the
    /// same file when it is still listed.
    pub fn refresh(&mut self) {
        let keep = self.selected_id();
        let searched = self.search();
        let order = &self.orders[self.sort.slot()];
        let flags = &self.index.flags;
        let filter = self.filter;
        self.view.clear();
        if !searched {
            self.view.extend(
                order
                    .iter()
                    .copied()
                    .filter(|&i| filter.keeps(flags[i as usize] & OPEN != 0)),
            );
            self.approx_from = self.view.len();
        } else {
            let hits = self.levels.last().map(|l| l.hits.as_slice()).unwrap_or(&[]);
            self.mark.resize(self.rows.len(), 0);
            let mut approx = false;
            for &h in hits {
                approx |= h & APPROX != 0;
                self.mark[(h & !APPROX) as usize] = if h & APPROX != 0 { 2 } else { 1 };
            }
            for pass in [1u8, 2] {
                if pass == 2 {
                    self.approx_from = self.view.len();
                    if !approx {
                        break;
                    }
                }
                let mark = &self.mark;
                self.view.extend(order.iter().copied().filter(|&i| {
                    mark[i as usize] == pass && filter.keeps(flags[i as usize] & OPEN != 0)
                }));
            }
            for &h in hits {
                self.mark[(h & !APPROX) as usize] = 0;
            }
        }
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

    /// Open files whose next follow-up is on or before `today`: (due today,
    /// overdue), each sorted by date then name. Reads the follow-up order:
    /// no sorting, only the files due are looked at.
    pub fn follow_ups(&self, today: NaiveDate) -> (Vec<&Row>, Vec<&Row>) {
        let mut due = Vec::new();
        let mut late = Vec::new();
        for &i in &self.orders[SortKey::NextFollowUp.slot()] {
            let r = &self.rows[i as usize];
            match r.next_follow_up {
                Some(d) if d <= today => {
                    if r.is_open() {
                        if d == today {
                            due.push(r);
                        } else {
                            late.push(r);
                        }
                    }
                }
                _ => break,
            }
        }
        (due, late)
    }
}

/// Merges two sorted lists.
fn merge(a: Vec<u32>, b: Vec<u32>, cmp: impl Fn(u32, u32) -> Ordering) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(b[j], a[i]) == Ordering::Less {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Meta, Status, TargetMetier};

    fn ben(n: u32, last: &str, first: &str) -> Beneficiary {
        let meta = Meta::new(
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            "t",
        );
        let mut r = [0u8; 10];
        r[..4].copy_from_slice(&n.to_be_bytes());
        Beneficiary::new(Id::new_v7(1_700_000_000_000, r), last, first, meta)
    }

    fn d(day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 12, day)
    }

    /// A varied set of files: names, jobs, dates, open or closed.
    fn files(n: u32) -> Vec<Beneficiary> {
        let lasts = ["Martin", "Martn", "Le Goff", "N'Diaye", "Dupont", "Durand"];
        let firsts = ["Léa", "Hugo", "Zoé", "Noé"];
        (0..n)
            .map(|k| {
                let mut b = ben(k, lasts[k as usize % 6], firsts[k as usize % 4]);
                b.next_follow_up = (k % 3 != 0).then(|| d(1 + k % 28)).flatten();
                b.last_contact = (k % 5 != 0).then(|| d(1 + k % 7)).flatten();
                if k % 4 == 0 {
                    b.status = Status::Closed {
                        on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
                        reason: "fin".into(),
                    };
                }
                if k % 2 == 0 {
                    b.current_job = Some(TargetMetier {
                        ogr: 1,
                        rome: "K1202".into(),
                        label: "Éducateur de jeunes enfants".into(),
                    });
                }
                b
            })
            .collect()
    }

    fn view_ids(l: &FileList) -> Vec<Id> {
        l.view.iter().map(|&i| l.rows[i as usize].id).collect()
    }

    fn fresh(all: &[Beneficiary], like: &FileList) -> FileList {
        let mut f = FileList {
            sort: like.sort,
            filter: like.filter,
            ..FileList::default()
        };
        f.query.set(&like.query.text);
        f.set_all(all);
        f
    }

    #[test]
    fn a_row_keeps_what_the_list_shows_and_compares() {
        let mut b = ben(1, "Le Goff", "Anne");
        b.email = Some("anne@exemple.fr".into());
        b.branch = Some("ALISFA".into());
        let r = Row::new(&b);
        assert_eq!(
            (r.last_name(), r.first_name(), r.branch(), r.email()),
            ("Le Goff", "Anne", Some("ALISFA"), Some("anne@exemple.fr"))
        );
        assert_eq!((r.job(), r.phone()), (None, None));
        assert_eq!(r.display_name(), "LE GOFF Anne");
        assert!(r.is_open() && !r.notice_given());
        // An empty value is not a missing one.
        b.phone = Some(String::new());
        assert_eq!(Row::new(&b).phone(), Some(""));
    }

    /// Files added in parts, then changed and removed one by one, list
    /// exactly as a list built at once from the same files, for every sort,
    /// filter and a few queries.
    #[test]
    fn parts_upserts_and_removals_list_as_a_fresh_build() {
        let mut all = files(60);
        let mut l = FileList::default();
        l.append(&all[..25]);
        l.append(&all[25..]);
        // Changes: a new name, a date, a status; a removal; a new file.
        all[3].last_name = "Aaron".into();
        l.upsert(&all[3]);
        all[10].next_follow_up = d(2);
        l.upsert(&all[10]);
        all[11].status = Status::Open;
        l.upsert(&all[11]);
        let gone = all.remove(7);
        l.remove(gone.id);
        let extra = ben(999, "Zidane", "Léa");
        l.upsert(&extra);
        all.push(extra);
        assert_eq!(l.len(), all.len());
        for sort in SortKey::ALL {
            for filter in [StatusFilter::Open, StatusFilter::Closed, StatusFilter::All] {
                for q in ["", "mar", "martin", "le goff", "legof", "educ k1202"] {
                    l.sort = sort;
                    l.filter = filter;
                    l.query.set(q);
                    l.refresh();
                    let f = fresh(&all, &l);
                    assert_eq!(view_ids(&l), view_ids(&f), "{sort:?} {filter:?} « {q} »");
                    assert_eq!(l.approx_from, f.approx_from, "{sort:?} {filter:?} « {q} »");
                }
            }
        }
    }

    #[test]
    fn a_file_appended_twice_is_listed_once_with_its_newest_data() {
        let mut b = ben(1, "Martin", "Léa");
        let mut l = FileList::default();
        l.append(vec![b.clone()]);
        b.first_name = "Zoé".into();
        l.append(vec![b.clone()]);
        assert_eq!(l.len(), 1);
        assert_eq!(l.get(b.id).map(Row::first_name), Some("Zoé"));
        assert_eq!(l.view.len(), 1);
    }

    #[test]
    fn backspace_gives_back_the_previous_results() {
        let all = files(40);
        let mut l = FileList {
            filter: StatusFilter::All,
            ..FileList::default()
        };
        l.set_all(&all[..]);
        let mut seen = Vec::new();
        for c in "martin".chars() {
            l.query.insert(c);
            l.refresh();
            seen.push((l.query.text.clone(), view_ids(&l), l.approx_from));
        }
        let depth = l.levels.len();
        assert!(depth >= 2, "every step kept: {depth}");
        // Backspace: each shorter query lists what it listed when typed,
        // from the stack (no new level is pushed).
        for (q, ids, approx) in seen.iter().rev().skip(1) {
            l.query.set(q);
            l.refresh();
            assert_eq!(&view_ids(&l), ids, "« {q} »");
            assert_eq!(l.approx_from, *approx, "« {q} »");
            let f = fresh(&all, &l);
            assert_eq!(view_ids(&f), *ids, "« {q} »");
        }
        assert!(l.levels.len() < depth);
        // A change of the data drops the stack.
        l.upsert(&all[0]);
        assert!(l.levels.len() <= 1);
    }

    #[test]
    fn follow_ups_read_the_follow_up_order() {
        let all = files(30);
        let mut l = FileList::default();
        l.set_all(&all[..]);
        // Day 11: file 10 is open and due that day; earlier ones are late.
        let today = d(11).unwrap();
        let (due, late) = l.follow_ups(today);
        let expect = |pred: &dyn Fn(NaiveDate) -> bool| {
            let mut v: Vec<&Beneficiary> = all
                .iter()
                .filter(|b| b.status.is_open() && b.next_follow_up.is_some_and(pred))
                .collect();
            v.sort_by_key(|b| (b.next_follow_up, name_key(b), b.id));
            v.into_iter().map(|b| b.id).collect::<Vec<_>>()
        };
        assert_eq!(
            due.iter().map(|r| r.id).collect::<Vec<_>>(),
            expect(&|d| d == today)
        );
        assert_eq!(
            late.iter().map(|r| r.id).collect::<Vec<_>>(),
            expect(&|d| d < today)
        );
        assert!(!late.is_empty() && !due.is_empty());
    }

    #[test]
    fn one_letter_queries_use_the_letter_set_alone() {
        let all = files(12);
        let mut l = FileList {
            filter: StatusFilter::All,
            ..FileList::default()
        };
        l.set_all(&all[..]);
        for q in ["z", "k", "1", "x"] {
            l.query.set(q);
            l.refresh();
            let want: Vec<Id> = {
                let f = fresh(&all, &l);
                view_ids(&f)
            };
            let by_text: Vec<Id> = all
                .iter()
                .filter(|b| search_text(b).contains(q))
                .map(|b| b.id)
                .collect();
            assert_eq!(view_ids(&l).len(), by_text.len(), "« {q} »");
            assert_eq!(view_ids(&l), want);
        }
    }
}
