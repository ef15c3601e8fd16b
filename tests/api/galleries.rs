//! Media attached to what the catalogue shows: cooperative pictures, product
//! galleries, origin story and lot photos, certificate scans.

use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};

use crate::helpers::{TestApp, png_photo};

const SET_PRODUCT_MEDIA: &str = "mutation($p: ID!, $items: [MediaItemInput!]!) { setProductMedia(productId: $p, items: $items) { attachments { position altText asset { id } } userErrors { code field message } } }";

#[tokio::test]
async fn a_product_gallery_shows_ready_photos_in_order_with_thumbnails() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 5).await;
    let a = app
        .upload(
            &owner,
            &coop,
            "PRODUCT_IMAGE",
            "image/png",
            png_photo(800, 600),
        )
        .await;
    let b = app
        .upload(
            &owner,
            &coop,
            "PRODUCT_IMAGE",
            "image/png",
            png_photo(400, 300),
        )
        .await;
    let featured = "query($id: ID) { product(id: $id) { featuredImage { altText asset { id } } } }";
    let none = app.gql(featured, json!({ "id": product })).await;
    assert_eq!(
        none.data()["product"]["featuredImage"],
        Value::Null,
        "no gallery yet"
    );
    let res = app
        .gql_as(
            Some(&owner.access),
            SET_PRODUCT_MEDIA,
            json!({ "p": product, "items": [{ "assetId": b, "altText": "Xoài chín trên cây" }, { "assetId": a }] }),
        )
        .await;
    assert_eq!(
        res.payload("setProductMedia")["attachments"][0]["asset"]["id"],
        b.as_str()
    );
    let shown = app
        .gql(
            "query($id: ID) { product(id: $id) { media { position altText asset { id thumbnailUrl(width: 300) } } } }",
            json!({ "id": product }),
        )
        .await;
    let media = &shown.data()["product"]["media"];
    assert_eq!(media[0]["altText"], "Xoài chín trên cây");
    assert_eq!(media[1]["asset"]["id"], a.as_str());
    let thumb = media[0]["asset"]["thumbnailUrl"]
        .as_str()
        .expect("thumbnail");
    let bytes = reqwest::get(thumb)
        .await
        .expect("store")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(
        image::guess_format(&bytes).ok(),
        Some(image::ImageFormat::WebP)
    );

    // Deleting an asset takes it out of the gallery.
    let deleted = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!) { deleteMediaAsset(id: $id) { deletedMediaAssetId userErrors { code field message } } }",
            json!({ "id": b }),
        )
        .await;
    assert_eq!(
        deleted.payload("deleteMediaAsset")["deletedMediaAssetId"],
        b.as_str()
    );
    let shown = app
        .gql(
            "query($id: ID) { product(id: $id) { media { asset { id } } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        shown.data()["product"]["media"],
        json!([{ "asset": { "id": a } }])
    );
    let shown = app.gql(featured, json!({ "id": product })).await;
    assert_eq!(
        shown.data()["product"]["featuredImage"],
        json!({ "altText": null, "asset": { "id": a } }),
        "the next image leads once the first is gone"
    );
}

#[tokio::test]
async fn a_products_featured_image_is_the_first_picture_of_its_gallery_not_a_video() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 5).await;
    let mp4 = [
        b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec(),
        vec![0u8; 200],
    ]
    .concat();
    let video = app
        .upload(&owner, &coop, "PRODUCT_VIDEO", "video/mp4", mp4)
        .await;
    let photo = app
        .upload(
            &owner,
            &coop,
            "PRODUCT_IMAGE",
            "image/png",
            png_photo(200, 100),
        )
        .await;
    let res = app
        .gql_as(
            Some(&owner.access),
            SET_PRODUCT_MEDIA,
            json!({ "p": product, "items": [{ "assetId": video }, { "assetId": photo, "altText": "Xoài" }] }),
        )
        .await;
    res.payload("setProductMedia");
    let shown = app
        .gql(
            "query($id: ID) { product(id: $id) { featuredImage { position altText asset { id width } } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        shown.data()["product"]["featuredImage"],
        json!({ "position": 1, "altText": "Xoài", "asset": { "id": photo, "width": 200 } })
    );
}

