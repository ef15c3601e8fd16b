//! The schema's unique keys and checks, and the input field each concerns.
//!
//! A write that breaks a rule of the schema fails with an error that names
//! the rule: PostgreSQL gives the constraint's or index's name
//! (`uq_product_variants_sku`, `users_email_key`, `product_variants_stock_check`),
//! SQLite the columns (`UNIQUE constraint failed: product_variants.cooperative_id,
//! product_variants.sku`) or the check's expression (`CHECK constraint
//! failed: "stock" >= 0`). [`constraint_violation`] finds either in one map
//! ([`CONSTRAINTS`], kept in step with the `migration` crate) and says which
//! input field clashed, so that a service answers `CONFLICT` or
//! `BAD_USER_INPUT` about the right thing instead of guessing.

use sea_orm::{DbErr, RuntimeErr};
use sqlx::error::ErrorKind;

use super::AppError;

/// What kind of rule a write broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// A unique key, primary key or unique index: the value is taken.
    Unique,
    /// A `CHECK`: the value is out of range.
    Check,
}

/// A rule of the schema a write broke, and the input field it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The input field, in the API's spelling (`sku`, `email`, `phone`),
    /// without the path to it (`input.`, `input.variants.1.`).
    pub field: &'static str,
    /// The constraint's or index's name on PostgreSQL.
    pub constraint: &'static str,
}

impl Violation {
    /// Whether the rule broken concerns `field`.
    pub fn is_on(&self, field: &str) -> bool {
        self.field == field
    }

    /// The error a client sees: `CONFLICT` for a value taken, or
    /// `BAD_USER_INPUT` for a value out of range, naming the field at
    /// `path` followed by the field (`path` is e.g. `input.` or
    /// `input.variants.1.`).
    pub fn to_error(&self, path: &str, message: impl Into<String>) -> AppError {
        let field = format!("{path}{}", self.field);
        let message = message.into();
        match self.kind {
            ViolationKind::Unique => AppError::Conflict(format!("{field}: {message}")),
            ViolationKind::Check => AppError::invalid(field, message),
        }
    }
}

/// One rule of the schema.
#[derive(Debug)]
pub struct Constraint {
    pub kind: ViolationKind,
    /// Its name on PostgreSQL (checks without a number suffix).
    pub name: &'static str,
    pub table: &'static str,
    /// The columns it covers, in the key's order.
    pub columns: &'static [&'static str],
    pub field: &'static str,
}

const fn unique(
    name: &'static str,
    table: &'static str,
    columns: &'static [&'static str],
    field: &'static str,
) -> Constraint {
    Constraint {
        kind: ViolationKind::Unique,
        name,
        table,
        columns,
        field,
    }
}

/// A one-column check; PostgreSQL names it `<table>_<column>_check`.
const fn check(
    name: &'static str,
    table: &'static str,
    columns: &'static [&'static str],
    field: &'static str,
) -> Constraint {
    Constraint {
        kind: ViolationKind::Check,
        name,
        table,
        columns,
        field,
    }
}

