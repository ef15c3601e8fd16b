//! Short labels of products and lots: SKUs, lot codes and tags.

use rand::Rng;

use crate::error::{AppError, AppResult};

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

/// Tags as stored: trimmed, lower-cased, distinct, at most 20 of 1–40
/// characters, without commas (the search text joins them with spaces).
pub fn tags(raw: &[String], field: &str) -> AppResult<Vec<String>> {
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
    Ok(out)
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
    fn skus_are_upper_cased_and_checked() {
        assert_eq!(sku(" ms-01.a ", "s").ok().as_deref(), Some("MS-01.A"));
        assert!(sku("", "s").is_err());
        assert!(sku("a b", "s").is_err());
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            tags(
                &[" VietGAP ".into(), "vietgap".into(), "Sơn La".into()],
                "t"
            )
            .ok(),
            Some(vec!["vietgap".to_owned(), "sơn la".to_owned()])
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
}
