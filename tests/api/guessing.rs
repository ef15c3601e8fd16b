//! Guessing is bounded: the login lock and the guest order look-up throttle
//! count an attempt before they check it, so concurrent guesses cannot
//! outrun them, and password hashing (19 MiB a check) is bounded in
//! concurrency with a clear answer when it is full.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::existence_leaks::first_order;
use crate::helpers::{PASSWORD, TestApp};
use crate::orders::seller;

const LOGIN: &str = "mutation($i: LoginInput!) { login(input: $i) { session { accessToken } userErrors { code field message } } }";
const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken } userErrors { code field message } } }";
const LOOKUP: &str =
    "query($n: String!, $p: String!) { orderByNumber(number: $n, phone: $p) { id number } }";

/// A GraphQL POST through the router as if it came over TCP from `from`
/// (the in-process router has no peer otherwise), with extra headers.
async fn post_from(
    router: axum::Router,
    from: Option<SocketAddr>,
    headers: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> Value {
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let mut req = req.body(Body::from(body)).expect("request");
    if let Some(from) = from {
        req.extensions_mut().insert(ConnectInfo(from));
    }
    let res = router.oneshot(req).await.expect("router answers");
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    serde_json::from_slice(&bytes).expect("JSON")
}

fn code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

fn addr(s: &str) -> Option<SocketAddr> {
    Some(s.parse().expect("socket address"))
}

/// Sends every `(from, variables)` at once, each on its own task, and
/// returns the answers in order.
async fn all_at_once(
    app: &TestApp,
    query: &'static str,
    calls: Vec<(Option<SocketAddr>, Value)>,
) -> Vec<Value> {
    let barrier = Arc::new(tokio::sync::Barrier::new(calls.len()));
    let tasks: Vec<_> = calls
        .into_iter()
        .map(|(from, variables)| {
            let router = app.router.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                post_from(router, from, &[], query, variables).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for result in futures_util::future::join_all(tasks).await {
        answers.push(result.expect("task"));
    }
    answers
}

fn count(answers: &[Value], wanted: Option<&str>) -> usize {
    answers.iter().filter(|a| code(a) == wanted).count()
}

/// True when an `orderByNumber` answer found nothing: `null`, or (as the
/// lookup answered before lookups became nullable) `NOT_FOUND`.
fn missed(answer: &Value) -> bool {
    match code(answer) {
        Some(code) => code == "NOT_FOUND",
        None => answer["data"]["orderByNumber"].is_null(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_wrong_passwords_are_checked_at_most_five_times_and_the_right_one_is_then_refused()
 {
    let app = TestApp::spawn().await;
    app.register("race@example.vn").await;
    let calls = (0..40)
        .map(|n| {
            (
                None,
                json!({ "i": { "email": "race@example.vn", "password": format!("wrong guess {n}") } }),
            )
        })
        .collect();
    let answers = all_at_once(&app, LOGIN, calls).await;
    let checked = count(&answers, Some("UNAUTHENTICATED"));
    let refused = count(&answers, Some("RATE_LIMITED"));
    assert_eq!(
        (checked, refused),
        (5, 35),
        "every guess is checked or refused, and at most five are checked: {:?}",
        answers
            .iter()
            .filter(|a| !matches!(code(a), Some("UNAUTHENTICATED" | "RATE_LIMITED")))
            .collect::<Vec<_>>()
    );
    let locked = app.login("race@example.vn", PASSWORD).await;
    assert_eq!(locked.code(), "RATE_LIMITED");
    assert!(
        locked.message().contains("too many failed login attempts"),
        "{}",
        locked.message()
    );
    let retry_after = locked.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .expect("retryAfter in seconds");
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    // Another address is not locked by it.
    app.register("calm@example.vn").await;
    assert!(
        app.login("calm@example.vn", PASSWORD)
            .await
            .payload("login")["session"]["accessToken"]
            .is_string()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_success_forgives_earlier_failures() {
    let app = TestApp::spawn().await;
    app.register("forgetful@example.vn").await;
    for _ in 0..4 {
        assert_eq!(
            app.login("forgetful@example.vn", "not it at all")
                .await
                .code(),
            "UNAUTHENTICATED"
        );
    }
    app.login("forgetful@example.vn", PASSWORD)
        .await
        .payload("login");
    // Four more failures after the success are allowed, not one.
    for _ in 0..4 {
        assert_eq!(
            app.login("forgetful@example.vn", "not it at all")
                .await
                .code(),
            "UNAUTHENTICATED"
        );
    }
    app.login("forgetful@example.vn", PASSWORD)
        .await
        .payload("login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn logins_beyond_the_hashing_bound_are_refused_as_busy_not_internal() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_PASSWORD_HASH_CONCURRENCY".into(), "1".into());
        s.insert("FARMSTREAM_PASSWORD_HASH_QUEUE_MS".into(), "1".into());
    })
    .await;
    // Distinct addresses, so that the login lock plays no part.
    let calls = (0..24)
        .map(|n| {
            (
                None,
                json!({ "i": { "email": format!("flood{n}@example.vn"), "password": "any old guess" } }),
            )
        })
        .collect();
    let answers = all_at_once(&app, LOGIN, calls).await;
    let checked = count(&answers, Some("UNAUTHENTICATED"));
    let busy = count(&answers, Some("SERVICE_UNAVAILABLE"));
    assert_eq!(checked + busy, 24, "only the two answers: {answers:?}");
    assert!(checked >= 1, "the first in line is checked");
    assert!(busy >= 1, "the rest waited 1 ms and were refused");
    let busy_answer = answers
        .iter()
        .find(|a| code(a) == Some("SERVICE_UNAVAILABLE"))
        .expect("a refusal");
    assert!(
        busy_answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("busy")),
        "{busy_answer}"
    );
    // A refusal was not counted as a guess: five checks remain for each.
    let refused_email = answers
        .iter()
        .position(|a| code(a) == Some("SERVICE_UNAVAILABLE"))
        .map(|n| format!("flood{n}@example.vn"))
        .expect("a refused address");
    for _ in 0..5 {
        let res = app.login(&refused_email, "any old guess").await;
        assert_eq!(res.code(), "UNAUTHENTICATED", "{:?}", res.body);
    }
    assert_eq!(
        app.login(&refused_email, "any old guess").await.code(),
        "RATE_LIMITED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registrations_share_the_hashing_bound_and_a_refused_one_writes_nothing() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_PASSWORD_HASH_CONCURRENCY".into(), "1".into());
        s.insert("FARMSTREAM_PASSWORD_HASH_QUEUE_MS".into(), "1".into());
    })
    .await;
    let calls = (0..16)
        .map(|n| {
            (
                None,
                json!({ "i": { "email": format!("new{n}@example.vn"), "password": PASSWORD, "displayName": "Mới" } }),
            )
        })
        .collect();
    let answers = all_at_once(&app, REGISTER, calls).await;
    let created = answers
        .iter()
        .filter(|a| {
            code(a).is_none() && a["data"]["register"]["session"]["accessToken"].is_string()
        })
        .count();
    let busy = count(&answers, Some("SERVICE_UNAVAILABLE"));
    assert_eq!(created + busy, 16, "{answers:?}");
    assert!(created >= 1 && busy >= 1, "{answers:?}");
    // A refused registration left no account behind: it can be made now.
    let n = answers
        .iter()
        .position(|a| code(a) == Some("SERVICE_UNAVAILABLE"))
        .expect("a refused registration");
    app.register(&format!("new{n}@example.vn")).await;
}

/// A guest's COD order in a fresh cooperative; returns its number.
async fn guest_order(app: &TestApp, seller_email: &str, phone: &str) -> String {
    let (_, _, variant) = seller(app, seller_email, 50_000, 10).await;
    first_order(app, None, &variant, phone).await["number"]
        .as_str()
        .expect("order number")
        .to_owned()
}

#[tokio::test]
async fn five_wrong_phones_lock_an_order_number_even_for_the_right_phone() {
    let app = TestApp::spawn().await;
    let target = guest_order(&app, "a@x.vn", "0912345678").await;
    let other = guest_order(&app, "b@x.vn", "0987654321").await;
    let attacker = addr("203.0.113.7:40000");
    for n in 0..5 {
        let res = post_from(
            app.router.clone(),
            attacker,
            &[],
            LOOKUP,
            json!({ "n": target, "p": format!("090000000{n}") }),
        )
        .await;
        assert!(missed(&res), "{res}");
    }
    let right = post_from(
        app.router.clone(),
        attacker,
        &[],
        LOOKUP,
        json!({ "n": target, "p": "0912345678" }),
    )
    .await;
    assert_eq!(code(&right), Some("RATE_LIMITED"), "{right}");
    assert!(right["data"].is_null() || right["data"]["orderByNumber"].is_null());
    // The owner, from elsewhere, is refused too: the number is locked.
    let owner = post_from(
        app.router.clone(),
        addr("198.51.100.20:5000"),
        &[],
        LOOKUP,
        json!({ "n": target, "p": "0912345678" }),
    )
    .await;
    assert_eq!(code(&owner), Some("RATE_LIMITED"), "{owner}");
    // Another order number from another address still works.
    let found = post_from(
        app.router.clone(),
        addr("198.51.100.9:5000"),
        &[],
        LOOKUP,
        json!({ "n": other, "p": "0987654321" }),
    )
    .await;
    assert_eq!(
        found["data"]["orderByNumber"]["number"],
        other.as_str(),
        "{found}"
    );
}

#[tokio::test]
async fn twenty_failed_lookups_from_one_address_lock_it_for_every_order_whatever_it_forwards() {
    let app = TestApp::spawn().await;
    let order = guest_order(&app, "c@x.vn", "0912345678").await;
    let attacker = addr("203.0.113.8:40000");
    // Twenty different numbers, so that no one number is locked; a forged
    // X-Forwarded-For is not believed without trusted proxies.
    for n in 0..20 {
        let guess = format!("FS-AAAAA{}", char::from(b"34679ACDEFGHJKMNPQRTUVWXY"[n]));
        let forged = format!("192.0.2.{n}");
        let res = post_from(
            app.router.clone(),
            attacker,
            &[("x-forwarded-for", forged.as_str())],
            LOOKUP,
            json!({ "n": guess, "p": "0912345678" }),
        )
        .await;
        assert!(missed(&res), "{guess}: {res}");
    }
    let right = post_from(
        app.router.clone(),
        attacker,
        &[("x-forwarded-for", "192.0.2.200")],
        LOOKUP,
        json!({ "n": order, "p": "0912345678" }),
    )
    .await;
    assert_eq!(code(&right), Some("RATE_LIMITED"), "{right}");
    // The same order from another address is found: the order itself was
    // never guessed at.
    let found = post_from(
        app.router.clone(),
        addr("198.51.100.30:5000"),
        &[],
        LOOKUP,
        json!({ "n": order, "p": "0912345678" }),
    )
    .await;
    assert_eq!(
        found["data"]["orderByNumber"]["number"],
        order.as_str(),
        "{found}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_wrong_phones_from_many_addresses_are_checked_at_most_five_times() {
    let app = TestApp::spawn().await;
    let order = guest_order(&app, "d@x.vn", "0912345678").await;
    let calls = (0..40)
        .map(|n| {
            (
                addr(&format!("203.0.113.{}:4000", n + 1)),
                json!({ "n": order, "p": format!("09100000{n:02}") }),
            )
        })
        .collect();
    let answers = all_at_once(&app, LOOKUP, calls).await;
    assert_eq!(
        (
            answers.iter().filter(|a| missed(a)).count(),
            count(&answers, Some("RATE_LIMITED"))
        ),
        (5, 35),
        "{answers:?}"
    );
    let right = post_from(
        app.router.clone(),
        addr("198.51.100.40:5000"),
        &[],
        LOOKUP,
        json!({ "n": order, "p": "0912345678" }),
    )
    .await;
    assert_eq!(code(&right), Some("RATE_LIMITED"), "{right}");
}

#[tokio::test]
async fn a_guest_who_finds_their_order_is_not_counted_against_their_address() {
    let app = TestApp::spawn().await;
    let order = guest_order(&app, "e@x.vn", "0912345678").await;
    let guest = addr("198.51.100.50:5000");
    // Thirty successful look-ups, more than the address limit of failures.
    for _ in 0..30 {
        let res = post_from(
            app.router.clone(),
            guest,
            &[],
            LOOKUP,
            json!({ "n": order, "p": "0912345678" }),
        )
        .await;
        assert_eq!(
            res["data"]["orderByNumber"]["number"],
            order.as_str(),
            "{res}"
        );
    }
}
