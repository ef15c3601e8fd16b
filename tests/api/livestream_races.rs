//! Races on one show: the conflicting calls of each round are released
//! together through the router, then the database is read directly. Each
//! rule must hold in every round, and no call may answer `INTERNAL`.
//! Before the show lock (`docs/CONCURRENCY.md`) these failed in most rounds
//! on SQLite and PostgreSQL.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, together, uuid_of};

const ROUNDS: usize = 25;
const STOCK: i32 = 100;

const PIN: &str = "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { status pinnedProduct { id } } userErrors { code field message } } }";
const END: &str = "mutation($id: ID!) { endLivestream(id: $id) { livestream { status pinnedProduct { id } } userErrors { code field message } } }";
const ADD: &str = "mutation($l: ID!, $p: ID!) { addLineupProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }";
const REMOVE: &str = "mutation($l: ID!, $p: ID!) { removeLineupProduct(livestreamId: $l, productId: $p) { livestream { id pinnedProduct { id } } userErrors { code field message } } }";
const UPDATE: &str = "mutation($id: ID!, $i: UpdateLivestreamInput!) { updateLivestream(id: $id, input: $i) { livestream { status title } userErrors { code field message } } }";
const OPEN: &str = "mutation($i: OpenFlashDealInput!) { openFlashDeal(input: $i) { flashDeal { id status } userErrors { code field message } } }";

/// A cooperative with four active products; (owner, cooperative, products,
/// their variants).
async fn seller(app: &TestApp) -> (Session, String, Vec<String>, Vec<String>) {
    let owner = app.register("races@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Mận Mộc Châu").await;
    let mut products = Vec::new();
    let mut variants = Vec::new();
    for name in ["Mận hậu", "Xoài tròn", "Nhãn lồng", "Chè shan tuyết"] {
        let (p, v) = app.product(&owner, &coop, name, 120_000, STOCK).await;
        products.push(p);
        variants.push(v);
    }
    (owner, coop, products, variants)
}

async fn show_row(app: &TestApp, id: &str) -> entity::livestream::Model {
    entity::livestream::Entity::find_by_id(uuid_of(id))
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("show")
}

/// The lineup as stored: (product, position) by position.
async fn lineup_rows(app: &TestApp, id: &str) -> Vec<(uuid::Uuid, i32)> {
    entity::livestream_product::Entity::find()
        .filter(entity::livestream_product::Column::LivestreamId.eq(uuid_of(id)))
        .order_by_asc(entity::livestream_product::Column::Position)
        .all(app.app.state.db.conn())
        .await
        .expect("query")
        .into_iter()
        .map(|r| (r.product_id, r.position))
        .collect()
}

async fn stock_of(app: &TestApp, variant: &str) -> i32 {
    entity::product_variant::Entity::find_by_id(uuid_of(variant))
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("variant")
        .stock
}

async fn open_deals(app: &TestApp, show: &str) -> Vec<entity::flash_deal::Model> {
    entity::flash_deal::Entity::find()
        .filter(entity::flash_deal::Column::LivestreamId.eq(uuid_of(show)))
        .filter(entity::flash_deal::Column::ClosedAt.is_null())
        .all(app.app.state.db.conn())
        .await
        .expect("query")
}

fn deal_input(show: &str, variant: &str) -> Value {
    json!({ "i": {
        "livestreamId": show,
        "variantId": variant,
        "priceVnd": 99_000,
        "quantity": 10,
        "perBuyerLimit": 2,
        "durationSeconds": 600,
    } })
}

#[tokio::test]
async fn a_pin_racing_the_end_of_the_show_never_outlives_it() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, _) = seller(&app).await;
    let coop_products: Vec<&str> = products.iter().map(String::as_str).collect();
    for round in 0..ROUNDS {
        let show = app.show(&owner, &coop, &coop_products[..2], true).await;
        let answers = together(
            &app,
            &owner,
            &[
                (PIN, json!({ "l": show, "p": products[0] })),
                (END, json!({ "id": show })),
            ],
        )
        .await;
        if answers[0].ok_or_user("pinProduct", &["CONFLICT"]) {
            let pinned = &answers[0].data()["pinProduct"]["livestream"];
            assert_eq!(pinned["status"], "LIVE", "round {round}: {pinned}");
            assert_eq!(pinned["pinnedProduct"]["id"], products[0].as_str());
        }
        answers[1].payload("endLivestream");
        let row = show_row(&app, &show).await;
        assert_eq!(row.status.to_string(), "ENDED", "round {round}");
        assert_eq!(
            row.pinned_product_id, None,
            "round {round}: an ended show keeps no pin"
        );
    }
}

