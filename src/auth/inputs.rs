//! Parsed account inputs: once a value is one of these types it is valid.

use crate::error::{AppError, AppResult};

/// A normalised (trimmed, lower-cased) e-mail address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `raw`, naming `field` when it is not an address.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let email = raw.trim().to_lowercase();
        let bad = |msg: &str| AppError::invalid(field, msg);
        if email.is_empty() {
            return Err(bad("is required"));
        }
        if email.len() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(bad("is not an e-mail address (it has no @)"));
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with(['.', '-'])
            && !domain.ends_with(['.', '-'])
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !(domain_ok && local_ok) {
            return Err(bad("is not an e-mail address"));
        }
        Ok(Self(email))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

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

/// A Vietnamese phone number in national form: a mobile number (`0` and nine
/// digits, `03`/`05`/`07`/`08`/`09`) or a landline (`02` and nine digits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses `raw`, accepting `+84`/`84` prefixes, spaces, dots and dashes.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let compact: String = raw
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        let digits = if let Some(rest) = compact.strip_prefix("+84") {
            format!("0{rest}")
        } else if compact.len() == 11 && compact.starts_with("84") && !compact.starts_with("840") {
            format!("0{}", &compact[2..])
        } else {
            compact
        };
        let all_digits = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        let mobile = digits.len() == 10
            && matches!(
                &digits[..2.min(digits.len())],
                "03" | "05" | "07" | "08" | "09"
            );
        let landline = digits.len() == 11 && digits.starts_with("02");
        if all_digits && (mobile || landline) {
            Ok(Self(digits))
        } else {
            Err(AppError::invalid(
                field,
                "is not a Vietnamese phone number (e.g. 0912 345 678 or +84 912 345 678)",
            ))
        }
    }

    /// The number in national form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Lan@Example.VN ", "e").map(|e| e.0).ok(),
            Some("lan@example.vn".into())
        );
        for bad in [
            "",
            "lan",
            "lan@",
            "@example.vn",
            "lan@example",
            "la n@example.vn",
            "lan@.vn",
            "a..b@x.vn",
        ] {
            assert!(Email::parse(bad, "e").is_err(), "{bad:?} should be refused");
        }
    }

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
    fn vietnamese_phone_numbers_are_normalised() {
        for (raw, want) in [
            ("0912345678", "0912345678"),
            ("0912 345 678", "0912345678"),
            ("+84 912 345 678", "0912345678"),
            ("84912345678", "0912345678"),
            ("039.123.4567", "0391234567"),
            ("02123 852 123", "02123852123"),
        ] {
            assert_eq!(
                PhoneNumber::parse(raw, "phone")
                    .map(|p| p.0)
                    .ok()
                    .as_deref(),
                Some(want),
                "{raw}"
            );
        }
        for bad in [
            "",
            "12345",
            "0112345678",
            "091234567",
            "09123456789",
            "abc0912345678",
            "+1 212 555 0100",
        ] {
            assert!(
                PhoneNumber::parse(bad, "phone").is_err(),
                "{bad:?} should be refused"
            );
        }
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
