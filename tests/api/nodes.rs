//! Global object identification: `node(id:)`, `nodes(ids:)` and typed
//! global ids.

use serde_json::json;

use crate::helpers::{TestApp, gid};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id ... on Product { name } ... on Cooperative { name } ... on Order { number } } }";

const PLACE: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { id } } userErrors { code field message } } }";

#[tokio::test]
async fn node_fetches_a_product_and_a_cooperative_by_their_ids_alone() {
    let app = TestApp::spawn().await;
    let owner = app.register("nodes@example.com").await;
    let coop = app.cooperative(&owner, "HTX Node").await;
    let (product, _) = app
        .product(&owner, &coop, "Xoài tròn Yên Châu", 85_000, 10)
        .await;

    let res = app.gql(NODE, json!({ "id": product })).await;
    let node = &res.data()["node"];
    assert_eq!(node["__typename"], "Product");
    assert_eq!(node["id"], product);
    assert_eq!(node["name"], "Xoài tròn Yên Châu");

    let res = app.gql(NODE, json!({ "id": coop })).await;
    assert_eq!(res.data()["node"]["__typename"], "Cooperative");
    assert_eq!(res.data()["node"]["name"], "HTX Node");
}

#[tokio::test]
async fn node_is_null_for_an_id_naming_nothing_and_for_an_order_of_someone_else() {
    let app = TestApp::spawn().await;
    let owner = app.register("seller-node@example.com").await;
    let coop = app.cooperative(&owner, "HTX Node").await;
    let (_, variant) = app
        .product(&owner, &coop, "Chè Shan tuyết", 120_000, 10)
        .await;
    let buyer = app.register("buyer-node@example.com").await;
    let res = app
        .gql_as(
            Some(&buyer.access),
            PLACE,
            json!({ "i": {
                "idempotencyKey": uuid::Uuid::new_v4().to_string(),
                "items": [{ "variantId": variant, "quantity": 1 }],
                "shippingAddress": { "recipientName": "Lò Thị Hoa", "phone": "0912345678", "province": "Sơn La", "ward": "Phường Chiềng Sinh", "street": "Tổ 3" },
                "paymentMethod": "COD",
            } }),
        )
        .await;
    let order = res.payload("placeOrder")["checkout"]["orders"][0]["id"]
        .as_str()
        .expect("an order id")
        .to_owned();

    let mine = app
        .gql_as(Some(&buyer.access), NODE, json!({ "id": order }))
        .await;
    assert_eq!(mine.data()["node"]["__typename"], "Order");

    let stranger = app.register("stranger-node@example.com").await;
    let theirs = app
        .gql_as(Some(&stranger.access), NODE, json!({ "id": order }))
        .await;
    assert!(theirs.data()["node"].is_null(), "{}", theirs.body);
    let anonymous = app.gql(NODE, json!({ "id": order })).await;
    assert!(anonymous.data()["node"].is_null(), "{}", anonymous.body);

    let nothing = gid("Product", uuid::Uuid::now_v7());
    let res = app.gql(NODE, json!({ "id": nothing })).await;
    assert!(res.data()["node"].is_null(), "{}", res.body);
}

#[tokio::test]
async fn nodes_answers_in_the_order_asked_with_nulls_where_nothing_is() {
    let app = TestApp::spawn().await;
    let owner = app.register("many-nodes@example.com").await;
    let coop = app.cooperative(&owner, "HTX Nhiều").await;
    let (a, _) = app.product(&owner, &coop, "Mận hậu", 40_000, 5).await;
    let (b, _) = app.product(&owner, &coop, "Măng tây", 60_000, 5).await;
    let missing = gid("Livestream", uuid::Uuid::now_v7());

    let res = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { name } } }",
            json!({ "ids": [b, missing, a, coop] }),
        )
        .await;
    let nodes = res.data()["nodes"].as_array().expect("a list").clone();
    assert_eq!(nodes.len(), 4);
    assert_eq!(nodes[0]["name"], "Măng tây");
    assert!(nodes[1].is_null());
    assert_eq!(nodes[2]["name"], "Mận hậu");
    assert_eq!(nodes[3]["id"], coop);
}

#[tokio::test]
async fn an_id_of_one_type_is_refused_where_another_is_wanted() {
    let app = TestApp::spawn().await;
    let owner = app.register("typed-ids@example.com").await;
    let coop = app.cooperative(&owner, "HTX Kiểu").await;

    // A cooperative id where a product id is wanted, and a bare UUID.
    for id in [coop.clone(), uuid::Uuid::now_v7().to_string()] {
        let res = app
            .gql(
                "query($id: ID) { product(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(res.code(), "BAD_USER_INPUT", "{}", res.body);
        assert_eq!(res.field(), "id");
    }
    let res = app
        .gql(NODE, json!({ "id": "gid://elsewhere/Product/1" }))
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT", "{}", res.body);
}

#[tokio::test]
async fn nodes_refuses_more_than_a_hundred_ids() {
    let app = TestApp::spawn().await;
    let ids: Vec<String> = (0..101)
        .map(|_| gid("Product", uuid::Uuid::now_v7()))
        .collect();
    let res = app
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT", "{}", res.body);
}
