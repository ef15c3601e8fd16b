//! Media against a hostile uploader: decompression bombs are refused from
//! their header, and an upload URL used again after confirmation changes
//! nothing the asset serves. Each scenario runs on the embedded store and,
//! when `TEST_MOTO_URL` is set, on moto.

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::uuid_of;
use crate::media::{
    CONFIRM, CREATE_UPLOAD, DELETE, MediaApp, Store, confirmed, get, on_every_store, png, put,
    user_message,
};

/// A valid PNG of `width`×`height` black pixels (8-bit grey, or RGBA) whose
/// pixel data is one fixed-Huffman deflate block of 258-byte runs: 13 bits
/// on the wire per 258 bytes decoded, the way decompression bombs are built.
fn png_bomb(width: u32, height: u32, rgba: bool) -> Vec<u8> {
    let channels: u64 = if rgba { 4 } else { 1 };
    // Each row: filter byte 0 (none), then the pixels, all zero.
    let raw = u64::from(height) * (1 + u64::from(width) * channels);
    let mut bits = Bits::default();
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let mut left = raw - 1;
    while left >= 258 {
        bits.code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    let mut zlib = vec![0x78, 0x01];
    zlib.extend(bits.finish());
    // Adler-32 of zeros: a stays 1, b counts the bytes.
    let adler = (((raw % 65_521) as u32) << 16) | 1;
    zlib.extend(adler.to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, if rgba { 6 } else { 0 }, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(&data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    out
}

/// Deflate's bit order: fields least significant bit first, Huffman codes
/// most significant bit first.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_bomb_is_a_png_the_image_crate_reads_to_its_declared_size() {
    let bomb = png_bomb(300, 200, true);
    let image =
        image::load_from_memory_with_format(&bomb, image::ImageFormat::Png).expect("a valid PNG");
    assert_eq!((image.width(), image.height()), (300, 200));
    assert!(image.to_rgba8().pixels().all(|p| p.0 == [0, 0, 0, 0]));
    let grey = png_bomb(8000, 6000, false);
    assert!(
        grey.len() < 400 * 1024,
        "48 MB of pixels in {} bytes",
        grey.len()
    );
}

/// Creates a PNG upload of `bytes` for a product image and PUTs them; the
/// upload payload (asset id, URL and headers).
async fn uploaded(app: &MediaApp, bytes: &[u8]) -> serde_json::Value {
    let res = app
        .gql(
            Some(&app.owner.access),
            CREATE_UPLOAD,
            json!({ "i": {
                "purpose": "PRODUCT_IMAGE", "contentType": "image/png",
                "byteSize": bytes.len(), "cooperativeId": app.coop,
            }}),
        )
        .await;
    let payload = res.payload("createUpload")["upload"].clone();
    let status = put(&payload, "image/png", bytes.to_vec()).await;
    assert!(status.is_success(), "PUT refused: {status}");
    payload
}

fn id_of(payload: &serde_json::Value) -> String {
    payload["asset"]["id"].as_str().expect("id").to_owned()
}

/// The keys in storage under `prefix`.
async fn keys_under(app: &MediaApp, prefix: &str) -> Vec<String> {
    let listed = app
        .storage()
        .client()
        .list_objects_v2()
        .bucket(app.storage().bucket())
        .prefix(prefix)
        .send()
        .await
        .expect("list");
    let mut keys: Vec<String> = listed
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

on_every_store! {
    async fn a_put_to_the_upload_url_after_confirmation_changes_nothing_the_asset_serves(app) {
        let photo = png(600, 400);
        let payload = uploaded(app, &photo).await;
        let id = id_of(&payload);
        let first = app.confirm(Some(&app.owner.access), &id).await;
        assert_eq!(confirmed(&first)["status"], "READY");

        // The URL still lives (15 minutes); storage may take the PUT.
        let mut html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
        html.resize(photo.len(), b' ');
        let status = put(&payload, "image/png", html).await;
        assert!(status.is_success(), "the store took the second PUT: {status}");

        for round in ["after the second PUT", "after confirming again"] {
            let shown = app.asset(None, &id).await;
            let shown = &shown.data()["mediaAsset"];
            let (status, bytes) = get(shown["url"].as_str().expect("url")).await;
            assert_eq!(status, 200, "{round}");
            assert!(bytes == photo, "{round}: the download serves the confirmed photo");
            let (_, small) = get(shown["small"].as_str().expect("thumbnail")).await;
            let webp = image::load_from_memory_with_format(&small, image::ImageFormat::WebP)
                .expect("the rendition is still the photo's");
            assert_eq!(webp.width(), 320, "{round}");
            let again = app.confirm(Some(&app.owner.access), &id).await;
            assert_eq!(confirmed(&again)["status"], "READY");
        }

        // Deleting the asset removes what the second PUT left too.
        let prefix = format!("{}/product_image/{}", app.coop_key(), uuid_of(&id));
        let upload_key = format!("{prefix}.png");
        let row = app.row(&id).await.expect("row");
        assert_ne!(row.object_key, upload_key, "the asset is served from its own key");
        let deleted = app.gql(Some(&app.owner.access), DELETE, json!({ "id": id })).await;
        assert_eq!(deleted.payload("deleteMediaAsset")["deletedMediaAssetId"], id.as_str());
        assert_eq!(
            keys_under(app, &prefix).await,
            Vec::<String>::new(),
            "nothing of the asset is left in storage"
        );
    }

    async fn confirmations_racing_each_other_serve_one_checked_copy_and_leave_no_other(app) {
        let photo = png(500, 300);
        let payload = uploaded(app, &photo).await;
        let id = id_of(&payload);
        let answers = join_all(
            (0..6).map(|_| app.gql(Some(&app.owner.access), CONFIRM, json!({ "id": id }))),
        )
        .await;
        for answer in &answers {
            assert_eq!(confirmed(answer)["status"], "READY", "{}", answer.body);
        }
        let row = app.row(&id).await.expect("row");
        assert_eq!(row.rendition_widths, "320");
        let mut expected = vec![
            row.object_key.clone(),
            farmstream::media::rendition_key(&row.object_key, 320),
        ];
        expected.sort();
        assert_eq!(
            keys_under(app, &format!("{}/product_image/{}", app.coop_key(), uuid_of(&id))).await,
            expected,
            "one copy and its rendition; the losers' copies and the upload are gone"
        );
        let shown = app.asset(None, &id).await;
        let (_, bytes) = get(shown.data()["mediaAsset"]["url"].as_str().expect("url")).await;
        assert!(bytes == photo);
    }

    async fn an_image_declaring_more_pixels_than_the_budget_is_refused_and_never_ready(app) {
        // 48 megapixels of grey (48 MB decoded), and the 12,000 × 12,000
        // RGBA of the report (576 MB decoded).
        for (width, height, rgba) in [(8000, 6000, false), (12_000, 12_000, true)] {
            let bomb = png_bomb(width, height, rgba);
            let payload = uploaded(app, &bomb).await;
            let id = id_of(&payload);
            let refused = app.confirm(Some(&app.owner.access), &id).await;
            assert_eq!(refused.user_code("confirmUpload"), "INVALID", "{}", refused.body);
            assert_eq!(refused.user_field("confirmUpload"), "assetId");
            assert_eq!(refused.data()["confirmUpload"]["mediaAsset"], serde_json::Value::Null);
            let message = user_message(&refused, "confirmUpload");
            assert!(
                message.contains(&format!("{width} × {height} pixels"))
                    && message.contains("at most 40.0 megapixels"),
                "{message}"
            );
            let row = app.row(&id).await.expect("the row stays");
            assert_eq!(row.status.to_string(), "PENDING", "never READY");
            assert_eq!((row.width, row.height), (None, None));
            let shown = app.asset(Some(&app.owner.access), &id).await;
            assert_eq!(shown.data()["mediaAsset"]["status"], "PENDING");
            assert_eq!(
                app.asset(None, &id).await.data()["mediaAsset"],
                serde_json::Value::Null,
                "nothing public"
            );
            assert_eq!(
                keys_under(app, &format!("{}/product_image/{}", app.coop_key(), uuid_of(&id))).await,
                Vec::<String>::new(),
                "the bomb is deleted"
            );
        }
    }
}

#[tokio::test]
async fn the_pixel_budget_follows_its_setting() {
    let app = MediaApp::spawn_with(Store::Embedded, |s| {
        s.insert("FARMSTREAM_MEDIA_MAX_PIXELS".into(), "1000000".into());
    })
    .await;
    let id = app
        .upload_ready("PRODUCT_IMAGE", "image/png", &png(1000, 1000))
        .await;
    assert_eq!(
        app.asset(None, &id).await.data()["mediaAsset"]["width"],
        1000
    );
    let payload = uploaded(&app, &png(1200, 1000)).await;
    let refused = app.confirm(Some(&app.owner.access), &id_of(&payload)).await;
    assert_eq!(refused.user_code("confirmUpload"), "INVALID");
    assert_eq!(refused.user_field("confirmUpload"), "assetId");
    let message = user_message(&refused, "confirmUpload");
    assert!(
        message.contains("1.2 megapixels") && message.contains("at most 1.0"),
        "{message}"
    );
}
