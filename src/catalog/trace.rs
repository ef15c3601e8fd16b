//! The public trace page of a lot (`/trace/{code}`), what a package's QR code
//! opens: mobile-first HTML with Vietnamese labels, no login, and nothing
//! personal the cooperative did not publish. Also the QR code itself.

use std::fmt::Write as _;

use qrcode::QrCode;
use qrcode::render::svg;
use sea_orm::EntityTrait;

use entity::{cooperative, origin_story, product};

use crate::catalog::service::{certifications, lots};
use crate::catalog::{CertificationKind, LotId, ProductStatus};
use crate::config::MediaConfig;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::media::MediaStatus;
use crate::media::attachments::{Gallery, GalleryLoader};
use crate::media::service::{thumbnail_key, url_for};
use crate::storage::Storage;
use async_graphql::dataloader::Loader;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f2;color:#1f2a1f;line-height:1.5}}
main{{max-width:40rem;margin:0 auto;padding:1rem}}
h1{{font-size:1.5rem;margin:.5rem 0}} h2{{font-size:1.1rem;margin-top:1.5rem}}
.card{{background:#fff;border-radius:12px;padding:1rem;margin:1rem 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}}
dl{{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:0}} dt{{color:#5a6b5a}} dd{{margin:0}}
.badge{{display:inline-block;background:#2f7d32;color:#fff;border-radius:999px;padding:.15rem .6rem;margin:.15rem;font-size:.85rem}}
.story{{white-space:pre-line}} .photos{{display:flex;gap:.5rem;overflow-x:auto}} .photos img{{border-radius:8px;height:auto}} .muted{{color:#5a6b5a;font-size:.85rem}}
</style>
</head>
<body><main>{body}</main></body>
</html>"#
    )
}

fn kind_label(kind: &str, stars: Option<i32>) -> String {
    match CertificationKind::from_db(kind) {
        Some(CertificationKind::Vietgap) => "VietGAP".into(),
        Some(CertificationKind::Globalgap) => "GlobalGAP".into(),
        Some(CertificationKind::Organic) => "Hữu cơ".into(),
        Some(CertificationKind::Ocop) => format!("OCOP {} sao", stars.unwrap_or(3)),
        _ => "Chứng nhận khác".into(),
    }
}

/// Thumbnail links of a gallery: (320 px source, 1024 px link, alt text).
async fn photos(
    db: &Db,
    storage: &Storage,
    media: &MediaConfig,
    gallery: Gallery,
    target: uuid::Uuid,
) -> AppResult<Vec<(String, String, String)>> {
    let items = GalleryLoader(db.clone())
        .load(&[(gallery, target)])
        .await
        .map_err(AppError::from)?
        .remove(&(gallery, target))
        .unwrap_or_default();
    let mut out = Vec::new();
    for (attachment, asset) in items {
        if asset.status != MediaStatus::Ready.as_str() || !asset.content_type.starts_with("image/")
        {
            continue;
        }
        let small = url_for(storage, media, &thumbnail_key(&asset, 320)).await?;
        let large = url_for(storage, media, &thumbnail_key(&asset, 1024)).await?;
        out.push((small, large, attachment.alt_text.unwrap_or_default()));
    }
    Ok(out)
}

fn photo_strip(body: &mut String, photos: &[(String, String, String)]) {
    if photos.is_empty() {
        return;
    }
    body.push_str(r#"<div class="photos">"#);
    for (small, large, alt) in photos {
        let _ = write!(
            body,
            r#"<a href="{large}"><img src="{small}" alt="{alt}" loading="lazy" width="160"></a>"#,
            large = esc(large),
            small = esc(small),
            alt = esc(alt),
        );
    }
    body.push_str("</div>");
}

/// The page for `code`, counting the scan; `None` when no published lot has it.
pub async fn page(
    db: &Db,
    storage: &Storage,
    media: &MediaConfig,
    code: &str,
) -> AppResult<Option<String>> {
    let Some(lot) = lots::find_public(db, code).await? else {
        return Ok(None);
    };
    lots::count_scan(db, LotId(lot.id)).await?;
    let product = product::Entity::find_by_id(lot.product_id)
        .one(db.conn())
        .await?
        .filter(|p| p.status != ProductStatus::Draft.as_str())
        .ok_or_else(|| AppError::not_found("product"))?;
    let coop = cooperative::Entity::find_by_id(lot.cooperative_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("cooperative"))?;
    let origin = origin_story::Entity::find_by_id(product.id)
        .one(db.conn())
        .await?;
    let certs = certifications::for_lot_on_harvest(db, &lot).await?;

    let mut body = String::new();
    let _ = write!(
        body,
        r#"<p class="muted">Truy xuất nguồn gốc · Mã lô <strong>{code}</strong></p>
<h1>{name}</h1>
<div class="card"><dl>
<dt>Ngày thu hoạch</dt><dd>{harvested}</dd>
<dt>Sản lượng lô</dt><dd>{quantity} {unit}</dd>"#,
        code = esc(&lot.code),
        name = esc(&product.name),
        harvested = lot.harvested_on.format("%d/%m/%Y"),
        quantity = lot.quantity,
        unit = esc(&lot.unit.to_lowercase()),
    );
    if let Some(plot) = &lot.plot {
        let _ = write!(body, "<dt>Lô đất</dt><dd>{}</dd>", esc(plot));
    }
    body.push_str("</dl></div>");
    photo_strip(
        &mut body,
        &photos(db, storage, media, Gallery::Lot, lot.id).await?,
    );
    if !certs.is_empty() {
        body.push_str("<h2>Chứng nhận còn hiệu lực khi thu hoạch</h2><div>");
        for c in &certs {
            let _ = write!(
                body,
                r#"<span class="badge" title="{issuer} · số {number}">{label}</span>"#,
                issuer = esc(&c.issuer),
                number = esc(&c.number),
                label = esc(&kind_label(&c.kind, c.stars)),
            );
        }
        body.push_str("</div>");
    }
    let _ = write!(
        body,
        r#"<h2>Hợp tác xã</h2><div class="card"><dl>
<dt>Tên</dt><dd>{name}</dd>
<dt>Địa chỉ</dt><dd>{ward}, {province}</dd>"#,
        name = esc(&coop.name),
        ward = esc(&coop.ward),
        province = esc(&coop.province),
    );
    if let Some(area) = &coop.area {
        let _ = write!(body, "<dt>Vùng</dt><dd>{}</dd>", esc(area));
    }
    body.push_str("</dl></div>");
    if let Some(o) = origin {
        let _ = write!(
            body,
            r#"<h2>Câu chuyện nguồn gốc</h2><div class="card"><dl>
<dt>Trang trại</dt><dd>{farm}</dd>"#,
            farm = esc(&o.farm_name),
        );
        if let Some(grower) = &o.grower_name {
            let _ = write!(body, "<dt>Người trồng</dt><dd>{}</dd>", esc(grower));
        }
        let place = [
            o.commune.as_deref(),
            o.area.as_deref(),
            Some(o.province.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let _ = write!(body, "<dt>Nơi trồng</dt><dd>{}</dd>", esc(&place));
        if let Some(alt) = o.altitude_m {
            let _ = write!(body, "<dt>Độ cao</dt><dd>{alt} m</dd>");
        }
        if let Some(practice) = &o.cultivation_practice {
            let _ = write!(body, "<dt>Canh tác</dt><dd>{}</dd>", esc(practice));
        }
        let _ = write!(body, r#"</dl><p class="story">{}</p>"#, esc(&o.story));
        photo_strip(
            &mut body,
            &photos(db, storage, media, Gallery::OriginStory, product.id).await?,
        );
        body.push_str("</div>");
    }
    body.push_str(r#"<p class="muted">Trang này do farmstream cung cấp, không cần đăng nhập.</p>"#);
    Ok(Some(layout(
        &format!("{} · {}", product.name, lot.code),
        &body,
    )))
}

/// The page shown for an unknown code.
pub fn not_found_page(code: &str) -> String {
    layout(
        "Không tìm thấy lô hàng",
        &format!(
            r#"<h1>Không tìm thấy lô hàng</h1><div class="card"><p>Mã <strong>{}</strong> không khớp với lô hàng nào.
Hãy kiểm tra lại mã in trên bao bì.</p></div>"#,
            esc(code)
        ),
    )
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
    fn html_is_escaped() {
        assert_eq!(
            esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn qr_codes_render_as_svg_and_png() {
        let svg = qr_svg("http://127.0.0.1:8080/trace/LOT-7K3M-Q9XD").expect("svg");
        assert!(svg.contains("<svg"));
        let png = qr_png("http://127.0.0.1:8080/trace/LOT-7K3M-Q9XD", 4).expect("png");
        assert_eq!(&png[1..4], b"PNG");
    }
}
