//! The métier catalogue: ROME fiches and appellations, branches, curated
//! passerelles, and the fuzzy search index.
//!
//! The shipped data lives in `assets/` and is embedded with `include_str!`
//! (see `assets/build/build_assets.py` for how the TSV files are produced).
//! Parsing never panics: a broken asset gives a [`CatalogError`]; a unit test
//! guards the shipped files.
//!
//! Data conventions:
//! - `ALL` in the curated branch mapping (support jobs found in every branch) is
//!   expanded at load time to every branch of `branches.toml`, `HORS` included,
//!   so `Appellation::branches` always lists real short ids.
//! - ROME 4.0 fiche-level rows (no OGR code in the snapshot) carry a synthetic
//!   OGR code, see [`synthetic_ogr`]; never show it as an OGR code
//!   (check [`is_synthetic_ogr`]).

pub mod bench;
pub mod fold;
pub mod import;
pub mod mobilite;
pub mod search;
mod snapshot;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::domain::{
    is_rome_code, rome_family, Appellation, Branch, Branches, Referentiel, RomeFiche, TargetMetier,
};

pub use import::{
    import_file, parse_referentiel, ImportError, ImportOptions, ImportReport, Imported,
};
pub use search::Hit;
use search::{Index, IndexInput, Query, Scratch, Sigle};

const CATALOGUE_TOML: &str = include_str!("../../assets/catalogue.toml");
const BRANCHES_TOML: &str = include_str!("../../assets/branches.toml");
const FICHES_TSV: &str = include_str!("../../assets/rome_fiches.tsv");
const APPELLATIONS_TSV: &str = include_str!("../../assets/appellations.tsv");
const PASSERELLES_TSV: &str = include_str!("../../assets/passerelles.tsv");
const SIGLES_TSV: &str = include_str!("../../assets/sigles.tsv");
/// Every asset the catalogue is built from (its snapshot's fingerprint).
const ASSET_TEXTS: [&str; 6] = [
    CATALOGUE_TOML,
    BRANCHES_TOML,
    FICHES_TSV,
    APPELLATIONS_TSV,
    PASSERELLES_TSV,
    SIGLES_TSV,
];

/// Start of the synthetic OGR range (real OGR codes are far below).
pub const SYNTHETIC_OGR_BASE: u32 = 900_000_000;

/// Synthetic OGR code of a ROME 4.0 fiche-level row:
/// `900_000_000 + (letter index, A = 0) × 10_000 + digits` (`K1306` → `900_101_306`).
pub fn synthetic_ogr(rome: &str) -> Option<u32> {
    if !is_rome_code(rome) {
        return None;
    }
    let letter = (rome.as_bytes()[0] - b'A') as u32;
    let digits: u32 = rome[1..].parse().ok()?;
    Some(SYNTHETIC_OGR_BASE + letter * 10_000 + digits)
}

/// True for codes made by [`synthetic_ogr`] (not a real OGR code).
pub fn is_synthetic_ogr(ogr: u32) -> bool {
    ogr >= SYNTHETIC_OGR_BASE
}

/// Errors of the shipped (or stored) catalogue data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("données du catalogue invalides ({file}, ligne {line}) : {reason}")]
    Asset {
        file: &'static str,
        line: usize,
        reason: String,
    },
}

fn asset_err(file: &'static str, line: usize, reason: impl Into<String>) -> CatalogError {
    CatalogError::Asset {
        file,
        line,
        reason: reason.into(),
    }
}

/// Provenance of the referential, shown in "à propos" and the Métiers header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogInfo {
    /// e.g. `ROME — référentiel France Travail, instantané du 2026-08-07`.
    pub version: String,
    /// e.g. `ROME 2026-08`.
    pub short_version: String,
    pub snapshot_date: String,
    pub source: String,
    pub licence: String,
    pub branch_mapping: String,
    pub passerelles: String,
    /// True when the appellations come from an imported referential.
    #[serde(default)]
    pub imported: bool,
}

/// A curated career bridge between two ROME fiches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passerelle {
    pub from: String,
    pub to: String,
    /// Short French note.
    pub note: String,
}

static GENERATION: AtomicU64 = AtomicU64::new(1);

/// The in-memory catalogue.
pub struct Catalog {
    info: CatalogInfo,
    fiches: Vec<RomeFiche>,
    appellations: Vec<Appellation>,
    /// Per fiche (same order as `fiches`): its appellations, alphabetically.
    by_fiche: Vec<Vec<u32>>,
    by_ogr: Vec<(u32, u32)>,
    branches: Branches,
    passerelles: Vec<Passerelle>,
    sigles: Vec<Sigle>,
    index: Index,
    generation: u64,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("version", &self.info.version)
            .field("fiches", &self.fiches.len())
            .field("appellations", &self.appellations.len())
            .field("branches", &self.branches.list.len())
            .field("passerelles", &self.passerelles.len())
            .finish()
    }
}

#[derive(Deserialize)]
struct BranchesFile {
    branche: Vec<Branch>,
}

