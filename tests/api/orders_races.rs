//! Carts and checkout under concurrency: the conflicting calls of each
//! round are released together, for enough rounds that every test failed
//! before its rule moved into the statement that writes. Also the show an
//! order names (it must exist, be live and belong to the ordered
//! cooperative).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use futures_util::future::join_all;
use http_body_util::BodyExt;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{Session, TestApp, USER_ERRORS, gid};
use crate::orders::{PLACE, address, order_input, placed, seller};

/// Rounds per race test.
const ROUNDS: usize = 20;

const ADD: &str = "mutation($t: String, $v: ID!, $q: Int!) { addCartItem(cartToken: $t, variantId: $v, quantity: $q) { cart { token items { id variant { id } quantity } } userErrors { code field message } } }";
const CHECKOUT: &str = "mutation($i: CheckoutCartInput!) { checkoutCart(input: $i) { checkout { id orders { id livestream { id } cooperative { id } items { id variant { id } quantity } } } userErrors { code field message } } }";
const CART: &str = "query { cart { items { id variant { id } quantity } } }";

/// A GraphQL request through a router clone, as `token`'s user: the body.
async fn gql_on(router: axum::Router, token: Option<String>, query: &str, vars: Value) -> Value {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": vars }).to_string();
    let res = router
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("router answers");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("JSON")
}

/// Runs every request at once (each on its own task) and returns the bodies.
async fn together(
    app: &Arc<TestApp>,
    calls: Vec<(Option<String>, &'static str, Value)>,
) -> Vec<Value> {
    let tasks = calls.into_iter().map(|(token, query, vars)| {
        let router = app.router.clone();
        tokio::spawn(async move { gql_on(router, token, query, vars).await })
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect()
}

/// The code of what went wrong: a top-level error's, else the first user
/// error's of the mutation answered; `None` for a success.
fn code(body: &Value) -> Option<&str> {
    if let Some(code) = body["errors"][0]["extensions"]["code"].as_str() {
        return Some(code);
    }
    body["data"]
        .as_object()?
        .values()
        .find_map(|payload| payload["userErrors"][0]["code"].as_str())
}

async fn stock_of(app: &TestApp, variant: &str) -> i64 {
    let id = crate::helpers::uuid_of(variant);
    entity::product_variant::Entity::find_by_id(id)
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("variant")
        .stock
        .into()
}

async fn order_count(app: &TestApp) -> usize {
    entity::order::Entity::find()
        .all(app.app.state.db.conn())
        .await
        .expect("query")
        .len()
}

fn checkout_input(key: &str) -> Value {
    json!({ "idempotencyKey": key, "shippingAddress": address("0912345678"), "paymentMethod": "COD" })
}

/// The quantity of `variant` in a cart or order's `items`.
fn units(items: &Value, variant: &str) -> i64 {
    items
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter(|i| i["variant"]["id"] == variant)
                .map(|i| i["quantity"].as_i64().expect("quantity"))
                .sum()
        })
        .unwrap_or(0)
}

async fn add(app: &TestApp, who: &Session, variant: &str, quantity: i64) {
    app.gql_as(
        Some(&who.access),
        ADD,
        json!({ "t": null, "v": variant, "q": quantity }),
    )
    .await
    .payload("addCartItem");
}

#[tokio::test]
async fn a_cart_checked_out_twice_at_once_makes_one_order_and_takes_its_stock_once() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "twice@x.vn", 40_000, 1000).await;
    let lan = app.register("lan-twice@x.vn").await;
    for round in 0..ROUNDS {
        add(&app, &lan, &variant, 2).await;
        let token = Some(lan.access.clone());
        let answers = together(
            &app,
            vec![
                (
                    token.clone(),
                    CHECKOUT,
                    json!({ "i": checkout_input(&format!("twice-a-{round:03}")) }),
                ),
                (
                    token,
                    CHECKOUT,
                    json!({ "i": checkout_input(&format!("twice-b-{round:03}")) }),
                ),
            ],
        )
        .await;
        let placed = answers.iter().filter(|a| code(a).is_none()).count();
        assert_eq!(placed, 1, "round {round}: {answers:?}");
        let refused = answers
            .iter()
            .find(|a| code(a).is_some())
            .expect("one refused");
        assert!(
            matches!(code(refused), Some("INVALID" | "CONFLICT")),
            "round {round}: {refused}"
        );
        assert_eq!(
            stock_of(&app, &variant).await,
            1000 - 2 * (round as i64 + 1),
            "round {round}"
        );
    }
    assert_eq!(order_count(&app).await, ROUNDS);
}

