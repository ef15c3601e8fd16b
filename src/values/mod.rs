//! Parsed values on the ground floor: once a value is one of these types it
//! is valid, whichever domain reads it. Values several domains share live
//! here, one file per family, so no domain borrows another's; values only
//! one domain knows (a password, an order number) stay in that domain.

mod codes;
mod contact;
mod dates;
mod money;
mod quantity;
mod text;

pub use codes::{LotCode, Sku, Tags};
pub use contact::{Email, PhoneNumber};
pub use dates::{MAX_YEAR, MIN_YEAR, date, date_time, year_allowed};
pub use money::{MAX_PRICE_VND, Vnd, price_per_unit};
pub use quantity::{MAX_MEASURE, MAX_UNITS, MIN_MEASURE, Measure, Units};
pub use text::{Name, Slug, line, required_text, text};
