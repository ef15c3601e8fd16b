//! Scalars named for clients: `Date` (a calendar day) and `UnsignedInt64`
//! (a count or a sum that can outgrow GraphQL's 32-bit `Int`, sent as a
//! string so JavaScript clients lose no digit, like Shopify's).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar day, `2026-12-01` (RFC 3339's `full-date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar day, `2026-12-01` (RFC 3339's `full-date`), with no time or
/// time zone: the day as people in Vietnam name it.
#[Scalar(
    name = "Date",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("must be a date written YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(day: NaiveDate) -> Self {
        Self(day)
    }
}

/// A non-negative 64-bit integer, sent as a decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnsignedInt64(pub u64);

/// A non-negative integer up to 2⁶⁴ − 1, written as a decimal string
/// (`"2147483648"`) so that no client loses digits; sums of money, byte
/// sizes and counts that can grow past 2³¹ − 1 use it. Accepted as a
/// string or, when small enough, an `Int`.
#[Scalar(name = "UnsignedInt64")]
impl ScalarType for UnsignedInt64 {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                text.parse()
                    .map(UnsignedInt64)
                    .map_err(|_| InputValueError::custom("must be at most 18446744073709551615"))
            }
            Value::Number(number) => number
                .as_u64()
                .map(UnsignedInt64)
                .ok_or_else(|| InputValueError::custom("must be a non-negative integer")),
            _ => Err(InputValueError::custom(
                "must be a non-negative integer written as a decimal string",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<u64> for UnsignedInt64 {
    fn from(n: u64) -> Self {
        Self(n)
    }
}

impl UnsignedInt64 {
    /// A count or sum the database gave as a signed number; a negative one
    /// (which no column holds) shows as zero.
    pub fn of(n: i64) -> Self {
        Self(u64::try_from(n).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_reads_and_writes_as_full_date() {
        let day = Date::parse(Value::String("2026-12-01".into())).expect("a date");
        assert_eq!(day.to_value(), Value::String("2026-12-01".into()));
        assert!(Date::parse(Value::String("01/12/2026".into())).is_err());
        assert!(Date::parse(Value::String("2026-02-30".into())).is_err());
    }

    #[test]
    fn a_64_bit_number_travels_as_a_string() {
        let big = UnsignedInt64(5_000_000_000);
        assert_eq!(big.to_value(), Value::String("5000000000".into()));
        let back = UnsignedInt64::parse(Value::String("5000000000".into())).expect("a number");
        assert_eq!(back, big);
        assert!(UnsignedInt64::parse(Value::String("-1".into())).is_err());
        assert!(UnsignedInt64::parse(Value::String("1e9".into())).is_err());
        assert!(UnsignedInt64::parse(Value::String("99999999999999999999".into())).is_err());
        assert_eq!(UnsignedInt64::of(-3), UnsignedInt64(0));
    }
}