#[tokio::test]
async fn a_line_added_while_the_cart_is_checked_out_is_ordered_or_stays_in_the_cart() {
    let app = Arc::new(TestApp::spawn().await);
    let (owner, coop, mango) = seller(&app, "during@x.vn", 40_000, 1000).await;
    let (_, tea) = app
        .product(&owner, &coop, "Chè Shan tuyết", 90_000, 1000)
        .await;
    let lan = app.register("lan-during@x.vn").await;
    let mut tea_added = 0;
    let mut tea_ordered = 0;
    for round in 0..ROUNDS {
        add(&app, &lan, &mango, 1).await;
        let token = Some(lan.access.clone());
        let answers = together(
            &app,
            vec![
                (
                    token.clone(),
                    CHECKOUT,
                    json!({ "i": checkout_input(&format!("during-{round:03}")) }),
                ),
                (token, ADD, json!({ "t": null, "v": tea, "q": 1 })),
            ],
        )
        .await;
        assert_eq!(code(&answers[0]), None, "round {round}: {}", answers[0]);
        assert_eq!(code(&answers[1]), None, "round {round}: {}", answers[1]);
        tea_added += 1;
        let orders = &answers[0]["data"]["checkoutCart"]["checkout"]["orders"];
        tea_ordered += orders
            .as_array()
            .expect("orders")
            .iter()
            .map(|o| units(&o["items"], &tea))
            .sum::<i64>();
        let cart = app.gql_as(Some(&lan.access), CART, json!({})).await;
        let in_cart = units(&cart.data()["cart"]["items"], &tea);
        assert_eq!(
            tea_ordered + in_cart,
            tea_added,
            "round {round}: every tea added is ordered or in the cart"
        );
        assert_eq!(stock_of(&app, &tea).await, 1000 - tea_ordered);
        // Start the next round with an empty cart.
        if in_cart > 0 {
            app.gql_as(
                Some(&lan.access),
                &format!(
                    "mutation($v: ID!) {{ removeCartItem(variantId: $v) {{ cart {{ items {{ id }} }} {USER_ERRORS} }} }}"
                ),
                json!({ "v": tea }),
            )
            .await
            .payload("removeCartItem");
            tea_added -= in_cart;
        }
    }
}

#[tokio::test]
async fn a_quantity_changed_while_the_cart_is_checked_out_is_ordered_or_refused() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, mango) = seller(&app, "change@x.vn", 40_000, 1000).await;
    let lan = app.register("lan-change@x.vn").await;
    let update = "mutation($v: ID!) { updateCartItem(variantId: $v, quantity: 3) { cart { items { id quantity } } userErrors { code field message } } }";
    let mut ordered_total = 0;
    for round in 0..ROUNDS {
        add(&app, &lan, &mango, 1).await;
        let token = Some(lan.access.clone());
        let answers = together(
            &app,
            vec![
                (
                    token.clone(),
                    CHECKOUT,
                    json!({ "i": checkout_input(&format!("change-{round:03}")) }),
                ),
                (token, update, json!({ "v": mango })),
            ],
        )
        .await;
        assert_eq!(code(&answers[0]), None, "round {round}: {}", answers[0]);
        let ordered = units(
            &answers[0]["data"]["checkoutCart"]["checkout"]["orders"][0]["items"],
            &mango,
        );
        ordered_total += ordered;
        match code(&answers[1]) {
            // The change came first: it is what was ordered.
            None => assert_eq!(ordered, 3, "round {round}: {}", answers[1]),
            // The checkout came first: the line had left the cart.
            Some("NOT_FOUND") => assert_eq!(ordered, 1, "round {round}"),
            other => panic!("round {round}: {other:?} {}", answers[1]),
        }
        let cart = app.gql_as(Some(&lan.access), CART, json!({})).await;
        assert_eq!(
            units(&cart.data()["cart"]["items"], &mango),
            0,
            "round {round}"
        );
        assert_eq!(stock_of(&app, &mango).await, 1000 - ordered_total);
    }
}

#[tokio::test]
async fn concurrent_adds_of_one_variant_all_count_and_a_new_cart_is_made_once() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "adds@x.vn", 40_000, 1000).await;
    for round in 0..ROUNDS {
        // A shopper without a cart yet: four first adds at once.
        let shopper = app.register(&format!("adds-{round}@x.vn")).await;
        for expected in [4, 8] {
            let calls = (0..4)
                .map(|_| {
                    (
                        Some(shopper.access.clone()),
                        ADD,
                        json!({ "t": null, "v": variant, "q": 1 }),
                    )
                })
                .collect();
            let answers = together(&app, calls).await;
            for answer in &answers {
                assert_eq!(code(answer), None, "round {round}: {answer}");
            }
            let cart = app.gql_as(Some(&shopper.access), CART, json!({})).await;
            assert_eq!(
                units(&cart.data()["cart"]["items"], &variant),
                expected,
                "round {round}"
            );
        }
    }
    let carts = entity::cart::Entity::find()
        .all(app.app.state.db.conn())
        .await
        .expect("carts");
    assert_eq!(carts.len(), ROUNDS, "one cart per shopper");
}