/// Every unique key, primary key, unique index and one-column check of the
/// schema a service may run into, with the input field it concerns. The
/// names are PostgreSQL's: those the migrations give, or those PostgreSQL
/// derives (`<table>_<column>_key` for a unique column, `<table>_pkey`,
/// `<table>_<column>_check`).
pub const CONSTRAINTS: &[Constraint] = &[
    // Accounts.
    unique("users_email_key", "users", &["email"], "email"),
    unique(
        "user_roles_pkey",
        "user_roles",
        &["user_id", "role"],
        "role",
    ),
    unique(
        "refresh_tokens_token_hash_key",
        "refresh_tokens",
        &["token_hash"],
        "refreshToken",
    ),
    // Cooperatives and the catalogue.
    unique("cooperatives_slug_key", "cooperatives", &["slug"], "slug"),
    unique(
        "cooperative_members_pkey",
        "cooperative_members",
        &["cooperative_id", "user_id"],
        "userId",
    ),
    unique(
        "slug_history_pkey",
        "slug_history",
        &["kind", "slug"],
        "slug",
    ),
    unique("products_slug_key", "products", &["slug"], "slug"),
    unique(
        "uq_product_variants_sku",
        "product_variants",
        &["cooperative_id", "sku"],
        "sku",
    ),
    unique(
        "origin_stories_pkey",
        "origin_stories",
        &["product_id"],
        "productId",
    ),
    unique("lots_code_key", "lots", &["code"], "code"),
    check(
        "product_variants_stock_check",
        "product_variants",
        &["stock"],
        "stock",
    ),
    check(
        "product_variants_price_vnd_check",
        "product_variants",
        &["price_vnd"],
        "priceVnd",
    ),
    check(
        "product_variants_net_quantity_check",
        "product_variants",
        &["net_quantity"],
        "netQuantity",
    ),
    check("lots_quantity_check", "lots", &["quantity"], "quantity"),
    // Media.
    unique(
        "media_assets_object_key_key",
        "media_assets",
        &["object_key"],
        "objectKey",
    ),
    unique(
        "uq_media_attachments_target_asset",
        "media_attachments",
        &["target_kind", "target_id", "asset_id"],
        "assetId",
    ),
    // Orders and payments.
    unique(
        "uq_checkouts_owner_key",
        "checkouts",
        &["owner_key", "idempotency_key"],
        "idempotencyKey",
    ),
    unique("orders_number_key", "orders", &["number"], "number"),
    unique(
        "orders_payment_memo_key",
        "orders",
        &["payment_memo"],
        "paymentMemo",
    ),
    unique("carts_user_id_key", "carts", &["user_id"], "cartToken"),
    unique(
        "carts_token_hash_key",
        "carts",
        &["token_hash"],
        "cartToken",
    ),
    unique(
        "cart_items_pkey",
        "cart_items",
        &["cart_id", "variant_id"],
        "variantId",
    ),
    check(
        "cart_items_quantity_check",
        "cart_items",
        &["quantity"],
        "quantity",
    ),
    unique(
        "bank_transfers_transaction_id_key",
        "bank_transfers",
        &["transaction_id"],
        "transactionId",
    ),
    // Training.
    unique(
        "training_sessions_checkin_code_key",
        "training_sessions",
        &["checkin_code"],
        "checkinCode",
    ),
    unique(
        "participants_phone_key",
        "participants",
        &["phone"],
        "phone",
    ),
    unique(
        "idx_participants_user",
        "participants",
        &["user_id"],
        "userId",
    ),
    unique(
        "enrolments_pkey",
        "enrolments",
        &["course_id", "participant_id"],
        "participantId",
    ),
    unique(
        "idx_enrolments_course_seq",
        "enrolments",
        &["course_id", "seq"],
        "participantId",
    ),
    unique(
        "training_certificates_number_key",
        "training_certificates",
        &["number"],
        "number",
    ),
    unique(
        "idx_training_certificates_course_participant",
        "training_certificates",
        &["course_id", "participant_id"],
        "participantId",
    ),
    check(
        "courses_capacity_check",
        "courses",
        &["capacity"],
        "capacity",
    ),
    // Livestreams.
    unique(
        "livestream_products_pkey",
        "livestream_products",
        &["livestream_id", "product_id"],
        "productId",
    ),
    unique(
        "ux_flash_deals_open_variant",
        "flash_deals",
        &["livestream_id", "variant_id"],
        "variantId",
    ),
    check(
        "flash_deals_price_vnd_check",
        "flash_deals",
        &["price_vnd"],
        "priceVnd",
    ),
    check(
        "flash_deals_quantity_check",
        "flash_deals",
        &["quantity"],
        "quantity",
    ),
    check(
        "flash_deals_per_buyer_limit_check",
        "flash_deals",
        &["per_buyer_limit"],
        "perBuyerLimit",
    ),
];

/// The rule of the schema `err` broke, when it is a unique key or a check
/// of [`CONSTRAINTS`]; `None` for any other error (an unknown constraint
/// included, which stays an internal error).
pub fn constraint_violation(err: &DbErr) -> Option<Violation> {
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    let sqlx::Error::Database(db) = &**e else {
        return None;
    };
    let kind = match db.kind() {
        ErrorKind::UniqueViolation => ViolationKind::Unique,
        ErrorKind::CheckViolation => ViolationKind::Check,
        _ => return None,
    };
    let found = match db.constraint() {
        Some(name) => by_name(kind, name),
        None => by_message(kind, db.message()),
    }?;
    Some(Violation {
        kind,
        field: found.field,
        constraint: found.name,
    })
}

/// The rule PostgreSQL names `name` (checks may carry a number suffix when
/// a column has several).
pub fn by_name(kind: ViolationKind, name: &str) -> Option<&'static Constraint> {
    let name = match kind {
        ViolationKind::Unique => name,
        ViolationKind::Check => name.trim_end_matches(|c: char| c.is_ascii_digit()),
    };
    CONSTRAINTS
        .iter()
        .find(|c| c.kind == kind && c.name == name)
}

