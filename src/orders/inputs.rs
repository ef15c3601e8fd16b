//! Order inputs parsed into domain types at the edge: quantities, order
//! numbers, idempotency keys, shipping addresses, whole requests.

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::ids::{LivestreamId, VariantId};
use crate::orders::PaymentMethod;
use crate::places::Province;
use crate::text::single_line;
use crate::values::{PhoneNumber, Units};

/// Letters and digits that cannot be mistaken for one another when read
/// over the phone or copied by hand: no 0/O, 1/I/L, 5/S, 8/B, 2/Z.
pub const NUMBER_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
/// How many characters follow `FS-` in an order number.
pub const NUMBER_LEN: usize = 6;

/// A new random order number, e.g. `FS-7K3M9Q`.
pub fn new_order_number() -> String {
    let mut rng = rand::rng();
    let body: String = (0..NUMBER_LEN)
        .map(|_| char::from(NUMBER_ALPHABET[rng.random_range(0..NUMBER_ALPHABET.len())]))
        .collect();
    format!("FS-{body}")
}

/// The transfer memo of an order number: the number without its dash
/// (banks drop punctuation from memos).
pub fn memo_of(number: &str) -> String {
    number.replace('-', "")
}

/// Normalises an order number as a person might type it (lower case,
/// spaces, no dash); `None` when it cannot be one.
pub fn normalise_order_number(raw: &str) -> Option<String> {
    let compact: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body = compact.strip_prefix("FS")?;
    (body.len() == NUMBER_LEN && body.bytes().all(|b| NUMBER_ALPHABET.contains(&b)))
        .then(|| format!("FS-{body}"))
}

/// Finds the order memos (`FS` and six number characters) in a transfer's
/// free-text memo, as banks deliver it (any case, extra words around it).
pub fn memos_in(text: &str) -> Vec<String> {
    let upper: Vec<u8> = text
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    let mut found = Vec::new();
    let width = 2 + NUMBER_LEN;
    for window in upper.windows(width) {
        if window.starts_with(b"FS") && window[2..].iter().all(|b| NUMBER_ALPHABET.contains(b)) {
            found.push(String::from_utf8_lossy(window).into_owned());
        }
    }
    found
}

/// A client's idempotency key: 8 to 100 visible ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Parses `raw`, naming `field` when it is not a key.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let key = raw.trim();
        if (8..=100).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(key.to_owned()))
        } else {
            Err(AppError::invalid(
                field,
                "must be 8 to 100 visible ASCII characters (a UUID is a good key)",
            ))
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where to deliver, parsed.
#[derive(Clone, Debug)]
pub struct ShippingAddress {
    pub recipient_name: String,
    pub phone: PhoneNumber,
    pub province: Province,
    pub ward: String,
    pub street: String,
}

impl ShippingAddress {
    /// Parses each field, naming the first one at fault under `field`.
    pub fn parse(
        recipient_name: &str,
        phone: &str,
        province: &str,
        ward: &str,
        street: &str,
        field: &str,
    ) -> AppResult<Self> {
        Ok(Self {
            recipient_name: single_line(recipient_name, &format!("{field}.recipientName"), 100)?,
            phone: PhoneNumber::parse(phone, &format!("{field}.phone"))?,
            province: Province::parse(province, &format!("{field}.province"))?,
            ward: single_line(ward, &format!("{field}.ward"), 100)?,
            street: single_line(street, &format!("{field}.street"), 200)?,
        })
    }
}

/// One line of an order request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemRequest {
    /// Where the line first appeared in the request, for error fields.
    pub index: usize,
    pub variant: VariantId,
    pub quantity: Units,
}

/// A whole order request, parsed: what `placeOrder` and `checkoutCart` ask.
#[derive(Clone, Debug)]
pub struct PlaceOrder {
    pub idempotency_key: IdempotencyKey,
    /// Lines merged by variant, in the order first given.
    pub items: Vec<ItemRequest>,
    pub livestream: Option<LivestreamId>,
    pub address: ShippingAddress,
    pub payment_method: PaymentMethod,
    pub note: Option<String>,
    /// The cart being checked out, if it is one: its contents are server
    /// state, so the cart (not its lines) is what the request names.
    pub cart: Option<uuid::Uuid>,
}

impl PlaceOrder {
    /// Merges lines of the same variant (the sum must stay within
    /// [`MAX_UNITS`](crate::values::MAX_UNITS)); an empty list is refused, naming `field`.
    pub fn merge_items(lines: Vec<(VariantId, Units)>, field: &str) -> AppResult<Vec<ItemRequest>> {
        if lines.is_empty() {
            return Err(AppError::invalid(field, "must hold at least one item"));
        }
        let mut merged: Vec<ItemRequest> = Vec::with_capacity(lines.len());
        for (i, (variant, quantity)) in lines.into_iter().enumerate() {
            match merged.iter_mut().find(|m| m.variant == variant) {
                Some(line) => {
                    line.quantity = Units::parse(
                        line.quantity.get().saturating_add(quantity.get()),
                        &format!("{field}[{i}].quantity"),
                    )?;
                }
                None => merged.push(ItemRequest {
                    index: i,
                    variant,
                    quantity,
                }),
            }
        }
        Ok(merged)
    }

