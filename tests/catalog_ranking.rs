//! Ranking of the métier search on the shipped catalogue: real advisor queries
//! (unaccented, misspelled, sigles) must put the expected ROME fiche in the top 3.
//! Every expected code was checked against assets/appellations.tsv.

use passerelle::catalog::fold::normalized;
use passerelle::catalog::{Catalog, Searcher};
use passerelle::domain::{Appellation, Referentiel, RomeFiche};

fn cat() -> &'static Catalog {
    Catalog::builtin_shared().expect("catalogue embarqué")
}

fn top_codes(c: &Catalog, q: &str, branch: Option<&str>, n: usize) -> Vec<String> {
    c.search(q, branch, n)
        .iter()
        .map(|h| c.appellations()[h.idx].rome.clone())
        .collect()
}

/// (query, expected ROME code in the top 3)
const CASES: &[(&str, &str)] = &[
    // Plain advisor queries, accents and capitals dropped.
    ("auxiliaire de vie", "K1302"),
    ("gardien d'immeuble", "K2501"),
    ("encadrant technique", "K1203"),
    ("educatrice jeunes enfants", "K1202"),
    ("conseiller insertion", "K1801"),
    ("aide a domicile", "K1304"),
    ("animateur periscolaire", "G1203"),
    ("mediateur social", "K1204"),
    ("agent de tri", "K2304"),
    ("assistante maternelle", "K1303"),
    ("gestionnaire locative", "C1502"),
    ("charge de clientele", "C1102"),
    ("teleconseiller", "D1408"),
    ("jardinier", "A1203"),
    ("maraicher", "A1414"),
    ("auxiliaire de puericulture", "J1304"),
    ("moniteur educateur", "K1207"),
    ("educateur specialise", "K1207"),
    ("aide soignant", "J1501"),
    ("correspondant de nuit", "K1204"),
    ("adulte relais", "K1204"),
    ("agent de developpement local", "K1802"),
    ("valoriste", "K2304"),
    ("garde peche", "A1204"),
    ("technicien de riviere", "A1204"),
    ("animateur nature", "G1202"),
    ("liquidateur", "C1109"),
    ("conseiller mutualiste", "C1102"),
    ("delegue assurance maladie", "K1402"),
    ("employe d'etage", "G1501"),
    ("receptionniste", "G1703"),
    ("veilleur de nuit", "G1703"),
    ("infirmier coordinateur", "J1506"),
    ("renovation energetique", "F1114"),
    ("assistant de service social", "K1201"),
    ("animateur petite enfance", "K1307"),
    ("assistante maternelle agreee", "K1310"),
    ("comptable", "M1203"),
    // Accents and capitals typed anyway.
    ("ÉDUCATEUR SPÉCIALISÉ", "K1207"),
    ("Médiateur social", "K1204"),
    // Sigles.
    ("TISF", "K1305"),
    ("CESF", "K1201"),
    ("EJE", "K1202"),
    ("CIP", "K1801"),
    ("AVS", "K1302"),
    ("AES", "K1302"),
    ("AMP", "K1301"),
    ("ATSEM", "K1303"),
    ("ME", "K1207"),
    // ROME code.
    ("K1202", "K1202"),
    ("k2501", "K2501"),
    // Typos.
    ("educatuer jeunes enfants", "K1202"),
    ("educatuer specialise", "K1207"),
    ("gardein d'imeuble", "K2501"),
    ("auxilliaire de vie", "K1302"),
    ("conseiler insertion", "K1801"),
    ("mediatuer social", "K1204"),
    ("jardiner", "A1203"),
    ("maraichere", "A1414"),
    ("teleconseillr", "D1408"),
    // Glued words and infixes (fuzzy tier).
    ("aidsoign", "J1501"),
    ("ericult", "J1304"),
];

