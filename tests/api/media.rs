//! Media: presigned uploads straight to storage, confirmation, WebP
//! renditions, delivery, attachment, deletion and the sweep.
//!
//! Each scenario is written once and runs on every store: the embedded
//! s3s-fs store always, and moto's S3 server when `TEST_MOTO_URL` is set
//! (`.ci/run` starts one); without it the moto variant prints a notice and
//! passes.

use std::io::Cursor;
use std::time::Duration;

use farmstream::auth::Viewer;
use farmstream::cooperatives::service::{NewCooperative, create};
use farmstream::ids::UserId;
use farmstream::media::objects;
use farmstream::media::service::sweep_pending;
use farmstream::places::Province;
use farmstream::values::Name;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, gid, uuid_of};

/// Which S3 implementation a scenario runs against.
#[derive(Clone, Debug)]
pub(crate) enum Store {
    Embedded,
    Moto(String),
}

/// A fresh app on one store, with a cooperative and its owner.
pub(crate) struct MediaApp {
    pub(crate) t: TestApp,
    pub(crate) store: Store,
    pub(crate) owner: Session,
    pub(crate) coop: String,
}

impl MediaApp {
    pub(crate) async fn spawn(store: Store) -> Self {
        Self::spawn_with(store, |_| {}).await
    }

    /// As [`MediaApp::spawn`], with settings changed by `tweak` last.
    pub(crate) async fn spawn_with(
        store: Store,
        tweak: impl FnOnce(&mut std::collections::HashMap<String, String>),
    ) -> Self {
        let for_settings = store.clone();
        let t = TestApp::spawn_with(move |s| {
            if let Store::Moto(url) = for_settings {
                s.insert("FARMSTREAM_S3_ENDPOINT".into(), url);
                s.insert("FARMSTREAM_S3_ACCESS_KEY_ID".into(), "testing".into());
                s.insert("FARMSTREAM_S3_SECRET_ACCESS_KEY".into(), "testing".into());
                // moto keeps every bucket in one process: one bucket per test.
                s.insert(
                    "FARMSTREAM_S3_BUCKET".into(),
                    format!("fs-{}", uuid::Uuid::new_v4().simple()),
                );
            }
            tweak(s);
        })
        .await;
        let (owner, coop) =
            cooperative_with_owner(&t, "owner@htx-moc-chau.vn", "HTX Mộc Châu").await;
        Self {
            t,
            store,
            owner,
            coop,
        }
    }

    /// The moto variant, or `None` (with a notice) when no moto server is set.
    pub(crate) async fn spawn_moto() -> Option<Self> {
        match std::env::var("TEST_MOTO_URL") {
            Ok(url) if !url.trim().is_empty() => Some(Self::spawn(Store::Moto(url)).await),
            _ => {
                println!("skipped on moto: TEST_MOTO_URL is not set (see .ci/run)");
                None
            }
        }
    }

    pub(crate) fn is_embedded(&self) -> bool {
        matches!(self.store, Store::Embedded)
    }

