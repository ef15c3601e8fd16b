//! Parsed cooperative inputs.

use crate::error::{AppError, AppResult};
use crate::text::fold;

/// A bank account VietQR can pay into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    /// The bank's 6-digit identification number (NAPAS BIN, e.g. 970415).
    pub bin: String,
    /// 6 to 19 digits.
    pub number: String,
    /// The holder's name as banks print it: upper case, no tone marks.
    pub name: String,
}

impl BankAccount {
    /// Parses the three parts, naming the one at fault under `field`.
    pub fn parse(bin: &str, number: &str, name: &str, field: &str) -> AppResult<Self> {
        let bin = bin.trim();
        if bin.len() != 6 || !bin.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::invalid(
                format!("{field}.bin"),
                "must be the bank's 6-digit BIN (e.g. 970415)",
            ));
        }
        let number: String = number.chars().filter(|c| !c.is_whitespace()).collect();
        if !(6..=19).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::invalid(
                format!("{field}.accountNumber"),
                "must be 6 to 19 digits",
            ));
        }
        let holder = fold(name).to_uppercase();
        if holder.is_empty()
            || holder.len() > 100
            || !holder
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ')
        {
            return Err(AppError::invalid(
                format!("{field}.accountName"),
                "must be the account holder's name (letters, digits and spaces, at most 100)",
            ));
        }
        Ok(Self {
            bin: bin.to_owned(),
            number,
            name: holder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_accounts_are_normalised() {
        let acc = BankAccount::parse(
            "970415",
            "0011 0019 32418",
            "Nguyễn Văn Đức",
            "input.bankAccount",
        )
        .expect("valid");
        assert_eq!(acc.number, "0011001932418");
        assert_eq!(acc.name, "NGUYEN VAN DUC");
        let err = BankAccount::parse("97041", "0011001932418", "A", "input.bankAccount")
            .expect_err("bin");
        assert!(
            matches!(err, AppError::Invalid { ref field, .. } if field == "input.bankAccount.bin")
        );
    }
}
