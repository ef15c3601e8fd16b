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
    if line.chars().nth(max).is_some() {
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

/// True when `c` may appear in text that runs over several lines: any
/// character but a control character, save tab, line feed and carriage return.
/// (PostgreSQL refuses a NUL byte in text; the others have no business there.)
fn allowed_in_long_text(c: char) -> bool {
    !c.is_control() || matches!(c, '\t' | '\n' | '\r')
}

/// Optional text that may run over several lines (descriptions, stories,
/// notes, reasons): trimmed, `None` when empty, at most `max` characters,
/// no control characters but tab and line breaks.
pub fn multi_line(
    raw: Option<&str>,
    field: &str,
    max: usize,
) -> crate::error::AppResult<Option<String>> {
    use crate::error::AppError;
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().nth(max).is_some() {
        return Err(AppError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if !s.chars().all(allowed_in_long_text) {
        return Err(AppError::invalid(field, "contains control characters"));
    }
    Ok(Some(s.to_owned()))
}

/// The most characters a search may have.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search may have (each word is one `LIKE` condition).
pub const MAX_SEARCH_WORDS: usize = 12;

/// Search words as typed: one line of at most [`MAX_SEARCH_CHARS`]
/// characters and [`MAX_SEARCH_WORDS`] words; `None` when blank.
pub fn search(raw: Option<&str>, field: &str) -> crate::error::AppResult<Option<String>> {
    use crate::error::AppError;
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let s = single_line(s, field, MAX_SEARCH_CHARS)?;
    if s.split_whitespace().nth(MAX_SEARCH_WORDS).is_some() {
        return Err(AppError::invalid(
            field,
            format!("has more than {MAX_SEARCH_WORDS} words"),
        ));
    }
    Ok(Some(s))
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
    fn long_text_keeps_line_breaks_and_refuses_other_controls() {
        assert_eq!(
            multi_line(Some(" Dòng 1\n\tDòng 2\r\n "), "f", 100)
                .ok()
                .flatten()
                .as_deref(),
            Some("Dòng 1\n\tDòng 2")
        );
        assert!(multi_line(Some("a\0b"), "f", 100).is_err());
        assert!(multi_line(Some("a\u{7f}b"), "f", 100).is_err());
        assert!(multi_line(Some(&"x".repeat(101)), "f", 100).is_err());
        assert_eq!(multi_line(Some("  "), "f", 100).ok(), Some(None));
    }

    #[test]
    fn searches_are_one_short_line() {
        assert_eq!(
            search(Some(" xoài "), "s").ok().flatten().as_deref(),
            Some("xoài")
        );
        assert_eq!(search(Some(""), "s").ok(), Some(None));
        assert!(search(Some(&"a".repeat(201)), "s").is_err());
        assert!(search(Some("a\nb"), "s").is_err());
        assert!(search(Some(&"a ".repeat(13)), "s").is_err());
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
