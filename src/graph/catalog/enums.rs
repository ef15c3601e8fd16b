//! The catalogue's enums as the API spells them, mirrors of the domain's.

use async_graphql::Enum;

/// What kind of produce a product is.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::Category")]
pub enum Category {
    Fruit,
    Vegetable,
    Tea,
    Coffee,
    RiceGrain,
    Honey,
    MeatEggs,
    Dairy,
    DriedProcessed,
    Other,
}

/// Where a product stands: drafts are seen by their cooperative only.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::ProductStatus")]
pub enum ProductStatus {
    /// Being prepared; only its cooperative sees it.
    Draft,
    /// On sale and visible to shoppers.
    Active,
    /// No longer sold; hidden from shoppers.
    Archived,
}

/// The unit a variant is sold in.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::Unit")]
pub enum Unit {
    Kg,
    G,
    Box,
    Bunch,
    Piece,
    Litre,
    Bottle,
    Bag,
}

/// A kind of certificate.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::CertificationKind")]
pub enum CertificationKind {
    /// Vietnamese Good Agricultural Practices.
    Vietgap,
    /// GlobalG.A.P.
    Globalgap,
    /// Organic farming.
    Organic,
    /// One Commune One Product, rated 3 to 5 stars.
    Ocop,
    /// Anything else.
    Other,
}

/// What a certificate covers.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::CertificationScope")]
pub enum CertificationScope {
    Cooperative,
    Product,
    Lot,
}

/// How a product list is ordered.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::catalog::service::browse::ProductSort")]
pub enum ProductSort {
    /// Names starting with the words first, then names containing them, then
    /// other matches; newest first within each (newest without a search).
    Relevance,
    /// Newest first.
    Newest,
    /// Cheapest variant first.
    PriceAsc,
    /// Dearest variant first.
    PriceDesc,
}
