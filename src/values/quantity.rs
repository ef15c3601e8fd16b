//! Two kinds of "quantity", kept apart by their types: [`Units`], a count
//! of whole items (an order line's `quantity: Int`), and [`Measure`], how
//! much of its unit a pack or a harvest lot holds (a variant's
//! `netQuantity: Float`, a lot's `quantity: Float`).

use crate::error::{AppError, AppResult};

/// The most units of one variant in one order.
pub const MAX_UNITS: i32 = 1000;

/// A count of units to buy (packs, bottles: whole items), 1 to
/// [`MAX_UNITS`]. Not to be confused with a [`Measure`], which is how much
/// of its unit (kg, litre) one pack or lot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Units(i32);

impl Units {
    /// Parses `raw`, naming `field` when it is out of range.
    pub fn parse(raw: i32, field: &str) -> AppResult<Self> {
        if (1..=MAX_UNITS).contains(&raw) {
            Ok(Self(raw))
        } else {
            Err(AppError::invalid(
                field,
                format!("must be between 1 and {MAX_UNITS}"),
            ))
        }
    }

    /// The number of units.
    pub fn get(self) -> i32 {
        self.0
    }
}

/// The least a pack or lot may hold: a thousandth of its unit (one gram of
/// a kilogram pack). Anything smaller is a typing error, and it would make
/// the price per kg absurd.
pub const MIN_MEASURE: f64 = 0.001;
/// The most a pack or lot may hold, in its unit.
pub const MAX_MEASURE: f64 = 100_000.0;

/// How much of its unit (kg, g, litre…) a pack or a harvest lot holds, such
/// as a pack's net weight: [`MIN_MEASURE`] to [`MAX_MEASURE`]. The unit is
/// stored beside it.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Measure(f64);

impl Measure {
    /// Parses `raw`, naming `field` when it is not a finite amount in bounds.
    pub fn parse(raw: f64, field: &str) -> AppResult<Self> {
        if !raw.is_finite() || !(MIN_MEASURE..=MAX_MEASURE).contains(&raw) {
            return Err(AppError::invalid(
                field,
                "must be between 0.001 and 100,000 of its unit",
            ));
        }
        Ok(Self(raw))
    }

    /// The amount, in its unit.
    pub fn get(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_whole_and_bounded() {
        assert!(Units::parse(0, "q").is_err());
        assert!(Units::parse(MAX_UNITS + 1, "q").is_err());
        assert_eq!(Units::parse(3, "q").map(Units::get).ok(), Some(3));
    }

    #[test]
    fn measures_are_bounded() {
        assert!(Measure::parse(1e-300, "q").is_err());
        assert!(Measure::parse(0.000_9, "q").is_err());
        assert!(Measure::parse(0.001, "q").is_ok());
        assert!(Measure::parse(100_000.0, "q").is_ok());
        assert!(Measure::parse(100_000.1, "q").is_err());
        assert!(Measure::parse(f64::NAN, "q").is_err());
    }
}
