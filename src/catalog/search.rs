//! Fuzzy search over the appellations.
//!
//! ## Index
//! Built once per catalogue: for every appellation the folded words of its label
//! (with a "head word" flag for the first word and the first word after ` / `),
//! the folded words of its ROME fiche label, its ROME code, the acronyms of its
//! label (`Technicien / Technicienne de l'intervention sociale et familiale` →
//! `tisf`) plus the curated sigles of `assets/sigles.tsv` whose expansion it
//! contains (`Accompagnant éducatif et social …` → `aes`), its phrase variants
//! (masculine / feminine form) and a skim haystack `label · rome label · code`
//! (folded). Words and acronyms are interned in sorted vocabularies, so a query
//! word is compared once per distinct word, not once per appellation.
//!
//! ## Matching (three tiers)
//! 1. **Words** (main tier): every significant query word (stopwords such as
//!    `de`, `d`, `a` are ignored unless the query has nothing else) must match a
//!    word of the appellation: exact word, word prefix, or — for query words of
//!    4+ letters without digits — one typo (insertion, deletion, substitution or
//!    transposition of two neighbours; same first letter) against a whole word or
//!    a word prefix, or a prefix of a label acronym / curated sigle. Curated
//!    sigles score like exact words, then come acronyms, prefixes, typos; the
//!    appellation label counts more than the fiche label, stopwords of the label
//!    (`à`, `de`) hardly count;
//!    an exact ROME code query (`K1202`) puts that fiche first. A query word
//!    that matches as typed (exact word, word prefix, sigle) is not followed by
//!    typo noise: its typo-prefix matches, its whole-word typos under 6 letters
//!    and, for a curated sigle, the other acronyms starting with it are muted
//!    (`tisf` no longer lists every `tiss…` textile job). Bonuses for a head
//!    word and for the query as a phrase; a small boost for the curated
//!    métiers of the branches; short labels win ties, then alphabetical order.
//! 2. **Fuzzy** (`SkimMatcherV2` on the haystack with the query's letters only,
//!    after a cheap char-set and subsequence prefilter): only when some query
//!    word matches no word, sigle or acronym of the index at all, e.g. `aidsoign`
//!    (words glued together) or `puericult` typed as `ericult` (infix).
//! 3. **Partial**: when nothing matched so far, appellations matching all but
//!    one query word.
//!
//! Tiers 1 and 2 only shrink when the query grows by appending characters
//! (except when a word reaches 4 letters and typo matching switches on), which is
//! what lets [`Searcher`] narrow from the previous hits.
//!
//! ## Shortcuts (same answers as a full scan, see the tests)
//! - One-character queries, and two- to four-character ones whose words
//!   hold many postings, are answered from tables made at build.
//! - The classes of the query words are kept from one run to the next (per
//!   index); a word that grew is classified among the words its prefix matched.
//! - Tier 1 scores are kept while the query words stay the same (`agent d`
//!   → `agent de`): only the phrase bonus is recomputed.
//! - Tier 3 scores the items of the two rarest query words only.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use fuzzy_matcher::skim::SkimMatcherV2;
use fuzzy_matcher::FuzzyMatcher;
use serde::{Deserialize, Serialize};

use super::fold::{char_mask, fold, fold_with_map, words};

/// One search result: index into `Catalog::appellations()`, and a score
/// (higher is better; only meaningful for ordering within one search).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    pub idx: usize,
    pub score: i32,
}

/// Folded French stopwords ignored in queries (and in acronyms).
const STOPWORDS: &[&str] = &[
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une",
    "pour", "par", "sur", "dans", "avec", "ou", "s",
];

pub(crate) fn is_stopword(w: &str) -> bool {
    STOPWORDS.contains(&w)
}

/// Query words need this many chars before typos are tolerated.
const TYPO_MIN_LEN: usize = 4;
/// A query word that also matches as typed needs this many chars before a
/// whole-word typo counts (see `Index::score_item`).
const STRONG_TYPO_MIN_LEN: usize = 6;
const MAX_TOKEN: usize = 48;

const CURATED_BONUS: i32 = 5;
/// Score of a query word equal to a curated sigle of the label (`AES`).
const SIGLE_EXACT: i32 = 110;
const TIER_WORDS: i32 = 20_000;
const TIER_FUZZY: i32 = 10_000;

// Classes of a query word against an index word.
const C_NONE: u8 = 0;
const C_TYPO_PREFIX: u8 = 1;
const C_TYPO_WORD: u8 = 2;
const C_PREFIX: u8 = 3;
const C_EXACT: u8 = 4;

const F_LABEL: u32 = 0;
const F_ROME: u32 = 1;
const F_CODE: u32 = 2;
/// A stopword of the label (`de`, `à`…): matches count little.
const F_LABEL_STOP: u32 = 3;

#[inline]
fn pack(word: u32, field: u32, head: bool) -> u32 {
    (word << 3) | (field << 1) | head as u32
}

/// What the index needs of one appellation.
pub(crate) struct IndexInput<'a> {
    pub label: &'a str,
    pub rome_label: &'a str,
    pub code: &'a str,
    pub branch_mask: u32,
}

/// Serialized in catalogue snapshots (see `snapshot.rs`): `vocab_chars` is
/// derived from `vocab` by [`Index::finish`] after reading.
#[derive(Serialize, Deserialize)]
pub(crate) struct Index {
    /// Identity of this index in the process (derived, never 0): what
    /// [`Scratch`] keys its cached classes on.
    #[serde(skip)]
    id: u64,
    n: usize,
    vocab: Vec<Box<str>>,
    #[serde(skip)]
    vocab_chars: Vec<Box<[char]>>,
    /// Items holding each vocabulary word, ascending: `word_items[word_start[w]..word_start[w + 1]]`
    /// (derived, like `vocab_chars`).
    #[serde(skip)]
    word_items: Vec<u32>,
    #[serde(skip)]
    word_start: Vec<u32>,
    /// Items holding each acronym of `acr_vocab`, ascending (derived).
    #[serde(skip)]
    acr_items: Vec<u32>,
    #[serde(skip)]
    acr_item_start: Vec<u32>,
    refs: Vec<u32>,
    ref_start: Vec<u32>,
    nwords: Vec<u8>,
    /// Acronyms of each label (`true` = from the curated sigles list).
    /// Packed `acronym id << 1 | curated`, ids into `acr_vocab`.
    acr: Vec<u32>,
    acr_start: Vec<u32>,
    /// All acronyms and sigles, sorted, deduplicated.
    acr_vocab: Vec<Box<str>>,
    /// Per `acr_vocab` id: a curated sigle of some appellation.
    acr_curated: Vec<bool>,
    /// The phrase variants (see `variants`) of all items, one after the
    /// other: phrase `k` is `phrase_text[phrase_off[k]..phrase_off[k + 1]]`,
    /// the phrases of item `i` are `phrase_start[i]..phrase_start[i + 1]`.
    /// One buffer, read in item order, rather than one allocation per phrase.
    phrase_text: String,
    phrase_off: Vec<u32>,
    phrase_start: Vec<u32>,
    hay: Vec<Box<str>>,
    hay_mask: Vec<u64>,
    /// Alphabetical (French collation on folded text) position of each item.
    rank: Vec<u32>,
    /// Items in alphabetical order.
    alpha: Vec<u32>,
    branch_mask: Vec<u32>,
    /// Answers to the one-character queries, made at build (see
    /// [`Index::first_keystroke`]).
    first_keys: Vec<FirstKey>,
    /// Answers to the two- to four-character queries that match many
    /// items (`co`, `au`, `con`, `cons`), made at build, sorted by key (see
    /// [`Index::prefix_keystrokes`]).
    prefix_keys: Vec<FirstKey<Box<str>>>,
}

/// The best [`FIRST_KEY_HITS`] hits (sorted) and the number of matches of a
/// short query (its folded text `key`), without a branch filter.
#[derive(Serialize, Deserialize)]
struct FirstKey<K = char> {
    key: K,
    hits: Vec<(u32, i32)>,
    total: u32,
}

impl<K> FirstKey<K> {
    fn output(&self, limit: usize) -> RunOutput {
        RunOutput {
            hits: self
                .hits
                .iter()
                .take(limit)
                .map(|&(i, s)| Hit {
                    idx: i as usize,
                    score: s,
                })
                .collect(),
            total: self.total as usize,
            mono: Vec::new(),
            fuzzy_done: false,
            narrowable: false,
        }
    }
}

/// Hits kept per one-character query (the Métiers screen shows at most 500).
const FIRST_KEY_HITS: usize = 500;
/// Longest query (in chars) answered from [`Index::prefix_keys`]: four
/// letters is the first keystroke with typos, which cannot narrow from the
/// third.
const PREFIX_KEY_MAX: usize = 4;
/// A two- to four-character query gets a precomputed answer when the words
/// and acronyms it matches hold at least this many posting entries, and at
/// least 1/[`PREFIX_KEY_SHARE`] of the items: below that, scoring its
/// candidates takes about a millisecond on a 100 000-item list.
const PREFIX_KEY_MIN_POSTINGS: usize = 2_000;
const PREFIX_KEY_SHARE: usize = 25;

