//! Bulk creation of beneficiary files from a CSV file.
//!
//! Expected header (French, any order, case and accents ignored, optional
//! columns may be missing):
//!
//! `nom;prenom;email;telephone;code_postal;idcc;employeur;contrat;anciennete_mois;niveau;solde_cpf`
//!
//! plus, optionally, `date_naissance` (needed to spot namesakes that are the
//! same person), `commune` and `siret`. `nom` and `prenom` are required.
//!
//! Every value goes through the same validators as the form
//! ([`crate::domain::rules`]); the branch is looked up by IDCC (or short
//! name). A line with an invalid value is rejected with its line number and
//! a French reason; it never stops the other lines. A line that matches an
//! existing file (or an earlier line of the file) — same last and first names
//! (case and accents ignored) and same birth date, or same e-mail — is
//! reported as a duplicate and not created.

use super::{fold, short_id, IdSource};
use crate::csvfile::{self, CsvError, Record, Table};
use crate::domain::rules;
use crate::domain::{Beneficiary, Birth, Branches, ContractType, Id, Meta};
use crate::store::{AnyRecord, Bulk, BulkError, Store, StoreError, Write};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::collections::HashMap;
use std::fmt;

/// The columns Passerelle knows, in the documented order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Nom,
    Prenom,
    Email,
    Telephone,
    CodePostal,
    Idcc,
    Employeur,
    Contrat,
    AncienneteMois,
    AncienneteTotaleMois,
    Niveau,
    SoldeCpf,
    DateNaissance,
    Commune,
    Siret,
}

impl Column {
    pub const ALL: [Column; 15] = [
        Column::Nom,
        Column::Prenom,
        Column::Email,
        Column::Telephone,
        Column::CodePostal,
        Column::Idcc,
        Column::Employeur,
        Column::Contrat,
        Column::AncienneteMois,
        Column::AncienneteTotaleMois,
        Column::Niveau,
        Column::SoldeCpf,
        Column::DateNaissance,
        Column::Commune,
        Column::Siret,
    ];

    /// Canonical header name.
    pub fn name(self) -> &'static str {
        match self {
            Column::Nom => "nom",
            Column::Prenom => "prenom",
            Column::Email => "email",
            Column::Telephone => "telephone",
            Column::CodePostal => "code_postal",
            Column::Idcc => "idcc",
            Column::Employeur => "employeur",
            Column::Contrat => "contrat",
            Column::AncienneteMois => "anciennete_mois",
            Column::AncienneteTotaleMois => "anciennete_totale_mois",
            Column::Niveau => "niveau",
            Column::SoldeCpf => "solde_cpf",
            Column::DateNaissance => "date_naissance",
            Column::Commune => "commune",
            Column::Siret => "siret",
        }
    }

    /// Accepted spellings, already folded (see [`fold`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Nom => &["nom", "nom de famille"],
            Column::Prenom => &["prenom"],
            Column::Email => &["email", "e mail", "mail", "courriel", "adresse e mail"],
            Column::Telephone => &["telephone", "tel", "portable"],
            Column::CodePostal => &["code postal", "cp"],
            Column::Idcc => &["idcc", "branche"],
            Column::Employeur => &["employeur", "structure"],
            Column::Contrat => &["contrat", "type contrat", "type de contrat"],
            Column::AncienneteMois => &[
                "anciennete mois",
                "anciennete",
                "anciennete en mois",
                "anciennete entreprise mois",
            ],
            Column::AncienneteTotaleMois => &[
                "anciennete totale mois",
                "anciennete totale",
                "anciennete salariee totale mois",
            ],
            Column::Niveau => &["niveau", "niveau qualification", "niveau de qualification"],
            Column::SoldeCpf => &["solde cpf", "cpf", "solde cpf euros"],
            Column::DateNaissance => &[
                "date naissance",
                "date de naissance",
                "naissance",
                "annee naissance",
                "annee de naissance",
            ],
            Column::Commune => &["commune", "ville"],
            Column::Siret => &["siret", "siret employeur"],
        }
    }

    /// The column a header cell names, if any.
    pub fn from_header(cell: &str) -> Option<Column> {
        let f = fold(cell);
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&f.as_str()))
    }
}

/// The header line every import expects (what the help and errors show).
pub const EXPECTED_HEADER: &str =
    "nom;prenom;email;telephone;code_postal;idcc;employeur;contrat;anciennete_mois;niveau;solde_cpf";

