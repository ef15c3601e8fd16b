//! Lot and certification queries and mutations.

use crate::graph::respond;
use async_graphql::{Context, ID, Object};
use chrono::Utc;

use crate::catalog::inputs::{harvest_date, quantity, validity};
use crate::catalog::service::certifications::{self, NewCertification};
use crate::catalog::service::lots::{self, NewLot};
use crate::db::Db;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{AddCertificationInput, Certification, CreateLotInput, Lot};
use crate::graph::media::{MediaAttachment, MediaItemInput};
use crate::graph::viewer;
use crate::ids::{CertificationId, CooperativeId, LotId, MediaAssetId, ProductId, VariantId};
use crate::values::{line, text};

/// Lot queries.
#[derive(Default)]
pub struct LotQuery;

#[Object]
impl LotQuery {
    /// A lot by the code on its package (case, spaces and hyphens forgiven);
    /// public, no login needed. `null` for an unknown code or a lot of a
    /// product not yet published.
    #[graphql(cache_control(max_age = 60))]
    async fn lot(&self, ctx: &Context<'_>, code: String) -> ApiResult<Option<Lot>> {
        Ok(lots::find_public(ctx.data_unchecked::<Db>(), &code)
            .await?
            .map(Lot))
    }
}

/// Lot and certification mutations.
#[derive(Default)]
pub struct LotMutation;

#[Object]
impl LotMutation {
    /// Records a harvest lot and gives it a unique code for its packages.
    async fn create_lot(
        &self,
        ctx: &Context<'_>,
        input: CreateLotInput,
    ) -> ApiResult<CreateLotPayload> {
        respond(
            async {
                let new = NewLot {
                    product: ProductId::parse(&input.product_id, "input.productId")?,
                    variant: input
                        .variant_id
                        .as_ref()
                        .map(|v| VariantId::parse(v, "input.variantId"))
                        .transpose()?,
                    harvested_on: harvest_date(
                        input.harvested_on,
                        Utc::now().date_naive(),
                        "input.harvestedOn",
                    )?,
                    quantity: quantity(input.quantity, "input.quantity")?,
                    unit: input.unit.into(),
                    plot: line(input.plot.as_deref(), "input.plot", 200)?,
                    notes: text(input.notes.as_deref(), "input.notes", 2000)?,
                };
                Ok(Lot(lots::create(
                    ctx.data_unchecked::<Db>(),
                    viewer(ctx),
                    new,
                )
                .await?))
            }
            .await,
        )
    }

    /// Records a certificate of the cooperative, a product or a lot; managers and owners only.
    async fn add_certification(
        &self,
        ctx: &Context<'_>,
        input: AddCertificationInput,
    ) -> ApiResult<AddCertificationPayload> {
        respond(
            async {
                let (valid_from, valid_until) =
                    validity(input.valid_from, input.valid_until, "input.validUntil")?;
                let new = NewCertification {
                    cooperative: CooperativeId::parse(
                        &input.cooperative_id,
                        "input.cooperativeId",
                    )?,
                    kind: input.kind.into(),
                    stars: input.stars,
                    issuer: crate::text::single_line(&input.issuer, "input.issuer", 200)?,
                    number: crate::text::single_line(&input.number, "input.number", 100)?,
                    valid_from,
                    valid_until,
                    scope: input.scope.into(),
                    product: input
                        .product_id
                        .as_ref()
                        .map(|p| ProductId::parse(p, "input.productId"))
                        .transpose()?,
                    lot: input
                        .lot_id
                        .as_ref()
                        .map(|l| LotId::parse(l, "input.lotId"))
                        .transpose()?,
                };
                Ok(Certification(
                    certifications::add(ctx.data_unchecked::<Db>(), viewer(ctx), new).await?,
                ))
            }
            .await,
        )
    }

    /// Replaces a lot's photos, in order.
    async fn set_lot_photos(
        &self,
        ctx: &Context<'_>,
        lot_id: ID,
        items: Vec<MediaItemInput>,
    ) -> ApiResult<SetLotPhotosPayload> {
        respond(
            async {
                let id = LotId::parse(&lot_id, "lotId")?;
                let items = MediaItemInput::parse_all(items)?;
                let rows =
                    lots::set_photos(ctx.data_unchecked::<Db>(), viewer(ctx), id, items).await?;
                Ok(rows.into_iter().map(MediaAttachment).collect())
            }
            .await,
        )
    }

    /// Attaches the scan of a certificate (a ready CERTIFICATE_DOCUMENT asset), or detaches it with null.
    async fn set_certification_document(
        &self,
        ctx: &Context<'_>,
        certification_id: ID,
        asset_id: Option<ID>,
    ) -> ApiResult<SetCertificationDocumentPayload> {
        respond(
            async {
                let id = CertificationId::parse(&certification_id, "certificationId")?;
                let asset = asset_id
                    .as_ref()
                    .map(|a| MediaAssetId::parse(a, "assetId"))
                    .transpose()?;
                Ok(Certification(
                    certifications::set_document(
                        ctx.data_unchecked::<Db>(),
                        viewer(ctx),
                        id,
                        asset,
                    )
                    .await?,
                ))
            }
            .await,
        )
    }

    /// Revokes a certificate; it stops showing as a badge at once.
    async fn revoke_certification(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<RevokeCertificationPayload> {
        respond(
            async {
                let id = CertificationId::parse(&id, "id")?;
                Ok(Certification(
                    certifications::revoke(ctx.data_unchecked::<Db>(), viewer(ctx), id).await?,
                ))
            }
            .await,
        )
    }
}

crate::payload!(
    /// The result of `createLot`.
    CreateLotPayload,
    lot: Lot
);

crate::payload!(
    /// The result of `addCertification`.
    AddCertificationPayload,
    certification: Certification
);

crate::payload!(
    /// The result of `setLotPhotos`.
    SetLotPhotosPayload,
    attachments: Vec<MediaAttachment>
);

crate::payload!(
    /// The result of `setCertificationDocument`.
    SetCertificationDocumentPayload,
    certification: Certification
);

crate::payload!(
    /// The result of `revokeCertification`.
    RevokeCertificationPayload,
    certification: Certification
);
