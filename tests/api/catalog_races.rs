//! Races on the catalogue and cooperatives: each round releases the
//! conflicting calls together through the router, then reads the database.
//! Every rule must hold in every round, and no call may answer `INTERNAL`.
//! Some of these failed on SQLite before the fix (a rule read before the
//! transaction), the others on PostgreSQL only (a rule read in the
//! transaction but without the row lock, or a unique key met head-on).

use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, together, uuid_of};

const ROUNDS: usize = 20;

const UPDATE_VARIANT: &str = "mutation($id: ID!, $i: UpdateVariantInput!) { updateVariant(id: $id, input: $i) { variant { id } userErrors { code field message } } }";
const ADD_VARIANT: &str = "mutation($p: ID!, $i: VariantInput!) { addVariant(productId: $p, input: $i) { variant { id } userErrors { code field message } } }";
const REMOVE_VARIANT: &str = "mutation($id: ID!) { removeVariant(id: $id) { product { id } userErrors { code field message } } }";
const SET_STATUS: &str = "mutation($id: ID!, $s: ProductStatus!) { setProductStatus(id: $id, status: $s) { product { status } userErrors { code field message } } }";
const SET_STORY: &str = "mutation($p: ID!, $i: OriginStoryInput!) { setOriginStory(productId: $p, input: $i) { originStory { farmName } userErrors { code field message } } }";
const UPDATE_COOP: &str = "mutation($id: ID!, $i: UpdateCooperativeInput!) { updateCooperative(id: $id, input: $i) { cooperative { id } userErrors { code field message } } }";

async fn variant_row(app: &TestApp, id: &str) -> entity::product_variant::Model {
    entity::product_variant::Entity::find_by_id(uuid_of(id))
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("variant")
}

async fn product_row(app: &TestApp, id: &str) -> entity::product::Model {
    entity::product::Entity::find_by_id(uuid_of(id))
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("product")
}

async fn live_variants(app: &TestApp, product: &str) -> Vec<entity::product_variant::Model> {
    entity::product_variant::Entity::find()
        .filter(entity::product_variant::Column::ProductId.eq(uuid_of(product)))
        .filter(entity::product_variant::Column::RemovedAt.is_null())
        .all(app.app.state.db.conn())
        .await
        .expect("query")
}

fn new_variant(name: &str, price: i64) -> Value {
    json!({
        "name": name,
        "sku": format!("SKU-{}", uuid::Uuid::new_v4().simple()),
        "unit": "KG",
        "netQuantity": 1.0,
        "priceVnd": price,
        "stock": 5,
    })
}

/// A product of `coop` with `status` and one variant; (product, variant).
async fn product_with(
    app: &TestApp,
    owner: &Session,
    coop: &str,
    name: &str,
    status: &str,
) -> (String, String) {
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id variants { id } } userErrors { code field message } } }",
            json!({ "i": {
                "cooperativeId": coop,
                "name": name,
                "category": "FRUIT",
                "status": status,
                "variants": [new_variant("Hộp 1 kg", 100_000)],
            } }),
        )
        .await;
    let p = &res.payload("createProduct")["product"];
    (
        p["id"].as_str().expect("id").to_owned(),
        p["variants"][0]["id"].as_str().expect("variant").to_owned(),
    )
}

