//! VietQR codes, the signed bank webhook, unmatched transfers and refunds.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sea_orm::EntityTrait;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::helpers::{TestApp, gid};
use crate::orders::{place_one, seller};

/// Posts a transfer notice signed with the app's secret (or `signature`).
async fn notify(app: &TestApp, body: &Value, signature: Option<&str>) -> (StatusCode, Value) {
    let raw = body.to_string();
    let secret = app
        .app
        .state
        .config
        .payments
        .webhook_secret
        .expose_secret()
        .as_bytes();
    let signed = farmstream::payments::webhook::sign(secret, raw.as_bytes());
    let mut req =
        Request::post("/webhooks/bank-transfers").header(header::CONTENT_TYPE, "application/json");
    match signature {
        Some("") => {}
        Some(s) => req = req.header("X-Signature", s),
        None => req = req.header("X-Signature", signed),
    }
    let (status, _, bytes) = app
        .request(req.body(Body::from(raw)).expect("request"))
        .await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn notice(transaction: &str, amount: i64, memo: &str) -> Value {
    json!({ "transactionId": transaction, "accountNumber": "0011001932418", "amountVnd": amount, "memo": memo, "occurredAt": "2026-11-28T03:00:00Z" })
}

async fn transfers(app: &TestApp) -> Vec<entity::bank_transfer::Model> {
    entity::bank_transfer::Entity::find()
        .all(app.app.state.db.conn())
        .await
        .expect("query")
}

const STATUS: &str = "query($n: String!) { orderByNumber(number: $n, phone: \"0912345678\") { status needsReview reviewNote payment { status paidAt } history { toStatus note } } }";

#[tokio::test]
async fn a_vietqr_order_shows_its_emvco_payload_and_a_png_and_svg_of_it() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "qr@x.vn", 120_000, 10).await;
    let order = place_one(&app, None, &variant, 1, "VIETQR").await;
    let memo = order["payment"]["memo"].as_str().expect("memo").to_owned();
    let number = order["number"].as_str().expect("number");
    assert_eq!(memo, number.replace('-', ""));
    assert_eq!(order["payment"]["status"], "AWAITING_TRANSFER");
    let payload = order["payment"]["vietqr"]["payload"]
        .as_str()
        .expect("payload");
    let expected = farmstream::payments::vietqr::payload("970415", "0011001932418", 120_000, &memo);
    assert_eq!(payload, expected);
    assert!(payload.starts_with("00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA5303704540612000058"));
    assert!(
        payload.contains(&format!("62120808{memo}6304")),
        "{payload}"
    );
    let url = order["payment"]["vietqr"]["imageUrl"]
        .as_str()
        .expect("url");
    assert!(
        url.ends_with(&format!("/payments/{number}/vietqr.png")),
        "{url}"
    );

    let (status, headers, png) = app
        .request(
            Request::get(format!("/payments/{number}/vietqr.png"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(&png[1..4], b"PNG");
    let (status, _, svg) = app
        .request(
            Request::get(format!("/payments/{number}/vietqr.svg"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&svg).contains("<svg"));
    let (status, _, _) = app
        .request(
            Request::get("/payments/FS-XXXXXX/vietqr.png")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_transfer_of_the_exact_amount_pays_the_order_and_a_repeat_changes_nothing() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "pay@x.vn", 120_000, 10).await;
    let order = place_one(&app, None, &variant, 2, "VIETQR").await;
    let memo = order["payment"]["memo"].as_str().expect("memo");
    let body = notice(
        "VCB-0001",
        240_000,
        &format!("CT DEN:998877 {} chuyen khoan", memo.to_lowercase()),
    );
    let (status, answer) = notify(&app, &body, None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "PAID");
    assert_eq!(answer["repeated"], false);
    let res = app.gql(STATUS, json!({ "n": order["number"] })).await;
    let got = &res.data()["orderByNumber"];
    assert_eq!(got["status"], "PAID");
    assert_eq!(got["payment"]["status"], "PAID");
    assert_eq!(got["history"][1]["note"], "bank transfer VCB-0001");

    let (status, answer) = notify(&app, &body, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["repeated"], true);
    assert_eq!(transfers(&app).await.len(), 1);
    let res = app.gql(STATUS, json!({ "n": order["number"] })).await;
    assert_eq!(
        res.data()["orderByNumber"]["history"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // Paid, then cancelled by the cooperative: the money must go back.
    let o = json!({ "o": order["id"] });
    let res = app
        .gql_as(Some(&owner.access), "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"hết hàng\") { order { status payment { status } } userErrors { code field message } } }", o.clone())
        .await;
    let cancelled = &res.payload("cancelOrder")["order"];
    assert_eq!(cancelled["status"], "REFUND_PENDING");
    assert_eq!(cancelled["payment"]["status"], "REFUND_PENDING");
    let refund = "mutation($o: ID!) { recordRefund(orderId: $o, note: \"VCB 123\") { order { status payment { status refundedAt } } userErrors { code field message } } }";
    let res = app.gql_as(Some(&owner.access), refund, o.clone()).await;
    let refunded = &res.payload("recordRefund")["order"];
    assert_eq!(refunded["status"], "REFUNDED");
    assert_eq!(refunded["payment"]["status"], "REFUNDED");
    assert!(refunded["payment"]["refundedAt"].is_string());
    let res = app.gql_as(Some(&owner.access), refund, o).await;
    assert_eq!(res.user_code("recordRefund"), "CONFLICT", "refunded once");
    assert_eq!(res.data()["recordRefund"]["order"], Value::Null);
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let body = notice("VCB-0002", 1_000, "FS7K3M9Q");
    let (status, _) = notify(&app, &body, Some("")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = notify(&app, &body, Some(&"ab".repeat(32))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = notify(&app, &body, Some("not-hex")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(transfers(&app).await.is_empty());
}

#[tokio::test]
async fn a_notice_over_64_kib_is_refused_with_413() {
    let app = TestApp::spawn().await;
    let body = notice("VCB-0003", 1_000, &"x".repeat(70 * 1024));
    let (status, _) = notify(&app, &body, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(transfers(&app).await.is_empty());
}

#[tokio::test]
async fn a_wrong_amount_is_recorded_and_the_order_flagged_but_not_paid() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "under@x.vn", 120_000, 10).await;
    let under = place_one(&app, None, &variant, 1, "VIETQR").await;
    let over = place_one(&app, None, &variant, 1, "VIETQR").await;
    let (_, answer) = notify(
        &app,
        &notice(
            "VCB-0004",
            100_000,
            under["payment"]["memo"].as_str().expect("memo"),
        ),
        None,
    )
    .await;
    assert_eq!(answer["outcome"], "UNDERPAID");
    let (_, answer) = notify(
        &app,
        &notice(
            "VCB-0005",
            200_000,
            over["payment"]["memo"].as_str().expect("memo"),
        ),
        None,
    )
    .await;
    assert_eq!(answer["outcome"], "OVERPAID");
    for order in [&under, &over] {
        let res = app.gql(STATUS, json!({ "n": order["number"] })).await;
        let got = &res.data()["orderByNumber"];
        assert_eq!(got["status"], "PENDING_PAYMENT");
        assert_eq!(got["needsReview"], true);
        assert!(
            got["reviewNote"]
                .as_str()
                .is_some_and(|n| n.contains("VCB-000"))
        );
    }
    assert_eq!(transfers(&app).await.len(), 2);
}

#[tokio::test]
async fn an_unknown_memo_is_kept_unmatched_and_an_admin_assigns_it_to_its_order() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "unmatched@x.vn", 120_000, 10).await;
    let order = place_one(&app, None, &variant, 1, "VIETQR").await;
    let (_, answer) = notify(
        &app,
        &notice("VCB-0006", 120_000, "tien xoai chi Hoa"),
        None,
    )
    .await;
    assert_eq!(answer["outcome"], "UNMATCHED");

    let list = "{ unmatchedTransfers { totalCount edges { node { id transactionId amountVnd memo outcome } } } }";
    assert_eq!(
        app.gql_as(Some(&owner.access), list, json!({}))
            .await
            .code(),
        "FORBIDDEN"
    );
    assert_eq!(app.gql(list, json!({})).await.code(), "UNAUTHENTICATED");
    let admin = app.admin().await;
    let res = app.gql_as(Some(&admin.access), list, json!({})).await;
    let page = &res.data()["unmatchedTransfers"];
    assert_eq!(page["totalCount"], 1);
    let transfer = page["edges"][0]["node"]["id"].clone();

    let assign = "mutation($t: ID!, $o: ID!) { assignTransfer(transferId: $t, orderId: $o) { transfer { outcome orderId } order { id status } userErrors { code field message } } }";
    let vars = json!({ "t": transfer, "o": order["id"] });
    let res = app.gql_as(Some(&owner.access), assign, vars.clone()).await;
    assert_eq!(res.user_code("assignTransfer"), "FORBIDDEN");
    assert_eq!(res.data()["assignTransfer"]["order"], Value::Null);
    // An id of the wrong type, or one naming no transfer, is refused.
    let wrong = json!({ "t": order["id"], "o": order["id"] });
    let res = app.gql_as(Some(&admin.access), assign, wrong).await;
    assert_eq!(res.user_code("assignTransfer"), "INVALID");
    assert_eq!(res.user_field("assignTransfer"), "transferId");
    let nothing = json!({ "t": gid("BankTransfer", uuid::Uuid::new_v4()), "o": order["id"] });
    let res = app.gql_as(Some(&admin.access), assign, nothing).await;
    assert_eq!(res.user_code("assignTransfer"), "NOT_FOUND");
    let res = app.gql_as(Some(&admin.access), assign, vars.clone()).await;
    let assigned = res.payload("assignTransfer");
    assert_eq!(assigned["order"]["status"], "PAID");
    assert_eq!(assigned["order"]["id"], order["id"]);
    assert_eq!(assigned["transfer"]["outcome"], "ASSIGNED");
    assert_eq!(assigned["transfer"]["orderId"], order["id"]);
    let res = app.gql_as(Some(&admin.access), assign, vars).await;
    assert_eq!(res.user_code("assignTransfer"), "CONFLICT", "assigned once");
    let res = app.gql_as(Some(&admin.access), list, json!({})).await;
    assert_eq!(res.data()["unmatchedTransfers"]["totalCount"], 0);
}

#[tokio::test]
async fn a_transfer_after_the_hold_ran_out_is_kept_for_review_not_paid() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "late@x.vn", 120_000, 10).await;
    let order = place_one(&app, None, &variant, 1, "VIETQR").await;
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    farmstream::orders::service::expire_unpaid(&app.app.state.db, later)
        .await
        .expect("sweep");
    let (_, answer) = notify(
        &app,
        &notice(
            "VCB-0007",
            120_000,
            order["payment"]["memo"].as_str().expect("memo"),
        ),
        None,
    )
    .await;
    assert_eq!(answer["outcome"], "REVIEW");
    let res = app.gql(STATUS, json!({ "n": order["number"] })).await;
    assert_eq!(res.data()["orderByNumber"]["status"], "CANCELLED");
    assert_eq!(res.data()["orderByNumber"]["needsReview"], true);
}