    pub(crate) async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        vars: Value,
    ) -> crate::helpers::Gql {
        self.t.gql_as(token, query, vars).await
    }

    pub(crate) async fn create_upload(
        &self,
        token: Option<&str>,
        coop: &str,
        purpose: &str,
        content_type: &str,
        byte_size: i64,
    ) -> crate::helpers::Gql {
        self.gql(
            token,
            CREATE_UPLOAD,
            json!({ "i": {
                "purpose": purpose,
                "contentType": content_type,
                "byteSize": byte_size,
                "cooperativeId": coop,
            }}),
        )
        .await
    }

    pub(crate) async fn confirm(&self, token: Option<&str>, id: &str) -> crate::helpers::Gql {
        self.gql(token, CONFIRM, json!({ "id": id })).await
    }

    /// Uploads `bytes` as the owner and confirms them; the asset's id.
    pub(crate) async fn upload_ready(
        &self,
        purpose: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> String {
        let res = self
            .create_upload(
                Some(&self.owner.access),
                &self.coop,
                purpose,
                content_type,
                bytes.len() as i64,
            )
            .await;
        let payload = &res.payload("createUpload")["upload"];
        let status = put(payload, content_type, bytes.to_vec()).await;
        assert!(status.is_success(), "PUT refused: {status}");
        let id = payload["asset"]["id"].as_str().expect("id").to_owned();
        let confirmed = self.confirm(Some(&self.owner.access), &id).await;
        assert_eq!(
            confirmed.payload("confirmUpload")["mediaAsset"]["status"],
            "READY"
        );
        id
    }

    /// The UUID of the cooperative, as storage keys name it.
    pub(crate) fn coop_key(&self) -> uuid::Uuid {
        uuid_of(&self.coop)
    }

    pub(crate) async fn asset(&self, token: Option<&str>, id: &str) -> crate::helpers::Gql {
        self.gql(token, ASSET, json!({ "id": id })).await
    }

    pub(crate) fn db(&self) -> &farmstream::db::Db {
        &self.t.app.state.db
    }

    pub(crate) fn storage(&self) -> &farmstream::storage::Storage {
        &self.t.app.state.storage
    }

    pub(crate) async fn row(&self, id: &str) -> Option<entity::media_asset::Model> {
        entity::media_asset::Entity::find_by_id(uuid_of(id))
            .one(self.db().conn())
            .await
            .expect("query")
    }
}

pub(crate) const CREATE_UPLOAD: &str =
    "mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload {
    asset { id status purpose contentType byteSize url }
    uploadUrl requiredHeaders { name value } expiresAt } userErrors { code field message } } }";
pub(crate) const CONFIRM: &str = "mutation($id: ID!) { confirmUpload(assetId: $id) { mediaAsset {
    id status width height contentType byteSize } userErrors { code field message } } }";
pub(crate) const ASSET: &str = "query($id: ID!) { mediaAsset(id: $id) {
    id status width height url small: thumbnailUrl(width: 300) medium: thumbnailUrl(width: 500)
    huge: thumbnailUrl(width: 4000) } }";
pub(crate) const DELETE: &str = "mutation($id: ID!) { deleteMediaAsset(id: $id) { deletedMediaAssetId userErrors { code field message } } }";
pub(crate) const SET_LOGO: &str = "mutation($c: ID!, $a: ID) { setCooperativeLogo(cooperativeId: $c, assetId: $a) { mediaAsset { id } userErrors { code field message } } }";
pub(crate) const SET_COVER: &str = "mutation($c: ID!, $a: ID) { setCooperativeCover(cooperativeId: $c, assetId: $a) { mediaAsset { id } userErrors { code field message } } }";

/// The message of `mutation`'s first user error.
pub(crate) fn user_message<'a>(res: &'a crate::helpers::Gql, mutation: &str) -> &'a str {
    res.user_error(mutation)["message"]
        .as_str()
        .expect("a message")
}

/// The payload of a `confirmUpload` that succeeded: the asset.
pub(crate) fn confirmed(res: &crate::helpers::Gql) -> &Value {
    &res.payload("confirmUpload")["mediaAsset"]
}

/// Registers `email` and makes them the owner of a new cooperative.
pub(crate) async fn cooperative_with_owner(
    t: &TestApp,
    email: &str,
    name: &str,
) -> (Session, String) {
    let session = t.register(email).await;
    let viewer = Viewer::User(UserId::from(uuid_of(&session.id)));
    let coop = create(
        &t.app.state.db,
        &viewer,
        NewCooperative {
            name: Name::parse(name, "name").expect("name"),
            slug: None,
            province: Province::parse("Sơn La", "province").expect("province"),
            ward: "Mộc Châu".into(),
            street: None,
            area: Some("Mộc Châu".into()),
            description: None,
            phone: None,
            email: None,
            bank: None,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("create cooperative: {e}"));
    (session, gid("Cooperative", coop.id))
}

/// A PNG photo `width`×`height` pixels.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 120])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png encodes");
    out.into_inner()
}

