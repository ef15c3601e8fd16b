//! The GraphQL face of the catalogue: products, variants, origin stories,
//! lots and certifications, their queries and mutations, and the
//! DataLoaders of their relations.

pub mod enums;
pub mod loaders;
pub mod lot;
pub mod product;
pub mod resolvers;

pub use enums::{
    Category, CertificationKind, CertificationScope, ProductSort, ProductStatus, Unit,
};
pub use loaders::{
    BadgesByCooperative, BadgesByProduct, CertificationsOfLot, FirstProductsByCooperative,
    LotsByProduct, MovementsByVariant, OriginStoryByProduct, ProductLoader, VariantsByProduct,
};
pub use lot::{AddCertificationInput, Certification, CreateLotInput, Lot};
pub use product::{
    CreateProductInput, OriginStory, OriginStoryInput, Product, ProductFilterInput, StockMovement,
    UnitPrice, UpdateProductInput, UpdateVariantInput, Variant, VariantInput, product_connection,
};
pub use resolvers::lots::{LotMutation, LotQuery};
pub use resolvers::products::{ProductMutation, ProductQuery};
