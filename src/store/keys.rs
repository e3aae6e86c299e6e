//! Key encodings. Keys hold ids, dates and sequence numbers only: never
//! personal data. Everything is big-endian so byte order = logical order.

use crate::domain::Id;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// A date as 4 bytes: days since 0001-01-01, sign bit flipped so negative
/// day numbers sort before positive ones.
pub fn day(d: NaiveDate) -> [u8; 4] {
    ((d.num_days_from_ce() as u32) ^ 0x8000_0000).to_be_bytes()
}

pub fn day_from(b: &[u8]) -> Option<NaiveDate> {
    let b: [u8; 4] = b.get(..4)?.try_into().ok()?;
    NaiveDate::from_num_days_from_ce_opt((u32::from_be_bytes(b) ^ 0x8000_0000) as i32)
}

/// An instant as 8 bytes: microseconds since the epoch, sign bit flipped.
pub fn instant(t: DateTime<Utc>) -> [u8; 8] {
    ((t.timestamp_micros() as u64) ^ (1 << 63)).to_be_bytes()
}

/// `a ++ b`.
pub fn cat(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    v
}

/// The last 16 bytes of a key, as an id.
pub fn id_suffix(key: &[u8]) -> Option<Id> {
    key.len()
        .checked_sub(16)
        .and_then(|start| Id::from_slice(&key[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_and_instant_keys_sort_like_the_values() {
        let dates = [
            NaiveDate::from_ymd_opt(-5, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        ];
        for w in dates.windows(2) {
            assert!(day(w[0]) < day(w[1]), "{:?}", w);
        }
        for d in dates {
            assert_eq!(day_from(&day(d)), Some(d));
        }
        let t0 = DateTime::from_timestamp(-10, 0).unwrap();
        let t1 = DateTime::from_timestamp(0, 0).unwrap();
        let t2 = DateTime::from_timestamp(1_800_000_000, 5).unwrap();
        assert!(instant(t0) < instant(t1) && instant(t1) < instant(t2));
        assert_eq!(id_suffix(&cat(&[1, 2], &[9; 16])), Some(Id([9; 16])));
        assert_eq!(id_suffix(&[1; 15]), None);
    }
}
