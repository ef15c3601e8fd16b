//! Accounts: registration, login, tokens, roles.

use base64::Engine;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, gid, session_of, uuid_of};

const ME: &str = "{ me { id email displayName roles } }";
const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken user { id } } userErrors { code field message } } }";

#[tokio::test]
async fn a_new_account_is_signed_in_and_me_returns_it() {
    let app = TestApp::spawn().await;
    let lan = app.register("Lan.Nguyen@Example.VN").await;
    let me = app.gql_as(Some(&lan.access), ME, json!({})).await;
    assert_eq!(me.data()["me"]["id"], lan.id.as_str());
    assert_eq!(me.data()["me"]["email"], "lan.nguyen@example.vn");
    assert_eq!(me.data()["me"]["roles"], json!([]));
}

#[tokio::test]
async fn an_anonymous_caller_has_no_me() {
    let app = TestApp::spawn().await;
    let me = app.gql(ME, json!({})).await;
    assert_eq!(me.data()["me"], Value::Null);
}

#[tokio::test]
async fn registering_twice_with_one_email_is_a_conflict() {
    let app = TestApp::spawn().await;
    app.register("hoa@example.vn").await;
    let again = app
        .gql(
            REGISTER,
            json!({ "i": { "email": "HOA@example.vn", "password": PASSWORD, "displayName": "Hoa" } }),
        )
        .await;
    assert_eq!(again.user_code("register"), "CONFLICT");
    let message = again.user_error("register")["message"]
        .as_str()
        .expect("a message");
    assert!(message.starts_with("input.email: "), "{message}");
    assert_eq!(again.data()["register"]["session"], Value::Null);
}

#[tokio::test]
async fn weak_or_empty_passwords_and_malformed_emails_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    for (email, password, field) in [
        ("a@example.vn", "", "input.password"),
        ("a@example.vn", "short", "input.password"),
        ("a@example.vn", "1234567890", "input.password"),
        ("not-an-email", PASSWORD, "input.email"),
        ("", PASSWORD, "input.email"),
    ] {
        let res = app
            .gql(
                REGISTER,
                json!({ "i": { "email": email, "password": password, "displayName": "A" } }),
            )
            .await;
        assert_eq!(res.user_code("register"), "INVALID", "{email} / {password}");
        assert_eq!(res.user_field("register"), field, "{email} / {password}");
        assert_eq!(res.data()["register"]["session"], Value::Null);
    }
    let res = app
        .gql(
            REGISTER,
            json!({ "i": { "email": "b@example.vn", "password": PASSWORD, "displayName": "B", "phone": "12345" } }),
        )
        .await;
    assert_eq!(res.user_code("register"), "INVALID");
    assert_eq!(res.user_field("register"), "input.phone");
    // Nothing was written by the refused attempts.
    let ok = app.register("a@example.vn").await;
    assert!(!ok.id.is_empty());
}

#[tokio::test]
async fn a_wrong_password_gets_the_same_answer_as_an_unknown_email() {
    let app = TestApp::spawn().await;
    app.register("minh@example.vn").await;
    let wrong = app.login("minh@example.vn", "not the password").await;
    let unknown = app.login("nobody@example.vn", "not the password").await;
    assert_eq!(wrong.code(), "UNAUTHENTICATED");
    assert_eq!(unknown.code(), "UNAUTHENTICATED");
    assert_eq!(wrong.message(), unknown.message());
    let right = app.login("minh@example.vn", PASSWORD).await;
    assert!(right.payload("login")["session"]["accessToken"].is_string());
}

#[tokio::test]
async fn repeated_login_failures_lock_the_address_for_a_while() {
    let app = TestApp::spawn().await;
    app.register("tuan@example.vn").await;
    for _ in 0..5 {
        assert_eq!(
            app.login("tuan@example.vn", "guess guess guess")
                .await
                .code(),
            "UNAUTHENTICATED"
        );
    }
    let locked = app.login("tuan@example.vn", PASSWORD).await;
    assert_eq!(locked.code(), "RATE_LIMITED");
    assert!(
        locked.message().contains("too many failed login attempts"),
        "{}",
        locked.message()
    );
    // An address without an account is locked alike, so locking reveals nothing.
    for _ in 0..5 {
        app.login("ghost@example.vn", "guess guess guess").await;
    }
    assert!(
        app.login("ghost@example.vn", PASSWORD)
            .await
            .message()
            .contains("too many")
    );
}

