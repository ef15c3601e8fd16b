//! Products, variants, stock, search, lots, certifications and the trace page.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, USER_ERRORS, gid};

const PRODUCT: &str = "query($id: ID, $slug: String) { product(id: $id, slug: $slug) { id name slug status variants { id sku priceVnd stock unitPrice { amountVnd per } } } }";
const CREATE: &str = "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id slug status variants { sku } } userErrors { code field message } } }";

async fn shop(app: &TestApp) -> (Session, String) {
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    (owner, coop)
}

fn product_input(coop: &str, name: &str, skus: &[&str]) -> Value {
    json!({
        "cooperativeId": coop,
        "name": name,
        "category": "FRUIT",
        "harvestMonths": [6, 5, 7],
        "variants": skus.iter().map(|s| json!({ "name": "Hộp 2 kg", "sku": s, "unit": "KG", "netQuantity": 2.0, "priceVnd": 120000, "stock": 10 })).collect::<Vec<_>>()
    })
}

#[tokio::test]
async fn a_product_is_created_with_its_variants_and_a_slug_from_its_vietnamese_name() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let res = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Xoài tròn Yên Châu", &["XT-2KG", "XT-5KG"]) }),
        )
        .await;
    let p = &res.payload("createProduct")["product"];
    assert_eq!(p["slug"], "xoai-tron-yen-chau");
    assert_eq!(p["status"], "DRAFT");
    assert_eq!(p["variants"].as_array().map(Vec::len), Some(2));
    let id = p["id"].as_str().expect("id");
    let res = app
        .gql_as(Some(&owner.access), PRODUCT, json!({ "id": id }))
        .await;
    assert_eq!(
        res.data()["product"]["variants"][0]["unitPrice"],
        json!({ "amountVnd": 60000, "per": "KG" })
    );
}

#[tokio::test]
async fn a_duplicate_sku_is_a_conflict_and_nothing_is_half_written() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let res = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Xoài", &["DUP", "dup"]) }),
        )
        .await;
    assert_eq!(res.user_code("createProduct"), "CONFLICT");
    assert_eq!(res.data()["createProduct"]["product"], Value::Null);
    // The second variant's SKU clashed, and the answer says so.
    let message = res.user_error("createProduct")["message"]
        .as_str()
        .expect("message");
    assert!(message.starts_with("input.variants.1.sku: "), "{message}");
    let list = app
        .gql_as(
            Some(&owner.access),
            "query($c: ID) { products(filter: { cooperativeId: $c, statuses: [DRAFT, ACTIVE, ARCHIVED] }) { totalCount } }",
            json!({ "c": coop }),
        )
        .await;
    assert_eq!(list.data()["products"]["totalCount"], 0);
    // The slug was not taken either.
    let ok = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Xoài", &["DUP"]) }),
        )
        .await;
    assert_eq!(ok.payload("createProduct")["product"]["slug"], "xoai");
}

