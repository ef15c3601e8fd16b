//! Vietnamese text made comparable: tone marks and diacritics removed, `đ`
//! read as `d`, lower case. Search folds both the stored text and the query,
//! so "xoai" finds "Xoài" and "moc chau" finds "Mộc Châu" on any database.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` for search: no diacritics, `đ` → `d`, lower case, single spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = true;
    for c in s.nfd() {
        if ('\u{0300}'..='\u{036f}').contains(&c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
            continue;
        }
        out.extend(c.to_lowercase());
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A URL slug from a Vietnamese name: "Xoài tròn Yên Châu" → `xoai-tron-yen-chau`.
/// At most 80 characters; empty when the name has no letters or digits.
pub fn slugify(s: &str) -> String {
    let mut slug = String::new();
    for c in fold(s).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 80 {
            break;
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A required single line of text: trimmed, 1 to `max` characters, no
/// control characters. Names of people, cooperatives and products use it.
pub fn single_line(raw: &str, field: &str, max: usize) -> crate::error::AppResult<String> {
    use crate::error::AppError;
    let line = raw.trim();
    if line.is_empty() {
        return Err(AppError::invalid(field, "is required"));
    }
    if line.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if line.chars().any(char::is_control) {
        return Err(AppError::invalid(field, "contains control characters"));
    }
    Ok(line.to_owned())
}

/// Escapes `%`, `_` and `\` so that user text matches literally in `LIKE … ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tone_marks_and_d_bar_are_folded() {
        assert_eq!(fold("Xoài tròn Yên Châu"), "xoai tron yen chau");
        assert_eq!(fold("Dâu tây"), "dau tay");
        assert_eq!(fold("Mộc Châu"), "moc chau");
        assert_eq!(fold("Đặc sản Điện Biên"), "dac san dien bien");
        assert_eq!(fold("Cà phê  Sơn La\tArabica"), "ca phe son la arabica");
        assert_eq!(fold("Mận hậu ƯỚT"), "man hau uot");
    }

    #[test]
    fn slugs_come_from_vietnamese_names() {
        assert_eq!(slugify("Xoài tròn Yên Châu"), "xoai-tron-yen-chau");
        assert_eq!(
            slugify("  Đường phèn — loại 1 (500g)! "),
            "duong-phen-loai-1-500g"
        );
        assert_eq!(slugify("!!!"), "");
        assert!(slugify(&"chè ".repeat(50)).len() <= 80);
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
