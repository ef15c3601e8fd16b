//! The GraphQL face of media: assets, uploads and galleries, their queries
//! and mutations, and the DataLoaders that show them.

pub mod enums;
pub mod loaders;
pub mod objects;
pub mod resolvers;

pub use enums::{MediaPurpose, MediaStatus};
pub use loaders::{GalleryLoader, MediaAssetLoader};
pub use objects::{
    CreateUploadInput, HttpHeader, MediaAsset, MediaAttachment, MediaItemInput, Upload, gallery,
    ready_asset,
};
pub use resolvers::{MediaMutation, MediaQuery};
