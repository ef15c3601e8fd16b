//! Placing orders, stock under concurrency, idempotency, the order state
//! machine, the back office and the cart.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{Session, TestApp};

pub const PLACE: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id idempotencyKey totalVnd orders { id number status subtotalVnd shippingFeeVnd totalVnd livestreamId cooperative { id } payment { method status amountVnd memo vietqr { payload imageUrl } } items { variantId quantity unitPriceVnd lineTotalVnd productName variantName } history { fromStatus toStatus actorId } } } }";

/// A delivery address in Sơn La with this phone.
pub fn address(phone: &str) -> Value {
    json!({ "recipientName": "Lò Thị Hoa", "phone": phone, "province": "Sơn La", "ward": "Phường Chiềng Sinh", "street": "Tổ 3" })
}

/// A `placeOrder` input for `items` ((variant, quantity) pairs).
pub fn order_input(key: &str, items: &[(&str, i64)], method: &str, phone: &str) -> Value {
    json!({
        "idempotencyKey": key,
        "items": items.iter().map(|(v, q)| json!({ "variantId": v, "quantity": q })).collect::<Vec<_>>(),
        "shippingAddress": address(phone),
        "paymentMethod": method,
    })
}

/// A cooperative owned by a fresh user, with one product: (owner, coop, variant).
pub async fn seller(
    app: &TestApp,
    email: &str,
    price: i64,
    stock: i32,
) -> (Session, String, String) {
    let owner = app.register(email).await;
    let coop = app.cooperative(&owner, &format!("HTX {email}")).await;
    let (_, variant) = app
        .product(&owner, &coop, "Xoài tròn Yên Châu", price, stock)
        .await;
    (owner, coop, variant)
}

/// Places an order and returns its first order's id.
pub async fn place_one(
    app: &TestApp,
    token: Option<&str>,
    variant: &str,
    quantity: i64,
    method: &str,
) -> Value {
    let res = app
        .gql_as(
            token,
            PLACE,
            json!({ "i": order_input(&uuid::Uuid::new_v4().to_string(), &[(variant, quantity)], method, "0912345678") }),
        )
        .await;
    res.data()["placeOrder"]["orders"][0].clone()
}

async fn stock_of(app: &TestApp, variant: &str) -> i64 {
    let id = uuid::Uuid::parse_str(variant).expect("uuid");
    entity::product_variant::Entity::find_by_id(id)
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("variant")
        .stock
        .into()
}

async fn movements(app: &TestApp, variant: &str) -> Vec<entity::stock_movement::Model> {
    let id = uuid::Uuid::parse_str(variant).expect("uuid");
    entity::stock_movement::Entity::find()
        .filter(entity::stock_movement::Column::VariantId.eq(id))
        .all(app.app.state.db.conn())
        .await
        .expect("query")
}

async fn order_count(app: &TestApp) -> usize {
    entity::order::Entity::find()
        .all(app.app.state.db.conn())
        .await
        .expect("query")
        .len()
}

#[tokio::test]
async fn a_guest_places_a_cod_order_and_finds_it_by_number_and_phone() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "htx@x.vn", 150_000, 10).await;
    let order = place_one(&app, None, &variant, 2, "COD").await;
    assert_eq!(order["status"], "CONFIRMED");
    assert_eq!(order["subtotalVnd"], 300_000);
    assert_eq!(order["totalVnd"], 300_000);
    assert_eq!(order["payment"]["status"], "AWAITING_CASH");
    assert_eq!(order["payment"]["vietqr"], Value::Null);
    assert_eq!(order["items"][0]["productName"], "Xoài tròn Yên Châu");
    let number = order["number"].as_str().expect("number");
    assert!(number.starts_with("FS-") && number.len() == 9, "{number}");
    assert_eq!(stock_of(&app, &variant).await, 8);

    let q =
        "query($n: String!, $p: String!) { orderByNumber(number: $n, phone: $p) { id status } }";
    let found = app
        .gql(
            q,
            json!({ "n": number.to_lowercase(), "p": "+84 912 345 678" }),
        )
        .await;
    assert_eq!(found.data()["orderByNumber"]["id"], order["id"]);
    let wrong = app.gql(q, json!({ "n": number, "p": "0987654321" })).await;
    assert_eq!(wrong.code(), "NOT_FOUND");
}