#[tokio::test]
async fn a_cart_line_stays_within_a_thousand_units_however_the_adds_collide() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "bound@x.vn", 40_000, 1000).await;
    let lan = app.register("lan-bound@x.vn").await;
    add(&app, &lan, &variant, 990).await;
    let calls = (0..4)
        .map(|_| {
            (
                Some(lan.access.clone()),
                ADD,
                json!({ "t": null, "v": variant, "q": 4 }),
            )
        })
        .collect();
    let answers = together(&app, calls).await;
    let ok = answers.iter().filter(|a| code(a).is_none()).count();
    assert_eq!(ok, 2, "990 + 4 + 4 fits, a third 4 does not: {answers:?}");
    for refused in answers.iter().filter(|a| code(a).is_some()) {
        assert_eq!(code(refused), Some("INVALID"), "{refused}");
        assert_eq!(
            refused["data"]["addCartItem"]["userErrors"][0]["field"],
            json!(["quantity"])
        );
        assert_eq!(refused["data"]["addCartItem"]["cart"], Value::Null);
    }
    let cart = app.gql_as(Some(&lan.access), CART, json!({})).await;
    assert_eq!(units(&cart.data()["cart"]["items"], &variant), 998);
}

#[tokio::test]
async fn a_guest_cart_touched_while_the_purge_runs_keeps_its_lines() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "purge-race@x.vn", 40_000, 1000).await;
    let db = app.app.state.db.clone();
    let long_ago = chrono::Utc::now() - chrono::Duration::days(60);
    let cutoff = chrono::Utc::now() - chrono::Duration::days(30);
    for round in 0..ROUNDS {
        let res = app
            .gql(ADD, json!({ "t": null, "v": variant, "q": 1 }))
            .await;
        let token = res.payload("addCartItem")["cart"]["token"]
            .as_str()
            .expect("token")
            .to_owned();
        // Forgotten for two months…
        entity::cart::Entity::update_many()
            .col_expr(
                entity::cart::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(long_ago),
            )
            .exec(db.conn())
            .await
            .expect("age the cart");
        // …and used again just as the purge runs.
        let purge = {
            let db = db.clone();
            tokio::spawn(
                async move { farmstream::orders::cart::purge_forgotten(&db, cutoff).await },
            )
        };
        let router = app.router.clone();
        let again = json!({ "t": token, "v": variant, "q": 1 });
        let added = tokio::spawn(async move { gql_on(router, None, ADD, again).await });
        let (purged, added) = (purge.await.expect("task"), added.await.expect("task"));
        let purged = purged.expect("the purge never fails");
        let get = app
            .gql(
                "query($t: String) { cart(cartToken: $t) { items { variant { id } quantity } } }",
                json!({ "t": token }),
            )
            .await;
        match code(&added) {
            None => {
                assert_eq!(purged, 0, "round {round}: a cart just used is kept");
                assert_eq!(
                    units(&get.data()["cart"]["items"], &variant),
                    2,
                    "round {round}"
                );
            }
            Some("NOT_FOUND") => {
                assert_eq!(purged, 1, "round {round}");
                assert_eq!(get.code(), "NOT_FOUND", "round {round}");
            }
            other => panic!("round {round}: {other:?} {added}"),
        }
        entity::cart::Entity::delete_many()
            .exec(db.conn())
            .await
            .expect("clean");
    }
}

/// Ends `show` and moves its end `minutes_ago` into the past.
async fn end_show(app: &TestApp, owner: &Session, show: &str, minutes_ago: i64) {
    app.gql_as(
        Some(&owner.access),
        "mutation($id: ID!) { endLivestream(id: $id) { livestream { status } userErrors { code field message } } }",
        json!({ "id": show }),
    )
    .await
    .payload("endLivestream");
    entity::livestream::Entity::update(entity::livestream::ActiveModel {
        id: Set(crate::helpers::uuid_of(show)),
        ended_at: Set(Some(
            chrono::Utc::now() - chrono::Duration::minutes(minutes_ago),
        )),
        ..Default::default()
    })
    .exec(app.app.state.db.conn())
    .await
    .expect("move the end");
}