/// The rule a SQLite message describes: `UNIQUE constraint failed:
/// table.a, table.b` names the columns, `CHECK constraint failed: <expr>`
/// gives the expression (the first column it names is the one checked; a
/// check is found when every table with such a check agrees on the field).
pub fn by_message(kind: ViolationKind, message: &str) -> Option<&'static Constraint> {
    match kind {
        ViolationKind::Unique => {
            let list = message.strip_prefix("UNIQUE constraint failed: ")?;
            let mut table = None;
            let mut columns = Vec::new();
            for qualified in list.split(',') {
                let (t, column) = qualified.trim().split_once('.')?;
                if table.is_some_and(|known| known != t) {
                    return None;
                }
                table = Some(t);
                columns.push(column);
            }
            let table = table?;
            CONSTRAINTS
                .iter()
                .find(|c| c.kind == kind && c.table == table && c.columns == columns.as_slice())
        }
        ViolationKind::Check => {
            let expr = message.strip_prefix("CHECK constraint failed: ")?;
            let column = first_identifier(expr)?;
            let mut matching = CONSTRAINTS
                .iter()
                .filter(|c| c.kind == kind && c.columns == [column]);
            let first = matching.next()?;
            matching.all(|c| c.field == first.field).then_some(first)
        }
    }
}

/// The first identifier of a SQL expression, without its quotes.
fn first_identifier(expr: &str) -> Option<&str> {
    let start = expr.find(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '"' || c == '`')?;
    let rest = expr[start..].trim_start_matches(['"', '`']);
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_name_finds_its_field() {
        let sku = by_name(ViolationKind::Unique, "uq_product_variants_sku").expect("listed");
        assert_eq!(sku.field, "sku");
        let email = by_name(ViolationKind::Unique, "users_email_key").expect("listed");
        assert_eq!(email.field, "email");
        let phone = by_name(ViolationKind::Unique, "participants_phone_key").expect("listed");
        assert_eq!(phone.field, "phone");
        assert!(by_name(ViolationKind::Unique, "no_such_index").is_none());
        // A name of the other kind is not taken for this one.
        assert!(by_name(ViolationKind::Check, "users_email_key").is_none());
    }

    #[test]
    fn a_postgres_check_name_may_carry_a_number() {
        let found = by_name(ViolationKind::Check, "cart_items_quantity_check1").expect("listed");
        assert_eq!(found.field, "quantity");
        let stock = by_name(ViolationKind::Check, "product_variants_stock_check").expect("listed");
        assert_eq!(stock.field, "stock");
    }

    #[test]
    fn a_sqlite_unique_message_finds_its_field_by_its_columns() {
        let sku = by_message(
            ViolationKind::Unique,
            "UNIQUE constraint failed: product_variants.cooperative_id, product_variants.sku",
        )
        .expect("listed");
        assert_eq!(sku.name, "uq_product_variants_sku");
        assert_eq!(
            by_message(
                ViolationKind::Unique,
                "UNIQUE constraint failed: users.email"
            )
            .expect("listed")
            .field,
            "email"
        );
        // Same column, other table: the table decides.
        assert_eq!(
            by_message(
                ViolationKind::Unique,
                "UNIQUE constraint failed: products.slug"
            )
            .expect("listed")
            .name,
            "products_slug_key"
        );
        assert_eq!(
            by_message(
                ViolationKind::Unique,
                "UNIQUE constraint failed: participants.user_id"
            )
            .expect("listed")
            .field,
            "userId"
        );
        // A part of a key is not the key.
        assert!(
            by_message(
                ViolationKind::Unique,
                "UNIQUE constraint failed: product_variants.sku"
            )
            .is_none()
        );
        assert!(by_message(ViolationKind::Unique, "database is locked").is_none());
    }

    #[test]
    fn a_sqlite_check_message_finds_its_field_by_its_column() {
        let stock = by_message(
            ViolationKind::Check,
            "CHECK constraint failed: \"stock\" >= 0",
        )
        .expect("listed");
        assert_eq!(stock.field, "stock");
        let quantity = by_message(
            ViolationKind::Check,
            "CHECK constraint failed: quantity > 0",
        )
        .expect("listed");
        assert_eq!(quantity.field, "quantity");
        assert!(
            by_message(
                ViolationKind::Check,
                "CHECK constraint failed: \"status\" IN ('A')"
            )
            .is_none()
        );
    }

    #[test]
    fn a_violation_is_a_conflict_or_bad_input_naming_the_field() {
        let taken = Violation {
            kind: ViolationKind::Unique,
            field: "sku",
            constraint: "uq_product_variants_sku",
        };
        let err = taken.to_error("input.variants.1.", "is already used in this cooperative");
        assert_eq!(err.code(), super::super::ErrorCode::Conflict);
        assert_eq!(
            err.to_string(),
            "input.variants.1.sku: is already used in this cooperative"
        );
        let out_of_range = Violation {
            kind: ViolationKind::Check,
            field: "stock",
            constraint: "product_variants_stock_check",
        };
        match out_of_range.to_error("input.", "must not be negative") {
            AppError::Invalid { field, .. } => assert_eq!(field, "input.stock"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_constraint_is_listed_once() {
        let mut names: Vec<_> = CONSTRAINTS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
        let mut keys: Vec<_> = CONSTRAINTS
            .iter()
            .filter(|c| c.kind == ViolationKind::Unique)
            .map(|c| (c.table, c.columns))
            .collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), before);
    }
}
