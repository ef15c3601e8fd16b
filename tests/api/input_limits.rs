//! Every input is bounded and parsed before it reaches a database: scalars
//! out of range, text with control characters or too long, numbers beyond
//! what the business allows. Each is `BAD_USER_INPUT` naming the field (and
//! the variable it came from), never `INTERNAL`, on SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::future::join_all;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::helpers::{Gql, TestApp};

const SOME_ID: &str = "0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b";

/// The user errors of the one mutation `res` answers, when it has no
/// top-level errors.
fn user_errors(res: &Gql) -> Option<&Vec<Value>> {
    if res.body.get("errors").is_some() {
        return None;
    }
    res.body["data"]
        .as_object()
        .and_then(|data| data.values().next())
        .and_then(|payload| payload["userErrors"].as_array())
}

/// Asserts `res` refuses a value naming a field that starts with `field`:
/// the input gate's top-level `BAD_USER_INPUT` (a value no field of its type
/// may hold), or a mutation's `INVALID` user error (its own parser's rule).
fn assert_refused(res: &Gql, field: &str, case: &str) {
    let named = match user_errors(res) {
        Some(errors) => {
            let first = errors
                .first()
                .unwrap_or_else(|| panic!("{case}: not refused: {}", res.body));
            assert_eq!(first["code"], "INVALID", "{case}: {}", res.body);
            first["field"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default()
        }
        None => {
            assert_eq!(
                res.body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "{case}: {}",
                res.body
            );
            res.field().to_owned()
        }
    };
    assert!(
        named.starts_with(field),
        "{case}: field {named:?}, wanted {field}: {}",
        res.body
    );
}

/// The message of the refusal in `res`, a user error's or a top-level one's.
fn refusal_message(res: &Gql) -> String {
    user_errors(res)
        .and_then(|errors| errors.first())
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| res.message())
        .to_owned()
}

/// One scalar case: a document with `$v` standing for the value, the type
/// of `$v`, the value as JSON and as a GraphQL literal, and the field named.
struct ScalarCase {
    doc: &'static str,
    ty: &'static str,
    json: Value,
    literal: &'static str,
    field: &'static str,
}

