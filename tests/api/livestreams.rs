//! Livestream sessions: scheduling, the state machine, the lineup, pinning, lists.

use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, USER_ERRORS, gid};

const SCHEDULE: &str = "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id status lineup { name } } userErrors { code field message } } }";
const PLACE: &str = "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { orders { id } } userErrors { code field message } } }";
const SHOW: &str = "query($id: ID!) { livestream(id: $id) { status startedAt endedAt pinnedProduct { name } lineup { name } cooperative { name } } }";

async fn show(app: &TestApp) -> (Session, String, String, String, String) {
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (xoai, _) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let (man, _) = app.product(&owner, &coop, "Mận hậu", 80_000, 10).await;
    let res = app
        .gql_as(
            Some(&owner.access),
            SCHEDULE,
            json!({ "i": { "cooperativeId": coop, "title": "Xoài chín cây — giá tại vườn", "platform": "TIKTOK", "hostName": "Lò Thị Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z", "productIds": [xoai, man] } }),
        )
        .await;
    let show = &res.payload("scheduleLivestream")["livestream"];
    let id = show["id"].as_str().expect("id").to_owned();
    assert_eq!(show["status"], "SCHEDULED");
    (owner, coop, id, xoai, man)
}

fn mutation(name: &str) -> String {
    format!("mutation($id: ID!) {{ {name}(id: $id) {{ livestream {{ status }} {USER_ERRORS} }} }}")
}

/// Runs the state-changing `name` on show `id`; its status, or its user error code.
async fn step(app: &TestApp, t: Option<&str>, name: &str, id: &str) -> String {
    let res = app.gql_as(t, &mutation(name), json!({ "id": id })).await;
    match res.data()[name]["livestream"]["status"].as_str() {
        Some(status) => status.to_owned(),
        None => res.user_code(name).to_owned(),
    }
}

#[tokio::test]
async fn a_show_goes_scheduled_live_ended_and_refuses_other_moves() {
    let app = TestApp::spawn().await;
    let (owner, _, id, _, _) = show(&app).await;
    let t = Some(owner.access.as_str());
    let res = app
        .gql_as(t, &mutation("endLivestream"), json!({ "id": id }))
        .await;
    assert_eq!(res.user_code("endLivestream"), "CONFLICT");
    let message = res.user_error("endLivestream")["message"]
        .as_str()
        .expect("message");
    assert!(message.contains("allowed: LIVE, CANCELLED"), "{message}");
    assert_eq!(
        res.data()["endLivestream"]["livestream"],
        Value::Null,
        "no result beside a user error"
    );
    assert_eq!(step(&app, t, "startLivestream", &id).await, "LIVE");
    assert_eq!(step(&app, t, "cancelLivestream", &id).await, "CONFLICT");
    assert_eq!(step(&app, t, "endLivestream", &id).await, "ENDED");
    let res = app.gql(SHOW, json!({ "id": id })).await;
    assert!(res.data()["livestream"]["startedAt"].is_string());
    assert!(res.data()["livestream"]["endedAt"].is_string());
    assert_eq!(step(&app, t, "startLivestream", &id).await, "CONFLICT");
}

