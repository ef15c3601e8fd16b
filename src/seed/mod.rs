//! `farmstream seed`: believable demo data, loaded idempotently (running it
//! twice changes nothing). It grows with each domain.

use crate::auth::inputs::{DisplayName, Password};
use crate::auth::password::PasswordHashing;
use crate::auth::service::{self, NewAccount};
use crate::auth::tokens::TokenKeys;
use crate::auth::{PlatformRole, Viewer};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::values::{Email, PhoneNumber};

/// The password of every demo account. Demo data only: never seed a
/// production database.
pub const DEMO_PASSWORD: &str = "nong-san-son-la-2026";

/// Demo accounts: (email, display name, phone, role).
const ACCOUNTS: &[(&str, &str, &str, Option<PlatformRole>)] = &[
    (
        "admin@farmstream.vn",
        "Quản trị viên",
        "0912000001",
        Some(PlatformRole::Admin),
    ),
    (
        "sct.sonla@farmstream.vn",
        "Sở Công Thương Sơn La",
        "02123852001",
        Some(PlatformRole::Organiser),
    ),
    (
        "lan.nguyen@example.vn",
        "Nguyễn Thị Lan",
        "0987654321",
        None,
    ),
];

mod catalog;
mod training;

/// What seeding did.
#[derive(Debug, Default)]
pub struct Report {
    pub accounts_created: usize,
    pub cooperatives_created: usize,
    pub products_created: usize,
    pub courses_created: usize,
    pub certificates_issued: usize,
}

/// Loads the demo data that is missing.
pub async fn run(db: &Db, keys: &TokenKeys) -> AppResult<Report> {
    let mut report = Report::default();
    let mut admin = None;
    for (email, name, phone, role) in ACCOUNTS {
        let email = Email::parse(email, "email")?;
        let user = match service::find_by_email(db, &email).await? {
            Some(user) => user,
            None => {
                let account = NewAccount {
                    email,
                    password: Password::parse_new(DEMO_PASSWORD, "password")?,
                    display_name: DisplayName::parse(name, "displayName")?,
                    phone: Some(PhoneNumber::parse(phone, "phone")?),
                };
                report.accounts_created += 1;
                service::register(db, keys, &PasswordHashing::for_tools(), account)
                    .await?
                    .user
            }
        };
        let id = crate::ids::UserId::from(user.id);
        match role {
            Some(PlatformRole::Admin) => {
                service::ensure_role(db, id, PlatformRole::Admin).await?;
                admin = Some(id);
            }
            Some(role) => {
                let admin = admin
                    .ok_or_else(|| AppError::internal(anyhow::anyhow!("seed admin missing")))?;
                service::grant_role(db, &Viewer::User(admin), id, *role).await?;
            }
            None => {}
        }
    }
    let catalog = catalog::run(db, keys, DEMO_PASSWORD).await?;
    report.cooperatives_created = catalog.cooperatives_created;
    report.products_created = catalog.products_created;
    let training = training::run(db).await?;
    report.courses_created = training.courses_created;
    report.certificates_issued = training.certificates_issued;
    Ok(report)
}
