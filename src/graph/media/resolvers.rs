//! Media queries and mutations: thin, over [`crate::media::service`].

use crate::graph::respond;
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object};

use crate::config::MediaConfig;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::media::MediaAssetLoader;
use crate::graph::media::{CreateUploadInput, MediaAsset, Upload};
use crate::graph::viewer;
use crate::ids::{CooperativeId, MediaAssetId};
use crate::media::inputs::{parse_byte_size, parse_checksum_sha256, parse_content_type};
use crate::media::inspect::DecodeGate;
use crate::media::service::{self, CooperativeImage, NewUpload};
use crate::storage::Storage;

/// Media queries.
#[derive(Default)]
pub struct MediaQuery;

#[Object]
impl MediaQuery {
    /// A media asset. Ready assets are public; pending ones are shown to
    /// their cooperative's staff only. `null` when there is none or the
    /// caller may not see it.
    #[graphql(cache_control(private))]
    async fn media_asset(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<MediaAsset>> {
        let id = MediaAssetId::parse(&id, "id")?;
        let Some(asset) = ctx
            .data_unchecked::<DataLoader<MediaAssetLoader>>()
            .load_one(id)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        match service::ensure_visible(ctx.data_unchecked::<Db>(), viewer(ctx), &asset).await {
            Ok(()) => Ok(Some(MediaAsset(asset))),
            Err(AppError::NotFound(_)) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }
}

/// Media mutations.
#[derive(Default)]
pub struct MediaMutation;

async fn set_image(
    ctx: &Context<'_>,
    cooperative_id: &ID,
    asset_id: Option<&ID>,
    image: CooperativeImage,
) -> AppResult<Option<MediaAsset>> {
    let coop = CooperativeId::parse(cooperative_id, "cooperativeId")?;
    let asset = asset_id
        .map(|id| MediaAssetId::parse(id, "assetId"))
        .transpose()?;
    let set =
        service::set_cooperative_image(ctx.data_unchecked::<Db>(), viewer(ctx), coop, asset, image)
            .await?;
    Ok(set.map(MediaAsset))
}

#[Object]
impl MediaMutation {
    /// Starts an upload for a cooperative (its staff only): checks the type
    /// and size against the purpose and returns a presigned PUT URL valid
    /// for at most 15 minutes. PUT the bytes there, then `confirmUpload`.
    async fn create_upload(
        &self,
        ctx: &Context<'_>,
        input: CreateUploadInput,
    ) -> ApiResult<CreateUploadPayload> {
        respond(
            async {
                let config = ctx.data_unchecked::<MediaConfig>();
                let new = NewUpload {
                    cooperative: CooperativeId::parse(
                        &input.cooperative_id,
                        "input.cooperativeId",
                    )?,
                    purpose: input.purpose.into(),
                    media_type: parse_content_type(
                        &input.content_type,
                        input.purpose.into(),
                        "input.contentType",
                    )?,
                    byte_size: parse_byte_size(
                        input.byte_size,
                        input.purpose.into(),
                        config,
                        "input.byteSize",
                    )?,
                    checksum_sha256: input
                        .checksum_sha256
                        .as_deref()
                        .filter(|c| !c.trim().is_empty())
                        .map(|c| parse_checksum_sha256(c, "input.checksumSha256"))
                        .transpose()?,
                };
                let upload = service::create_upload(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<Storage>(),
                    config,
                    viewer(ctx),
                    new,
                )
                .await?;
                Ok(Upload(upload))
            }
            .await,
        )
    }

    /// Confirms an upload once its bytes are in storage: checks size, type
    /// and content, measures an image and writes its renditions. Bytes that
    /// are not what was declared, and images over the pixel budget, are
    /// deleted and refused (`BAD_USER_INPUT` on `assetId`; the asset stays
    /// `PENDING`). Once confirmed, the upload URL no longer changes the asset.
    async fn confirm_upload(
        &self,
        ctx: &Context<'_>,
        asset_id: ID,
    ) -> ApiResult<ConfirmUploadPayload> {
        respond(
            async {
                let id = MediaAssetId::parse(&asset_id, "assetId")?;
                let asset = service::confirm_upload(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<Storage>(),
                    ctx.data_unchecked::<MediaConfig>(),
                    ctx.data_unchecked::<DecodeGate>(),
                    viewer(ctx),
                    id,
                )
                .await?;
                Ok(MediaAsset(asset))
            }
            .await,
        )
    }

    /// Deletes an asset, its renditions and its file, detaching it from
    /// whatever showed it; gives the id of the asset gone.
    async fn delete_media_asset(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<DeleteMediaAssetPayload> {
        respond(
            async {
                let id = MediaAssetId::parse(&id, "id")?;
                service::delete_asset(
                    ctx.data_unchecked::<Db>(),
                    ctx.data_unchecked::<Storage>(),
                    viewer(ctx),
                    id,
                )
                .await?;
                Ok(id.to_gql())
            }
            .await,
        )
    }

    /// Sets a cooperative's logo to a ready `COOPERATIVE_LOGO` asset of its
    /// own (managers and owners); a null `assetId` removes the logo.
    async fn set_cooperative_logo(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        asset_id: Option<ID>,
    ) -> ApiResult<SetCooperativeLogoPayload> {
        respond(
            set_image(
                ctx,
                &cooperative_id,
                asset_id.as_ref(),
                CooperativeImage::Logo,
            )
            .await,
        )
    }

    /// Sets a cooperative's cover picture to a ready `COOPERATIVE_COVER`
    /// asset of its own (managers and owners); a null `assetId` removes it.
    async fn set_cooperative_cover(
        &self,
        ctx: &Context<'_>,
        cooperative_id: ID,
        asset_id: Option<ID>,
    ) -> ApiResult<SetCooperativeCoverPayload> {
        respond(
            set_image(
                ctx,
                &cooperative_id,
                asset_id.as_ref(),
                CooperativeImage::Cover,
            )
            .await,
        )
    }
}

crate::payload!(
    /// The result of `createUpload`.
    CreateUploadPayload,
    upload: Upload
);

crate::payload!(
    /// The result of `confirmUpload`.
    ConfirmUploadPayload,
    media_asset: MediaAsset
);

/// The result of `deleteMediaAsset`.
#[derive(async_graphql::SimpleObject)]
pub struct DeleteMediaAssetPayload {
    /// The id of the asset now gone, for a client to drop it from what it
    /// shows; `null` when `userErrors` says why not.
    pub deleted_media_asset_id: Option<ID>,
    /// What was wrong with the input or the state it met; empty on success.
    pub user_errors: Vec<crate::graph::UserError>,
}

impl crate::graph::Payload for DeleteMediaAssetPayload {
    type Value = ID;

    fn done(value: ID) -> Self {
        Self {
            deleted_media_asset_id: Some(value),
            user_errors: Vec::new(),
        }
    }

    fn failed(errors: Vec<crate::graph::UserError>) -> Self {
        Self {
            deleted_media_asset_id: None,
            user_errors: errors,
        }
    }
}

/// Declares the payload of a mutation that sets or removes an image, whose
/// result is the image now set (`null` once removed).
macro_rules! image_payload {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// The image now set; `null` once removed, or when `userErrors`
            /// says why not.
            pub media_asset: Option<MediaAsset>,
            /// What was wrong with the input or the state it met; empty on success.
            pub user_errors: Vec<crate::graph::UserError>,
        }

        impl crate::graph::Payload for $name {
            type Value = Option<MediaAsset>;

            fn done(value: Option<MediaAsset>) -> Self {
                Self {
                    media_asset: value,
                    user_errors: Vec::new(),
                }
            }

            fn failed(errors: Vec<crate::graph::UserError>) -> Self {
                Self {
                    media_asset: None,
                    user_errors: errors,
                }
            }
        }
    };
}

image_payload!(
    /// The result of `setCooperativeLogo`.
    SetCooperativeLogoPayload
);

image_payload!(
    /// The result of `setCooperativeCover`.
    SetCooperativeCoverPayload
);
