//! The public trace page of a lot (`/trace/{code}`), what a package's QR code
//! opens: mobile-first HTML with Vietnamese labels, no login, and nothing
//! personal the cooperative did not publish. Also the QR code itself.
//!
//! Every page is a maud template: text is escaped wherever it lands (element,
//! attribute, `<title>`), and the templates are checked when the crate
//! compiles. The only markup not escaped is [`STYLESHEET`], a constant.

use maud::{DOCTYPE, Markup, PreEscaped, display, html};
use qrcode::QrCode;
use qrcode::render::svg;
use sea_orm::EntityTrait;

use entity::{certification, cooperative, lot, origin_story, product};

use crate::catalog::service::{certifications, lots};
use crate::catalog::{CertificationKind, ProductStatus};
use crate::config::MediaConfig;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::LotId;
use crate::media::MediaStatus;
use crate::media::attachments::{Gallery, galleries_of};
use crate::media::service::{thumbnail_key, url_for};
use crate::storage::Storage;

/// The pages' only styles, inlined as one `<style>` element so that a phone
/// on a slow rural connection needs one request; the HTTP layer allows it in
/// the Content-Security-Policy by its hash, so no other inline style runs.
pub const STYLESHEET: &str = include_str!("trace.css");

/// A rendered page and the origins its images are loaded from (the media
/// host), for the Content-Security-Policy that goes with it.
#[derive(Debug)]
pub struct TracePage {
    pub html: String,
    pub image_origins: Vec<String>,
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLESHEET)) }
            }
            body { main { (body) } }
        }
    }
}

fn kind_label(kind: CertificationKind, stars: Option<i32>) -> String {
    match kind {
        CertificationKind::Vietgap => "VietGAP".into(),
        CertificationKind::Globalgap => "GlobalGAP".into(),
        CertificationKind::Organic => "Hữu cơ".into(),
        CertificationKind::Ocop => format!("OCOP {} sao", stars.unwrap_or(3)),
        CertificationKind::Other => "Chứng nhận khác".into(),
    }
}

/// One photo of a strip: its 320 px source, 1024 px link and alt text.
struct Photo {
    small: String,
    large: String,
    alt: String,
}

/// The ready photos of a gallery.
async fn photos(
    db: &Db,
    storage: &Storage,
    media: &MediaConfig,
    gallery: Gallery,
    target: uuid::Uuid,
) -> AppResult<Vec<Photo>> {
    let items = galleries_of(db, &[(gallery, target)])
        .await
        .map_err(AppError::from)?
        .remove(&(gallery, target))
        .unwrap_or_default();
    let mut out = Vec::new();
    for (attachment, asset) in items {
        if asset.status != MediaStatus::Ready || !asset.content_type.starts_with("image/") {
            continue;
        }
        out.push(Photo {
            small: url_for(storage, media, &thumbnail_key(&asset, 320)).await?,
            large: url_for(storage, media, &thumbnail_key(&asset, 1024)).await?,
            alt: attachment.alt_text.unwrap_or_default(),
        });
    }
    Ok(out)
}

fn photo_strip(photos: &[Photo]) -> Markup {
    html! {
        @if !photos.is_empty() {
            div class="photos" {
                @for p in photos {
                    a href=(p.large) {
                        img src=(p.small) alt=(p.alt) loading="lazy" width="160";
                    }
                }
            }
        }
    }
}

/// The origin (`https://host:port`) of an absolute http(s) URL, if it is one
/// whose origin can be written into a CSP source list as it is.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let plain = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| format!("{scheme}://{authority}"))
}

/// Everything the page shows, read before anything is rendered.
struct TraceView {
    lot: lot::Model,
    product: product::Model,
    coop: cooperative::Model,
    origin: Option<origin_story::Model>,
    certs: Vec<certification::Model>,
    lot_photos: Vec<Photo>,
    story_photos: Vec<Photo>,
}

/// The page for `code`, counting the scan; `None` when no published lot has
/// it (the same rule as [`lots::find_public`], so the page and its QR codes
/// are 404 alike).
pub async fn page(
    db: &Db,
    storage: &Storage,
    media: &MediaConfig,
    code: &str,
) -> AppResult<Option<TracePage>> {
    let Some(lot) = lots::find_public(db, code).await? else {
        return Ok(None);
    };
    // Unpublished between the two reads: a 404 like any unpublished lot.
    let Some(product) = product::Entity::find_by_id(lot.product_id)
        .one(db.conn())
        .await?
        .filter(|p| p.status != ProductStatus::Draft)
    else {
        return Ok(None);
    };
    lots::count_scan(db, LotId::from(lot.id)).await?;
    let coop = cooperative::Entity::find_by_id(lot.cooperative_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))?;
    let origin = origin_story::Entity::find_by_id(product.id)
        .one(db.conn())
        .await?;
    let certs = certifications::for_lot_on_harvest(db, &lot).await?;
    let lot_photos = photos(db, storage, media, Gallery::Lot, lot.id).await?;
    let story_photos = if origin.is_some() {
        photos(db, storage, media, Gallery::OriginStory, product.id).await?
    } else {
        Vec::new()
    };
    let view = TraceView {
        lot,
        product,
        coop,
        origin,
        certs,
        lot_photos,
        story_photos,
    };
    let mut image_origins: Vec<String> = view
        .lot_photos
        .iter()
        .chain(&view.story_photos)
        .filter_map(|p| origin_of(&p.small))
        .collect();
    image_origins.sort();
    image_origins.dedup();
    Ok(Some(TracePage {
        html: render(&view).into_string(),
        image_origins,
    }))
}