/// Inverts per-item lists of packed ids (`id << shift | flags`) into
/// per-id lists of items (ascending, an item once per id): (items, starts).
fn invert(item_start: &[u32], packed: &[u32], shift: u32, ids: usize) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; ids + 1];
    let mut last = vec![u32::MAX; ids];
    let items = item_start.len().saturating_sub(1);
    for i in 0..items {
        for &p in &packed[item_start[i] as usize..item_start[i + 1] as usize] {
            let id = (p >> shift) as usize;
            if last[id] != i as u32 {
                last[id] = i as u32;
                start[id + 1] += 1;
            }
        }
    }
    for k in 0..ids {
        start[k + 1] += start[k];
    }
    let mut fill: Vec<u32> = start[..ids].to_vec();
    let mut out = vec![0u32; start[ids] as usize];
    last.iter_mut().for_each(|l| *l = u32::MAX);
    for i in 0..items {
        for &p in &packed[item_start[i] as usize..item_start[i + 1] as usize] {
            let id = (p >> shift) as usize;
            if last[id] != i as u32 {
                last[id] = i as u32;
                out[fill[id] as usize] = i as u32;
                fill[id] += 1;
            }
        }
    }
    (out, start)
}

/// Label words grouped into variants, as indices into `ws`:
/// `A B / C D rest` → `[A B rest]`, `[C D rest]` (masculine, feminine form).
fn variants(folded: &str, ws: &[(usize, &str)]) -> Vec<Vec<usize>> {
    let chars: Vec<char> = folded.chars().collect();
    let mut slash_at = None;
    for k in 1..ws.len() {
        let end_prev = ws[k - 1].0 + ws[k - 1].1.chars().count();
        if chars[end_prev..ws[k].0].contains(&'/') {
            slash_at = Some(k);
            break;
        }
    }
    let n_all = ws.len();
    match slash_at {
        Some(n) if 2 * n <= n_all => {
            let masc = (0..n).chain(2 * n..n_all).collect();
            let fem = (n..n_all).collect();
            vec![masc, fem]
        }
        _ => vec![(0..n_all).collect()],
    }
}

/// Significant (non-stopword) word indices of a variant.
fn significant(ws: &[(usize, &str)], v: &[usize]) -> Vec<usize> {
    v.iter()
        .copied()
        .filter(|&k| !is_stopword(ws[k].1))
        .collect()
}

fn acronym(ws: &[(usize, &str)], sig: &[usize]) -> String {
    sig.iter().filter_map(|&k| ws[k].1.chars().next()).collect()
}

/// Start of `needle` as a contiguous run of words in `sig`.
fn find_run(ws: &[(usize, &str)], sig: &[usize], needle: &[String]) -> Option<usize> {
    if needle.is_empty() || needle.len() > sig.len() {
        return None;
    }
    (0..=sig.len() - needle.len()).find(|&s| {
        needle
            .iter()
            .enumerate()
            .all(|(k, w)| ws[sig[s + k]].1 == w.as_str())
    })
}

/// A sigle (`aes`) and the significant folded words it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sigle {
    pub sigle: String,
    pub words: Vec<String>,
}

impl Sigle {
    pub(crate) fn new(sigle: &str, expansion: &str) -> Sigle {
        let e = fold(expansion);
        Sigle {
            sigle: fold(sigle)
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect(),
            words: words(&e)
                .into_iter()
                .map(|(_, w)| w)
                .filter(|w| !is_stopword(w))
                .map(String::from)
                .collect(),
        }
    }
}