fn scalar_cases(variant: &str) -> Vec<(String, ScalarCase)> {
    let stock = "mutation{DECL} { adjustStock(variantId: \"VID\", delta: $v, reason: \"kiểm kho\") { variant { stock } userErrors { code field message } } }";
    let cart = "mutation{DECL} { addCartItem(variantId: \"VID\", quantity: $v) { userErrors { code field message } } }";
    let add_variant = "mutation{DECL} { addVariant(productId: \"VID\", input: { name: \"Hộp\", sku: \"SKU-X1\", unit: KG, netQuantity: 1, priceVnd: 1000, stock: $v }) { variant { id } userErrors { code field message } } }";
    let lot = "mutation{DECL} { createLot(input: { productId: \"VID\", harvestedOn: $v, quantity: 10, unit: KG }) { lot { code } userErrors { code field message } } }";
    let shows = "query{DECL} { livestreams(filter: { from: $v }) { totalCount } }";
    let schedule = "mutation{DECL} { scheduleLivestream(input: { cooperativeId: \"VID\", title: \"Xoài\", platform: ZALO, hostName: \"Hoa\", scheduledStartAt: $v }) { livestream { id } userErrors { code field message } } }";
    let status = "mutation{DECL} { setProductStatus(id: \"VID\", status: $v) { product { id } userErrors { code field message } } }";
    let product = "query{DECL} { product(id: $v) { id } }";
    let pack = "mutation{DECL} { updateVariant(id: \"VID\", input: { netQuantity: $v }) { variant { id } userErrors { code field message } } }";
    let c = |doc: &'static str, ty, json, literal, field| ScalarCase {
        doc,
        ty,
        json,
        literal,
        field,
    };
    vec![
        c(stock, "Int!", json!(2_147_483_648_i64), "2147483648", "delta"),
        c(stock, "Int!", json!(-2_147_483_649_i64), "-2147483649", "delta"),
        c(cart, "Int!", json!(2_147_483_648_i64), "2147483648", "quantity"),
        c(
            add_variant,
            "Int!",
            json!(2_147_483_648_i64),
            "2147483648",
            "input.stock",
        ),
        c(lot, "NaiveDate!", json!("2026-02-30"), "\"2026-02-30\"", "input.harvestedOn"),
        c(lot, "NaiveDate!", json!("2026-13-01"), "\"2026-13-01\"", "input.harvestedOn"),
        c(
            lot,
            "NaiveDate!",
            json!("+275760-09-13"),
            "\"+275760-09-13\"",
            "input.harvestedOn",
        ),
        c(lot, "NaiveDate!", json!("1999-12-31"), "\"1999-12-31\"", "input.harvestedOn"),
        c(shows, "DateTime", json!("yesterday"), "\"yesterday\"", "filter.from"),
        c(
            shows,
            "DateTime",
            json!("2026-05-01T00:00:00+25:00"),
            "\"2026-05-01T00:00:00+25:00\"",
            "filter.from",
        ),
        c(
            schedule,
            "DateTime!",
            json!("+262143-01-01T00:00:00Z"),
            "\"+262143-01-01T00:00:00Z\"",
            "input.scheduledStartAt",
        ),
        c(
            schedule,
            "DateTime!",
            json!("0001-01-01T00:00:00Z"),
            "\"0001-01-01T00:00:00Z\"",
            "input.scheduledStartAt",
        ),
        c(status, "ProductStatus!", json!("SOLD_OUT"), "SOLD_OUT", "status"),
        c(product, "ID", json!("not-an-id"), "\"not-an-id\"", "id"),
        c(product, "ID", json!("x".repeat(101)), "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "id"),
        c(pack, "Float", json!(1e-300), "1e-300", "input.netQuantity"),
        c(pack, "Float", json!(1e300), "1e300", "input.netQuantity"),
    ]
    .into_iter()
    .map(|case| (case.doc.replace("VID", variant), case))
    .collect()
}

#[tokio::test]
async fn a_bad_scalar_is_bad_user_input_inline_and_as_a_variable() {
    let app = TestApp::spawn().await;
    let owner = app.register("chu@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (_, variant) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    for (doc, case) in scalar_cases(&variant) {
        let as_variable = doc.replace("{DECL}", &format!("($v: {})", case.ty));
        let res = app
            .gql_as(Some(&owner.access), &as_variable, json!({ "v": case.json }))
            .await;
        let name = format!("{} = {} as a variable", case.field, case.json);
        assert_refused(&res, case.field, &name);
        if user_errors(&res).is_none() {
            // A top-level error names the field in its message too (a user
            // error names it in `field`, checked above).
            assert!(
                res.message().contains(case.field),
                "{name}: {}",
                res.message()
            );
        }
        let inline = doc.replace("{DECL}", "").replace("$v", case.literal);
        let res = app.gql_as(Some(&owner.access), &inline, json!({})).await;
        assert_refused(&res, case.field, &format!("{} inline", case.field));
    }
}

#[tokio::test]
async fn a_refused_variable_is_named_in_the_error() {
    let app = TestApp::spawn().await;
    let res = app
        .gql(
            "query($when: DateTime) { livestreams(filter: { from: $when }) { totalCount } }",
            json!({ "when": "yesterday" }),
        )
        .await;
    assert_refused(&res, "filter.from", "from");
    assert_eq!(res.body["errors"][0]["extensions"]["variable"], "when");
    assert!(res.message().contains("$when"), "{}", res.message());
    // A good value of the same variable passes.
    let ok = app
        .gql(
            "query($when: DateTime) { livestreams(filter: { from: $when }) { totalCount } }",
            json!({ "when": "2026-05-01T19:30:00+07:00" }),
        )
        .await;
    ok.data();
}

