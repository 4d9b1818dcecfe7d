//! Response timestamps and days written exactly as chrono writes them (RFC 3339 in UTC with `Z`,
//! the fraction in 0, 3, 6 or 9 digits as needed; days as `YYYY-MM-DD`) without formatting them
//! a character at a time.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `#[serde(serialize_with = "timestamp::serialize")]` for a `DateTime<Utc>` field.
pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; 30];
    match write(at, &mut buffer).and_then(|len| std::str::from_utf8(&buffer[..len]).ok()) {
        Some(text) => serializer.serialize_str(text),
        None => at.serialize(serializer),
    }
}

/// The same for an `Option<DateTime<Utc>>` field.
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// The same for a calendar day (`NaiveDate`): `2026-11-24`.
pub mod date {
    use chrono::NaiveDate;
    use serde::{Serialize, Serializer};

    pub fn serialize<S: Serializer>(day: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = [0u8; 10];
        match super::write_day(day, &mut out).and_then(|()| std::str::from_utf8(&out).ok()) {
            Some(text) => serializer.serialize_str(text),
            None => day.serialize(serializer),
        }
    }
}

/// Writes `at` into `out` and answers its length; None for what only chrono writes (years
/// outside 0000-9999, leap seconds).
fn write(at: &DateTime<Utc>, out: &mut [u8; 30]) -> Option<usize> {
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    write_day(at, &mut out[0..10])?;
    out[10] = b'T';
    digits(&mut out[11..13], at.hour());
    out[13] = b':';
    digits(&mut out[14..16], at.minute());
    out[16] = b':';
    digits(&mut out[17..19], at.second());
    let fraction = match nanos {
        0 => 0,
        n if n % 1_000_000 == 0 => 3,
        n if n % 1_000 == 0 => 6,
        _ => 9,
    };
    let mut len = 19;
    if fraction > 0 {
        out[19] = b'.';
        digits(&mut out[20..29], nanos);
        len = 20 + fraction;
    }
    out[len] = b'Z';
    Some(len + 1)
}

/// `YYYY-MM-DD` into the first ten bytes of `out`; None for years outside 0000-9999.
fn write_day(day: &impl Datelike, out: &mut [u8]) -> Option<()> {
    let year = u32::try_from(day.year()).ok().filter(|y| *y <= 9999)?;
    digits(&mut out[0..4], year);
    out[4] = b'-';
    digits(&mut out[5..7], day.month());
    out[7] = b'-';
    digits(&mut out[8..10], day.day());
    Some(())
}

/// `value` in decimal, zero-padded to the width of `out` (high digits beyond it are dropped).
fn digits(out: &mut [u8], mut value: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    #[derive(Serialize)]
    struct Fast(#[serde(serialize_with = "serialize")] DateTime<Utc>);

    #[derive(Serialize)]
    struct Maybe(#[serde(serialize_with = "option::serialize")] Option<DateTime<Utc>>);

    fn same_as_chrono(at: DateTime<Utc>) {
        assert_eq!(
            serde_json::to_string(&Fast(at)).unwrap(),
            serde_json::to_string(&at).unwrap(),
            "{at:?}"
        );
    }

    #[test]
    fn every_fraction_width_and_calendar_corner_reads_as_chrono_writes_it() {
        let base = Utc.with_ymd_and_hms(2026, 11, 24, 7, 16, 40).unwrap();
        for nanos in [
            0,
            112_000_000,
            100_000_000,
            495_329_000,
            495_329_001,
            1,
            999_999_999,
            1_000,
        ] {
            same_as_chrono(base + chrono::Duration::nanoseconds(nanos));
        }
        for (y, m, d) in [
            (1, 1, 1),
            (999, 12, 31),
            (1970, 1, 1),
            (2024, 2, 29),
            (9999, 12, 31),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            same_as_chrono(
                day.and_hms_micro_opt(23, 59, 59, 123_456)
                    .unwrap()
                    .and_utc(),
            );
            same_as_chrono(day.and_hms_opt(0, 0, 0).unwrap().and_utc());
        }
    }

    #[test]
    fn what_only_chrono_writes_is_left_to_chrono() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_milli_opt(23, 59, 59, 1_500)
            .unwrap()
            .and_utc();
        same_as_chrono(leap);
        let far = NaiveDate::from_ymd_opt(12_345, 6, 7)
            .unwrap()
            .and_hms_opt(8, 9, 10)
            .unwrap()
            .and_utc();
        same_as_chrono(far);
        let before_year_zero = NaiveDate::from_ymd_opt(-44, 3, 15)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc();
        same_as_chrono(before_year_zero);
    }

    #[test]
    fn a_spread_of_instants_reads_as_chrono_writes_it() {
        let mut micros: i64 = -62_000_000_000_000_000;
        while micros < 253_000_000_000_000_000 {
            same_as_chrono(DateTime::from_timestamp_micros(micros).unwrap());
            micros += 7_919_999_999_999_937;
        }
    }

    #[derive(Serialize)]
    struct Day(#[serde(serialize_with = "date::serialize")] NaiveDate);

    #[test]
    fn days_read_as_chrono_writes_them() {
        for (y, m, d) in [
            (1, 1, 1),
            (999, 12, 31),
            (2026, 11, 24),
            (9999, 12, 31),
            (10_000, 1, 1),
            (-1, 6, 15),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(
                serde_json::to_string(&Day(day)).unwrap(),
                serde_json::to_string(&day).unwrap()
            );
        }
    }

    #[test]
    fn a_missing_time_is_null_and_a_present_one_is_fast() {
        assert_eq!(serde_json::to_string(&Maybe(None)).unwrap(), "null");
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 30, 0).unwrap();
        assert_eq!(
            serde_json::to_string(&Maybe(Some(at))).unwrap(),
            "\"2026-01-05T09:30:00Z\""
        );
    }
}