/// PUTs `body` to an upload payload's URL with its required headers, but
/// `content_type` as the content type; reqwest sets the length from the body.
pub(crate) async fn put(payload: &Value, content_type: &str, body: Vec<u8>) -> reqwest::StatusCode {
    let url = payload["uploadUrl"].as_str().expect("uploadUrl");
    let mut req = reqwest::Client::new().put(url);
    for header in payload["requiredHeaders"].as_array().expect("headers") {
        let name = header["name"].as_str().expect("name");
        if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("content-type")
        {
            continue;
        }
        req = req.header(name, header["value"].as_str().expect("value"));
    }
    req.header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("storage answers")
        .status()
}

pub(crate) async fn get(url: &str) -> (reqwest::StatusCode, Vec<u8>) {
    let res = reqwest::get(url).await.expect("storage answers");
    let status = res.status();
    (status, res.bytes().await.expect("body").to_vec())
}

/// Declares scenarios that run once per store.
macro_rules! on_every_store {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn on_the_embedded_store() {
                run(&MediaApp::spawn(Store::Embedded).await).await;
            }

            #[tokio::test]
            async fn on_moto() {
                if let Some(app) = MediaApp::spawn_moto().await {
                    run(&app).await;
                }
            }

            async fn run($app: &MediaApp) $body
        }
    )*};
}
pub(crate) use on_every_store;

