//! Lots and certifications as the API shows them.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, NaiveDate, Utc};

use crate::catalog::service::certifications::{LotOnHarvest, valid_on};
use crate::config::PublicBaseUrl;
use crate::error::AppError;
use crate::graph::ApiResult;
use crate::graph::GqlId;
use crate::graph::catalog::{CertificationKind, CertificationScope, Product, Unit};
use crate::graph::catalog::{CertificationsOfLot, ProductLoader};
use crate::graph::load_one;
use crate::graph::media::{MediaAsset, MediaAttachment};
use crate::graph::media::{gallery, ready_asset};
use crate::graph::viewer;
use crate::ids::{CertificationId, LotId, ProductId};
use crate::media::attachments::Gallery;

/// One harvest batch of a product; a package's QR code points to it.
pub struct Lot(pub entity::lot::Model);

/// One harvest batch of a product; a package's QR code points to it.
#[Object]
impl Lot {
    /// The lot's id.
    async fn id(&self) -> ID {
        LotId::from(self.0.id).to_gql()
    }
    /// The code printed on packages, e.g. `LOT-7K3M-Q9XD`.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The day it was harvested.
    async fn harvested_on(&self) -> NaiveDate {
        self.0.harvested_on
    }
    /// How much was harvested, in `unit`.
    async fn quantity(&self) -> f64 {
        self.0.quantity
    }
    /// The unit of `quantity`.
    async fn unit(&self) -> Unit {
        self.0.unit.into()
    }
    /// The farm plot it came from.
    async fn plot(&self) -> Option<&str> {
        self.0.plot.as_deref()
    }
    /// Notes the cooperative published with it.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Photos of the lot, in order.
    async fn photos(&self, ctx: &Context<'_>) -> ApiResult<Vec<MediaAttachment>> {
        gallery(ctx, Gallery::Lot, self.0.id).await
    }
    /// The product harvested.
    async fn product(&self, ctx: &Context<'_>) -> ApiResult<Product> {
        let product = load_one::<ProductLoader, _>(ctx, ProductId::from(self.0.product_id))
            .await?
            .ok_or_else(|| AppError::not_found("product"))?;
        Ok(Product(product))
    }
    /// The public trace page a package's QR code opens.
    async fn trace_url(&self, ctx: &Context<'_>) -> String {
        trace_url(ctx, &self.0.code)
    }
    /// The QR code of the trace page, as SVG.
    async fn qr_code_url(&self, ctx: &Context<'_>) -> String {
        format!("{}/qr.svg", trace_url(ctx, &self.0.code))
    }
    /// Certificates valid on the harvest date: the lot's, its product's and its cooperative's.
    async fn certifications(&self, ctx: &Context<'_>) -> ApiResult<Vec<Certification>> {
        let key = LotOnHarvest::from(&self.0);
        let rows = load_one::<CertificationsOfLot, _>(ctx, key).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Certification)
            .collect())
    }
    /// How many times its trace page was opened; the cooperative's members only (null otherwise).
    async fn scan_count(&self, ctx: &Context<'_>) -> ApiResult<Option<i64>> {
        let Some(user) = viewer(ctx).user()? else {
            return Ok(None);
        };
        let coop = crate::ids::CooperativeId::from(self.0.cooperative_id);
        let member = load_one::<crate::graph::cooperatives::MembershipLoader, _>(ctx, (coop, user))
            .await?
            .is_some();
        Ok(member.then_some(self.0.scan_count))
    }
}

fn trace_url(ctx: &Context<'_>, code: &str) -> String {
    let base = ctx
        .data_opt::<PublicBaseUrl>()
        .map(|b| b.0.as_str())
        .unwrap_or_default();
    format!("{base}/trace/{code}")
}

/// A certificate; as a badge, one valid today.
pub struct Certification(pub entity::certification::Model);

/// A certificate (VietGAP, organic, OCOP…) of a cooperative, a product or
/// a lot; as a badge, one valid today.
#[Object]
impl Certification {
    /// The certification's id.
    async fn id(&self) -> ID {
        CertificationId::from(self.0.id).to_gql()
    }
    /// What kind of certificate.
    async fn kind(&self) -> CertificationKind {
        self.0.kind.into()
    }
    /// OCOP stars (3–5).
    async fn stars(&self) -> Option<i32> {
        self.0.stars
    }
    /// Who issued it.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }
    /// The certificate number.
    async fn number(&self) -> &str {
        &self.0.number
    }
    /// First valid day.
    async fn valid_from(&self) -> NaiveDate {
        self.0.valid_from
    }
    /// Last valid day.
    async fn valid_until(&self) -> NaiveDate {
        self.0.valid_until
    }
    /// What it covers.
    async fn scope(&self) -> CertificationScope {
        self.0.scope.into()
    }
    /// True while valid today and not revoked.
    async fn valid_today(&self) -> bool {
        valid_on(&self.0, Utc::now().date_naive())
    }
    /// A scan or photo of the certificate, if attached.
    async fn document(&self, ctx: &Context<'_>) -> ApiResult<Option<MediaAsset>> {
        ready_asset(ctx, self.0.document_asset_id).await
    }
    /// When it was revoked, if it was.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A harvest lot to record.
#[derive(InputObject)]
pub struct CreateLotInput {
    /// The product harvested; the caller must be its cooperative's staff.
    pub product_id: ID,
    /// The pack size it goes into, if one.
    pub variant_id: Option<ID>,
    /// Not in the future.
    pub harvested_on: NaiveDate,
    /// How much was harvested, in `unit`.
    pub quantity: f64,
    /// The unit of `quantity`.
    pub unit: Unit,
    /// The farm plot it came from (up to 200 characters).
    pub plot: Option<String>,
    /// Notes to publish with it (up to 2,000 characters).
    pub notes: Option<String>,
}

/// A certificate to record.
#[derive(InputObject)]
pub struct AddCertificationInput {
    /// The cooperative holding it; the caller must be a manager or owner.
    pub cooperative_id: ID,
    /// What kind of certificate.
    pub kind: CertificationKind,
    /// OCOP only: 3 to 5.
    pub stars: Option<i32>,
    /// Who issued it.
    pub issuer: String,
    /// The certificate number.
    pub number: String,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day, not before `validFrom`.
    pub valid_until: NaiveDate,
    /// What it covers.
    pub scope: CertificationScope,
    /// For `PRODUCT` scope.
    pub product_id: Option<ID>,
    /// For `LOT` scope.
    pub lot_id: Option<ID>,
}