/// Documents with a `String!` variable `$s` in one text input each, and the
/// field it lands in: search, slugs, names, descriptions, notes, reasons, a
/// recipient, a certificate number, a check-in code, tokens, e-mails, codes.
fn text_inputs() -> Vec<(String, &'static str)> {
    let id = SOME_ID;
    let address = "{ province: \"Sơn La\", ward: \"Xã Yên Châu\", street: \"Bản Phiêng Hán\" }";
    let shipping = "{ recipientName: \"Lò Văn A\", phone: \"0912345678\", province: \"Sơn La\", ward: \"Xã Chiềng Sinh\", street: \"Tổ 3\" }";
    vec![
        ("query($s: String!) { products(filter: { search: $s }) { totalCount } }".to_owned(), "filter.search"),
        ("query($s: String!) { products(filter: { area: $s }) { totalCount } }".to_owned(), "filter.area"),
        ("query($s: String!) { cooperatives(filter: { search: $s }) { totalCount } }".to_owned(), "filter.search"),
        ("query($s: String!) { product(slug: $s) { id } }".to_owned(), "slug"),
        ("query($s: String!) { cooperative(slug: $s) { id } }".to_owned(), "slug"),
        ("query($s: String!) { lot(code: $s) { code } }".to_owned(), "code"),
        ("query($s: String!) { certificate(number: $s) { __typename } }".to_owned(), "number"),
        ("query($s: String!) { orderByNumber(number: $s, phone: \"0912345678\") { id } }".to_owned(), "number"),
        ("query($s: String!) { cart(cartToken: $s) { __typename } }".to_owned(), "cartToken"),
        ("query($s: String!) { courses(filter: { topic: $s }) { totalCount } }".to_owned(), "filter.topic"),
        ("mutation($s: String!) { register(input: { email: \"a@b.vn\", password: $s, displayName: \"A\" }) { session { accessToken } userErrors { code field message } } }".to_owned(), "input.password"),
        ("mutation($s: String!) { login(input: { email: $s, password: \"hoa ban trang\" }) { session { accessToken } userErrors { code field message } } }".to_owned(), "input.email"),
        ("mutation($s: String!) { refreshToken(refreshToken: $s) { session { accessToken } userErrors { code field message } } }".to_owned(), "refreshToken"),
        ("mutation($s: String!) { logout(refreshToken: $s) { loggedOut userErrors { code field message } } }".to_owned(), "refreshToken"),
        (format!("mutation($s: String!) {{ createCooperative(input: {{ name: $s, address: {address} }}) {{ cooperative {{ id }} userErrors {{ code field message }} }} }}"), "input.name"),
        (format!("mutation($s: String!) {{ updateProduct(id: \"{id}\", input: {{ description: $s }}) {{ product {{ id }} userErrors {{ code field message }} }} }}"), "input.description"),
        (format!("mutation($s: String!) {{ updateProduct(id: \"{id}\", input: {{ slug: $s }}) {{ product {{ id }} userErrors {{ code field message }} }} }}"), "input.slug"),
        (format!("mutation($s: String!) {{ adjustStock(variantId: \"{id}\", delta: 1, reason: $s) {{ variant {{ stock }} userErrors {{ code field message }} }} }}"), "reason"),
        (format!("mutation($s: String!) {{ setOriginStory(productId: \"{id}\", input: {{ farmName: \"Vườn\", province: \"Sơn La\", story: $s }}) {{ userErrors {{ code field message }} }} }}"), "input.story"),
        (format!("mutation($s: String!) {{ createLot(input: {{ productId: \"{id}\", harvestedOn: \"2026-06-01\", quantity: 10, unit: KG, notes: $s }}) {{ lot {{ code }} userErrors {{ code field message }} }} }}"), "input.notes"),
        (format!("mutation($s: String!) {{ addCertification(input: {{ cooperativeId: \"{id}\", kind: VIETGAP, issuer: \"Sở NN\", number: $s, validFrom: \"2026-01-01\", validUntil: \"2027-01-01\", scope: COOPERATIVE }}) {{ certification {{ id }} userErrors {{ code field message }} }} }}"), "input.number"),
        (format!("mutation($s: String!) {{ placeOrder(input: {{ idempotencyKey: \"{id}\", items: [{{ variantId: \"{id}\", quantity: 1 }}], shippingAddress: {shipping}, paymentMethod: COD, note: $s }}) {{ userErrors {{ code field message }} }} }}"), "input.note"),
        (format!("mutation($s: String!) {{ placeOrder(input: {{ idempotencyKey: \"{id}\", items: [{{ variantId: \"{id}\", quantity: 1 }}], shippingAddress: {{ recipientName: $s, phone: \"0912345678\", province: \"Sơn La\", ward: \"X\", street: \"Y\" }}, paymentMethod: COD }}) {{ userErrors {{ code field message }} }} }}"), "input.shippingAddress.recipientName"),
        (format!("mutation($s: String!) {{ cancelOrder(orderId: \"{id}\", reason: $s) {{ order {{ id }} userErrors {{ code field message }} }} }}"), "reason"),
        (format!("mutation($s: String!) {{ shipOrder(orderId: \"{id}\", carrier: $s, trackingNumber: \"VN1\") {{ order {{ id }} userErrors {{ code field message }} }} }}"), "carrier"),
        (format!("mutation($s: String!) {{ scheduleLivestream(input: {{ cooperativeId: \"{id}\", title: $s, platform: ZALO, hostName: \"Hoa\", scheduledStartAt: \"2027-01-01T12:00:00Z\" }}) {{ livestream {{ id }} userErrors {{ code field message }} }} }}"), "input.title"),
        (format!("mutation($s: String!) {{ enrollParticipant(courseId: \"{id}\", input: {{ fullName: $s, phone: \"0912345678\", commune: \"Chiềng Sinh\", area: \"Yên Châu\" }}) {{ userErrors {{ code field message }} }} }}"), "input.fullName"),
        ("mutation($s: String!) { checkInToSession(code: $s, phone: \"0912345678\") { userErrors { code field message } } }".to_owned(), "code"),
        (format!("mutation($s: String!) {{ addCooperativeMember(cooperativeId: \"{id}\", email: $s, role: STAFF) {{ userErrors {{ code field message }} }} }}"), "email"),
        (format!("mutation($s: String!) {{ createUpload(input: {{ purpose: PRODUCT_IMAGE, contentType: $s, byteSize: 100, cooperativeId: \"{id}\" }}) {{ upload {{ uploadUrl }} userErrors {{ code field message }} }} }}"), "input.contentType"),
        (format!("mutation($s: String!) {{ setProductMedia(productId: \"{id}\", items: [{{ assetId: \"{id}\", altText: $s }}]) {{ userErrors {{ code field message }} }} }}"), "items.0.altText"),
        ("mutation($s: ID!) { removeVariant(id: $s) { product { id } userErrors { code field message } } }".to_owned(), "id"),
    ]
}