#[test]
fn advisor_queries_rank_expected_fiche_in_top_3() {
    let c = cat();
    let mut failures = Vec::new();
    for (q, code) in CASES {
        let got = top_codes(c, q, None, 3);
        if !got.iter().any(|g| g == code) {
            failures.push(format!("« {q} » : attendu {code}, obtenu {got:?}"));
        }
    }
    assert!(CASES.len() >= 30);
    assert!(
        failures.is_empty(),
        "{} échec(s) :\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn exact_rome_code_puts_its_appellations_first() {
    let c = cat();
    let n = c.appellations_of("K1202").len();
    let codes = top_codes(c, "K1202", None, n + 5);
    assert!(codes[..n].iter().all(|x| x == "K1202"), "{codes:?}");
}

#[test]
fn first_hit_is_the_plain_title() {
    let c = cat();
    for (q, label) in [
        ("auxiliaire de vie", "Auxiliaire de vie"),
        ("gardien d'immeuble", "Gardien / Gardienne d'immeuble"),
        ("aide a domicile", "Aide à domicile"),
        (
            "educatrice jeunes enfants",
            "Éducateur / Éducatrice de jeunes enfants",
        ),
        ("gardein d'imeuble", "Gardien / Gardienne d'immeuble"),
    ] {
        let h = c.search(q, None, 1);
        assert_eq!(c.appellations()[h[0].idx].label, label, "« {q} »");
    }
}

#[test]
fn branch_filter_keeps_only_that_branch() {
    let c = cat();
    let hits = c.search("animateur", Some("BAD"), 1000);
    assert!(!hits.is_empty());
    for h in &hits {
        assert!(c.appellations()[h.idx].branches.iter().any(|b| b == "BAD"));
    }
    // Without filter there are many more animateurs.
    assert!(c.search("animateur", None, 1000).len() > hits.len() * 3);

    assert_eq!(top_codes(c, "gardien", Some("ESH"), 1), vec!["K2501"]);
    // Support jobs marked ALL belong to every branch, hors branche included.
    assert!(top_codes(c, "comptable", Some("ML"), 3).contains(&"M1203".to_string()));
    assert!(top_codes(c, "comptable", Some("HORS"), 3).contains(&"M1203".to_string()));
    // IDCC aliases resolve: 1031 Familles rurales → ÉCLAT.
    assert_eq!(
        c.search("animateur", Some("1031"), 1000),
        c.search("animateur", Some("ECLAT"), 1000)
    );
    // Case-insensitive short id.
    assert_eq!(
        c.search("tisf", Some("bad"), 5),
        c.search("tisf", Some("BAD"), 5)
    );
    // A curated métier outside the branch is filtered out.
    assert!(top_codes(c, "gardien d'immeuble", Some("BAD"), 50)
        .iter()
        .all(|x| x != "K2501"));
    // Unknown branch: no result rather than everything.
    assert!(c.search("animateur", Some("XYZ"), 10).is_empty());
}

#[test]
fn empty_query_lists_alphabetically() {
    let c = cat();
    let all = c.search("", None, usize::MAX);
    assert_eq!(all.len(), c.appellations().len());
    let keys: Vec<String> = all
        .iter()
        .map(|h| normalized(&c.appellations()[h.idx].label))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    // French collation on folded text: "Éducateur" sorts among the e's, not after z.
    let pos = |pred: &dyn Fn(&str) -> bool| {
        all.iter()
            .position(|h| pred(&c.appellations()[h.idx].label))
            .unwrap()
    };
    let first_e_accent = pos(&|l: &str| l.starts_with('É'));
    let first_f = pos(&|l: &str| l.starts_with('F'));
    let first_d = pos(&|l: &str| l.starts_with('D'));
    assert!(first_d < first_e_accent && first_e_accent < first_f);

    let bad = c.search("", Some("BAD"), usize::MAX);
    let expected = c
        .appellations()
        .iter()
        .filter(|a| a.branches.iter().any(|b| b == "BAD"))
        .count();
    assert_eq!(bad.len(), expected);
    let keys: Vec<String> = bad
        .iter()
        .map(|h| normalized(&c.appellations()[h.idx].label))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(c.search("   ", None, 5).len(), 5);
}

#[test]
fn highlight_points_at_accented_original_chars() {
    let c = cat();
    let h = c.search("educ jeun", None, 1);
    let a = &c.appellations()[h[0].idx];
    assert_eq!(a.label, "Éducateur / Éducatrice de jeunes enfants");
    let marks = c.highlight(h[0].idx, "educ jeun");
    let chars: Vec<char> = a.label.chars().collect();
    let marked: String = marks.iter().map(|&i| chars[i]).collect();
    assert_eq!(marked, "ÉducÉducjeun");
    assert_eq!(marks[0], 0);

    // Typo: the whole matched word is marked.
    let g = c.search("gardein", None, 1)[0].idx;
    let label: Vec<char> = c.appellations()[g].label.chars().collect();
    let m: String = c
        .highlight(g, "gardein")
        .iter()
        .map(|&i| label[i])
        .collect();
    assert!(m.starts_with("Gardien"), "{m}");

    // Sigle: the initials of the words it stands for.
    let t = c.search("tisf", None, 1)[0].idx;
    let label: Vec<char> = c.appellations()[t].label.chars().collect();
    let m: String = c.highlight(t, "tisf").iter().map(|&i| label[i]).collect();
    assert!(m.to_lowercase().contains("tisf"), "{m}");

    // A query with an accent matches and highlights the same.
    assert_eq!(c.highlight(h[0].idx, "ÉDUC"), c.highlight(h[0].idx, "educ"));
    assert!(c.highlight(h[0].idx, "").is_empty());
    assert!(c.highlight(usize::MAX, "educ").is_empty());
}

/// The shipped ROME writes "oeuvre" without the ligature; an imported referential
/// may use "œ". Both spellings must find each other.
#[test]
fn oeuvre_finds_oe_ligature_and_back() {
    let base = cat();
    let r = Referentiel {
        version: "test".into(),
        fiches: vec![RomeFiche {
            code: "F1202".into(),
            label: "Direction de chantier du BTP".into(),
        }],
        appellations: vec![
            Appellation {
                ogr: 1,
                rome: "F1202".into(),
                label: "Maître / Maîtresse d'œuvre en rénovation".into(),
                short_label: String::new(),
                branches: vec![],
            },
            Appellation {
                ogr: 2,
                rome: "F1202".into(),
                label: "Chef de chantier gros oeuvre".into(),
                short_label: String::new(),
                branches: vec![],
            },
        ],
    };
    let c = Catalog::from_referentiel(r, base);
    let hits = c.search("oeuvre", None, 10);
    let labels: Vec<&str> = hits
        .iter()
        .map(|h| c.appellations()[h.idx].label.as_str())
        .collect();
    assert!(
        labels.contains(&"Maître / Maîtresse d'œuvre en rénovation"),
        "{labels:?}"
    );
    let i = hits
        .iter()
        .find(|h| c.appellations()[h.idx].ogr == 1)
        .unwrap()
        .idx;
    let chars: Vec<char> = c.appellations()[i].label.chars().collect();
    let marked: String = c.highlight(i, "oeuvre").iter().map(|&k| chars[k]).collect();
    assert_eq!(marked, "œuvre");
    // And "œuvre" typed with the ligature finds the shipped "oeuvre" spelling.
    assert!(!base.search("œuvre", None, 5).is_empty());
    assert!(base
        .search("œuvre", None, 5)
        .iter()
        .all(|h| normalized(&base.appellations()[h.idx].label).contains("oeuvre")));
}

/// The incremental searcher must give exactly what a full search gives.
#[test]
fn searcher_narrowing_matches_full_search() {
    let c = cat();
    let queries = [
        "auxiliaire de vie",
        "educatuer jeunes enfants",
        "gardein d'imeuble",
        "aidsoignant",
        "tisf",
        "aide a domicile",
        "conseiller en insertion professionnelle",
        "K1202",
        "de la",
        "animateur xyz",
        // Strong matches mute typo-prefix matches; a longer query that is no
        // longer strong must still narrow correctly.
        "tisfa",
        "aesh",
        "jardiner",
    ];
    for branch in [None, Some("ALISFA")] {
        let mut s = Searcher::new(200);
        let mut narrowed = 0;
        for q in queries {
            s.update(c, "", branch);
            let chars: Vec<char> = q.chars().collect();
            for end in 1..=chars.len() {
                let typed: String = chars[..end].iter().collect();
                let inc = s.update(c, &typed, branch).to_vec();
                narrowed += s.narrowed() as usize;
                let full = c.search(&typed, branch, 200);
                assert_eq!(inc, full, "« {typed} » ({branch:?})");
            }
            // Backspace: shorter query, full search again.
            let shorter: String = chars[..chars.len() / 2].iter().collect();
            assert_eq!(
                s.update(c, &shorter, branch).to_vec(),
                c.search(&shorter, branch, 200)
            );
        }
        assert!(narrowed > 50, "narrowing should kick in ({narrowed})");
    }
}

#[test]
fn total_counts_all_matches() {
    let c = cat();
    let mut s = Searcher::new(5);
    assert_eq!(s.update(c, "animateur", None).len(), 5);
    assert!(s.total() > 100);
    s.update(c, "", None);
    assert_eq!(s.total(), c.appellations().len());
}

fn labels(c: &Catalog, q: &str, n: usize) -> Vec<String> {
    c.search(q, None, n)
        .iter()
        .map(|h| c.appellations()[h.idx].label.clone())
        .collect()
}

/// `metiers tisf` once listed the TISF appellation then 19 textile jobs
/// (`tiss…` is one typo away from `tisf`): a sigle, exact word or prefix
/// match is never followed by typo noise. The rule lives in the catalogue,
/// so the TUI and the CLI both follow it.
#[test]
fn a_sigle_is_not_followed_by_typo_noise() {
    let c = cat();
    let hits = c.search("tisf", None, 20);
    assert!(!hits.is_empty());
    for h in &hits {
        let a = &c.appellations()[h.idx];
        assert_eq!(a.rome, "K1305", "« tisf » → {}", a.label);
        assert!(!normalized(&a.label).contains("tiss"), "{}", a.label);
    }
    // A curated sigle is not followed by other acronyms that start with it
    // (« Accessoiriste en effets spéciaux » is an acronym AES too).
    for l in labels(c, "aes", 20) {
        let n = normalized(&l);
        assert!(
            n.contains("accompagnant") || n.split(' ').any(|w| w.starts_with("aes")),
            "« aes » → {l}"
        );
    }
    // Same with a prefix: `tiss` finds tissu, tisserand… and neither `TISF`
    // nor `tirs` (whole words one typo away, muted below 6 letters).
    let tiss = labels(c, "tiss", 500);
    assert!(tiss.len() > 10);
    for l in &tiss {
        assert!(
            normalized(l).split(' ').any(|w| w.starts_with("tiss")),
            "« tiss » → {l}"
        );
    }
}

#[test]
fn typos_still_work_when_nothing_matches_as_typed() {
    let c = cat();
    // `jardiner` is a prefix of `jardinerie`, yet `Jardinier` (one typo, whole
    // word) is still found: only typo *prefixes* are muted.
    let j = labels(c, "jardiner", 5);
    assert!(j.iter().any(|l| l == "Jardinier / Jardinière"), "{j:?}");
    // No exact word at all: typos rank the intended fiche first.
    assert_eq!(
        top_codes(c, "educatuer jeunes enfants", None, 1),
        vec!["K1202"]
    );
    assert_eq!(top_codes(c, "gardein", None, 1), vec!["K2501"]);
    // Prefix queries still behave.
    assert_eq!(
        labels(c, "educ jeun", 1),
        vec!["Éducateur / Éducatrice de jeunes enfants"]
    );
}

/// Rows and detail pane list branches in one order: that of branches.toml.
#[test]
fn branches_are_listed_in_one_order() {
    let c = cat();
    let i = c.search("educateur jeunes enfants", None, 1)[0].idx;
    assert_eq!(
        c.branches_label(&c.appellations()[i].branches),
        c.fiche_branches("K1202")
            .iter()
            .map(|b| b.display.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}