#[tokio::test]
async fn a_sku_taken_by_another_variant_is_a_conflict_on_input_sku() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let res = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Xoài", &["A-1", "B-2"]) }),
        )
        .await;
    let product = res.payload("createProduct")["product"]["id"].clone();
    let added = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!) { addVariant(productId: $id, input: { name: \"X\", sku: \"A-1\", unit: KG, netQuantity: 1, priceVnd: 1000 }) { variant { id } userErrors { code field message } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(added.user_code("addVariant"), "CONFLICT");
    let message = added.user_error("addVariant")["message"]
        .as_str()
        .expect("message");
    assert!(message.starts_with("input.sku: "), "{message}");
    let variant = app
        .gql_as(Some(&owner.access), PRODUCT, json!({ "id": product }))
        .await
        .data()["product"]["variants"][1]["id"]
        .clone();
    let renamed = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!) { updateVariant(id: $id, input: { sku: \"A-1\" }) { variant { id } userErrors { code field message } } }",
            json!({ "id": variant }),
        )
        .await;
    assert_eq!(renamed.user_code("updateVariant"), "CONFLICT");
    let message = renamed.user_error("updateVariant")["message"]
        .as_str()
        .expect("message");
    assert!(message.starts_with("input.sku: "), "{message}");
}

#[tokio::test]
async fn bad_product_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let variant = |price: Value, stock: Value| json!([{ "name": "Hộp", "sku": "A1", "unit": "KG", "netQuantity": 1.0, "priceVnd": price, "stock": stock }]);
    for (patch, field) in [
        (json!({ "name": "" }), "input.name"),
        (json!({ "name": "x".repeat(201) }), "input.name"),
        (
            json!({ "variants": variant(json!(-1), json!(1)) }),
            "input.variants.0.priceVnd",
        ),
        (
            json!({ "variants": variant(json!(0), json!(1)) }),
            "input.variants.0.priceVnd",
        ),
        (
            json!({ "variants": variant(json!(1000), json!(-3)) }),
            "input.variants.0.stock",
        ),
        (json!({ "harvestMonths": [13] }), "input.harvestMonths"),
    ] {
        let mut input = product_input(&coop, "Mận hậu", &[]);
        for (k, v) in patch.as_object().expect("object") {
            input[k] = v.clone();
        }
        let res = app
            .gql_as(Some(&owner.access), CREATE, json!({ "i": input }))
            .await;
        assert_eq!(
            res.user_code("createProduct"),
            "INVALID",
            "{field}: {}",
            res.body
        );
        assert_eq!(res.user_field("createProduct"), field);
        assert_eq!(res.data()["createProduct"]["product"], Value::Null);
    }
    // A price that is not a whole number of đồng.
    let mut input = product_input(&coop, "Mận hậu", &[]);
    input["variants"] = variant(json!(12.5), json!(1));
    let res = app
        .gql_as(Some(&owner.access), CREATE, json!({ "i": input }))
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT", "{}", res.body);
    assert!(res.field().contains("priceVnd"), "{}", res.body);
}

#[tokio::test]
async fn a_product_or_lot_that_is_not_there_is_null_and_a_malformed_id_is_refused() {
    let app = TestApp::spawn().await;
    let unknown = app
        .gql(
            PRODUCT,
            json!({ "id": gid("Product", uuid::Uuid::now_v7()) }),
        )
        .await;
    assert_eq!(unknown.data()["product"], Value::Null);
    let by_slug = app.gql(PRODUCT, json!({ "slug": "khong-co" })).await;
    assert_eq!(by_slug.data()["product"], Value::Null);
    for id in [
        "not-a-uuid".to_owned(),
        uuid::Uuid::now_v7().to_string(),
        gid("Lot", uuid::Uuid::now_v7()),
    ] {
        let res = app.gql(PRODUCT, json!({ "id": id })).await;
        assert_eq!(res.code(), "BAD_USER_INPUT", "{id}");
        assert_eq!(res.field(), "id", "{id}");
    }
    let lot = app
        .gql("{ lot(code: \"LOT-2222-3333\") { code } }", json!({}))
        .await;
    assert_eq!(lot.data()["lot"], Value::Null);
}

#[tokio::test]
async fn drafts_are_visible_to_their_cooperative_only() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let stranger = app.register("stranger@example.vn").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Xoài non", &["XN"]) }),
        )
        .await;
    let id = res.payload("createProduct")["product"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        app.gql_as(Some(&owner.access), PRODUCT, json!({ "id": id }))
            .await
            .data()["product"]["id"],
        id.as_str()
    );
    assert_eq!(
        app.gql(PRODUCT, json!({ "id": id })).await.data()["product"],
        Value::Null,
        "a draft is no one else's to see"
    );
    assert_eq!(
        app.gql_as(Some(&stranger.access), PRODUCT, json!({ "id": id }))
            .await
            .data()["product"],
        Value::Null
    );
    let list = app.gql("{ products { totalCount } }", json!({})).await;
    assert_eq!(list.data()["products"]["totalCount"], 0);
    let set = "mutation($id: ID!, $s: ProductStatus!) { setProductStatus(id: $id, status: $s) { product { status } userErrors { code field message } } }";
    let res = app
        .gql_as(Some(&owner.access), set, json!({ "id": id, "s": "ACTIVE" }))
        .await;
    assert_eq!(
        res.payload("setProductStatus")["product"]["status"],
        "ACTIVE"
    );
    assert_eq!(
        app.gql(PRODUCT, json!({ "id": id })).await.data()["product"]["status"],
        "ACTIVE"
    );
    let q = "query($c: ID) { products(filter: { cooperativeId: $c, statuses: [DRAFT] }) { totalCount } }";
    assert_eq!(
        app.gql_as(Some(&stranger.access), q, json!({ "c": coop }))
            .await
            .code(),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn a_renamed_product_keeps_its_slug_and_old_slugs_resolve() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (id, _) = app
        .product(&owner, &coop, "Mận hậu Mộc Châu", 50_000, 5)
        .await;
    let update = "mutation($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { product { slug name } userErrors { code field message } } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            update,
            json!({ "id": id, "i": { "name": "Mận hậu Nà Ka" } }),
        )
        .await;
    assert_eq!(
        res.payload("updateProduct")["product"]["slug"],
        "man-hau-moc-chau"
    );
    app.gql_as(
        Some(&owner.access),
        update,
        json!({ "id": id, "i": { "slug": "man-hau-na-ka" } }),
    )
    .await
    .payload("updateProduct");
    for slug in ["man-hau-na-ka", "man-hau-moc-chau"] {
        assert_eq!(
            app.gql(PRODUCT, json!({ "slug": slug })).await.data()["product"]["id"],
            id.as_str()
        );
    }
}

