//! A stranger learns nothing from the answer about what exists: another
//! shopper's order and an unpublished lot look exactly like ones that do not
//! exist.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Gql, Session, TestApp, gid, uuid_of};
use crate::orders::{order_input, seller};

const ORDER: &str = "query($id: ID!) { order(id: $id) { status } }";
const CANCEL: &str = "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"đổi ý\") { order { status } userErrors { code field message } } }";
const PLACE: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { id number status } } userErrors { code field message } } }";

/// Places an order of one unit of `variant` with delivery to `phone`, as
/// `token`'s user or a guest; returns the first order (`id number status`).
pub async fn first_order(app: &TestApp, token: Option<&str>, variant: &str, phone: &str) -> Value {
    let key = uuid::Uuid::new_v4().to_string();
    let res = app
        .gql_as(
            token,
            PLACE,
            json!({ "i": order_input(&key, &[(variant, 1)], "COD", phone) }),
        )
        .await;
    res.payload("placeOrder")["checkout"]["orders"][0].clone()
}

/// The code and message of `mutation`'s user error, what tells one refusal
/// from another.
fn refusal(res: &Gql, mutation: &str) -> (String, String) {
    let error = res.user_error(mutation);
    (
        error["code"].as_str().unwrap_or_default().to_owned(),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

/// Asserts that the `order` lookup shows `who` nothing: `null`, or (as the
/// lookup answered before lookups became nullable) `NOT_FOUND`.
fn assert_hidden(read: &Gql, who: &Session) {
    if read.body.get("errors").is_some() {
        assert_eq!(read.code(), "NOT_FOUND", "{}", read.body);
        assert!(read.body["data"]["order"].is_null(), "{}", read.body);
    } else {
        assert_eq!(
            read.data()["order"],
            Value::Null,
            "{}: {}",
            who.id,
            read.body
        );
    }
}

#[tokio::test]
async fn cancelling_another_shoppers_order_answers_not_found_like_an_order_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "seller@x.vn", 50_000, 10).await;
    let (other_staff, _, _) = seller(&app, "other-htx@x.vn", 50_000, 10).await;
    let buyer = app.register("buyer@x.vn").await;
    let stranger = app.register("stranger@x.vn").await;
    let order = first_order(&app, Some(&buyer.access), &variant, "0912345678").await;
    let id = order["id"].as_str().expect("id");
    let unknown = gid("Order", uuid::Uuid::new_v4());

    for who in [&stranger, &other_staff] {
        let read = app
            .gql_as(Some(&who.access), ORDER, json!({ "id": id }))
            .await;
        assert_hidden(&read, who);
        let cancel = app
            .gql_as(Some(&who.access), CANCEL, json!({ "o": id }))
            .await;
        assert_eq!(
            cancel.user_code("cancelOrder"),
            "NOT_FOUND",
            "{}",
            cancel.body
        );
        assert_eq!(cancel.data()["cancelOrder"]["order"], Value::Null);
        let missing = app
            .gql_as(Some(&who.access), CANCEL, json!({ "o": unknown }))
            .await;
        assert_eq!(
            refusal(&missing, "cancelOrder"),
            refusal(&cancel, "cancelOrder"),
            "{}",
            missing.body
        );
        // The cooperative's other back-office steps say the same.
        let pack = app
            .gql_as(
                Some(&who.access),
                "mutation($o: ID!) { markOrderPacked(orderId: $o) { order { id } userErrors { code field message } } }",
                json!({ "o": id }),
            )
            .await;
        assert_eq!(
            refusal(&pack, "markOrderPacked"),
            refusal(&cancel, "cancelOrder"),
            "{}",
            pack.body
        );
    }
    // An order id given bare, as a UUID, is not an order id at all.
    let bare = app
        .gql_as(
            Some(&stranger.access),
            CANCEL,
            json!({ "o": uuid_of(id).to_string() }),
        )
        .await;
    assert_eq!(bare.user_code("cancelOrder"), "INVALID");
    assert_eq!(bare.user_field("cancelOrder"), "orderId");

    // Nothing changed, and its own buyer still may cancel it.
    let mine = app
        .gql_as(Some(&buyer.access), ORDER, json!({ "id": id }))
        .await;
    assert_eq!(mine.data()["order"]["status"], "CONFIRMED");
    let res = app
        .gql_as(Some(&buyer.access), CANCEL, json!({ "o": id }))
        .await;
    assert_eq!(res.payload("cancelOrder")["order"]["status"], "CANCELLED");
}

async fn status_of(app: &TestApp, path: &str) -> StatusCode {
    app.request(Request::get(path).body(Body::empty()).expect("request"))
        .await
        .0
}

/// The trace page and both QR codes of `code`, by status.
async fn trace_statuses(app: &TestApp, code: &str) -> [StatusCode; 3] {
    [
        status_of(app, &format!("/trace/{code}")).await,
        status_of(app, &format!("/trace/{code}/qr.svg")).await,
        status_of(app, &format!("/trace/{code}/qr.png")).await,
    ]
}

#[tokio::test]
async fn qr_codes_are_drawn_only_for_lots_whose_trace_page_shows() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Mận").await;
    let (product, _) = app.product(&owner, &coop, "Mận hậu", 60_000, 5).await;
    let lot = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!) { createLot(input: { productId: $p, harvestedOn: \"2026-05-20\", quantity: 300, unit: KG }) { lot { code } userErrors { code field message } } }",
            json!({ "p": product }),
        )
        .await;
    let code = lot.payload("createLot")["lot"]["code"]
        .as_str()
        .expect("code")
        .to_owned();
    let ok = [StatusCode::OK; 3];
    let gone = [StatusCode::NOT_FOUND; 3];
    assert_eq!(trace_statuses(&app, &code).await, ok);
    // Typed loosely, as a person might.
    assert_eq!(trace_statuses(&app, &code.to_lowercase()).await, ok);

    // A well-formed code no lot has, and one that is not a code at all.
    assert_eq!(trace_statuses(&app, "LOT-2222-3333").await, gone);
    assert_eq!(trace_statuses(&app, "not-a-lot").await, gone);

    let set_status = |status: &'static str| {
        let (app, owner, product) = (&app, &owner, &product);
        async move {
            let res = app
                .gql_as(
                    Some(&owner.access),
                    "mutation($id: ID!, $s: ProductStatus!) { setProductStatus(id: $id, status: $s) { product { status } userErrors { code field message } } }",
                    json!({ "id": product, "s": status }),
                )
                .await;
            assert_eq!(
                res.payload("setProductStatus")["product"]["status"],
                Value::from(status)
            );
        }
    };
    // A draft's lots are private: the page and its QR codes are 404 alike.
    set_status("DRAFT").await;
    assert_eq!(trace_statuses(&app, &code).await, gone);
    // An archived product's packages are still out there: its page shows,
    // and so do its QR codes (whatever the page does, they do).
    set_status("ARCHIVED").await;
    assert_eq!(trace_statuses(&app, &code).await, ok);
}