#[tokio::test]
async fn one_product_of_the_lineup_is_pinned_at_a_time_while_live() {
    let app = TestApp::spawn().await;
    let (owner, coop, id, xoai, man) = show(&app).await;
    let t = Some(owner.access.as_str());
    let pin = "mutation($l: ID!, $p: ID!) { pinProduct(livestreamId: $l, productId: $p) { livestream { pinnedProduct { name } } userErrors { code field message } } }";
    assert_eq!(
        app.gql_as(t, pin, json!({ "l": id, "p": xoai }))
            .await
            .user_code("pinProduct"),
        "CONFLICT",
        "not live yet"
    );
    assert_eq!(step(&app, t, "startLivestream", &id).await, "LIVE");
    let res = app.gql_as(t, pin, json!({ "l": id, "p": xoai })).await;
    assert_eq!(
        res.payload("pinProduct")["livestream"]["pinnedProduct"]["name"],
        "Xoài tròn"
    );
    let res = app.gql_as(t, pin, json!({ "l": id, "p": man })).await;
    assert_eq!(
        res.payload("pinProduct")["livestream"]["pinnedProduct"]["name"],
        "Mận hậu",
        "pinning another replaces it"
    );
    let (outside, _) = app.product(&owner, &coop, "Chè", 50_000, 5).await;
    let res = app.gql_as(t, pin, json!({ "l": id, "p": outside })).await;
    assert_eq!(res.user_code("pinProduct"), "INVALID");
    assert_eq!(res.user_field("pinProduct"), "productId");
    // Removing the pinned product unpins it.
    app.gql_as(
        t,
        "mutation($l: ID!, $p: ID!) { removeLineupProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }",
        json!({ "l": id, "p": man }),
    )
    .await
    .payload("removeLineupProduct");
    let res = app.gql(SHOW, json!({ "id": id })).await;
    assert_eq!(res.data()["livestream"]["pinnedProduct"], Value::Null);
    assert_eq!(
        res.data()["livestream"]["lineup"],
        json!([{ "name": "Xoài tròn" }])
    );
    app.gql_as(t, pin, json!({ "l": id, "p": xoai }))
        .await
        .payload("pinProduct");
    assert_eq!(step(&app, t, "endLivestream", &id).await, "ENDED");
    let res = app.gql(SHOW, json!({ "id": id })).await;
    assert_eq!(
        res.data()["livestream"]["pinnedProduct"],
        Value::Null,
        "the end of the show unpins"
    );
}

#[tokio::test]
async fn the_lineup_is_reordered_with_every_product_once() {
    let app = TestApp::spawn().await;
    let (owner, _, id, xoai, man) = show(&app).await;
    let t = Some(owner.access.as_str());
    let reorder = "mutation($l: ID!, $ps: [ID!]!) { reorderLineup(livestreamId: $l, productIds: $ps) { livestream { lineup { name } } userErrors { code field message } } }";
    let res = app
        .gql_as(t, reorder, json!({ "l": id, "ps": [man, xoai] }))
        .await;
    assert_eq!(
        res.payload("reorderLineup")["livestream"]["lineup"],
        json!([{ "name": "Mận hậu" }, { "name": "Xoài tròn" }])
    );
    let res = app
        .gql_as(t, reorder, json!({ "l": id, "ps": [man] }))
        .await;
    assert_eq!(res.user_code("reorderLineup"), "INVALID");
    assert_eq!(res.user_field("reorderLineup"), "productIds");
    let add = "mutation($l: ID!, $p: ID!) { addLineupProduct(livestreamId: $l, productId: $p) { livestream { id } userErrors { code field message } } }";
    assert_eq!(
        app.gql_as(t, add, json!({ "l": id, "p": man }))
            .await
            .user_code("addLineupProduct"),
        "CONFLICT"
    );
    let res = app.gql(SHOW, json!({ "id": id })).await;
    assert_eq!(
        res.data()["livestream"]["lineup"],
        json!([{ "name": "Mận hậu" }, { "name": "Xoài tròn" }]),
        "the refused calls changed nothing"
    );
}