#[tokio::test]
async fn every_catalogue_mutation_refuses_another_cooperatives_staff_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let other = app.register("other@htx.vn").await;
    app.cooperative(&other, "HTX Khác").await;
    let (product, variant) = app.product(&owner, &coop, "Xoài", 100_000, 10).await;
    let lot = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!) { createLot(input: { productId: $p, harvestedOn: \"2026-06-01\", quantity: 500, unit: KG }) { lot { id } userErrors { code field message } } }",
            json!({ "p": product }),
        )
        .await;
    let lot = lot.payload("createLot")["lot"]["id"]
        .as_str()
        .expect("lot")
        .to_owned();
    let cert = app
        .gql_as(
            Some(&owner.access),
            "mutation($c: ID!) { addCertification(input: { cooperativeId: $c, kind: VIETGAP, issuer: \"Sở NN\", number: \"VG-1\", validFrom: \"2026-01-01\", validUntil: \"2027-01-01\", scope: COOPERATIVE }) { certification { id } userErrors { code field message } } }",
            json!({ "c": coop }),
        )
        .await;
    let cert = cert.payload("addCertification")["certification"]["id"]
        .as_str()
        .expect("cert")
        .to_owned();
    let cases = [
        (
            "createProduct",
            CREATE,
            json!({ "i": product_input(&coop, "Chiếm", &["Z"]) }),
        ),
        (
            "updateProduct",
            "mutation($id: ID!) { updateProduct(id: $id, input: { name: \"X\" }) { product { id } userErrors { code field message } } }",
            json!({ "id": product }),
        ),
        (
            "setProductStatus",
            "mutation($id: ID!) { setProductStatus(id: $id, status: ARCHIVED) { product { id } userErrors { code field message } } }",
            json!({ "id": product }),
        ),
        (
            "addVariant",
            "mutation($id: ID!) { addVariant(productId: $id, input: { name: \"X\", sku: \"X\", unit: KG, netQuantity: 1, priceVnd: 1000 }) { variant { id } userErrors { code field message } } }",
            json!({ "id": product }),
        ),
        (
            "updateVariant",
            "mutation($id: ID!) { updateVariant(id: $id, input: { priceVnd: 1 }) { variant { id } userErrors { code field message } } }",
            json!({ "id": variant }),
        ),
        (
            "removeVariant",
            "mutation($id: ID!) { removeVariant(id: $id) { product { id } userErrors { code field message } } }",
            json!({ "id": variant }),
        ),
        (
            "adjustStock",
            "mutation($id: ID!) { adjustStock(variantId: $id, delta: 5, reason: \"x\") { variant { id } userErrors { code field message } } }",
            json!({ "id": variant }),
        ),
        (
            "setOriginStory",
            "mutation($id: ID!) { setOriginStory(productId: $id, input: { farmName: \"X\", province: \"Sơn La\", story: \"X\" }) { originStory { story } userErrors { code field message } } }",
            json!({ "id": product }),
        ),
        (
            "createLot",
            "mutation($id: ID!) { createLot(input: { productId: $id, harvestedOn: \"2026-06-01\", quantity: 1, unit: KG }) { lot { id } userErrors { code field message } } }",
            json!({ "id": product }),
        ),
        (
            "addCertification",
            "mutation($c: ID!) { addCertification(input: { cooperativeId: $c, kind: ORGANIC, issuer: \"X\", number: \"1\", validFrom: \"2026-01-01\", validUntil: \"2027-01-01\", scope: COOPERATIVE }) { certification { id } userErrors { code field message } } }",
            json!({ "c": coop }),
        ),
        (
            "revokeCertification",
            "mutation($id: ID!) { revokeCertification(id: $id) { certification { id } userErrors { code field message } } }",
            json!({ "id": cert }),
        ),
    ];
    for (mutation, query, vars) in cases {
        let refused = app.gql_as(Some(&other.access), query, vars.clone()).await;
        assert_eq!(refused.user_code(mutation), "FORBIDDEN", "{mutation}");
        assert_eq!(
            app.gql(query, vars).await.code(),
            "UNAUTHENTICATED",
            "{mutation}"
        );
    }
    let res = app.gql(PRODUCT, json!({ "id": product })).await;
    assert_eq!(res.data()["product"]["name"], "Xoài");
    assert_eq!(res.data()["product"]["variants"][0]["stock"], 10);
    assert!(!lot.is_empty());
}

#[tokio::test]
async fn stock_adjustments_are_ledgered_and_never_go_below_zero() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (_, variant) = app
        .product(&owner, &coop, "Chè Shan tuyết", 200_000, 3)
        .await;
    let adjust = "mutation($id: ID!, $d: Int!) { adjustStock(variantId: $id, delta: $d, reason: \"kiểm kho\") { variant { stock stockMovements { delta stockAfter kind reason } } userErrors { code field message } } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            adjust,
            json!({ "id": variant, "d": 7 }),
        )
        .await;
    assert_eq!(res.payload("adjustStock")["variant"]["stock"], 10);
    let res = app
        .gql_as(
            Some(&owner.access),
            adjust,
            json!({ "id": variant, "d": -11 }),
        )
        .await;
    assert_eq!(res.user_code("adjustStock"), "INVALID");
    assert_eq!(res.user_field("adjustStock"), "delta");
    assert_eq!(res.data()["adjustStock"]["variant"], Value::Null);
    let res = app
        .gql_as(
            Some(&owner.access),
            adjust,
            json!({ "id": variant, "d": -10 }),
        )
        .await;
    let moves = &res.payload("adjustStock")["variant"]["stockMovements"];
    assert_eq!(res.payload("adjustStock")["variant"]["stock"], 0);
    assert_eq!(
        moves[0],
        json!({ "delta": -10, "stockAfter": 0, "kind": "ADJUSTMENT", "reason": "kiểm kho" })
    );
    assert_eq!(moves[2]["kind"], "INITIAL");

    // The newest rows only, when asked; a sane number of them.
    let ledger = "query($p: ID, $n: Int) { product(id: $p) { variants { stockMovements(last: $n) { delta kind } } } }";
    let product = app
        .gql(
            "query($c: ID) { cooperative(id: $c) { products { edges { node { id } } } } }",
            json!({ "c": coop }),
        )
        .await;
    let product = product.data()["cooperative"]["products"]["edges"][0]["node"]["id"].clone();
    let res = app
        .gql_as(Some(&owner.access), ledger, json!({ "p": product, "n": 2 }))
        .await;
    assert_eq!(
        res.data()["product"]["variants"][0]["stockMovements"],
        json!([{ "delta": -10, "kind": "ADJUSTMENT" }, { "delta": 7, "kind": "ADJUSTMENT" }])
    );
    for n in [0, 101] {
        let res = app
            .gql_as(Some(&owner.access), ledger, json!({ "p": product, "n": n }))
            .await;
        assert_eq!(res.field(), "last", "{n}");
    }
    let stranger = app.register("stranger@example.vn").await;
    let res = app
        .gql_as(
            Some(&stranger.access),
            ledger,
            json!({ "p": product, "n": 2 }),
        )
        .await;
    assert_eq!(
        res.data()["product"]["variants"][0]["stockMovements"],
        Value::Null,
        "the ledger is the cooperative's staff's to see"
    );
    let res = app.gql(ledger, json!({ "p": product, "n": 2 })).await;
    assert_eq!(
        res.data()["product"]["variants"][0]["stockMovements"],
        Value::Null
    );

    // A page of products with their ledgers costs what one product does.
    for i in 0..2 {
        app.product(&owner, &coop, &format!("Chè {i}"), 100_000, 3)
            .await;
    }
    let q = "query($c: ID, $n: Int) { cooperative(id: $c) { products(first: $n) { edges { node { variants { stockMovements { delta } } } } } } }";
    let t = Some(owner.access.as_str());
    let (one, _) = app.least_queries(t, q, json!({ "c": coop, "n": 1 })).await;
    let (three, res) = app.least_queries(t, q, json!({ "c": coop, "n": 3 })).await;
    let edges = res.data()["cooperative"]["products"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 3);
    assert!(three <= one + 1, "1 product: {one} queries, 3: {three}");
}

