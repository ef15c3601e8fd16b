//! VietQR: the NAPAS EMVCo payload a banking app scans to pay an order.
//!
//! Fields (ID, two-digit length, value): 00 "01" format; 01 "12" dynamic;
//! 38 merchant account (00 GUID `A000000727`, 01 beneficiary {00 BIN,
//! 01 account}, 02 `QRIBFTTA` transfer to account); 53 "704" VND; 54 amount;
//! 58 "VN"; 62 additional data (08 purpose: the memo); 63 CRC-16/CCITT-FALSE
//! over everything before its value, "6304" included.

use unicode_normalization::UnicodeNormalization;

/// One EMVCo field: id, two-digit length, value.
fn field(id: &str, value: &str) -> String {
    format!("{id}{:02}{value}", value.len())
}

/// The longest purpose-of-transaction EMVCo allows.
const MAX_MEMO: usize = 25;

/// A memo as it can go into the QR: tone marks removed (đ → d), only
/// printable ASCII, at most 25 characters.
pub fn ascii_memo(memo: &str) -> String {
    memo.nfd()
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            c => c,
        })
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .take(MAX_MEMO)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection,
/// no final XOR).
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The VietQR payload paying `amount_vnd` đồng to `account` at the bank
/// with `bin`, with `memo` (folded to ASCII) as the transfer's purpose.
pub fn payload(bin: &str, account: &str, amount_vnd: i64, memo: &str) -> String {
    let beneficiary = field("00", bin) + &field("01", account);
    let merchant =
        field("00", "A000000727") + &field("01", &beneficiary) + &field("02", "QRIBFTTA");
    let mut out = String::with_capacity(160);
    out.push_str(&field("00", "01"));
    out.push_str(&field("01", "12"));
    out.push_str(&field("38", &merchant));
    out.push_str(&field("53", "704"));
    out.push_str(&field("54", &amount_vnd.to_string()));
    out.push_str(&field("58", "VN"));
    let memo = ascii_memo(memo);
    if !memo.is_empty() {
        out.push_str(&field("62", &field("08", &memo)));
    }
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    out.push_str(&format!("{crc:04X}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crc_has_the_standard_check_value() {
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn the_payload_matches_the_published_reference_vector() {
        // docs/reference/vietqr.md (from the README of subiz/vietqr).
        assert_eq!(
            payload("970415", "0011001932418", 120_000, "ủng hộ lũ lụt"),
            "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C"
        );
    }

    #[test]
    fn memos_lose_tone_marks_and_are_cut_to_25_characters() {
        assert_eq!(ascii_memo("Đặt hàng FS7K3M9Q"), "Dat hang FS7K3M9Q");
        assert_eq!(ascii_memo(&"x".repeat(40)).len(), 25);
    }

    #[test]
    fn an_order_payload_ends_in_its_own_crc() {
        let p = payload("970415", "0011001932418", 350_000, "FS7K3M9Q");
        assert!(p.contains("62120808FS7K3M9Q"), "{p}");
        let (body, crc) = p.split_at(p.len() - 4);
        assert_eq!(format!("{:04X}", crc16_ccitt_false(body.as_bytes())), crc);
    }
}
