//! Typed ids as the API shows them: opaque `ID`s.

use async_graphql::ID;

use crate::error::AppResult;
use crate::ids::TypedId;

/// A typed id seen through GraphQL. Every typed id has it; resolvers bring
/// it in scope to write `ProductId::parse(&id, "productId")` and
/// `product.id.to_gql()`.
pub trait GqlId: TypedId {
    /// Parses an id the API handed out, naming `field` when it is not one.
    fn parse(raw: &ID, field: &str) -> AppResult<Self> {
        Self::parse_str(raw.as_str(), field)
    }

    /// The id as the API shows it.
    fn to_gql(self) -> ID {
        ID(self.uuid().to_string())
    }
}

impl<T: TypedId> GqlId for T {}