async fn seed_search(app: &TestApp) -> Session {
    let owner = app.register("owner@htx.vn").await;
    let xoai = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let moc_chau = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code field message } } }",
            json!({ "i": { "name": "HTX Nông sản Mộc Châu", "area": "Mộc Châu", "address": { "province": "Sơn La", "ward": "Phường Mộc Châu" } } }),
        )
        .await;
    let moc_chau = moc_chau.payload("createCooperative")["cooperative"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.product(&owner, &xoai, "Xoài tròn Yên Châu", 120_000, 5)
        .await;
    app.product(&owner, &xoai, "Nước ép trái cây (có xoài)", 45_000, 0)
        .await;
    app.product(&owner, &moc_chau, "Dâu tây Mộc Châu", 150_000, 8)
        .await;
    app.product(&owner, &moc_chau, "Sữa tươi", 30_000, 20).await;
    owner
}

const SEARCH: &str = "query($f: ProductFilterInput, $s: ProductSort, $first: Int, $after: String) { products(filter: $f, sort: $s, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name minPriceVnd } } } }";

fn names(res: &crate::helpers::Gql) -> Vec<String> {
    res.data()["products"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn search_ignores_tone_marks_and_ranks_name_matches_first() {
    let app = TestApp::spawn().await;
    seed_search(&app).await;
    let res = app.gql(SEARCH, json!({ "f": { "search": "xoai" } })).await;
    assert_eq!(
        names(&res)[0],
        "Xoài tròn Yên Châu",
        "a name match ranks first"
    );
    assert_eq!(
        res.data()["products"]["totalCount"],
        2,
        "the cooperative's name matches too"
    );
    let res = app
        .gql(SEARCH, json!({ "f": { "search": "dau tay" } }))
        .await;
    assert_eq!(names(&res), vec!["Dâu tây Mộc Châu"]);
    let res = app
        .gql(SEARCH, json!({ "f": { "search": "moc chau" } }))
        .await;
    assert_eq!(
        res.data()["products"]["totalCount"],
        2,
        "both Mộc Châu products: {:?}",
        names(&res)
    );
    let res = app
        .gql(SEARCH, json!({ "f": { "search": "ĐẶC SẢN" } }))
        .await;
    assert_eq!(res.data()["products"]["totalCount"], 4, "tags match");
    let res = app.gql(SEARCH, json!({ "f": { "search": "100%_" } })).await;
    assert_eq!(
        res.data()["products"]["totalCount"],
        0,
        "LIKE wildcards are literal"
    );
}

#[tokio::test]
async fn filters_and_sorts_narrow_and_order_the_catalogue() {
    let app = TestApp::spawn().await;
    seed_search(&app).await;
    let res = app
        .gql(
            SEARCH,
            json!({ "f": { "inStock": true }, "s": "PRICE_ASC" }),
        )
        .await;
    assert_eq!(
        names(&res),
        vec!["Sữa tươi", "Xoài tròn Yên Châu", "Dâu tây Mộc Châu"]
    );
    let res = app
        .gql(
            SEARCH,
            json!({ "f": { "priceMinVnd": 40000, "priceMaxVnd": 130000 }, "s": "PRICE_DESC" }),
        )
        .await;
    assert_eq!(
        names(&res),
        vec!["Xoài tròn Yên Châu", "Nước ép trái cây (có xoài)"]
    );
    let res = app
        .gql(SEARCH, json!({ "f": { "area": "moc chau" } }))
        .await;
    assert_eq!(res.data()["products"]["totalCount"], 2);
    let res = app
        .gql(SEARCH, json!({ "f": { "province": "Bắc Ninh" } }))
        .await;
    assert_eq!(res.data()["products"]["totalCount"], 0);
    let res = app.gql(SEARCH, json!({ "f": { "category": "TEA" } })).await;
    assert_eq!(res.data()["products"]["totalCount"], 0);
    let res = app.gql(SEARCH, json!({ "f": { "priceMinVnd": -1 } })).await;
    assert_eq!(res.field(), "filter.priceMinVnd");
}

#[tokio::test]
async fn cursors_stay_valid_while_products_are_added() {
    let app = TestApp::spawn().await;
    let owner = seed_search(&app).await;
    let first = app
        .gql(SEARCH, json!({ "first": 2, "s": "PRICE_ASC" }))
        .await;
    assert_eq!(
        names(&first),
        vec!["Sữa tươi", "Nước ép trái cây (có xoài)"]
    );
    let cursor = first.data()["products"]["pageInfo"]["endCursor"].clone();
    // A cheaper product arrives between the two page loads.
    let coop = app
        .gql_as(Some(&owner.access), "{ myCooperatives { id } }", json!({}))
        .await;
    let coop = coop.data()["myCooperatives"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.product(&owner, &coop, "Rau cải mèo", 10_000, 5).await;
    let second = app
        .gql(
            SEARCH,
            json!({ "first": 2, "after": cursor, "s": "PRICE_ASC" }),
        )
        .await;
    assert_eq!(
        names(&second),
        vec!["Xoài tròn Yên Châu", "Dâu tây Mộc Châu"]
    );
    assert_eq!(second.data()["products"]["pageInfo"]["hasNextPage"], false);
    let newest = app.gql(SEARCH, json!({ "first": 1, "s": "NEWEST" })).await;
    assert_eq!(names(&newest), vec!["Rau cải mèo"]);
    let bad = app
        .gql(SEARCH, json!({ "after": "bm90IGEgY3Vyc29y" }))
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    assert_eq!(bad.field(), "after");
}

#[tokio::test]
async fn a_page_of_products_costs_the_same_queries_whatever_its_size() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    for i in 0..25 {
        let (id, _) = app
            .product(&owner, &coop, &format!("Sản phẩm {i}"), 10_000 + i, 5)
            .await;
        if i % 2 == 0 {
            app.gql_as(
                Some(&owner.access),
                "mutation($id: ID!) { setOriginStory(productId: $id, input: { farmName: \"Vườn\", province: \"Sơn La\", story: \"Chuyện\" }) { originStory { story } userErrors { code field message } } }",
                json!({ "id": id }),
            )
            .await
            .payload("setOriginStory");
        }
    }
    let q = "query($n: Int) { products(first: $n) { totalCount edges { node { id name cooperative { name badges { kind } cover { id } logo { id } } variants { priceVnd stock } originStory { farmName media { position } } badges { kind } lots { code photos { position } } media { asset { id } } } } } }";
    let mut costs = Vec::new();
    for n in [5, 20] {
        let (cost, res) = app.least_queries(None, q, json!({ "n": n })).await;
        assert_eq!(
            res.data()["products"]["edges"].as_array().map(Vec::len),
            Some(n as usize)
        );
        costs.push(cost);
    }
    // One query per row would add 15 or more; a busy machine can split a
    // DataLoader batch in two and add one now and then.
    assert!(
        costs[1] <= costs[0] + 5,
        "20 products must cost what 5 do, not one query more per row: {costs:?}"
    );
    assert!(
        costs[0] <= 14,
        "a page costs a handful of queries: {costs:?}"
    );
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: a lot, its page, its QR codes, its scan count"
)]
async fn a_lot_has_a_public_trace_page_and_qr_code() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (product, _) = app
        .product(&owner, &coop, "Xoài tròn Yên Châu", 120_000, 5)
        .await;
    app.gql_as(
        Some(&owner.access),
        "mutation($id: ID!) { setOriginStory(productId: $id, input: { farmName: \"Vườn xoài bản Phiêng Hán\", growerName: \"Lò Văn Hặc\", province: \"son la\", area: \"Yên Châu\", altitudeM: 600, story: \"Xoài tròn trồng trên đồi <b>đá vôi</b>.\" }) { originStory { province } userErrors { code field message } } }",
        json!({ "id": product }),
    )
    .await
    .payload("setOriginStory");
    let lot = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!) { createLot(input: { productId: $p, harvestedOn: \"2026-06-10\", quantity: 500, unit: KG, plot: \"Đồi số 3\" }) { lot { code traceUrl qrCodeUrl scanCount } userErrors { code field message } } }",
            json!({ "p": product }),
        )
        .await;
    let lot = &lot.payload("createLot")["lot"];
    let code = lot["code"].as_str().expect("code").to_owned();
    assert!(code.starts_with("LOT-") && code.len() == 13, "{code}");
    assert!(
        lot["traceUrl"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/trace/{code}"))
    );

    let public = app
        .gql(
            "query($c: String!) { lot(code: $c) { code harvestedOn product { name } scanCount } }",
            json!({ "c": code.to_lowercase() }),
        )
        .await;
    assert_eq!(
        public.data()["lot"]["product"]["name"],
        "Xoài tròn Yên Châu"
    );
    assert_eq!(
        public.data()["lot"]["scanCount"],
        Value::Null,
        "scan counts are for the cooperative"
    );

    let (status, headers, body) = app
        .request(
            Request::get(format!("/trace/{code}"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    let html = String::from_utf8(body).expect("utf-8");
    for want in [
        "Xoài tròn Yên Châu",
        "Ngày thu hoạch",
        "10/06/2026",
        "HTX Xoài Yên Châu",
        "Lò Văn Hặc",
        "&lt;b&gt;đá vôi&lt;/b&gt;",
    ] {
        assert!(html.contains(want), "missing {want}");
    }
    assert!(
        !html.contains("0011001932418"),
        "no bank details on a public page"
    );

    let (status, headers, body) = app
        .request(
            Request::get(format!("/trace/{code}/qr.svg"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(String::from_utf8_lossy(&body).contains("<svg"));
    let (status, _, body) = app
        .request(
            Request::get(format!("/trace/{code}/qr.png"))
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&body[1..4], b"PNG");

    let (status, _, body) = app
        .request(
            Request::get("/trace/LOT-2222-3333")
                .body(Body::empty())
                .expect("req"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(String::from_utf8_lossy(&body).contains("Không tìm thấy"));

    let counted = app
        .gql_as(
            Some(&owner.access),
            "query($c: String!) { lot(code: $c) { scanCount } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(counted.data()["lot"]["scanCount"], 1);
}

#[tokio::test]
async fn a_harvest_date_in_the_future_is_refused() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (product, _) = app.product(&owner, &coop, "Xoài", 120_000, 5).await;
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
    let res = app
        .gql_as(
            Some(&owner.access),
            &format!("mutation($p: ID!, $d: NaiveDate!) {{ createLot(input: {{ productId: $p, harvestedOn: $d, quantity: 5, unit: KG }}) {{ lot {{ code }} {USER_ERRORS} }} }}"),
            json!({ "p": product, "d": tomorrow }),
        )
        .await;
    assert_eq!(res.user_code("createLot"), "INVALID");
    assert_eq!(res.user_field("createLot"), "input.harvestedOn");
    assert_eq!(res.data()["createLot"]["lot"], Value::Null);
    let lots = app
        .gql_as(
            Some(&owner.access),
            "query($id: ID) { product(id: $id) { lots { id } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        lots.data()["product"]["lots"],
        json!([]),
        "nothing half-written"
    );
}

#[tokio::test]
async fn badges_show_certificates_valid_today_and_expired_ones_disappear() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (product, _) = app.product(&owner, &coop, "Xoài", 120_000, 5).await;
    let add = "mutation($i: AddCertificationInput!) { addCertification(input: $i) { certification { id kind validToday } userErrors { code field message } } }";
    let today = chrono::Utc::now().date_naive();
    let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
    let cert = |kind: &str, scope: &str, from: i64, until: i64, stars: Option<i32>| json!({ "i": { "cooperativeId": coop, "kind": kind, "stars": stars, "issuer": "Sở NN&PTNT Sơn La", "number": format!("{kind}-{from}"), "validFrom": day(from), "validUntil": day(until), "scope": scope, "productId": if scope == "PRODUCT" { Some(product.clone()) } else { None } } });
    app.gql_as(
        Some(&owner.access),
        add,
        cert("VIETGAP", "PRODUCT", -100, 100, None),
    )
    .await
    .payload("addCertification");
    app.gql_as(
        Some(&owner.access),
        add,
        cert("ORGANIC", "PRODUCT", -400, -1, None),
    )
    .await
    .payload("addCertification");
    let ocop = app
        .gql_as(
            Some(&owner.access),
            add,
            cert("OCOP", "COOPERATIVE", -10, 300, Some(4)),
        )
        .await;
    let ocop_id = ocop.payload("addCertification")["certification"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let res = app
        .gql("query($id: ID) { product(id: $id) { badges { kind } cooperative { badges { kind stars } } } }", json!({ "id": product }))
        .await;
    let kinds: Vec<&str> = res.data()["product"]["badges"]
        .as_array()
        .expect("badges")
        .iter()
        .filter_map(|b| b["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec!["VIETGAP", "OCOP"],
        "the expired organic certificate does not show"
    );
    assert_eq!(
        res.data()["product"]["cooperative"]["badges"][0]["stars"],
        4
    );
    let res = app
        .gql(
            "{ products(filter: { certification: ORGANIC }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(res.data()["products"]["totalCount"], 0);
    app.gql_as(
        Some(&owner.access),
        "mutation($id: ID!) { revokeCertification(id: $id) { certification { validToday } userErrors { code field message } } }",
        json!({ "id": ocop_id }),
    )
    .await
    .payload("revokeCertification");
    let res = app
        .gql(
            "query($id: ID) { product(id: $id) { badges { kind } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        res.data()["product"]["badges"],
        json!([{ "kind": "VIETGAP" }])
    );
    for (input, field) in [
        (
            cert("VIETGAP", "PRODUCT", 10, -10, None),
            "input.validUntil",
        ),
        (cert("OCOP", "COOPERATIVE", -1, 10, Some(6)), "input.stars"),
        (
            cert("VIETGAP", "COOPERATIVE", -1, 10, Some(4)),
            "input.stars",
        ),
    ] {
        let res = app.gql_as(Some(&owner.access), add, input).await;
        assert_eq!(res.user_code("addCertification"), "INVALID");
        assert_eq!(res.user_field("addCertification"), field);
    }
}

#[tokio::test]
async fn a_lot_shows_the_certificates_valid_on_its_harvest_date_and_a_page_of_lots_loads_them_in_one_batch()
 {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let t = Some(owner.access.as_str());
    let certify = async |scope: &str, target: Value, number: &str, from: &str, until: &str| {
        let mut input = json!({ "cooperativeId": coop, "kind": "VIETGAP", "issuer": "Sở NN&PTNT Sơn La", "number": number, "validFrom": from, "validUntil": until, "scope": scope });
        if let Some((key, id)) = target.as_object().and_then(|o| o.iter().next()) {
            input[key] = id.clone();
        }
        app.gql_as(
            t,
            "mutation($i: AddCertificationInput!) { addCertification(input: $i) { certification { id } userErrors { code field message } } }",
            json!({ "i": input }),
        )
        .await
        .payload("addCertification");
    };
    let lot = async |product: &str, harvested: &str| {
        let res = app
            .gql_as(
                t,
                "mutation($p: ID!, $d: NaiveDate!) { createLot(input: { productId: $p, harvestedOn: $d, quantity: 100, unit: KG }) { lot { id } userErrors { code field message } } }",
                json!({ "p": product, "d": harvested }),
            )
            .await;
        res.payload("createLot")["lot"]["id"]
            .as_str()
            .expect("lot")
            .to_owned()
    };
    let mut products = Vec::new();
    for i in 0..12 {
        let (id, _) = app
            .product(&owner, &coop, &format!("Mận hậu {i}"), 50_000 + i, 5)
            .await;
        products.push(id);
    }
    // The cooperative's certificate covered 2026; the first product's own
    // ran out in May 2026; the first lot has one of its own.
    certify(
        "COOPERATIVE",
        json!({}),
        "HTX-2026",
        "2026-01-01",
        "2026-12-31",
    )
    .await;
    certify(
        "PRODUCT",
        json!({ "productId": products[0] }),
        "SP-2025",
        "2025-06-01",
        "2026-05-31",
    )
    .await;
    let june = lot(&products[0], "2026-06-10").await;
    let april = lot(&products[0], "2026-04-10").await;
    certify(
        "LOT",
        json!({ "lotId": june }),
        "LO-1",
        "2026-06-01",
        "2026-06-30",
    )
    .await;
    for p in &products[1..] {
        lot(p, "2026-06-10").await;
    }

    let q = "query($n: Int) { products(first: $n, sort: PRICE_ASC) { edges { node { name lots { id certifications { number } } } } } }";
    let (_, res) = app.least_queries(None, q, json!({ "n": 1 })).await;
    let lots = res.data()["products"]["edges"][0]["node"]["lots"]
        .as_array()
        .expect("lots")
        .clone();
    let numbers = |id: &str| -> Vec<String> {
        let lot = lots.iter().find(|l| l["id"] == id).expect("lot listed");
        lot["certifications"]
            .as_array()
            .expect("list")
            .iter()
            .map(|c| c["number"].as_str().expect("number").to_owned())
            .collect()
    };
    let mut june_numbers = numbers(&june);
    june_numbers.sort();
    assert_eq!(june_numbers, vec!["HTX-2026", "LO-1"]);
    let mut april_numbers = numbers(&april);
    april_numbers.sort();
    assert_eq!(april_numbers, vec!["HTX-2026", "SP-2025"]);

    // One query for every lot's certificates, not one per lot.
    let mut costs = Vec::new();
    for n in [3, 12] {
        let (cost, res) = app.least_queries(None, q, json!({ "n": n })).await;
        assert_eq!(
            res.data()["products"]["edges"].as_array().map(Vec::len),
            Some(n as usize)
        );
        costs.push(cost);
    }
    assert!(
        costs[1] <= costs[0] + 1,
        "12 products' lots must cost what 3 do: {costs:?}"
    );
}

#[tokio::test]
async fn cooperatives_listed_with_their_products_get_the_same_pages_as_one_cooperative_alone_in_a_fixed_number_of_queries()
 {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let mut coops = Vec::new();
    for (i, name) in ["HTX Mận", "HTX Chè", "HTX Xoài"].iter().enumerate() {
        let coop = app.cooperative(&owner, name).await;
        // 1, 3 and 5 products, prices out of order, one price shared.
        for j in 0..(2 * i + 1) {
            let price = [30_000, 10_000, 50_000, 10_000, 20_000][j];
            app.product(&owner, &coop, &format!("{name} {j}"), price, 5)
                .await;
        }
        coops.push(coop);
    }
    let nested = "query($n: Int, $s: ProductSort) { cooperatives(first: 10) { edges { node { id products(first: $n, sort: $s) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } } } } }";
    let alone = "query($c: ID!, $n: Int, $s: ProductSort) { products(first: $n, sort: $s, filter: { cooperativeId: $c }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }";
    for sort in ["NEWEST", "PRICE_ASC", "PRICE_DESC", "RELEVANCE"] {
        for n in [0, 2, 10] {
            let listed = app.gql(nested, json!({ "n": n, "s": sort })).await;
            let edges = listed.data()["cooperatives"]["edges"]
                .as_array()
                .expect("edges")
                .clone();
            assert_eq!(edges.len(), 3);
            for edge in edges {
                let coop = edge["node"]["id"].as_str().expect("id");
                let one = app
                    .gql(alone, json!({ "c": coop, "n": n, "s": sort }))
                    .await;
                assert_eq!(
                    edge["node"]["products"],
                    one.data()["products"],
                    "{sort}, first {n}"
                );
            }
        }
    }
    // The next page follows on from a listed page's cursor.
    let listed = app.gql(nested, json!({ "n": 2, "s": "PRICE_ASC" })).await;
    let xoai = listed.data()["cooperatives"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["id"] == coops[2].as_str())
        .expect("listed")["node"]["products"]
        .clone();
    assert_eq!(xoai["totalCount"], 5);
    let rest = app
        .gql(
            "query($c: ID, $a: String) { cooperative(id: $c) { products(first: 10, after: $a, sort: PRICE_ASC) { edges { node { name } } } } }",
            json!({ "c": coops[2], "a": xoai["pageInfo"]["endCursor"] }),
        )
        .await;
    let mut names: Vec<String> = xoai["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .chain(
            rest.data()["cooperative"]["products"]["edges"]
                .as_array()
                .expect("edges"),
        )
        .map(|e| e["node"]["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5, "no product twice: {names:?}");

    // Three cooperatives cost what one does.
    let q = "query($n: Int) { cooperatives(first: $n) { edges { node { products(first: 3) { totalCount edges { node { name } } } } } } }";
    let (one, _) = app.least_queries(None, q, json!({ "n": 1 })).await;
    let (three, _) = app.least_queries(None, q, json!({ "n": 3 })).await;
    assert!(three <= one + 1, "1 cooperative: {one} queries, 3: {three}");
}

#[tokio::test]
async fn a_product_shows_its_price_range_and_whether_it_can_be_bought_and_its_variants_point_back_to_it()
 {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (product, _) = app.product(&owner, &coop, "Mận hậu", 120_000, 0).await;
    let q = "query($id: ID) { product(id: $id) { priceRange { min max } availableForSale variants { product { id name } } originStory { id } } }";
    let res = app.gql(q, json!({ "id": product })).await;
    let p = &res.data()["product"];
    assert_eq!(p["priceRange"], json!({ "min": 120_000, "max": 120_000 }));
    assert_eq!(p["availableForSale"], false, "none in stock");
    assert_eq!(
        p["variants"][0]["product"],
        json!({ "id": product, "name": "Mận hậu" })
    );
    assert_eq!(p["originStory"], Value::Null);

    let added = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!) { addVariant(productId: $p, input: { name: \"Túi 1 kg\", sku: \"MH-1\", unit: KG, netQuantity: 1, priceVnd: 80000, stock: 3 }) { variant { product { id } } userErrors { code field message } } }",
            json!({ "p": product }),
        )
        .await;
    assert_eq!(
        added.payload("addVariant")["variant"]["product"]["id"],
        product.as_str()
    );
    let res = app.gql(q, json!({ "id": product })).await;
    let p = &res.data()["product"];
    assert_eq!(p["priceRange"], json!({ "min": 80_000, "max": 120_000 }));
    assert_eq!(p["availableForSale"], true);

    // A draft is not for sale whatever its stock, and one without variants
    // has no price range.
    let draft = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Mận non", &["MN-1"]) }),
        )
        .await;
    let draft = draft.payload("createProduct")["product"]["id"].clone();
    let res = app
        .gql_as(Some(&owner.access), q, json!({ "id": draft }))
        .await;
    assert_eq!(res.data()["product"]["availableForSale"], false);
    let empty = app
        .gql_as(
            Some(&owner.access),
            CREATE,
            json!({ "i": product_input(&coop, "Mận khô", &[]) }),
        )
        .await;
    let empty = empty.payload("createProduct")["product"]["id"].clone();
    let res = app
        .gql_as(Some(&owner.access), q, json!({ "id": empty }))
        .await;
    assert_eq!(res.data()["product"]["priceRange"], Value::Null);
    assert_eq!(res.data()["product"]["availableForSale"], false);
}

#[tokio::test]
async fn an_origin_story_has_a_global_id_of_its_own_that_stays_when_it_is_rewritten() {
    let app = TestApp::spawn().await;
    let (owner, coop) = shop(&app).await;
    let (product, _) = app
        .product(&owner, &coop, "Chè Shan tuyết", 300_000, 5)
        .await;
    let set = "mutation($p: ID!, $farm: String!) { setOriginStory(productId: $p, input: { farmName: $farm, province: \"Tuyên Quang\", story: \"Chè cổ thụ\" }) { originStory { id farmName } userErrors { code field message } } }";
    let first = app
        .gql_as(
            Some(&owner.access),
            set,
            json!({ "p": product, "farm": "Vườn A" }),
        )
        .await;
    let id = first.payload("setOriginStory")["originStory"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        id,
        gid("OriginStory", crate::helpers::uuid_of(&product)),
        "one story per product"
    );
    let second = app
        .gql_as(
            Some(&owner.access),
            set,
            json!({ "p": product, "farm": "Vườn B" }),
        )
        .await;
    assert_eq!(
        second.payload("setOriginStory")["originStory"]["id"],
        id.as_str()
    );
    let shown = app
        .gql(
            "query($id: ID) { product(id: $id) { originStory { id farmName } } }",
            json!({ "id": product }),
        )
        .await;
    assert_eq!(
        shown.data()["product"]["originStory"],
        json!({ "id": id, "farmName": "Vườn B" })
    );
}