fn sign(secret: &[u8], claims: serde_json::Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("signs")
}

fn claims(app: &TestApp, sub: &str, exp_offset_secs: i64) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": app.app.state.config.jwt_issuer,
        "aud": app.app.state.config.jwt_audience,
        "sub": sub,
        "iat": now,
        "exp": now + exp_offset_secs,
        "typ": "access",
    })
}

#[tokio::test]
async fn bad_access_tokens_are_unauthenticated() {
    let app = TestApp::spawn().await;
    let user = app.register("khanh@example.vn").await;
    let secret = app
        .app
        .state
        .config
        .jwt_secret
        .expose_secret()
        .as_bytes()
        .to_vec();
    // A token's subject is the user's UUID, not the global id.
    let sub = uuid_of(&user.id).to_string();

    let good = sign(&secret, claims(&app, &sub, 600));
    assert_eq!(
        app.gql_as(Some(&good), ME, json!({})).await.data()["me"]["id"],
        user.id.as_str()
    );

    let expired = sign(&secret, claims(&app, &sub, -120));
    let other_key = sign(
        b"some-other-secret-that-is-32-bytes-long",
        claims(&app, &sub, 600),
    );
    let mut wrong_aud = claims(&app, &sub, 600);
    wrong_aud["aud"] = json!("another-service");
    let wrong_aud = sign(&secret, wrong_aud);
    let mut refresh_typ = claims(&app, &sub, 600);
    refresh_typ["typ"] = json!("refresh");
    let refresh_typ = sign(&secret, refresh_typ);
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let alg_none = format!(
        "{}.{}.",
        b64(json!({ "alg": "none", "typ": "JWT" })),
        b64(claims(&app, &sub, 600))
    );

    for (what, token) in [
        ("expired", expired),
        ("another key", other_key),
        ("wrong audience", wrong_aud),
        ("not an access token", refresh_typ),
        ("alg none", alg_none),
        ("garbage", "not.a.token".to_owned()),
    ] {
        let res = app.gql_as(Some(&token), ME, json!({})).await;
        assert_eq!(res.code(), "UNAUTHENTICATED", "{what}: {}", res.body);
    }
    let expired = app
        .gql_as(
            Some(&sign(&secret, claims(&app, &sub, -120))),
            ME,
            json!({}),
        )
        .await;
    assert!(
        expired.message().contains("expired"),
        "{}",
        expired.message()
    );
}

const REFRESH: &str = "mutation($t: String!) { refreshToken(refreshToken: $t) { session { accessToken refreshToken user { id } } userErrors { code field message } } }";

