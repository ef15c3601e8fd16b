//! The `training-report` scenario: a course of 500 participants and 10
//! held sessions with full attendance marks, then `courseReport` and
//! `courseOutcomes` timed one at a time and under load.
//!
//! Participants belong to ten cooperatives the bench makes, and before
//! timing it places `--orders` orders (50,000 by default) with them through
//! `placeOrder`, so `courseOutcomes` adds up real sales.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::checkout::{Seller, Until, place_orders};
use crate::load::Load;
use crate::server::Server;

/// The seeded organiser and the password of every demo account
/// (`farmstream::seed::DEMO_PASSWORD`).
const ORGANISER: (&str, &str) = ("sct.sonla@farmstream.vn", "nong-san-son-la-2026");
const PARTICIPANTS: usize = 500;
const SESSIONS: usize = 10;

async fn gql(url: &str, token: &str, query: &str, variables: Value) -> anyhow::Result<Value> {
    let res: Value = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    anyhow::ensure!(
        crate::server::failure(&res).is_none(),
        "GraphQL errors: {res}"
    );
    Ok(res["data"].clone())
}

async fn login(url: &str) -> anyhow::Result<String> {
    let res: Value = reqwest::Client::new()
        .post(url)
        .json(&json!({
            "query": "mutation($i: LoginInput!) { login(input: $i) { session { accessToken } userErrors { code message } } }",
            "variables": { "i": { "email": ORGANISER.0, "password": ORGANISER.1 } }
        }))
        .send()
        .await?
        .json()
        .await?;
    res["data"]["login"]["session"]["accessToken"]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("organiser login failed: {res}"))
}

/// Builds the course, its participants spread over `cooperatives` (slugs);
/// returns its id.
async fn build_course(url: &str, token: &str, cooperatives: &[String]) -> anyhow::Result<String> {
    let today = course_dates();
    let data = gql(
        url,
        token,
        "mutation($i: CreateCourseInput!) { createCourse(input: $i) { course { id } userErrors { code message } } }",
        json!({ "i": {
            "title": "Bench: bán hàng qua livestream",
            "topic": "livestream",
            "hostOrganisation": "Sở Công Thương Sơn La",
            "area": "Mộc Châu",
            "startsOn": today.0,
            "endsOn": today.1,
            "capacity": PARTICIPANTS,
            "completionRule": { "minAttendancePercent": 70 }
        } }),
    )
    .await?;
    let id = data["createCourse"]["course"]["id"]
        .as_str()
        .context("course id")?
        .to_owned();
    gql(
        url,
        token,
        "mutation($c: ID!) { publishCourse(id: $c) { course { id } userErrors { code message } } }",
        json!({ "c": id }),
    )
    .await?;
    let mut csv = String::from("full_name,phone,commune,area,gender,cooperative_slug\n");
    let areas = ["Mộc Châu", "Yên Châu", "Mai Sơn", "Vân Hồ"];
    for i in 0..PARTICIPANTS {
        let gender = if i % 2 == 0 { "nữ" } else { "nam" };
        csv.push_str(&format!(
            "Học viên {i},09{:08},Xã {},{},{gender},{}\n",
            70_000_000 + i,
            areas[i % 4],
            areas[i % 4],
            cooperatives[i % cooperatives.len()]
        ));
    }
    let imported = gql(
        url,
        token,
        "mutation($c: ID!, $csv: String!) { importParticipants(courseId: $c, csv: $csv, mode: ALL_OR_NOTHING) { report { imported refused rows { participantId } } userErrors { code message } } }",
        json!({ "c": id, "csv": csv }),
    )
    .await?;
    anyhow::ensure!(
        imported["importParticipants"]["report"]["imported"] == PARTICIPANTS,
        "import: {imported}"
    );
    let people: Vec<String> = imported["importParticipants"]["report"]["rows"]
        .as_array()
        .context("rows")?
        .iter()
        .filter_map(|r| r["participantId"].as_str().map(str::to_owned))
        .collect();
    let now = now_secs();
    for s in 0..SESSIONS {
        // Sessions a day apart, ending before now, all within the course dates.
        let start = now - 86_400 * (SESSIONS as u64 - s as u64) - 7_200;
        let data = gql(
            url,
            token,
            "mutation($c: ID!, $i: ScheduleSessionInput!) { scheduleTrainingSession(courseId: $c, input: $i) { session { id } userErrors { code message } } }",
            json!({ "c": id, "i": {
                "title": format!("Buổi {}", s + 1),
                "startsAt": rfc3339(start),
                "endsAt": rfc3339(start + 3_600),
            } }),
        )
        .await?;
        let session = data["scheduleTrainingSession"]["session"]["id"]
            .as_str()
            .context("session id")?
            .to_owned();
        let entries: Vec<Value> = people
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let status = match (i + s) % 10 {
                    0 => "ABSENT",
                    1 => "LATE",
                    2 => "EXCUSED",
                    _ => "PRESENT",
                };
                json!({ "participantId": p, "status": status })
            })
            .collect();
        gql(
            url,
            token,
            "mutation($s: ID!, $e: [AttendanceEntryInput!]!) { recordAttendance(sessionId: $s, entries: $e) { records { status } userErrors { code message } } }",
            json!({ "s": session, "e": entries }),
        )
        .await?;
    }
    Ok(id)
}