/// What the import needs besides the file.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions<'a> {
    pub branches: &'a Branches,
    /// Creation time of the records.
    pub now: DateTime<Utc>,
    /// Today (local), to check birth dates.
    pub today: NaiveDate,
    /// Advisor recorded as author.
    pub advisor: &'a str,
}

/// Outcome of an import. Line numbers are those of the file (header = 1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Files created.
    pub created: Vec<(usize, Id)>,
    /// Lines not imported because a value is invalid (French reason).
    pub rejected: Vec<(usize, String)>,
    /// Lines not imported because the person already has a file.
    pub duplicates: Vec<(usize, String)>,
    /// Header cells that are not known columns (their values are ignored).
    pub ignored_columns: Vec<String>,
    /// Data lines read (blank lines excluded).
    pub lines: usize,
}

/// Why the import could not run (the file as a whole), or stopped.
#[derive(Debug)]
pub enum ImportError {
    /// Undecodable or malformed file.
    Csv(CsvError),
    /// The header does not name the required columns (French message).
    Header(String),
    /// A save failed: the import stopped at `line`; `report` says what was
    /// done before.
    Store {
        line: usize,
        source: StoreError,
        report: Box<ImportReport>,
    },
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Csv(e) => write!(f, "{e}"),
            ImportError::Header(m) => write!(f, "{m}"),
            ImportError::Store { line, source, .. } => {
                write!(f, "import interrompu à la ligne {line} : {source}")
            }
        }
    }
}

impl std::error::Error for ImportError {}

impl From<CsvError> for ImportError {
    fn from(e: CsvError) -> ImportError {
        ImportError::Csv(e)
    }
}

/// Maps the header cells to columns.
#[derive(Clone, Debug)]
pub struct HeaderMap {
    /// Column → index in the record.
    index: HashMap<Column, usize>,
    width: usize,
    names: Vec<String>,
    pub ignored: Vec<String>,
}