#[tokio::test]
async fn a_product_removed_while_it_is_pinned_is_not_left_pinned() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, _) = seller(&app).await;
    let coop_products: Vec<&str> = products.iter().map(String::as_str).collect();
    for round in 0..ROUNDS {
        let show = app.show(&owner, &coop, &coop_products[..2], true).await;
        let answers = together(
            &app,
            &owner,
            &[
                (PIN, json!({ "l": show, "p": products[0] })),
                (REMOVE, json!({ "l": show, "p": products[0] })),
            ],
        )
        .await;
        if !answers[0].ok_or_user("pinProduct", &["INVALID"]) {
            assert_eq!(answers[0].user_field("pinProduct"), "productId");
        }
        answers[1].payload("removeLineupProduct");
        let row = show_row(&app, &show).await;
        let lineup: Vec<uuid::Uuid> = lineup_rows(&app, &show)
            .await
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(lineup, vec![uuid_of(&products[1])], "round {round}");
        assert_eq!(
            row.pinned_product_id, None,
            "round {round}: the pinned product left the lineup"
        );
    }
}

#[tokio::test]
async fn lineup_edits_made_at_the_same_time_all_land_in_distinct_positions() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, _) = seller(&app).await;
    let coop_products: Vec<&str> = products.iter().map(String::as_str).collect();
    for round in 0..ROUNDS {
        // Two additions at once: both land, after the lineup, in order.
        let show = app.show(&owner, &coop, &coop_products[..2], false).await;
        let answers = together(
            &app,
            &owner,
            &[
                (ADD, json!({ "l": show, "p": products[2] })),
                (ADD, json!({ "l": show, "p": products[3] })),
            ],
        )
        .await;
        answers.iter().for_each(|a| {
            a.payload("addLineupProduct");
        });
        let rows = lineup_rows(&app, &show).await;
        let mut held: Vec<uuid::Uuid> = rows.iter().map(|(p, _)| *p).collect();
        assert_eq!(held.len(), 4, "round {round}: {rows:?}");
        assert_eq!(&held[..2], &[uuid_of(&products[0]), uuid_of(&products[1])]);
        held.sort();
        let mut all: Vec<uuid::Uuid> = products.iter().map(|p| uuid_of(p)).collect();
        all.sort();
        assert_eq!(held, all, "round {round}");
        let mut positions: Vec<i32> = rows.iter().map(|(_, at)| *at).collect();
        positions.dedup();
        assert_eq!(positions.len(), 4, "round {round}: positions {rows:?}");

        // An addition and a removal at once: both land.
        let show = app.show(&owner, &coop, &coop_products[..2], false).await;
        let answers = together(
            &app,
            &owner,
            &[
                (ADD, json!({ "l": show, "p": products[2] })),
                (REMOVE, json!({ "l": show, "p": products[0] })),
            ],
        )
        .await;
        answers[0].payload("addLineupProduct");
        answers[1].payload("removeLineupProduct");
        let held: Vec<uuid::Uuid> = lineup_rows(&app, &show)
            .await
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            held,
            vec![uuid_of(&products[1]), uuid_of(&products[2])],
            "round {round}"
        );

        // The same product added twice at once: once in, once CONFLICT.
        let answers = together(
            &app,
            &owner,
            &[
                (ADD, json!({ "l": show, "p": products[3] })),
                (ADD, json!({ "l": show, "p": products[3] })),
            ],
        )
        .await;
        let added = answers
            .iter()
            .filter(|a| a.ok_or_user("addLineupProduct", &["CONFLICT"]))
            .count();
        assert_eq!(added, 1, "round {round}");
        assert_eq!(lineup_rows(&app, &show).await.len(), 3, "round {round}");
    }
}

#[tokio::test]
async fn an_update_racing_the_end_of_the_show_is_refused_or_made_before_it() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, _) = seller(&app).await;
    for round in 0..ROUNDS {
        let show = app.show(&owner, &coop, &[&products[0]], true).await;
        let title = format!("Mận hậu cuối vụ — lượt {round}");
        let answers = together(
            &app,
            &owner,
            &[
                (UPDATE, json!({ "id": show, "i": { "title": title } })),
                (END, json!({ "id": show })),
            ],
        )
        .await;
        let updated = answers[0].ok_or_user("updateLivestream", &["CONFLICT"]);
        answers[1].payload("endLivestream");
        let row = show_row(&app, &show).await;
        assert_eq!(row.status.to_string(), "ENDED");
        if updated {
            let answer = &answers[0].data()["updateLivestream"]["livestream"];
            assert_eq!(
                answer["status"], "LIVE",
                "round {round}: an ended show was changed: {answer}"
            );
            assert_eq!(answer["title"], title.as_str());
            assert_eq!(row.title, title);
        } else {
            assert_ne!(row.title, title, "round {round}: refused yet written");
        }
    }
}