/// The civil date of a day count since 1970-01-01, as `YYYY-MM-DD`
/// (Howard Hinnant's civil-from-days; the bench has no date crate).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// (course start, course end): 30 days back to 30 days ahead.
fn course_dates() -> (String, String) {
    let today = (now_secs() / 86_400) as i64;
    (civil(today - 30), civil(today + 30))
}

fn rfc3339(secs: u64) -> String {
    let rem = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        civil((secs / 86_400) as i64),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

async fn time_one(
    url: &str,
    token: &str,
    query: &str,
    id: &str,
    runs: usize,
) -> anyhow::Result<Vec<Duration>> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        gql(url, token, query, json!({ "c": id })).await?;
        times.push(started.elapsed());
    }
    times.sort();
    Ok(times)
}

fn print_times(name: &str, times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: min {:.1} ms, median {:.1} ms, max {:.1} ms ({} sequential runs)",
        ms(times[0]),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1]),
        times.len()
    );
}

const REPORT: &str = "query Report($c: ID!) { courseReport(courseId: $c) { enrolled completed heldSessions sessions { present late attendanceRate } byArea { key enrolled completed } byGender { key enrolled completed } } }";
const OUTCOMES: &str = "query Outcomes($c: ID!) { courseOutcomes(courseId: $c) { dataAvailable completers { participant { fullName } after { orders revenueVnd } } totalAfter { orders revenueVnd } } }";

/// Runs the scenario on a seeded release server.
pub async fn run(
    binary: &std::path::Path,
    orders: usize,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let server = Server::start_seeded(binary).await?;
    let url = server.graphql_url();
    let token = login(&url).await?;
    let built = Instant::now();
    let client = reqwest::Client::new();
    let seller = Seller::create(&server, &client, 10, (4, 4), 1_000_000).await?;
    let slugs: Vec<String> = seller.cooperatives.iter().map(|c| c.1.clone()).collect();
    let id = build_course(&url, &token, &slugs).await?;
    let placed = place_orders(&url, &seller.variants, Until::Count(orders), 32, "training").await?;
    anyhow::ensure!(
        placed.errors == 0,
        "placing orders failed: {}",
        placed.first_error.unwrap_or_default()
    );
    println!(
        "scenario: training-report ({PARTICIPANTS} participants of 10 cooperatives, {SESSIONS} sessions, {} attendance marks, {} orders, {}) built in {:.1} s",
        PARTICIPANTS * SESSIONS,
        placed.latencies.len(),
        server.backend(),
        built.elapsed().as_secs_f64()
    );
    print_times(
        "courseReport",
        &time_one(&url, &token, REPORT, &id, 30).await?,
    );
    let load = Load {
        url: url.clone(),
        body: json!({ "query": REPORT, "variables": { "c": id } }),
        token: Some(token.clone()),
        seconds,
        concurrency,
    };
    println!("courseReport under load ({concurrency} connections, {seconds} s):");
    load.run().await?.print();
    gql(
        &url,
        &token,
        "mutation($c: ID!) { completeCourse(courseId: $c) { completion { certificatesIssued } userErrors { code message } } }",
        json!({ "c": id }),
    )
    .await?;
    print_times(
        "courseOutcomes",
        &time_one(&url, &token, OUTCOMES, &id, 30).await?,
    );
    let outcomes = gql(&url, &token, OUTCOMES, json!({ "c": id })).await?;
    let counted = outcomes["courseOutcomes"]["totalAfter"]["orders"]
        .as_u64()
        .context("totalAfter.orders")?;
    println!(
        "courseOutcomes counts {counted} orders after the course ({} placed)",
        placed.latencies.len()
    );
    println!(
        "server peak RSS: {:.1} MiB",
        server.peak_rss_kib()? as f64 / 1024.0
    );
    server.stop().await;
    Ok(())
}
