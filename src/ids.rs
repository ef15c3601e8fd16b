//! Typed ids: `UserId` (a UUID, kept private) and friends, so that one kind
//! of id can never be passed where another is wanted. Every typed id is
//! declared here, on the ground floor, so any domain can name another's ids
//! without importing it; everyone imports them from here. The graph layer
//! shows them as opaque `ID`s (`crate::graph::ids`).

/// What every typed id can do, so that the layers above can treat them alike.
pub trait TypedId: Copy {
    /// What the id names, in words ("product").
    const WHAT: &'static str;
    /// The UUID inside.
    fn uuid(self) -> uuid::Uuid;
    /// Parses the text of an id, naming `field` when it is not one.
    fn parse_str(raw: &str, field: &str) -> crate::error::AppResult<Self>;
}

/// Declares a typed id wrapping a UUID.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        ///
        /// Serialised as the bare UUID, so events carry it as they carried
        /// the UUID before.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// The UUID inside.
            pub fn uuid(self) -> ::uuid::Uuid {
                self.0
            }

            /// A new random id (UUID v7: time-ordered, so inserts stay local in indexes).
            #[expect(
                clippy::new_without_default,
                reason = "a default id would be a random one: say new() where a fresh id is meant"
            )]
            pub fn new() -> Self {
                Self(::uuid::Uuid::now_v7())
            }

            /// Parses the text of an id, naming `field` when it is not one.
            pub fn parse_str(raw: &str, field: &str) -> $crate::error::AppResult<Self> {
                ::uuid::Uuid::parse_str(raw)
                    .map(Self)
                    .map_err(|_| $crate::error::AppError::invalid(field, concat!("is not a valid ", $what, " id")))
            }
        }

        impl $crate::ids::TypedId for $name {
            const WHAT: &'static str = $what;

            fn uuid(self) -> ::uuid::Uuid {
                self.0
            }

            fn parse_str(raw: &str, field: &str) -> $crate::error::AppResult<Self> {
                Self::parse_str(raw, field)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<::uuid::Uuid> for $name {
            fn from(id: ::uuid::Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for ::uuid::Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }
    };
}

// Accounts.
crate::typed_id!(
    /// The public id of a user.
    UserId,
    "user"
);

// Cooperatives.
crate::typed_id!(
    /// The public id of a cooperative.
    CooperativeId,
    "cooperative"
);

// The catalogue.
crate::typed_id!(
    /// The public id of a product.
    ProductId,
    "product"
);
crate::typed_id!(
    /// The public id of a product variant.
    VariantId,
    "variant"
);
crate::typed_id!(
    /// The public id of a harvest lot.
    LotId,
    "lot"
);
crate::typed_id!(
    /// The public id of a certification.
    CertificationId,
    "certification"
);

// Media.
crate::typed_id!(
    /// The public id of a media asset.
    MediaAssetId,
    "media asset"
);

// Orders.
crate::typed_id!(
    /// The public id of an order.
    OrderId,
    "order"
);
crate::typed_id!(
    /// The public id of a checkout (the orders one `placeOrder` made).
    CheckoutId,
    "checkout"
);

// Livestreams.
crate::typed_id!(
    /// The public id of a livestream session.
    LivestreamId,
    "livestream"
);
crate::typed_id!(
    /// The public id of a flash deal.
    FlashDealId,
    "flash deal"
);

// Payments.
crate::typed_id!(
    /// The public id of a received bank transfer.
    TransferId,
    "transfer"
);

// Training.
crate::typed_id!(
    /// The public id of a course.
    CourseId,
    "course"
);
crate::typed_id!(
    /// The public id of a training session.
    SessionId,
    "session"
);
crate::typed_id!(
    /// The public id of a participant (one per person, across courses).
    ParticipantId,
    "participant"
);
crate::typed_id!(
    /// The public id of a training certificate.
    CertificateId,
    "certificate"
);
