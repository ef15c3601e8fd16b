//! Ways to reach a person: e-mail addresses and Vietnamese phone numbers.

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
}