async fn add_variant(app: &TestApp, owner: &Session, product: &str, price: i64) -> String {
    let res = app
        .gql_as(
            Some(&owner.access),
            ADD_VARIANT,
            json!({ "p": product, "i": new_variant("Hộp 2 kg", price) }),
        )
        .await;
    res.payload("addVariant")["variant"]["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn seller(app: &TestApp) -> (Session, String) {
    let owner = app.register("catalog-races@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Chè Shan Tuyết").await;
    (owner, coop)
}

#[tokio::test]
async fn edits_of_variants_made_at_once_keep_each_others_fields_and_the_lowest_price() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    let (product, a) = product_with(&app, &owner, &coop, "Chè búp", "ACTIVE").await;
    let b = add_variant(&app, &owner, &product, 100_000).await;
    for round in 0..ROUNDS {
        let round_i64 = i64::try_from(round).expect("small");
        // The lowest price moves from one variant to the other each round.
        let price_a = if round % 2 == 0 { 90_000 } else { 110_000 } + round_i64;
        let price_b = 100_000 + round_i64;
        let compare_at = 200_000 + round_i64;
        let answers = together(
            &app,
            &owner,
            &[
                (
                    UPDATE_VARIANT,
                    json!({ "id": a, "i": { "priceVnd": price_a } }),
                ),
                (
                    UPDATE_VARIANT,
                    json!({ "id": a, "i": { "compareAtPriceVnd": compare_at } }),
                ),
                (
                    UPDATE_VARIANT,
                    json!({ "id": b, "i": { "priceVnd": price_b } }),
                ),
            ],
        )
        .await;
        answers.iter().for_each(|a| {
            a.payload("updateVariant");
        });
        let row = variant_row(&app, &a).await;
        assert_eq!(row.price_vnd, price_a, "round {round}: a price was lost");
        assert_eq!(
            row.compare_at_price_vnd,
            Some(compare_at),
            "round {round}: a compare-at price was lost"
        );
        assert_eq!(variant_row(&app, &b).await.price_vnd, price_b);
        assert_eq!(
            product_row(&app, &product).await.min_price_vnd,
            Some(price_a.min(price_b)),
            "round {round}: the product's lowest price is stale"
        );
    }
}

#[tokio::test]
async fn a_product_is_never_active_without_a_variant() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    for round in 0..ROUNDS {
        let (product, variant) =
            product_with(&app, &owner, &coop, &format!("Mận {round}"), "DRAFT").await;
        let answers = together(
            &app,
            &owner,
            &[
                (SET_STATUS, json!({ "id": product, "s": "ACTIVE" })),
                (REMOVE_VARIANT, json!({ "id": variant })),
            ],
        )
        .await;
        let activated = answers[0].ok_or_user("setProductStatus", &["CONFLICT"]);
        let removed = answers[1].ok_or_user("removeVariant", &["CONFLICT"]);
        assert!(activated != removed, "round {round}: exactly one wins");
        let status = product_row(&app, &product).await.status;
        let left = live_variants(&app, &product).await.len();
        assert!(
            status != farmstream::catalog::ProductStatus::Active || left == 1,
            "round {round}: {status} with {left} variants"
        );
    }
}

#[tokio::test]
async fn two_variants_removed_at_once_leave_an_active_product_one() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    for round in 0..ROUNDS {
        let (product, a) =
            product_with(&app, &owner, &coop, &format!("Nhãn {round}"), "ACTIVE").await;
        let b = add_variant(&app, &owner, &product, 120_000).await;
        let answers = together(
            &app,
            &owner,
            &[
                (REMOVE_VARIANT, json!({ "id": a })),
                (REMOVE_VARIANT, json!({ "id": b })),
            ],
        )
        .await;
        let removed = answers
            .iter()
            .filter(|a| a.ok_or_user("removeVariant", &["CONFLICT"]))
            .count();
        assert_eq!(removed, 1, "round {round}");
        assert_eq!(
            live_variants(&app, &product).await.len(),
            1,
            "round {round}"
        );
        assert!(product_row(&app, &product).await.min_price_vnd.is_some());
    }
}

#[tokio::test]
async fn variants_added_at_once_get_their_own_positions() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    let (product, _) = product_with(&app, &owner, &coop, "Xoài", "ACTIVE").await;
    for round in 0..ROUNDS / 2 {
        let answers = together(
            &app,
            &owner,
            &[
                (
                    ADD_VARIANT,
                    json!({ "p": product, "i": new_variant("Thùng 5 kg", 300_000) }),
                ),
                (
                    ADD_VARIANT,
                    json!({ "p": product, "i": new_variant("Thùng 10 kg", 550_000) }),
                ),
            ],
        )
        .await;
        answers.iter().for_each(|a| {
            a.payload("addVariant");
        });
        let mut positions: Vec<i32> = live_variants(&app, &product)
            .await
            .iter()
            .map(|v| v.position)
            .collect();
        positions.sort_unstable();
        let count = positions.len();
        positions.dedup();
        assert_eq!(positions.len(), count, "round {round}: {positions:?}");
    }
}

