//! Cooperatives: profile, verification, members, isolation, listing.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const UPDATE: &str = "mutation($id: ID!, $i: UpdateCooperativeInput!) { updateCooperative(id: $id, input: $i) { id name slug area } }";
const COOP: &str = "query($id: ID, $slug: String) { cooperative(id: $id, slug: $slug) { id name slug verified viewerRole address { province ward } bankAccount { bin accountNumber accountName } } }";

#[tokio::test]
async fn a_new_cooperative_makes_its_creator_the_owner() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let res = app
        .gql_as(Some(&owner.access), COOP, json!({ "id": id }))
        .await;
    let coop = &res.data()["cooperative"];
    assert_eq!(coop["slug"], "htx-xoai-yen-chau");
    assert_eq!(coop["viewerRole"], "OWNER");
    assert_eq!(coop["address"]["province"], "Sơn La");
    assert_eq!(coop["verified"], false);
    let mine = app
        .gql_as(Some(&owner.access), "{ myCooperatives { id } }", json!({}))
        .await;
    assert_eq!(mine.data()["myCooperatives"][0]["id"], id.as_str());
    // The same name again gets the next free slug.
    let second = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let res = app.gql(COOP, json!({ "id": second })).await;
    assert_eq!(res.data()["cooperative"]["slug"], "htx-xoai-yen-chau-2");
}

#[tokio::test]
async fn bank_details_are_visible_to_its_own_members_only() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let stranger = app.register("stranger@example.vn").await;
    let id = app.cooperative(&owner, "HTX Mận Mộc Châu").await;
    let own = app
        .gql_as(Some(&owner.access), COOP, json!({ "id": id }))
        .await;
    assert_eq!(
        own.data()["cooperative"]["bankAccount"]["accountNumber"],
        "0011001932418"
    );
    assert_eq!(
        own.data()["cooperative"]["bankAccount"]["accountName"],
        "HTX XOAI YEN CHAU"
    );
    for token in [None, Some(stranger.access.as_str())] {
        let res = app.gql_as(token, COOP, json!({ "id": id })).await;
        assert_eq!(res.data()["cooperative"]["bankAccount"], Value::Null);
        assert_eq!(res.data()["cooperative"]["viewerRole"], Value::Null);
    }
}

#[tokio::test]
async fn another_cooperatives_staff_and_anonymous_callers_cannot_change_a_cooperative() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let other = app.register("other@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Chè Mộc Châu").await;
    app.cooperative(&other, "HTX Cà phê Sơn La").await;
    let mutations = [
        (UPDATE, json!({ "id": id, "i": { "name": "Chiếm quyền" } })),
        (
            "mutation($id: ID!) { addCooperativeMember(cooperativeId: $id, email: \"other@htx.vn\", role: STAFF) { role } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!, $u: ID!) { changeMemberRole(cooperativeId: $id, userId: $u, role: STAFF) { role } }",
            json!({ "id": id, "u": owner.id }),
        ),
        (
            "mutation($id: ID!, $u: ID!) { removeCooperativeMember(cooperativeId: $id, userId: $u) }",
            json!({ "id": id, "u": owner.id }),
        ),
        (
            "mutation($id: ID!) { verifyCooperative(id: $id) { verified } }",
            json!({ "id": id }),
        ),
    ];
    for (query, vars) in mutations {
        assert_eq!(
            app.gql_as(Some(&other.access), query, vars.clone())
                .await
                .code(),
            "FORBIDDEN",
            "{query}"
        );
        assert_eq!(
            app.gql(query, vars).await.code(),
            "UNAUTHENTICATED",
            "{query}"
        );
    }
    let res = app.gql(COOP, json!({ "id": id })).await;
    assert_eq!(res.data()["cooperative"]["name"], "HTX Chè Mộc Châu");
}

