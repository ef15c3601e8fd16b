//! The public trace page is safe to open whatever a cooperative typed: every
//! text is escaped wherever it lands, and the page carries a CSP that runs
//! no script, allows its one stylesheet by hash and images from the media
//! host only.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{Session, TestApp, png_photo};

/// Markup a hostile cooperative member might type, each closing the context
/// it lands in differently.
const SCRIPT: &str = "<script>alert('xss')</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const TITLE: &str = "</title><script>alert(2)</script><title>";

/// The escaped forms the page must show instead.
const SCRIPT_ESCAPED: &str = "&lt;script&gt;alert('xss')&lt;/script&gt;";
const IMG_ESCAPED: &str = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;";
const TITLE_ESCAPED: &str = "&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;&lt;title&gt;";

async fn get(app: &TestApp, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (status, headers, body) = app
        .request(Request::get(path).body(Body::empty()).expect("request"))
        .await;
    (status, headers, String::from_utf8(body).expect("utf-8"))
}

/// A lot of a product whose every published text carries markup; returns
/// (owner, cooperative id, lot code).
async fn hostile_lot(app: &TestApp) -> (Session, String, String) {
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, &format!("HTX {IMG}")).await;
    let (product, _) = app
        .product(&owner, &coop, &format!("Xoài {TITLE}"), 120_000, 5)
        .await;
    app.gql_as(
        Some(&owner.access),
        "mutation($id: ID!, $i: OriginStoryInput!) { setOriginStory(productId: $id, input: $i) { originStory { story } userErrors { code field message } } }",
        json!({ "id": product, "i": {
            "farmName": format!("Vườn {SCRIPT}"),
            "growerName": format!("Lò Văn {IMG}"),
            "province": "Sơn La",
            "cultivationPractice": TITLE,
            "story": format!("Xoài trồng trên đồi {SCRIPT} {IMG} {TITLE}"),
        } }),
    )
    .await
    .payload("setOriginStory");
    let lot = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!, $plot: String!) { createLot(input: { productId: $p, harvestedOn: \"2026-06-10\", quantity: 500, unit: KG, plot: $plot }) { lot { code } userErrors { code field message } } }",
            json!({ "p": product, "plot": IMG }),
        )
        .await;
    let code = lot.payload("createLot")["lot"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    app.gql_as(
        Some(&owner.access),
        "mutation($c: ID!, $issuer: String!, $number: String!) { addCertification(input: { cooperativeId: $c, kind: VIETGAP, issuer: $issuer, number: $number, validFrom: \"2026-01-01\", validUntil: \"2027-01-01\", scope: COOPERATIVE }) { certification { id } userErrors { code field message } } }",
        json!({ "c": coop, "issuer": IMG, "number": SCRIPT }),
    )
    .await
    .payload("addCertification");
    (owner, coop, code)
}

#[tokio::test]
async fn markup_in_names_and_stories_is_shown_as_text_on_the_trace_page() {
    let app = TestApp::spawn().await;
    let (_, _, code) = hostile_lot(&app).await;
    let (status, _, html) = get(&app, &format!("/trace/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    for raw in [SCRIPT, IMG, TITLE, "<script", "<img", "onerror=alert(1)>"] {
        assert!(!html.contains(raw), "raw {raw:?} on the page:\n{html}");
    }
    // Exactly one <title>, holding the escaped name.
    assert_eq!(html.matches("<title>").count(), 1, "{html}");
    assert!(
        html.contains(&format!("<title>Xoài {TITLE_ESCAPED} · {code}</title>")),
        "{html}"
    );
    for escaped in [SCRIPT_ESCAPED, IMG_ESCAPED, TITLE_ESCAPED] {
        assert!(html.contains(escaped), "missing {escaped:?}:\n{html}");
    }
    // The product name in the heading, the cooperative's, the grower's, the
    // story, the plot and a certificate's issuer (an attribute) too.
    for shown in [
        format!("<h1>Xoài {TITLE_ESCAPED}</h1>"),
        format!("HTX {IMG_ESCAPED}"),
        format!("Vườn {SCRIPT_ESCAPED}"),
        format!("Lò Văn {IMG_ESCAPED}"),
        format!("title=\"{IMG_ESCAPED} · số {SCRIPT_ESCAPED}\""),
    ] {
        assert!(html.contains(&shown), "missing {shown:?}:\n{html}");
    }
}

#[tokio::test]
async fn a_lot_code_full_of_markup_is_escaped_on_the_not_found_page() {
    let app = TestApp::spawn().await;
    let (status, headers, html) = get(
        &app,
        "/trace/%3C%2Ftitle%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img"),
        "{html}"
    );
    assert!(headers.contains_key("content-security-policy"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

/// The directives of a CSP header, by name.
fn directives(csp: &str) -> std::collections::HashMap<String, Vec<String>> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_owned();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

#[tokio::test]
async fn trace_pages_carry_a_csp_without_script_and_with_images_from_the_media_host_only() {
    let app = TestApp::spawn().await;
    let (owner, coop, code) = hostile_lot(&app).await;
    let lot_id = app
        .gql(
            "query($c: String!) { lot(code: $c) { id } }",
            json!({ "c": code }),
        )
        .await
        .data()["lot"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let photo = app
        .upload(&owner, &coop, "LOT_IMAGE", "image/png", png_photo(300, 200))
        .await;
    app.gql_as(
        Some(&owner.access),
        "mutation($l: ID!, $a: ID!) { setLotPhotos(lotId: $l, items: [{ assetId: $a, altText: \"Thùng xoài\" }]) { attachments { position } userErrors { code field message } } }",
        json!({ "l": lot_id, "a": photo }),
    )
    .await
    .payload("setLotPhotos");

    let (status, headers, html) = get(&app, &format!("/trace/{code}")).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    let d = directives(csp);
    assert_eq!(d["default-src"], ["'none'"], "{csp}");
    assert!(
        !d.contains_key("script-src"),
        "no script source at all: {csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(d["frame-ancestors"], ["'none'"], "{csp}");
    assert_eq!(d["base-uri"], ["'none'"], "{csp}");

    // The inline stylesheet is allowed by its hash, and only it.
    let style = html
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(css, _)| css)
        .expect("a <style> element");
    let hash = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()))
    );
    assert_eq!(d["style-src"], [hash], "{csp}");
    assert_eq!(html.matches("<style>").count(), 1);
    assert!(!html.contains("style=\""), "no inline style attributes");

    // Images: this server and the host the photo's URL points at, nothing else.
    let src = html
        .split_once("<img src=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(src, _)| src.replace("&amp;", "&"))
        .expect("the lot photo");
    let (scheme, rest) = src.split_once("://").expect("absolute URL");
    let host = rest.split('/').next().expect("host");
    assert_eq!(
        d["img-src"],
        ["'self'".to_owned(), format!("{scheme}://{host}")],
        "{csp}"
    );

    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
}
