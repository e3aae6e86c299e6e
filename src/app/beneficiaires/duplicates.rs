//! Does a new file look like one already recorded? Same last and first
//! name, or same e-mail, or same phone — compared with the folding of the
//! CSV import's duplicate check ([`crate::transfer::fold`]: case, accents,
//! punctuation ignored), so the form and the import agree on what "the same
//! name" is.

use super::Row;
use crate::domain::{Beneficiary, Id};
use crate::transfer::fold;

/// Why a file looks like an existing one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    Name,
    Email,
    Phone,
}

impl Why {
    /// French reason, for the confirm dialog.
    pub fn label(self) -> &'static str {
        match self {
            Why::Name => "mêmes nom et prénom",
            Why::Email => "même adresse e-mail",
            Why::Phone => "même numéro de téléphone",
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// What the check compares of a file: a full record, or a list row.
pub trait Person {
    fn person_id(&self) -> Id;
    fn last_name(&self) -> &str;
    fn first_name(&self) -> &str;
    fn email(&self) -> Option<&str>;
    fn phone(&self) -> Option<&str>;
}

impl Person for Beneficiary {
    fn person_id(&self) -> Id {
        self.id
    }
    fn last_name(&self) -> &str {
        &self.last_name
    }
    fn first_name(&self) -> &str {
        &self.first_name
    }
    fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }
    fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }
}

impl Person for Row {
    fn person_id(&self) -> Id {
        self.id
    }
    fn last_name(&self) -> &str {
        Row::last_name(self)
    }
    fn first_name(&self) -> &str {
        Row::first_name(self)
    }
    fn email(&self) -> Option<&str> {
        Row::email(self)
    }
    fn phone(&self) -> Option<&str> {
        Row::phone(self)
    }
}

/// Why `new` and `old` look like the same person, if they do.
pub fn same_person(new: &impl Person, old: &impl Person) -> Option<Why> {
    let email = |b: &dyn Person| b.email().map(|e| e.trim().to_lowercase());
    if email(new).is_some_and(|e| !e.is_empty() && Some(e) == email(old)) {
        return Some(Why::Email);
    }
    let phone = |b: &dyn Person| b.phone().map(digits);
    if phone(new).is_some_and(|p| !p.is_empty() && Some(p) == phone(old)) {
        return Some(Why::Phone);
    }
    let name = |b: &dyn Person| (fold(b.last_name()), fold(b.first_name()));
    let n = name(new);
    (!n.0.is_empty() && n == name(old)).then_some(Why::Name)
}

/// The first existing file (other than `new` itself) that looks like `new`.
pub fn find<'a, P: Person + 'a>(
    new: &Beneficiary,
    existing: impl IntoIterator<Item = &'a P>,
) -> Option<(Id, Why)> {
    existing
        .into_iter()
        .filter(|b| b.person_id() != new.id)
        .find_map(|b| same_person(new, b).map(|w| (b.person_id(), w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Meta;

    fn b(n: u8, last: &str, first: &str) -> Beneficiary {
        let t = chrono::DateTime::from_timestamp(0, 0).unwrap();
        Beneficiary::new(Id([n; 16]), last, first, Meta::new(t, "x"))
    }

    #[test]
    fn same_name_email_or_phone_and_nothing_else() {
        let old = {
            let mut o = b(1, "Le Gall-Côté", "Léa");
            o.email = Some("lea@exemple.fr".into());
            o.phone = Some("06 12 34 56 78".into());
            o
        };
        // Names fold as in the CSV import: case, accents, punctuation.
        assert_eq!(
            same_person(&b(2, "LE GALL COTE", "lea"), &old),
            Some(Why::Name)
        );
        assert_eq!(same_person(&b(2, "Le Gall", "Léa"), &old), None);
        assert_eq!(same_person(&b(2, "Le Gall-Côté", "Léo"), &old), None);
        let mut e = b(2, "Martin", "Zoé");
        e.email = Some("LEA@exemple.fr".into());
        assert_eq!(same_person(&e, &old), Some(Why::Email));
        let mut p = b(2, "Martin", "Zoé");
        p.phone = Some("0612345678".into());
        assert_eq!(same_person(&p, &old), Some(Why::Phone));
        p.phone = Some("06 12 34 56 79".into());
        assert_eq!(same_person(&p, &old), None);
        // Empty contact fields never match each other.
        let mut x = b(3, "A", "B");
        let mut y = b(4, "C", "D");
        x.email = Some(String::new());
        y.email = Some(String::new());
        assert_eq!(same_person(&x, &y), None);
        // A file is not its own duplicate.
        assert_eq!(find(&old, [&old]), None);
        assert_eq!(
            find(&b(2, "le gall cote", "LEA"), [&old]),
            Some((old.id, Why::Name))
        );
    }
}