#[tokio::test]
async fn members_are_managed_by_managers_and_an_owner_always_remains() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let staff = app.register("staff@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Rau Vân Hồ").await;
    let add = "mutation($id: ID!, $e: String!, $r: CooperativeRole!) { addCooperativeMember(cooperativeId: $id, email: $e, role: $r) { userId role } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            add,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(res.data()["addCooperativeMember"]["role"], "STAFF");
    let again = app
        .gql_as(
            Some(&owner.access),
            add,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(again.code(), "CONFLICT");
    let unknown = app
        .gql_as(
            Some(&owner.access),
            add,
            json!({ "id": id, "e": "nobody@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(unknown.code(), "NOT_FOUND");
    // Staff may not manage members or edit the profile.
    let res = app
        .gql_as(
            Some(&staff.access),
            add,
            json!({ "id": id, "e": "owner@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(res.code(), "FORBIDDEN");
    assert_eq!(
        app.gql_as(
            Some(&staff.access),
            UPDATE,
            json!({ "id": id, "i": { "name": "X" } })
        )
        .await
        .code(),
        "FORBIDDEN"
    );
    // The only owner cannot step down or leave.
    let demote = "mutation($id: ID!, $u: ID!, $r: CooperativeRole!) { changeMemberRole(cooperativeId: $id, userId: $u, role: $r) { role } }";
    let res = app
        .gql_as(
            Some(&owner.access),
            demote,
            json!({ "id": id, "u": owner.id, "r": "MANAGER" }),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT");
    let leave =
        "mutation($id: ID!, $u: ID!) { removeCooperativeMember(cooperativeId: $id, userId: $u) }";
    assert_eq!(
        app.gql_as(
            Some(&owner.access),
            leave,
            json!({ "id": id, "u": owner.id })
        )
        .await
        .code(),
        "CONFLICT"
    );
    // With a second owner, the first may step down.
    app.gql_as(
        Some(&owner.access),
        demote,
        json!({ "id": id, "u": staff.id, "r": "OWNER" }),
    )
    .await
    .data();
    let res = app
        .gql_as(
            Some(&owner.access),
            demote,
            json!({ "id": id, "u": owner.id, "r": "MANAGER" }),
        )
        .await;
    assert_eq!(res.data()["changeMemberRole"]["role"], "MANAGER");
    // Staff can leave on their own.
    let members = app
        .gql_as(
            Some(&staff.access),
            "query($id: ID) { cooperative(id: $id) { members { email role } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        members.data()["cooperative"]["members"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn an_admin_verifies_a_cooperative() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.register("owner@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Mật ong Mộc Châu").await;
    let q = "mutation($id: ID!) { verifyCooperative(id: $id) { verified verifiedAt } }";
    assert_eq!(
        app.gql_as(Some(&owner.access), q, json!({ "id": id }))
            .await
            .code(),
        "FORBIDDEN"
    );
    let res = app
        .gql_as(Some(&admin.access), q, json!({ "id": id }))
        .await;
    assert_eq!(res.data()["verifyCooperative"]["verified"], true);
    let list = app
        .gql(
            "{ cooperatives(filter: { verified: true }) { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list.data()["cooperatives"]["totalCount"], 1);
}

#[tokio::test]
async fn a_changed_slug_keeps_the_old_one_resolving() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    // Renaming keeps the slug.
    let res = app
        .gql_as(
            Some(&owner.access),
            UPDATE,
            json!({ "id": id, "i": { "name": "HTX Xoài tròn Yên Châu" } }),
        )
        .await;
    assert_eq!(res.data()["updateCooperative"]["slug"], "htx-xoai-yen-chau");
    let res = app
        .gql_as(
            Some(&owner.access),
            UPDATE,
            json!({ "id": id, "i": { "slug": "xoai-yen-chau" } }),
        )
        .await;
    assert_eq!(res.data()["updateCooperative"]["slug"], "xoai-yen-chau");
    for slug in ["xoai-yen-chau", "htx-xoai-yen-chau"] {
        let res = app.gql(COOP, json!({ "slug": slug })).await;
        assert_eq!(res.data()["cooperative"]["id"], id.as_str(), "{slug}");
    }
    // Another cooperative cannot take a slug that was used.
    let other = app.cooperative(&owner, "HTX Khác").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            UPDATE,
            json!({ "id": other, "i": { "slug": "htx-xoai-yen-chau" } }),
        )
        .await;
    assert_eq!(res.code(), "CONFLICT");
}

#[tokio::test]
async fn bad_cooperative_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let create = "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { id } }";
    for (input, field) in [
        (
            json!({ "name": "", "address": { "province": "Sơn La", "ward": "X" } }),
            "input.name",
        ),
        (
            json!({ "name": "x".repeat(201), "address": { "province": "Sơn La", "ward": "X" } }),
            "input.name",
        ),
        (
            json!({ "name": "A", "address": { "province": "Atlantis", "ward": "X" } }),
            "input.address.province",
        ),
        (
            json!({ "name": "A", "address": { "province": "Hòa Bình", "ward": "X" } }),
            "input.address.province",
        ),
        (
            json!({ "name": "A", "address": { "province": "Sơn La", "ward": "" } }),
            "input.address.ward",
        ),
        (
            json!({ "name": "A", "address": { "province": "Sơn La", "ward": "X" }, "phone": "123" }),
            "input.phone",
        ),
        (
            json!({ "name": "A", "slug": "Bad Slug", "address": { "province": "Sơn La", "ward": "X" } }),
            "input.slug",
        ),
        (
            json!({ "name": "A", "address": { "province": "Sơn La", "ward": "X" }, "bankAccount": { "bin": "97", "accountNumber": "1234567", "accountName": "A" } }),
            "input.bankAccount.bin",
        ),
    ] {
        let res = app
            .gql_as(Some(&owner.access), create, json!({ "i": input }))
            .await;
        assert_eq!(res.code(), "BAD_USER_INPUT", "{field}");
        assert_eq!(res.field(), field);
    }
    let merged = app
        .gql_as(
            Some(&owner.access),
            create,
            json!({ "i": { "name": "A", "address": { "province": "Hòa Bình", "ward": "X" } } }),
        )
        .await;
    assert!(merged.message().contains("Phú Thọ"), "{}", merged.message());
    let list = app.gql("{ cooperatives { totalCount } }", json!({})).await;
    assert_eq!(
        list.data()["cooperatives"]["totalCount"],
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn cooperatives_are_listed_by_province_and_search_without_tone_marks() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    app.cooperative(&owner, "HTX Chè Shan tuyết").await;
    app.gql_as(
        Some(&owner.access),
        "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { id } }",
        json!({ "i": { "name": "HTX Vải Lục Ngạn", "address": { "province": "Bắc Ninh", "ward": "Xã Lục Ngạn" } } }),
    )
    .await
    .data();
    let q = "query($f: CooperativeFilterInput, $first: Int, $after: String) { cooperatives(filter: $f, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }";
    let res = app.gql(q, json!({ "f": { "province": "son la" } })).await;
    assert_eq!(res.data()["cooperatives"]["totalCount"], 2);
    let res = app.gql(q, json!({ "f": { "search": "xoai" } })).await;
    assert_eq!(
        res.data()["cooperatives"]["edges"][0]["node"]["name"],
        "HTX Xoài Yên Châu"
    );
    let page1 = app.gql(q, json!({ "first": 2 })).await;
    assert_eq!(
        page1.data()["cooperatives"]["pageInfo"]["hasNextPage"],
        true
    );
    let cursor = page1.data()["cooperatives"]["pageInfo"]["endCursor"].clone();
    let page2 = app.gql(q, json!({ "first": 2, "after": cursor })).await;
    assert_eq!(
        page2.data()["cooperatives"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        page2.data()["cooperatives"]["edges"][0]["node"]["name"],
        "HTX Vải Lục Ngạn"
    );
    assert_eq!(
        app.gql(q, json!({ "after": "garbage" })).await.code(),
        "BAD_USER_INPUT"
    );
    assert_eq!(app.gql(q, json!({ "first": 101 })).await.field(), "first");
}

#[tokio::test]
async fn a_list_of_cooperatives_with_their_members_costs_the_same_queries_for_one_or_three() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let t = Some(owner.access.as_str());
    let q = "{ myCooperatives { name members { email role } } }";
    let add = "mutation($id: ID!, $e: String!) { addCooperativeMember(cooperativeId: $id, email: $e, role: STAFF) { role } }";
    let mut costs = Vec::new();
    for n in 1..=3 {
        let coop = app.cooperative(&owner, &format!("HTX số {n}")).await;
        let staff = app.register(&format!("staff{n}@htx.vn")).await;
        app.gql_as(
            t,
            add,
            json!({ "id": coop, "e": format!("staff{n}@htx.vn") }),
        )
        .await
        .data();
        let (cost, res) = app.least_queries(t, q, json!({})).await;
        let coops = res.data()["myCooperatives"]
            .as_array()
            .expect("list")
            .clone();
        assert_eq!(coops.len(), n);
        let mine = coops
            .iter()
            .find(|c| c["name"] == format!("HTX số {n}"))
            .expect("the new cooperative");
        assert_eq!(
            mine["members"],
            json!([
                { "email": "owner@htx.vn", "role": "OWNER" },
                { "email": format!("staff{n}@htx.vn"), "role": "STAFF" },
            ])
        );
        // A staff member sees the members too; they belong to one only.
        let theirs = app.gql_as(Some(&staff.access), q, json!({})).await;
        assert_eq!(
            theirs.data()["myCooperatives"][0]["members"][1]["role"],
            "STAFF"
        );
        costs.push(cost);
    }
    // Four queries per cooperative would add 8; a busy machine can split a
    // DataLoader batch and add one now and then.
    assert!(
        costs[2] <= costs[0] + 2,
        "queries for 1 cooperative vs 3: {costs:?}"
    );
}

#[tokio::test]
async fn a_stranger_listing_cooperatives_sees_no_bank_accounts_in_a_fixed_number_of_queries() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    for n in 1..=3 {
        app.cooperative(&owner, &format!("HTX số {n}")).await;
    }
    let stranger = app.register("stranger@example.vn").await;
    let t = Some(stranger.access.as_str());
    let q = "query($n: Int) { cooperatives(first: $n) { edges { node { name viewerRole bankAccount { bin } } } } }";
    let (one, _) = app.least_queries(t, q, json!({ "n": 1 })).await;
    let (three, res) = app.least_queries(t, q, json!({ "n": 3 })).await;
    let edges = res.data()["cooperatives"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 3);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["bankAccount"].is_null() && e["node"]["viewerRole"].is_null())
    );
    assert!(three <= one + 1, "1 cooperative: {one} queries, 3: {three}");
}
