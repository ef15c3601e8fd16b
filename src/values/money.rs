//! Money: whole đồng (VND has no minor unit).

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
}