impl HeaderMap {
    pub fn new(header: &[String], header_line: usize) -> Result<HeaderMap, ImportError> {
        let mut index = HashMap::new();
        let mut ignored = Vec::new();
        for (i, cell) in header.iter().enumerate() {
            if cell.trim().is_empty() {
                continue;
            }
            match Column::from_header(cell) {
                Some(c) => {
                    if index.insert(c, i).is_some() {
                        return Err(ImportError::Header(format!(
                            "ligne {header_line} : en-tête invalide : la colonne « {} » \
                             apparaît deux fois",
                            c.name()
                        )));
                    }
                }
                None => ignored.push(cell.trim().to_string()),
            }
        }
        let missing: Vec<&str> = [Column::Nom, Column::Prenom]
            .into_iter()
            .filter(|c| !index.contains_key(c))
            .map(Column::name)
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::Header(format!(
                "ligne {header_line} : en-tête invalide : colonne{} « {} » absente{} \
                 (en-tête attendu : {EXPECTED_HEADER})",
                if missing.len() > 1 { "s" } else { "" },
                missing.join(" », « "),
                if missing.len() > 1 { "s" } else { "" },
            )));
        }
        Ok(HeaderMap {
            index,
            width: header.len(),
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            ignored,
        })
    }

    /// The header cell of column `i` (for messages).
    fn header_name(&self, i: usize) -> &str {
        self.names.get(i).map(String::as_str).unwrap_or("?")
    }

    /// The trimmed value of a column ("" when the column or value is missing).
    fn get<'r>(&self, r: &'r Record, c: Column) -> &'r str {
        self.index
            .get(&c)
            .and_then(|&i| r.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// Parses a contract type as advisors write it.
pub fn parse_contract(s: &str) -> Result<Option<ContractType>, String> {
    let f = fold(s);
    if f.is_empty() {
        return Ok(None);
    }
    let c = match f.as_str() {
        "cdi" => ContractType::Cdi,
        "cdd" => ContractType::Cdd,
        "interim" | "ctt" => ContractType::Interim,
        "aide" | "contrat aide" | "cddi" | "contrat aide cddi" | "cui" | "pec" => {
            ContractType::Aide
        }
        "autre" => ContractType::Autre,
        _ => {
            return Err(format!(
                "contrat inconnu : « {} » (CDI, CDD, intérim, contrat aidé / CDDI ou autre)",
                s.trim()
            ))
        }
    };
    Ok(Some(c))
}

const EMPLOYER_MAX: usize = 120;
const COMMUNE_MAX: usize = 80;

/// Validates one line into a new (not yet saved) file. `Err` holds every
/// problem of the line, joined by « ; ».
pub fn beneficiary_from_record(
    h: &HeaderMap,
    r: &Record,
    opts: &ImportOptions,
    id: Id,
) -> Result<Beneficiary, String> {
    let mut errors: Vec<String> = Vec::new();
    // As many values as columns (empty trailing cells that spreadsheets
    // add are tolerated): fewer or more is a rejected line.
    let extra = r
        .fields
        .iter()
        .skip(h.width)
        .filter(|f| !f.trim().is_empty())
        .count();
    if extra > 0 {
        return Err(format!(
            "{} valeurs pour {} colonnes : une valeur contient-elle le séparateur ? \
             Mettez-la entre guillemets",
            h.width + extra,
            h.width
        ));
    }
    if r.fields.len() < h.width {
        return Err(format!(
            "{} valeur{} pour {} colonnes : la ligne est incomplète",
            r.fields.len(),
            if r.fields.len() > 1 { "s" } else { "" },
            h.width
        ));
    }
    // No control or invisible formatting characters in any value.
    for (i, f) in r.fields.iter().enumerate().take(h.width) {
        if let Some(c) = f.chars().find(|c| rules::is_forbidden_char(*c)) {
            return Err(format!(
                "caractère de contrôle ou invisible (U+{:04X}) dans la colonne « {} »",
                c as u32,
                h.header_name(i)
            ));
        }
    }
    let mut check = |res: Result<(), String>| {
        if let Err(e) = res {
            errors.push(e);
        }
    };
    let mut b = Beneficiary::new(id, "", "", Meta::new(opts.now, opts.advisor));
    check(rules::name(h.get(r, Column::Nom), "Nom").map(|v| b.last_name = v));
    check(rules::name(h.get(r, Column::Prenom), "Prénom").map(|v| b.first_name = v));
    check(rules::birth(h.get(r, Column::DateNaissance), opts.today).map(|v| b.birth = v));
    check(rules::email(h.get(r, Column::Email)).map(|v| b.email = v));
    check(rules::phone(h.get(r, Column::Telephone)).map(|v| b.phone = v));
    check(rules::postcode(h.get(r, Column::CodePostal)).map(|v| b.postcode = v));
    let commune = h.get(r, Column::Commune);
    if commune.chars().count() > COMMUNE_MAX {
        check(Err(format!(
            "commune trop longue ({COMMUNE_MAX} caractères au plus)"
        )));
    } else if !commune.is_empty() {
        b.commune = Some(commune.to_string());
    }
    let idcc = h.get(r, Column::Idcc);
    if !idcc.is_empty() {
        match opts.branches.resolve(idcc) {
            Some(br) => b.branch = Some(br.short.clone()),
            None => check(Err(format!(
                "IDCC inconnu : « {idcc} » (aucune branche de la cohésion sociale \
                 ne porte cet IDCC)"
            ))),
        }
    }
    let employer = h.get(r, Column::Employeur);
    if employer.chars().count() > EMPLOYER_MAX {
        check(Err(format!(
            "nom de l'employeur trop long ({EMPLOYER_MAX} caractères au plus)"
        )));
    } else {
        b.employer.name = employer.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    check(rules::siret(h.get(r, Column::Siret)).map(|v| b.employer.siret = v));
    check(parse_contract(h.get(r, Column::Contrat)).map(|v| b.contract = v));
    check(
        rules::months(h.get(r, Column::AncienneteMois))
            .map(|v| b.seniority_company_months = v)
            .map_err(|e| format!("ancienneté : {e}")),
    );
    check(
        rules::months(h.get(r, Column::AncienneteTotaleMois))
            .map(|v| b.seniority_total_months = v)
            .map_err(|e| format!("ancienneté totale : {e}")),
    );
    if let (Some(company), Some(total)) = (b.seniority_company_months, b.seniority_total_months) {
        if company > total {
            check(Err(format!(
                "ancienneté dans l'entreprise ({company} mois) supérieure à l'ancienneté \
                 totale ({total} mois)"
            )));
        }
    }
    check(rules::qualification_level(h.get(r, Column::Niveau)).map(|v| b.qualification_level = v));
    check(rules::cpf_balance(h.get(r, Column::SoldeCpf)).map(|v| b.cpf_balance = v));
    if errors.is_empty() {
        Ok(b)
    } else {
        Err(errors.join(" ; "))
    }
}

/// Where an earlier occurrence of a person was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Store(Id),
    Line(usize),
}

/// Index of known people for duplicate detection.
#[derive(Default)]
pub struct DuplicateIndex {
    by_email: HashMap<String, Origin>,
    by_name: HashMap<String, Vec<(Birth, Origin)>>,
}

fn name_key(b: &Beneficiary) -> String {
    format!("{}|{}", fold(&b.last_name), fold(&b.first_name))
}

/// Two births are the same when equal, or when one is only a year and the
/// other falls in that year.
fn same_birth(a: Birth, b: Birth) -> bool {
    match (a, b) {
        (Birth::Year(y), Birth::Date(d)) | (Birth::Date(d), Birth::Year(y)) => d.year() == y,
        _ => a == b,
    }
}

impl DuplicateIndex {
    /// An index of the files already in the store.
    pub fn of(existing: &[Beneficiary]) -> DuplicateIndex {
        let mut ix = DuplicateIndex::default();
        for b in existing {
            ix.add(b, Origin::Store(b.id));
        }
        ix
    }

    fn add(&mut self, b: &Beneficiary, o: Origin) {
        if let Some(e) = &b.email {
            self.by_email.entry(e.to_lowercase()).or_insert(o);
        }
        if let Some(birth) = b.birth {
            self.by_name
                .entry(name_key(b))
                .or_default()
                .push((birth, o));
        }
    }

    /// The reason `b` is a duplicate, if it is one.
    fn find(&self, b: &Beneficiary) -> Option<String> {
        let describe = |o: Origin, why: &str| match o {
            Origin::Store(id) => format!("déjà enregistré (dossier {}) : {why}", short_id(id)),
            Origin::Line(l) => format!("doublon de la ligne {l} : {why}"),
        };
        if let Some(o) = b
            .email
            .as_ref()
            .and_then(|e| self.by_email.get(&e.to_lowercase()))
        {
            return Some(describe(*o, "même adresse e-mail"));
        }
        let birth = b.birth?;
        self.by_name.get(&name_key(b)).and_then(|v| {
            v.iter()
                .find(|(other, _)| same_birth(birth, *other))
                .map(|(_, o)| describe(*o, "mêmes nom, prénom et date de naissance"))
        })
    }
}

/// What one line of the file becomes.
enum Verdict {
    New(Box<Beneficiary>),
    Rejected(String),
    Duplicate(String),
}

/// Checks lines one after the other: their values, then whether the person
/// already has a file (in the store or on an earlier line).
struct Checker<'o> {
    header: HeaderMap,
    dup: DuplicateIndex,
    opts: &'o ImportOptions<'o>,
}