fn story(farm: &str) -> Value {
    json!({ "farmName": farm, "province": "Sơn La", "story": "Vườn mận trên đồi, hái bằng tay." })
}

#[tokio::test]
async fn an_origin_story_set_twice_at_once_answers_both_and_keeps_one() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    for round in 0..ROUNDS {
        let (product, _) =
            product_with(&app, &owner, &coop, &format!("Mơ {round}"), "ACTIVE").await;
        // The first story (an insert) twice at once, then a replacement twice.
        for _ in 0..2 {
            let answers = together(
                &app,
                &owner,
                &[
                    (
                        SET_STORY,
                        json!({ "p": product, "i": story("Vườn Lò Văn A") }),
                    ),
                    (
                        SET_STORY,
                        json!({ "p": product, "i": story("Vườn Lò Thị B") }),
                    ),
                ],
            )
            .await;
            answers.iter().for_each(|a| {
                a.payload("setOriginStory");
            });
        }
        let stories = entity::origin_story::Entity::find_by_id(uuid_of(&product))
            .one(app.app.state.db.conn())
            .await
            .expect("query");
        assert!(stories.is_some(), "round {round}");
    }
}

#[tokio::test]
async fn cooperatives_and_products_named_alike_at_once_get_their_own_slugs() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    for round in 0..ROUNDS / 2 {
        let coop_name = format!("HTX Mận Hậu {round}");
        let coops = join_all((0..3).map(|_| app.cooperative(&owner, &coop_name))).await;
        let mut slugs = Vec::new();
        for id in &coops {
            let row = entity::cooperative::Entity::find_by_id(uuid_of(id))
                .one(app.app.state.db.conn())
                .await
                .expect("query")
                .expect("cooperative");
            slugs.push(row.slug);
        }
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 3, "round {round}: {slugs:?}");

        let name = format!("Mận hậu Mộc Châu {round}");
        let answers = join_all((0..3).map(|_| {
            app.gql_as(
                Some(&owner.access),
                "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { slug } userErrors { code field message } } }",
                json!({ "i": { "cooperativeId": coop, "name": name, "category": "FRUIT", "status": "DRAFT" } }),
            )
        }))
        .await;
        let mut slugs: Vec<String> = answers
            .iter()
            .map(|a| {
                a.payload("createProduct")["product"]["slug"]
                    .as_str()
                    .expect("slug")
                    .to_owned()
            })
            .collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), 3, "round {round}: {slugs:?}");
    }
}

#[tokio::test]
async fn profile_edits_of_a_cooperative_made_at_once_keep_both() {
    let app = TestApp::spawn().await;
    let (owner, coop) = seller(&app).await;
    for round in 0..ROUNDS {
        let name = format!("HTX Chè Tà Xùa {round}");
        let area = format!("Tà Xùa {round}");
        let answers = together(
            &app,
            &owner,
            &[
                (UPDATE_COOP, json!({ "id": coop, "i": { "name": name } })),
                (UPDATE_COOP, json!({ "id": coop, "i": { "area": area } })),
            ],
        )
        .await;
        answers.iter().for_each(|a| {
            a.payload("updateCooperative");
        });
        let row = entity::cooperative::Entity::find_by_id(uuid_of(&coop))
            .one(app.app.state.db.conn())
            .await
            .expect("query")
            .expect("cooperative");
        assert_eq!(row.name, name, "round {round}: the new name was lost");
        assert_eq!(
            row.area.as_deref(),
            Some(area.as_str()),
            "round {round}: the new area was lost"
        );
    }
}
