//! Cooperatives: profile, verification, members, isolation, listing.

use serde_json::{Value, json};

use crate::helpers::{TestApp, gid, uuid_of};

const UPDATE: &str = "mutation($id: ID!, $i: UpdateCooperativeInput!) { updateCooperative(id: $id, input: $i) { cooperative { id name slug area } userErrors { code field message } } }";
const FOLLOW: &str = "mutation($id: ID!) { followCooperative(cooperativeId: $id) { cooperative { id viewerIsFollowing } userErrors { code field message } } }";
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
        (
            "updateCooperative",
            UPDATE,
            json!({ "id": id, "i": { "name": "Chiếm quyền" } }),
        ),
        (
            "addCooperativeMember",
            "mutation($id: ID!) { addCooperativeMember(cooperativeId: $id, email: \"other@htx.vn\", role: STAFF) { member { role } userErrors { code field message } } }",
            json!({ "id": id }),
        ),
        (
            "changeMemberRole",
            "mutation($id: ID!, $u: ID!) { changeMemberRole(cooperativeId: $id, userId: $u, role: STAFF) { member { role } userErrors { code field message } } }",
            json!({ "id": id, "u": owner.id }),
        ),
        (
            "removeCooperativeMember",
            "mutation($id: ID!, $u: ID!) { removeCooperativeMember(cooperativeId: $id, userId: $u) { removedUserId userErrors { code field message } } }",
            json!({ "id": id, "u": owner.id }),
        ),
        (
            "verifyCooperative",
            "mutation($id: ID!) { verifyCooperative(id: $id) { cooperative { verified } userErrors { code field message } } }",
            json!({ "id": id }),
        ),
    ];
    for (mutation, query, vars) in mutations {
        assert_eq!(
            app.gql_as(Some(&other.access), query, vars.clone())
                .await
                .user_code(mutation),
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
    let members = app
        .gql_as(Some(&owner.access), MEMBERS, json!({ "id": id }))
        .await;
    assert_eq!(
        members.data()["cooperative"]["members"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "nobody was added or removed"
    );
}

const ADD: &str = "mutation($id: ID!, $e: String!, $r: CooperativeRole!) { addCooperativeMember(cooperativeId: $id, email: $e, role: $r) { member { id userId role } userErrors { code field message } } }";
const CHANGE_ROLE: &str = "mutation($id: ID!, $u: ID!, $r: CooperativeRole!) { changeMemberRole(cooperativeId: $id, userId: $u, role: $r) { member { id role } userErrors { code field message } } }";
const REMOVE: &str = "mutation($id: ID!, $u: ID!) { removeCooperativeMember(cooperativeId: $id, userId: $u) { cooperative { id members { userId } } removedUserId removedMemberId userErrors { code field message } } }";
const MEMBERS: &str =
    "query($id: ID) { cooperative(id: $id) { members { id userId email role } } }";

/// The e-mail addresses of `coop`'s members as `token`'s user sees them.
async fn member_emails(app: &TestApp, token: &str, coop: &str) -> Value {
    let res = app
        .gql_as(Some(token), MEMBERS, json!({ "id": coop }))
        .await;
    let members = res.data()["cooperative"]["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["email"].clone())
        .collect();
    Value::Array(members)
}

#[tokio::test]
async fn members_are_managed_by_managers_and_an_owner_always_remains() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let staff = app.register("staff@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Rau Vân Hồ").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    let added = &res.payload("addCooperativeMember")["member"];
    assert_eq!(added["role"], "STAFF");
    assert_eq!(added["userId"], staff.id.as_str());
    let again = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(again.user_code("addCooperativeMember"), "CONFLICT");
    let unknown = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "nobody@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(unknown.user_code("addCooperativeMember"), "NOT_FOUND");
    let malformed = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "not-an-email", "r": "STAFF" }),
        )
        .await;
    assert_eq!(malformed.user_code("addCooperativeMember"), "INVALID");
    assert_eq!(malformed.user_field("addCooperativeMember"), "email");
    // Staff may not manage members or edit the profile.
    let res = app
        .gql_as(
            Some(&staff.access),
            ADD,
            json!({ "id": id, "e": "owner@htx.vn", "r": "STAFF" }),
        )
        .await;
    assert_eq!(res.user_code("addCooperativeMember"), "FORBIDDEN");
    assert_eq!(
        app.gql_as(
            Some(&staff.access),
            UPDATE,
            json!({ "id": id, "i": { "name": "X" } })
        )
        .await
        .user_code("updateCooperative"),
        "FORBIDDEN"
    );
    // The only owner cannot step down or leave.
    let res = app
        .gql_as(
            Some(&owner.access),
            CHANGE_ROLE,
            json!({ "id": id, "u": owner.id, "r": "MANAGER" }),
        )
        .await;
    assert_eq!(res.user_code("changeMemberRole"), "CONFLICT");
    let res = app
        .gql_as(
            Some(&owner.access),
            REMOVE,
            json!({ "id": id, "u": owner.id }),
        )
        .await;
    assert_eq!(res.user_code("removeCooperativeMember"), "CONFLICT");
    assert_eq!(
        res.data()["removeCooperativeMember"]["removedUserId"],
        Value::Null
    );
    assert_eq!(
        member_emails(&app, &owner.access, &id).await,
        json!(["owner@htx.vn", "staff@htx.vn"]),
        "the refused changes changed nothing"
    );
    // With a second owner, the first may step down.
    app.gql_as(
        Some(&owner.access),
        CHANGE_ROLE,
        json!({ "id": id, "u": staff.id, "r": "OWNER" }),
    )
    .await
    .payload("changeMemberRole");
    let res = app
        .gql_as(
            Some(&owner.access),
            CHANGE_ROLE,
            json!({ "id": id, "u": owner.id, "r": "MANAGER" }),
        )
        .await;
    assert_eq!(res.payload("changeMemberRole")["member"]["role"], "MANAGER");
}