impl Checker<'_> {
    fn check(&mut self, r: &Record, id: Id) -> Verdict {
        match beneficiary_from_record(&self.header, r, self.opts, id) {
            Err(reason) => Verdict::Rejected(reason),
            Ok(b) => match self.dup.find(&b) {
                Some(reason) => Verdict::Duplicate(reason),
                None => {
                    self.dup.add(&b, Origin::Line(r.line));
                    Verdict::New(Box::new(b))
                }
            },
        }
    }
}

/// The pure part of an import: what to create, what to reject, what is a
/// duplicate (of `existing` or of an earlier line). Nothing is saved.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// `(line, new file)`, in file order.
    pub new: Vec<(usize, Beneficiary)>,
    pub rejected: Vec<(usize, String)>,
    pub duplicates: Vec<(usize, String)>,
    pub ignored_columns: Vec<String>,
    pub lines: usize,
}

/// Validates every line of a parsed table against `existing` files.
pub fn prepare(
    table: &Table,
    existing: &[Beneficiary],
    opts: &ImportOptions,
    ids: &mut dyn IdSource,
) -> Result<Prepared, ImportError> {
    let header = HeaderMap::new(&table.header, table.header_line)?;
    let mut out = Prepared {
        ignored_columns: header.ignored.clone(),
        lines: table.records.len(),
        ..Prepared::default()
    };
    let mut checker = Checker {
        header,
        dup: DuplicateIndex::of(existing),
        opts,
    };
    for r in &table.records {
        match checker.check(r, ids.next_id(opts.now)) {
            Verdict::Rejected(reason) => out.rejected.push((r.line, reason)),
            Verdict::Duplicate(reason) => out.duplicates.push((r.line, reason)),
            Verdict::New(b) => out.new.push((r.line, *b)),
        }
    }
    Ok(out)
}

/// Files written per transaction, and flushed together.
pub const BATCH: usize = 500;

