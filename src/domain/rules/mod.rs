//! Validation rules for what advisors type. Each validator takes the raw
//! text of a field and returns the typed value or a French explanation.
//! Empty optional fields give `Ok(None)`.

pub mod immersion;

use super::beneficiary::{valid_siret, Birth};
use super::money::Cents;
use super::time::{parse_date, parse_date_input};
use chrono::{Datelike, NaiveDate};

pub mod eligibility;

pub type Check<T> = Result<T, String>;

/// Characters refused in every stored text (imports, forms): control
/// characters (ESC, BEL…, and newlines outside multi-line fields) and
/// invisible formatting ones (bidirectional overrides, zero-width), which
/// could disguise a value or garble a terminal.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
}

/// Bidirectional controls and zero-width characters.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}' | '\u{061c}')
}

fn opt(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

/// Longest last or first name, in characters.
pub const NAME_MAX: usize = 60;

/// A last or first name: required, letters (accents), spaces, hyphens, apostrophes.
pub fn name(s: &str, what: &str) -> Check<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(format!("{what} obligatoire"));
    }
    if t.chars().count() > NAME_MAX {
        return Err(format!("{what} trop long ({NAME_MAX} caractères au plus)"));
    }
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.')))
    {
        return Err(format!(
            "caractère « {c} » inattendu dans le {}",
            what.to_lowercase()
        ));
    }
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Year (`1984`) or full date (`12/03/1984`) of birth; age 15 to 80 at `today`.
pub fn birth(s: &str, today: NaiveDate) -> Check<Option<Birth>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let (b, year) = if t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) {
        let y: i32 = t.parse().map_err(|_| "année invalide".to_string())?;
        (Birth::Year(y), y)
    } else {
        let d = parse_date(t).ok_or("date de naissance invalide : jj/mm/aaaa ou aaaa")?;
        if d > today {
            return Err("la date de naissance est dans le futur".into());
        }
        (Birth::Date(d), d.year())
    };
    let age = today.year() - year;
    if !(15..=80).contains(&age) {
        return Err(format!("âge improbable ({age} ans) : vérifiez l'année"));
    }
    Ok(Some(b))
}

/// E-mail: one `@`, a local part, a domain with a dot, no spaces.
pub fn email(s: &str) -> Check<Option<String>> {
    let Some(t) = opt(s) else { return Ok(None) };
    if t.chars().any(char::is_whitespace) {
        return Err("adresse e-mail invalide : pas d'espace".into());
    }
    let Some((local, domain)) = t.split_once('@') else {
        return Err("adresse e-mail invalide : il manque « @ »".into());
    };
    if local.is_empty() {
        return Err("adresse e-mail invalide : rien avant « @ »".into());
    }
    if domain.contains('@') {
        return Err("adresse e-mail invalide : un seul « @ »".into());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return Err("adresse e-mail invalide : domaine incomplet (ex. : nom@exemple.fr)".into());
    }
    if labels
        .last()
        .is_some_and(|tld| tld.len() < 2 || !tld.chars().all(char::is_alphabetic))
    {
        return Err("adresse e-mail invalide : extension du domaine incorrecte".into());
    }
    Ok(Some(t.to_lowercase()))
}

/// French phone: 10 digits starting with 0 (spaces, dots, dashes allowed) or
/// +33 followed by 9 digits. Stored as `06 12 34 56 78`.
pub fn phone(s: &str) -> Check<Option<String>> {
    let Some(t) = opt(s) else { return Ok(None) };
    if let Some(c) = t
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')')))
    {
        return Err(format!("numéro de téléphone invalide : caractère « {c} »"));
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let national = if t.starts_with('+') {
        match digits.strip_prefix("33") {
            Some(rest) if rest.len() == 9 => format!("0{rest}"),
            Some(rest) if rest.len() == 10 && rest.starts_with('0') => rest.to_string(),
            _ => return Err("numéro international : +33 suivi de 9 chiffres".into()),
        }
    } else {
        digits
    };
    if national.len() != 10 || !national.starts_with('0') || national.as_bytes()[1] == b'0' {
        return Err("numéro de téléphone invalide : 10 chiffres commençant par 0".into());
    }
    let grouped: Vec<String> = national
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Ok(Some(grouped.join(" ")))
}

/// French postcode: 5 digits, département 01–95, 2A/2B as 20, DOM 971–976, 98.
pub fn postcode(s: &str) -> Check<Option<String>> {
    let Some(t) = opt(s) else { return Ok(None) };
    if t.len() != 5 || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err("code postal invalide : 5 chiffres".into());
    }
    let dep: u32 = t[..2]
        .parse()
        .map_err(|_| "code postal invalide".to_string())?;
    if dep == 0 || dep == 96 || dep == 99 {
        return Err("code postal invalide : département inconnu".into());
    }
    Ok(Some(t.to_string()))
}

