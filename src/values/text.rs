//! Names, slugs and bounded free text, as every domain parses them.

use crate::error::{AppError, AppResult};

/// A name of a cooperative or product: 1 to 200 characters, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// Parses `raw`, naming `field` when it is empty or too long.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        crate::text::single_line(raw, field, 200).map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A URL slug: lower-case ASCII letters, digits and single hyphens, 2 to 80.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug the client chose.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let s = raw.trim();
        let ok = (2..=80).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(AppError::invalid(
                field,
                "must be 2–80 lower-case letters, digits and single hyphens (e.g. xoai-tron-yen-chau)",
            ))
        }
    }

    /// A slug the server derived (already valid).
    pub fn derived(s: String) -> Self {
        Self(s)
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Optional free text bounded in length (descriptions, streets, areas):
/// trimmed, `None` when empty, no control characters but tab and line breaks.
pub fn text(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    crate::text::multi_line(raw, field, max)
}

/// Optional single-line text (a street, an area, a farm's name): trimmed,
/// `None` when empty, at most `max` characters, no control characters.
pub fn line(raw: Option<&str>, field: &str, max: usize) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => crate::text::single_line(s, field, max).map(Some),
    }
}

/// Required short text (1 to `max` characters).
pub fn required_text(raw: &str, field: &str, max: usize) -> AppResult<String> {
    text(Some(raw), field, max)?.ok_or_else(|| AppError::invalid(field, "is required"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert!(Name::parse("  ", "name").is_err());
        assert!(Name::parse(&"x".repeat(201), "name").is_err());
        assert_eq!(
            Name::parse(" HTX Xoài Yên Châu ", "name")
                .map(|n| n.0)
                .ok()
                .as_deref(),
            Some("HTX Xoài Yên Châu")
        );
    }

    #[test]
    fn slugs_are_checked() {
        assert!(Slug::parse("xoai-tron-yen-chau", "slug").is_ok());
        for bad in ["X", "xoài", "a--b", "-a", "a-", "a b"] {
            assert!(Slug::parse(bad, "slug").is_err(), "{bad}");
        }
    }
}