on_every_store! {
    async fn a_photo_goes_up_by_presigned_url_and_comes_back_with_webp_thumbnails(app) {
        let photo = png(1200, 800);
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "PRODUCT_IMAGE", "image/png", photo.len() as i64)
            .await;
        let payload = &res.payload("createUpload")["upload"];
        assert_eq!(payload["asset"]["status"], "PENDING");
        assert_eq!(payload["asset"]["url"], Value::Null);
        let id = payload["asset"]["id"].as_str().expect("id").to_owned();
        let url = payload["uploadUrl"].as_str().expect("url");
        assert!(
            url.contains(&format!("/{}/product_image/{}.png", app.coop_key(), uuid_of(&id))),
            "the key is made of ids: {url}"
        );
        let headers: Vec<(String, String)> = payload["requiredHeaders"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|h| (h["name"].as_str().unwrap_or_default().to_lowercase(), h["value"].as_str().unwrap_or_default().to_owned()))
            .collect();
        assert!(headers.contains(&("content-type".into(), "image/png".into())), "{headers:?}");
        assert!(headers.contains(&("content-length".into(), photo.len().to_string())), "{headers:?}");
        let expires: chrono::DateTime<chrono::Utc> =
            payload["expiresAt"].as_str().expect("expiresAt").parse().expect("date");
        assert!(expires <= chrono::Utc::now() + chrono::Duration::minutes(15));

        assert!(put(payload, "image/png", photo.clone()).await.is_success());
        let done = app.confirm(Some(&app.owner.access), &id).await;
        let asset = confirmed(&done);
        assert_eq!(asset["status"], "READY");
        assert_eq!((asset["width"].as_i64(), asset["height"].as_i64()), (Some(1200), Some(800)));

        let shown = app.asset(None, &id).await;
        let shown = &shown.data()["mediaAsset"];
        let (status, bytes) = get(shown["url"].as_str().expect("url")).await;
        assert_eq!(status, 200);
        assert_eq!(bytes, photo, "the presigned GET returns the uploaded bytes");
        for (field, width) in [("small", 320), ("medium", 1024)] {
            let (status, bytes) = get(shown[field].as_str().expect("thumbnail")).await;
            assert_eq!(status, 200);
            let webp = image::load_from_memory_with_format(&bytes, image::ImageFormat::WebP)
                .expect("a WebP rendition");
            assert_eq!(webp.width(), width, "{field}");
        }
        let (_, original) = get(shown["huge"].as_str().expect("thumbnail")).await;
        assert_eq!(original, photo, "wider than every rendition: the original");

        let again = app.confirm(Some(&app.owner.access), &id).await;
        assert_eq!(confirmed(&again)["status"], "READY", "confirming twice is harmless");
    }

    async fn a_given_checksum_is_signed_into_the_upload_and_checked(app) {
        use sha2::Digest;
        let photo = png(60, 60);
        let good = hex::encode(sha2::Sha256::digest(&photo));
        let bad = hex::encode(sha2::Sha256::digest(b"something else"));
        for (checksum, accepted) in [(good, true), (bad, false)] {
            let res = app
                .gql(
                    Some(&app.owner.access),
                    CREATE_UPLOAD,
                    json!({ "i": {
                        "purpose": "PRODUCT_IMAGE", "contentType": "image/png",
                        "byteSize": photo.len(), "cooperativeId": app.coop,
                        "checksumSha256": checksum,
                    }}),
                )
                .await;
            let payload = &res.payload("createUpload")["upload"];
            let signed = payload["requiredHeaders"]
                .as_array()
                .expect("headers")
                .iter()
                .any(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("x-amz-checksum-sha256")));
            assert!(signed, "the checksum is a required header: {payload}");
            let id = payload["asset"]["id"].as_str().expect("id").to_owned();
            let status = put(payload, "image/png", photo.clone()).await;
            let confirmed = app.confirm(Some(&app.owner.access), &id).await;
            if accepted {
                assert!(status.is_success(), "{status}");
                assert_eq!(confirmed.payload("confirmUpload")["mediaAsset"]["status"], "READY");
            } else {
                if app.is_embedded() {
                    assert!(!status.is_success(), "the embedded store checks the checksum");
                }
                assert_eq!(confirmed.user_code("confirmUpload"), "INVALID", "{}", confirmed.body);
                assert_eq!(confirmed.user_field("confirmUpload"), "assetId");
            }
        }
    }

    async fn confirming_before_uploading_says_nothing_was_uploaded_yet(app) {
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "LOT_IMAGE", "image/jpeg", 1000)
            .await;
        let id = res.payload("createUpload")["upload"]["asset"]["id"].as_str().expect("id").to_owned();
        let confirmed = app.confirm(Some(&app.owner.access), &id).await;
        assert_eq!(confirmed.user_code("confirmUpload"), "INVALID");
        assert_eq!(confirmed.user_field("confirmUpload"), "assetId");
        let message = user_message(&confirmed, "confirmUpload");
        assert!(message.contains("nothing uploaded yet"), "{message}");
    }

    async fn storage_or_confirmation_refuses_bytes_of_another_size_or_type(app) {
        let photo = png(40, 40);
        for (content_type, body) in [
            ("image/png", [photo.clone(), b"extra".to_vec()].concat()),
            ("text/html", photo.clone()),
        ] {
            let res = app
                .create_upload(Some(&app.owner.access), &app.coop, "PRODUCT_IMAGE", "image/png", photo.len() as i64)
                .await;
            let payload = &res.payload("createUpload")["upload"];
            let id = payload["asset"]["id"].as_str().expect("id").to_owned();
            let status = put(payload, content_type, body).await;
            if app.is_embedded() {
                assert_eq!(status, 403, "the embedded store checks the signed {content_type} PUT");
            }
            if status.is_success() {
                // A store that does not check signatures (moto) takes it;
                // confirmation must not.
                let confirmed = app.confirm(Some(&app.owner.access), &id).await;
                assert_eq!(confirmed.user_code("confirmUpload"), "INVALID", "{}", confirmed.body);
            } else {
                let confirmed = app.confirm(Some(&app.owner.access), &id).await;
                assert!(user_message(&confirmed, "confirmUpload").contains("nothing uploaded yet"), "{}", confirmed.body);
            }
        }
    }

    async fn a_jpg_that_is_really_html_is_refused_and_deleted(app) {
        let html = b"<!DOCTYPE html><html><body>not a mango</body></html>".to_vec();
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "PRODUCT_IMAGE", "image/jpeg", html.len() as i64)
            .await;
        let payload = &res.payload("createUpload")["upload"];
        let id = payload["asset"]["id"].as_str().expect("id").to_owned();
        assert!(put(payload, "image/jpeg", html).await.is_success());
        let confirmed = app.confirm(Some(&app.owner.access), &id).await;
        assert_eq!(confirmed.user_code("confirmUpload"), "INVALID");
        assert_eq!(confirmed.user_field("confirmUpload"), "assetId");
        let message = user_message(&confirmed, "confirmUpload");
        assert!(message.contains("not image/jpeg"), "{message}");
        let key = app.row(&id).await.expect("row stays pending").object_key;
        assert!(
            objects::head(app.storage(), &key).await.expect("head").is_none(),
            "the refused object is deleted"
        );
    }

    async fn a_video_and_a_pdf_are_checked_by_their_first_bytes(app) {
        let mp4 = [b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec(), vec![0u8; 200]].concat();
        let id = app.upload_ready("PRODUCT_VIDEO", "video/mp4", &mp4).await;
        let shown = app.asset(None, &id).await;
        assert_eq!(shown.data()["mediaAsset"]["width"], Value::Null);
        assert_eq!(shown.data()["mediaAsset"]["small"], Value::Null, "no thumbnail of a video");
        let (status, bytes) = get(shown.data()["mediaAsset"]["url"].as_str().expect("url")).await;
        assert_eq!((status.as_u16(), bytes), (200, mp4));
        app.upload_ready("CERTIFICATE_DOCUMENT", "application/pdf", b"%PDF-1.7\n%%EOF\n").await;
    }

    async fn deleting_an_asset_removes_its_files_and_detaches_it(app) {
        let id = app.upload_ready("COOPERATIVE_LOGO", "image/png", &png(400, 400)).await;
        let set = app.gql(Some(&app.owner.access), SET_LOGO, json!({ "c": app.coop, "a": id })).await;
        assert_eq!(set.payload("setCooperativeLogo")["mediaAsset"]["id"], id.as_str());
        let coop_id = app.coop_key();
        let coop = entity::cooperative::Entity::find_by_id(coop_id).one(app.db().conn()).await.expect("q").expect("coop");
        assert_eq!(coop.logo_asset_id, Some(uuid_of(&id)));
        let row = app.row(&id).await.expect("row");
        assert_eq!(row.rendition_widths, "320", "400 px wide: only the 320 px rendition");

        let deleted = app.gql(Some(&app.owner.access), DELETE, json!({ "id": id })).await;
        assert_eq!(deleted.payload("deleteMediaAsset")["deletedMediaAssetId"], id.as_str());
        assert!(app.row(&id).await.is_none());
        for key in [row.object_key.clone(), farmstream::media::rendition_key(&row.object_key, 320)] {
            assert!(objects::head(app.storage(), &key).await.expect("head").is_none(), "{key} is gone");
        }
        let coop = entity::cooperative::Entity::find_by_id(coop_id).one(app.db().conn()).await.expect("q").expect("coop");
        assert_eq!(coop.logo_asset_id, None, "the logo is detached");
        assert_eq!(app.asset(Some(&app.owner.access), &id).await.data()["mediaAsset"], Value::Null);
        let again = app.gql(Some(&app.owner.access), DELETE, json!({ "id": id })).await;
        assert_eq!(again.user_code("deleteMediaAsset"), "NOT_FOUND");
        assert_eq!(again.data()["deleteMediaAsset"]["deletedMediaAssetId"], Value::Null);
    }

    async fn the_sweep_removes_uploads_left_pending(app) {
        let photo = png(50, 50);
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "PRODUCT_IMAGE", "image/png", photo.len() as i64)
            .await;
        let payload = &res.payload("createUpload")["upload"];
        let pending = payload["asset"]["id"].as_str().expect("id").to_owned();
        assert!(put(payload, "image/png", photo.clone()).await.is_success());
        let key = app.row(&pending).await.expect("row").object_key;
        let ready = app.upload_ready("PRODUCT_IMAGE", "image/png", &photo).await;

        let report = sweep_pending(app.db(), app.storage(), Duration::from_secs(3600)).await.expect("sweep");
        assert_eq!(report.removed, 0, "a fresh upload is left alone");
        assert!(app.row(&pending).await.is_some());

        let report = sweep_pending(app.db(), app.storage(), Duration::ZERO).await.expect("sweep");
        assert_eq!((report.removed, report.failed), (1, 0));
        assert!(app.row(&pending).await.is_none());
        assert!(objects::head(app.storage(), &key).await.expect("head").is_none());
        assert_eq!(app.asset(None, &ready).await.data()["mediaAsset"]["status"], "READY");
    }

    async fn another_cooperative_and_anonymous_callers_are_refused_on_every_mutation(app) {
        let logo = app.upload_ready("COOPERATIVE_LOGO", "image/png", &png(64, 64)).await;
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "PRODUCT_IMAGE", "image/png", 100)
            .await;
        let pending = res.payload("createUpload")["upload"]["asset"]["id"].as_str().expect("id").to_owned();
        let (other, other_coop) = cooperative_with_owner(&app.t, "owner@htx-yen-chau.vn", "HTX Yên Châu").await;

        // Another cooperative's owner is refused as a user error.
        let token = Some(other.access.as_str());
        let created = app.create_upload(token, &app.coop, "PRODUCT_IMAGE", "image/png", 100).await;
        assert_eq!(created.user_code("createUpload"), "FORBIDDEN");
        assert_eq!(created.data()["createUpload"]["upload"], Value::Null);
        assert_eq!(app.confirm(token, &pending).await.user_code("confirmUpload"), "FORBIDDEN");
        let deleted = app.gql(token, DELETE, json!({ "id": logo })).await;
        assert_eq!(deleted.user_code("deleteMediaAsset"), "FORBIDDEN");
        for (mutation, query) in [("setCooperativeLogo", SET_LOGO), ("setCooperativeCover", SET_COVER)] {
            let set = app.gql(token, query, json!({ "c": app.coop, "a": logo })).await;
            assert_eq!(set.user_code(mutation), "FORBIDDEN", "{mutation}");
        }
        // An anonymous caller gets a top-level error.
        let created = app.create_upload(None, &app.coop, "PRODUCT_IMAGE", "image/png", 100).await;
        assert_eq!(created.code(), "UNAUTHENTICATED", "createUpload");
        assert_eq!(app.confirm(None, &pending).await.code(), "UNAUTHENTICATED", "confirmUpload");
        assert_eq!(app.gql(None, DELETE, json!({ "id": logo })).await.code(), "UNAUTHENTICATED");
        for query in [SET_LOGO, SET_COVER] {
            let set = app.gql(None, query, json!({ "c": app.coop, "a": logo })).await;
            assert_eq!(set.code(), "UNAUTHENTICATED", "{query}");
        }
        for token in [Some(other.access.as_str()), None] {
            assert_eq!(
                app.asset(token, &pending).await.data()["mediaAsset"],
                Value::Null,
                "a pending asset is private"
            );
        }
        assert_eq!(
            app.asset(Some(&app.owner.access), &pending).await.data()["mediaAsset"]["status"],
            "PENDING",
            "its cooperative's staff see it"
        );
        let stolen = app.gql(Some(&other.access), SET_LOGO, json!({ "c": other_coop, "a": logo })).await;
        assert_eq!(
            stolen.user_code("setCooperativeLogo"),
            "FORBIDDEN",
            "an asset cannot go on another cooperative's page"
        );
        assert_eq!(app.asset(None, &logo).await.data()["mediaAsset"]["status"], "READY");
        assert!(app.row(&logo).await.is_some(), "nothing was deleted");
    }

    async fn only_a_ready_asset_of_the_right_purpose_can_be_attached(app) {
        let photo = app.upload_ready("PRODUCT_IMAGE", "image/png", &png(30, 30)).await;
        let wrong = app.gql(Some(&app.owner.access), SET_LOGO, json!({ "c": app.coop, "a": photo })).await;
        assert_eq!(wrong.user_code("setCooperativeLogo"), "INVALID");
        assert_eq!(wrong.user_field("setCooperativeLogo"), "assetId");
        let message = user_message(&wrong, "setCooperativeLogo");
        assert!(message.contains("COOPERATIVE_LOGO"), "{message}");
        let res = app
            .create_upload(Some(&app.owner.access), &app.coop, "COOPERATIVE_COVER", "image/png", 100)
            .await;
        let pending = res.payload("createUpload")["upload"]["asset"]["id"].as_str().expect("id").to_owned();
        let early = app.gql(Some(&app.owner.access), SET_COVER, json!({ "c": app.coop, "a": pending })).await;
        assert_eq!(early.user_code("setCooperativeCover"), "INVALID");
        assert_eq!(early.user_field("setCooperativeCover"), "assetId");
        let unknown = gid("MediaAsset", uuid::Uuid::now_v7());
        let missing = app.gql(Some(&app.owner.access), SET_COVER, json!({ "c": app.coop, "a": unknown })).await;
        assert_eq!(missing.user_code("setCooperativeCover"), "NOT_FOUND");
        assert_eq!(app.confirm(Some(&app.owner.access), &unknown).await.user_code("confirmUpload"), "NOT_FOUND");
        let bare = uuid::Uuid::now_v7().to_string();
        let malformed = app.confirm(Some(&app.owner.access), &bare).await;
        assert_eq!(malformed.user_code("confirmUpload"), "INVALID");
        assert_eq!(malformed.user_field("confirmUpload"), "assetId");
        let cleared = app.gql(Some(&app.owner.access), SET_COVER, json!({ "c": app.coop, "a": null })).await;
        assert_eq!(cleared.payload("setCooperativeCover")["mediaAsset"], Value::Null);
    }
}

