//! Typed ids as the API shows them: global, opaque `ID`s that carry the
//! type they name, `gid://farmstream/Product/0192…` (the shape of Shopify's
//! global ids). A product id passed where an order id is wanted is refused
//! as `INVALID` naming the field, and `node(id:)` knows what an id points
//! at. Clients must treat ids as opaque strings.

use async_graphql::ID;

use crate::error::{AppError, AppResult};
use crate::ids::{
    CertificateId, CertificationId, CheckoutId, CooperativeId, CourseId, FlashDealId, LivestreamId,
    LotId, MediaAssetId, OrderId, ParticipantId, ProductId, SessionId, TransferId, TypedId, UserId,
    VariantId,
};

/// What every global id starts with.
const PREFIX: &str = "gid://farmstream/";

/// A typed id seen through GraphQL. Resolvers bring it in scope to write
/// `ProductId::parse(&id, "productId")` and `product.id.to_gql()`.
pub trait GqlId: TypedId {
    /// The GraphQL type the id names (`Product`), as written in the id.
    const TYPE_NAME: &'static str;

    /// Parses an id the API handed out, naming `field` when it is not one
    /// or names another type.
    fn parse(raw: &ID, field: &str) -> AppResult<Self> {
        let (type_name, uuid) = split(raw.as_str())
            .ok_or_else(|| AppError::invalid(field, format!("is not a valid {} id", Self::WHAT)))?;
        if type_name != Self::TYPE_NAME {
            return Err(AppError::invalid(
                field,
                format!("is an id of type {type_name}, not {}", Self::TYPE_NAME),
            ));
        }
        Self::parse_str(uuid, field)
    }

    /// The id as the API shows it.
    fn to_gql(self) -> ID {
        global_id(Self::TYPE_NAME, self.uuid())
    }
}

/// The global id of the `type_name` object whose key is `uuid`.
pub fn global_id(type_name: &str, uuid: uuid::Uuid) -> ID {
    ID(format!("{PREFIX}{type_name}/{uuid}"))
}

/// The type name and the key text of a global id, when `raw` is one.
pub fn split(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix(PREFIX)?;
    let (type_name, key) = rest.split_once('/')?;
    (!type_name.is_empty() && !key.is_empty()).then_some((type_name, key))
}

macro_rules! gql_ids {
    ($($id:ty => $name:literal),+ $(,)?) => {$(
        impl GqlId for $id {
            const TYPE_NAME: &'static str = $name;
        }
    )+};
}

gql_ids!(
    UserId => "User",
    CooperativeId => "Cooperative",
    ProductId => "Product",
    VariantId => "Variant",
    LotId => "Lot",
    CertificationId => "Certification",
    MediaAssetId => "MediaAsset",
    OrderId => "Order",
    CheckoutId => "Checkout",
    LivestreamId => "Livestream",
    FlashDealId => "FlashDeal",
    TransferId => "BankTransfer",
    CourseId => "Course",
    SessionId => "TrainingSession",
    ParticipantId => "Participant",
    CertificateId => "TrainingCertificate",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_and_names_its_type() {
        let id = ProductId::new();
        let gql = id.to_gql();
        assert!(gql.as_str().starts_with("gid://farmstream/Product/"));
        assert_eq!(ProductId::parse(&gql, "id").expect("a product id"), id);
    }

    #[test]
    fn an_id_of_another_type_is_refused_naming_both() {
        let gql = OrderId::new().to_gql();
        let err = ProductId::parse(&gql, "productId").expect_err("an order id");
        assert_eq!(
            err.to_string(),
            "productId: is an id of type Order, not Product"
        );
    }

    #[test]
    fn a_bare_uuid_or_garbage_is_not_an_id() {
        for raw in [
            uuid::Uuid::now_v7().to_string(),
            "gid://farmstream/Product/".into(),
            "gid://farmstream/Product/not-a-uuid".into(),
            "gid://other/Product/0192".into(),
            String::new(),
        ] {
            let err = ProductId::parse(&ID(raw.clone()), "id").expect_err(&raw);
            assert_eq!(err.code(), crate::error::ErrorCode::BadUserInput, "{raw}");
        }
    }
}
