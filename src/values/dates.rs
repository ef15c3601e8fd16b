//! Bounds every input of a kind shares, whichever domain reads it: the
//! years a date may name, and the text a date or time is written as.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The earliest year a date or time input may name.
pub const MIN_YEAR: i32 = 2000;
/// The latest year a date or time input may name.
pub const MAX_YEAR: i32 = 2100;

/// True when `year` is one a date or time input may name.
pub fn year_allowed(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

fn in_years() -> String {
    format!("must be in the years {MIN_YEAR} to {MAX_YEAR}")
}

/// A date and time as the `DateTime` scalar reads it (RFC 3339, an offset
/// of less than a day), in the years allowed; the message says what is wrong.
pub fn date_time(s: &str) -> Result<DateTime<Utc>, String> {
    let parsed = s
        .parse::<DateTime<Utc>>()
        .map_err(|_| "must be a date and time such as 2026-05-01T19:30:00+07:00".to_owned())?;
    if year_allowed(parsed.year()) {
        Ok(parsed)
    } else {
        Err(in_years())
    }
}

/// A date as the `NaiveDate` scalar reads it (`YYYY-MM-DD`, a real day),
/// in the years allowed; the message says what is wrong.
pub fn date(s: &str) -> Result<NaiveDate, String> {
    let parsed = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| "must be a real date written YYYY-MM-DD (e.g. 2026-05-01)".to_owned())?;
    if year_allowed(parsed.year()) {
        Ok(parsed)
    } else {
        Err(in_years())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_and_in_range() {
        assert!(date("2026-05-01").is_ok());
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "+275760-09-13",
            "1999-12-31",
            "2101-01-01",
            "yesterday",
            "",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_are_real_and_in_range() {
        assert!(date_time("2026-05-01T19:30:00+07:00").is_ok());
        for bad in [
            "2026-05-01T19:30:00+25:00",
            "+262143-01-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "yesterday",
        ] {
            assert!(date_time(bad).is_err(), "{bad}");
        }
    }
}