#[tokio::test]
async fn a_nul_byte_in_any_text_input_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let user = app.register("nguoi.mua@htx.vn").await;
    for (doc, field) in text_inputs() {
        for value in ["Xoài\0", "\u{1b}[31mđỏ", "a\u{7f}b"] {
            let res = app
                .gql_as(Some(&user.access), &doc, json!({ "s": value }))
                .await;
            assert_refused(&res, field, &format!("{field} = {value:?}"));
        }
    }
    // The CSV import is a file: bounded by the body limit, but no NUL either.
    let res = app
        .gql_as(
            Some(&user.access),
            "mutation($s: String!) { importParticipants(courseId: \"0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b\", csv: $s, mode: ALL_OR_NOTHING) { userErrors { code field message } } }",
            json!({ "s": "full_name,phone\nA\0,0912345678\n" }),
        )
        .await;
    assert_refused(&res, "csv", "csv");
}

#[tokio::test]
async fn an_over_long_text_input_is_bad_user_input() {
    let app = TestApp::spawn().await;
    let user = app.register("nguoi.mua@htx.vn").await;
    let long = "x".repeat(50_001);
    for (doc, field) in text_inputs() {
        let res = app
            .gql_as(Some(&user.access), &doc, json!({ "s": long }))
            .await;
        assert_refused(&res, field, &format!("{field} of 50,001 characters"));
        let message = refusal_message(&res);
        assert!(message.contains("longer than"), "{message}");
    }
}

