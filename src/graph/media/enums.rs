//! Media's enums as the API spells them, mirrors of the domain's.

/// What an asset is for; it decides the types and sizes accepted and what
/// the asset can be attached to.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::media::MediaPurpose")]
pub enum MediaPurpose {
    /// A photo in a product's gallery.
    ProductImage,
    /// A cooperative's logo.
    CooperativeLogo,
    /// The wide picture on top of a cooperative's page.
    CooperativeCover,
    /// A photo illustrating a product's origin story.
    OriginStoryImage,
    /// A photo of a harvest lot.
    LotImage,
    /// A video in a product's gallery.
    ProductVideo,
    /// The recording of a livestream.
    LivestreamReplay,
    /// A scan or photo of a certificate.
    CertificateDocument,
}

/// An asset's life.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::media::MediaStatus")]
pub enum MediaStatus {
    /// An upload URL was issued; the bytes are not confirmed yet.
    Pending,
    /// Confirmed: the bytes are checked and can be shown.
    Ready,
    /// Being removed from storage.
    Deleting,
    /// Removing it from storage failed; it is detached everywhere and the
    /// sweeper tries again.
    DeleteFailed,
}