#[tokio::test]
async fn each_member_has_its_own_id_the_same_in_every_answer() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let staff = app.register("staff@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Rau Vân Hồ").await;
    let res = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    let added = &res.payload("addCooperativeMember")["member"];
    let members = app
        .gql_as(Some(&staff.access), MEMBERS, json!({ "id": id }))
        .await;
    let members = members.data()["cooperative"]["members"]
        .as_array()
        .expect("members")
        .clone();
    assert_eq!(members.len(), 2);
    assert_ne!(members[0]["id"], members[1]["id"]);
    assert_eq!(members[1]["id"], added["id"]);
    assert!(
        members[0]["id"]
            .as_str()
            .is_some_and(|m| m.starts_with("gid://farmstream/CooperativeMember/")),
        "{members:?}"
    );
}

#[tokio::test]
async fn removing_a_member_answers_with_the_cooperative_and_who_left() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let staff = app.register("staff@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Chè Tà Xùa").await;
    let added = app
        .gql_as(
            Some(&owner.access),
            ADD,
            json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
        )
        .await;
    let member_id = added.payload("addCooperativeMember")["member"]["id"].clone();
    // A member of staff leaves on their own; they no longer see the members.
    let res = app
        .gql_as(
            Some(&staff.access),
            REMOVE,
            json!({ "id": id, "u": staff.id }),
        )
        .await;
    let payload = res.payload("removeCooperativeMember");
    assert_eq!(payload["removedUserId"], staff.id.as_str());
    assert_eq!(payload["removedMemberId"], member_id);
    assert_eq!(payload["cooperative"]["id"], id.as_str());
    assert_eq!(payload["cooperative"]["members"], Value::Null);
    assert_eq!(
        member_emails(&app, &owner.access, &id).await,
        json!(["owner@htx.vn"])
    );
    // Removed by the owner, the cooperative shows its remaining members.
    app.gql_as(
        Some(&owner.access),
        ADD,
        json!({ "id": id, "e": "staff@htx.vn", "r": "STAFF" }),
    )
    .await
    .payload("addCooperativeMember");
    let res = app
        .gql_as(
            Some(&owner.access),
            REMOVE,
            json!({ "id": id, "u": staff.id }),
        )
        .await;
    let payload = res.payload("removeCooperativeMember");
    assert_eq!(
        payload["cooperative"]["members"],
        json!([{ "userId": owner.id }])
    );
    // Someone who is not a member cannot be removed.
    let res = app
        .gql_as(
            Some(&owner.access),
            REMOVE,
            json!({ "id": id, "u": staff.id }),
        )
        .await;
    assert_eq!(res.user_code("removeCooperativeMember"), "NOT_FOUND");
    let res = app
        .gql_as(
            Some(&owner.access),
            REMOVE,
            json!({ "id": id, "u": uuid_of(&staff.id).to_string() }),
        )
        .await;
    assert_eq!(res.user_code("removeCooperativeMember"), "INVALID");
    assert_eq!(res.user_field("removeCooperativeMember"), "userId");
}