/// Data lines of an embedded TSV: skips `#` comments and blank lines, checks
/// the header, yields (1-based line number, fields).
fn tsv_rows<'a>(
    file: &'static str,
    text: &'a str,
    header: &[&str],
) -> Result<Vec<(usize, Vec<&'a str>)>, CatalogError> {
    let mut out = Vec::new();
    let mut seen_header = false;
    for (k, line) in text.lines().enumerate() {
        let line_no = k + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if !seen_header {
            if fields != header {
                return Err(asset_err(
                    file,
                    line_no,
                    format!("en-tête attendu « {} »", header.join(" ")),
                ));
            }
            seen_header = true;
            continue;
        }
        if fields.len() != header.len() {
            return Err(asset_err(
                file,
                line_no,
                format!(
                    "{} colonnes attendues, {} trouvées",
                    header.len(),
                    fields.len()
                ),
            ));
        }
        out.push((line_no, fields));
    }
    if !seen_header {
        return Err(asset_err(file, 1, "fichier vide"));
    }
    Ok(out)
}

fn parse_branches(text: &str) -> Result<Branches, CatalogError> {
    const F: &str = "branches.toml";
    let file: BranchesFile = toml::from_str(text).map_err(|e| asset_err(F, 0, e.to_string()))?;
    if file.branche.len() > 32 {
        return Err(asset_err(F, 0, "plus de 32 branches"));
    }
    for (k, b) in file.branche.iter().enumerate() {
        if b.short.is_empty()
            || !b.short.chars().all(|c| c.is_ascii_uppercase())
            || b.short == "ALL"
        {
            return Err(asset_err(
                F,
                0,
                format!("identifiant court invalide « {} »", b.short),
            ));
        }
        let idcc_ok = |s: &str| s.len() == 4 && s.chars().all(|c| c.is_ascii_digit());
        let hors = b.idcc.is_empty() && b.short == "HORS";
        if !hors && !idcc_ok(&b.idcc) {
            return Err(asset_err(
                F,
                0,
                format!("IDCC invalide pour {} : « {} »", b.short, b.idcc),
            ));
        }
        if let Some(a) = b.alias_idcc.iter().find(|a| !idcc_ok(a)) {
            return Err(asset_err(
                F,
                0,
                format!("IDCC alias invalide pour {} : « {a} »", b.short),
            ));
        }
        if file.branche[..k].iter().any(|o| o.short == b.short) {
            return Err(asset_err(F, 0, format!("branche en double : {}", b.short)));
        }
    }
    Ok(Branches { list: file.branche })
}

fn parse_fiches(text: &str) -> Result<Vec<RomeFiche>, CatalogError> {
    const F: &str = "rome_fiches.tsv";
    let mut out: Vec<RomeFiche> = Vec::new();
    let mut seen = HashMap::new();
    for (line, f) in tsv_rows(F, text, &["code", "label"])? {
        if !is_rome_code(f[0]) {
            return Err(asset_err(
                F,
                line,
                format!("code ROME invalide « {} »", f[0]),
            ));
        }
        if f[1].trim().is_empty() {
            return Err(asset_err(F, line, "libellé vide"));
        }
        if seen.insert(f[0], line).is_some() {
            return Err(asset_err(F, line, format!("fiche en double : {}", f[0])));
        }
        out.push(RomeFiche {
            code: f[0].to_string(),
            label: f[1].trim().to_string(),
        });
    }
    Ok(out)
}

fn parse_appellations(
    text: &str,
    fiches: &[RomeFiche],
    branches: &Branches,
) -> Result<Vec<Appellation>, CatalogError> {
    const F: &str = "appellations.tsv";
    let mut out = Vec::new();
    let mut seen: HashMap<u32, usize> = HashMap::new();
    let all: Vec<String> = branches.list.iter().map(|b| b.short.clone()).collect();
    for (line, f) in tsv_rows(
        F,
        text,
        &["ogr", "rome", "label", "short_label", "branches"],
    )? {
        let ogr: u32 = f[0]
            .parse()
            .ok()
            .filter(|&o| o > 0)
            .ok_or_else(|| asset_err(F, line, format!("code OGR invalide « {} »", f[0])))?;
        if let Some(prev) = seen.insert(ogr, line) {
            return Err(asset_err(
                F,
                line,
                format!("code OGR {ogr} en double (ligne {prev})"),
            ));
        }
        if fiche_position(fiches, f[1]).is_none() {
            return Err(asset_err(
                F,
                line,
                format!("fiche ROME inconnue « {} »", f[1]),
            ));
        }
        if is_synthetic_ogr(ogr) && synthetic_ogr(f[1]) != Some(ogr) {
            return Err(asset_err(
                F,
                line,
                format!("code OGR synthétique {ogr} incohérent avec {}", f[1]),
            ));
        }
        let label = f[2].trim();
        if label.is_empty() {
            return Err(asset_err(F, line, "libellé vide"));
        }
        let short = if f[3].trim().is_empty() {
            label
        } else {
            f[3].trim()
        };
        let mut br: Vec<String> = Vec::new();
        for b in f[4].split(',').map(str::trim).filter(|b| !b.is_empty()) {
            if b == "ALL" {
                br = all.clone();
                break;
            }
            if branches.by_short(b).is_none() {
                return Err(asset_err(F, line, format!("branche inconnue « {b} »")));
            }
            if !br.iter().any(|x| x == b) {
                br.push(b.to_string());
            }
        }
        out.push(Appellation {
            ogr,
            rome: f[1].to_string(),
            label: label.to_string(),
            short_label: short.to_string(),
            branches: br,
        });
    }
    Ok(out)
}

