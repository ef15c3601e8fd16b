//! Parsed account inputs: once a value is one of these types it is valid.

use crate::error::{AppError, AppResult};

/// A password good enough to keep: 10 to 128 characters, not a well-known
/// one, not one character repeated. Never logged or shown.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 10;
const MAX_PASSWORD_CHARS: usize = 128;
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "0123456789",
    "12345678910",
    "1234567890a",
    "qwertyuiop",
    "password123",
    "password1234",
    "passwordpassword",
    "iloveyou123",
    "abc1234567",
    "1111111111",
    "matkhau123",
    "matkhau1234",
    "qwerty12345",
    "123456789a",
    "a123456789",
    "admin12345",
    "farmstream1",
];

impl Password {
    /// Checks a new password, naming `field` when it is too weak.
    pub fn parse_new(raw: &str, field: &str) -> AppResult<Self> {
        let chars = raw.chars().count();
        if chars == 0 {
            return Err(AppError::invalid(field, "is required"));
        }
        if chars < MIN_PASSWORD_CHARS {
            return Err(AppError::invalid(
                field,
                format!("is too short: use at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(AppError::invalid(
                field,
                format!("is too long: use at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        let lower = raw.to_lowercase();
        let distinct = {
            let mut seen: Vec<char> = lower.chars().collect();
            seen.sort_unstable();
            seen.dedup();
            seen.len()
        };
        if distinct < 4 || COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(AppError::invalid(
                field,
                "is too easy to guess: choose a longer, less common password",
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password as typed at login; only its length is bounded, so that a
    /// huge value cannot be used to make hashing expensive.
    pub fn parse_given(raw: &str, field: &str) -> AppResult<Self> {
        if raw.is_empty() {
            return Err(AppError::invalid(field, "is required"));
        }
        if raw.chars().count() > MAX_PASSWORD_CHARS {
            return Err(AppError::invalid(field, "is too long"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A person's display name: 1 to 100 characters, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses `raw`, naming `field` when it is empty or too long.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        crate::text::single_line(raw, field, 100).map(Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        for bad in [
            "",
            "short",
            "aaaaaaaaaaaa",
            "1234567890",
            "Password123",
            "ababababab",
        ] {
            assert!(
                Password::parse_new(bad, "p").is_err(),
                "{bad:?} should be refused"
            );
        }
        assert!(Password::parse_new("mận hậu Mộc Châu 2026", "p").is_ok());
        assert!(Password::parse_new(&"x1".repeat(100), "p").is_err());
    }

    #[test]
    fn passwords_are_not_printed() {
        let p = Password::parse_new("correct horse battery", "p").expect("valid");
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(
            DisplayName::parse("  Lò Thị Hoa ", "n")
                .map(|n| n.0)
                .ok()
                .as_deref(),
            Some("Lò Thị Hoa")
        );
        assert!(DisplayName::parse("   ", "n").is_err());
        assert!(DisplayName::parse(&"a".repeat(101), "n").is_err());
    }
}