#[tokio::test]
async fn a_search_is_at_most_two_hundred_characters_on_one_line() {
    let app = TestApp::spawn().await;
    let q = "query($s: String!) { products(filter: { search: $s }) { totalCount } }";
    for fine in ["x".repeat(200), "xoài ".repeat(12)] {
        let ok = app.gql(q, json!({ "s": fine })).await;
        assert_eq!(ok.data()["products"]["totalCount"], 0);
    }
    for bad in ["x".repeat(201), "x".repeat(50_001), "xoài\nmận".to_owned()] {
        let res = app.gql(q, json!({ "s": bad })).await;
        assert_refused(&res, "filter.search", "search");
    }
    let words = "a ".repeat(13);
    let res = app.gql(q, json!({ "s": words })).await;
    assert_refused(&res, "filter.search", "13 words");
    let res = app
        .gql(
            "query($s: String!) { cooperatives(filter: { search: $s }) { totalCount } }",
            json!({ "s": "x".repeat(201) }),
        )
        .await;
    assert_refused(&res, "filter.search", "cooperatives");
}

#[tokio::test]
async fn long_text_keeps_its_line_breaks_while_a_name_must_be_one_line() {
    let app = TestApp::spawn().await;
    let owner = app.register("chu@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (product, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let update = "mutation($id: ID!, $i: UpdateProductInput!) { updateProduct(id: $id, input: $i) { product { name description } userErrors { code field message } } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            update,
            json!({ "id": product, "i": { "description": "Xoài chín cây.\n\tGiao trong ngày." } }),
        )
        .await;
    assert_eq!(
        res.payload("updateProduct")["product"]["description"],
        "Xoài chín cây.\n\tGiao trong ngày."
    );
    let res = app
        .gql_as(
            Some(&owner.access),
            update,
            json!({ "id": product, "i": { "name": "Xoài\ntròn" } }),
        )
        .await;
    assert_refused(&res, "input.name", "a name on two lines");
    // A long description is allowed up to its own limit, and no further.
    let res = app
        .gql_as(
            Some(&owner.access),
            update,
            json!({ "id": product, "i": { "description": "đ".repeat(20_000) } }),
        )
        .await;
    res.payload("updateProduct");
    let res = app
        .gql_as(
            Some(&owner.access),
            update,
            json!({ "id": product, "i": { "description": "đ".repeat(20_001) } }),
        )
        .await;
    assert_refused(&res, "input.description", "20,001 characters");
}

/// Posts a transfer notice signed with the app's secret.
async fn notify(app: &TestApp, body: &Value) -> StatusCode {
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
    let req = Request::post("/webhooks/bank-transfers")
        .header(header::CONTENT_TYPE, "application/json")
        .header("X-Signature", signed);
    let (status, _, _) = app
        .request(req.body(Body::from(raw)).expect("request"))
        .await;
    status
}

#[tokio::test]
async fn the_bank_webhook_answers_400_for_control_characters_and_absurd_numbers() {
    let app = TestApp::spawn().await;
    let notice = |tx: &str, memo: &str, amount: i64, at: &str| json!({ "transactionId": tx, "accountNumber": "0011001932418", "amountVnd": amount, "memo": memo, "occurredAt": at });
    let at = "2026-11-28T03:00:00Z";
    for (body, case) in [
        (
            notice("FT1\0", "FS ABC123", 1000, at),
            "NUL in the transaction id",
        ),
        (notice("FT2", "FS ABC123\0", 1000, at), "NUL in the memo"),
        (
            notice("FT3", "FS\u{1b}ABC123", 1000, at),
            "escape in the memo",
        ),
        (notice("FT4", "FS ABC123", i64::MAX, at), "an absurd amount"),
        (
            notice("FT5", "FS ABC123", 1000, "+262143-01-01T00:00:00Z"),
            "a time in year 262143",
        ),
    ] {
        assert_eq!(notify(&app, &body).await, StatusCode::BAD_REQUEST, "{case}");
    }
    let stored = <entity::bank_transfer::Entity as sea_orm::EntityTrait>::find()
        .all(app.app.state.db.conn())
        .await
        .expect("query");
    assert!(stored.is_empty(), "nothing is stored: {stored:?}");
    // A clean notice is still taken.
    let status = notify(&app, &notice("FT6", "FS ABC123", 1000, at)).await;
    assert!(status.is_success(), "{status}");
}

const ADD_VARIANT: &str = "mutation($p: ID!, $i: VariantInput!) { addVariant(productId: $p, input: $i) { variant { id } userErrors { code field message } } }";

fn variant_input(sku: &str) -> Value {
    json!({ "name": "Hộp 1 kg", "sku": sku, "unit": "KG", "netQuantity": 1.0, "priceVnd": 60_000, "stock": 5 })
}

#[tokio::test]
async fn numbers_are_bounded_to_what_the_business_allows() {
    let app = TestApp::spawn().await;
    let owner = app.register("chu@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (product, variant) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let with = |key: &str, value: Value| {
        let mut v = variant_input(&format!("SKU-{}", uuid::Uuid::new_v4().simple()));
        v[key] = value;
        v
    };
    for (key, value, field) in [
        ("netQuantity", json!(1e-300), "input.netQuantity"),
        ("netQuantity", json!(0.0009), "input.netQuantity"),
        ("netQuantity", json!(100_000.5), "input.netQuantity"),
        ("priceVnd", json!(0), "input.priceVnd"),
        ("priceVnd", json!(1_000_000_001), "input.priceVnd"),
        ("priceVnd", json!(3_000_000_000_i64), "input.priceVnd"),
        (
            "priceVnd",
            json!(9_223_372_036_854_775_808_u64),
            "input.priceVnd",
        ),
        ("stock", json!(-1), "input.stock"),
        ("stock", json!(1_000_001), "input.stock"),
    ] {
        let res = app
            .gql_as(
                Some(&owner.access),
                ADD_VARIANT,
                json!({ "p": product, "i": with(key, value.clone()) }),
            )
            .await;
        assert_refused(&res, field, &format!("{key} = {value}"));
    }
    // The least pack and the greatest price still give a sane price per kg.
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($p: ID!, $i: VariantInput!) { addVariant(productId: $p, input: $i) { variant { unitPrice { amountVnd per } } userErrors { code field message } } }",
            json!({ "p": product, "i": { "name": "Gói 1 g", "sku": "SKU-G1", "unit": "G", "netQuantity": 0.001, "priceVnd": 1_000_000_000, "stock": 1 } }),
        )
        .await;
    assert_eq!(
        res.payload("addVariant")["variant"]["unitPrice"]["amountVnd"],
        1_000_000_000_000_000_i64
    );
    // A line of an order: 1 to 1,000 units.
    for quantity in [0, 1001] {
        let res = app
            .gql_as(
                Some(&owner.access),
                "mutation($v: ID!, $q: Int!) { addCartItem(variantId: $v, quantity: $q) { userErrors { code field message } } }",
                json!({ "v": variant, "q": quantity }),
            )
            .await;
        assert_refused(&res, "quantity", &format!("quantity {quantity}"));
    }
    // A harvest is not in the future.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: CreateLotInput!) { createLot(input: $i) { lot { code } userErrors { code field message } } }",
            json!({ "i": { "productId": product, "harvestedOn": tomorrow.to_string(), "quantity": 10.0, "unit": "KG" } }),
        )
        .await;
    assert_refused(&res, "input.harvestedOn", "a harvest tomorrow");
}