#[tokio::test]
async fn prices_and_shipping_are_the_servers_and_a_cart_of_two_cooperatives_makes_two_orders() {
    let app = TestApp::spawn().await;
    let (owner_a, coop_a, variant_a) = seller(&app, "a@x.vn", 100_000, 10).await;
    let (_, _, variant_b) = seller(&app, "b@x.vn", 40_000, 10).await;
    let policy = app
        .gql_as(
            Some(&owner_a.access),
            "mutation($c: ID!) { setShippingPolicy(cooperativeId: $c, flatFeeVnd: 30000, freeAboveVnd: 500000) { shippingPolicy { flatFeeVnd freeAboveVnd } } }",
            json!({ "c": coop_a }),
        )
        .await;
    assert_eq!(
        policy.data()["setShippingPolicy"]["shippingPolicy"]["flatFeeVnd"],
        30_000
    );
    let shopper = app.register("lan@x.vn").await;
    let res = app
        .gql_as(
            Some(&shopper.access),
            PLACE,
            json!({ "i": order_input("key-two-coops-1", &[(&variant_a, 2), (&variant_b, 1), (&variant_a, 1)], "VIETQR", "0912345678") }),
        )
        .await;
    let checkout = &res.data()["placeOrder"];
    let orders = checkout["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 2);
    let a = orders
        .iter()
        .find(|o| o["cooperative"]["id"] == coop_a.as_str())
        .expect("order of A");
    assert_eq!(a["items"][0]["quantity"], 3, "lines of one variant merge");
    assert_eq!(a["subtotalVnd"], 300_000);
    assert_eq!(a["shippingFeeVnd"], 30_000);
    assert_eq!(a["totalVnd"], 330_000);
    assert_eq!(a["status"], "PENDING_PAYMENT");
    assert_eq!(a["payment"]["amountVnd"], 330_000);
    assert_eq!(checkout["totalVnd"], 330_000 + 40_000);
    assert_eq!(a["history"][0]["toStatus"], "PENDING_PAYMENT");
    assert_eq!(a["history"][0]["actorId"], shopper.id.as_str());

    // At the threshold shipping is free.
    let res = app
        .gql_as(
            Some(&shopper.access),
            PLACE,
            json!({ "i": order_input("key-free-ship-1", &[(&variant_a, 5)], "COD", "0912345678") }),
        )
        .await;
    assert_eq!(res.data()["placeOrder"]["orders"][0]["shippingFeeVnd"], 0);
}

/// Sends a GraphQL request through a router clone (for many tasks at once).
async fn gql_on(
    router: axum::Router,
    token: Option<String>,
    query: &'static str,
    variables: Value,
) -> Value {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let res = router
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("router answers");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("JSON")
}

#[tokio::test]
async fn five_hundred_concurrent_orders_for_a_hundred_units_make_exactly_a_hundred_orders() {
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "burst@x.vn", 50_000, 100).await;
    let shopper = app.register("buyer@x.vn").await;
    let mut tasks = Vec::new();
    for n in 0..500 {
        let router = app.router.clone();
        let token = Some(shopper.access.clone());
        let input = order_input(
            &format!("burst-key-{n:04}"),
            &[(&variant, 1)],
            "COD",
            "0912345678",
        );
        tasks.push(tokio::spawn(async move {
            gql_on(router, token, PLACE, json!({ "i": input })).await
        }));
    }
    let (mut ok, mut out_of_stock, mut other) = (0, 0, Vec::new());
    for task in tasks {
        let body = task.await.expect("task");
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => ok += 1,
            Some("OUT_OF_STOCK") => out_of_stock += 1,
            Some(_) => other.push(body),
        }
    }
    assert!(
        other.is_empty(),
        "unexpected errors: {:?}",
        &other[..other.len().min(3)]
    );
    assert_eq!(ok, 100);
    assert_eq!(out_of_stock, 400);
    assert_eq!(stock_of(&app, &variant).await, 0);
    assert_eq!(order_count(&app).await, 100);
    let ledger = movements(&app, &variant).await;
    let orders: Vec<_> = ledger.iter().filter(|m| m.kind == "ORDER").collect();
    assert_eq!(orders.len(), 100);
    assert!(orders.iter().all(|m| m.delta == -1 && m.order_id.is_some()));
    assert_eq!(ledger.iter().map(|m| i64::from(m.delta)).sum::<i64>(), 0);
    let mut after: Vec<i32> = orders.iter().map(|m| m.stock_after).collect();
    after.sort_unstable();
    assert_eq!(
        after,
        (0..100).collect::<Vec<_>>(),
        "each order saw its own stock"
    );
}