/// An import validated against the store, nothing written yet (see
/// [`plan_csv`]): the report of the rejected lines and duplicates, and
/// the lines to create (the files themselves are built again, a batch at
/// a time, when they are written).
#[derive(Clone, Debug)]
pub struct Planned {
    /// The report so far (`created` is empty).
    pub report: ImportReport,
    /// Lines of the file whose files are to be created, in file order.
    lines: Vec<usize>,
    header_line: usize,
}

impl Planned {
    /// Number of files to create.
    pub fn to_create(&self) -> usize {
        self.lines.len()
    }
}

/// The header of a CSV text and its records, one at a time.
fn read(bytes: &[u8]) -> Result<(HeaderMap, csvfile::Reader<'_>), ImportError> {
    let reader = csvfile::Reader::new(csvfile::decode(bytes)?)?;
    let header = HeaderMap::new(&reader.header, reader.header_line)?;
    Ok((header, reader))
}

/// Reads and validates a CSV file against the files in `store`, one line
/// at a time (neither the lines nor the files are kept); writes nothing. A
/// refused file (undecodable, bad header, unclosed quote anywhere) is an
/// error.
pub fn plan_csv(store: &Store, bytes: &[u8], opts: &ImportOptions) -> Result<Planned, ImportError> {
    let (header, mut reader) = read(bytes)?;
    let header_line = reader.header_line;
    let mut dup = DuplicateIndex::default();
    store
        .each_beneficiary(|b| dup.add(&b, Origin::Store(b.id)))
        .map_err(|source| ImportError::Store {
            line: header_line,
            source,
            report: Box::default(),
        })?;
    let mut report = ImportReport {
        ignored_columns: header.ignored.clone(),
        ..ImportReport::default()
    };
    let mut checker = Checker { header, dup, opts };
    let mut lines = Vec::new();
    // The id is given when the file is written.
    let unsaved = Id([0; 16]);
    while let Some(r) = reader.next_record()? {
        report.lines += 1;
        match checker.check(&r, unsaved) {
            Verdict::Rejected(reason) => report.rejected.push((r.line, reason)),
            Verdict::Duplicate(reason) => report.duplicates.push((r.line, reason)),
            Verdict::New(_) => lines.push(r.line),
        }
    }
    Ok(Planned {
        report,
        lines,
        header_line,
    })
}

/// Writes a planned import: the file is read again and the planned lines
/// become files, [`BATCH`] per transaction, each batch flushed. On a write
/// failure (disk full…) the error carries the report of what is durable:
/// `report.created` lists only files a successful flush covered.
pub fn write_planned(
    store: &Store,
    bytes: &[u8],
    planned: Planned,
    opts: &ImportOptions,
    ids: &mut dyn IdSource,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let Planned {
        mut report,
        lines,
        header_line,
    } = planned;
    let total = lines.len();
    progress(0, total);
    let (header, mut reader) = read(bytes)?;
    let mut bulk = Bulk::new(store, BATCH);
    let mut written: Vec<(usize, Id)> = Vec::with_capacity(total);
    let mut batch: Vec<Write> = Vec::with_capacity(BATCH);
    let mut batch_lines: Vec<(usize, Id)> = Vec::with_capacity(BATCH);
    let mut planned_lines = lines.iter().copied().peekable();
    let stopped = |e: BulkError, line: usize, written: &[(usize, Id)], mut report: ImportReport| {
        report.created = written[..e.durable.min(written.len())].to_vec();
        ImportError::Store {
            line,
            source: e.source,
            report: Box::new(report),
        }
    };
    while let Some(r) = reader.next_record()? {
        // An id is drawn for every line, as `prepare` does.
        let id = ids.next_id(opts.now);
        if planned_lines.peek() != Some(&r.line) {
            continue;
        }
        planned_lines.next();
        // Checked by `plan_csv`: the same line gives the same file.
        match beneficiary_from_record(&header, &r, opts, id) {
            Ok(b) => {
                batch_lines.push((r.line, b.id));
                batch.push(Write::Put(AnyRecord::from(b)));
                progress(written.len() + batch_lines.len(), total);
            }
            Err(reason) => report.rejected.push((r.line, reason)),
        }
        if batch.len() == BATCH || planned_lines.peek().is_none() {
            let units = batch.len();
            if let Err(e) = bulk.write_units(&batch, units, "") {
                // The batch is one transaction: none of it is kept.
                let first = batch_lines.first().map_or(r.line, |l| l.0);
                return Err(stopped(e, first, &written, report));
            }
            written.append(&mut batch_lines);
            batch.clear();
        }
    }
    let last = written.last().map(|w| w.0).unwrap_or(header_line);
    match bulk.finish() {
        Ok(n) => {
            report.created = written[..n.min(written.len())].to_vec();
            Ok(report)
        }
        Err(e) => Err(stopped(e, last, &written, report)),
    }
}

