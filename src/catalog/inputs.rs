//! Parsed catalogue inputs: money, stock, quantities, months, tags, SKUs,
//! dates and lot codes.

use chrono::NaiveDate;
use rand::Rng;

use crate::error::{AppError, AppResult};

/// An amount of money in whole đồng (VND has no minor unit), at least 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Vnd(i64);

/// The most a single price may be: 1 billion đồng.
pub const MAX_PRICE_VND: i64 = 1_000_000_000;

impl Vnd {
    /// Parses a price: a whole number of đồng between 1 and 1 billion.
    pub fn parse(raw: i64, field: &str) -> AppResult<Self> {
        if raw <= 0 {
            return Err(AppError::invalid(
                field,
                "must be a positive whole number of đồng",
            ));
        }
        if raw > MAX_PRICE_VND {
            return Err(AppError::invalid(
                field,
                "must be at most 1,000,000,000 đồng",
            ));
        }
        Ok(Self(raw))
    }

    /// The amount.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// Units in stock: 0 to 1,000,000.
pub fn stock(raw: i32, field: &str) -> AppResult<i32> {
    if !(0..=1_000_000).contains(&raw) {
        return Err(AppError::invalid(field, "must be between 0 and 1,000,000"));
    }
    Ok(raw)
}

/// The least quantity a pack or lot may hold: a thousandth of its unit
/// (one gram of a kilogram pack). Anything smaller is a typing error, and it
/// would make the price per kg absurd.
pub const MIN_QUANTITY: f64 = 0.001;
/// The most a pack or lot may hold, in its unit.
pub const MAX_QUANTITY: f64 = 100_000.0;

/// A positive quantity such as a pack's net weight: [`MIN_QUANTITY`] to
/// [`MAX_QUANTITY`] of its unit.
pub fn quantity(raw: f64, field: &str) -> AppResult<f64> {
    if !raw.is_finite() || !(MIN_QUANTITY..=MAX_QUANTITY).contains(&raw) {
        return Err(AppError::invalid(
            field,
            "must be between 0.001 and 100,000 of its unit",
        ));
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

/// The price of one kilogram or litre when `price_vnd` buys `amount` of it,
/// rounded to the đồng; `None` when it cannot be told (no amount, or a
/// figure beyond any real price).
pub fn price_per_unit(price_vnd: i64, amount: f64) -> Option<i64> {
    if !(amount.is_finite() && amount > 0.0) {
        return None;
    }
    let per = (price_vnd as f64 / amount).round();
    // Beyond this an f64 no longer holds whole đồng, let alone fits an i64.
    const LARGEST_EXACT: f64 = 9_007_199_254_740_992.0;
    (per.is_finite() && (0.0..=LARGEST_EXACT).contains(&per)).then_some(per as i64)
}

/// Harvest months as stored: sorted, distinct, 1 to 12, comma-separated.
pub fn harvest_months(raw: &[i32], field: &str) -> AppResult<String> {
    let mut months = raw.to_vec();
    if let Some(bad) = months.iter().find(|m| !(1..=12).contains(*m)) {
        return Err(AppError::invalid(
            field,
            format!("{bad} is not a month (1–12)"),
        ));
    }
    months.sort_unstable();
    months.dedup();
    Ok(months
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(","))
}

/// The months stored by [`harvest_months`].
pub fn months_of(stored: &str) -> Vec<i32> {
    stored
        .split(',')
        .filter_map(|m| m.trim().parse().ok())
        .collect()
}

/// Tags as stored: trimmed, lower-cased, distinct, at most 20 of 1–40 characters.
pub fn tags(raw: &[String], field: &str) -> AppResult<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().nth(40).is_some() || tag.contains(',') || tag.contains(char::is_control) {
            return Err(AppError::invalid(
                field,
                "each tag is 1–40 characters on one line, without commas",
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > 20 {
        return Err(AppError::invalid(field, "at most 20 tags"));
    }
    Ok(out.join(","))
}

/// The tags stored by [`tags`].
pub fn tags_of(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A stock-keeping unit: 1 to 64 letters, digits, `-`, `_` or `.`, upper-cased.
pub fn sku(raw: &str, field: &str) -> AppResult<String> {
    let s = raw.trim().to_uppercase();
    if s.is_empty()
        || s.len() > 64
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(AppError::invalid(
            field,
            "must be 1–64 letters, digits, '-', '_' or '.'",
        ));
    }
    Ok(s)
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

/// Characters of lot codes: no 0/O, 1/I/L, so a code can be read out and typed.
const LOT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A new random lot code such as `LOT-7K3M-Q9XD`.
pub fn new_lot_code() -> String {
    let mut rng = rand::rng();
    let mut pick = || LOT_ALPHABET[rng.random_range(0..LOT_ALPHABET.len())] as char;
    let a: String = (0..4).map(|_| pick()).collect();
    let b: String = (0..4).map(|_| pick()).collect();
    format!("LOT-{a}-{b}")
}

/// A lot code as typed by a person: case and spaces forgiven, look-alike
/// characters (O→0 is not in the alphabet, so O, I and L are refused).
pub fn normalise_lot_code(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_uppercase();
    let body = compact.strip_prefix("LOT").unwrap_or(&compact);
    if body.len() != 8 || !body.bytes().all(|b| LOT_ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("LOT-{}-{}", &body[..4], &body[4..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_positive_whole_dong() {
        assert!(Vnd::parse(0, "p").is_err());
        assert!(Vnd::parse(-5, "p").is_err());
        assert!(Vnd::parse(MAX_PRICE_VND + 1, "p").is_err());
        assert_eq!(Vnd::parse(120_000, "p").map(Vnd::get).ok(), Some(120_000));
    }

    #[test]
    fn pack_sizes_and_variant_counts_are_bounded() {
        assert!(quantity(1e-300, "q").is_err());
        assert!(quantity(0.000_9, "q").is_err());
        assert!(quantity(0.001, "q").is_ok());
        assert!(quantity(100_000.0, "q").is_ok());
        assert!(quantity(100_000.1, "q").is_err());
        assert!(quantity(f64::NAN, "q").is_err());
        assert!(variant_count(50, "v").is_ok());
        assert!(variant_count(51, "v").is_err());
    }

    #[test]
    fn unit_prices_never_overflow() {
        assert_eq!(price_per_unit(120_000, 2.0), Some(60_000));
        assert_eq!(
            price_per_unit(MAX_PRICE_VND, 0.000_001),
            Some(1_000_000_000_000_000)
        );
        assert_eq!(price_per_unit(i64::MAX, 1e-300), None);
        assert_eq!(price_per_unit(100, 0.0), None);
        assert_eq!(price_per_unit(100, f64::NAN), None);
    }

    #[test]
    fn months_and_tags_are_normalised() {
        assert_eq!(
            harvest_months(&[7, 5, 6, 5], "m").ok().as_deref(),
            Some("5,6,7")
        );
        assert!(harvest_months(&[13], "m").is_err());
        assert_eq!(months_of("5,6,7"), vec![5, 6, 7]);
        assert_eq!(
            tags(
                &[" VietGAP ".into(), "vietgap".into(), "Sơn La".into()],
                "t"
            )
            .ok()
            .as_deref(),
            Some("vietgap,sơn la")
        );
        assert!(tags(&["a,b".into()], "t").is_err());
    }

    #[test]
    fn lot_codes_are_typable() {
        for _ in 0..100 {
            let code = new_lot_code();
            assert_eq!(code.len(), 13);
            assert!(!code[4..].contains(['0', 'O', '1', 'I', 'L']), "{code}");
            assert_eq!(
                normalise_lot_code(&code.to_lowercase()).as_deref(),
                Some(code.as_str())
            );
        }
        assert_eq!(
            normalise_lot_code("lot 7k3m q9xd").as_deref(),
            Some("LOT-7K3M-Q9XD")
        );
        assert_eq!(normalise_lot_code("LOT-7K3M-Q9X"), None);
        assert_eq!(normalise_lot_code("LOT-OOOO-0000"), None);
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