#[tokio::test]
async fn the_same_idempotency_key_returns_the_same_checkout_and_a_different_request_is_a_conflict()
{
    let app = Arc::new(TestApp::spawn().await);
    let (_, _, variant) = seller(&app, "idem@x.vn", 50_000, 10).await;
    let input = order_input("same-key-000001", &[(&variant, 2)], "COD", "0912345678");
    // Twins at once, then a late repeat: one checkout, stock taken once.
    let (a, b) = tokio::join!(
        gql_on(
            app.router.clone(),
            None,
            PLACE,
            json!({ "i": input.clone() })
        ),
        gql_on(
            app.router.clone(),
            None,
            PLACE,
            json!({ "i": input.clone() })
        ),
    );
    let c = app.gql(PLACE, json!({ "i": input })).await;
    let id = &c.data()["placeOrder"]["id"];
    assert_eq!(&a["data"]["placeOrder"]["id"], id, "{a}");
    assert_eq!(&b["data"]["placeOrder"]["id"], id, "{b}");
    assert_eq!(stock_of(&app, &variant).await, 8);
    assert_eq!(order_count(&app).await, 1);

    let changed = order_input("same-key-000001", &[(&variant, 3)], "COD", "0912345678");
    let res = app.gql(PLACE, json!({ "i": changed })).await;
    assert_eq!(res.code(), "CONFLICT");
    // Another guest (another phone) may use the same key for their own order.
    let other = order_input("same-key-000001", &[(&variant, 2)], "COD", "0987654321");
    let res = app.gql(PLACE, json!({ "i": other })).await;
    assert_ne!(&res.data()["placeOrder"]["id"], id);
    assert_eq!(stock_of(&app, &variant).await, 6);
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one rule over a table of bad inputs, then one check that nothing was written"
)]
async fn bad_order_input_is_refused_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "bad@x.vn", 50_000, 10).await;
    let draft = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: CreateProductInput!) { createProduct(input: $i) { variants { id } } }",
            json!({ "i": { "cooperativeId": coop, "name": "Mận hậu", "category": "FRUIT", "status": "DRAFT",
                "variants": [{ "name": "Hộp 1 kg", "sku": "MH-1", "unit": "KG", "netQuantity": 1.0, "priceVnd": 60000, "stock": 5 }] } }),
        )
        .await;
    let inactive = draft.data()["createProduct"]["variants"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let unknown = uuid::Uuid::new_v4().to_string();
    let base = || order_input("bad-input-key-1", &[(&variant, 1)], "COD", "0912345678");
    let cases: Vec<(Value, &str)> = vec![
        (
            order_input("bad-input-key-1", &[(&unknown, 1)], "COD", "0912345678"),
            "input.items[0].variantId",
        ),
        (
            order_input(
                "bad-input-key-1",
                &[(&variant, 1), (&inactive, 1)],
                "COD",
                "0912345678",
            ),
            "input.items[1].variantId",
        ),
        (
            order_input("bad-input-key-1", &[(&variant, 0)], "COD", "0912345678"),
            "input.items[0].quantity",
        ),
        (
            order_input("bad-input-key-1", &[(&variant, 1001)], "COD", "0912345678"),
            "input.items[0].quantity",
        ),
        (
            order_input("bad-input-key-1", &[(&variant, -3)], "COD", "0912345678"),
            "input.items[0].quantity",
        ),
        (
            order_input("bad-input-key-1", &[], "COD", "0912345678"),
            "input.items",
        ),
        (
            order_input("bad-input-key-1", &[(&variant, 1)], "COD", "12345"),
            "input.shippingAddress.phone",
        ),
        (
            order_input("bad-input-key-1", &[("not-an-id", 1)], "COD", "0912345678"),
            "input.items[0].variantId",
        ),
        (
            {
                let mut i = base();
                i["shippingAddress"]["province"] = json!("Hòa Bình");
                i
            },
            "input.shippingAddress.province",
        ),
        (
            {
                let mut i = base();
                i["shippingAddress"]["province"] = json!("Atlantis");
                i
            },
            "input.shippingAddress.province",
        ),
        (
            {
                let mut i = base();
                i["shippingAddress"]["ward"] = json!("  ");
                i
            },
            "input.shippingAddress.ward",
        ),
        (
            {
                let mut i = base();
                i["shippingAddress"]["street"] = json!("");
                i
            },
            "input.shippingAddress.street",
        ),
        (
            {
                let mut i = base();
                i["shippingAddress"]["recipientName"] = json!("");
                i
            },
            "input.shippingAddress.recipientName",
        ),
        (
            {
                let mut i = base();
                i["idempotencyKey"] = json!("x");
                i
            },
            "input.idempotencyKey",
        ),
        (
            {
                let mut i = base();
                i["livestreamId"] = json!("live-1");
                i
            },
            "input.livestreamId",
        ),
    ];
    for (input, field) in cases {
        let res = app.gql(PLACE, json!({ "i": input })).await;
        assert_eq!(res.code(), "BAD_USER_INPUT", "{field}: {}", res.body);
        assert_eq!(res.field(), field, "{}", res.body);
    }
    assert_eq!(order_count(&app).await, 0);
    assert_eq!(stock_of(&app, &variant).await, 10);
    let ledger = movements(&app, &variant).await;
    assert!(ledger.iter().all(|m| m.kind == "INITIAL"));
}

#[tokio::test]
async fn a_shipping_address_missing_a_required_field_fails_validation_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "missing@x.vn", 50_000, 10).await;
    for missing in ["recipientName", "phone", "province", "ward", "street"] {
        let mut input = order_input("missing-field-key", &[(&variant, 1)], "COD", "0912345678");
        input["shippingAddress"]
            .as_object_mut()
            .expect("address")
            .remove(missing);
        let res = app.gql(PLACE, json!({ "i": input })).await;
        assert_eq!(
            res.code(),
            "GRAPHQL_VALIDATION_FAILED",
            "{missing}: {}",
            res.body
        );
        assert!(res.message().contains(missing), "{missing}: {}", res.body);
        assert!(res.body.get("data").is_none(), "{}", res.body);

        let mut input = order_input("missing-field-key", &[(&variant, 1)], "COD", "0912345678");
        input["shippingAddress"][missing] = Value::Null;
        let res = app.gql(PLACE, json!({ "i": input })).await;
        assert_eq!(
            res.code(),
            "GRAPHQL_VALIDATION_FAILED",
            "{missing} null: {}",
            res.body
        );
    }
    assert_eq!(order_count(&app).await, 0);
    assert_eq!(stock_of(&app, &variant).await, 10);
}

#[tokio::test]
async fn out_of_stock_in_one_line_takes_no_stock_from_the_others() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "partial@x.vn", 50_000, 10).await;
    let (_, scarce) = app
        .product(&owner, &coop, "Chè Shan tuyết", 200_000, 1)
        .await;
    let res = app
        .gql(
            PLACE,
            json!({ "i": order_input("partial-key-1", &[(&variant, 3), (&scarce, 2)], "COD", "0912345678") }),
        )
        .await;
    assert_eq!(res.code(), "OUT_OF_STOCK");
    assert!(
        res.message().contains("Chè Shan tuyết"),
        "{}",
        res.message()
    );
    assert_eq!(stock_of(&app, &variant).await, 10);
    assert_eq!(stock_of(&app, &scarce).await, 1);
    assert_eq!(order_count(&app).await, 0);
}

