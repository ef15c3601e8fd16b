//! Short labels of products and lots: SKUs, lot codes and tags.

use rand::Rng;

use crate::error::{AppError, AppResult};

/// A stock-keeping unit: 1 to 64 letters, digits, `-`, `_` or `.`, upper-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sku(String);

impl Sku {
    /// Parses a SKU as typed, naming `field` when it is not one.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
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
        Ok(Self(s))
    }

    /// The SKU as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SKU as stored, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Tags as stored: trimmed, lower-cased, distinct, at most 20 of 1–40
/// characters, without commas (the search text joins them with spaces).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags(Vec<String>);

impl Tags {
    /// Parses tags as typed, naming `field` when one is wrong.
    pub fn parse(raw: &[String], field: &str) -> AppResult<Self> {
        let mut out: Vec<String> = Vec::new();
        for tag in raw {
            let tag = tag.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if tag.chars().nth(40).is_some() || tag.contains(',') || tag.contains(char::is_control)
            {
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
        Ok(Self(out))
    }

    /// The tags, in the order given.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// The tags as stored, owned.
    pub fn into_inner(self) -> Vec<String> {
        self.0
    }
}

/// Characters of lot codes: no 0/O, 1/I/L, so a code can be read out and typed.
const LOT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A lot code such as `LOT-7K3M-Q9XD`: printed on packages, typed back
/// from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LotCode(String);

impl LotCode {
    /// A new random lot code.
    pub fn random() -> Self {
        let mut rng = rand::rng();
        let mut pick = || LOT_ALPHABET[rng.random_range(0..LOT_ALPHABET.len())] as char;
        let a: String = (0..4).map(|_| pick()).collect();
        let b: String = (0..4).map(|_| pick()).collect();
        Self(format!("LOT-{a}-{b}"))
    }

    /// A lot code as typed by a person: case, spaces and dashes forgiven;
    /// look-alike characters (O, I, L, 0, 1) are not in the alphabet, so
    /// they are refused. `None` when `raw` cannot be one.
    pub fn parse(raw: &str) -> Option<Self> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        let body = compact.strip_prefix("LOT").unwrap_or(&compact);
        if body.len() != 8 || !body.bytes().all(|b| LOT_ALPHABET.contains(&b)) {
            return None;
        }
        Some(Self(format!("LOT-{}-{}", &body[..4], &body[4..])))
    }

    /// The code as stored and printed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as stored, owned.
    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_upper_cased_and_checked() {
        let sku = Sku::parse(" ms-01.a ", "s").expect("a sku");
        assert_eq!(sku.as_str(), "MS-01.A");
        assert!(Sku::parse("", "s").is_err());
        assert!(Sku::parse("a b", "s").is_err());
    }

    #[test]
    fn tags_are_normalised() {
        let tags = Tags::parse(
            &[" VietGAP ".into(), "vietgap".into(), "Sơn La".into()],
            "t",
        )
        .expect("tags");
        assert_eq!(tags.as_slice(), ["vietgap", "sơn la"]);
        assert!(Tags::parse(&["a,b".into()], "t").is_err());
    }

    #[test]
    fn lot_codes_are_typable() {
        for _ in 0..100 {
            let code = LotCode::random();
            let text = code.as_str();
            assert_eq!(text.len(), 13);
            assert!(!text[4..].contains(['0', 'O', '1', 'I', 'L']), "{text}");
            assert_eq!(LotCode::parse(&text.to_lowercase()).as_ref(), Some(&code));
        }
        assert_eq!(
            LotCode::parse("lot 7k3m q9xd")
                .map(LotCode::into_inner)
                .as_deref(),
            Some("LOT-7K3M-Q9XD")
        );
        assert_eq!(LotCode::parse("LOT-7K3M-Q9X"), None);
        assert_eq!(LotCode::parse("LOT-OOOO-0000"), None);
    }
}
