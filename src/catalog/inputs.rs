//! Parsed catalogue inputs: stock, variant counts, months, dates and
//! coordinates. Money, measures, SKUs, tags and lot codes are shared values
//! ([`crate::values`]).

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};
use crate::values::Measure;

/// A pack's net quantity or a lot's quantity (the API's `netQuantity` and
/// `quantity`): a [`Measure`] of its unit.
pub fn quantity(raw: f64, field: &str) -> AppResult<Measure> {
    Measure::parse(raw, field)
}

/// Units in stock: 0 to 1,000,000.
pub fn stock(raw: i32, field: &str) -> AppResult<i32> {
    if !(0..=1_000_000).contains(&raw) {
        return Err(AppError::invalid(field, "must be between 0 and 1,000,000"));
    }
    Ok(raw)
}

/// The most variants (pack sizes) one product may have.
pub const MAX_VARIANTS: usize = 50;

/// Checks that `count` variants fit in one product.
pub fn variant_count(count: usize, field: &str) -> AppResult<usize> {
    if count > MAX_VARIANTS {
        return Err(AppError::invalid(
            field,
            format!("a product has at most {MAX_VARIANTS} variants"),
        ));
    }
    Ok(count)
}

/// Harvest months as stored: sorted, distinct, 1 to 12.
pub fn harvest_months(raw: &[i32], field: &str) -> AppResult<Vec<i32>> {
    let mut months = raw.to_vec();
    if let Some(bad) = months.iter().find(|m| !(1..=12).contains(*m)) {
        return Err(AppError::invalid(
            field,
            format!("{bad} is not a month (1–12)"),
        ));
    }
    months.sort_unstable();
    months.dedup();
    Ok(months)
}

/// A harvest date: not in the future, not before 2000.
pub fn harvest_date(raw: NaiveDate, today: NaiveDate, field: &str) -> AppResult<NaiveDate> {
    if raw > today {
        return Err(AppError::invalid(field, "cannot be in the future"));
    }
    if raw < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(AppError::invalid(field, "is implausibly long ago"));
    }
    Ok(raw)
}

/// A validity window: it must not end before it starts.
pub fn validity(
    from: NaiveDate,
    until: NaiveDate,
    field: &str,
) -> AppResult<(NaiveDate, NaiveDate)> {
    if until < from {
        return Err(AppError::invalid(field, "validUntil is before validFrom"));
    }
    Ok((from, until))
}

/// Latitude and longitude in degrees.
pub fn coordinates(
    lat: Option<f64>,
    lon: Option<f64>,
    field: &str,
) -> AppResult<(Option<f64>, Option<f64>)> {
    match (lat, lon) {
        (None, None) => Ok((None, None)),
        (Some(lat), Some(lon))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
        {
            Ok((Some(lat), Some(lon)))
        }
        (Some(_), Some(_)) => Err(AppError::invalid(
            field,
            "latitude must be within ±90 and longitude within ±180",
        )),
        _ => Err(AppError::invalid(
            field,
            "give both latitude and longitude, or neither",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_sizes_and_variant_counts_are_bounded() {
        assert!(quantity(0.000_9, "q").is_err());
        assert_eq!(quantity(2.5, "q").map(Measure::get).ok(), Some(2.5));
        assert!(variant_count(50, "v").is_ok());
        assert!(variant_count(51, "v").is_err());
    }

    #[test]
    fn months_are_normalised() {
        assert_eq!(harvest_months(&[7, 5, 6, 5], "m").ok(), Some(vec![5, 6, 7]));
        assert!(harvest_months(&[13], "m").is_err());
    }

    #[test]
    fn dates_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let tomorrow = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        assert!(harvest_date(tomorrow, today, "d").is_err());
        assert!(harvest_date(today, today, "d").is_ok());
        assert!(validity(tomorrow, today, "v").is_err());
        assert!(coordinates(Some(21.3), None, "c").is_err());
        assert!(coordinates(Some(91.0), Some(104.0), "c").is_err());
    }
}