const ORDER: &str = "query($id: ID!) { order(id: $id) { id status } }";

#[tokio::test]
async fn an_unknown_stored_status_is_an_internal_error_not_a_default() {
    use sea_orm::sea_query::Expr;

    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "bogus@x.vn", 50_000, 10).await;
    let order = place_one(&app, Some(&owner.access), &variant, 1, "COD").await;
    let id = uuid::Uuid::parse_str(order["id"].as_str().expect("id")).expect("uuid");
    // `orders.status` has a CHECK constraint; the history has none.
    entity::order_event::Entity::update_many()
        .col_expr(entity::order_event::Column::ToStatus, Expr::value("BOGUS"))
        .filter(entity::order_event::Column::OrderId.eq(id))
        .exec(app.app.state.db.conn())
        .await
        .expect("update");
    let res = app
        .gql_as(Some(&owner.access), HISTORY, json!({ "id": order["id"] }))
        .await;
    assert_eq!(res.code(), "INTERNAL", "{}", res.body);
    assert!(!res.message().contains("BOGUS"), "{}", res.message());
    let read = entity::order_event::Entity::find()
        .filter(entity::order_event::Column::OrderId.eq(id))
        .all(app.app.state.db.conn())
        .await;
    let err = read.expect_err("an unknown status must not read as a status");
    assert!(err.to_string().contains("BOGUS"), "{err}");
}

#[tokio::test]
async fn a_shopper_cannot_read_another_shoppers_order_but_its_cooperative_can() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "read@x.vn", 50_000, 10).await;
    let lan = app.register("lan@x.vn").await;
    let minh = app.register("minh@x.vn").await;
    let order = place_one(&app, Some(&lan.access), &variant, 1, "COD").await;
    let vars = json!({ "id": order["id"] });
    assert_eq!(
        app.gql_as(Some(&lan.access), ORDER, vars.clone())
            .await
            .data()["order"]["id"],
        order["id"]
    );
    assert_eq!(
        app.gql_as(Some(&minh.access), ORDER, vars.clone())
            .await
            .code(),
        "NOT_FOUND"
    );
    assert_eq!(app.gql(ORDER, vars.clone()).await.code(), "UNAUTHENTICATED");
    assert_eq!(
        app.gql_as(Some(&owner.access), ORDER, vars).await.data()["order"]["status"],
        "CONFIRMED"
    );
    let mine = app
        .gql_as(
            Some(&minh.access),
            "{ myOrders { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data()["myOrders"]["totalCount"], 0);
    let mine = app
        .gql_as(
            Some(&lan.access),
            "{ myOrders { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["myOrders"]["edges"][0]["node"]["id"],
        order["id"]
    );
}

#[tokio::test]
async fn every_back_office_mutation_refuses_other_cooperatives_staff_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let (_, coop, variant) = seller(&app, "mine@x.vn", 50_000, 10).await;
    let (other, _, _) = seller(&app, "other@x.vn", 50_000, 10).await;
    let shopper = app.register("lan@x.vn").await;
    let order = place_one(&app, Some(&shopper.access), &variant, 1, "COD").await;
    let id = order["id"].as_str().expect("id");
    let calls: Vec<(&str, Value)> = vec![
        (
            "mutation($o: ID!) { markOrderPacked(orderId: $o) { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($o: ID!) { shipOrder(orderId: $o, carrier: \"GHN\", trackingNumber: \"GHN1\") { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($o: ID!) { markOrderDelivered(orderId: $o) { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"no\") { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($o: ID!) { confirmCashPayment(orderId: $o) { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($o: ID!) { recordRefund(orderId: $o) { id } }",
            json!({ "o": id }),
        ),
        (
            "mutation($c: ID!) { setShippingPolicy(cooperativeId: $c, flatFeeVnd: 1) { id } }",
            json!({ "c": coop }),
        ),
        (
            "query($c: ID!) { cooperativeOrders(cooperativeId: $c) { totalCount } }",
            json!({ "c": coop }),
        ),
    ];
    for (query, vars) in calls {
        let res = app.gql_as(Some(&other.access), query, vars.clone()).await;
        // An order they may not read is not found, as `order(id)` says; the
        // cooperative itself is public, so acting for it is forbidden.
        let refusal = if vars.get("o").is_some() {
            "NOT_FOUND"
        } else {
            "FORBIDDEN"
        };
        assert_eq!(res.code(), refusal, "{query}: {}", res.body);
        let res = app.gql(query, vars).await;
        assert_eq!(res.code(), "UNAUTHENTICATED", "{query}: {}", res.body);
    }
    // Nothing changed.
    let res = app
        .gql_as(Some(&shopper.access), ORDER, json!({ "id": id }))
        .await;
    assert_eq!(res.data()["order"]["status"], "CONFIRMED");
    assert_eq!(stock_of(&app, &variant).await, 9);
}

const HISTORY: &str = "query($id: ID!) { order(id: $id) { status carrier trackingNumber payment { status paidAt } nextStatuses history { fromStatus toStatus actorId note } } }";