impl Index {
    pub(crate) fn build<'a>(
        inputs: impl Iterator<Item = IndexInput<'a>>,
        sigles: &[Sigle],
    ) -> Index {
        let mut interned: HashMap<Box<str>, u32> = HashMap::new();
        let mut tmp_vocab: Vec<Box<str>> = Vec::new();
        let mut intern = |w: &str| -> u32 {
            if let Some(&id) = interned.get(w) {
                return id;
            }
            let id = tmp_vocab.len() as u32;
            tmp_vocab.push(w.into());
            interned.insert(w.into(), id);
            id
        };
        let mut refs = Vec::new();
        let mut ref_start = vec![0u32];
        let mut nwords = Vec::new();
        let mut acr = Vec::new();
        let mut acr_start = vec![0u32];
        let mut phrase_text = String::new();
        let mut phrase_off = vec![0u32];
        let mut phrase_start = vec![0u32];
        let mut hay = Vec::new();
        let mut hay_mask = Vec::new();
        let mut keys: Vec<Box<str>> = Vec::new();
        let mut branch_mask = Vec::new();
        let mut rome_cache: HashMap<String, (String, Vec<u32>)> = HashMap::new();

        for inp in inputs {
            let fl = fold(inp.label);
            let ws = words(&fl);
            let chars: Vec<char> = fl.chars().collect();
            for (k, &(start, w)) in ws.iter().enumerate() {
                let head = k == 0 || {
                    let end_prev = ws[k - 1].0 + ws[k - 1].1.chars().count();
                    chars[end_prev..start].contains(&'/')
                };
                let field = if is_stopword(w) {
                    F_LABEL_STOP
                } else {
                    F_LABEL
                };
                refs.push(pack(intern(w), field, head));
            }
            nwords.push(ws.len().min(255) as u8);
            let vars = variants(&fl, &ws);
            let mut my_acr: Vec<(Box<str>, bool)> = Vec::new();
            for v in &vars {
                let sig = significant(&ws, v);
                let a = acronym(&ws, &sig);
                if a.chars().count() >= 2 && !my_acr.iter().any(|x| *x.0 == *a) {
                    my_acr.push((a.into_boxed_str(), false));
                }
                for sg in sigles {
                    if find_run(&ws, &sig, &sg.words).is_some() {
                        match my_acr.iter_mut().find(|x| *x.0 == *sg.sigle) {
                            Some(x) => x.1 = true,
                            None => my_acr.push((sg.sigle.clone().into_boxed_str(), true)),
                        }
                    }
                }
                let phrase: Vec<&str> = v.iter().map(|&k| ws[k].1).collect();
                phrase_text.push_str(&phrase.join(" "));
                phrase_off.push(phrase_text.len() as u32);
            }
            phrase_start.push((phrase_off.len() - 1) as u32);
            acr.extend(my_acr);
            acr_start.push(acr.len() as u32);
            keys.push(
                ws.iter()
                    .map(|w| w.1)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into_boxed_str(),
            );

            let code_l = inp.code.to_ascii_lowercase();
            let (rome_folded, rome_ids) =
                rome_cache.entry(inp.code.to_string()).or_insert_with(|| {
                    let fr = fold(inp.rome_label);
                    let mut ids: Vec<u32> = words(&fr)
                        .into_iter()
                        .map(|(_, w)| pack(intern(w), F_ROME, false))
                        .collect();
                    ids.push(pack(intern(&code_l), F_CODE, false));
                    (fr, ids)
                });
            refs.extend_from_slice(rome_ids);
            ref_start.push(refs.len() as u32);

            let h = format!("{fl} · {rome_folded} · {code_l}");
            hay_mask.push(char_mask(&h));
            hay.push(h.into_boxed_str());
            branch_mask.push(inp.branch_mask);
        }

        // Sort the vocabulary and remap word ids.
        let mut order: Vec<u32> = (0..tmp_vocab.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| tmp_vocab[a as usize].cmp(&tmp_vocab[b as usize]));
        let mut remap = vec![0u32; tmp_vocab.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = new as u32;
        }
        for r in refs.iter_mut() {
            let old = *r >> 3;
            *r = (remap[old as usize] << 3) | (*r & 7);
        }
        let vocab: Vec<Box<str>> = order
            .iter()
            .map(|&o| tmp_vocab[o as usize].clone())
            .collect();

        let mut acr_vocab: Vec<Box<str>> =
            acr.iter().map(|a: &(Box<str>, bool)| a.0.clone()).collect();
        acr_vocab.sort_unstable();
        acr_vocab.dedup();
        let mut acr_curated = vec![false; acr_vocab.len()];
        let acr: Vec<u32> = acr
            .iter()
            .map(|(a, c)| {
                let id = acr_vocab.binary_search(a).unwrap_or(0);
                if let Some(x) = acr_curated.get_mut(id) {
                    *x |= *c;
                }
                ((id as u32) << 1) | *c as u32
            })
            .collect();

        let n = hay.len();
        let mut alpha: Vec<u32> = (0..n as u32).collect();
        alpha.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]).then(a.cmp(&b)));
        let mut rank = vec![0u32; n];
        for (r, &i) in alpha.iter().enumerate() {
            rank[i as usize] = r as u32;
        }

        let mut index = Index {
            id: 0,
            n,
            vocab,
            vocab_chars: Vec::new(),
            word_items: Vec::new(),
            word_start: Vec::new(),
            acr_items: Vec::new(),
            acr_item_start: Vec::new(),
            refs,
            ref_start,
            nwords,
            acr,
            acr_start,
            acr_vocab,
            acr_curated,
            phrase_text,
            phrase_off,
            phrase_start,
            hay,
            hay_mask,
            rank,
            alpha,
            branch_mask,
            first_keys: Vec::new(),
            prefix_keys: Vec::new(),
        };
        index.derive();
        index.first_keys = index.first_keystrokes();
        index.prefix_keys = index.prefix_keystrokes();
        index
    }

    /// The best [`FIRST_KEY_HITS`] hits and the number of matches of the
    /// query `key`, when `key` is a query of its own (one word, folded as
    /// typed).
    fn precompute<K>(&self, key: K, text: &str, scratch: &mut Scratch) -> Option<FirstKey<K>> {
        let q = Query::parse(text);
        if q.folded != text || q.tokens.len() != 1 {
            return None;
        }
        let out = self.run(&q, None, None, FIRST_KEY_HITS, scratch);
        Some(FirstKey {
            key,
            hits: out.hits.iter().map(|h| (h.idx as u32, h.score)).collect(),
            total: u32::try_from(out.total).unwrap_or(u32::MAX),
        })
    }

    /// The next keystrokes of a broad word (`co`, `con`, `cons`) still
    /// match tens of thousands of items of a large list: their answers are
    /// computed here too, for every start of two to [`PREFIX_KEY_MAX`]
    /// characters of a word or an acronym whose posting lists (typos
    /// included) hold many entries (see [`PREFIX_KEY_MIN_POSTINGS`]).
    fn prefix_keystrokes(&self) -> Vec<FirstKey<Box<str>>> {
        let bound = PREFIX_KEY_MIN_POSTINGS.max(self.n / PREFIX_KEY_SHARE);
        let post_len = |start: &[u32], k: usize| (start[k + 1] - start[k]) as usize;
        // Posting entries per start, from the sorted vocabularies.
        let mut counts: Vec<(String, usize)> = Vec::new();
        for len in 2..=PREFIX_KEY_MAX {
            let mut add = |list: &[Box<str>], start: &[u32]| {
                let mut per: Vec<(String, usize)> = Vec::new();
                for (k, w) in list.iter().enumerate() {
                    if w.chars().count() < len {
                        continue;
                    }
                    let p: String = w.chars().take(len).collect();
                    match per.last_mut() {
                        Some(last) if last.0 == p => last.1 += post_len(start, k),
                        _ => per.push((p, post_len(start, k))),
                    }
                }
                counts.extend(per);
            };
            add(&self.vocab, &self.word_start);
            add(&self.acr_vocab, &self.acr_item_start);
        }
        counts.sort_unstable();
        let mut keys: Vec<(String, usize)> = Vec::new();
        for (p, c) in counts {
            match keys.last_mut() {
                Some(last) if last.0 == p => last.1 += c,
                _ => keys.push((p, c)),
            }
        }
        // A four-letter word also matches by typo: count those postings too
        // when the start alone comes near the bound.
        let mut cls = Vec::new();
        let mut broad = |p: &str, count: usize| {
            let t = Token::new(p);
            if count >= bound || !t.typo || count < bound / 8 {
                return count >= bound;
            }
            self.classify(&t, &mut cls, None);
            self.postings(&cls, &self.acr_range(&t)) >= bound
        };
        let mut scratch = Scratch::default();
        keys.into_iter()
            .filter(|k| broad(&k.0, k.1))
            .filter_map(|(p, _)| self.precompute(p.clone().into_boxed_str(), &p, &mut scratch))
            .collect()
    }

    /// A first keystroke matches most items of a large list (`a`: 60 % of
    /// 100 000): its answers are computed once here, for every character a
    /// word or an acronym starts with, rather than at every first keystroke.
    fn first_keystrokes(&self) -> Vec<FirstKey> {
        let mut keys: Vec<char> = self
            .vocab
            .iter()
            .filter_map(|w| w.chars().next())
            .chain(self.acr_vocab.iter().filter_map(|a| a.chars().next()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut scratch = Scratch::default();
        keys.into_iter()
            .filter_map(|key| self.precompute(key, &key.to_string(), &mut scratch))
            .collect()
    }

    /// The precomputed answer to `q` when it is one character, or two to
    /// four that match many items, without a branch filter, for at most
    /// [`FIRST_KEY_HITS`] hits.
    fn first_keystroke(&self, q: &Query, filter: Option<u32>, limit: usize) -> Option<RunOutput> {
        if filter.is_some() || limit > FIRST_KEY_HITS {
            return None;
        }
        let mut chars = q.folded.chars();
        match (chars.next(), chars.next()) {
            (None, _) => None,
            (Some(c), None) => {
                let k = self.first_keys.binary_search_by_key(&c, |f| f.key).ok()?;
                Some(self.first_keys[k].output(limit))
            }
            (Some(_), Some(_)) => {
                if q.folded.chars().count() > PREFIX_KEY_MAX {
                    return None;
                }
                let k = self
                    .prefix_keys
                    .binary_search_by(|f| (*f.key).cmp(q.folded.as_str()))
                    .ok()?;
                Some(self.prefix_keys[k].output(limit))
            }
        }
    }

    /// The derived (not serialized) tables: words as chars, posting lists.
    fn derive(&mut self) {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        self.id = NEXT_ID.fetch_add(1, AtomicOrdering::Relaxed);
        self.vocab_chars = self.vocab.iter().map(|w| w.chars().collect()).collect();
        (self.word_items, self.word_start) =
            invert(&self.ref_start, &self.refs, 3, self.vocab.len());
        (self.acr_items, self.acr_item_start) =
            invert(&self.acr_start, &self.acr, 1, self.acr_vocab.len());
    }

    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// After reading a snapshot: checks that every offset and id stays in
    /// bounds for `n` items (so that a damaged snapshot cannot make a search
    /// panic) and derives `vocab_chars`. False when inconsistent.
    pub(crate) fn finish(&mut self, n: usize) -> bool {
        fn spans(start: &[u32], len: usize, n: usize) -> bool {
            start.len() == n + 1
                && start.first() == Some(&0)
                && start.last().is_some_and(|&l| l as usize == len)
                && start.windows(2).all(|w| w[0] <= w[1])
        }
        let nv = self.vocab.len();
        let na = self.acr_vocab.len();
        let ok = self.n == n
            && spans(&self.ref_start, self.refs.len(), n)
            && spans(&self.acr_start, self.acr.len(), n)
            && spans(
                &self.phrase_start,
                self.phrase_off.len().saturating_sub(1),
                n,
            )
            && self.phrase_off.first() == Some(&0)
            && self.phrase_off.windows(2).all(|w| w[0] <= w[1])
            && self
                .phrase_off
                .iter()
                .all(|&o| self.phrase_text.is_char_boundary(o as usize))
            && self.phrase_off.last() == Some(&(self.phrase_text.len() as u32))
            && self.refs.iter().all(|&r| ((r >> 3) as usize) < nv)
            && self.acr.iter().all(|&a| ((a >> 1) as usize) < na)
            && self.acr_curated.len() == na
            && [
                self.nwords.len(),
                self.hay.len(),
                self.hay_mask.len(),
                self.rank.len(),
                self.alpha.len(),
                self.branch_mask.len(),
            ]
            .iter()
            .all(|&l| l == n)
            && self
                .rank
                .iter()
                .chain(&self.alpha)
                .chain(
                    self.first_keys
                        .iter()
                        .flat_map(|f| f.hits.iter().map(|h| &h.0)),
                )
                .chain(
                    self.prefix_keys
                        .iter()
                        .flat_map(|f| f.hits.iter().map(|h| &h.0)),
                )
                .all(|&i| (i as usize) < n)
            && self.first_keys.windows(2).all(|w| w[0].key < w[1].key)
            && self.prefix_keys.windows(2).all(|w| w[0].key < w[1].key);
        if ok {
            self.derive();
        }
        ok
    }

    /// Number of items carrying this curated sigle.
    #[cfg(test)]
    pub(crate) fn sigle_count(&self, sigle: &str) -> usize {
        (0..self.n)
            .filter(|&i| {
                self.acr[self.acr_start[i] as usize..self.acr_start[i + 1] as usize]
                    .iter()
                    .any(|&a| a & 1 == 1 && *self.acr_vocab[(a >> 1) as usize] == *sigle)
            })
            .count()
    }

    /// Items in alphabetical order (French collation on folded text).
    pub(crate) fn alphabetical(&self) -> &[u32] {
        &self.alpha
    }

    /// Range of acronym ids starting with `t` (2+ chars), whether the first
    /// one equals `t`, and whether that one is a curated sigle.
    fn acr_range(&self, t: &Token) -> AcrRange {
        if t.len < 2 {
            return AcrRange::default();
        }
        let s = t.text.as_str();
        let lo = self.acr_vocab.partition_point(|w| &**w < s);
        let mut hi = lo;
        while hi < self.acr_vocab.len() && self.acr_vocab[hi].starts_with(s) {
            hi += 1;
        }
        let exact = hi > lo && *self.acr_vocab[lo] == *s;
        AcrRange {
            lo: lo as u32,
            hi: hi as u32,
            exact,
            sigle: exact && self.acr_curated[lo],
        }
    }

    /// Class of the query word `t` against every vocabulary word. Returns
    /// whether it matched any word, or is a prefix of some label acronym, and
    /// whether it matched strongly: as an exact word, a word prefix, or a
    /// prefix of a sigle / acronym (no typo involved).
    ///
    /// `within`: the classes of a query word `t` extends (see
    /// [`ClassKey::narrows_to`]); only the words it matched can match `t`.
    fn classify(&self, t: &Token, out: &mut Vec<u8>, within: Option<&[u8]>) -> (bool, bool) {
        out.clear();
        out.resize(self.vocab.len(), C_NONE);
        let s = t.text.as_str();
        let lo = self.vocab.partition_point(|w| &**w < s);
        let mut any = false;
        for (k, w) in self.vocab[lo..].iter().enumerate() {
            if !w.starts_with(s) {
                break;
            }
            out[lo + k] = if w.len() == s.len() {
                C_EXACT
            } else {
                C_PREFIX
            };
            any = true;
        }
        if !any {
            let r = self.acr_range(t);
            any = r.hi > r.lo;
        }
        let strong = any;
        if !t.typo {
            return (any, strong);
        }
        let first = t.chars[0];
        let mut buf = [0u8; 4];
        let first_s: &str = first.encode_utf8(&mut buf);
        let a = self.vocab.partition_point(|w| &**w < first_s);
        let next = char::from_u32(first as u32 + 1).unwrap_or(char::MAX);
        let mut buf2 = [0u8; 4];
        let next_s: &str = next.encode_utf8(&mut buf2);
        let b = self.vocab.partition_point(|w| &**w < next_s);
        let m = t.chars.len();
        for (k, (o, wc)) in out[a..b]
            .iter_mut()
            .zip(&self.vocab_chars[a..b])
            .enumerate()
        {
            if *o != C_NONE
                || wc.len() + 1 < m
                || within.is_some_and(|w| w.get(a + k) == Some(&C_NONE))
            {
                continue;
            }
            *o = typo_class(&t.chars, wc);
            any |= *o != C_NONE;
        }
        (any, strong)
    }

    /// Classifies every query word into `scratch.classes[..q.tokens.len()]`
    /// (see [`Index::classify`]), reusing the previous run's classes of the
    /// words that did not change, and narrowing from them the words that grew
    /// (`peri` → `peris`): typing in the last word of `animateur peri`
    /// re-classifies that word only, against the words its prefix matched.
    /// Returns whether some word matched nothing, and which matched strongly.
    fn classify_tokens(&self, q: &Query, scratch: &mut Scratch) -> (bool, Vec<bool>) {
        if scratch.class_index != self.id || scratch.full_scan {
            scratch.class_keys.clear();
        }
        scratch.class_index = self.id;
        let old_keys = std::mem::take(&mut scratch.class_keys);
        let mut old_cls = std::mem::take(&mut scratch.classes);
        let mut spare = old_cls.split_off(old_keys.len().min(old_cls.len()));
        let mut used = vec![false; old_keys.len()];
        // Per query word: its new classes, or the index of the old ones.
        let mut parts: Vec<Result<(Vec<u8>, ClassKey), usize>> = Vec::with_capacity(q.tokens.len());
        let mut reuse: Vec<Option<usize>> = Vec::with_capacity(q.tokens.len());
        for t in &q.tokens {
            let same = (0..old_keys.len()).find(|&k| !used[k] && old_keys[k].is(t));
            if let Some(k) = same {
                used[k] = true;
            }
            reuse.push(same);
        }
        for (t, &same) in q.tokens.iter().zip(&reuse) {
            if let Some(k) = same {
                parts.push(Err(k));
                continue;
            }
            let within = old_keys
                .iter()
                .zip(&old_cls)
                .filter(|(key, _)| key.narrows_to(t))
                .max_by_key(|(key, _)| key.text.len())
                .map(|(_, cls)| cls.as_slice());
            let mut out = spare.pop().unwrap_or_default();
            let (any, strong) = self.classify(t, &mut out, within);
            parts.push(Ok((
                out,
                ClassKey {
                    text: t.text.clone(),
                    typo: t.typo,
                    any,
                    strong,
                },
            )));
        }
        let mut word_fail = false;
        let mut strong = Vec::with_capacity(q.tokens.len());
        for part in parts {
            let (cls, key) = match part {
                Ok(p) => p,
                Err(k) => (std::mem::take(&mut old_cls[k]), old_keys[k].clone()),
            };
            word_fail |= !key.any;
            strong.push(key.strong);
            scratch.classes.push(cls);
            scratch.class_keys.push(key);
        }
        // Buffers of words no longer in the query, for the next new words.
        spare.extend(
            old_cls
                .into_iter()
                .zip(&used)
                .filter(|(_, u)| !**u)
                .map(|(c, _)| c),
        );
        spare.truncate(4);
        scratch.classes.extend(spare);
        (word_fail, strong)
    }

    /// Scores item `i` against the classified query words. Returns (score,
    /// number of query words matched, number matched when muted typos count).
    ///
    /// A query word that matches some appellation strongly (exact word, word
    /// prefix, sigle) does not also match by a typo in a word *prefix*: that
    /// is how `tisf` once dragged in every `tiss…` textile job. Its
    /// whole-word typos still count from [`STRONG_TYPO_MIN_LEN`] letters on
    /// (`jardiner` → `Jardinier` although `jardinerie` starts with it,
    /// `enfant` ↔ `enfants`), not below (`tiss` → `tirs`).
    /// A query word equal to a curated sigle (`aes`) matches that sigle,
    /// not the other label acronyms that start with it.
    /// Muted matches still count for narrowing (third value), so a longer
    /// query that is no longer strong can narrow from this one's candidates.
    /// With `all_words`, stops at the first query word that matches neither
    /// way (the item then matters to neither tier 1 nor narrowing).
    #[inline]
    fn score_item(
        &self,
        i: usize,
        q: &Query,
        classes: &[Vec<u8>],
        acr_r: &[AcrRange],
        strong: &[bool],
        all_words: bool,
    ) -> (i32, usize, usize) {
        let refs = &self.refs[self.ref_start[i] as usize..self.ref_start[i + 1] as usize];
        let acrs = &self.acr[self.acr_start[i] as usize..self.acr_start[i + 1] as usize];
        let mut total = 0i32;
        let mut matched = 0usize;
        let mut loose = 0usize;
        for (((t, cls), r), &strong) in q.tokens.iter().zip(classes).zip(acr_r).zip(strong) {
            let mut best = 0i32;
            let mut muted = false;
            for &r in refs {
                let word = (r >> 3) as usize;
                let c = cls[word];
                if c == C_NONE {
                    continue;
                }
                if strong
                    && (c == C_TYPO_PREFIX || (c == C_TYPO_WORD && t.len < STRONG_TYPO_MIN_LEN))
                {
                    muted = true;
                    continue;
                }
                let s = word_score(
                    c,
                    (r >> 1) & 3,
                    r & 1 == 1,
                    t.len,
                    self.vocab_chars[word].len(),
                );
                if s > best {
                    best = s;
                }
            }
            if r.hi > r.lo && best < SIGLE_EXACT {
                for &a in acrs {
                    let id = a >> 1;
                    if id < r.lo || id >= r.hi {
                        continue;
                    }
                    let curated = a & 1 == 1;
                    let is_sigle = r.exact && id == r.lo && curated;
                    if r.sigle && !is_sigle {
                        muted = true;
                        continue;
                    }
                    let s = match (r.exact && id == r.lo, curated) {
                        (true, true) => SIGLE_EXACT,
                        (true, false) => 95,
                        (false, true) => 40,
                        (false, false) => 30,
                    };
                    best = best.max(s);
                }
            }
            if best > 0 {
                matched += 1;
                total += best;
            }
            if best > 0 || muted {
                loose += 1;
            } else if all_words {
                return (0, 0, 0);
            }
        }
        (total, matched, loose)
    }

    fn phrase_bonus(&self, i: usize, q: &Query) -> i32 {
        if q.phrase.is_empty() || !q.phrase.contains(' ') {
            return 0;
        }
        let mut bonus = 0;
        for k in self.phrase_start[i] as usize..self.phrase_start[i + 1] as usize {
            let p = self
                .phrase_text
                .get(self.phrase_off[k] as usize..self.phrase_off[k + 1] as usize)
                .unwrap_or("");
            if p.starts_with(&q.phrase) {
                return 60;
            }
            if p.contains(&q.phrase) {
                bonus = 40;
            }
        }
        bonus
    }

    /// Small boost for appellations of the curated branch mapping (the métiers
    /// of the cohésion sociale branches): it only reorders close scores.
    #[inline]
    fn curated_bonus(&self, i: usize) -> i32 {
        if self.branch_mask[i] != 0 {
            CURATED_BONUS
        } else {
            0
        }
    }

    /// Number of posting entries (items, with repeats across words) of the
    /// words and acronyms a classified query word matches.
    fn postings(&self, cls: &[u8], r: &AcrRange) -> usize {
        let post_len = |start: &[u32], k: usize| (start[k + 1] - start[k]) as usize;
        let words: usize = cls
            .iter()
            .enumerate()
            .filter(|c| *c.1 != C_NONE)
            .map(|(w, _)| post_len(&self.word_start, w))
            .sum();
        let acrs: usize = (r.lo..r.hi)
            .map(|a| post_len(&self.acr_item_start, a as usize))
            .sum();
        words + acrs
    }

    /// Marks in `mark` the items holding a word or acronym the classified
    /// query word matches: every item where it can score.
    fn mark_postings(&self, cls: &[u8], r: &AcrRange, mark: &mut [bool]) {
        let mut set = |items: &[u32]| items.iter().for_each(|&i| mark[i as usize] = true);
        for (w, _) in cls.iter().enumerate().filter(|c| *c.1 != C_NONE) {
            set(&self.word_items[self.word_start[w] as usize..self.word_start[w + 1] as usize]);
        }
        for a in r.lo as usize..r.hi as usize {
            set(&self.acr_items
                [self.acr_item_start[a] as usize..self.acr_item_start[a + 1] as usize]);
        }
    }

    /// Marks in `mark` the items holding a word or acronym matched by the
    /// query word with the shortest posting lists: a superset of what tier 1
    /// and narrowing can keep. `None` when they hold `bound` entries or more.
    fn fewest_candidates<'m>(
        &self,
        classes: &[Vec<u8>],
        acr_r: &[AcrRange],
        bound: usize,
        mark: &'m mut Vec<bool>,
    ) -> Option<&'m [bool]> {
        let (cls, r) = classes
            .iter()
            .zip(acr_r)
            .map(|(cls, r)| (self.postings(cls, r), (cls, r)))
            .min_by_key(|c| c.0)
            .filter(|c| c.0 < bound)?
            .1;
        mark.clear();
        mark.resize(self.n, false);
        self.mark_postings(cls, r, mark);
        Some(mark)
    }

    /// Marks in `mark` the candidates of tier 3 (all query words but one):
    /// an item matching all but one of `ntok >= 2` words matches at least
    /// one of any two of them, so the union of the posting lists of the two
    /// most selective words holds them all.
    fn partial_candidates(&self, classes: &[Vec<u8>], acr_r: &[AcrRange], mark: &mut Vec<bool>) {
        let mut sizes: Vec<(usize, usize)> = classes
            .iter()
            .zip(acr_r)
            .enumerate()
            .map(|(k, (cls, r))| (self.postings(cls, r), k))
            .collect();
        sizes.sort_unstable();
        mark.clear();
        mark.resize(self.n, false);
        for &(_, k) in sizes.iter().take(2) {
            self.mark_postings(&classes[k], &acr_r[k], mark);
        }
    }

    /// Tier 1 without the phrase bonus, for the query words of `q`: the
    /// items matching every word with their score, and the candidates for
    /// narrowing (see `run`). `classes` are the words' classes; the buffers
    /// of the previous answer in `scratch` are reused.
    #[allow(clippy::too_many_arguments)]
    fn words_tier(
        &self,
        q: &Query,
        filter: Option<u32>,
        prev: Option<(&[u32], bool)>,
        classes: &[Vec<u8>],
        acr_r: &[AcrRange],
        strong: &[bool],
        scratch_mark: &mut Vec<bool>,
        old: WordsTier,
    ) -> WordsTier {
        let in_branch = |i: usize| filter.is_none_or(|m| self.branch_mask[i] & m != 0);
        let ntok = q.tokens.len();
        let WordsTier {
            mut base, mut mono, ..
        } = old;
        base.clear();
        mono.clear();
        let mark = scratch_mark;
        let mut eval = |i: usize| {
            let (s, m, loose) = self.score_item(i, q, classes, acr_r, strong, true);
            if m == ntok {
                let s = TIER_WORDS + s + self.curated_bonus(i) - self.nwords[i] as i32;
                base.push((i as u32, s));
            }
            if loose == ntok {
                mono.push(i as u32);
            }
        };
        // Both the previous candidates and the posting lists of the most
        // selective query word hold every item that can match: the shorter wins.
        let bound = prev.map_or(self.n / 2, |(cands, _)| cands.len());
        match (self.fewest_candidates(classes, acr_r, bound, mark), prev) {
            (Some(mark), _) => {
                for (i, _) in mark.iter().enumerate().filter(|m| *m.1) {
                    if in_branch(i) {
                        eval(i);
                    }
                }
            }
            (None, Some((cands, _))) => {
                for &i in cands {
                    if in_branch(i as usize) {
                        eval(i as usize);
                    }
                }
            }
            (None, None) => {
                for i in 0..self.n {
                    if in_branch(i) {
                        eval(i);
                    }
                }
            }
        }
        mono.sort_unstable();
        WordsTier {
            index: self.id,
            filter,
            tokens: q.tokens.iter().map(|t| (t.text.clone(), t.typo)).collect(),
            base,
            mono,
        }
    }

    /// Runs a query. `prev` = candidates of a previous, narrower-compatible query
    /// and whether its fuzzy tier had been computed.
    pub(crate) fn run(
        &self,
        q: &Query,
        filter: Option<u32>,
        prev: Option<(&[u32], bool)>,
        limit: usize,
        scratch: &mut Scratch,
    ) -> RunOutput {
        if let Some(out) = self
            .first_keystroke(q, filter, limit)
            .filter(|_| !scratch.full_scan)
        {
            return out;
        }
        let in_branch = |i: usize| filter.is_none_or(|m| self.branch_mask[i] & m != 0);
        if q.tokens.is_empty() {
            let all: Vec<u32> = self
                .alpha
                .iter()
                .copied()
                .filter(|&i| in_branch(i as usize))
                .collect();
            let hits = all
                .iter()
                .take(limit)
                .map(|&i| Hit {
                    idx: i as usize,
                    score: 0,
                })
                .collect();
            return RunOutput {
                hits,
                total: all.len(),
                mono: Vec::new(),
                fuzzy_done: false,
                narrowable: true,
            };
        }

        let (word_fail, strong) = self.classify_tokens(q, scratch);
        let acr_r: Vec<AcrRange> = q.tokens.iter().map(|t| self.acr_range(t)).collect();
        let classes = &scratch.classes[..q.tokens.len()];
        let ntok = q.tokens.len();

        // Tier 1: every query word matches. `mono` also keeps the items
        // matched only through muted typos (see `score_item`) for narrowing.
        // Buffers reused from one keystroke to the next.
        // When the query words are those of the previous run (only a
        // stopword or a space changed: `agent d`, `agent de`), its scores
        // stand: only the phrase bonus is computed again.
        let mut tier1 = std::mem::take(&mut scratch.results);
        tier1.clear();
        let mut mono = std::mem::take(&mut scratch.spare);
        mono.clear();
        if scratch.full_scan || !scratch.words.is_for(self.id, filter, q) {
            let old = std::mem::take(&mut scratch.words);
            scratch.words = self.words_tier(
                q,
                filter,
                prev,
                classes,
                &acr_r,
                &strong,
                &mut scratch.mark,
                old,
            );
        }
        tier1.extend(
            scratch
                .words
                .base
                .iter()
                .map(|&(i, s)| (i, s + self.phrase_bonus(i as usize, q))),
        );
        mono.extend_from_slice(&scratch.words.mono);

        let mut results = tier1;
        let mut fuzzy_done = false;

        if word_fail && q.skim.chars().count() >= 2 {
            fuzzy_done = true;
            scratch.mark.clear();
            scratch.mark.resize(self.n, false);
            for &(i, _) in &results {
                scratch.mark[i as usize] = true;
            }
            let pmask = char_mask(&q.skim);
            let matcher = &scratch.matcher;
            let mut fuzzy: Vec<(u32, i32)> = Vec::new();
            let mut try_item = |i: usize| {
                if scratch.mark[i]
                    || !in_branch(i)
                    || self.hay_mask[i] & pmask != pmask
                    || !is_subsequence(&self.hay[i], &q.skim)
                {
                    return;
                }
                if let Some(s) = matcher.fuzzy_match(&self.hay[i], &q.skim) {
                    let s = TIER_FUZZY + (s.clamp(0, 9_000) as i32) + self.curated_bonus(i)
                        - self.nwords[i] as i32;
                    fuzzy.push((i as u32, s));
                }
            };
            match prev {
                Some((cands, true)) => cands.iter().for_each(|&i| try_item(i as usize)),
                _ => (0..self.n).for_each(&mut try_item),
            }
            mono.extend(fuzzy.iter().map(|h| h.0));
            mono.sort_unstable();
            results.extend(fuzzy);
        }

        if results.is_empty() && ntok >= 2 {
            // Tier 3: all but one query word (not part of the narrowing set).
            // `results` is empty: every candidate is new.
            if scratch.full_scan {
                scratch.mark.clear();
                scratch.mark.resize(self.n, true);
            } else {
                self.partial_candidates(classes, &acr_r, &mut scratch.mark);
            }
            for i in 0..self.n {
                if !scratch.mark[i] || !in_branch(i) {
                    continue;
                }
                let (s, m, _) = self.score_item(i, q, classes, &acr_r, &strong, false);
                if m + 1 >= ntok && m > 0 {
                    let s = (s + self.phrase_bonus(i, q) - self.nwords[i] as i32)
                        .clamp(1, TIER_FUZZY - 1);
                    results.push((i as u32, s));
                }
            }
        }

        let total = results.len();
        let cmp = |a: &(u32, i32), b: &(u32, i32)| -> Ordering {
            b.1.cmp(&a.1)
                .then(self.rank[a.0 as usize].cmp(&self.rank[b.0 as usize]))
        };
        if results.len() > limit && limit > 0 {
            results.select_nth_unstable_by(limit - 1, cmp);
            results.truncate(limit);
        } else if limit == 0 {
            results.clear();
        }
        results.sort_unstable_by(cmp);
        let hits = results
            .iter()
            .map(|&(i, s)| Hit {
                idx: i as usize,
                score: s,
            })
            .collect();
        scratch.results = results;
        RunOutput {
            hits,
            total,
            mono,
            fuzzy_done,
            narrowable: true,
        }
    }
}

