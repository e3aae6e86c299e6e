//! Hostile and odd input: property tests (proptest) that feed arbitrary
//! bytes and strings to every parser and validator an advisor or a file can
//! reach — the record decoder, both CSV importers, the config parser, the
//! date and schedule parsers, money, the forms' validators. None may panic;
//! each gives a value or a French error. The case count is bounded so the
//! suite stays fast (PROPTEST_CASES raises it for a longer run).

use chrono::{DateTime, NaiveDate};
use passerelle::app::beneficiaires::{file_form, interview_form};
use passerelle::catalog::import::{parse_referentiel, ImportOptions as RefOptions};
use passerelle::catalog::Catalog;
use passerelle::domain::rules;
use passerelle::domain::schedule::WeeklySchedule;
use passerelle::domain::*;
use passerelle::store::codec;
use passerelle::store::JournalEntry;
use passerelle::transfer::import::{prepare, ImportOptions};
use passerelle::transfer::SequentialIds;
use proptest::prelude::*;
use std::path::Path;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings biased towards what breaks text code: control characters,
/// right-to-left overrides, combining marks, emoji, separators, quotes.
fn nasty() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a",
        "é",
        "e\u{301}",
        "👩\u{200d}⚕️",
        "漢",
        "\u{202e}",
        "\u{1b}[31m",
        "\u{7}",
        "\r\n",
        "\n",
        "\t",
        ";",
        ",",
        "\"",
        "\"\"",
        "'",
        "0",
        "9",
        "/",
        ":",
        "h",
        "-",
        "+",
        "lun",
        "ven",
        "  ",
        "\u{0}",
        "\u{feff}",
        "€",
        "@",
        ".",
        "31",
        "12",
        "2026",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_record_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = codec::decode::<Beneficiary>(&bytes);
        let _ = codec::decode::<Interview>(&bytes);
        let _ = codec::decode::<Plan>(&bytes);
        let _ = codec::decode::<Immersion>(&bytes);
        let _ = codec::decode::<JournalEntry>(&bytes);
        let _ = codec::decode::<InfoSession>(&bytes);
        let _ = codec::decode::<SessionRegistration>(&bytes);
        // A valid envelope header with arbitrary payload, too.
        let mut v = vec![0u8, 1, 0];
        v.extend_from_slice(&bytes);
        let _ = codec::decode::<Beneficiary>(&v);
    }

    #[test]
    fn the_beneficiary_importer_never_panics(body in nasty(), raw in prop::collection::vec(any::<u8>(), 0..200)) {
        let branches = Catalog::builtin_shared().unwrap().branches().clone();
        let opts = ImportOptions {
            branches: &branches,
            now: DateTime::from_timestamp(1_795_000_000, 0).unwrap(),
            today: today(),
            advisor: "test",
        };
        for text in [
            format!("nom;prenom;email;idcc;employeur;contrat\n{body}\n{body}"),
            body.clone(),
        ] {
            if let Ok(table) = passerelle::csvfile::parse(text.as_bytes()) {
                let _ = prepare(&table, &[], &opts, &mut SequentialIds::default());
            }
        }
        let _ = passerelle::csvfile::parse(&raw);
    }

    #[test]
    fn the_referential_importer_never_panics(body in nasty()) {
        let cat = Catalog::builtin_shared().unwrap();
        let opts = RefOptions { replace: true, ..RefOptions::default() };
        let text = format!(
            "ogr_appellation;rome_code;libelle_appellation_long;libelle_appellation_court\n{body}"
        );
        let _ = parse_referentiel(text.as_bytes(), cat, &opts, |_, _| {});
        let _ = parse_referentiel(body.as_bytes(), cat, &opts, |_, _| {});
    }

    #[test]
    fn the_config_parser_never_panics(body in nasty(), key in "[a-z_]{1,12}") {
        let path = Path::new("config.toml");
        let _ = passerelle::config::parse(&body, path);
        let _ = passerelle::config::parse(&format!("[touches]\n{key} = \"{body}\"\n"), path);
        let _ = passerelle::config::parse(&format!("[conseiller]\nnom = {body}\n"), path);
    }

    #[test]
    fn date_schedule_and_money_parsers_never_panic(s in nasty()) {
        let _ = time::parse_date_input(&s, today());
        let _ = time::parse_date(&s);
        let _ = WeeklySchedule::parse(&s);
        let _ = Cents::parse_euros(&s);
    }

    #[test]
    fn field_validators_never_panic(s in nasty()) {
        let _ = rules::name(&s, "Nom");
        let _ = rules::birth(&s, today());
        let _ = rules::email(&s);
        let _ = rules::phone(&s);
        let _ = rules::postcode(&s);
        let _ = rules::siret(&s);
        let _ = rules::months(&s);
        let _ = rules::qualification_level(&s);
        let _ = rules::cpf_balance(&s);
        let _ = rules::date(&s, today());
        let _ = rules::duration_minutes(&s);
    }

    #[test]
    fn every_form_field_takes_any_text(s in nasty()) {
        let cat = passerelle::app::metiers::builtin_catalog();
        let mut f = file_form::build(None, today(), cat);
        for i in 0..f.fields.len() {
            f.fields[i].set_value(&s);
        }
        f.validate();
        let b = Beneficiary::new(
            Id([1; 16]),
            "Dupont",
            "Léa",
            Meta::new(DateTime::from_timestamp(1_795_000_000, 0).unwrap(), "x"),
        );
        let mut f = interview_form::build(&b, None, today().and_hms_opt(9, 30, 0).unwrap());
        for i in 0..f.fields.len() {
            f.fields[i].set_value(&s);
        }
        f.validate();
    }
}

/// Control characters and right-to-left text in names are refused with a
/// French reason; emoji too (a name is letters, spaces, hyphens, apostrophes).
#[test]
fn names_refuse_control_rtl_and_emoji_clearly() {
    for bad in [
        "Du\u{1b}[31mpont",
        "Dupont\u{202e}tnopuD",
        "Léa 👩\u{200d}⚕️",
        "A\u{7}",
    ] {
        let e = rules::name(bad, "Nom").unwrap_err();
        assert!(e.contains("inattendu"), "{bad:?}: {e}");
    }
    assert_eq!(
        rules::name("  Le Gall-Côté ", "Nom").unwrap(),
        "Le Gall-Côté"
    );
}