fn render(v: &TraceView) -> Markup {
    let (lot, product, coop) = (&v.lot, &v.product, &v.coop);
    let body = html! {
        p class="muted" { "Truy xuất nguồn gốc · Mã lô " strong { (lot.code) } }
        h1 { (product.name) }
        div class="card" {
            dl {
                dt { "Ngày thu hoạch" } dd { (display(lot.harvested_on.format("%d/%m/%Y"))) }
                dt { "Sản lượng lô" } dd { (display(lot.quantity)) " " (lot.unit.to_string().to_lowercase()) }
                @if let Some(plot) = &lot.plot {
                    dt { "Lô đất" } dd { (plot) }
                }
            }
        }
        (photo_strip(&v.lot_photos))
        @if !v.certs.is_empty() {
            h2 { "Chứng nhận còn hiệu lực khi thu hoạch" }
            div {
                @for c in &v.certs {
                    span class="badge" title={ (c.issuer) " · số " (c.number) } {
                        (kind_label(c.kind, c.stars))
                    }
                }
            }
        }
        h2 { "Hợp tác xã" }
        div class="card" {
            dl {
                dt { "Tên" } dd { (coop.name) }
                dt { "Địa chỉ" } dd { (coop.ward) ", " (coop.province) }
                @if let Some(area) = &coop.area {
                    dt { "Vùng" } dd { (area) }
                }
            }
        }
        @if let Some(o) = &v.origin {
            h2 { "Câu chuyện nguồn gốc" }
            div class="card" {
                dl {
                    dt { "Trang trại" } dd { (o.farm_name) }
                    @if let Some(grower) = &o.grower_name {
                        dt { "Người trồng" } dd { (grower) }
                    }
                    dt { "Nơi trồng" } dd { (place(o)) }
                    @if let Some(alt) = o.altitude_m {
                        dt { "Độ cao" } dd { (alt) " m" }
                    }
                    @if let Some(practice) = &o.cultivation_practice {
                        dt { "Canh tác" } dd { (practice) }
                    }
                }
                p class="story" { (o.story) }
                (photo_strip(&v.story_photos))
            }
        }
        p class="muted" { "Trang này do farmstream cung cấp, không cần đăng nhập." }
    };
    layout(&format!("{} · {}", product.name, lot.code), body)
}

fn place(o: &origin_story::Model) -> String {
    [
        o.commune.as_deref(),
        o.area.as_deref(),
        Some(o.province.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// The page shown for an unknown code.
pub fn not_found_page(code: &str) -> String {
    layout(
        "Không tìm thấy lô hàng",
        html! {
            h1 { "Không tìm thấy lô hàng" }
            div class="card" {
                p {
                    "Mã " strong { (code) } " không khớp với lô hàng nào.\n"
                    "Hãy kiểm tra lại mã in trên bao bì."
                }
            }
        },
    )
    .into_string()
}

/// The canonical code of the lot `code` names, when its page would show
/// (see [`page`]); counts no scan.
pub async fn public_code(db: &Db, code: &str) -> AppResult<Option<String>> {
    Ok(lots::find_public(db, code).await?.map(|lot| lot.code))
}

/// The QR code of `url` as SVG.
pub fn qr_svg(url: &str) -> AppResult<String> {
    let code = QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

/// The QR code of `url` as a PNG, `scale` pixels per module.
pub fn qr_png(url: &str, scale: usize) -> AppResult<Vec<u8>> {
    let code = QrCode::new(url.as_bytes()).map_err(AppError::internal)?;
    let modules = code.width();
    let quiet = 4;
    let side = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (mx, my) = (i % modules + quiet, i / modules + quiet);
            for y in my * scale..(my + 1) * scale {
                let row = y * side;
                pixels[row + mx * scale..row + (mx + 1) * scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let side = u32::try_from(side).map_err(AppError::internal)?;
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(AppError::internal)?;
        writer
            .write_image_data(&pixels)
            .map_err(AppError::internal)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_even_in_the_title() {
        let page =
            not_found_page("</title><script>alert(1)</script>\"><img src=x onerror=alert(2)>");
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(
            page.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img")
        );
    }

    #[test]
    fn an_origin_is_taken_only_from_a_plain_http_url() {
        assert_eq!(
            origin_of("http://127.0.0.1:9000/bucket/a.webp?X-Amz-Signature=1").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            origin_of("https://cdn.example.vn/a.webp").as_deref(),
            Some("https://cdn.example.vn")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("https://a.vn;script-src *"), None);
        assert_eq!(origin_of("https://user@a.vn/x"), None);
    }

    #[test]
    fn qr_codes_render_as_svg_and_png() {
        let svg = qr_svg("http://127.0.0.1:8080/trace/LOT-7K3M-Q9XD").expect("svg");
        assert!(svg.contains("<svg"));
        let png = qr_png("http://127.0.0.1:8080/trace/LOT-7K3M-Q9XD", 4).expect("png");
        assert_eq!(&png[1..4], b"PNG");
    }
}