#[tokio::test]
async fn another_cooperatives_staff_and_anonymous_callers_cannot_run_a_show() {
    let app = TestApp::spawn().await;
    let (owner, coop, id, xoai, _) = show(&app).await;
    let other = app.register("other@htx.vn").await;
    let other_coop = app.cooperative(&other, "HTX Khác").await;
    let (theirs, _) = app.product(&other, &other_coop, "Chè", 50_000, 5).await;
    let cases = [
        (
            "scheduleLivestream",
            SCHEDULE.to_owned(),
            json!({ "i": { "cooperativeId": coop, "title": "X", "platform": "ZALO", "hostName": "X", "scheduledStartAt": "2030-12-01T12:00:00Z" } }),
        ),
        (
            "updateLivestream",
            format!(
                "mutation($id: ID!) {{ updateLivestream(id: $id, input: {{ title: \"X\" }}) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id }),
        ),
        (
            "startLivestream",
            mutation("startLivestream"),
            json!({ "id": id }),
        ),
        (
            "endLivestream",
            mutation("endLivestream"),
            json!({ "id": id }),
        ),
        (
            "cancelLivestream",
            mutation("cancelLivestream"),
            json!({ "id": id }),
        ),
        (
            "addLineupProduct",
            format!(
                "mutation($id: ID!, $p: ID!) {{ addLineupProduct(livestreamId: $id, productId: $p) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id, "p": xoai }),
        ),
        (
            "removeLineupProduct",
            format!(
                "mutation($id: ID!, $p: ID!) {{ removeLineupProduct(livestreamId: $id, productId: $p) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id, "p": xoai }),
        ),
        (
            "reorderLineup",
            format!(
                "mutation($id: ID!, $p: ID!) {{ reorderLineup(livestreamId: $id, productIds: [$p]) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id, "p": xoai }),
        ),
        (
            "pinProduct",
            format!(
                "mutation($id: ID!, $p: ID!) {{ pinProduct(livestreamId: $id, productId: $p) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id, "p": xoai }),
        ),
        (
            "unpinProduct",
            format!(
                "mutation($id: ID!) {{ unpinProduct(livestreamId: $id) {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id }),
        ),
        (
            "setLivestreamReplay",
            format!(
                "mutation($id: ID!) {{ setLivestreamReplay(livestreamId: $id, replayUrl: \"https://x.vn/r\") {{ livestream {{ id }} {USER_ERRORS} }} }}"
            ),
            json!({ "id": id }),
        ),
    ];
    for (name, query, vars) in &cases {
        let res = app.gql_as(Some(&other.access), query, vars.clone()).await;
        assert_eq!(res.user_code(name), "FORBIDDEN", "{query}");
        assert_eq!(res.data()[name]["livestream"], Value::Null, "{query}");
        assert_eq!(
            app.gql(query, vars.clone()).await.code(),
            "UNAUTHENTICATED",
            "{query}"
        );
    }
    // A lineup cannot hold another cooperative's product.
    let res = app
        .gql_as(
            Some(&owner.access),
            "mutation($id: ID!, $p: ID!) { addLineupProduct(livestreamId: $id, productId: $p) { livestream { id } userErrors { code field message } } }",
            json!({ "id": id, "p": theirs }),
        )
        .await;
    assert_eq!(res.user_code("addLineupProduct"), "INVALID");
    assert_eq!(res.user_field("addLineupProduct"), "productId");
    assert_eq!(
        app.gql(SHOW, json!({ "id": id })).await.data()["livestream"]["status"],
        "SCHEDULED"
    );
}

#[tokio::test]
async fn shows_are_listed_live_now_upcoming_and_by_product() {
    let app = TestApp::spawn().await;
    let (owner, coop, id, xoai, _) = show(&app).await;
    let t = Some(owner.access.as_str());
    let later = app
        .gql_as(
            t,
            SCHEDULE,
            json!({ "i": { "cooperativeId": coop, "title": "Chè Mộc Châu", "platform": "FACEBOOK", "hostName": "Hoa", "scheduledStartAt": "2030-12-05T12:00:00Z" } }),
        )
        .await;
    let later = later.payload("scheduleLivestream")["livestream"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(step(&app, t, "startLivestream", &id).await, "LIVE");
    let res = app.gql("{ liveNow { totalCount edges { node { title } } } upcomingLivestreams { edges { node { id } } } }", json!({})).await;
    assert_eq!(
        res.data()["liveNow"]["edges"][0]["node"]["title"],
        "Xoài chín cây — giá tại vườn"
    );
    assert_eq!(
        res.data()["upcomingLivestreams"]["edges"],
        json!([{ "node": { "id": later } }])
    );
    let by_product = app
        .gql(
            "query($p: ID) { livestreams(filter: { productId: $p }) { totalCount } }",
            json!({ "p": xoai }),
        )
        .await;
    assert_eq!(by_product.data()["livestreams"]["totalCount"], 1);
    let page = app
        .gql("query($c: ID) { livestreams(first: 1, filter: { cooperativeId: $c }) { pageInfo { hasNextPage endCursor } } }", json!({ "c": coop }))
        .await;
    let cursor = page.data()["livestreams"]["pageInfo"]["endCursor"].clone();
    let next = app
        .gql("query($c: ID, $a: String) { livestreams(first: 1, after: $a, filter: { cooperativeId: $c }) { edges { node { id } } } }", json!({ "c": coop, "a": cursor }))
        .await;
    assert_eq!(
        next.data()["livestreams"]["edges"][0]["node"]["id"],
        later.as_str()
    );
    // A show that does not exist is null; an id that is no show's id is
    // refused.
    let unknown = app
        .gql(
            SHOW,
            json!({ "id": gid("Livestream", uuid::Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(unknown.data()["livestream"], Value::Null);
    let not_a_show = app
        .gql(
            SHOW,
            json!({ "id": gid("Product", crate::helpers::uuid_of(&xoai)) }),
        )
        .await;
    assert_eq!(not_a_show.code(), "BAD_USER_INPUT");
    assert_eq!(not_a_show.field(), "id");
}

#[tokio::test]
async fn a_show_counts_the_sales_it_brought_without_cancelled_orders() {
    let app = TestApp::spawn().await;
    let (owner, coop, id, xoai, _) = show(&app).await;
    let t = Some(owner.access.as_str());
    assert_eq!(step(&app, t, "startLivestream", &id).await, "LIVE");
    let variants = app
        .gql(
            "query($p: ID) { product(id: $p) { variants { id } } }",
            json!({ "p": xoai }),
        )
        .await;
    let variant = variants.data()["product"]["variants"][0]["id"]
        .as_str()
        .expect("variant")
        .to_owned();
    let place = |qty: i64| {
        let mut input = crate::orders::order_input(
            &uuid::Uuid::new_v4().to_string(),
            &[(variant.as_str(), qty)],
            "COD",
            "0912345678",
        );
        input["livestreamId"] = json!(id);
        input
    };
    let mut order_ids = Vec::new();
    for qty in [2, 3] {
        let res = app.gql(PLACE, json!({ "i": place(qty) })).await;
        order_ids.push(
            res.payload("placeOrder")["checkout"]["orders"][0]["id"]
                .as_str()
                .expect("order")
                .to_owned(),
        );
    }
    // One more, cancelled: it does not count.
    let res = app.gql(PLACE, json!({ "i": place(4) })).await;
    let cancelled = res.payload("placeOrder")["checkout"]["orders"][0]["id"]
        .as_str()
        .expect("order")
        .to_owned();
    app.gql_as(
        t,
        "mutation($o: ID!) { cancelOrder(orderId: $o, reason: \"khách đổi ý\") { order { status } userErrors { code field message } } }",
        json!({ "o": cancelled }),
    )
    .await
    .payload("cancelOrder");
    let stats = "query($id: ID!) { livestream(id: $id) { stats { orders unitsSold revenueVnd peakViewers conversionRate byProduct { product { name } unitsSold revenueVnd } } } }";
    let res = app.gql_as(t, stats, json!({ "id": id })).await;
    let s = &res.data()["livestream"]["stats"];
    // Nobody watched through our player: no peak, no conversion rate.
    assert_eq!(s["peakViewers"], 0);
    assert_eq!(s["conversionRate"], 0.0);
    assert_eq!(s["orders"], 2);
    assert_eq!(s["unitsSold"], 5);
    assert_eq!(s["revenueVnd"], 5 * 120_000);
    assert_eq!(s["byProduct"][0]["product"]["name"], "Xoài tròn");
    let period = app
        .gql_as(
            t,
            "query($c: ID!) { cooperativeLivestreamStats(cooperativeId: $c, from: \"2026-01-01T00:00:00Z\", to: \"2100-01-01T00:00:00Z\") { orders revenueVnd } }",
            json!({ "c": coop }),
        )
        .await;
    assert_eq!(
        period.data()["cooperativeLivestreamStats"],
        json!({ "orders": 2, "revenueVnd": 600000 })
    );
    // Anyone else sees the show, without its figures.
    let stranger = app.register("stranger@example.vn").await;
    for token in [Some(stranger.access.as_str()), None] {
        let res = app.gql_as(token, stats, json!({ "id": id })).await;
        assert_eq!(res.data()["livestream"]["stats"], Value::Null, "{token:?}");
    }
    assert!(!order_ids.is_empty());
}

#[tokio::test]
async fn a_product_and_its_cooperative_show_their_live_and_coming_shows() {
    let app = TestApp::spawn().await;
    let (owner, coop, id, _, man) = show(&app).await;
    let t = Some(owner.access.as_str());
    let later = app
        .gql_as(
            t,
            SCHEDULE,
            json!({ "i": { "cooperativeId": coop, "title": "Mận hậu", "platform": "ZALO", "hostName": "Hoa", "scheduledStartAt": "2030-12-05T12:00:00Z", "productIds": [man] } }),
        )
        .await;
    let later = later.payload("scheduleLivestream")["livestream"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // Scheduled later but live now: the live one comes first.
    assert_eq!(step(&app, t, "startLivestream", &later).await, "LIVE");
    let query = "query($c: ID!) { cooperative(id: $c) { currentLivestreams { id status } livestreams { totalCount } ended: livestreams(status: ENDED) { totalCount } products { nodes { name currentLivestreams { id } } } } }";
    let res = app.gql(query, json!({ "c": coop })).await;
    let coop_view = &res.data()["cooperative"];
    assert_eq!(
        coop_view["currentLivestreams"],
        json!([{ "id": later, "status": "LIVE" }, { "id": id, "status": "SCHEDULED" }])
    );
    assert_eq!(coop_view["livestreams"]["totalCount"], 2);
    assert_eq!(coop_view["ended"]["totalCount"], 0);
    let mut products: Vec<(String, Value)> = coop_view["products"]["nodes"]
        .as_array()
        .expect("products")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_owned(),
                p["currentLivestreams"].clone(),
            )
        })
        .collect();
    products.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        products,
        vec![
            ("Mận hậu".to_owned(), json!([{ "id": later }, { "id": id }])),
            ("Xoài tròn".to_owned(), json!([{ "id": id }])),
        ]
    );

    assert_eq!(step(&app, t, "endLivestream", &later).await, "ENDED");
    let res = app.gql(query, json!({ "c": coop })).await;
    let coop_view = &res.data()["cooperative"];
    assert_eq!(
        coop_view["currentLivestreams"],
        json!([{ "id": id, "status": "SCHEDULED" }])
    );
    assert_eq!(coop_view["ended"]["totalCount"], 1);
}

#[tokio::test]
async fn a_page_of_shows_with_their_stats_costs_the_same_queries_for_one_show_or_four() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài").await;
    let (product, variant) = app.product(&owner, &coop, "Xoài tròn", 120_000, 100).await;
    let t = Some(owner.access.as_str());
    let q = "query($c: ID, $n: Int) { cooperative(id: $c) { livestreams(first: $n) { edges { node { stats { orders unitsSold byProduct { product { name } unitsSold } } } } } } }";
    let mut costs = Vec::new();
    for n in 1..=4 {
        let show = app.show(&owner, &coop, &[&product], true).await;
        let mut input = crate::orders::order_input(
            &uuid::Uuid::new_v4().to_string(),
            &[(variant.as_str(), n)],
            "COD",
            "0912345678",
        );
        input["livestreamId"] = json!(show);
        app.gql(PLACE, json!({ "i": input }))
            .await
            .payload("placeOrder");
        let (cost, res) = app.least_queries(t, q, json!({ "c": coop, "n": n })).await;
        let edges = res.data()["cooperative"]["livestreams"]["edges"]
            .as_array()
            .expect("edges")
            .clone();
        assert_eq!(edges.len(), n as usize);
        let mut sold: Vec<i64> = edges
            .iter()
            .map(|e| e["node"]["stats"]["unitsSold"].as_i64().expect("units"))
            .collect();
        sold.sort_unstable();
        assert_eq!(sold, (1..=n).collect::<Vec<_>>());
        assert!(edges.iter().all(|e| e["node"]["stats"]["orders"] == 1));
        costs.push(cost);
    }
    // Four or five queries per show would add 12 or more; a busy machine
    // can split a DataLoader batch and add one now and then.
    assert!(
        costs[3] <= costs[0] + 2,
        "queries for 1 show vs 4: {costs:?}"
    );

    // Each show's stats stay its staff's: a stranger gets null on every one.
    let stranger = app.register("stranger@example.vn").await;
    let res = app
        .gql_as(Some(&stranger.access), q, json!({ "c": coop, "n": 4 }))
        .await;
    let edges = res.data()["cooperative"]["livestreams"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 4);
    assert!(
        edges.iter().all(|e| e["node"]["stats"].is_null()),
        "{edges:?}"
    );
}

#[tokio::test]
async fn cooperatives_listed_with_their_shows_get_the_same_pages_as_one_cooperative_alone_in_a_fixed_number_of_queries()
 {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let t = Some(owner.access.as_str());
    for (i, name) in ["HTX Mận", "HTX Chè", "HTX Xoài"].iter().enumerate() {
        let coop = app.cooperative(&owner, name).await;
        // 1, 3 and 5 shows at various times; the second of each goes live.
        for j in 0..(2 * i + 1) {
            let res = app
                .gql_as(
                    t,
                    SCHEDULE,
                    json!({ "i": { "cooperativeId": coop, "title": format!("{name} {j}"), "platform": "ZALO", "hostName": "Hoa", "scheduledStartAt": format!("2030-12-{:02}T12:00:00Z", 10 - j) } }),
                )
                .await;
            let id = res.payload("scheduleLivestream")["livestream"]["id"]
                .as_str()
                .expect("id")
                .to_owned();
            if j == 1 {
                assert_eq!(step(&app, t, "startLivestream", &id).await, "LIVE");
            }
        }
    }
    let nested = "query($n: Int, $s: LivestreamStatus) { cooperatives(first: 10) { edges { node { id livestreams(first: $n, status: $s) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { title status } } } } } } }";
    let alone = "query($c: ID!, $n: Int, $s: LivestreamStatus) { livestreams(first: $n, filter: { cooperativeId: $c, status: $s }) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { title status } } } }";
    for status in [Value::Null, json!("SCHEDULED"), json!("LIVE")] {
        for n in [0, 2, 10] {
            let listed = app.gql(nested, json!({ "n": n, "s": status })).await;
            let edges = listed.data()["cooperatives"]["edges"]
                .as_array()
                .expect("edges")
                .clone();
            assert_eq!(edges.len(), 3);
            for edge in edges {
                let coop = edge["node"]["id"].as_str().expect("id");
                let one = app
                    .gql(alone, json!({ "c": coop, "n": n, "s": status }))
                    .await;
                assert_eq!(
                    edge["node"]["livestreams"],
                    one.data()["livestreams"],
                    "{status}, first {n}"
                );
            }
        }
    }
    let q = "query($n: Int) { cooperatives(first: $n) { edges { node { livestreams(first: 3) { totalCount edges { node { title } } } } } } }";
    let (one, _) = app.least_queries(None, q, json!({ "n": 1 })).await;
    let (three, _) = app.least_queries(None, q, json!({ "n": 3 })).await;
    assert!(three <= one + 1, "1 cooperative: {one} queries, 3: {three}");
}
