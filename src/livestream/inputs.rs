//! Parsed livestream inputs.

use chrono::{DateTime, Duration, Utc};

use crate::error::{AppError, AppResult};

/// How long ago a show may be said to start: a host may record a show that
/// began a little earlier, never one from another season.
pub const MAX_START_IN_PAST: Duration = Duration::days(1);
/// How far ahead a show may be scheduled: five years (cooperatives plan a
/// harvest's shows a season ahead; anything further is a typing error).
pub const MAX_START_AHEAD: Duration = Duration::days(5 * 365);

/// The start of a show: from a day before `now` to five years after it.
pub fn show_start(at: DateTime<Utc>, now: DateTime<Utc>, field: &str) -> AppResult<DateTime<Utc>> {
    if at < now - MAX_START_IN_PAST {
        return Err(AppError::invalid(field, "is more than a day in the past"));
    }
    if at > now + MAX_START_AHEAD {
        return Err(AppError::invalid(field, "is more than five years ahead"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_start_between_yesterday_and_five_years_ahead() {
        let now = Utc::now();
        assert!(show_start(now, now, "s").is_ok());
        assert!(show_start(now - Duration::hours(23), now, "s").is_ok());
        assert!(show_start(now - Duration::hours(25), now, "s").is_err());
        assert!(show_start(now + Duration::days(4 * 365), now, "s").is_ok());
        assert!(show_start(now + Duration::days(6 * 365), now, "s").is_err());
    }
}
