//! Relay connections: page arguments, opaque cursors, the page size cap.
//!
//! Cursors are keyset positions (the sort key of the last row seen), encoded
//! as base64url JSON, so a cursor stays valid while rows are added.

use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{AppError, AppResult};

/// The most items one page may hold.
pub const MAX_PAGE_SIZE: i32 = 100;
/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Parsed `first` / `after` arguments.
#[derive(Debug)]
pub struct Page<C> {
    /// How many items to return.
    pub first: u64,
    /// Start after this position.
    pub after: Option<C>,
}

impl<C: DeserializeOwned> Page<C> {
    /// Checks `first` (1 to 100) and decodes `after`.
    pub fn parse(first: Option<i32>, after: Option<&str>) -> AppResult<Self> {
        let first = first.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(0..=MAX_PAGE_SIZE).contains(&first) {
            return Err(AppError::invalid(
                "first",
                format!("must be between 0 and {MAX_PAGE_SIZE}"),
            ));
        }
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self {
            first: u64::try_from(first).unwrap_or(0),
            after,
        })
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor<C: Serialize>(position: &C) -> String {
    let json = serde_json::to_vec(position).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor; anything not made by [`encode_cursor`] for this list is
/// a `BAD_USER_INPUT` on `after`.
pub fn decode_cursor<C: DeserializeOwned>(cursor: &str) -> AppResult<C> {
    let bad = || AppError::invalid("after", "is not a cursor from this list");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// Complexity of a connection field: its page size times what each node asks for.
pub fn connection_complexity(child: usize, first: Option<i32>) -> usize {
    let n = first.unwrap_or(DEFAULT_PAGE_SIZE).clamp(0, MAX_PAGE_SIZE);
    usize::try_from(n)
        .unwrap_or(0)
        .saturating_mul(child)
        .saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Pos {
        price: i64,
        id: String,
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let pos = Pos {
            price: 120_000,
            id: "x".into(),
        };
        let cursor = encode_cursor(&pos);
        assert_eq!(decode_cursor::<Pos>(&cursor).ok(), Some(pos));
        let err = decode_cursor::<Pos>("not-a-cursor!").expect_err("garbage");
        assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "after"));
    }

    #[test]
    fn page_size_is_capped() {
        assert_eq!(
            Page::<Pos>::parse(None, None).map(|p| p.first).ok(),
            Some(20)
        );
        assert!(Page::<Pos>::parse(Some(101), None).is_err());
        assert!(Page::<Pos>::parse(Some(-1), None).is_err());
    }
}