#[tokio::test]
async fn removing_a_product_closes_its_open_flash_deal_and_returns_its_units_once() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, variants) = seller(&app).await;
    let show = app
        .show(&owner, &coop, &[&products[0], &products[1]], true)
        .await;
    let deal = app
        .gql_as(Some(&owner.access), OPEN, deal_input(&show, &variants[0]))
        .await;
    let deal = deal.payload("openFlashDeal")["flashDeal"]["id"]
        .as_str()
        .expect("deal")
        .to_owned();
    assert_eq!(stock_of(&app, &variants[0]).await, STOCK - 10);
    app.gql_as(
        Some(&owner.access),
        REMOVE,
        json!({ "l": show, "p": products[0] }),
    )
    .await
    .payload("removeLineupProduct");
    assert!(open_deals(&app, &show).await.is_empty());
    let closed = entity::flash_deal::Entity::find_by_id(uuid_of(&deal))
        .one(app.app.state.db.conn())
        .await
        .expect("query")
        .expect("deal");
    assert_eq!(
        closed.close_reason.map(|r| r.to_string()).as_deref(),
        Some("CLOSED_BY_STAFF")
    );
    assert_eq!(closed.returned_quantity, Some(10));
    assert_eq!(stock_of(&app, &variants[0]).await, STOCK);
    // Closing it again, or ending the show, returns nothing more.
    let again = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!) { closeFlashDeal(id: $id) { flashDeal { id } userErrors { code field message } } }",
            json!({ "id": deal }),
        )
        .await;
    assert_eq!(again.user_code("closeFlashDeal"), "CONFLICT");
    app.gql_as(Some(&owner.access), END, json!({ "id": show }))
        .await
        .payload("endLivestream");
    assert_eq!(stock_of(&app, &variants[0]).await, STOCK);
}

#[tokio::test]
async fn a_deal_opened_while_its_product_leaves_the_lineup_is_refused_or_closed() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, variants) = seller(&app).await;
    let mut opened = 0;
    for round in 0..ROUNDS {
        let show = app
            .show(&owner, &coop, &[&products[0], &products[1]], true)
            .await;
        let answers = together(
            &app,
            &owner,
            &[
                (OPEN, deal_input(&show, &variants[0])),
                (REMOVE, json!({ "l": show, "p": products[0] })),
            ],
        )
        .await;
        if answers[0].ok_or_user("openFlashDeal", &["INVALID"]) {
            opened += 1;
        } else {
            assert_eq!(answers[0].user_field("openFlashDeal"), "input.variantId");
        }
        answers[1].payload("removeLineupProduct");
        let open = open_deals(&app, &show).await;
        assert!(
            open.is_empty(),
            "round {round}: a deal stays open on a product out of the lineup: {open:?}"
        );
        assert_eq!(
            stock_of(&app, &variants[0]).await,
            STOCK,
            "round {round}: the deal's units came back once"
        );
    }
    eprintln!("{opened} of {ROUNDS} deals opened before the removal");
}

#[tokio::test]
async fn a_reorder_racing_an_addition_keeps_the_added_product() {
    let app = TestApp::spawn().await;
    let (owner, coop, products, _) = seller(&app).await;
    let reorder = "mutation($l: ID!, $ps: [ID!]!) { reorderLineup(livestreamId: $l, productIds: $ps) { livestream { id } userErrors { code field message } } }";
    for round in 0..ROUNDS {
        let show = app
            .show(&owner, &coop, &[&products[0], &products[1]], false)
            .await;
        let answers = together(
            &app,
            &owner,
            &[
                (
                    reorder,
                    json!({ "l": show, "ps": [products[1], products[0]] }),
                ),
                (ADD, json!({ "l": show, "p": products[2] })),
            ],
        )
        .await;
        // A reorder that comes second names a lineup that has changed.
        let reordered = answers[0].ok_or_user("reorderLineup", &["INVALID"]);
        answers[1].payload("addLineupProduct");
        let rows = lineup_rows(&app, &show).await;
        let held: Vec<uuid::Uuid> = rows.iter().map(|(p, _)| *p).collect();
        assert_eq!(
            held.len(),
            3,
            "round {round}: the addition was lost: {rows:?}"
        );
        assert_eq!(held[2], uuid_of(&products[2]), "round {round}: {rows:?}");
        // A reorder answered ok is kept: a later addition only appends.
        if reordered {
            assert_eq!(held[0], uuid_of(&products[1]), "round {round}: {rows:?}");
        }
        let mut positions: Vec<i32> = rows.iter().map(|(_, at)| *at).collect();
        positions.dedup();
        assert_eq!(positions.len(), 3, "round {round}: positions {rows:?}");
    }
}