#[tokio::test]
async fn a_gallery_refuses_other_cooperatives_assets_wrong_purposes_and_outsiders() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let other = app.register("other@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let other_coop = app.cooperative(&other, "HTX Khác").await;
    let (product, _) = app.product(&owner, &coop, "Xoài", 120_000, 5).await;
    let theirs = app
        .upload(
            &other,
            &other_coop,
            "PRODUCT_IMAGE",
            "image/png",
            png_photo(64, 64),
        )
        .await;
    let logo = app
        .upload(
            &owner,
            &coop,
            "COOPERATIVE_LOGO",
            "image/png",
            png_photo(64, 64),
        )
        .await;
    let mine = app
        .upload(
            &owner,
            &coop,
            "PRODUCT_IMAGE",
            "image/png",
            png_photo(64, 64),
        )
        .await;
    let res = app
        .gql_as(
            Some(&owner.access),
            SET_PRODUCT_MEDIA,
            json!({ "p": product, "items": [{ "assetId": mine }, { "assetId": theirs }] }),
        )
        .await;
    assert_eq!(res.user_code("setProductMedia"), "FORBIDDEN");
    assert_eq!(res.data()["setProductMedia"]["attachments"], Value::Null);
    let res = app
        .gql_as(
            Some(&owner.access),
            SET_PRODUCT_MEDIA,
            json!({ "p": product, "items": [{ "assetId": logo }] }),
        )
        .await;
    assert_eq!(res.user_code("setProductMedia"), "INVALID");
    assert_eq!(res.user_field("setProductMedia"), "items.0.assetId");
    let vars = json!({ "p": product, "items": [{ "assetId": mine }] });
    assert_eq!(
        app.gql_as(Some(&other.access), SET_PRODUCT_MEDIA, vars.clone())
            .await
            .user_code("setProductMedia"),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(SET_PRODUCT_MEDIA, vars).await.code(),
        "UNAUTHENTICATED"
    );
    let shown = app
        .gql(
            "query($id: ID) { product(id: $id) { media { position } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        shown.data()["product"]["media"],
        json!([]),
        "nothing half-written"
    );
}