#[tokio::test]
async fn a_show_starts_between_yesterday_and_five_years_ahead() {
    let app = TestApp::spawn().await;
    let owner = app.register("chu@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let schedule = "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code field message } } }";
    let now = chrono::Utc::now();
    let at = |t: chrono::DateTime<chrono::Utc>| json!({ "i": { "cooperativeId": coop, "title": "Xoài chín", "platform": "ZALO", "hostName": "Hoa", "scheduledStartAt": t.to_rfc3339() } });
    for (when, case) in [
        (now - chrono::Duration::days(2), "two days ago"),
        (now + chrono::Duration::days(6 * 365), "six years ahead"),
    ] {
        let res = app.gql_as(Some(&owner.access), schedule, at(when)).await;
        assert_refused(&res, "input.scheduledStartAt", case);
    }
    let res = app
        .gql_as(
            Some(&owner.access),
            schedule,
            json!({ "i": { "cooperativeId": coop, "title": "Xoài chín", "platform": "ZALO", "hostName": "Hoa", "scheduledStartAt": "0001-01-01T00:00:00Z" } }),
        )
        .await;
    assert_refused(&res, "input.scheduledStartAt", "year 1");
    let res = app
        .gql_as(
            Some(&owner.access),
            schedule,
            at(now + chrono::Duration::hours(2)),
        )
        .await;
    let show = res.payload("scheduleLivestream")["livestream"]["id"].clone();
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!, $at: DateTime!) { updateLivestream(id: $id, input: { scheduledStartAt: $at }) { livestream { id } userErrors { code field message } } }",
            json!({ "id": show, "at": (now - chrono::Duration::days(3)).to_rfc3339() }),
        )
        .await;
    assert_refused(&res, "input.scheduledStartAt", "moved three days back");
}