    /// SHA-256 (hex) of the request in a canonical form (items sorted, the
    /// key left out): the same request always hashes the same. A cart
    /// checkout hashes the cart instead of its lines, so that a retry after
    /// the cart was emptied still finds its checkout.
    pub fn canonical_hash(&self) -> String {
        let mut items: Vec<(String, i32)> = self
            .items
            .iter()
            .map(|i| (i.variant.uuid().to_string(), i.quantity.get()))
            .collect();
        items.sort();
        let canonical = serde_json::json!({
            "items": match self.cart {
                Some(cart) => serde_json::json!({ "cart": cart.to_string() }),
                None => serde_json::json!(items),
            },
            "livestream": self.livestream.map(|l| l.uuid().to_string()),
            "address": [
                self.address.recipient_name,
                self.address.phone.as_str(),
                self.address.province.name(),
                self.address.ward,
                self.address.street,
            ],
            "payment": self.payment_method.to_string(),
            "note": self.note,
        });
        hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_between_one_and_a_thousand() {
        assert!(Units::parse(1, "q").is_ok());
        assert!(Units::parse(1000, "q").is_ok());
        for bad in [0, -1, 1001, i32::MIN, i32::MAX] {
            assert!(Units::parse(bad, "q").is_err(), "{bad}");
        }
    }

    #[test]
    fn order_numbers_are_short_readable_and_parse_back() {
        for _ in 0..200 {
            let n = new_order_number();
            assert_eq!(n.len(), 9);
            assert!(n.starts_with("FS-"));
            assert!(!n[3..].contains(['0', 'O', '1', 'I', 'L', '5', 'S', '8', 'B', '2', 'Z']));
            assert_eq!(normalise_order_number(&n.to_lowercase()), Some(n.clone()));
            assert_eq!(normalise_order_number(&memo_of(&n)), Some(n));
        }
        assert_eq!(normalise_order_number("FS-7K3M9"), None);
        assert_eq!(normalise_order_number("XX-7K3M9Q"), None);
    }

    #[test]
    fn memos_are_found_inside_bank_text() {
        assert_eq!(
            memos_in("CT DEN:123 fs7k3m9q chuyen tien"),
            vec!["FS7K3M9Q".to_owned()]
        );
        assert!(memos_in("ung ho lu lut").is_empty());
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert!(IdempotencyKey::parse("2b1c7e0a-key", "k").is_ok());
        assert!(IdempotencyKey::parse("short", "k").is_err());
        assert!(IdempotencyKey::parse("has a space", "k").is_err());
        assert!(IdempotencyKey::parse(&"k".repeat(101), "k").is_err());
    }

    #[test]
    fn addresses_name_the_field_at_fault() {
        let err = ShippingAddress::parse("Lan", "0912345678", "Hòa Bình", "Xã A", "Bản B", "a")
            .expect_err("merged province");
        assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "a.province"));
        let err = ShippingAddress::parse("Lan", "12345", "Sơn La", "Xã A", "Bản B", "a")
            .expect_err("phone");
        assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "a.phone"));
        let err = ShippingAddress::parse("  ", "0912345678", "Sơn La", "Xã A", "Bản B", "a")
            .expect_err("name");
        assert!(matches!(err, AppError::Invalid { ref field, .. } if field == "a.recipientName"));
        assert!(
            ShippingAddress::parse("Lan", "0912345678", "son la", "Xã A", "Bản B", "a").is_ok()
        );
    }

    #[test]
    fn the_same_request_hashes_the_same_whatever_the_item_order() {
        let v1 = VariantId::new();
        let v2 = VariantId::new();
        let q = |n| Units::parse(n, "q").expect("q");
        let make = |items| PlaceOrder {
            idempotency_key: IdempotencyKey::parse("key-12345678", "k").expect("key"),
            items,
            livestream: None,
            address: ShippingAddress::parse("Lan", "0912345678", "Sơn La", "Xã A", "Bản B", "a")
                .expect("address"),
            payment_method: PaymentMethod::Cod,
            note: None,
            cart: None,
        };
        let a = make(PlaceOrder::merge_items(vec![(v1, q(1)), (v2, q(2))], "i").expect("items"));
        let b = make(
            PlaceOrder::merge_items(vec![(v2, q(1)), (v1, q(1)), (v2, q(1))], "i").expect("items"),
        );
        assert_eq!(a.canonical_hash(), b.canonical_hash());
        let c = make(PlaceOrder::merge_items(vec![(v1, q(2)), (v2, q(2))], "i").expect("items"));
        assert_ne!(a.canonical_hash(), c.canonical_hash());
        assert!(PlaceOrder::merge_items(vec![], "i").is_err());
        assert!(PlaceOrder::merge_items(vec![(v1, q(600)), (v1, q(600))], "i").is_err());
    }
}