async fn place_from(app: &TestApp, key: &str, variant: &str, show: &str) -> crate::helpers::Gql {
    let mut input = order_input(key, &[(variant, 1)], "COD", "0912345678");
    input["livestreamId"] = json!(show);
    app.gql(PLACE, json!({ "i": input })).await
}

#[tokio::test]
async fn an_order_naming_an_unknown_show_is_refused_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "ghost-show@x.vn", 40_000, 10).await;
    let res = place_from(
        &app,
        "ghost-show-1",
        &variant,
        &gid("Livestream", uuid::Uuid::new_v4()),
    )
    .await;
    assert_eq!(res.user_code("placeOrder"), "INVALID", "{:?}", res.body);
    assert_eq!(res.user_field("placeOrder"), "input.livestreamId");
    assert_eq!(order_count(&app).await, 0);
    assert_eq!(stock_of(&app, &variant).await, 10);
}

#[tokio::test]
async fn an_order_naming_another_cooperatives_show_is_refused_and_that_show_counts_nothing() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "mine@x.vn", 40_000, 10).await;
    let (rival, rival_coop, _) = seller(&app, "rival@x.vn", 40_000, 10).await;
    let show = app.show(&rival, &rival_coop, &[], true).await;
    let res = place_from(&app, "other-show-1", &variant, &show).await;
    assert_eq!(res.user_code("placeOrder"), "INVALID", "{:?}", res.body);
    assert_eq!(res.user_field("placeOrder"), "input.livestreamId");
    assert_eq!(order_count(&app).await, 0);
    let stats = app
        .gql_as(
            Some(&rival.access),
            "query($id: ID!) { livestream(id: $id) { stats { orders unitsSold } } }",
            json!({ "id": show }),
        )
        .await;
    assert_eq!(stats.data()["livestream"]["stats"]["orders"], 0);
}

#[tokio::test]
async fn an_order_may_name_a_live_show_or_one_ended_up_to_thirty_minutes_ago_and_no_other() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "when@x.vn", 40_000, 10).await;
    let scheduled = app.show(&owner, &coop, &[], false).await;
    let res = place_from(&app, "when-scheduled", &variant, &scheduled).await;
    assert_eq!(res.user_code("placeOrder"), "INVALID", "{:?}", res.body);
    assert_eq!(res.user_field("placeOrder"), "input.livestreamId");

    let live = app.show(&owner, &coop, &[], true).await;
    let res = place_from(&app, "when-live-1", &variant, &live).await;
    assert_eq!(placed(&res)["orders"][0]["livestream"]["id"], live);

    end_show(&app, &owner, &live, 29).await;
    let res = place_from(&app, "when-ended-29", &variant, &live).await;
    assert_eq!(placed(&res)["orders"][0]["livestream"]["id"], live);

    let late = app.show(&owner, &coop, &[], true).await;
    end_show(&app, &owner, &late, 31).await;
    let res = place_from(&app, "when-ended-31", &variant, &late).await;
    assert_eq!(res.user_code("placeOrder"), "INVALID", "{:?}", res.body);
    assert_eq!(res.user_field("placeOrder"), "input.livestreamId");
    assert_eq!(order_count(&app).await, 2);
    assert_eq!(stock_of(&app, &variant).await, 8);
}

#[tokio::test]
async fn a_cart_of_two_cooperatives_checked_out_from_a_show_credits_only_that_cooperatives_order() {
    let app = TestApp::spawn().await;
    let (owner, coop, mango) = seller(&app, "host@x.vn", 40_000, 10).await;
    let (_, other_coop, tea) = seller(&app, "guest-coop@x.vn", 90_000, 10).await;
    let show = app.show(&owner, &coop, &[], true).await;
    let lan = app.register("lan-show@x.vn").await;
    add(&app, &lan, &mango, 1).await;
    add(&app, &lan, &tea, 1).await;
    let mut input = checkout_input("show-cart-1");
    input["livestreamId"] = json!(show);
    let res = app
        .gql_as(Some(&lan.access), CHECKOUT, json!({ "i": input }))
        .await;
    let orders = res.payload("checkoutCart")["checkout"]["orders"]
        .as_array()
        .expect("orders")
        .clone();
    assert_eq!(orders.len(), 2);
    for order in &orders {
        if order["cooperative"]["id"] == coop.as_str() {
            assert_eq!(order["livestream"]["id"], show);
        } else {
            assert_eq!(order["cooperative"]["id"], other_coop.as_str());
            assert_eq!(order["livestream"], Value::Null);
        }
    }
    let stored = entity::order::Entity::find()
        .filter(entity::order::Column::LivestreamId.is_not_null())
        .all(app.app.state.db.conn())
        .await
        .expect("orders");
    assert_eq!(stored.len(), 1);
}