#[tokio::test]
async fn a_cod_order_goes_from_confirmed_to_delivered_with_every_step_in_its_history() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "cod@x.vn", 50_000, 10).await;
    let shopper = app.register("lan@x.vn").await;
    let order = place_one(&app, Some(&shopper.access), &variant, 1, "COD").await;
    let o = json!({ "o": order["id"] });
    let staff = Some(owner.access.as_str());
    app.gql_as(
        staff,
        "mutation($o: ID!) { markOrderPacked(orderId: $o) { id } }",
        o.clone(),
    )
    .await
    .data();
    // A shopper may not cancel once packed.
    let res = app
        .gql_as(
            Some(&shopper.access),
            "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"đổi ý\") { id } }",
            o.clone(),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT");
    let res = app
        .gql_as(
            staff,
            "mutation($o: ID!) { confirmCashPayment(orderId: $o) { id } }",
            o.clone(),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT", "cash only once shipped");
    app.gql_as(staff, "mutation($o: ID!) { shipOrder(orderId: $o, carrier: \"GHN\", trackingNumber: \"GHN123\") { id } }", o.clone()).await.data();
    let res = app
        .gql_as(
            staff,
            "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"late\") { id } }",
            o.clone(),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT", "no cancelling once shipped");
    assert!(
        res.message().contains("DELIVERED"),
        "names what is allowed: {}",
        res.message()
    );
    app.gql_as(
        staff,
        "mutation($o: ID!) { confirmCashPayment(orderId: $o) { id } }",
        o.clone(),
    )
    .await
    .data();
    let res = app
        .gql_as(
            staff,
            "mutation($o: ID!) { confirmCashPayment(orderId: $o) { id } }",
            o.clone(),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT", "cash is recorded once");

    let res = app
        .gql_as(Some(&shopper.access), HISTORY, json!({ "id": order["id"] }))
        .await;
    let got = &res.data()["order"];
    assert_eq!(got["status"], "DELIVERED");
    assert_eq!(got["carrier"], "GHN");
    assert_eq!(got["trackingNumber"], "GHN123");
    assert_eq!(got["payment"]["status"], "PAID");
    assert_eq!(got["nextStatuses"], json!([]));
    let steps: Vec<(Value, Value)> = got["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| (h["fromStatus"].clone(), h["toStatus"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("CONFIRMED")),
            (json!("CONFIRMED"), json!("PACKED")),
            (json!("PACKED"), json!("SHIPPED")),
            (json!("SHIPPED"), json!("DELIVERED")),
        ]
    );
    assert_eq!(got["history"][1]["actorId"], owner.id.as_str());
    assert_eq!(got["history"][3]["note"], "cash received");

    let list = app
        .gql_as(
            staff,
            "query($c: ID!) { cooperativeOrders(cooperativeId: $c, filter: { status: DELIVERED }) { totalCount edges { node { number items { quantity } cooperative { name } } } } }",
            json!({ "c": coop }),
        )
        .await;
    assert_eq!(list.data()["cooperativeOrders"]["totalCount"], 1);
}

#[tokio::test]
async fn an_invalid_transition_is_a_conflict_naming_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "bad-move@x.vn", 50_000, 10).await;
    let order = place_one(&app, None, &variant, 1, "VIETQR").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($o: ID!) { markOrderPacked(orderId: $o) { id } }",
            json!({ "o": order["id"] }),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT");
    assert!(
        res.message().contains("PENDING_PAYMENT") && res.message().contains("PAID, CANCELLED"),
        "{}",
        res.message()
    );
}

#[tokio::test]
async fn cancelling_gives_the_stock_back_once_with_a_ledger_row_naming_the_order() {
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "cancel@x.vn", 50_000, 10).await;
    let shopper = app.register("lan@x.vn").await;
    let order = place_one(&app, Some(&shopper.access), &variant, 4, "COD").await;
    assert_eq!(stock_of(&app, &variant).await, 6);
    let res = app
        .gql_as(Some(&shopper.access), "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"đặt nhầm\") { status cancelReason payment { status } } }", json!({ "o": order["id"] }))
        .await;
    assert_eq!(res.data()["cancelOrder"]["status"], "CANCELLED");
    assert_eq!(res.data()["cancelOrder"]["cancelReason"], "đặt nhầm");
    assert_eq!(res.data()["cancelOrder"]["payment"]["status"], "CANCELLED");
    assert_eq!(stock_of(&app, &variant).await, 10);
    let again = app
        .gql_as(
            Some(&owner.access),
            "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"x\") { id } }",
            json!({ "o": order["id"] }),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    assert_eq!(stock_of(&app, &variant).await, 10);
    let order_id = uuid::Uuid::parse_str(order["id"].as_str().expect("id")).expect("uuid");
    let ledger = movements(&app, &variant).await;
    let cancels: Vec<_> = ledger.iter().filter(|m| m.kind == "CANCEL").collect();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].delta, 4);
    assert_eq!(cancels[0].order_id, Some(order_id));
}

