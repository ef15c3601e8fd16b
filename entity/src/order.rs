//! An order: what one shopper bought from one cooperative, with the prices,
//! names, address and bank details copied at placement.

use sea_orm::entity::prelude::*;

/// A row of `orders`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short and readable over the phone, e.g. `FS-7K3M9Q`.
    #[sea_orm(unique)]
    pub number: String,
    pub checkout_id: Uuid,
    pub cooperative_id: Uuid,
    pub buyer_id: Option<Uuid>,
    /// The guest's phone when no one was signed in.
    pub guest_phone: Option<String>,
    /// `PENDING_PAYMENT`, `PAID`, `CONFIRMED`, `PACKED`, `SHIPPED`,
    /// `DELIVERED`, `CANCELLED`, `REFUND_PENDING`, `REFUNDED`.
    pub status: crate::enums::OrderStatus,
    /// `VIETQR` or `COD`.
    pub payment_method: crate::enums::PaymentMethod,
    pub subtotal_vnd: i64,
    pub shipping_fee_vnd: i64,
    pub total_vnd: i64,
    pub recipient_name: String,
    pub phone: String,
    pub province: String,
    pub ward: String,
    pub street: String,
    pub note: Option<String>,
    /// The livestream the order came from (no foreign key yet).
    pub livestream_id: Option<Uuid>,
    pub bank_bin: Option<String>,
    pub bank_account_number: Option<String>,
    pub bank_account_name: Option<String>,
    /// What the shopper writes in the transfer; the number without its dash.
    #[sea_orm(unique)]
    pub payment_memo: String,
    /// An unpaid VietQR order is cancelled after this.
    pub payment_due_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub refunded_at: Option<DateTimeUtc>,
    /// A transfer did not match (wrong amount, late); staff should look.
    pub needs_review: bool,
    pub review_note: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub cancel_reason: Option<String>,
    pub placed_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