#[tokio::test]
async fn an_admin_verifies_a_cooperative() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let owner = app.register("owner@htx.vn").await;
    let id = app.cooperative(&owner, "HTX Mật ong Mộc Châu").await;
    let q = "mutation($id: ID!) { verifyCooperative(id: $id) { cooperative { verified verifiedAt } userErrors { code field message } } }";
    let res = app
        .gql_as(Some(&owner.access), q, json!({ "id": id }))
        .await;
    assert_eq!(res.user_code("verifyCooperative"), "FORBIDDEN");
    assert_eq!(res.data()["verifyCooperative"]["cooperative"], Value::Null);
    let res = app
        .gql_as(Some(&admin.access), q, json!({ "id": id }))
        .await;
    let verified = &res.payload("verifyCooperative")["cooperative"];
    assert_eq!(verified["verified"], true);
    assert!(verified["verifiedAt"].is_string());
    let unknown = app
        .gql_as(
            Some(&admin.access),
            q,
            json!({ "id": gid("Cooperative", uuid::Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(unknown.user_code("verifyCooperative"), "NOT_FOUND");
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
    assert_eq!(
        res.payload("updateCooperative")["cooperative"]["slug"],
        "htx-xoai-yen-chau"
    );
    let res = app
        .gql_as(
            Some(&owner.access),
            UPDATE,
            json!({ "id": id, "i": { "slug": "xoai-yen-chau" } }),
        )
        .await;
    assert_eq!(
        res.payload("updateCooperative")["cooperative"]["slug"],
        "xoai-yen-chau"
    );
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
    assert_eq!(res.user_code("updateCooperative"), "CONFLICT");
    assert_eq!(res.data()["updateCooperative"]["cooperative"], Value::Null);
    let res = app.gql(COOP, json!({ "id": other })).await;
    assert_eq!(res.data()["cooperative"]["slug"], "htx-khac", "unchanged");
}

#[tokio::test]
async fn bad_cooperative_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let create = "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code field message } } }";
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
        assert_eq!(res.user_code("createCooperative"), "INVALID", "{field}");
        assert_eq!(res.user_field("createCooperative"), field);
        assert_eq!(res.data()["createCooperative"]["cooperative"], Value::Null);
    }
    let merged = app
        .gql_as(
            Some(&owner.access),
            create,
            json!({ "i": { "name": "A", "address": { "province": "Hòa Bình", "ward": "X" } } }),
        )
        .await;
    let message = &merged.user_error("createCooperative")["message"];
    assert!(
        message.as_str().is_some_and(|m| m.contains("Phú Thọ")),
        "{message}"
    );
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
        "mutation($i: CreateCooperativeInput!) { createCooperative(input: $i) { cooperative { id } userErrors { code field message } } }",
        json!({ "i": { "name": "HTX Vải Lục Ngạn", "address": { "province": "Bắc Ninh", "ward": "Xã Lục Ngạn" } } }),
    )
    .await
    .payload("createCooperative");
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
    let add = "mutation($id: ID!, $e: String!) { addCooperativeMember(cooperativeId: $id, email: $e, role: STAFF) { member { role } userErrors { code field message } } }";
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
        .payload("addCooperativeMember");
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
    // One of them is followed: the stranger sees that, and only that.
    let followed = app.cooperative(&owner, "HTX số 4").await;
    app.gql_as(Some(&stranger.access), FOLLOW, json!({ "id": followed }))
        .await
        .payload("followCooperative");
    let q = "query($n: Int) { cooperatives(first: $n) { edges { node { name viewerRole viewerIsFollowing members { email } bankAccount { bin } } } } }";
    let (one, _) = app.least_queries(t, q, json!({ "n": 1 })).await;
    let (three, res) = app.least_queries(t, q, json!({ "n": 4 })).await;
    let edges = res.data()["cooperatives"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 4);
    assert!(edges.iter().all(|e| e["node"]["bankAccount"].is_null()
        && e["node"]["members"].is_null()
        && e["node"]["viewerRole"].is_null()));
    let following: Vec<_> = edges
        .iter()
        .map(|e| e["node"]["viewerIsFollowing"].clone())
        .collect();
    assert_eq!(following, [false, false, false, true]);
    assert!(three <= one + 1, "1 cooperative: {one} queries, 4: {three}");
}

