//! The bank webhook under concurrency, and notices that repeat a known
//! transaction with other figures. Whatever a notice races, it is stored
//! once and answered 200 with its outcome; the conflicting calls of each
//! round are released together.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::future::join_all;
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::TestApp;
use crate::orders::{place_one, seller};

/// Rounds per race test.
const ROUNDS: usize = 20;

/// The account the test cooperatives are paid on.
const ACCOUNT: &str = "0011001932418";

fn notice(transaction: &str, amount: i64, memo: &str) -> Value {
    json!({ "transactionId": transaction, "accountNumber": ACCOUNT, "amountVnd": amount, "memo": memo, "occurredAt": "2026-11-28T03:00:00Z" })
}

/// A signed webhook request for `body`.
fn signed(app: &TestApp, body: &Value) -> Request<Body> {
    let raw = body.to_string();
    let secret = app
        .app
        .state
        .config
        .payments
        .webhook_secret
        .expose_secret()
        .as_bytes();
    let signature = farmstream::payments::webhook::sign(secret, raw.as_bytes());
    Request::post("/webhooks/bank-transfers")
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Signature", signature)
        .body(Body::from(raw))
        .expect("request")
}

/// Sends `req` through a router clone: the status and the JSON answer.
async fn send(router: axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let res = router.oneshot(req).await.expect("router answers");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Sends every request at once (each on its own task).
async fn together(app: &Arc<TestApp>, reqs: Vec<Request<Body>>) -> Vec<(StatusCode, Value)> {
    let tasks = reqs.into_iter().map(|req| {
        let router = app.router.clone();
        tokio::spawn(async move { send(router, req).await })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

fn graphql(token: &str, query: &str, vars: Value) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(
            json!({ "query": query, "variables": vars }).to_string(),
        ))
        .expect("request")
}

async fn transfers_of(app: &TestApp, order: &str) -> Vec<entity::bank_transfer::Model> {
    let id = crate::helpers::uuid_of(order);
    entity::bank_transfer::Entity::find()
        .filter(entity::bank_transfer::Column::OrderId.eq(id))
        .all(app.app.state.db.conn())
        .await
        .expect("query")
}

async fn stored_order(app: &TestApp, order: &str) -> entity::order::Model {
    let id = crate::helpers::uuid_of(order);
    entity::order::Entity::find_by_id(id)
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("order")
}

/// A fresh VietQR order of `buyer`'s: (id, memo, total).
async fn vietqr_order(app: &TestApp, buyer: &str, variant: &str) -> (String, String, i64) {
    let order = place_one(app, Some(buyer), variant, 1, "VIETQR").await;
    (
        order["id"].as_str().expect("id").to_owned(),
        order["payment"]["memo"].as_str().expect("memo").to_owned(),
        order["totalVnd"].as_i64().expect("total"),
    )
}

#[tokio::test]
async fn a_transfer_racing_the_buyers_cancellation_is_stored_and_answered_200() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "race-cancel@x.vn", 120_000, 1000).await;
    let buyer = app.register("buyer-cancel@x.vn").await;
    let cancel = "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"đổi ý\") { order { status } userErrors { code field message } } }";
    for round in 0..ROUNDS {
        let (order, memo, total) = vietqr_order(&app, &buyer.access, &variant).await;
        let answers = together(
            &app,
            vec![
                signed(&app, &notice(&format!("VCB-C{round:03}"), total, &memo)),
                graphql(&buyer.access, cancel, json!({ "o": order })),
            ],
        )
        .await;
        let (status, paid) = &answers[0];
        assert_eq!(*status, StatusCode::OK, "round {round}: {paid}");
        let (_, cancelled) = &answers[1];
        let answer = crate::helpers::Gql {
            status: StatusCode::OK,
            body: cancelled.clone(),
        };
        // A success, or a CONFLICT when the payment came first.
        let was_cancelled = answer.ok_or_user("cancelOrder", &["CONFLICT"]);
        assert_eq!(
            was_cancelled,
            cancelled["data"]["cancelOrder"]["order"].is_object(),
            "round {round}: an order exactly when it was cancelled: {cancelled}"
        );
        let kept = transfers_of(&app, &order).await;
        assert_eq!(kept.len(), 1, "round {round}: the notice is stored");
        assert_eq!(
            kept[0].outcome.to_string(),
            paid["outcome"].as_str().expect("outcome")
        );
        let after = stored_order(&app, &order).await;
        match kept[0].outcome.to_string().as_str() {
            "PAID" => assert!(
                ["PAID", "REFUND_PENDING"].contains(&after.status.to_string().as_str()),
                "round {round}: {}",
                after.status
            ),
            "REVIEW" => {
                assert_eq!(after.status.to_string(), "CANCELLED", "round {round}");
                assert!(after.needs_review, "round {round}");
            }
            other => panic!("round {round}: outcome {other}"),
        }
    }
}