/// Whether `pat` is a subsequence of `hay` (cheap prefilter before skim).
fn is_subsequence(hay: &str, pat: &str) -> bool {
    if pat.is_ascii() {
        let mut p = pat.as_bytes().iter().peekable();
        for &b in hay.as_bytes() {
            match p.peek() {
                Some(&&c) if c == b => {
                    p.next();
                }
                Some(_) => {}
                None => return true,
            }
        }
        p.peek().is_none()
    } else {
        let mut p = pat.chars().peekable();
        for c in hay.chars() {
            if p.peek() == Some(&c) {
                p.next();
            }
        }
        p.peek().is_none()
    }
}

#[derive(Clone, Copy, Default)]
struct AcrRange {
    lo: u32,
    hi: u32,
    exact: bool,
    /// The query word is a curated sigle (`aes`): other acronyms starting
    /// with it (`Accessoiriste en effets spéciaux`, `AESH`) are noise.
    sigle: bool,
}

#[inline]
fn word_score(class: u8, field: u32, head: bool, tlen: usize, wlen: usize) -> i32 {
    let ratio = |base: i32, span: i32| base + span * tlen.min(wlen) as i32 / wlen.max(1) as i32;
    match field {
        F_LABEL => {
            let s = match class {
                C_EXACT => 100,
                C_PREFIX => ratio(50, 40),
                C_TYPO_WORD => 65,
                _ => 35,
            };
            if head && class != C_TYPO_PREFIX {
                s + 12
            } else {
                s
            }
        }
        F_ROME => match class {
            C_EXACT => 50,
            C_PREFIX => ratio(25, 20),
            C_TYPO_WORD => 30,
            _ => 15,
        },
        F_CODE => match class {
            C_EXACT => 400,
            C_PREFIX => ratio(30, 20),
            _ => 0,
        },
        _ => 10,
    }
}