#[tokio::test]
async fn a_cooperative_that_does_not_exist_is_null_not_an_error() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let unknown = gid("Cooperative", uuid::Uuid::new_v4());
    for (token, vars) in [
        (None, json!({ "id": unknown })),
        (Some(owner.access.as_str()), json!({ "id": unknown })),
        (None, json!({ "slug": "no-such-cooperative" })),
    ] {
        let res = app.gql_as(token, COOP, vars.clone()).await;
        assert_eq!(res.data()["cooperative"], Value::Null, "{vars}");
    }
    // An id that is not a cooperative's is still the caller's mistake.
    let res = app
        .gql(COOP, json!({ "id": gid("Product", uuid::Uuid::new_v4()) }))
        .await;
    assert_eq!(res.code(), "BAD_USER_INPUT");
    assert_eq!(res.field(), "id");
}

#[tokio::test]
async fn members_are_null_for_anyone_but_members_and_admins() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let stranger = app.register("stranger@example.vn").await;
    let admin = app.admin().await;
    let id = app.cooperative(&owner, "HTX Mận Mộc Châu").await;
    let q = "query($id: ID) { cooperative(id: $id) { name members { userId role } bankAccount { bin } } }";
    for token in [None, Some(stranger.access.as_str())] {
        let res = app.gql_as(token, q, json!({ "id": id })).await;
        let coop = &res.data()["cooperative"];
        assert_eq!(coop["name"], "HTX Mận Mộc Châu", "the rest still shows");
        assert_eq!(coop["members"], Value::Null);
        assert_eq!(coop["bankAccount"], Value::Null);
    }
    for who in [&owner, &admin] {
        let res = app.gql_as(Some(&who.access), q, json!({ "id": id })).await;
        let coop = &res.data()["cooperative"];
        assert_eq!(
            coop["members"],
            json!([{ "userId": owner.id, "role": "OWNER" }])
        );
        assert_eq!(coop["bankAccount"]["bin"], "970415");
    }
}

#[tokio::test]
async fn a_cooperative_says_whether_the_viewer_follows_it() {
    let app = TestApp::spawn().await;
    let owner = app.register("owner@htx.vn").await;
    let fan = app.register("fan@example.vn").await;
    let id = app.cooperative(&owner, "HTX Chè Shan tuyết").await;
    let q = "query($id: ID) { cooperative(id: $id) { viewerIsFollowing } }";
    let following = |token: Option<String>| {
        let (app, id) = (&app, &id);
        async move {
            app.gql_as(token.as_deref(), q, json!({ "id": id }))
                .await
                .data()["cooperative"]["viewerIsFollowing"]
                .clone()
        }
    };
    assert_eq!(following(Some(fan.access.clone())).await, false);
    let res = app
        .gql_as(Some(&fan.access), FOLLOW, json!({ "id": id }))
        .await;
    assert_eq!(
        res.payload("followCooperative")["cooperative"]["viewerIsFollowing"],
        true
    );
    assert_eq!(following(Some(fan.access.clone())).await, true);
    // Only the follower: not its owner, not an anonymous caller.
    assert_eq!(following(Some(owner.access.clone())).await, false);
    assert_eq!(following(None).await, false);
    app.gql_as(
        Some(&fan.access),
        "mutation($id: ID!) { unfollowCooperative(cooperativeId: $id) { userErrors { code field message } } }",
        json!({ "id": id }),
    )
    .await
    .payload("unfollowCooperative");
    assert_eq!(following(Some(fan.access.clone())).await, false);
}