#[tokio::test]
async fn two_transfers_for_one_order_at_once_pay_it_once_and_both_are_kept() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "race-two@x.vn", 120_000, 1000).await;
    let buyer = app.register("buyer-two@x.vn").await;
    for round in 0..ROUNDS {
        let (order, memo, total) = vietqr_order(&app, &buyer.access, &variant).await;
        let answers = together(
            &app,
            vec![
                signed(&app, &notice(&format!("VCB-A{round:03}"), total, &memo)),
                signed(&app, &notice(&format!("VCB-B{round:03}"), total, &memo)),
            ],
        )
        .await;
        let mut outcomes = Vec::new();
        for (status, answer) in &answers {
            assert_eq!(*status, StatusCode::OK, "round {round}: {answer}");
            assert_eq!(answer["repeated"], false, "round {round}");
            outcomes.push(answer["outcome"].as_str().expect("outcome").to_owned());
        }
        outcomes.sort();
        assert_eq!(outcomes, ["PAID", "REVIEW"], "round {round}");
        assert_eq!(transfers_of(&app, &order).await.len(), 2, "round {round}");
        let after = stored_order(&app, &order).await;
        assert_eq!(after.status.to_string(), "PAID", "round {round}");
        assert!(after.needs_review, "round {round}: the second is for staff");
    }
}

#[tokio::test]
async fn the_same_notice_three_times_at_once_is_stored_once_and_answered_200_each_time() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "race-same@x.vn", 120_000, 1000).await;
    let buyer = app.register("buyer-same@x.vn").await;
    for round in 0..ROUNDS {
        let (order, memo, total) = vietqr_order(&app, &buyer.access, &variant).await;
        let body = notice(&format!("VCB-S{round:03}"), total, &memo);
        let answers = together(
            &app,
            (0..3).map(|_| signed(&app, &body)).collect::<Vec<_>>(),
        )
        .await;
        let mut first = 0;
        for (status, answer) in &answers {
            assert_eq!(*status, StatusCode::OK, "round {round}: {answer}");
            assert_eq!(answer["outcome"], "PAID", "round {round}: {answer}");
            if answer["repeated"] == false {
                first += 1;
            }
        }
        assert_eq!(first, 1, "round {round}: {answers:?}");
        let ids: Vec<&Value> = answers.iter().map(|(_, a)| &a["transferId"]).collect();
        assert!(ids.iter().all(|id| *id == ids[0]), "round {round}");
        assert_eq!(transfers_of(&app, &order).await.len(), 1, "round {round}");
        assert_eq!(stored_order(&app, &order).await.status.to_string(), "PAID");
    }
}

#[tokio::test]
async fn a_known_transaction_id_with_another_amount_memo_or_account_is_refused_and_counted() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "mismatch@x.vn", 120_000, 10).await;
    let buyer = app.register("buyer-mismatch@x.vn").await;
    let (order, memo, total) = vietqr_order(&app, &buyer.access, &variant).await;
    let first = notice("VCB-M001", total, &memo);
    let (status, answer) = send(app.router.clone(), signed(&app, &first)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["outcome"], "PAID");

    let mut other_account = first.clone();
    other_account["accountNumber"] = json!("9999999999");
    for changed in [
        notice("VCB-M001", total + 1_000, &memo),
        notice("VCB-M001", total, "FS7K3M9Q"),
        other_account,
    ] {
        let (status, answer) = send(app.router.clone(), signed(&app, &changed)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{changed}: {answer}");
        assert!(answer["error"].is_string(), "{answer}");
        assert!(answer.get("repeated").is_none(), "{answer}");
    }
    // The identical notice is still a harmless repeat.
    let (status, answer) = send(app.router.clone(), signed(&app, &first)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["repeated"], true);

    let all = entity::bank_transfer::Entity::find()
        .all(app.app.state.db.conn())
        .await
        .expect("query");
    assert_eq!(all.len(), 1, "nothing of the refused notices is stored");
    assert_eq!(all[0].amount_vnd, total);
    assert_eq!(all[0].memo, memo);
    assert_eq!(transfers_of(&app, &order).await.len(), 1);

    let (status, _, metrics) = app
        .request(Request::get("/metrics").body(Body::empty()).expect("req"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let metrics = String::from_utf8_lossy(&metrics);
    assert!(
        metrics
            .lines()
            .any(|l| l == "farmstream_bank_transfer_mismatches_total 3"),
        "{metrics}"
    );
}
