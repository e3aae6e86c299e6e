//! Record identifiers: UUIDv7, time-ordered, 16 bytes big-endian in keys.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A record id. UUIDv7 so that ids made on different laptops never collide
/// and sort by creation time.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Id(pub [u8; 16]);

impl Id {
    /// A new time-ordered id for a record created at `unix_millis`.
    pub fn new_v7(unix_millis: u64, random: [u8; 10]) -> Id {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            unix_millis / 1000,
            ((unix_millis % 1000) * 1_000_000) as u32,
        );
        let mut u = *uuid::Uuid::new_v7(ts).as_bytes();
        // Replace the generator's random bits with the caller's, keeping the
        // version and variant nibbles: makes ids reproducible in tests.
        u[6] = 0x70 | (random[0] & 0x0f);
        u[7] = random[1];
        u[8] = 0x80 | (random[2] & 0x3f);
        u[9..16].copy_from_slice(&random[3..10]);
        Id(u)
    }

    /// A fresh random UUIDv7 for now.
    pub fn generate() -> Id {
        Id(*uuid::Uuid::now_v7().as_bytes())
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    pub fn from_slice(b: &[u8]) -> Option<Id> {
        <[u8; 16]>::try_from(b).ok().map(Id)
    }

    /// The last 8 hex digits (random bits; the first ones encode the
    /// creation time and repeat across a bulk import), enough to tell files
    /// apart on screen and on the command line.
    pub fn short(&self) -> String {
        self.0[12..].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", uuid::Uuid::from_bytes(self.0).hyphenated())
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({self})")
    }
}

impl FromStr for Id {
    type Err = String;
    fn from_str(s: &str) -> Result<Id, String> {
        uuid::Uuid::parse_str(s.trim())
            .map(|u| Id(*u.as_bytes()))
            .map_err(|_| format!("identifiant invalide : « {s} »"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_by_time_and_round_trip_as_text() {
        let a = Id::new_v7(1_700_000_000_000, [1; 10]);
        let b = Id::new_v7(1_700_000_000_001, [0; 10]);
        assert!(a < b);
        assert_eq!(a.to_string().parse::<Id>().unwrap(), a);
        assert_eq!(uuid::Uuid::from_bytes(a.0).get_version_num(), 7);
        assert!("pas-un-id".parse::<Id>().is_err());
        assert_eq!(a.short(), "01010101");
        assert!(a.to_string().ends_with(&a.short()));
    }
}