#[tokio::test]
async fn unpaid_vietqr_orders_expire_once_and_give_their_stock_back_even_with_two_sweepers() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_PAYMENT_HOLD_SECS".into(), "60".into());
    })
    .await;
    let (_, _, variant) = seller(&app, "hold@x.vn", 50_000, 10).await;
    let unpaid = place_one(&app, None, &variant, 3, "VIETQR").await;
    let cod = place_one(&app, None, &variant, 2, "COD").await;
    assert_eq!(stock_of(&app, &variant).await, 5);
    let db = &app.app.state.db;
    let early = farmstream::orders::service::expire_unpaid(db, chrono::Utc::now())
        .await
        .expect("sweep");
    assert!(early.is_empty(), "the hold has not run out yet");
    let later = chrono::Utc::now() + chrono::Duration::seconds(61);
    let (a, b) = tokio::join!(
        farmstream::orders::service::expire_unpaid(db, later),
        farmstream::orders::service::expire_unpaid(db, later),
    );
    let expired = a.expect("sweep a").len() + b.expect("sweep b").len();
    assert_eq!(expired, 1, "one order, cancelled once");
    assert_eq!(stock_of(&app, &variant).await, 8);
    let returns: Vec<_> = movements(&app, &variant)
        .await
        .into_iter()
        .filter(|m| m.kind == "RETURN")
        .collect();
    assert_eq!(returns.len(), 1);
    assert_eq!(returns[0].delta, 3);
    let q = "query($n: String!) { orderByNumber(number: $n, phone: \"0912345678\") { status cancelReason } }";
    let res = app.gql(q, json!({ "n": unpaid["number"] })).await;
    assert_eq!(res.data()["orderByNumber"]["status"], "CANCELLED");
    let res = app.gql(q, json!({ "n": cod["number"] })).await;
    assert_eq!(res.data()["orderByNumber"]["status"], "CONFIRMED");
}

