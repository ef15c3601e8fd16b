//! The GraphQL face of cooperatives: a cooperative with its products,
//! badges, media and shows, its members, the queries and mutations over
//! `cooperatives::service`, and the DataLoaders of cooperatives and
//! memberships.

pub mod enums;
pub mod loaders;
pub mod objects;
pub mod resolvers;

pub use enums::MemberRole;
pub use loaders::{
    CooperativeLoader, FollowingLoader, MembersByCooperative, MembershipLoader, require_role,
};
pub use objects::{
    Address, AddressInput, BankAccountInput, BankAccountView, Cooperative, CooperativeFilterInput,
    CooperativeMember, CreateCooperativeInput, ShippingPolicy, UpdateCooperativeInput,
};
pub use resolvers::{CooperativeMutation, CooperativeQuery};