#[tokio::test]
async fn lot_and_origin_story_photos_appear_on_the_trace_page() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 5).await;
    let story_photo = app
        .upload(
            &owner,
            &coop,
            "ORIGIN_STORY_IMAGE",
            "image/png",
            png_photo(300, 200),
        )
        .await;
    let early = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!, $a: ID!) { setOriginStoryMedia(productId: $p, items: [{ assetId: $a }]) { attachments { position } userErrors { code field message } } }",
            json!({ "p": product, "a": story_photo }),
        )
        .await;
    assert_eq!(
        early.user_code("setOriginStoryMedia"),
        "INVALID",
        "no story yet"
    );
    assert_eq!(early.user_field("setOriginStoryMedia"), "productId");
    app.gql_as(
        Some(&owner.access),
        "mutation($p: ID!) { setOriginStory(productId: $p, input: { farmName: \"Vườn đồi\", province: \"Sơn La\", story: \"Chuyện vườn\" }) { originStory { story } userErrors { code field message } } }",
        json!({ "p": product }),
    )
    .await
    .payload("setOriginStory");
    app.gql_as(
        Some(&owner.access),
        "mutation($p: ID!, $a: ID!) { setOriginStoryMedia(productId: $p, items: [{ assetId: $a, altText: \"Đồi xoài\" }]) { attachments { position } userErrors { code field message } } }",
        json!({ "p": product, "a": story_photo }),
    )
    .await
    .payload("setOriginStoryMedia");
    let lot = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!) { createLot(input: { productId: $p, harvestedOn: \"2026-06-01\", quantity: 100, unit: KG }) { lot { id code } userErrors { code field message } } }",
            json!({ "p": product }),
        )
        .await;
    let lot = &lot.payload("createLot")["lot"];
    let (lot_id, code) = (
        lot["id"].as_str().expect("id").to_owned(),
        lot["code"].as_str().expect("code").to_owned(),
    );
    let lot_photo = app
        .upload(&owner, &coop, "LOT_IMAGE", "image/png", png_photo(300, 200))
        .await;
    app.gql_as(
        Some(&owner.access),
        "mutation($l: ID!, $a: ID!) { setLotPhotos(lotId: $l, items: [{ assetId: $a, altText: \"Thùng xoài lô này\" }]) { attachments { position } userErrors { code field message } } }",
        json!({ "l": lot_id, "a": lot_photo }),
    )
    .await
    .payload("setLotPhotos");
    let res = app
        .gql(
            "query($c: String!) { lot(code: $c) { photos { altText } } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(
        res.data()["lot"]["photos"][0]["altText"],
        "Thùng xoài lô này"
    );
    let (_, _, body) = app
        .request(
            Request::get(format!("/trace/{code}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    let html = String::from_utf8(body).expect("utf-8");
    assert!(
        html.contains("alt=\"Thùng xoài lô này\""),
        "lot photo on the page"
    );
    assert!(
        html.contains("alt=\"Đồi xoài\""),
        "origin story photo on the page"
    );
}

#[tokio::test]
async fn a_cooperative_shows_its_cover_and_a_certificate_its_scan() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Chè").await;
    let cover = app
        .upload(
            &owner,
            &coop,
            "COOPERATIVE_COVER",
            "image/png",
            png_photo(1600, 600),
        )
        .await;
    app.gql_as(
        Some(&owner.access),
        "mutation($c: ID!, $a: ID) { setCooperativeCover(cooperativeId: $c, assetId: $a) { mediaAsset { id } userErrors { code field message } } }",
        json!({ "c": coop, "a": cover }),
    )
    .await
    .payload("setCooperativeCover");
    let cert = app
        .gql_as(
            Some(&owner.access),
            "mutation($c: ID!) { addCertification(input: { cooperativeId: $c, kind: VIETGAP, issuer: \"Sở NN\", number: \"VG-9\", validFrom: \"2026-01-01\", validUntil: \"2028-01-01\", scope: COOPERATIVE }) { certification { id } userErrors { code field message } } }",
            json!({ "c": coop }),
        )
        .await;
    let cert = cert.payload("addCertification")["certification"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let scan = app
        .upload(
            &owner,
            &coop,
            "CERTIFICATE_DOCUMENT",
            "image/png",
            png_photo(600, 800),
        )
        .await;
    let set_doc = "mutation($c: ID!, $a: ID) { setCertificationDocument(certificationId: $c, assetId: $a) { certification { document { id } } userErrors { code field message } } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            set_doc,
            json!({ "c": cert, "a": scan }),
        )
        .await;
    assert_eq!(
        res.payload("setCertificationDocument")["certification"]["document"]["id"],
        scan.as_str()
    );
    let stranger = app.register("stranger@example.vn").await;
    assert_eq!(
        app.gql_as(
            Some(&stranger.access),
            set_doc,
            json!({ "c": cert, "a": Value::Null })
        )
        .await
        .user_code("setCertificationDocument"),
        "FORBIDDEN"
    );
    let shown = app
        .gql(
            "query($id: ID) { cooperative(id: $id) { cover { id thumbnailUrl(width: 1024) } badges { document { id } } } }",
            json!({ "id": coop }),
        )
        .await;
    let c = &shown.data()["cooperative"];
    assert_eq!(c["cover"]["id"], cover.as_str());
    assert!(c["cover"]["thumbnailUrl"].is_string());
    assert_eq!(c["badges"][0]["document"]["id"], scan.as_str());
}