#[tokio::test]
async fn cooperative_orders_page_with_a_cursor_and_filter_by_livestream() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "list@x.vn", 10_000, 100).await;
    let live = app.show(&owner, &coop, &[], true).await;
    for n in 0..5 {
        let mut input = order_input(
            &format!("list-key-{n:04}"),
            &[(&variant, 1)],
            "COD",
            "0912345678",
        );
        if n % 2 == 0 {
            input["livestreamId"] = json!(live);
        }
        app.gql(PLACE, json!({ "i": input })).await.data();
    }
    let q = "query($c: ID!, $a: String, $f: OrderFilterInput) { cooperativeOrders(cooperativeId: $c, first: 2, after: $a, filter: $f) { totalCount pageInfo { hasNextPage endCursor } edges { node { id livestreamId } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let res = app
            .gql_as(Some(&owner.access), q, json!({ "c": coop, "a": after }))
            .await;
        let page = &res.data()["cooperativeOrders"];
        assert_eq!(page["totalCount"], 5);
        for edge in page["edges"].as_array().expect("edges") {
            seen.push(edge["node"]["id"].as_str().expect("id").to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 5);
    let res = app
        .gql_as(
            Some(&owner.access),
            q,
            json!({ "c": coop, "f": { "livestreamId": live } }),
        )
        .await;
    assert_eq!(res.data()["cooperativeOrders"]["totalCount"], 3);
    let res = app
        .gql_as(
            Some(&owner.access),
            q,
            json!({ "c": coop, "f": { "placedFrom": "2099-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(res.data()["cooperativeOrders"]["totalCount"], 0);
    let res = app
        .gql_as(
            Some(&owner.access),
            "query($c: ID!) { cooperativeOrders(cooperativeId: $c, first: 101) { totalCount } }",
            json!({ "c": coop }),
        )
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT");
}

const CART: &str = "cart { token subtotalVnd items { variantId quantity unitPriceVnd available } }";

#[tokio::test]
async fn a_guest_fills_a_cart_by_token_and_checks_it_out_through_the_same_path() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "cart@x.vn", 50_000, 10).await;
    let (_, tea) = app.product(&owner, &coop, "Chè", 80_000, 10).await;
    let add = "mutation($t: String, $v: ID!, $q: Int!) { addCartItem(cartToken: $t, variantId: $v, quantity: $q) { token subtotalVnd items { variantId quantity } } }";
    let get = "query($t: String) { cart(cartToken: $t) { token subtotalVnd items { variantId quantity unitPriceVnd available } } }";
    let res = app
        .gql(add, json!({ "t": null, "v": variant, "q": 2 }))
        .await;
    let token = res.data()["addCartItem"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let res = app.gql(add, json!({ "t": token, "v": tea, "q": 1 })).await;
    assert_eq!(res.data()["addCartItem"]["subtotalVnd"], 180_000);
    let res = app
        .gql(add, json!({ "t": token, "v": variant, "q": 1000 }))
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT", "at most 1000 units a line");
    let res = app
        .gql("mutation($t: String, $v: ID!) { updateCartItem(cartToken: $t, variantId: $v, quantity: 3) { subtotalVnd } }", json!({ "t": token, "v": variant }))
        .await;
    assert_eq!(res.data()["updateCartItem"]["subtotalVnd"], 230_000);
    let res = app
        .gql("mutation($t: String, $v: ID!) { removeCartItem(cartToken: $t, variantId: $v) { items { variantId } } }", json!({ "t": token, "v": tea }))
        .await;
    assert_eq!(
        res.data()["removeCartItem"]["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let res = app.gql(get, json!({ "t": token })).await;
    assert_eq!(res.data()["cart"]["items"][0]["quantity"], 3);
    assert_eq!(res.data()["cart"]["items"][0]["available"], true);

    let checkout = "mutation($i: CheckoutCartInput!) { checkoutCart(input: $i) { orders { totalVnd items { quantity } } } }";
    let input = json!({ "cartToken": token, "idempotencyKey": "cart-checkout-1", "shippingAddress": address("0912345678"), "paymentMethod": "COD" });
    let res = app.gql(checkout, json!({ "i": input.clone() })).await;
    assert_eq!(res.data()["checkoutCart"]["orders"][0]["totalVnd"], 150_000);
    assert_eq!(stock_of(&app, &variant).await, 7);
    // A retry with the same key finds the emptied cart's checkout.
    let retry = app.gql(checkout, json!({ "i": input })).await;
    assert_eq!(retry.data()["checkoutCart"], res.data()["checkoutCart"]);
    assert_eq!(stock_of(&app, &variant).await, 7);
    // The cart is empty now; checking it out again with a new key is refused.
    let input = json!({ "cartToken": token, "idempotencyKey": "cart-checkout-2", "shippingAddress": address("0912345678"), "paymentMethod": "COD" });
    let res = app.gql(checkout, json!({ "i": input })).await;
    assert_eq!(res.code(), "BAD_USER_INPUT");
    assert_eq!(res.field(), "input.cartToken");
    let res = app.gql(get, json!({ "t": "no-such-token" })).await;
    assert_eq!(res.code(), "NOT_FOUND");
}

#[tokio::test]
async fn a_signed_in_shoppers_cart_needs_no_token() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "cart2@x.vn", 50_000, 10).await;
    let lan = app.register("lan@x.vn").await;
    let res = app
        .gql_as(
            Some(&lan.access),
            "mutation($v: ID!) { addCartItem(variantId: $v, quantity: 2) { token subtotalVnd } }",
            json!({ "v": variant }),
        )
        .await;
    assert_eq!(res.data()["addCartItem"]["token"], Value::Null);
    let res = app
        .gql_as(Some(&lan.access), &format!("{{ {CART} }}"), json!({}))
        .await;
    assert_eq!(res.data()["cart"]["subtotalVnd"], 100_000);
    let other = app.register("minh@x.vn").await;
    let res = app
        .gql_as(Some(&other.access), &format!("{{ {CART} }}"), json!({}))
        .await;
    assert_eq!(res.data()["cart"]["items"], json!([]));
}

#[tokio::test]
async fn a_page_of_cooperative_orders_costs_the_same_queries_for_two_orders_or_ten() {
    let app = TestApp::spawn().await;
    let (owner, coop, variant) = seller(&app, "count@x.vn", 10_000, 100).await;
    let (_, tea) = app.product(&owner, &coop, "Chè", 20_000, 100).await;
    for n in 0..10 {
        let input = order_input(
            &format!("count-key-{n:04}"),
            &[(&variant, 1), (&tea, 2)],
            "VIETQR",
            "0912345678",
        );
        app.gql(PLACE, json!({ "i": input })).await.data();
    }
    let q = "query($c: ID!, $n: Int) { cooperativeOrders(cooperativeId: $c, first: $n) { edges { node { number cooperative { name } items { productName quantity } history { toStatus } payment { vietqr { payload } } } } } }";
    let mut costs = Vec::new();
    for n in [2, 10] {
        let (cost, res) = app
            .least_queries(Some(&owner.access), q, json!({ "c": coop, "n": n }))
            .await;
        assert_eq!(
            res.data()["cooperativeOrders"]["edges"]
                .as_array()
                .map(Vec::len),
            Some(n as usize)
        );
        costs.push(cost);
    }
    assert!(
        costs[1] <= costs[0] + 1,
        "queries for 2 and 10 orders: {costs:?}"
    );
    assert!(
        costs[1] <= 10,
        "a page costs a handful of queries: {costs:?}"
    );
}

#[tokio::test]
async fn placing_and_changing_an_order_publishes_events_after_commit() {
    use farmstream::events::Event;
    // With a shared bus (the suite on PostgreSQL) events come back a moment later.
    async fn heard(events: &mut tokio::sync::broadcast::Receiver<Event>) -> Event {
        tokio::time::timeout(std::time::Duration::from_secs(5), events.recv())
            .await
            .expect("an event within 5 s")
            .expect("the bus is open")
    }
    let app = TestApp::spawn().await;
    let (owner, _, variant) = seller(&app, "events@x.vn", 50_000, 10).await;
    let mut events = app.app.state.events.subscribe();
    let order = place_one(&app, None, &variant, 1, "COD").await;
    let id = farmstream::ids::OrderId::from(
        uuid::Uuid::parse_str(order["id"].as_str().expect("id")).expect("uuid"),
    );
    match heard(&mut events).await {
        Event::OrderPlaced { order_id, .. } => assert_eq!(order_id, id),
        other => panic!("expected OrderPlaced, got {other:?}"),
    }
    app.gql_as(
        Some(&owner.access),
        "mutation($o: ID!) { markOrderPacked(orderId: $o) { id } }",
        json!({ "o": order["id"] }),
    )
    .await
    .data();
    match heard(&mut events).await {
        Event::OrderStatusChanged {
            order_id, from, to, ..
        } => {
            assert_eq!(
                (order_id, from.as_str(), to.as_str()),
                (id, "CONFIRMED", "PACKED")
            );
        }
        other => panic!("expected OrderStatusChanged, got {other:?}"),
    }
    // A refused change publishes nothing: the next event heard is a marker
    // published after it.
    app.gql_as(
        Some(&owner.access),
        "mutation($o: ID!) { markOrderDelivered(orderId: $o) { id } }",
        json!({ "o": order["id"] }),
    )
    .await;
    let marker = Event::LivestreamEnded {
        livestream_id: farmstream::ids::LivestreamId::from(uuid::Uuid::nil()),
    };
    app.app.state.events.publish(marker.clone());
    assert_eq!(heard(&mut events).await, marker);
}

#[tokio::test]
async fn a_guest_cancels_their_own_order_with_its_phone_and_no_other() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "guest-cancel@x.vn", 50_000, 10).await;
    let order = place_one(&app, None, &variant, 2, "VIETQR").await;
    let cancel = "mutation($o: ID!, $p: String) { cancelOrder(orderId: $o, reason: \"đặt nhầm\", guestPhone: $p) { status history { toStatus actorId } } }";
    let res = app
        .gql(cancel, json!({ "o": order["id"], "p": null }))
        .await;
    assert_eq!(res.code(), "UNAUTHENTICATED");
    let res = app
        .gql(cancel, json!({ "o": order["id"], "p": "0987654321" }))
        .await;
    assert_eq!(res.code(), "NOT_FOUND");
    let res = app
        .gql(cancel, json!({ "o": order["id"], "p": "+84912345678" }))
        .await;
    assert_eq!(res.data()["cancelOrder"]["status"], "CANCELLED");
    assert_eq!(
        res.data()["cancelOrder"]["history"][1]["actorId"],
        Value::Null
    );
    assert_eq!(stock_of(&app, &variant).await, 10);
}

#[tokio::test]
async fn vietqr_needs_a_cooperative_with_a_bank_account_and_shipping_fees_are_checked() {
    let app = TestApp::spawn().await;
    let owner = app.register("nobank@x.vn").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { id } }",
            json!({ "i": { "name": "HTX Không Ngân Hàng", "address": { "province": "Sơn La", "ward": "Xã Chiềng Mai" } } }),
        )
        .await;
    let coop = res.data()["createCooperative"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (_, variant) = app.product(&owner, &coop, "Mận hậu", 60_000, 5).await;
    let res = app
        .gql(
            PLACE,
            json!({ "i": order_input("no-bank-key-1", &[(&variant, 1)], "VIETQR", "0912345678") }),
        )
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT");
    assert_eq!(res.field(), "input.paymentMethod");
    assert_eq!(stock_of(&app, &variant).await, 5);
    let set = "mutation($c: ID!, $f: Int!, $a: Int) { setShippingPolicy(cooperativeId: $c, flatFeeVnd: $f, freeAboveVnd: $a) { id } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            set,
            json!({ "c": coop, "f": -1, "a": null }),
        )
        .await;
    assert_eq!(res.field(), "flatFeeVnd");
    let res = app
        .gql_as(
            Some(&owner.access),
            set,
            json!({ "c": coop, "f": 20000, "a": 0 }),
        )
        .await;
    assert_eq!(res.field(), "freeAboveVnd");
}

