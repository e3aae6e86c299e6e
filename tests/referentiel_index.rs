//! The search index stored with an imported referential: what `metiers`
//! reads instead of rebuilding the index.

mod common;
use common::cli;

use passerelle::catalog::Catalog;
use passerelle::cli::metiers::load_catalog;
use passerelle::domain::{Appellation, Referentiel};
use passerelle::store::Store;

/// `n` appellations under shipped fiches, with some accents and branches.
fn referentiel(n: usize) -> Referentiel {
    let builtin = Catalog::builtin_shared().unwrap();
    let apps = builtin.appellations();
    let appellations = (0..n)
        .map(|i| {
            let a = &apps[(i * 7919) % apps.len()];
            Appellation {
                ogr: i as u32 + 1,
                rome: a.rome.clone(),
                label: format!("{} n°{i}", a.label),
                short_label: String::new(),
                branches: Vec::new(),
            }
        })
        .collect();
    Referentiel {
        version: "Référentiel d'essai".into(),
        fiches: builtin.fiches().to_vec(),
        appellations,
    }
}

fn searches(c: &Catalog) -> Vec<Vec<(u32, i32)>> {
    [
        "educ",
        "aide a domicile",
        "tisf",
        "gardein d'imeuble",
        "K1202",
        "aidsoign",
        "n°17",
    ]
    .iter()
    .map(|q| {
        c.search(q, None, 30)
            .iter()
            .map(|h| (c.appellations()[h.idx].ogr, h.score))
            .collect()
    })
    .collect()
}

#[test]
fn stored_snapshot_round_trips_and_searches_like_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("base")).unwrap();
    // No referential: the shipped catalogue, no snapshot.
    assert_eq!(store.referentiel_index().unwrap(), None);
    assert_eq!(
        load_catalog(&store).unwrap().len(),
        Catalog::builtin_shared().unwrap().len()
    );

    // Large enough to take several chunks of the stored value.
    let r = referentiel(12_000);
    let built = Catalog::from_referentiel(r.clone(), Catalog::builtin_shared().unwrap());
    let snap = built.stored_snapshot().unwrap();
    assert!(snap.len() > 2 << 20, "{} bytes: one chunk only", snap.len());
    store.save_referentiel_indexed(&r, &snap).unwrap();
    assert_eq!(
        store.referentiel_index().unwrap().as_deref(),
        Some(&snap[..])
    );
    assert_eq!(store.referentiel().unwrap(), Some(r.clone()));

    let loaded = load_catalog(&store).unwrap();
    assert_eq!(loaded.version(), "Référentiel d'essai");
    assert_eq!(loaded.appellations(), built.appellations());
    assert_eq!(searches(&loaded), searches(&built));
    assert!(!searches(&loaded)[6].is_empty());

    // Saved again without a snapshot: the old one is gone with the old rows.
    let small = referentiel(10);
    store.save_referentiel(&small).unwrap();
    assert_eq!(store.referentiel_index().unwrap(), None);
    assert_eq!(load_catalog(&store).unwrap().appellations().len(), {
        Catalog::from_referentiel(small, Catalog::builtin_shared().unwrap())
            .appellations()
            .len()
    });
}

#[test]
fn a_snapshot_this_build_cannot_use_is_rebuilt_from_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("base")).unwrap();
    let r = referentiel(300);
    let built = Catalog::from_referentiel(r.clone(), Catalog::builtin_shared().unwrap());
    let mut snap = built.stored_snapshot().unwrap();
    let mid = snap.len() / 2;
    snap[mid] ^= 0x10;
    assert!(Catalog::from_stored_snapshot(&snap).is_none());
    store.save_referentiel_indexed(&r, &snap).unwrap();
    let loaded = load_catalog(&store).unwrap();
    assert_eq!(loaded.appellations(), built.appellations());
    assert_eq!(searches(&loaded), searches(&built));
    // Garbage, or the shipped catalogue's own (differently fingerprinted) bytes.
    assert!(Catalog::from_stored_snapshot(b"PSRLIDX").is_none());
    assert!(Catalog::from_stored_snapshot(&[0u8; 64]).is_none());
}

#[test]
fn the_import_command_stores_the_index_metiers_then_reads() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("appellations.csv");
    std::fs::write(
        &csv,
        "ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court\n\
         999001;K1302;Zythologue accompagnant / Zythologue accompagnante;Zythologue\n\
         15228;K2501;Gardien / Gardienne d'immeuble;Gardien d'immeuble\n",
    )
    .unwrap();
    let out = cli(
        dir.path(),
        &[
            "referentiel",
            "import",
            csv.to_str().unwrap(),
            "--remplacer",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        let store = Store::open_existing(&Store::dir_in(dir.path())).unwrap();
        let bytes = store.referentiel_index().unwrap().expect("index stored");
        let c = Catalog::from_stored_snapshot(&bytes).expect("usable by this build");
        assert_eq!(
            c.appellations().len(),
            load_catalog(&store).unwrap().appellations().len()
        );
        let hit = c.search("zythologue", None, 1);
        assert_eq!(c.appellations()[hit[0].idx].ogr, 999001);
    }
    let out = cli(dir.path(), &["metiers", "zythologue", "--limite", "1"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("K1302\tZythologue"));
}
