//! A stranger learns nothing from the answer about what exists: another
//! shopper's order and an unpublished lot look exactly like ones that do not
//! exist.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::orders::{place_one, seller};

const ORDER: &str = "query($id: ID!) { order(id: $id) { status } }";
const CANCEL: &str = "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"đổi ý\") { status } }";

/// The first error's code and message, what tells one refusal from another.
fn refusal(res: &crate::helpers::Gql) -> (String, String) {
    (res.code().to_owned(), res.message().to_owned())
}

#[tokio::test]
async fn cancelling_another_shoppers_order_answers_not_found_like_reading_it() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "seller@x.vn", 50_000, 10).await;
    let (other_staff, _, _) = seller(&app, "other-htx@x.vn", 50_000, 10).await;
    let buyer = app.register("buyer@x.vn").await;
    let stranger = app.register("stranger@x.vn").await;
    let order = place_one(&app, Some(&buyer.access), &variant, 1, "COD").await;
    let id = order["id"].as_str().expect("id");
    let unknown = uuid::Uuid::new_v4().to_string();

    for who in [&stranger, &other_staff] {
        let read = app
            .gql_as(Some(&who.access), ORDER, json!({ "id": id }))
            .await;
        assert_eq!(read.code(), "NOT_FOUND", "{}", read.body);
        let cancel = app
            .gql_as(Some(&who.access), CANCEL, json!({ "o": id }))
            .await;
        assert_eq!(refusal(&cancel), refusal(&read), "{}", cancel.body);
        let missing = app
            .gql_as(Some(&who.access), CANCEL, json!({ "o": unknown }))
            .await;
        assert_eq!(refusal(&missing), refusal(&cancel), "{}", missing.body);
        // The cooperative's other back-office steps say the same.
        let pack = app
            .gql_as(
                Some(&who.access),
                "mutation($o: ID!) { markOrderPacked(orderId: $o) { id } }",
                json!({ "o": id }),
            )
            .await;
        assert_eq!(refusal(&pack), refusal(&read), "{}", pack.body);
    }

    // Nothing changed, and its own buyer still may cancel it.
    let mine = app
        .gql_as(Some(&buyer.access), ORDER, json!({ "id": id }))
        .await;
    assert_eq!(mine.data()["order"]["status"], "CONFIRMED");
    let res = app
        .gql_as(Some(&buyer.access), CANCEL, json!({ "o": id }))
        .await;
    assert_eq!(res.data()["cancelOrder"]["status"], "CANCELLED");
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
            "mutation($p: ID!) { createLot(input: { productId: $p, harvestedOn: \"2026-05-20\", quantity: 300, unit: KG }) { code } }",
            json!({ "p": product }),
        )
        .await;
    let code = lot.data()["createLot"]["code"]
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
                    "mutation($id: ID!, $s: ProductStatus!) { setProductStatus(id: $id, status: $s) { status } }",
                    json!({ "id": product, "s": status }),
                )
                .await;
            assert_eq!(
                res.data()["setProductStatus"]["status"],
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