#[tokio::test]
async fn a_guest_cart_nobody_touched_is_purged_and_a_recent_one_or_a_shoppers_stays() {
    let app = TestApp::spawn().await;
    let (_, _, variant) = seller(&app, "purge@x.vn", 50_000, 10).await;
    let add = "mutation($t: String, $v: ID!, $q: Int!) { addCartItem(cartToken: $t, variantId: $v, quantity: $q) { token } }";
    let get = "query($t: String) { cart(cartToken: $t) { items { quantity } } }";
    let guest_cart = async || {
        let res = app
            .gql(add, json!({ "t": null, "v": variant, "q": 1 }))
            .await;
        res.data()["addCartItem"]["token"]
            .as_str()
            .expect("token")
            .to_owned()
    };
    let forgotten = guest_cart().await;
    let revisited = guest_cart().await;
    let shopper = app.register("shopper@x.vn").await;
    app.gql_as(
        Some(&shopper.access),
        add,
        json!({ "t": null, "v": variant, "q": 2 }),
    )
    .await
    .data();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let cutoff = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    // Changing a line counts as touching the cart.
    app.gql(
        "mutation($t: String, $v: ID!) { updateCartItem(cartToken: $t, variantId: $v, quantity: 4) { token } }",
        json!({ "t": revisited, "v": variant }),
    )
    .await
    .data();
    let recent = guest_cart().await;

    let purged = farmstream::orders::cart::purge_forgotten(&app.app.state.db, cutoff)
        .await
        .expect("purges");
    assert_eq!(purged, 1, "only the guest cart untouched since the cutoff");
    assert_eq!(
        app.gql(get, json!({ "t": forgotten })).await.code(),
        "NOT_FOUND"
    );
    let kept = app.gql(get, json!({ "t": revisited })).await;
    assert_eq!(kept.data()["cart"]["items"][0]["quantity"], 4);
    let kept = app.gql(get, json!({ "t": recent })).await;
    assert_eq!(kept.data()["cart"]["items"][0]["quantity"], 1);
    let mine = app.gql_as(Some(&shopper.access), get, json!({})).await;
    assert_eq!(mine.data()["cart"]["items"][0]["quantity"], 2);
    // Nothing of the purged cart is left behind.
    let lines = app
        .app
        .state
        .db
        .conn()
        .query_one_raw(
            app.app
                .state
                .db
                .statement("SELECT COUNT(*) AS n FROM cart_items", Vec::new()),
        )
        .await
        .expect("counts")
        .expect("a row");
    assert_eq!(lines.try_get::<i64>("", "n").expect("n"), 3);
}
