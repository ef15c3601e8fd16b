//! Training inputs parsed into domain values once, at the edge: the GraphQL
//! resolvers and the CSV importer share these parsers, so a row of a file is
//! held to exactly the rules of a form.

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{AppError, AppResult};
use crate::ids::CooperativeId;
use crate::training::Gender;
use crate::values::{Email, PhoneNumber, text};

/// A person to enrol, parsed.
#[derive(Clone, Debug)]
pub struct ParticipantDetails {
    pub full_name: String,
    pub phone: PhoneNumber,
    pub email: Option<Email>,
    pub cooperative: Option<CooperativeId>,
    pub role_in_cooperative: Option<String>,
    pub commune: String,
    pub area: String,
    pub gender: Option<Gender>,
}

/// A person's full name: 1 to 100 characters after trimming.
pub fn full_name(raw: &str, field: &str) -> AppResult<String> {
    crate::text::single_line(raw, field, 100)
}

/// A commune, ward or area name: 1 to 100 characters after trimming.
pub fn place(raw: &str, field: &str) -> AppResult<String> {
    crate::text::single_line(raw, field, 100)
}

/// An optional role in a cooperative (e.g. "xã viên", "kế toán").
pub fn role_in_cooperative(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    crate::values::line(raw, field, 100)
}

/// An optional e-mail address; blank means none.
pub fn optional_email(raw: Option<&str>, field: &str) -> AppResult<Option<Email>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Email::parse(raw, field).map(Some),
        None => Ok(None),
    }
}

/// A gender as people write it in a spreadsheet, in English or Vietnamese
/// (`nữ`, `nam`, `khác`, `F`, `M`); blank means not given.
pub fn gender_text(raw: &str, field: &str) -> AppResult<Option<Gender>> {
    let folded = crate::text::fold(raw);
    match folded.as_str() {
        "" => Ok(None),
        "female" | "f" | "nu" => Ok(Some(Gender::Female)),
        "male" | "m" | "nam" => Ok(Some(Gender::Male)),
        "other" | "khac" => Ok(Some(Gender::Other)),
        _ => Err(AppError::invalid(
            field,
            format!("`{raw}` is not a gender (FEMALE/nữ, MALE/nam or OTHER/khác)"),
        )),
    }
}

/// A course's public contact: a name (1 to 100 characters) and a phone or
/// an e-mail, at least one. `field` names the input (`input.contact`).
pub fn course_contact(
    name: &str,
    phone: Option<&str>,
    email: Option<&str>,
    field: &str,
) -> AppResult<crate::training::service::courses::CourseContact> {
    let name = crate::text::single_line(name, &format!("{field}.name"), 100)?;
    let phone = match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(raw) => Some(PhoneNumber::parse(raw, &format!("{field}.phone"))?),
        None => None,
    };
    let email = optional_email(email, &format!("{field}.email"))?;
    if phone.is_none() && email.is_none() {
        return Err(AppError::invalid(
            field,
            "give a phone number or an e-mail address people can reach about the course",
        ));
    }
    Ok(crate::training::service::courses::CourseContact {
        name,
        phone: phone.map(|p| p.as_str().to_owned()),
        email: email.map(|e| e.as_str().to_owned()),
    })
}

/// The days of a course: the last not before the first.
pub fn course_dates(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    field: &str,
) -> AppResult<(NaiveDate, NaiveDate)> {
    if ends_on < starts_on {
        return Err(AppError::invalid(
            field,
            format!("the course ends ({ends_on}) before it starts ({starts_on})"),
        ));
    }
    Ok((starts_on, ends_on))
}

/// A number of seats: 1 to 10,000.
pub fn capacity(raw: i32, field: &str) -> AppResult<i32> {
    if !(1..=10_000).contains(&raw) {
        return Err(AppError::invalid(
            field,
            "must be between 1 and 10000 seats",
        ));
    }
    Ok(raw)
}

/// A share of sessions, 0 to 100.
pub fn percent(raw: i32, field: &str) -> AppResult<i32> {
    if !(0..=100).contains(&raw) {
        return Err(AppError::invalid(
            field,
            "must be a percentage from 0 to 100",
        ));
    }
    Ok(raw)
}

/// The time window of a session: it ends after it starts.
pub fn session_window(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    field: &str,
) -> AppResult<(DateTime<Utc>, DateTime<Utc>)> {
    if ends_at <= starts_at {
        return Err(AppError::invalid(
            field,
            "the session must end after it starts",
        ));
    }
    if ends_at - starts_at > chrono::Duration::hours(24) {
        return Err(AppError::invalid(field, "a session lasts at most 24 hours"));
    }
    Ok((starts_at, ends_at))
}

/// An optional `http(s)` link to an online session.
pub fn online_url(raw: Option<&str>, field: &str) -> AppResult<Option<String>> {
    let Some(url) = text(raw, field, 500)? else {
        return Ok(None);
    };
    if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
        return Err(AppError::invalid(
            field,
            "must be a web link starting with https://",
        ));
    }
    Ok(Some(url))
}

/// The window of an outcome comparison: 1 to 365 days.
pub fn window_days(raw: i32, field: &str) -> AppResult<i64> {
    if !(1..=365).contains(&raw) {
        return Err(AppError::invalid(field, "must be between 1 and 365 days"));
    }
    Ok(i64::from(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genders_are_read_in_english_and_vietnamese() {
        for (raw, want) in [
            ("Nữ", Some(Gender::Female)),
            ("female", Some(Gender::Female)),
            ("NAM", Some(Gender::Male)),
            ("m", Some(Gender::Male)),
            ("khác", Some(Gender::Other)),
            ("  ", None),
        ] {
            assert_eq!(gender_text(raw, "g").ok(), Some(want), "{raw}");
        }
        assert!(gender_text("maybe", "g").is_err());
    }

    #[test]
    fn a_session_must_end_after_it_starts() {
        let start = Utc::now();
        assert!(session_window(start, start, "w").is_err());
        assert!(session_window(start, start - chrono::Duration::minutes(1), "w").is_err());
        assert!(session_window(start, start + chrono::Duration::hours(25), "w").is_err());
        assert!(session_window(start, start + chrono::Duration::hours(2), "w").is_ok());
    }

    #[test]
    fn course_numbers_are_bounded() {
        assert!(capacity(0, "c").is_err());
        assert!(capacity(30, "c").is_ok());
        assert!(percent(101, "p").is_err());
        assert!(percent(80, "p").is_ok());
        assert!(window_days(0, "w").is_err());
        assert!(online_url(Some("ftp://x"), "u").is_err());
        assert_eq!(
            online_url(Some(" https://meet.example/abc "), "u").ok(),
            Some(Some("https://meet.example/abc".into()))
        );
    }
}