/// SIRET: 14 digits with the Luhn check (spaces allowed while typing).
pub fn siret(s: &str) -> Check<Option<String>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() != 14 || !compact.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "SIRET invalide : 14 chiffres attendus ({} saisis)",
            compact.chars().filter(char::is_ascii_digit).count()
        ));
    }
    if !valid_siret(&compact) {
        return Err("SIRET invalide : clé de contrôle incorrecte (faute de frappe ?)".into());
    }
    Ok(Some(compact))
}

/// A number of months (seniority), 0 to 600.
pub fn months(s: &str) -> Check<Option<u16>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let n: u16 = t
        .parse()
        .map_err(|_| "nombre de mois invalide : un entier, ex. 28".to_string())?;
    if n > 600 {
        return Err("plus de 50 ans d'ancienneté : vérifiez".into());
    }
    Ok(Some(n))
}

/// Qualification level, nomenclature 2019: 3 to 8; `aucun`/`0`/empty = none.
pub fn qualification_level(s: &str) -> Check<Option<u8>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let lower = t.to_lowercase();
    if matches!(lower.as_str(), "aucun" | "aucune" | "0" | "sans") {
        return Ok(None);
    }
    let n: u8 = lower
        .trim_start_matches("niveau")
        .trim()
        .parse()
        .map_err(|_| "niveau : un chiffre de 3 à 8, ou « aucun »".to_string())?;
    if !(3..=8).contains(&n) {
        return Err("niveau : de 3 (CAP) à 8 (doctorat), ou « aucun »".into());
    }
    Ok(Some(n))
}

/// CPF balance in euros (stored in cents); at most 100 000 €.
pub fn cpf_balance(s: &str) -> Check<Option<Cents>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let c = Cents::parse_euros(t).map_err(|e| format!("solde CPF : {e}"))?;
    if c > Cents::from_euros(100_000) {
        return Err("solde CPF improbable (plus de 100 000 €)".into());
    }
    Ok(Some(c))
}

/// A step's length in hours, 1 to 10 000 (empty: unknown).
pub fn hours(s: &str) -> Check<Option<u32>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let n: u32 = t
        .trim_end_matches('h')
        .trim()
        .parse()
        .map_err(|_| "nombre d'heures invalide : un entier, ex. 150".to_string())?;
    if !(1..=10_000).contains(&n) {
        return Err("heures : de 1 à 10 000 (laissez vide si inconnu)".into());
    }
    Ok(Some(n))
}

/// Largest amount of a cost or a funding line.
pub const MAX_AMOUNT_EUROS: i64 = 1_000_000;

/// An amount in euros (a cost, a funding line), stored in cents; at most
/// 1 000 000 €.
pub fn amount(s: &str) -> Check<Option<Cents>> {
    let Some(t) = opt(s) else { return Ok(None) };
    let c = Cents::parse_euros(t)?;
    if c > Cents::from_euros(MAX_AMOUNT_EUROS) {
        return Err("montant improbable (plus de 1 000 000 €)".into());
    }
    Ok(Some(c))
}

/// A whole number from 0 to `max` (days worked, months), `what` naming it
/// in the message.
pub fn count(s: &str, max: u32, what: &str) -> Check<Option<u32>> {
    let Some(t) = opt(s) else { return Ok(None) };
    match t.parse::<u32>() {
        Ok(n) if n <= max => Ok(Some(n)),
        Ok(_) => Err(format!("{what} : {max} au plus")),
        Err(_) => Err(format!("{what} : un nombre entier")),
    }
}

/// An optional date typed in a form: `jj/mm/aaaa` or a shortcut relative
/// to `today` (see [`parse_date_input`]).
pub fn date(s: &str, today: NaiveDate) -> Check<Option<NaiveDate>> {
    let Some(t) = opt(s) else { return Ok(None) };
    parse_date_input(t, today).map(Some)
}