#[tokio::test]
async fn refreshing_rotates_the_refresh_token() {
    let app = TestApp::spawn().await;
    let first = app.register("thu@example.vn").await;
    let res = app.gql(REFRESH, json!({ "t": first.refresh })).await;
    let second = session_of(res.payload("refreshToken"));
    assert_ne!(second.refresh, first.refresh);
    assert_eq!(second.id, first.id);
    let me = app.gql_as(Some(&second.access), ME, json!({})).await;
    assert_eq!(me.data()["me"]["id"], first.id.as_str());
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_its_whole_family() {
    let app = TestApp::spawn().await;
    let first = app.register("binh@example.vn").await;
    let second = session_of(
        app.gql(REFRESH, json!({ "t": first.refresh }))
            .await
            .payload("refreshToken"),
    );
    // The old token comes back: someone copied it.
    let reuse = app.gql(REFRESH, json!({ "t": first.refresh })).await;
    assert_eq!(reuse.code(), "UNAUTHENTICATED");
    // The legitimate newer token is now dead too.
    let after = app.gql(REFRESH, json!({ "t": second.refresh })).await;
    assert_eq!(after.code(), "UNAUTHENTICATED");
    // A separate login is a separate family and still works.
    let other = session_of(
        app.login("binh@example.vn", PASSWORD)
            .await
            .payload("login"),
    );
    app.gql(REFRESH, json!({ "t": other.refresh }))
        .await
        .payload("refreshToken");
}

#[tokio::test]
async fn logging_out_ends_the_refresh_token() {
    let app = TestApp::spawn().await;
    let s = app.register("an@example.vn").await;
    let out = app
        .gql(
            "mutation($t: String!) { logout(refreshToken: $t) { loggedOut userErrors { code field message } } }",
            json!({ "t": s.refresh }),
        )
        .await;
    assert_eq!(out.payload("logout")["loggedOut"], true);
    assert_eq!(
        app.gql(REFRESH, json!({ "t": s.refresh })).await.code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql(REFRESH, json!({ "t": "made-up" })).await.code(),
        "UNAUTHENTICATED"
    );
}

const GRANT: &str = "mutation($u: ID!, $r: PlatformRole!) { grantRole(userId: $u, role: $r) { user { id roles } userErrors { code field message } } }";
const REVOKE: &str = "mutation($u: ID!, $r: PlatformRole!) { revokeRole(userId: $u, role: $r) { user { id roles } userErrors { code field message } } }";

#[tokio::test]
async fn only_an_admin_can_grant_roles() {
    let app = TestApp::spawn().await;
    let shopper = app.register("shopper@example.vn").await;
    let other = app.register("other@example.vn").await;
    for (query, mutation) in [(GRANT, "grantRole"), (REVOKE, "revokeRole")] {
        let res = app
            .gql_as(
                Some(&shopper.access),
                query,
                json!({ "u": other.id, "r": "ORGANISER" }),
            )
            .await;
        assert_eq!(res.user_code(mutation), "FORBIDDEN", "{}", res.body);
        assert_eq!(res.data()[mutation]["user"], Value::Null);
        let res = app
            .gql(query, json!({ "u": other.id, "r": "ORGANISER" }))
            .await;
        assert_eq!(res.code(), "UNAUTHENTICATED");
    }
    // Nothing was granted.
    let me = app.gql_as(Some(&other.access), ME, json!({})).await;
    assert_eq!(me.data()["me"]["roles"], json!([]));
}

#[tokio::test]
async fn an_admin_grants_and_revokes_the_organiser_role() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = app.register("organiser@example.vn").await;
    let res = app
        .gql_as(
            Some(&admin.access),
            GRANT,
            json!({ "u": org.id, "r": "ORGANISER" }),
        )
        .await;
    let granted = &res.payload("grantRole")["user"];
    assert_eq!(granted["id"], org.id.as_str());
    assert_eq!(granted["roles"], json!(["ORGANISER"]));
    let me = app.gql_as(Some(&org.access), ME, json!({})).await;
    assert_eq!(me.data()["me"]["roles"], json!(["ORGANISER"]));
    let res = app
        .gql_as(
            Some(&admin.access),
            REVOKE,
            json!({ "u": org.id, "r": "ORGANISER" }),
        )
        .await;
    assert_eq!(res.payload("revokeRole")["user"]["roles"], json!([]));
}

#[tokio::test]
async fn granting_a_role_to_an_id_that_names_no_user_or_is_no_user_id_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let unknown = app
        .gql_as(
            Some(&admin.access),
            GRANT,
            json!({ "u": gid("User", uuid::Uuid::new_v4()), "r": "ORGANISER" }),
        )
        .await;
    assert_eq!(unknown.user_code("grantRole"), "NOT_FOUND");
    // A bare UUID, an id of another type and garbage name the argument.
    let cooperative = gid("Cooperative", uuid_of(&admin.id));
    for bad in ["42", &uuid_of(&admin.id).to_string(), &cooperative] {
        let res = app
            .gql_as(
                Some(&admin.access),
                GRANT,
                json!({ "u": bad, "r": "ORGANISER" }),
            )
            .await;
        assert_eq!(res.user_code("grantRole"), "INVALID", "{bad}");
        assert_eq!(res.user_field("grantRole"), "userId", "{bad}");
    }
}

#[tokio::test]
async fn the_last_admin_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let res = app
        .gql_as(
            Some(&admin.access),
            REVOKE,
            json!({ "u": admin.id, "r": "ADMIN" }),
        )
        .await;
    assert_eq!(res.user_code("revokeRole"), "CONFLICT");
    assert_eq!(res.data()["revokeRole"]["user"], Value::Null);
    let me = app.gql_as(Some(&admin.access), ME, json!({})).await;
    assert_eq!(me.data()["me"]["roles"], json!(["ADMIN"]));
}