#[tokio::test]
async fn a_wrong_type_a_size_over_the_limit_or_zero_is_refused_before_any_url() {
    let app = MediaApp::spawn(Store::Embedded).await;
    let token = Some(app.owner.access.as_str());
    for (purpose, content_type, size, field) in [
        ("PRODUCT_IMAGE", "application/pdf", 100, "input.contentType"),
        ("LIVESTREAM_REPLAY", "image/png", 100, "input.contentType"),
        (
            "CERTIFICATE_DOCUMENT",
            "text/html",
            100,
            "input.contentType",
        ),
        (
            "PRODUCT_IMAGE",
            "image/png",
            10 * 1024 * 1024 + 1,
            "input.byteSize",
        ),
        (
            "CERTIFICATE_DOCUMENT",
            "application/pdf",
            20 * 1024 * 1024 + 1,
            "input.byteSize",
        ),
        (
            "PRODUCT_VIDEO",
            "video/mp4",
            2 * 1024 * 1024 * 1024 + 1,
            "input.byteSize",
        ),
        ("LOT_IMAGE", "image/webp", 0, "input.byteSize"),
    ] {
        let res = app
            .create_upload(token, &app.coop, purpose, content_type, size)
            .await;
        assert_eq!(
            res.user_code("createUpload"),
            "INVALID",
            "{purpose} {content_type} {size}"
        );
        assert_eq!(res.user_field("createUpload"), field);
        assert_eq!(res.data()["createUpload"]["upload"], Value::Null);
    }
    let video = app
        .create_upload(
            token,
            &app.coop,
            "LIVESTREAM_REPLAY",
            "video/webm",
            2 * 1024 * 1024 * 1024,
        )
        .await;
    assert_eq!(
        video.payload("createUpload")["upload"]["asset"]["byteSize"],
        2_147_483_648_i64
    );
}