/// Interview duration in minutes, 5 to 480.
pub fn duration_minutes(s: &str) -> Check<u16> {
    let n: u16 = s
        .trim()
        .parse()
        .map_err(|_| "durée en minutes, ex. 60".to_string())?;
    if !(5..=480).contains(&n) {
        return Err("durée : de 5 à 480 minutes".into());
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_amounts_and_counts_at_their_limits() {
        assert_eq!(hours(""), Ok(None));
        assert_eq!(hours("150 h"), Ok(Some(150)));
        assert_eq!(hours("10000"), Ok(Some(10_000)));
        assert!(hours("10001").is_err());
        assert!(hours("0").is_err());
        assert!(hours("douze").is_err());
        assert_eq!(amount("1 234,50"), Ok(Some(Cents(123_450))));
        assert_eq!(amount("1000000"), Ok(Some(Cents::from_euros(1_000_000))));
        assert!(amount("1000000,01").is_err());
        assert!(amount("-3").is_err());
        assert_eq!(amount(" "), Ok(None));
        assert_eq!(count("1300", 1830, "jours"), Ok(Some(1300)));
        assert_eq!(count("1830", 1830, "jours"), Ok(Some(1830)));
        assert_eq!(
            count("1831", 1830, "jours"),
            Err("jours : 1830 au plus".into())
        );
        assert_eq!(
            count("x", 12, "mois"),
            Err("mois : un nombre entier".into())
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(name("  Le  Goff ", "Nom"), Ok("Le Goff".into()));
        assert_eq!(name("N'Diaye-Éloi", "Nom"), Ok("N'Diaye-Éloi".into()));
        assert!(name("", "Nom").unwrap_err().contains("obligatoire"));
        assert!(name("R2D2", "Prénom").is_err());
    }

    #[test]
    fn emails() {
        for ok in ["lea.dupont@exemple.fr", "A+b@sous.domaine.org"] {
            assert!(email(ok).unwrap().is_some(), "{ok}");
        }
        assert_eq!(email(""), Ok(None));
        for (bad, why) in [
            ("lea.dupont", "@"),
            ("@exemple.fr", "avant"),
            ("a@b", "domaine"),
            ("a@b@c.fr", "un seul"),
            ("a b@c.fr", "espace"),
            ("a@b.f", "extension"),
        ] {
            assert!(email(bad).unwrap_err().contains(why), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(phone("0612345678"), Ok(Some("06 12 34 56 78".into())));
        assert_eq!(phone("06.12.34.56.78"), Ok(Some("06 12 34 56 78".into())));
        assert_eq!(
            phone("+33 6 12 34 56 78"),
            Ok(Some("06 12 34 56 78".into()))
        );
        for bad in [
            "061234567",
            "1612345678",
            "06123456789",
            "06-12-ab",
            "0012345678",
            "+44 20 1234 5678",
        ] {
            assert!(phone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn postcodes_sirets_and_numbers() {
        assert_eq!(postcode("69003"), Ok(Some("69003".into())));
        assert_eq!(postcode("97400"), Ok(Some("97400".into())));
        for bad in ["6900", "690031", "A9003", "00100", "99000"] {
            assert!(postcode(bad).is_err(), "{bad}");
        }
        assert_eq!(
            siret("120 027 016 00357"),
            Ok(Some("12002701600357".into()))
        );
        assert!(siret("12002701600358").unwrap_err().contains("clé"));
        assert!(siret("1234").unwrap_err().contains("14 chiffres"));
        assert_eq!(months("28"), Ok(Some(28)));
        assert!(months("-3").is_err());
        assert!(months("700").is_err());
        assert_eq!(qualification_level("aucun"), Ok(None));
        assert_eq!(qualification_level("5"), Ok(Some(5)));
        assert_eq!(qualification_level("niveau 6"), Ok(Some(6)));
        for bad in ["2", "9", "bac"] {
            assert!(qualification_level(bad).is_err(), "{bad}");
        }
        assert_eq!(cpf_balance("2 340,50"), Ok(Some(Cents(234050))));
        assert!(cpf_balance("deux mille").is_err());
        assert!(cpf_balance("250000").is_err());
        assert!(duration_minutes("60").is_ok());
        assert!(duration_minutes("0").is_err());
    }

    #[test]
    fn optional_dates_take_shortcuts() {
        assert_eq!(date(" ", today()), Ok(None));
        assert_eq!(
            date("demain", today()),
            Ok(Some(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()))
        );
        assert!(date("31/02/2026", today())
            .unwrap_err()
            .contains("n'existe pas"));
    }

    #[test]
    fn births() {
        assert_eq!(birth("1984", today()), Ok(Some(Birth::Year(1984))));
        assert_eq!(
            birth("12/03/1984", today()),
            Ok(Some(Birth::Date(
                NaiveDate::from_ymd_opt(1984, 3, 12).unwrap()
            )))
        );
        assert!(birth("2020", today()).is_err());
        assert!(birth("1850", today()).is_err());
        assert!(birth("31/02/1984", today()).is_err());
        assert!(birth("01/01/2027", today()).is_err());
        assert_eq!(birth(" ", today()), Ok(None));
    }
}