/// Imports a CSV file: [`plan_csv`] (nothing is written for a refused
/// file), then [`write_planned`].
pub fn import_csv(
    store: &Store,
    bytes: &[u8],
    opts: &ImportOptions,
    ids: &mut dyn IdSource,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ImportReport, ImportError> {
    let planned = plan_csv(store, bytes, opts)?;
    write_planned(store, bytes, planned, opts, ids, progress)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Branch;
    use crate::transfer::SequentialIds;

    fn branches() -> Branches {
        Branches {
            list: vec![Branch {
                short: "ALISFA".into(),
                display: "ALISFA".into(),
                name: "Acteurs du lien social et familial".into(),
                idcc: "1261".into(),
                alias_idcc: vec![],
                employers: String::new(),
            }],
        }
    }

    fn run(text: &str) -> Prepared {
        let br = branches();
        let opts = ImportOptions {
            branches: &br,
            now: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            today: NaiveDate::from_ymd_opt(2026, 5, 28).unwrap(),
            advisor: "Camille",
        };
        let t = csvfile::parse(text.as_bytes()).unwrap();
        prepare(&t, &[], &opts, &mut SequentialIds::default()).unwrap()
    }

    #[test]
    fn header_is_flexible_but_needs_names() {
        assert_eq!(Column::from_header(" Prénom "), Some(Column::Prenom));
        assert_eq!(Column::from_header("E-mail"), Some(Column::Email));
        assert_eq!(
            Column::from_header("Ancienneté (mois)"),
            Some(Column::AncienneteMois)
        );
        assert_eq!(Column::from_header("Code postal"), Some(Column::CodePostal));
        assert_eq!(Column::from_header("IDCC"), Some(Column::Idcc));
        let e = HeaderMap::new(&["nom".into(), "email".into()], 1).unwrap_err();
        assert!(e.to_string().contains("« prenom » absente"), "{e}");
        let e = HeaderMap::new(&["nom".into(), "prenom".into(), "Nom".into()], 1).unwrap_err();
        assert!(e.to_string().contains("deux fois"), "{e}");
    }

    #[test]
    fn values_are_validated_and_typed() {
        let p = run("prenom;nom;idcc;contrat;solde_cpf;niveau;telephone\n\
                     Léa;Dupont;1261;Intérim;1 200,50;5;0612345678\n\
                     Jo;Martin;9999;CDD;;;\n\
                     Ana;Ruiz;;contrat aidé;;;\n");
        assert_eq!(p.new.len(), 2);
        let b = &p.new[0].1;
        assert_eq!(b.branch.as_deref(), Some("ALISFA"));
        assert_eq!(b.contract, Some(ContractType::Interim));
        assert_eq!(b.cpf_balance, Some(crate::domain::Cents(120_050)));
        assert_eq!(b.phone.as_deref(), Some("06 12 34 56 78"));
        assert_eq!(b.meta.advisor, "Camille");
        assert_eq!(p.new[1].1.contract, Some(ContractType::Aide));
        assert_eq!(p.rejected.len(), 1);
        assert_eq!(p.rejected[0].0, 3);
        assert!(p.rejected[0].1.contains("IDCC inconnu"), "{:?}", p.rejected);
    }

    #[test]
    fn contracts() {
        for (s, c) in [
            ("CDI", ContractType::Cdi),
            ("interim", ContractType::Interim),
            ("Contrat aidé / CDDI", ContractType::Aide),
            ("CDDI", ContractType::Aide),
            ("Autre", ContractType::Autre),
        ] {
            assert_eq!(parse_contract(s), Ok(Some(c)), "{s}");
        }
        assert_eq!(parse_contract(" "), Ok(None));
        assert!(parse_contract("stage")
            .unwrap_err()
            .contains("contrat inconnu"));
    }

    #[test]
    fn birth_year_matches_a_date_of_that_year() {
        let p = run("nom;prenom;date_naissance\n\
                     Dupont;Léa;1984\n\
                     DUPONT;Lea;12/03/1984\n\
                     Dupont;Léa;1985\n");
        assert_eq!(p.new.len(), 2);
        assert_eq!(p.duplicates.len(), 1);
        assert_eq!(p.duplicates[0].0, 3);
        assert!(p.duplicates[0].1.contains("ligne 2"));
    }
}