/// Optimal-string-alignment distance (≤ 1) of query word `t` to the whole word
/// `w` (→ `C_TYPO_WORD`) or to a prefix of it (→ `C_TYPO_PREFIX`).
fn typo_class(t: &[char], w: &[char]) -> u8 {
    let m = t.len();
    if m > MAX_TOKEN {
        return C_NONE;
    }
    let n = w.len().min(m + 1);
    // Rows of the DP over prefixes of w (length 0..=n).
    let mut r2 = [0u8; MAX_TOKEN + 2];
    let mut r1 = [0u8; MAX_TOKEN + 2];
    let mut r0 = [0u8; MAX_TOKEN + 2];
    for (j, v) in r1.iter_mut().enumerate().take(n + 1) {
        *v = j.min(255) as u8;
    }
    for i in 1..=m {
        r0[0] = i.min(255) as u8;
        let mut row_min = r0[0];
        for j in 1..=n {
            let cost = (t[i - 1] != w[j - 1]) as u8;
            let mut v = (r1[j] + 1).min(r0[j - 1] + 1).min(r1[j - 1] + cost);
            if i > 1 && j > 1 && t[i - 1] == w[j - 2] && t[i - 2] == w[j - 1] {
                v = v.min(r2[j - 2] + 1);
            }
            r0[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > 1 {
            return C_NONE;
        }
        std::mem::swap(&mut r2, &mut r1);
        std::mem::swap(&mut r1, &mut r0);
    }
    // r1 holds row m.
    if w.len() <= m + 1 && r1[w.len()] <= 1 {
        return C_TYPO_WORD;
    }
    if r1[..=n].iter().any(|&v| v <= 1) {
        C_TYPO_PREFIX
    } else {
        C_NONE
    }
}

/// Whether folded query word `q` is one typo (insertion, deletion,
/// substitution, swap of two neighbours) away from the folded word `w` or
/// from a prefix of it, with the same first letter. Query words under 4
/// letters or with digits never match by typo. The catalogue's typo rule,
/// shared with the file list's « approchés ».
pub fn typo_match(q: &str, w: &str) -> bool {
    TypoWord::new(q).matches(w, &mut Vec::new())
}

/// A query word prepared for [`typo_match`] against many words.
pub struct TypoWord(Token);

impl TypoWord {
    pub fn new(q: &str) -> TypoWord {
        TypoWord(Token::new(q))
    }

    /// Whether the word may match by typo at all (4 letters or more, no digit).
    pub fn allowed(&self) -> bool {
        self.0.typo
    }

    /// See [`typo_match`]; `buf` is scratch space.
    pub fn matches(&self, w: &str, buf: &mut Vec<char>) -> bool {
        let t = &self.0;
        if !t.typo || !w.starts_with(t.chars[0]) {
            return false;
        }
        buf.clear();
        buf.extend(w.chars());
        buf.len() + 1 >= t.len && typo_class(&t.chars, buf) != C_NONE
    }
}

/// Class of query word `t` against one folded word (used for highlighting).
fn classify_pair(t: &Token, w: &str) -> u8 {
    if w == t.text {
        C_EXACT
    } else if w.starts_with(&t.text) {
        C_PREFIX
    } else if t.typo && w.starts_with(t.chars[0]) {
        let wc: Vec<char> = w.chars().collect();
        typo_class(&t.chars, &wc)
    } else {
        C_NONE
    }
}

pub(crate) struct Token {
    pub text: String,
    chars: Vec<char>,
    len: usize,
    typo: bool,
}

impl Token {
    fn new(w: &str) -> Token {
        let chars: Vec<char> = w.chars().collect();
        let len = chars.len();
        let typo =
            (TYPO_MIN_LEN..=MAX_TOKEN).contains(&len) && !chars.iter().any(|c| c.is_ascii_digit());
        Token {
            text: w.to_string(),
            chars,
            len,
            typo,
        }
    }
}

/// A parsed query.
pub(crate) struct Query {
    folded: String,
    /// All words (stopwords included), folded.
    all: Vec<String>,
    /// Index in `all` of each significant token.
    sig_pos: Vec<usize>,
    pub tokens: Vec<Token>,
    phrase: String,
    skim: String,
}

impl Query {
    pub(crate) fn parse(s: &str) -> Query {
        let folded = fold(s);
        let all: Vec<String> = words(&folded)
            .into_iter()
            .map(|(_, w)| w.to_string())
            .collect();
        let mut sig_pos: Vec<usize> = (0..all.len()).filter(|&k| !is_stopword(&all[k])).collect();
        if sig_pos.is_empty() {
            sig_pos = (0..all.len()).collect();
        }
        let tokens = sig_pos.iter().map(|&k| Token::new(&all[k])).collect();
        let phrase = all.join(" ");
        let skim = folded.chars().filter(|c| c.is_alphanumeric()).collect();
        Query {
            folded,
            all,
            sig_pos,
            tokens,
            phrase,
            skim,
        }
    }

    /// Whether every appellation matching `self` (tiers 1–2) also matched `prev`.
    pub(crate) fn narrows(&self, prev: &Query) -> bool {
        if prev.tokens.is_empty() || !self.folded.starts_with(&prev.folded) {
            return false;
        }
        for (&k, pt) in prev.sig_pos.iter().zip(&prev.tokens) {
            // Position k in `all` holds the same word or (last word) an extension.
            let Some(sig_idx) = self.sig_pos.iter().position(|&p| p == k) else {
                return false;
            };
            let nt = &self.tokens[sig_idx];
            if !nt.text.starts_with(&pt.text) || (nt.typo && !pt.typo) {
                return false;
            }
        }
        // Same word boundaries before the last previous word.
        let keep = prev.all.len().saturating_sub(1);
        self.all.len() >= prev.all.len() && self.all[..keep] == prev.all[..keep]
    }
}

pub(crate) struct RunOutput {
    pub hits: Vec<Hit>,
    pub total: usize,
    /// Items matching tiers 1–2 (ascending), for narrowing.
    pub mono: Vec<u32>,
    pub fuzzy_done: bool,
    /// False when `mono` was not computed (a precomputed first keystroke):
    /// the next query cannot narrow from it.
    pub narrowable: bool,
}

/// What [`Index::classify`] answered for one query word, kept for the next run.
#[derive(Clone)]
struct ClassKey {
    text: String,
    typo: bool,
    any: bool,
    strong: bool,
}

impl ClassKey {
    /// Whether these are the classes of query word `t`.
    fn is(&self, t: &Token) -> bool {
        self.text == t.text && self.typo == t.typo
    }

    /// Whether every vocabulary word `t` can match was matched by this word:
    /// `t` extends it, and typo matching did not switch on in between. (A
    /// word within one typo of a prefix of `w`, shortened by its last
    /// letter, still is; a word starting `t` starts this one.)
    fn narrows_to(&self, t: &Token) -> bool {
        t.text.starts_with(&self.text) && (self.typo || !t.typo)
    }
}

/// Tier 1 of the last run before the phrase bonus (see `Index::words_tier`).
#[derive(Default)]
struct WordsTier {
    /// [`Index::id`], branch filter and query words it answers.
    index: u64,
    filter: Option<u32>,
    tokens: Vec<(String, bool)>,
    /// Items matching every query word, with their score without the
    /// phrase bonus.
    base: Vec<(u32, i32)>,
    /// Candidates for narrowing (ascending).
    mono: Vec<u32>,
}

impl WordsTier {
    fn is_for(&self, index: u64, filter: Option<u32>, q: &Query) -> bool {
        self.index == index
            && self.filter == filter
            && self.tokens.len() == q.tokens.len()
            && self
                .tokens
                .iter()
                .zip(&q.tokens)
                .all(|(a, t)| a.0 == t.text && a.1 == t.typo)
    }
}

/// Reusable buffers.
pub(crate) struct Scratch {
    /// Tier 1 of the last run, reused while the query words stay the same.
    words: WordsTier,
    /// Classes of each word of the last query (see [`Index::classify_tokens`]),
    /// then spare buffers.
    classes: Vec<Vec<u8>>,
    /// What `classes` holds, one per word of the last query.
    class_keys: Vec<ClassKey>,
    /// [`Index::id`] of the index `class_keys` were computed on.
    class_index: u64,
    mark: Vec<bool>,
    /// Scored items of the running query.
    results: Vec<(u32, i32)>,
    /// A candidate list no longer needed (see [`Scratch::recycle`]), filled
    /// by the next run instead of allocating one.
    spare: Vec<u32>,
    matcher: SkimMatcherV2,
    /// Tests only: answer without any shortcut (the reference the shortcuts
    /// must agree with).
    full_scan: bool,
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch {
            classes: Vec::new(),
            class_keys: Vec::new(),
            class_index: 0,
            words: WordsTier::default(),
            mark: Vec::new(),
            results: Vec::new(),
            spare: Vec::new(),
            matcher: SkimMatcherV2::default().ignore_case(),
            full_scan: false,
        }
    }
}

impl Scratch {
    /// Gives back the candidates (`RunOutput::mono`) of a run that will not
    /// be narrowed from any more.
    pub(crate) fn recycle(&mut self, mono: Vec<u32>) {
        self.spare = mono;
    }
}

/// Char indices, in the original `label`, of what `query` matched.
pub(crate) fn highlight_label(label: &str, query: &str, sigles: &[Sigle]) -> Vec<usize> {
    let q = Query::parse(query);
    if q.tokens.is_empty() {
        return Vec::new();
    }
    let f = fold_with_map(label);
    let ws = words(&f.text);
    let mut marked: Vec<usize> = Vec::new();
    for t in &q.tokens {
        let cls: Vec<u8> = ws.iter().map(|(_, w)| classify_pair(t, w)).collect();
        let best = cls.iter().copied().max().unwrap_or(C_NONE);
        if best != C_NONE {
            let threshold = if best >= C_PREFIX {
                C_PREFIX
            } else {
                C_TYPO_PREFIX
            };
            for (&(start, w), &c) in ws.iter().zip(&cls) {
                if c < threshold {
                    continue;
                }
                let wl = w.chars().count();
                let n = match c {
                    C_EXACT | C_TYPO_WORD => wl,
                    _ => t.len.min(wl),
                };
                marked.extend(start..start + n);
            }
            continue;
        }
        if t.len >= 2 {
            // Sigle or acronym: mark the initials of the words it stands for.
            let vars = variants(&f.text, &ws);
            let sigs: Vec<Vec<usize>> = vars.iter().map(|v| significant(&ws, v)).collect();
            let curated = sigles
                .iter()
                .filter(|s| s.sigle.starts_with(&t.text))
                .find_map(|s| {
                    sigs.iter().find_map(|sig| {
                        find_run(&ws, sig, &s.words).map(|at| sig[at..at + s.words.len()].to_vec())
                    })
                });
            let run = curated.or_else(|| {
                sigs.iter()
                    .find(|sig| acronym(&ws, sig).starts_with(&t.text))
                    .map(|sig| sig[..t.len.min(sig.len())].to_vec())
            });
            if let Some(run) = run {
                marked.extend(run.iter().map(|&k| ws[k].0));
            }
        }
    }
    if marked.is_empty() && q.skim.chars().count() >= 2 {
        let m = SkimMatcherV2::default().ignore_case();
        if let Some((_, idx)) = m.fuzzy_indices(&f.text, &q.skim) {
            marked = idx;
        }
    }
    f.original_indices(marked)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cs(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn subsequence() {
        assert!(is_subsequence("aide soignant", "aidsoign"));
        assert!(!is_subsequence("aide soignant", "aidx"));
        assert!(is_subsequence("a", ""));
        assert!(is_subsequence("éa", "éa") && !is_subsequence("ae", "éa"));
    }

    #[test]
    fn typo_classes() {
        assert_eq!(typo_class(&cs("educatuer"), &cs("educateur")), C_TYPO_WORD);
        assert_eq!(typo_class(&cs("gardein"), &cs("gardien")), C_TYPO_WORD);
        assert_eq!(typo_class(&cs("imeuble"), &cs("immeuble")), C_TYPO_WORD);
        assert_eq!(
            typo_class(&cs("auxilliaire"), &cs("auxiliaire")),
            C_TYPO_WORD
        );
        assert_eq!(typo_class(&cs("educatu"), &cs("educateur")), C_TYPO_PREFIX);
        assert_eq!(typo_class(&cs("gardein"), &cs("gardienne")), C_TYPO_PREFIX);
        assert_eq!(typo_class(&cs("educateur"), &cs("electricien")), C_NONE);
        assert_eq!(typo_class(&cs("abcd"), &cs("abdc")), C_TYPO_WORD);
        assert_eq!(typo_class(&cs("abcd"), &cs("badc")), C_NONE);
    }

    #[test]
    fn variants_and_acronyms() {
        let l = fold("Technicien / Technicienne de l'intervention sociale et familiale");
        let ws = words(&l);
        let v = variants(&l, &ws);
        assert_eq!(v.len(), 2);
        assert_eq!(acronym(&ws, &significant(&ws, &v[0])), "tisf");
        assert_eq!(ws[v[1][0]].1, "technicienne");
        let s = Sigle::new("TISF", "technicien de l'intervention sociale et familiale");
        assert_eq!(
            s.words,
            vec!["technicien", "intervention", "sociale", "familiale"]
        );
        let l2 = fold("Technicien / Technicienne Intervention Sociale et Familiale -TISF-");
        let ws2 = words(&l2);
        let v2 = variants(&l2, &ws2);
        assert_eq!(
            find_run(&ws2, &significant(&ws2, &v2[0]), &s.words),
            Some(0)
        );
    }

    #[test]
    fn narrowing_rules() {
        let q = Query::parse;
        assert!(q("educ j").narrows(&q("educ")));
        assert!(q("educa").narrows(&q("educ")));
        assert!(!q("educ").narrows(&q("edu"))); // typo tolerance switches on at 4 letters
        assert!(q("aide e").narrows(&q("aide"))); // a new word only adds a constraint
        assert!(!q("aide en").narrows(&q("aide e"))); // "e" became the stopword "en"
        assert!(!q("edu").narrows(&q("")));
        assert!(!q("gar").narrows(&q("edu")));
        assert!(q("de l").narrows(&q("de")));
        assert!(!q("de lo").narrows(&q("de l")));
    }

    fn labels_found(labels: &[&str], query: &str) -> Vec<String> {
        let index = Index::build(
            labels.iter().map(|l| IndexInput {
                label: l,
                rome_label: "",
                code: "X0000",
                branch_mask: 0,
            }),
            &[],
        );
        let out = index.run(
            &Query::parse(query),
            None,
            None,
            50,
            &mut Scratch::default(),
        );
        out.hits.iter().map(|h| labels[h.idx].to_string()).collect()
    }

    #[test]
    fn strong_words_mute_typo_prefixes_and_short_whole_word_typos() {
        // Nothing as typed: typos (prefix and whole word) are the answer.
        assert_eq!(
            labels_found(&["Tisserand", "Grutier"], "tisf"),
            ["Tisserand"]
        );
        // `tisf` is a word: the typo prefix `tiss` is muted.
        assert_eq!(
            labels_found(&["Tisserand", "Technicien TISF"], "tisf"),
            ["Technicien TISF"]
        );
        // Boundary of whole-word typos for a word that matches as typed:
        // 5 letters muted, 6 letters kept (below the prefix match).
        assert_eq!(labels_found(&["Abcdef", "Abcdx"], "abcde"), ["Abcdef"]);
        let six = labels_found(&["Abcdefg", "Abcdex"], "abcdef");
        assert_eq!(six.len(), 2, "{six:?}");
        // A muted item still narrows: the longer query finds it again.
        let mut s = Scratch::default();
        let index = Index::build(
            ["Tisserand", "Technicien TISF"].iter().map(|l| IndexInput {
                label: l,
                rome_label: "",
                code: "X0000",
                branch_mask: 0,
            }),
            &[],
        );
        let first = index.run(&Query::parse("tisf"), None, None, 50, &mut s);
        assert_eq!(first.hits.len(), 1);
        assert_eq!(first.mono, vec![0, 1], "muted matches stay candidates");
    }

    #[test]
    fn first_keystrokes_answer_like_a_scan() {
        let labels = [
            "Maçon",
            "Aide à domicile",
            "Animateur",
            "Éducateur",
            "Agent de tri",
            "Magasinier",
            "Assistant RH",
        ];
        let build = || {
            Index::build(
                labels.iter().map(|l| IndexInput {
                    label: l,
                    rome_label: "Métier",
                    code: "X0000",
                    branch_mask: 1,
                }),
                &[],
            )
        };
        let with = build();
        let mut without = build();
        without.first_keys.clear();
        assert!(with.first_keys.iter().any(|f| f.key == 'a'));
        for text in ["a", "A", "m", "É", "e", "x", "r", "maç", "1"] {
            let q = Query::parse(text);
            for limit in [1, 3, 50] {
                let a = with.run(&q, None, None, limit, &mut Scratch::default());
                let b = without.run(&q, None, None, limit, &mut Scratch::default());
                assert_eq!((&a.hits, a.total), (&b.hits, b.total), "{text} {limit}");
            }
            // With a branch filter the answer is computed.
            let a = with.run(&q, Some(1), None, 50, &mut Scratch::default());
            let b = without.run(&q, Some(1), None, 50, &mut Scratch::default());
            assert_eq!(a.hits, b.hits, "{text}");
        }
        let a = with.run(&Query::parse("a"), None, None, 50, &mut Scratch::default());
        assert!(!a.narrowable);
        assert_eq!(a.total, 4, "Aide, Animateur, Agent, Assistant");
    }

    /// The answer without any shortcut: no precomputed keystroke, no cached
    /// classes, no narrowing, tier 3 over every item.
    fn full_scan(index: &Index, text: &str, filter: Option<u32>, limit: usize) -> RunOutput {
        let mut s = Scratch {
            full_scan: true,
            ..Scratch::default()
        };
        index.run(&Query::parse(text), filter, None, limit, &mut s)
    }

    /// A generated list (the bench's generator) of 20 000 appellations.
    fn generated() -> &'static crate::catalog::Catalog {
        use crate::catalog::{bench, Catalog};
        static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        C.get_or_init(|| {
            let b = Catalog::builtin_shared().unwrap();
            Catalog::from_referentiel(bench::stress_referentiel(b, 20_000), b)
        })
    }

    fn catalogues() -> [&'static crate::catalog::Catalog; 2] {
        [
            crate::catalog::Catalog::builtin_shared().unwrap(),
            generated(),
        ]
    }

    #[test]
    fn partial_matches_are_found_among_the_two_rarest_words() {
        let queries = [
            "animateur periscolaire",
            "animateur periscolaire nuit",
            "jardinier informatique",
            "educateur pilote",
            "agent tri xqzw",
            "aide domicile ferroviaire",
            "conseiller insertion soudeur",
            "maraicher comptable",
            "tisf menuisier",
            "k1202 boulanger",
            "charge clientele ebeniste",
        ];
        let mut partial = 0;
        for c in catalogues() {
            let index = &c.index;
            for text in queries {
                for filter in [None, Some(1u32)] {
                    let q = Query::parse(text);
                    let a = index.run(&q, filter, None, usize::MAX, &mut Scratch::default());
                    let b = full_scan(index, text, filter, usize::MAX);
                    assert_eq!((&a.hits, a.total), (&b.hits, b.total), "{text} {filter:?}");
                    if !a.hits.is_empty() && a.hits.iter().all(|h| h.score < TIER_FUZZY) {
                        partial += 1;
                    }
                }
            }
        }
        assert!(partial >= 8, "only {partial} queries reached tier 3");
    }

    #[test]
    fn precomputed_keystrokes_answer_like_a_scan() {
        for c in catalogues() {
            let index = &c.index;
            let keys: Vec<String> = index
                .first_keys
                .iter()
                .map(|f| f.key.to_string())
                .chain(index.prefix_keys.iter().map(|f| f.key.to_string()))
                .collect();
            assert!(
                index.prefix_keys.iter().any(|f| &*f.key == "co"),
                "co is a broad start"
            );
            assert!(!index.prefix_keys.iter().any(|f| &*f.key == "zy"));
            for key in &keys {
                let upper = key.to_uppercase();
                for text in [key.as_str(), upper.as_str()] {
                    let q = Query::parse(text);
                    for limit in [1, 37, 500] {
                        let a = index.run(&q, None, None, limit, &mut Scratch::default());
                        assert!(!a.narrowable, "{text}: not computed");
                        let b = full_scan(index, text, None, limit);
                        assert_eq!((&a.hits, a.total), (&b.hits, b.total), "{text} {limit}");
                    }
                }
            }
            // Above the stored hits, with a branch filter, or longer: computed.
            let q = Query::parse("co");
            let a = index.run(&q, None, None, 501, &mut Scratch::default());
            assert!(a.narrowable);
            assert_eq!(a.hits, full_scan(index, "co", None, 501).hits);
            let a = index.run(&q, Some(1), None, 50, &mut Scratch::default());
            assert!(a.narrowable);
            assert_eq!(a.hits, full_scan(index, "co", Some(1), 50).hits);
            let five = index.run(
                &Query::parse("conse"),
                None,
                None,
                50,
                &mut Scratch::default(),
            );
            assert!(five.narrowable);
        }
        // Four letters (typos included) on the larger list.
        assert!(generated()
            .index
            .prefix_keys
            .iter()
            .any(|f| &*f.key == "cons"));
    }

    #[test]
    fn cached_classes_and_scores_answer_like_a_scan() {
        use crate::catalog::Searcher;
        let [builtin, gen] = catalogues();
        // Typed char by char, then edited in the middle, back and forth
        // between two catalogues with the same searcher.
        let mut steps: Vec<(usize, String)> = Vec::new();
        let typed = |text: &str| -> Vec<String> {
            let chars: Vec<char> = text.chars().collect();
            (1..=chars.len())
                .map(|e| chars[..e].iter().collect())
                .collect()
        };
        for (k, text) in [
            "animateur periscolaire",
            "gardein d'imeuble",
            "educatrice jeunes enfants",
            "charge de clientele",
            "agent de tri",
        ]
        .iter()
        .enumerate()
        {
            steps.extend(typed(text).into_iter().map(|t| (k % 2, t)));
        }
        for (cat, t) in [
            (0, "animateur periscolaire"),
            (0, "animatrice periscolaire"),
            (0, "animatric periscolaire"),
            (0, "animatri periscolaire"),
            (0, "animatrice periscol"),
            (0, "periscolaire animatrice"),
            (0, "peri animatrice"),
            (1, "peri animatrice"),
            (1, "perisco animatrice"),
            (0, "perisco animatrice"),
            (0, "educateur educateur"),
            (0, "educateur educatrice"),
            (1, "educateur educatrice"),
            (1, "educ"),
            (0, "educa"),
            (0, "edu"),
            (0, "educ"),
            (0, "educ1"),
            (0, "educ12"),
            (0, "educ1"),
        ] {
            steps.push((cat, t.to_string()));
        }
        // The same words with a branch filter, then without it again.
        let branch = builtin.branches().list[0].short.clone();
        let mut steps: Vec<(usize, String, Option<&str>)> =
            steps.into_iter().map(|(c, t)| (c, t, None)).collect();
        for (t, b) in [
            ("agent d", None),
            ("agent de", Some(branch.as_str())),
            ("agent de ", Some(branch.as_str())),
            ("agent de t", Some(branch.as_str())),
            ("agent de t", None),
            ("agent de ", None),
        ] {
            steps.push((0, t.to_string(), b));
        }
        let mut s = Searcher::new(500);
        for (cat, text, branch) in &steps {
            let c = [builtin, gen][*cat];
            let got = s.update(c, text, *branch).to_vec();
            let filter = c.branch_filter(*branch).unwrap();
            let want = full_scan(&c.index, text, filter, 500);
            assert_eq!(got, want.hits, "{text} on catalogue {cat} {branch:?}");
            assert_eq!(s.total(), want.total, "{text} on catalogue {cat}");
        }
    }

    #[test]
    fn highlight_maps_to_accented_original() {
        // É (0) d u c
        assert_eq!(highlight_label("Éducateur", "educ", &[]), vec![0, 1, 2, 3]);
        // "œuvre": folded "oeuvre"; "oeu" → chars 0 (œ) and 1 (u).
        assert_eq!(highlight_label("Maître d'œuvre", "oeu", &[]), vec![9, 10]);
        assert_eq!(
            highlight_label("Maître d'œuvre", "maitre", &[]),
            vec![0, 1, 2, 3, 4, 5]
        );
        // Acronym: initials.
        let h = highlight_label(
            "Technicien / Technicienne de l'intervention sociale et familiale",
            "tisf",
            &[],
        );
        assert_eq!(h.len(), 4);
        assert_eq!(h[0], 0);
        assert!(highlight_label("Éducateur", "", &[]).is_empty());
    }
}