#[tokio::test]
async fn a_product_has_at_most_fifty_variants_even_when_added_at_once() {
    let app = TestApp::spawn().await;
    let owner = app.register("chu@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let many: Vec<Value> = (0..51)
        .map(|i| variant_input(&format!("SKU-M{i}")))
        .collect();
    let create = "mutation($i: CreateProductInput!) { createProduct(input: $i) { product { id variants { id } } userErrors { code field message } } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            create,
            json!({ "i": { "cooperativeId": coop, "name": "Xoài", "category": "FRUIT", "variants": many } }),
        )
        .await;
    assert_refused(&res, "input.variants", "51 variants at creation");

    let first: Vec<Value> = (0..47)
        .map(|i| variant_input(&format!("SKU-F{i}")))
        .collect();
    let res = app
        .gql_as(
            Some(&owner.access),
            create,
            json!({ "i": { "cooperativeId": coop, "name": "Xoài", "category": "FRUIT", "variants": first } }),
        )
        .await;
    let product = res.payload("createProduct")["product"]["id"].clone();
    // Eight additions race for the last three places, for several rounds'
    // worth of products on SQLite and PostgreSQL alike.
    let calls = (0..8).map(|i| {
        let vars = json!({ "p": product, "i": variant_input(&format!("SKU-R{i}")) });
        let token = owner.access.clone();
        let app = &app;
        async move { app.gql_as(Some(&token), ADD_VARIANT, vars).await }
    });
    let results = join_all(calls).await;
    let added = results
        .iter()
        .filter(|r| r.ok_or_user("addVariant", &["INVALID"]))
        .count();
    assert_eq!(added, 3, "only the room left is taken");
    for refused in results
        .iter()
        .filter(|r| !r.ok_or_user("addVariant", &["INVALID"]))
    {
        assert_refused(refused, "productId", "the 51st variant");
    }
    let count = app
        .gql_as(
            Some(&owner.access),
            "query($id: ID!) { product(id: $id) { variants { id } } }",
            json!({ "id": product }),
        )
        .await
        .data()["product"]["variants"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(count, 50);
}

#[tokio::test]
async fn a_float_beyond_a_double_is_refused_and_never_internal() {
    let app = TestApp::spawn().await;
    let doc = "mutation($v: Float) { updateVariant(id: \"0193a4b2-7c1d-7e8f-9a0b-1c2d3e4f5a6b\", input: { netQuantity: $v }) { variant { id } userErrors { code field message } } }";
    // JSON cannot carry 1e400 as a number: the body itself is refused.
    let raw = format!(r#"{{"query":{},"variables":{{"v":1e400}}}}"#, json!(doc));
    let req = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT, "application/graphql-response+json")
        .body(Body::from(raw))
        .expect("request");
    let (status, _, bytes) = app.request(req).await;
    let body: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    // Inline, it is not a number GraphQL can read either.
    let inline = doc.replace("($v: Float)", "").replace("$v", "1e400");
    let res = app.gql(&inline, json!({})).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_ne!(res.code(), "INTERNAL");
}