fn parse_passerelles(text: &str, fiches: &[RomeFiche]) -> Result<Vec<Passerelle>, CatalogError> {
    const F: &str = "passerelles.tsv";
    let mut out: Vec<Passerelle> = Vec::new();
    for (line, f) in tsv_rows(F, text, &["from", "to", "note"])? {
        for code in &f[..2] {
            if fiche_position(fiches, code).is_none() {
                return Err(asset_err(
                    F,
                    line,
                    format!("fiche ROME inconnue « {code} »"),
                ));
            }
        }
        if f[0] == f[1] {
            return Err(asset_err(F, line, "passerelle d'une fiche vers elle-même"));
        }
        if out.iter().any(|p| p.from == f[0] && p.to == f[1]) {
            return Err(asset_err(
                F,
                line,
                format!("passerelle en double {} → {}", f[0], f[1]),
            ));
        }
        if f[2].trim().is_empty() {
            return Err(asset_err(F, line, "note vide"));
        }
        out.push(Passerelle {
            from: f[0].to_string(),
            to: f[1].to_string(),
            note: f[2].trim().to_string(),
        });
    }
    Ok(out)
}

fn parse_sigles(text: &str) -> Result<Vec<Sigle>, CatalogError> {
    const F: &str = "sigles.tsv";
    let mut out: Vec<Sigle> = Vec::new();
    for (line, f) in tsv_rows(F, text, &["sigle", "expansion"])? {
        let s = Sigle::new(f[0], f[1]);
        if s.sigle.chars().count() < 2 || s.words.is_empty() {
            return Err(asset_err(F, line, "sigle ou développement vide"));
        }
        out.push(s);
    }
    Ok(out)
}

/// Sorts fiches by code, the order [`fiche_position`] searches (a no-op
/// on the already sorted fiches of a snapshot).
fn sort_by_code(fiches: &mut [RomeFiche]) {
    if !fiches.is_sorted_by(|a, b| a.code <= b.code) {
        fiches.sort_by(|a, b| a.code.cmp(&b.code));
    }
}

/// Position of the fiche `code` in `fiches` (sorted by code): a binary
/// search, where a hash map cost a tenth of reading a 100 000-appellation
/// catalogue.
fn fiche_position(fiches: &[RomeFiche], code: &str) -> Option<usize> {
    fiches.binary_search_by(|f| f.code.as_str().cmp(code)).ok()
}