#[tokio::test]
async fn the_image_limit_follows_its_setting() {
    let t = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_MEDIA_MAX_IMAGE_BYTES".into(), "1000".into());
    })
    .await;
    let (owner, coop) = cooperative_with_owner(&t, "owner@htx.vn", "HTX Chiềng Hắc").await;
    let app = |size: i64| {
        t.gql_as(
            Some(&owner.access),
            CREATE_UPLOAD,
            json!({ "i": { "purpose": "LOT_IMAGE", "contentType": "image/png", "byteSize": size, "cooperativeId": coop } }),
        )
    };
    app(1000).await.payload("createUpload");
    let over = app(1001).await;
    assert_eq!(over.user_code("createUpload"), "INVALID");
    assert_eq!(over.user_field("createUpload"), "input.byteSize");
}

#[tokio::test]
async fn a_public_base_url_gives_plain_links() {
    let app = MediaApp::spawn_with(Store::Embedded, |s| {
        s.insert(
            "FARMSTREAM_MEDIA_PUBLIC_BASE_URL".into(),
            "https://cdn.farmstream.test/".into(),
        );
    })
    .await;
    let id = app
        .upload_ready("PRODUCT_IMAGE", "image/png", &png(700, 350))
        .await;
    let key = app.row(&id).await.expect("row").object_key;
    let shown = app.asset(None, &id).await;
    let shown = &shown.data()["mediaAsset"];
    assert_eq!(shown["url"], format!("https://cdn.farmstream.test/{key}"));
    assert_eq!(
        shown["small"],
        format!(
            "https://cdn.farmstream.test/{}",
            farmstream::media::rendition_key(&key, 320)
        )
    );
    assert_eq!(
        shown["medium"], shown["url"],
        "700 px wide: no 1024 px rendition"
    );
}

