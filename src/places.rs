//! Vietnam's provinces and centrally-run cities since 1 July 2025 (34 units;
//! districts no longer exist), matched with or without tone marks.

use crate::error::{AppError, AppResult};
use crate::text::fold;

/// The 34 provincial-level units, official names.
pub const PROVINCES: [&str; 34] = [
    "Hà Nội",
    "Huế",
    "Hải Phòng",
    "Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "Cần Thơ",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Ninh Bình",
    "Quảng Trị",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Đồng Nai",
    "Tây Ninh",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
];

/// Provinces merged away on 1 July 2025, and the unit each is part of now.
const MERGED: [(&str, &str); 29] = [
    ("Hà Giang", "Tuyên Quang"),
    ("Yên Bái", "Lào Cai"),
    ("Bắc Kạn", "Thái Nguyên"),
    ("Vĩnh Phúc", "Phú Thọ"),
    ("Hòa Bình", "Phú Thọ"),
    ("Bắc Giang", "Bắc Ninh"),
    ("Thái Bình", "Hưng Yên"),
    ("Hải Dương", "Hải Phòng"),
    ("Hà Nam", "Ninh Bình"),
    ("Nam Định", "Ninh Bình"),
    ("Quảng Bình", "Quảng Trị"),
    ("Quảng Nam", "Đà Nẵng"),
    ("Kon Tum", "Quảng Ngãi"),
    ("Bình Định", "Gia Lai"),
    ("Ninh Thuận", "Khánh Hòa"),
    ("Đắk Nông", "Lâm Đồng"),
    ("Bình Thuận", "Lâm Đồng"),
    ("Phú Yên", "Đắk Lắk"),
    ("Bình Dương", "Thành phố Hồ Chí Minh"),
    ("Bà Rịa - Vũng Tàu", "Thành phố Hồ Chí Minh"),
    ("Bình Phước", "Đồng Nai"),
    ("Long An", "Tây Ninh"),
    ("Sóc Trăng", "Cần Thơ"),
    ("Hậu Giang", "Cần Thơ"),
    ("Bến Tre", "Vĩnh Long"),
    ("Trà Vinh", "Vĩnh Long"),
    ("Tiền Giang", "Đồng Tháp"),
    ("Bạc Liêu", "Cà Mau"),
    ("Kiên Giang", "An Giang"),
];

/// A current province or centrally-run city, by its official name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Province(&'static str);

fn key(s: &str) -> String {
    let folded = fold(s).replace(['.', '-', ','], " ");
    let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    for prefix in ["thanh pho ", "tinh ", "tp "] {
        if let Some(rest) = folded.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    folded
}

impl Province {
    /// Parses a province name typed with or without tone marks, with or
    /// without "Tỉnh"/"Thành phố"; a pre-2025 name is refused with its
    /// successor named.
    pub fn parse(raw: &str, field: &str) -> AppResult<Self> {
        let wanted = key(raw);
        if wanted.is_empty() {
            return Err(AppError::invalid(field, "is required"));
        }
        let wanted = match wanted.as_str() {
            "hcm" | "tphcm" | "sai gon" => "ho chi minh".to_owned(),
            "thua thien hue" => "hue".to_owned(),
            _ => wanted,
        };
        if let Some(name) = PROVINCES.iter().find(|p| key(p) == wanted) {
            return Ok(Self(name));
        }
        if let Some((old, now)) = MERGED.iter().find(|(old, _)| key(old) == wanted) {
            return Err(AppError::invalid(
                field,
                format!("{old} is no longer a province: since 1 July 2025 it is part of {now}"),
            ));
        }
        Err(AppError::invalid(
            field,
            format!(
                "`{}` is not one of Vietnam's 34 provinces and centrally-run cities",
                raw.trim()
            ),
        ))
    }

    /// The official name.
    pub fn name(&self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_34_distinct_units() {
        let mut keys: Vec<String> = PROVINCES.iter().map(|p| key(p)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 34);
    }

    #[test]
    fn provinces_match_with_or_without_tone_marks() {
        for (raw, want) in [
            ("Sơn La", "Sơn La"),
            ("son la", "Sơn La"),
            ("Tỉnh Sơn La", "Sơn La"),
            ("TP. Hồ Chí Minh", "Thành phố Hồ Chí Minh"),
            ("ho chi minh", "Thành phố Hồ Chí Minh"),
            ("dak lak", "Đắk Lắk"),
            ("Thành phố Hà Nội", "Hà Nội"),
        ] {
            assert_eq!(
                Province::parse(raw, "p").map(|p| p.name()).ok(),
                Some(want),
                "{raw}"
            );
        }
    }

    #[test]
    fn old_and_unknown_provinces_are_refused() {
        let err = Province::parse("Hòa Bình", "province").expect_err("merged");
        assert!(err.to_string().contains("Phú Thọ"), "{err}");
        assert!(Province::parse("Atlantis", "province").is_err());
        assert!(Province::parse("  ", "province").is_err());
    }
}