impl Catalog {
    /// The catalogue shipped in the binary: decoded from its embedded
    /// snapshot (a few milliseconds), or parsed and indexed from the assets
    /// ([`Catalog::from_assets`]) should the snapshot not match them.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        match snapshot::decode(snapshot::EMBEDDED, snapshot::assets_fingerprint()) {
            Some(parts) => Ok(Catalog::from_parts(parts)),
            None => {
                tracing::warn!("catalogue snapshot stale or unreadable: rebuilt from the assets");
                Catalog::from_assets()
            }
        }
    }

    /// The shipped catalogue parsed and indexed from the assets (what the
    /// embedded snapshot was made from).
    pub fn from_assets() -> Result<Catalog, CatalogError> {
        let info: CatalogInfo = toml::from_str(CATALOGUE_TOML)
            .map_err(|e| asset_err("catalogue.toml", 0, e.to_string()))?;
        let branches = parse_branches(BRANCHES_TOML)?;
        let mut fiches = parse_fiches(FICHES_TSV)?;
        sort_by_code(&mut fiches);
        let appellations = parse_appellations(APPELLATIONS_TSV, &fiches, &branches)?;
        let passerelles = parse_passerelles(PASSERELLES_TSV, &fiches)?;
        let sigles = parse_sigles(SIGLES_TSV)?;
        Ok(Catalog::assemble(
            info,
            fiches,
            appellations,
            branches,
            passerelles,
            sigles,
        ))
    }

    /// The shipped catalogue, loaded once per process and shared. Cheap
    /// after the first call; the first one decodes the embedded snapshot
    /// (≈ 10 ms in release), and may be made from a background thread
    /// (`std::thread::spawn(Catalog::builtin_shared)`) so that the first
    /// frame never waits for it: later callers block until it is ready.
    pub fn builtin_shared() -> Result<&'static Catalog, CatalogError> {
        Catalog::builtin_once()
            .as_ref()
            .map(|c| &**c)
            .map_err(Clone::clone)
    }

    /// The same shipped catalogue (parsed once), as a shared handle.
    pub fn builtin_arc() -> Result<std::sync::Arc<Catalog>, CatalogError> {
        Catalog::builtin_once().clone()
    }

    fn builtin_once() -> &'static Result<std::sync::Arc<Catalog>, CatalogError> {
        static BUILTIN: OnceLock<Result<std::sync::Arc<Catalog>, CatalogError>> = OnceLock::new();
        BUILTIN.get_or_init(|| Catalog::builtin().map(std::sync::Arc::new))
    }

    /// A catalogue from an imported (or stored) referential. Its fiches and
    /// appellations replace the shipped ones; the curated branch mapping (by
    /// OGR code), the branches and the passerelles come from `builtin`.
    /// Synthetic ROME 4.0 fiche-level rows of `builtin` are kept when the
    /// referential has no appellation under that ROME code. Duplicate OGR codes
    /// keep their first occurrence; rows with OGR `0` get their synthetic code
    /// ([`synthetic_ogr`]); fiches missing from `r.fiches` take the shipped
    /// label, or the code itself.
    pub fn from_referentiel(r: Referentiel, builtin: &Catalog) -> Catalog {
        let curated: HashMap<u32, &Vec<String>> = builtin
            .appellations
            .iter()
            .filter(|a| !a.branches.is_empty())
            .map(|a| (a.ogr, &a.branches))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let mut appellations: Vec<Appellation> = Vec::with_capacity(r.appellations.len() + 16);
        for mut a in r.appellations {
            if a.ogr == 0 {
                // Older convention for fiche-level rows: give them their synthetic code.
                match synthetic_ogr(&a.rome) {
                    Some(o) => a.ogr = o,
                    None => continue,
                }
            }
            if !seen.insert(a.ogr) || !is_rome_code(&a.rome) || a.label.trim().is_empty() {
                continue;
            }
            a.branches = match curated.get(&a.ogr) {
                Some(b) => (*b).clone(),
                None => a
                    .branches
                    .into_iter()
                    .filter(|s| builtin.branches.by_short(s).is_some())
                    .collect(),
            };
            if a.short_label.trim().is_empty() {
                a.short_label = a.label.clone();
            }
            appellations.push(a);
        }
        let codes: std::collections::HashSet<String> =
            appellations.iter().map(|a| a.rome.clone()).collect();
        for a in builtin
            .appellations
            .iter()
            .filter(|a| is_synthetic_ogr(a.ogr))
        {
            if !codes.contains(&a.rome) && seen.insert(a.ogr) {
                appellations.push(a.clone());
            }
        }
        let mut labels: HashMap<String, String> = HashMap::new();
        for f in &r.fiches {
            if is_rome_code(&f.code) && !f.label.trim().is_empty() {
                labels
                    .entry(f.code.clone())
                    .or_insert_with(|| f.label.clone());
            }
        }
        let mut fiche_codes: Vec<String> = appellations.iter().map(|a| a.rome.clone()).collect();
        fiche_codes.extend(labels.keys().cloned());
        fiche_codes.sort();
        fiche_codes.dedup();
        let fiches: Vec<RomeFiche> = fiche_codes
            .into_iter()
            .map(|code| {
                let label = labels
                    .get(&code)
                    .cloned()
                    .or_else(|| builtin.fiche(&code).map(|f| f.label.clone()))
                    .unwrap_or_else(|| code.clone());
                RomeFiche { code, label }
            })
            .collect();
        let have: std::collections::HashSet<&str> =
            fiches.iter().map(|f| f.code.as_str()).collect();
        let passerelles = builtin
            .passerelles
            .iter()
            .filter(|p| have.contains(p.from.as_str()) && have.contains(p.to.as_str()))
            .cloned()
            .collect();
        let mut info = builtin.info.clone();
        info.version = r.version.clone();
        info.short_version = r.version;
        info.source = format!("Référentiel importé. {}", builtin.info.source);
        info.imported = true;
        Catalog::assemble(
            info,
            fiches,
            appellations,
            builtin.branches.clone(),
            passerelles,
            builtin.sigles.clone(),
        )
    }

    /// The compact serialized form of this catalogue (data and search
    /// index) under `fingerprint`, see `snapshot.rs`.
    fn snapshot(&self, fingerprint: u64) -> Result<Vec<u8>, String> {
        snapshot::encode(&self.parts(), fingerprint)
    }

    fn parts(&self) -> snapshot::PartsRef<'_> {
        snapshot::PartsRef {
            info: &self.info,
            fiches: &self.fiches,
            appellations: &self.appellations,
            branches: &self.branches.list,
            passerelles: &self.passerelles,
            sigles: &self.sigles,
            index: &self.index,
        }
    }

    /// This (imported) catalogue's snapshot, to store next to its
    /// referential: [`Catalog::from_stored_snapshot`] reads it back instead of
    /// rebuilding the index.
    pub fn stored_snapshot(&self) -> Result<Vec<u8>, String> {
        self.snapshot(snapshot::stored_fingerprint())
    }

    /// [`Catalog::stored_snapshot`] written to `out` as it is made, never
    /// held whole in memory.
    pub fn write_stored_snapshot(&self, out: &mut impl std::io::Write) -> Result<(), String> {
        snapshot::encode_to(&self.parts(), snapshot::stored_fingerprint(), out)
    }

    /// The catalogue of a snapshot made by [`Catalog::stored_snapshot`] by
    /// this build of Passerelle; `None` when it is damaged or was made by
    /// another build or from other shipped assets: rebuild it then with
    /// [`Catalog::from_referentiel`].
    pub fn from_stored_snapshot(bytes: &[u8]) -> Option<Catalog> {
        snapshot::decode(bytes, snapshot::stored_fingerprint()).map(Catalog::from_parts)
    }

    fn from_parts(p: snapshot::Parts) -> Catalog {
        Catalog::finish(
            p.info,
            p.fiches,
            p.appellations,
            Branches { list: p.branches },
            p.passerelles,
            p.sigles,
            p.index,
        )
    }

    fn assemble(
        info: CatalogInfo,
        mut fiches: Vec<RomeFiche>,
        mut appellations: Vec<Appellation>,
        branches: Branches,
        passerelles: Vec<Passerelle>,
        sigles: Vec<Sigle>,
    ) -> Catalog {
        sort_by_code(&mut fiches);
        // Branches in one order everywhere: the order of `branches.toml`.
        let order = |s: &String| {
            branches
                .list
                .iter()
                .position(|b| &b.short == s)
                .unwrap_or(usize::MAX)
        };
        for a in &mut appellations {
            a.branches.sort_by_cached_key(order);
        }
        let bit: HashMap<&str, u32> = branches
            .list
            .iter()
            .enumerate()
            .map(|(i, b)| (b.short.as_str(), 1u32 << i))
            .collect();
        let index = Index::build(
            appellations.iter().map(|a| IndexInput {
                label: &a.label,
                rome_label: fiche_position(&fiches, &a.rome)
                    .map(|p| fiches[p].label.as_str())
                    .unwrap_or(""),
                code: &a.rome,
                branch_mask: a
                    .branches
                    .iter()
                    .filter_map(|b| bit.get(b.as_str()))
                    .fold(0, |m, b| m | b),
            }),
            &sigles,
        );
        Catalog::finish(
            info,
            fiches,
            appellations,
            branches,
            passerelles,
            sigles,
            index,
        )
    }

    /// The lookup tables of an assembled (or decoded) catalogue.
    fn finish(
        info: CatalogInfo,
        fiches: Vec<RomeFiche>,
        appellations: Vec<Appellation>,
        branches: Branches,
        passerelles: Vec<Passerelle>,
        sigles: Vec<Sigle>,
        index: Index,
    ) -> Catalog {
        let mut fiches = fiches;
        sort_by_code(&mut fiches);
        // Codes as integers for the 100 000 lookups below (a string
        // comparison each was most of this function's time).
        // Left-aligned and zero-padded: integer order is text order.
        let code_key = |c: &str| {
            let mut k = [0u8; 8];
            for (d, b) in k.iter_mut().zip(c.bytes()) {
                *d = b;
            }
            u64::from_be_bytes(k)
        };
        let keys: Vec<u64> = fiches.iter().map(|f| code_key(&f.code)).collect();
        let mut by_fiche = vec![Vec::new(); fiches.len()];
        for &i in index.alphabetical() {
            let rome = &appellations[i as usize].rome;
            // Codes are at most 8 bytes (`K1202`); a longer one is looked
            // up by its text.
            let p = if rome.len() <= 8 {
                keys.binary_search(&code_key(rome)).ok()
            } else {
                fiche_position(&fiches, rome)
            };
            if let Some(p) = p {
                by_fiche[p].push(i);
            }
        }
        // The first appellation of each OGR code, sorted by code.
        let mut by_ogr: Vec<(u32, u32)> = appellations
            .iter()
            .enumerate()
            .map(|(i, a)| (a.ogr, i as u32))
            .collect();
        by_ogr.sort_unstable();
        by_ogr.dedup_by_key(|e| e.0);
        Catalog {
            info,
            fiches,
            appellations,
            by_fiche,
            by_ogr,
            branches,
            passerelles,
            sigles,
            index,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn info(&self) -> &CatalogInfo {
        &self.info
    }

    /// Full version string (`ROME — référentiel France Travail, instantané du 2026-08-07`).
    pub fn version(&self) -> &str {
        &self.info.version
    }

    /// All fiches, sorted by code.
    pub fn fiches(&self) -> &[RomeFiche] {
        &self.fiches
    }

    /// All appellations; `Hit::idx` indexes this slice.
    pub fn appellations(&self) -> &[Appellation] {
        &self.appellations
    }

    pub fn appellation(&self, idx: usize) -> Option<&Appellation> {
        self.appellations.get(idx)
    }

    pub fn branches(&self) -> &Branches {
        &self.branches
    }

    pub fn passerelles(&self) -> &[Passerelle] {
        &self.passerelles
    }

    pub fn fiche(&self, code: &str) -> Option<&RomeFiche> {
        fiche_position(&self.fiches, code).map(|p| &self.fiches[p])
    }

    /// Index of the appellation with this OGR code.
    pub fn by_ogr(&self, ogr: u32) -> Option<usize> {
        self.by_ogr
            .binary_search_by_key(&ogr, |e| e.0)
            .ok()
            .map(|k| self.by_ogr[k].1 as usize)
    }

    /// Appellation indices of a fiche, alphabetically.
    pub fn appellations_of(&self, code: &str) -> &[u32] {
        fiche_position(&self.fiches, code)
            .map(|p| self.by_fiche[p].as_slice())
            .unwrap_or(&[])
    }

    /// Other fiches of the same family (letter + two digits), by code.
    pub fn related_fiches(&self, code: &str) -> Vec<&RomeFiche> {
        if !is_rome_code(code) {
            return Vec::new();
        }
        let fam = rome_family(code);
        self.fiches
            .iter()
            .filter(|f| f.code != code && rome_family(&f.code) == fam)
            .collect()
    }

    /// Curated passerelles leaving this fiche.
    pub fn passerelles_from(&self, code: &str) -> Vec<&Passerelle> {
        self.passerelles.iter().filter(|p| p.from == code).collect()
    }

    /// Curated passerelles arriving at this fiche.
    pub fn passerelles_to(&self, code: &str) -> Vec<&Passerelle> {
        self.passerelles.iter().filter(|p| p.to == code).collect()
    }

    /// Branches employing at least one appellation of the fiche, in display order.
    pub fn fiche_branches(&self, code: &str) -> Vec<&Branch> {
        let idx = self.appellations_of(code);
        self.branches
            .list
            .iter()
            .filter(|b| {
                idx.iter()
                    .any(|&i| self.appellations[i as usize].branches.contains(&b.short))
            })
            .collect()
    }

    /// Display text for a list of branch short ids: `toutes les branches` when
    /// it covers every branch, else display names joined by `, `.
    pub fn branches_label(&self, shorts: &[String]) -> String {
        if !self.branches.list.is_empty()
            && self.branches.list.iter().all(|b| shorts.contains(&b.short))
        {
            return "toutes les branches".to_string();
        }
        shorts
            .iter()
            .map(|s| {
                self.branches
                    .by_short(s)
                    .map(|b| b.display.as_str())
                    .unwrap_or(s.as_str())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The target-métier record for an appellation.
    pub fn target(&self, idx: usize) -> Option<TargetMetier> {
        self.appellations.get(idx).map(|a| TargetMetier {
            ogr: a.ogr,
            rome: a.rome.clone(),
            label: a.label.clone(),
        })
    }

    /// Finds a stored target again: by OGR code, else (OGR 0 / unknown) the
    /// appellation of the same fiche with the same label, else the fiche-level row.
    pub fn resolve_target(&self, t: &TargetMetier) -> Option<usize> {
        if let Some(i) = self.by_ogr(t.ogr) {
            return Some(i);
        }
        let of = self.appellations_of(&t.rome);
        of.iter()
            .map(|&i| i as usize)
            .find(|&i| self.appellations[i].label == t.label)
            .or_else(|| synthetic_ogr(&t.rome).and_then(|o| self.by_ogr(o)))
    }

    /// The referential (fiches + appellations) of this catalogue.
    pub fn referentiel(&self) -> Referentiel {
        Referentiel {
            version: self.info.version.clone(),
            fiches: self.fiches.clone(),
            appellations: self.appellations.clone(),
        }
    }

    fn branch_filter(&self, branch: Option<&str>) -> Result<Option<u32>, ()> {
        match branch {
            None => Ok(None),
            Some(key) => {
                let b = self.branches.resolve(key).ok_or(())?;
                let pos = self
                    .branches
                    .list
                    .iter()
                    .position(|x| x.short == b.short)
                    .ok_or(())?;
                Ok(Some(1 << pos))
            }
        }
    }

    /// Searches the appellations (see [`search`] for the rules). `branch` is a
    /// branch short id (or IDCC / display name); an unknown branch gives no hit.
    /// An empty query lists the (branch's) appellations alphabetically.
    pub fn search(&self, query: &str, branch: Option<&str>, limit: usize) -> Vec<Hit> {
        let Ok(filter) = self.branch_filter(branch) else {
            return Vec::new();
        };
        let q = Query::parse(query);
        self.index
            .run(&q, filter, None, limit, &mut Scratch::default())
            .hits
    }

    /// Char indices, in the original (accented) label of appellation `idx`, of
    /// the characters matched by `query`. Compute it only for displayed rows.
    pub fn highlight(&self, idx: usize, query: &str) -> Vec<usize> {
        match self.appellations.get(idx) {
            Some(a) => search::highlight_label(&a.label, query, &self.sigles),
            None => Vec::new(),
        }
    }

    /// Number of appellations in the search index.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }
}

/// Incremental search for the UI: when the new query extends the previous one
/// (same branch filter, same catalogue), only the previous candidates are
/// re-examined.
pub struct Searcher {
    limit: usize,
    state: Option<SearchState>,
    scratch: Scratch,
    hits: Vec<Hit>,
    total: usize,
    narrowed: bool,
}

struct SearchState {
    generation: u64,
    branch: Option<u32>,
    query: Query,
    mono: Vec<u32>,
    fuzzy_done: bool,
}

impl Default for Searcher {
    fn default() -> Self {
        Searcher::new(500)
    }
}

impl Searcher {
    /// `limit`: how many hits are kept (sorted) per query.
    pub fn new(limit: usize) -> Searcher {
        Searcher {
            limit,
            state: None,
            scratch: Scratch::default(),
            hits: Vec::new(),
            total: 0,
            narrowed: false,
        }
    }

    /// Runs `query` and returns the best hits (at most `limit`).
    pub fn update(&mut self, catalog: &Catalog, query: &str, branch: Option<&str>) -> &[Hit] {
        let Ok(filter) = catalog.branch_filter(branch) else {
            self.state = None;
            self.hits.clear();
            self.total = 0;
            return &self.hits;
        };
        let q = Query::parse(query);
        let prev = self.state.as_ref().filter(|s| {
            s.generation == catalog.generation && s.branch == filter && q.narrows(&s.query)
        });
        self.narrowed = prev.is_some();
        let out = catalog.index.run(
            &q,
            filter,
            prev.map(|s| (s.mono.as_slice(), s.fuzzy_done)),
            self.limit,
            &mut self.scratch,
        );
        self.hits = out.hits;
        self.total = out.total;
        if let Some(old) = self.state.take() {
            self.scratch.recycle(old.mono);
        }
        if !out.narrowable {
            return &self.hits;
        }
        self.state = Some(SearchState {
            generation: catalog.generation,
            branch: filter,
            query: q,
            mono: out.mono,
            fuzzy_done: out.fuzzy_done,
        });
        &self.hits
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// Number of matching appellations (may exceed `hits().len()`).
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether the last update narrowed from the previous hits.
    pub fn narrowed(&self) -> bool {
        self.narrowed
    }

    pub fn reset(&mut self) {
        self.state = None;
        self.hits.clear();
        self.total = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_after_a_precomputed_first_keystroke() {
        let c = Catalog::builtin_shared().unwrap();
        let mut s = Searcher::default();
        for typed in ["m", "ma", "mai", "mais", "maiso"] {
            let hits = s.update(c, typed, None).to_vec();
            assert_eq!(hits, c.search(typed, None, 500), "{typed}");
            assert_eq!(
                s.total(),
                c.search(typed, None, usize::MAX).len(),
                "{typed}"
            );
        }
        assert!(s.narrowed(), "maiso narrows from mais");
    }

    #[test]
    fn shipped_assets_parse() {
        let c = Catalog::builtin().expect("shipped assets must parse");
        assert_eq!(c.fiches().len(), 532 + 12);
        assert_eq!(c.appellations().len(), 11_118 + 12);
        assert_eq!(c.branches().list.len(), 15);
        assert!(c.passerelles().len() >= 30);
        assert!(c.version().contains("2026-08-07"));
        let eclat = c.branches().resolve("1031").unwrap();
        assert_eq!(eclat.display, "ÉCLAT");
        assert_eq!(c.branches().resolve("218").unwrap().short, "SECU");
        assert_eq!(c.branches().resolve("1588").unwrap().short, "OPH");
        assert_eq!(c.branches().resolve("3203").unwrap().short, "ECLAT");
        assert_eq!(c.branches().by_short("HORS").unwrap().idcc, "");
        // Every fiche has at least one appellation.
        for f in c.fiches() {
            assert!(!c.appellations_of(&f.code).is_empty(), "{}", f.code);
        }
    }

    #[test]
    fn curated_mapping_and_synthetic_codes() {
        let c = Catalog::builtin_shared().unwrap();
        let avs = c.by_ogr(synthetic_ogr("K1306").unwrap()).unwrap();
        assert_eq!(c.appellations()[avs].rome, "K1306");
        assert_eq!(c.appellations()[avs].branches, vec!["BAD".to_string()]);
        assert_eq!(synthetic_ogr("K1306"), Some(900_101_306));
        assert!(is_synthetic_ogr(900_101_306) && !is_synthetic_ogr(38_088));
        // 10984: Animateur / Animatrice d'activités sociales et de vie locale.
        // Branches in the order of branches.toml (the TSV says ECLAT,ALISFA,HLA,RQ,TSF).
        let i = c.by_ogr(10984).unwrap();
        assert_eq!(
            c.appellations()[i].branches.join(","),
            "ECLAT,ALISFA,RQ,HLA,TSF"
        );
        let order: Vec<&str> = c.branches().list.iter().map(|b| b.short.as_str()).collect();
        for a in c.appellations() {
            let pos: Vec<usize> = a
                .branches
                .iter()
                .map(|b| order.iter().position(|o| o == b).unwrap())
                .collect();
            assert!(pos.windows(2).all(|w| w[0] < w[1]), "{}", a.label);
        }
        // ALL rows are expanded to every branch.
        let all_rows: Vec<_> = c
            .appellations()
            .iter()
            .filter(|a| a.branches.len() == 15)
            .collect();
        assert_eq!(all_rows.len(), 23);
        assert_eq!(
            c.branches_label(&all_rows[0].branches),
            "toutes les branches"
        );
        assert_eq!(c.resolve_target(&c.target(avs).unwrap()), Some(avs));
        let old = TargetMetier {
            ogr: 0,
            rome: "K1306".into(),
            label: "x".into(),
        };
        assert_eq!(c.resolve_target(&old), Some(avs));
    }

    #[test]
    fn referentiel_round_trip_keeps_everything() {
        let c = Catalog::builtin_shared().unwrap();
        let mut r = c.referentiel();
        // A stored row using the old OGR-0 convention for a fiche-level row.
        let k = r
            .appellations
            .iter()
            .position(|a| a.rome == "K1307")
            .unwrap();
        r.appellations[k].ogr = 0;
        let again = Catalog::from_referentiel(r, c);
        assert_eq!(again.appellations().len(), c.appellations().len());
        assert_eq!(again.fiches(), c.fiches());
        assert_eq!(again.passerelles(), c.passerelles());
        let i = again.by_ogr(synthetic_ogr("K1307").unwrap()).unwrap();
        assert_eq!(again.appellations()[i].branches, vec!["ECLAT", "ALISFA"]);
        assert_eq!(again.search("tisf", None, 3), c.search("tisf", None, 3));
    }

    #[test]
    fn lookups() {
        let c = Catalog::builtin_shared().unwrap();
        assert_eq!(
            c.fiche("K1202").unwrap().label,
            "Éducation de jeunes enfants"
        );
        let rel: Vec<_> = c
            .related_fiches("K1202")
            .iter()
            .map(|f| f.code.clone())
            .collect();
        assert!(rel.contains(&"K1201".to_string()) && rel.contains(&"K1207".to_string()));
        assert!(!rel.contains(&"K1202".to_string()) && !rel.iter().any(|r| !r.starts_with("K12")));
        assert!(c.passerelles_from("K1302").iter().any(|p| p.to == "J1501"));
        assert!(c.passerelles_to("K1202").iter().any(|p| p.from == "J1304"));
        let br: Vec<_> = c
            .fiche_branches("K1202")
            .iter()
            .map(|b| b.short.as_str())
            .collect();
        assert!(br.contains(&"ALISFA"));
        // Alphabetical appellations of a fiche.
        let of = c.appellations_of("K2501");
        assert!(of.len() > 5);
        let keys: Vec<String> = of
            .iter()
            .map(|&i| fold::normalized(&c.appellations()[i as usize].label))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]));
        assert!(c.fiche("Z9999").is_none() && c.appellations_of("Z9999").is_empty());
    }

    #[test]
    fn every_sigle_finds_an_appellation() {
        let c = Catalog::builtin_shared().unwrap();
        for s in &c.sigles {
            assert!(
                c.index.sigle_count(&s.sigle) > 0,
                "sigle {} : aucun libellé ne contient {:?}",
                s.sigle,
                s.words
            );
            let hits = c.search(&s.sigle, None, 3);
            assert!(!hits.is_empty(), "sigle {}", s.sigle);
            let top = &c.appellations()[hits[0].idx];
            let h = c.highlight(hits[0].idx, &s.sigle);
            assert!(!h.is_empty(), "sigle {} → {}", s.sigle, top.label);
        }
        assert!(parse_sigles("sigle\texpansion\nX\tde la\n").is_err());
    }

    #[test]
    fn bad_assets_are_errors_not_panics() {
        assert!(parse_fiches("code\tlabel\nK12\tx\n").is_err());
        assert!(parse_fiches("wrong\theader\n").is_err());
        let br = parse_branches(BRANCHES_TOML).unwrap();
        let pos = parse_fiches("code\tlabel\nK1202\tÉducation de jeunes enfants\n").unwrap();
        let h = "ogr\trome\tlabel\tshort_label\tbranches\n";
        assert!(parse_appellations(&format!("{h}1\tK1202\tA\t\tNOPE\n"), &pos, &br).is_err());
        assert!(
            parse_appellations(&format!("{h}1\tK1202\tA\t\t\n1\tK1202\tB\t\t\n"), &pos, &br)
                .is_err()
        );
        assert!(parse_appellations(&format!("{h}x\tK1202\tA\t\t\n"), &pos, &br).is_err());
        let ok = parse_appellations(&format!("{h}1\tK1202\tA\t\tALL\n"), &pos, &br).unwrap();
        assert_eq!(ok[0].branches.len(), 15);
        assert_eq!(ok[0].short_label, "A");
        assert!(parse_passerelles("from\tto\tnote\nK1202\tK9999\tx\n", &pos).is_err());
        assert!(parse_branches("[[branche]]\nshort = \"X\"\n").is_err());
    }
}