#[tokio::test]
async fn unreachable_storage_is_a_clear_internal_error_and_a_failed_delete_is_recorded() {
    let t = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_S3_ENDPOINT".into(), "http://127.0.0.1:9".into());
        s.insert("FARMSTREAM_S3_ACCESS_KEY_ID".into(), "k".into());
        s.insert("FARMSTREAM_S3_SECRET_ACCESS_KEY".into(), "s".into());
    })
    .await;
    let (owner, coop) = cooperative_with_owner(&t, "owner@htx.vn", "HTX Tà Xùa").await;
    let res = t
        .gql_as(
            Some(&owner.access),
            CREATE_UPLOAD,
            json!({ "i": { "purpose": "COOPERATIVE_LOGO", "contentType": "image/png", "byteSize": 10, "cooperativeId": coop } }),
        )
        .await;
    // Presigning needs no network; the PUT would fail, and so does confirming.
    let id = res.payload("createUpload")["upload"]["asset"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let confirmed = t
        .gql_as(Some(&owner.access), CONFIRM, json!({ "id": id }))
        .await;
    assert_eq!(confirmed.code(), "INTERNAL");
    assert!(
        confirmed.message().contains("media storage is unavailable"),
        "{}",
        confirmed.message()
    );

    let deleted = t
        .gql_as(Some(&owner.access), DELETE, json!({ "id": id }))
        .await;
    assert_eq!(deleted.code(), "INTERNAL");
    let row = entity::media_asset::Entity::find_by_id(uuid_of(&id))
        .one(t.app.state.db.conn())
        .await
        .expect("query")
        .expect("the row stays");
    assert_eq!(
        row.status.to_string(),
        "DELETE_FAILED",
        "the row says its file may still be there"
    );
    let shown = t
        .gql_as(Some(&owner.access), ASSET, json!({ "id": id }))
        .await;
    assert_eq!(shown.data()["mediaAsset"]["status"], "DELETE_FAILED");
}
