//! Money as integer cents. Never floats.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Cents(pub i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub fn from_euros(e: i64) -> Cents {
        Cents(e * 100)
    }

    /// Parses an amount in euros as an advisor types it: `1234`, `1 234,50`,
    /// `1234.5`, `1 234,50 €`. At most two decimals; no negative amounts.
    pub fn parse_euros(s: &str) -> Result<Cents, String> {
        let cleaned: String = s
            .trim()
            .trim_end_matches('€')
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}')
            .collect();
        if cleaned.is_empty() {
            return Err("montant vide".into());
        }
        let (int_part, dec_part) = match cleaned.find([',', '.']) {
            Some(i) => (&cleaned[..i], &cleaned[i + 1..]),
            None => (cleaned.as_str(), ""),
        };
        if cleaned.starts_with('-') {
            return Err("un montant ne peut pas être négatif".into());
        }
        if int_part.is_empty() && dec_part.is_empty()
            || !int_part.chars().all(|c| c.is_ascii_digit())
            || !dec_part.chars().all(|c| c.is_ascii_digit())
        {
            return Err(format!("montant invalide : « {} »", s.trim()));
        }
        if dec_part.len() > 2 {
            return Err("deux décimales au plus".into());
        }
        let euros: i64 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse()
                .map_err(|_| "montant trop grand".to_string())?
        };
        let mut cents: i64 = if dec_part.is_empty() {
            0
        } else {
            dec_part
                .parse()
                .map_err(|_| "montant invalide".to_string())?
        };
        if dec_part.len() == 1 {
            cents *= 10;
        }
        euros
            .checked_mul(100)
            .and_then(|v| v.checked_add(cents))
            .map(Cents)
            .ok_or_else(|| "montant trop grand".into())
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, o: Cents) -> Cents {
        Cents(self.0.saturating_add(o.0))
    }
}
impl Sub for Cents {
    type Output = Cents;
    fn sub(self, o: Cents) -> Cents {
        Cents(self.0.saturating_sub(o.0))
    }
}

/// French format: `1 234,50 €` (narrow no-break space as thousands separator
/// is hard to read in terminals, so a plain space is used).
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        write!(
            f,
            "{}{},{:02} €",
            if neg { "-" } else { "" },
            grouped,
            abs % 100
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_french() {
        assert_eq!(Cents(123450).to_string(), "1 234,50 €");
        assert_eq!(Cents(5).to_string(), "0,05 €");
        assert_eq!(Cents(100_000_000).to_string(), "1 000 000,00 €");
        assert_eq!(Cents(-250).to_string(), "-2,50 €");
    }

    #[test]
    fn parses_what_advisors_type() {
        for (s, c) in [
            ("1234", 123400),
            ("1 234,50", 123450),
            ("1234.5", 123450),
            ("1 234,50 €", 123450),
            (",5", 50),
            ("0", 0),
        ] {
            assert_eq!(Cents::parse_euros(s), Ok(Cents(c)), "{s}");
        }
        for s in ["", "abc", "12,345", "-5", "1,2,3", "99999999999999999999"] {
            assert!(Cents::parse_euros(s).is_err(), "{s}");
        }
    }
}
