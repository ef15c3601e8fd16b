//! Training: courses, sessions, participants, waitlist, attendance, check-in,
//! completion and certificates, reports, outcomes, CSV import and export.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Session, TestApp, USER_ERRORS};

pub(crate) const CREATE: &str = "mutation($i: CreateCourseInput!) { createCourse(input: $i) { course { id status capacity seatsLeft completionRule { minAttendancePercent } } userErrors { code field message } } }";
pub(crate) const SCHEDULE: &str = "mutation($c: ID!, $i: ScheduleSessionInput!) { scheduleTrainingSession(courseId: $c, input: $i) { session { id checkInCode } userErrors { code field message } } }";
pub(crate) const ENROL: &str = "mutation($c: ID!, $i: ParticipantInput!, $w: Boolean) { enrollParticipant(courseId: $c, input: $i, joinWaitlist: $w) { enrolment { id status waitlistPosition participant { id fullName phone } } userErrors { code field message } } }";
pub(crate) const RECORD: &str = "mutation($s: ID!, $e: [AttendanceEntryInput!]!) { recordAttendance(sessionId: $s, entries: $e) { records { id status participant { id } } userErrors { code field message } } }";
pub(crate) const CHECK_IN: &str = "mutation($code: String!, $phone: String!) { checkInToSession(code: $code, phone: $phone) { checkIn { status sessionTitle participantName } userErrors { code field message } } }";
pub(crate) const IMPORT: &str = "mutation($c: ID!, $csv: String!, $m: ImportMode!) { importParticipants(courseId: $c, csv: $csv, mode: $m) { report { imported refused rows { line outcome column reason } } userErrors { code field message } } }";
pub(crate) const ROSTER: &str = "query($c: ID!) { courseParticipants(courseId: $c) { totalCount edges { node { id status waitlistPosition certificateNumber participant { id fullName phone email } } } } }";
pub(crate) const COMPLETE: &str = "mutation($c: ID!) { completeCourse(courseId: $c) { completion { certificatesIssued certificates { id number participantName courseTitle issuedOn } course { status } } userErrors { code field message } } }";

/// Today in Vietnam, where course dates are kept.
pub(crate) fn today() -> chrono::NaiveDate {
    farmstream::training::local_date(Utc::now())
}

/// A signed-in user holding the platform role ORGANISER.
pub(crate) async fn organiser(app: &TestApp, admin: &Session, email: &str) -> Session {
    let user = app.register(email).await;
    let res = app
        .gql_as(
            Some(&admin.access),
            "mutation($u: ID!) { grantRole(userId: $u, role: ORGANISER) { user { id } userErrors { code field message } } }",
            json!({ "u": user.id }),
        )
        .await;
    res.payload("grantRole");
    user
}

pub(crate) fn course_input(capacity: i32) -> Value {
    json!({
        "title": "Bán nông sản qua livestream",
        "description": "Dựng kênh, quay video, chốt đơn trên TikTok Shop.",
        "topic": "livestream",
        "hostOrganisation": "Sở Công Thương Sơn La",
        "area": "Mộc Châu",
        // Two days back: `attended_course` holds a session 30 hours ago,
        // which is the day before yesterday in Vietnam before 6 a.m. there.
        "startsOn": (today() - Duration::days(2)).to_string(),
        "endsOn": (today() + Duration::days(30)).to_string(),
        "capacity": capacity,
        "completionRule": { "minAttendancePercent": 50 }
    })
}

/// A published course of `capacity` seats; returns its id.
pub(crate) async fn course(app: &TestApp, org: &Session, capacity: i32) -> String {
    let res = app
        .gql_as(
            Some(&org.access),
            CREATE,
            json!({ "i": course_input(capacity) }),
        )
        .await;
    let id = res.payload("createCourse")["course"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.gql_as(Some(&org.access), PUBLISH, json!({ "c": id }))
        .await
        .payload("publishCourse");
    id
}

pub(crate) const WITHDRAW: &str = "mutation($c: ID!, $p: ID!) { withdrawParticipant(courseId: $c, participantId: $p) { enrolment { id status } userErrors { code field message } } }";

pub(crate) const CANCEL_SESSION: &str = "mutation($s: ID!) { cancelTrainingSession(id: $s) { session { status cancelledAt } userErrors { code field message } } }";

pub(crate) const PUBLISH: &str = "mutation($c: ID!) { publishCourse(id: $c) { course { status } userErrors { code field message } } }";

/// A session starting `start` from now, lasting `minutes`; returns (id, check-in code).
pub(crate) async fn session(
    app: &TestApp,
    org: &Session,
    course: &str,
    start: Duration,
    minutes: i64,
) -> (String, String) {
    let starts = Utc::now() + start;
    let res = app
        .gql_as(
            Some(&org.access),
            SCHEDULE,
            json!({ "c": course, "i": {
                "title": "Buổi học",
                "startsAt": starts.to_rfc3339(),
                "endsAt": (starts + Duration::minutes(minutes)).to_rfc3339(),
                "location": "Hội trường UBND xã Mộc Châu"
            } }),
        )
        .await;
    let s = &res.payload("scheduleTrainingSession")["session"];
    (
        s["id"].as_str().expect("id").to_owned(),
        s["checkInCode"].as_str().expect("code").to_owned(),
    )
}

pub(crate) fn person(name: &str, phone: &str) -> Value {
    json!({ "fullName": name, "phone": phone, "email": "hoc.vien@example.vn", "commune": "Xã Mộc Châu", "area": "Mộc Châu", "gender": "FEMALE" })
}

/// Enrols a person; returns their participant id.
pub(crate) async fn enrol(
    app: &TestApp,
    org: &Session,
    course: &str,
    name: &str,
    phone: &str,
) -> String {
    let res = app
        .gql_as(
            Some(&org.access),
            ENROL,
            json!({ "c": course, "i": person(name, phone) }),
        )
        .await;
    res.payload("enrollParticipant")["enrolment"]["participant"]["id"]
        .as_str()
        .expect("participant id")
        .to_owned()
}

/// The path of a URL the API handed out (`https://host/a/b` → `/a/b`), to
/// request it from the test router.
pub(crate) fn path_of(url: &Value) -> String {
    let url = url.as_str().unwrap_or_else(|| panic!("a URL, got {url}"));
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/')
        .map_or_else(|| "/".to_owned(), |at| rest[at..].to_owned())
}

pub(crate) async fn get(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    app.request(req.body(Body::empty()).expect("request")).await
}

#[tokio::test]
async fn an_organiser_creates_publishes_and_lists_courses_and_drafts_stay_private() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let res = app
        .gql_as(Some(&org.access), CREATE, json!({ "i": course_input(30) }))
        .await;
    let created = &res.payload("createCourse")["course"];
    assert_eq!(created["status"], "DRAFT");
    assert_eq!(created["seatsLeft"], 30);
    assert_eq!(created["completionRule"]["minAttendancePercent"], 50);
    let draft = created["id"].as_str().expect("id").to_owned();
    let anon = app
        .gql(
            "query($id: ID!) { course(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(
        anon.data()["course"],
        Value::Null,
        "a draft is null to the public"
    );
    let seen = app
        .gql_as(
            Some(&org.access),
            "query($id: ID!) { course(id: $id) { id } }",
            json!({ "id": draft }),
        )
        .await;
    assert_eq!(seen.data()["course"]["id"], draft.as_str());
    let nothing = app
        .gql(
            "query($id: ID!) { course(id: $id) { id } }",
            json!({ "id": crate::helpers::gid("Course", uuid::Uuid::new_v4()) }),
        )
        .await;
    assert_eq!(nothing.data()["course"], Value::Null, "no such course");
    let bare = app
        .gql(
            "query($id: ID!) { course(id: $id) { id } }",
            json!({ "id": crate::helpers::uuid_of(&draft).to_string() }),
        )
        .await;
    assert_eq!(bare.code(), "BAD_USER_INPUT");
    assert_eq!(bare.field(), "id");
    let mut published = Vec::new();
    for _ in 0..3 {
        published.push(course(&app, &org, 10).await);
    }
    let list = "query($after: String) { courses(first: 2, after: $after, filter: { area: \"Mộc Châu\", status: PUBLISHED }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title } } } }";
    let first = app.gql(list, json!({})).await;
    let page = &first.data()["courses"];
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let second = app
        .gql(list, json!({ "after": page["pageInfo"]["endCursor"] }))
        .await;
    let page2 = &second.data()["courses"];
    assert_eq!(page2["edges"].as_array().map(Vec::len), Some(1));
    assert_eq!(page2["pageInfo"]["hasNextPage"], false);
    let everything = app
        .gql_as(Some(&org.access), "{ courses(first: 100) { totalCount } myCourses(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { node { id viewerCanManage organisers { id } } } } }", json!({}))
        .await;
    assert_eq!(
        everything.data()["courses"]["totalCount"],
        4,
        "an organiser sees their draft"
    );
    let mine = &everything.data()["myCourses"];
    assert_eq!(mine["totalCount"], 4);
    assert_eq!(mine["edges"].as_array().map(Vec::len), Some(3));
    assert_eq!(mine["pageInfo"]["hasNextPage"], true);
    assert_eq!(mine["edges"][0]["node"]["viewerCanManage"], true);
    let rest = app
        .gql_as(
            Some(&org.access),
            "query($a: String) { myCourses(first: 3, after: $a) { pageInfo { hasNextPage } edges { node { id } } } }",
            json!({ "a": mine["pageInfo"]["endCursor"] }),
        )
        .await;
    let rest = &rest.data()["myCourses"];
    assert_eq!(rest["edges"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    let mut ids: Vec<&Value> = mine["edges"]
        .as_array()
        .into_iter()
        .chain(rest["edges"].as_array())
        .flatten()
        .map(|e| &e["node"]["id"])
        .collect();
    ids.sort_by_key(|id| id.to_string());
    ids.dedup();
    assert_eq!(ids.len(), 4, "the pages do not overlap");
    let too_many = app
        .gql("{ courses(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(too_many.code(), "BAD_USER_INPUT");
}

#[tokio::test]
async fn only_organisers_create_courses_and_anonymous_callers_must_sign_in() {
    let app = TestApp::spawn().await;
    let shopper = app.register("lan@example.vn").await;
    let res = app
        .gql_as(
            Some(&shopper.access),
            CREATE,
            json!({ "i": course_input(10) }),
        )
        .await;
    assert_eq!(res.user_code("createCourse"), "FORBIDDEN");
    assert_eq!(res.data()["createCourse"]["course"], Value::Null);
    let res = app.gql(CREATE, json!({ "i": course_input(10) })).await;
    assert_eq!(res.code(), "UNAUTHENTICATED");
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one table of every managing operation, each tried by three callers"
)]
async fn every_course_mutation_refuses_a_non_organiser_and_an_organiser_of_another_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let other = organiser(&app, &admin, "other@sct.vn").await;
    let shopper = app.register("lan@example.vn").await;
    let id = course(&app, &org, 10).await;
    let (session_id, _) = session(&app, &org, &id, Duration::minutes(-10), 120).await;
    let person_id = enrol(&app, &org, &id, "Lò Thị Hoa", "0912345001").await;
    // (the mutation, or None for a query; the operation; its variables)
    let cases: Vec<(Option<&str>, &str, Value)> = vec![
        (
            Some("updateCourse"),
            "mutation($c: ID!) { updateCourse(id: $c, input: { title: \"Khác\" }) { course { id } userErrors { code field message } } }",
            json!({ "c": id }),
        ),
        (
            Some("publishCourse"),
            "mutation($c: ID!) { publishCourse(id: $c) { course { id } userErrors { code field message } } }",
            json!({ "c": id }),
        ),
        (
            Some("cancelCourse"),
            "mutation($c: ID!) { cancelCourse(id: $c) { course { id } userErrors { code field message } } }",
            json!({ "c": id }),
        ),
        (
            Some("addCourseOrganiser"),
            "mutation($c: ID!, $u: ID!) { addCourseOrganiser(courseId: $c, userId: $u) { course { id } userErrors { code field message } } }",
            json!({ "c": id, "u": other.id }),
        ),
        (
            Some("scheduleTrainingSession"),
            SCHEDULE,
            json!({ "c": id, "i": { "title": "x", "startsAt": Utc::now().to_rfc3339(), "endsAt": (Utc::now() + Duration::hours(1)).to_rfc3339() } }),
        ),
        (
            Some("updateTrainingSession"),
            "mutation($s: ID!) { updateTrainingSession(id: $s, input: { title: \"x\" }) { session { id } userErrors { code field message } } }",
            json!({ "s": session_id }),
        ),
        (
            Some("cancelTrainingSession"),
            "mutation($s: ID!) { cancelTrainingSession(id: $s) { session { id } userErrors { code field message } } }",
            json!({ "s": session_id }),
        ),
        (
            Some("enrollParticipant"),
            ENROL,
            json!({ "c": id, "i": person("Cầm Văn Nam", "0912345002") }),
        ),
        (
            Some("withdrawParticipant"),
            WITHDRAW,
            json!({ "c": id, "p": person_id }),
        ),
        (
            Some("importParticipants"),
            IMPORT,
            json!({ "c": id, "csv": "full_name,phone,commune,area\nA,0912345003,X,Y\n", "m": "ROW_BY_ROW" }),
        ),
        (
            Some("recordAttendance"),
            RECORD,
            json!({ "s": session_id, "e": [{ "participantId": person_id, "status": "PRESENT" }] }),
        ),
        (Some("completeCourse"), COMPLETE, json!({ "c": id })),
        (
            None,
            "query($c: ID!) { courseReport(courseId: $c) { enrolled } }",
            json!({ "c": id }),
        ),
        (
            None,
            "query($c: ID!) { courseOutcomes(courseId: $c) { windowDays } }",
            json!({ "c": id }),
        ),
    ];
    for (mutation, query, vars) in &cases {
        for who in [&shopper, &other] {
            let res = app.gql_as(Some(&who.access), query, vars.clone()).await;
            match mutation {
                Some(m) => {
                    assert_eq!(res.user_code(m), "FORBIDDEN", "{query} as {}", who.id);
                    let result = res.data()[*m]
                        .as_object()
                        .and_then(|p| p.iter().find(|(k, _)| *k != "userErrors"))
                        .map(|(_, v)| v.clone());
                    assert_eq!(result, Some(Value::Null), "{query}: no result");
                }
                None => assert_eq!(res.code(), "FORBIDDEN", "{query} as {}", who.id),
            }
        }
        let res = app.gql(query, vars.clone()).await;
        assert_eq!(res.code(), "UNAUTHENTICATED", "{query} anonymously");
    }
    // Nothing changed.
    let report = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { courseReport(courseId: $c) { enrolled course { title status } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(report.data()["courseReport"]["enrolled"], 1);
    assert_eq!(
        report.data()["courseReport"]["course"]["status"],
        "PUBLISHED"
    );
}

#[tokio::test]
async fn a_co_organiser_shares_the_management_of_a_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let co = organiser(&app, &admin, "co@sct.vn").await;
    let shopper = app.register("lan@example.vn").await;
    let id = course(&app, &org, 10).await;
    let add = format!(
        "mutation($c: ID!, $u: ID!) {{ addCourseOrganiser(courseId: $c, userId: $u) {{ course {{ organisers {{ id }} }} {USER_ERRORS} }} }}"
    );
    let add = add.as_str();
    let refused = app
        .gql_as(Some(&org.access), add, json!({ "c": id, "u": shopper.id }))
        .await;
    assert_eq!(refused.user_code("addCourseOrganiser"), "INVALID");
    assert_eq!(refused.user_field("addCourseOrganiser"), "userId");
    let res = app
        .gql_as(Some(&org.access), add, json!({ "c": id, "u": co.id }))
        .await;
    assert_eq!(
        res.payload("addCourseOrganiser")["course"]["organisers"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let res = app
        .gql_as(
            Some(&co.access),
            "mutation($c: ID!) { updateCourse(id: $c, input: { capacity: 20 }) { course { capacity } userErrors { code field message } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(res.payload("updateCourse")["course"]["capacity"], 20);
}

#[tokio::test]
async fn sessions_must_end_after_they_start_and_fall_within_the_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 10).await;
    let now = Utc::now();
    let backwards = app
        .gql_as(Some(&org.access), SCHEDULE, json!({ "c": id, "i": { "title": "x", "startsAt": now.to_rfc3339(), "endsAt": (now - Duration::hours(1)).to_rfc3339() } }))
        .await;
    assert_eq!(backwards.user_code("scheduleTrainingSession"), "INVALID");
    assert_eq!(
        backwards.user_field("scheduleTrainingSession"),
        "input.endsAt"
    );
    let later = now + Duration::days(60);
    let outside = app
        .gql_as(Some(&org.access), SCHEDULE, json!({ "c": id, "i": { "title": "x", "startsAt": later.to_rfc3339(), "endsAt": (later + Duration::hours(2)).to_rfc3339() } }))
        .await;
    assert_eq!(outside.user_code("scheduleTrainingSession"), "INVALID");
    assert_eq!(
        outside.user_field("scheduleTrainingSession"),
        "input.startsAt"
    );
    let message = outside.user_error("scheduleTrainingSession")["message"].clone();
    assert!(
        message
            .as_str()
            .is_some_and(|m| m.contains("outside the course dates")),
        "{message}"
    );
    let (session_id, _) = session(&app, &org, &id, Duration::hours(1), 60).await;
    let moved = app
        .gql_as(
            Some(&org.access),
            "mutation($s: ID!, $e: DateTime!) { updateTrainingSession(id: $s, input: { endsAt: $e }) { session { id } userErrors { code field message } } }",
            json!({ "s": session_id, "e": now.to_rfc3339() }),
        )
        .await;
    assert_eq!(moved.user_code("updateTrainingSession"), "INVALID");
    assert_eq!(moved.user_field("updateTrainingSession"), "input.endsAt");
    let shrink = app
        .gql_as(
            Some(&org.access),
            "mutation($c: ID!, $d: NaiveDate!) { updateCourse(id: $c, input: { endsOn: $d }) { course { id } userErrors { code field message } } }",
            json!({ "c": id, "d": (today() - Duration::days(1)).to_string() }),
        )
        .await;
    assert_eq!(shrink.user_code("updateCourse"), "INVALID");
    let unchanged = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { course(id: $c) { endsOn sessions { endsAt } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        unchanged.data()["course"]["endsOn"],
        (today() + Duration::days(30)).to_string(),
        "nothing half-written"
    );
}

#[tokio::test]
async fn a_person_is_one_participant_across_courses_matched_by_phone() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let first = course(&app, &org, 10).await;
    let second = course(&app, &org, 10).await;
    let a = enrol(&app, &org, &first, "Lò Thị Hoa", "0912 345 001").await;
    let b = enrol(&app, &org, &second, "Lò Thị Hoa", "+84 912 345 001").await;
    assert_eq!(a, b);
    let again = app
        .gql_as(
            Some(&org.access),
            ENROL,
            json!({ "c": first, "i": person("Lò Thị Hoa", "0912345001") }),
        )
        .await;
    assert_eq!(again.user_code("enrollParticipant"), "CONFLICT");
    let bad = app
        .gql_as(
            Some(&org.access),
            ENROL,
            json!({ "c": first, "i": person("Lò Thị Hoa", "12345") }),
        )
        .await;
    assert_eq!(bad.user_code("enrollParticipant"), "INVALID");
    assert_eq!(bad.user_field("enrollParticipant"), "input.phone");
}

#[tokio::test]
async fn a_full_course_refuses_or_waitlists_and_the_first_waitlisted_moves_up() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 1).await;
    let seated = enrol(&app, &org, &id, "Lò Thị Hoa", "0912345001").await;
    let full = app
        .gql_as(
            Some(&org.access),
            ENROL,
            json!({ "c": id, "i": person("Cầm Văn Nam", "0912345002") }),
        )
        .await;
    assert_eq!(full.user_code("enrollParticipant"), "CONFLICT");
    let mut waiting = Vec::new();
    for (i, (name, phone)) in [
        ("Cầm Văn Nam", "0912345002"),
        ("Quàng Thị Mai", "0912345003"),
    ]
    .into_iter()
    .enumerate()
    {
        let res = app
            .gql_as(
                Some(&org.access),
                ENROL,
                json!({ "c": id, "i": person(name, phone), "w": true }),
            )
            .await;
        let e = &res.payload("enrollParticipant")["enrolment"];
        assert_eq!(e["status"], "WAITLISTED");
        assert_eq!(e["waitlistPosition"], i + 1);
        waiting.push(e["participant"]["id"].as_str().expect("id").to_owned());
    }
    let res = app
        .gql_as(Some(&org.access), WITHDRAW, json!({ "c": id, "p": seated }))
        .await;
    let withdrawn = &res.payload("withdrawParticipant")["enrolment"];
    assert_eq!(withdrawn["status"], "WITHDRAWN");
    let withdrawn_id = withdrawn["id"].clone();
    let roster = app
        .gql_as(Some(&org.access), ROSTER, json!({ "c": id }))
        .await;
    let edges = roster.data()["courseParticipants"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let status_of = |pid: &str| {
        edges
            .iter()
            .find(|e| e["node"]["participant"]["id"] == pid)
            .map(|e| {
                (
                    e["node"]["status"].clone(),
                    e["node"]["waitlistPosition"].clone(),
                )
            })
    };
    assert_eq!(
        status_of(&waiting[0]),
        Some((json!("ENROLLED"), Value::Null))
    );
    assert_eq!(
        status_of(&waiting[1]),
        Some((json!("WAITLISTED"), json!(1)))
    );
    let seated_node = edges
        .iter()
        .find(|e| e["node"]["participant"]["id"] == seated.as_str())
        .map(|e| e["node"].clone())
        .expect("the withdrawn participant is listed");
    assert_eq!(seated_node["id"], withdrawn_id, "an enrolment keeps its id");
    let mut ids: Vec<String> = edges.iter().map(|e| e["node"]["id"].to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each enrolment has its own id");
}

#[tokio::test]
async fn contacts_are_visible_only_to_organisers_and_admins() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 10).await;
    enrol(&app, &org, &id, "Lò Thị Hoa", "0912345001").await;
    // A user enrols themselves and then reads the list without contacts.
    let learner = app.register("hoc.vien@example.vn").await;
    let res = app
        .gql_as(
            Some(&learner.access),
            "mutation($c: ID!) { enrollInCourse(courseId: $c, input: { phone: \"0987000111\", commune: \"Xã Chiềng Sơn\", area: \"Mộc Châu\" }) { enrolment { status participant { fullName } } userErrors { code field message } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        res.payload("enrollInCourse")["enrolment"]["status"],
        "ENROLLED"
    );
    let seen = app
        .gql_as(Some(&learner.access), ROSTER, json!({ "c": id }))
        .await;
    let edges = &seen.data()["courseParticipants"]["edges"];
    assert_eq!(edges[0]["node"]["participant"]["fullName"], "Lò Thị Hoa");
    assert_eq!(edges[0]["node"]["participant"]["phone"], Value::Null);
    assert_eq!(edges[0]["node"]["participant"]["email"], Value::Null);
    for who in [&org, &admin] {
        let seen = app
            .gql_as(Some(&who.access), ROSTER, json!({ "c": id }))
            .await;
        assert_eq!(
            seen.data()["courseParticipants"]["edges"][0]["node"]["participant"]["phone"],
            "0912345001"
        );
    }
    let stranger = app.register("stranger@example.vn").await;
    let refused = app
        .gql_as(Some(&stranger.access), ROSTER, json!({ "c": id }))
        .await;
    assert_eq!(refused.code(), "FORBIDDEN");
    let mine = app
        .gql_as(
            Some(&learner.access),
            "{ myCourses { edges { node { id viewerCanManage participantsCsvUrl attendanceCsvUrl } } } }",
            json!({}),
        )
        .await;
    let node = &mine.data()["myCourses"]["edges"][0]["node"];
    assert_eq!(node["id"], id.as_str());
    assert_eq!(node["viewerCanManage"], false);
    assert_eq!(node["participantsCsvUrl"], Value::Null);
    assert_eq!(node["attendanceCsvUrl"], Value::Null);
}

#[tokio::test]
async fn importing_all_or_nothing_keeps_nothing_when_a_row_is_bad() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 50).await;
    let csv = "full_name,phone,email,commune,area,gender,cooperative_slug,role_in_cooperative\n\
               Lò Thị Hoa,0912345001,,\"Xã Mộc Châu, Sơn La\",Mộc Châu,nữ,,\n\
               Cầm Văn Nam,12345,,Xã Yên Châu,Yên Châu,nam,,\n\
               Quàng Thị Mai,0912345003,,Xã Yên Châu,Yên Châu,female,htx-khong-co,\n";
    let res = app
        .gql_as(
            Some(&org.access),
            IMPORT,
            json!({ "c": id, "csv": csv, "m": "ALL_OR_NOTHING" }),
        )
        .await;
    let report = &res.payload("importParticipants")["report"];
    assert_eq!(report["imported"], 0);
    assert_eq!(report["refused"], 2);
    assert_eq!(report["rows"][0]["outcome"], "NOT_IMPORTED");
    assert_eq!(report["rows"][1]["line"], 3);
    assert_eq!(report["rows"][1]["column"], "phone");
    assert_eq!(report["rows"][2]["column"], "cooperative_slug");
    let roster = app
        .gql_as(Some(&org.access), ROSTER, json!({ "c": id }))
        .await;
    assert_eq!(roster.data()["courseParticipants"]["totalCount"], 0);
}

#[tokio::test]
async fn importing_row_by_row_keeps_the_good_rows_and_reads_vietnamese_headers() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let id = course(&app, &org, 50).await;
    let csv = "\u{feff}Họ và tên,Số điện thoại,Xã/Phường,Khu vực,Giới tính,Mã HTX,Vai trò\r\n\
               Lò Thị Hoa,0912345001,Xã Mộc Châu,Mộc Châu,Nữ,htx-xoai-yen-chau,Kế toán\r\n\
               Cầm Văn Nam,0912 345 002,Xã Yên Châu,Yên Châu,Không rõ,,\r\n\
               Quàng Thị Mai,0912345003,Xã Yên Châu,Yên Châu,,,\r\n";
    let res = app
        .gql_as(
            Some(&org.access),
            IMPORT,
            json!({ "c": id, "csv": csv, "m": "ROW_BY_ROW" }),
        )
        .await;
    let report = &res.payload("importParticipants")["report"];
    assert_eq!(report["imported"], 2);
    assert_eq!(report["refused"], 1);
    assert_eq!(report["rows"][1]["column"], "gender");
    let roster = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { courseParticipants(courseId: $c) { totalCount edges { node { participant { fullName roleInCooperative cooperative { id } } } } } }",
            json!({ "c": id }),
        )
        .await;
    let page = &roster.data()["courseParticipants"];
    assert_eq!(page["totalCount"], 2);
    assert_eq!(
        page["edges"][0]["node"]["participant"]["cooperative"]["id"],
        coop.as_str()
    );
    assert_eq!(
        page["edges"][0]["node"]["participant"]["roleInCooperative"],
        "Kế toán"
    );
    let missing = app
        .gql_as(
            Some(&org.access),
            IMPORT,
            json!({ "c": id, "csv": "full_name,phone,area\nA,0912345009,Y\n", "m": "ROW_BY_ROW" }),
        )
        .await;
    assert_eq!(missing.user_code("importParticipants"), "INVALID");
    assert_eq!(missing.user_field("importParticipants"), "csv");
    let message = missing.user_error("importParticipants")["message"].clone();
    assert!(
        message.as_str().is_some_and(|m| m.contains("commune")),
        "{message}"
    );
    assert_eq!(missing.data()["importParticipants"]["report"], Value::Null);
}

#[tokio::test]
async fn attendance_is_an_upsert_for_enrolled_participants_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 10).await;
    let other = course(&app, &org, 10).await;
    let (session_id, _) = session(&app, &org, &id, Duration::hours(-3), 120).await;
    let hoa = enrol(&app, &org, &id, "Lò Thị Hoa", "0912345001").await;
    let outsider = enrol(&app, &org, &other, "Cầm Văn Nam", "0912345002").await;
    let mut ids = Vec::new();
    for status in ["ABSENT", "LATE"] {
        let res = app
            .gql_as(
                Some(&org.access),
                RECORD,
                json!({ "s": session_id, "e": [{ "participantId": hoa, "status": status }] }),
            )
            .await;
        let records = &res.payload("recordAttendance")["records"];
        assert_eq!(records[0]["status"], status);
        ids.push(records[0]["id"].clone());
    }
    assert_eq!(ids[0], ids[1], "a corrected mark keeps its id");
    let listed = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { course(id: $c) { sessions { attendance { id status selfCheckIn } } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        listed.data()["course"]["sessions"][0]["attendance"],
        json!([{ "id": ids[0], "status": "LATE", "selfCheckIn": false }])
    );
    let res = app
        .gql_as(
            Some(&org.access),
            RECORD,
            json!({ "s": session_id, "e": [{ "participantId": hoa, "status": "PRESENT" }, { "participantId": outsider, "status": "PRESENT" }] }),
        )
        .await;
    assert_eq!(res.user_code("recordAttendance"), "INVALID");
    assert_eq!(
        res.user_field("recordAttendance"),
        "entries.1.participantId"
    );
    let after = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { course(id: $c) { sessions { attendance { status } } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        after.data()["course"]["sessions"][0]["attendance"],
        json!([{ "status": "LATE" }]),
        "all or none: Hoa's mark is unchanged"
    );
}

#[tokio::test]
async fn checking_in_marks_present_or_late_and_refuses_wrong_or_expired_codes() {
    let app = TestApp::spawn_with(|s| {
        s.insert("FARMSTREAM_CHECKIN_GRACE_MINUTES".into(), "10".into());
    })
    .await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 10).await;
    let (_, now_code) = session(&app, &org, &id, Duration::minutes(-5), 120).await;
    let (_, late_code) = session(&app, &org, &id, Duration::minutes(-30), 120).await;
    let (_, past_code) = session(&app, &org, &id, Duration::hours(-3), 60).await;
    enrol(&app, &org, &id, "Lò Thị Hoa", "0912345001").await;
    let res = app
        .gql(
            CHECK_IN,
            json!({ "code": now_code.to_lowercase(), "phone": "0912 345 001" }),
        )
        .await;
    let done = &res.payload("checkInToSession")["checkIn"];
    assert_eq!(done["status"], "PRESENT");
    assert_eq!(done["participantName"], "Lò Thị Hoa");
    let res = app
        .gql(
            CHECK_IN,
            json!({ "code": late_code, "phone": "0912345001" }),
        )
        .await;
    assert_eq!(res.payload("checkInToSession")["checkIn"]["status"], "LATE");
    let expired = app
        .gql(
            CHECK_IN,
            json!({ "code": past_code, "phone": "0912345001" }),
        )
        .await;
    assert_eq!(expired.user_code("checkInToSession"), "INVALID");
    assert_eq!(expired.user_field("checkInToSession"), "code");
    let wrong = app
        .gql(
            CHECK_IN,
            json!({ "code": "ZZZZZZZZ", "phone": "0912345001" }),
        )
        .await;
    assert_eq!(wrong.user_code("checkInToSession"), "INVALID");
    assert_eq!(wrong.user_field("checkInToSession"), "code");
    let stranger = app
        .gql(CHECK_IN, json!({ "code": now_code, "phone": "0912999999" }))
        .await;
    assert_eq!(stranger.user_code("checkInToSession"), "INVALID");
    assert_eq!(stranger.user_field("checkInToSession"), "phone");
    let malformed = app
        .gql(CHECK_IN, json!({ "code": now_code, "phone": "abc" }))
        .await;
    assert_eq!(malformed.user_code("checkInToSession"), "INVALID");
    assert_eq!(malformed.user_field("checkInToSession"), "phone");
}

#[tokio::test]
async fn the_checkin_qr_image_is_served_to_the_course_organisers_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let other = organiser(&app, &admin, "other@sct.vn").await;
    let id = course(&app, &org, 10).await;
    session(&app, &org, &id, Duration::hours(1), 60).await;
    let query = "query($c: ID!) { course(id: $c) { sessions { checkInCode checkInQrUrl } } }";
    let seen = app
        .gql_as(Some(&org.access), query, json!({ "c": id }))
        .await;
    let path = path_of(&seen.data()["course"]["sessions"][0]["checkInQrUrl"]);
    let (status, headers, body) = get(&app, &path, Some(&org.access)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(String::from_utf8_lossy(&body).contains("<svg"));
    assert_eq!(
        get(&app, &path, Some(&other.access)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(get(&app, &path, None).await.0, StatusCode::UNAUTHORIZED);
    for token in [Some(other.access.as_str()), None] {
        let seen = app.gql_as(token, query, json!({ "c": id })).await;
        assert_eq!(
            seen.data()["course"]["sessions"][0],
            json!({ "checkInCode": null, "checkInQrUrl": null }),
            "staff only"
        );
    }
    let unknown = format!("/training/sessions/{}/checkin.svg", uuid::Uuid::new_v4());
    assert_eq!(
        get(&app, &unknown, Some(&org.access)).await.0,
        StatusCode::NOT_FOUND
    );
}

/// A course with three held sessions and one cancelled, four participants
/// attending 3, 2, 1 and 0 of them; returns (course id, participant ids).
async fn attended_course(
    app: &TestApp,
    org: &Session,
    coop: Option<&str>,
) -> (String, Vec<String>) {
    let id = course(app, org, 10).await;
    let mut sessions = Vec::new();
    for hours in [-30, -20, -10] {
        sessions.push(session(app, org, &id, Duration::hours(hours), 60).await.0);
    }
    let (cancelled, _) = session(app, org, &id, Duration::hours(-5), 60).await;
    let mut people = Vec::new();
    for (i, (name, area, gender)) in [
        ("Lò Thị Hoa", "Mộc Châu", "FEMALE"),
        ("Cầm Văn Nam", "Yên Châu", "MALE"),
        ("Quàng Thị Mai", "Yên Châu", "FEMALE"),
        ("Lường Văn Tú", "Mộc Châu", "MALE"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut input = json!({ "fullName": name, "phone": format!("091234500{i}"), "commune": "Xã Mộc Châu", "area": area, "gender": gender });
        if let Some(coop) = coop {
            input["cooperativeId"] = json!(coop);
        }
        let res = app
            .gql_as(Some(&org.access), ENROL, json!({ "c": id, "i": input }))
            .await;
        people.push(
            res.payload("enrollParticipant")["enrolment"]["participant"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    for (s, session_id) in sessions.iter().enumerate() {
        let entries: Vec<Value> = people
            .iter()
            .enumerate()
            .map(|(p, pid)| {
                let status = if p + s < 3 {
                    if s == 2 { "LATE" } else { "PRESENT" }
                } else {
                    "ABSENT"
                };
                json!({ "participantId": pid, "status": status })
            })
            .collect();
        app.gql_as(
            Some(&org.access),
            RECORD,
            json!({ "s": session_id, "e": entries }),
        )
        .await
        .payload("recordAttendance");
    }
    let res = app
        .gql_as(Some(&org.access), CANCEL_SESSION, json!({ "s": cancelled }))
        .await;
    let gone = &res.payload("cancelTrainingSession")["session"];
    assert_eq!(gone["status"], "CANCELLED");
    assert!(gone["cancelledAt"].is_string(), "{gone}");
    (id, people)
}

#[tokio::test]
async fn completing_a_course_issues_certificates_by_its_rule_and_anyone_can_verify_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let (id, _) = attended_course(&app, &org, None).await;
    // The rule is 50% of 3 held sessions: 3 and 2 attended complete; 1 and 0 do not.
    let res = app
        .gql_as(Some(&org.access), COMPLETE, json!({ "c": id }))
        .await;
    let done = &res.payload("completeCourse")["completion"];
    assert_eq!(done["certificatesIssued"], 2);
    assert_eq!(done["course"]["status"], "COMPLETED");
    let mut names: Vec<&str> = done["certificates"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["participantName"].as_str())
                .collect()
        })
        .unwrap_or_default();
    names.sort_unstable();
    assert_eq!(names, ["Cầm Văn Nam", "Lò Thị Hoa"]);
    let number = done["certificates"][0]["number"].as_str().expect("number");
    let verified = app
        .gql(
            "query($n: String!) { certificate(number: $n) { id number participantName courseTitle issuedOn } }",
            json!({ "n": number.to_lowercase() }),
        )
        .await;
    let cert = &verified.data()["certificate"];
    assert_eq!(cert["courseTitle"], "Bán nông sản qua livestream");
    assert_eq!(cert["issuedOn"], today().to_string());
    assert_eq!(cert["id"], done["certificates"][0]["id"]);
    assert!(
        cert["id"]
            .as_str()
            .is_some_and(|id| id.starts_with("gid://farmstream/TrainingCertificate/")),
        "{cert}"
    );
    assert_eq!(cert.as_object().map(|o| o.len()), Some(5));
    let unknown = app
        .gql(
            "{ certificate(number: \"CC-2026-XXXX-XXXX\") { number } }",
            json!({}),
        )
        .await;
    assert_eq!(
        unknown.data()["certificate"],
        Value::Null,
        "an unknown number is null"
    );
    let again = app
        .gql_as(Some(&org.access), COMPLETE, json!({ "c": id }))
        .await;
    assert_eq!(again.user_code("completeCourse"), "CONFLICT");
    assert_eq!(again.data()["completeCourse"]["completion"], Value::Null);
}

#[tokio::test]
async fn the_course_report_counts_attendance_by_session_area_and_gender() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let (id, _) = attended_course(&app, &org, None).await;
    let res = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { courseReport(courseId: $c) { enrolled heldSessions completed sessions { present late absent attendanceRate session { status } } byArea { key enrolled completed } byGender { key enrolled completed } } }",
            json!({ "c": id }),
        )
        .await;
    let r = &res.data()["courseReport"];
    assert_eq!(r["enrolled"], 4);
    assert_eq!(r["heldSessions"], 3);
    assert_eq!(r["completed"], 2);
    assert_eq!(r["sessions"][0]["present"], 3);
    assert_eq!(r["sessions"][0]["attendanceRate"], 0.75);
    assert_eq!(r["sessions"][2]["late"], 1);
    assert_eq!(r["sessions"][3]["session"]["status"], "CANCELLED");
    assert_eq!(r["sessions"][0]["session"]["status"], "SCHEDULED");
    assert_eq!(
        r["byArea"],
        json!([
            { "key": "Mộc Châu", "enrolled": 2, "completed": 1 },
            { "key": "Yên Châu", "enrolled": 2, "completed": 1 }
        ])
    );
    assert_eq!(
        r["byGender"],
        json!([
            { "key": "FEMALE", "enrolled": 2, "completed": 1 },
            { "key": "MALE", "enrolled": 2, "completed": 1 }
        ])
    );
}

#[tokio::test]
async fn outcomes_count_what_the_completers_cooperatives_sold_after_the_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let (id, _) = attended_course(&app, &org, Some(&coop)).await;
    let query = "query($c: ID!, $w: Int) { courseOutcomes(courseId: $c, windowDays: $w) { windowDays dataAvailable completers { cooperative { id name } participant { fullName } before { orders } after { orders revenueVnd livestreams } } totalAfter { orders revenueVnd } } }";
    let early = app
        .gql_as(Some(&org.access), query, json!({ "c": id }))
        .await;
    assert_eq!(early.code(), "CONFLICT");
    app.gql_as(Some(&org.access), COMPLETE, json!({ "c": id }))
        .await
        .payload("completeCourse");
    let res = app
        .gql_as(Some(&org.access), query, json!({ "c": id }))
        .await;
    let o = &res.data()["courseOutcomes"];
    assert_eq!(o["windowDays"], 90);
    let explicit_null = app
        .gql_as(Some(&org.access), query, json!({ "c": id, "w": null }))
        .await;
    assert_eq!(explicit_null.data()["courseOutcomes"]["windowDays"], 90);
    assert_eq!(o["dataAvailable"], true);
    assert_eq!(o["completers"].as_array().map(Vec::len), Some(2));
    assert_eq!(o["completers"][0]["cooperative"]["id"], coop.as_str());
    assert_eq!(
        o["completers"][0]["cooperative"]["name"],
        "HTX Xoài Yên Châu"
    );
    assert_eq!(o["totalAfter"], json!({ "orders": 0, "revenueVnd": 0 }));

    // The cooperative sells after the course: an order and a show.
    let (_, variant) = app.product(&owner, &coop, "Xoài tròn", 120_000, 10).await;
    let input = json!({
        "idempotencyKey": uuid::Uuid::new_v4().to_string(),
        "items": [{ "variantId": variant, "quantity": 2 }],
        "shippingAddress": { "recipientName": "Lò Thị Hoa", "phone": "0912345678", "province": "Sơn La", "ward": "Phường Chiềng Sinh", "street": "Tổ 3" },
        "paymentMethod": "COD",
    });
    app.gql(
        "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { checkout { id } userErrors { code field message } } }",
        json!({ "i": input }),
    )
    .await
    .payload("placeOrder");
    let show = app
        .gql_as(
            Some(&owner.access),
            "mutation($i: ScheduleLivestreamInput!) { scheduleLivestream(input: $i) { livestream { id } userErrors { code field message } } }",
            json!({ "i": { "cooperativeId": coop, "title": "Bán xoài", "platform": "ZALO", "hostName": "Hoa", "scheduledStartAt": "2030-12-01T12:00:00Z" } }),
        )
        .await;
    let show = show.payload("scheduleLivestream")["livestream"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    for m in ["startLivestream", "endLivestream"] {
        app.gql_as(
            Some(&owner.access),
            &format!(
                "mutation($id: ID!) {{ {m}(id: $id) {{ livestream {{ status }} userErrors {{ code field message }} }} }}"
            ),
            json!({ "id": show }),
        )
        .await
        .payload(m);
    }
    let res = app
        .gql_as(Some(&org.access), query, json!({ "c": id }))
        .await;
    let o = &res.data()["courseOutcomes"];
    assert_eq!(
        o["totalAfter"],
        json!({ "orders": 1, "revenueVnd": 240000 }),
        "counted once for two completers of one cooperative"
    );
    assert_eq!(o["completers"][0]["after"]["livestreams"], 1);
    assert_eq!(o["completers"][0]["before"]["orders"], 0);
    let bad = app
        .gql_as(Some(&org.access), query, json!({ "c": id, "w": 0 }))
        .await;
    assert_eq!(bad.code(), "BAD_USER_INPUT");
    assert_eq!(bad.field(), "windowDays");
}

#[tokio::test]
async fn the_schema_states_the_default_window_of_course_outcomes() {
    let app = TestApp::spawn().await;
    let res = app
        .gql(
            "{ __schema { queryType { fields { name args { name defaultValue } } } } }",
            json!({}),
        )
        .await;
    let fields = res.data()["__schema"]["queryType"]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let outcomes = fields
        .iter()
        .find(|f| f["name"] == "courseOutcomes")
        .expect("courseOutcomes");
    let window = outcomes["args"]
        .as_array()
        .and_then(|args| args.iter().find(|a| a["name"] == "windowDays"))
        .expect("windowDays");
    assert_eq!(window["defaultValue"], "90");
}

#[tokio::test]
async fn exports_are_utf8_csv_with_a_bom_for_the_course_organisers_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let other = organiser(&app, &admin, "other@sct.vn").await;
    let (id, _) = attended_course(&app, &org, None).await;
    let urls = "query($c: ID!) { course(id: $c) { participantsCsvUrl attendanceCsvUrl } }";
    let seen = app
        .gql_as(Some(&org.access), urls, json!({ "c": id }))
        .await;
    let participants = path_of(&seen.data()["course"]["participantsCsvUrl"]);
    let attendance = path_of(&seen.data()["course"]["attendanceCsvUrl"]);
    for token in [Some(other.access.as_str()), None] {
        let seen = app.gql_as(token, urls, json!({ "c": id })).await;
        assert_eq!(
            seen.data()["course"],
            json!({ "participantsCsvUrl": null, "attendanceCsvUrl": null }),
            "staff only"
        );
    }
    let (status, headers, body) = get(&app, &participants, Some(&org.access)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    assert!(body.starts_with("\u{feff}".as_bytes()));
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.contains("full_name,phone,email"));
    assert!(text.contains("Lò Thị Hoa,0912345000"));
    let (status, _, body) = get(&app, &attendance, Some(&org.access)).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf-8");
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains("(cancelled)"));
    assert!(
        text.lines().nth(1).is_some_and(|l| l.ends_with(",3")),
        "{text}"
    );
    for path in [&participants, &attendance] {
        assert_eq!(
            get(&app, path, Some(&other.access)).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(get(&app, path, None).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_page_of_courses_with_sessions_and_organisers_costs_a_fixed_number_of_queries() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let query = "{ courses(first: 50) { edges { node { id sessions { id title checkInCode } organisers { displayName } viewerCanManage } } } }";
    let mut costs = Vec::new();
    for n in [2, 6] {
        while app
            .gql_as(
                Some(&org.access),
                "{ courses(first: 100) { totalCount } }",
                json!({}),
            )
            .await
            .data()["courses"]["totalCount"]
            .as_u64()
            .unwrap_or(0)
            < n
        {
            let id = course(&app, &org, 10).await;
            session(&app, &org, &id, Duration::hours(2), 60).await;
        }
        let (cost, res) = app.least_queries(Some(&org.access), query, json!({})).await;
        res.data();
        costs.push(cost);
    }
    assert!(
        costs[1] <= costs[0] + 1,
        "queries per page grew with the page: {costs:?}"
    );
}

#[tokio::test]
async fn concurrent_enrolments_never_overfill_a_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course(&app, &org, 3).await;
    let attempts = (0..10).map(|i| {
        app.gql_as(
            Some(&org.access),
            ENROL,
            json!({ "c": id, "i": person("Học viên", &format!("091234510{i}")), "w": true }),
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let statuses: Vec<String> = results
        .iter()
        .map(|r| {
            r.payload("enrollParticipant")["enrolment"]["status"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| *s == "ENROLLED").count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| *s == "WAITLISTED").count(),
        7,
        "{statuses:?}"
    );
    let grown = app
        .gql_as(
            Some(&org.access),
            "mutation($c: ID!) { updateCourse(id: $c, input: { capacity: 5 }) { course { enrolledCount seatsLeft } userErrors { code field message } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        grown.payload("updateCourse")["course"]["enrolledCount"],
        5,
        "new seats go to the waitlist"
    );
    let shrunk = app
        .gql_as(
            Some(&org.access),
            "mutation($c: ID!) { updateCourse(id: $c, input: { capacity: 2 }) { course { capacity } userErrors { code field message } } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(shrunk.user_code("updateCourse"), "INVALID");
    assert_eq!(shrunk.user_field("updateCourse"), "input.capacity");
    let kept = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { course(id: $c) { capacity enrolledCount } }",
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        kept.data()["course"],
        json!({ "capacity": 5, "enrolledCount": 5 }),
        "nothing half-written"
    );
}

#[tokio::test]
async fn self_enrolment_needs_a_signed_in_user_and_a_published_course() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let draft = app
        .gql_as(Some(&org.access), CREATE, json!({ "i": course_input(10) }))
        .await
        .payload("createCourse")["course"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let enrol_self = "mutation($c: ID!) { enrollInCourse(courseId: $c, input: { phone: \"0987000111\", commune: \"Xã Chiềng Sơn\", area: \"Mộc Châu\" }) { enrolment { status } userErrors { code field message } } }";
    let learner = app.register("hoc.vien@example.vn").await;
    let res = app
        .gql_as(Some(&learner.access), enrol_self, json!({ "c": draft }))
        .await;
    assert_eq!(res.user_code("enrollInCourse"), "NOT_FOUND");
    let mine = app
        .gql_as(
            Some(&learner.access),
            "{ myCourses { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(mine.data()["myCourses"]["totalCount"], 0);
    let res = app.gql(enrol_self, json!({ "c": draft })).await;
    assert_eq!(res.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_page_of_participants_costs_a_fixed_number_of_queries_and_strangers_see_published_courses_only()
 {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;
    let id = course(&app, &org, 50).await;
    app.gql_as(Some(&org.access), CREATE, json!({ "i": course_input(5) }))
        .await
        .payload("createCourse");
    let query = "query($c: ID!, $n: Int) { courseParticipants(courseId: $c, first: $n) { edges { node { status certificateNumber participant { fullName phone cooperative { name } } } } } }";
    let mut costs = Vec::new();
    let mut enrolled = 0;
    for n in [3, 12] {
        while enrolled < n {
            let mut input = person("Học viên", &format!("09123452{enrolled:02}"));
            input["cooperativeId"] = json!(coop);
            app.gql_as(Some(&org.access), ENROL, json!({ "c": id, "i": input }))
                .await
                .payload("enrollParticipant");
            enrolled += 1;
        }
        let (cost, res) = app
            .least_queries(Some(&org.access), query, json!({ "c": id, "n": n }))
            .await;
        assert_eq!(
            res.data()["courseParticipants"]["edges"]
                .as_array()
                .map(Vec::len),
            Some(n)
        );
        costs.push(cost);
    }
    assert!(
        costs[1] <= costs[0] + 1,
        "queries per page grew with the page: {costs:?}"
    );
    let shopper = app.register("lan@example.vn").await;
    let seen = app
        .gql_as(
            Some(&shopper.access),
            "{ courses { totalCount } myCourses { totalCount edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        seen.data()["courses"]["totalCount"],
        1,
        "the draft stays hidden"
    );
    assert_eq!(
        seen.data()["myCourses"],
        json!({ "totalCount": 0, "edges": [] })
    );
}

#[tokio::test]
async fn a_participant_enrolled_by_phone_is_linked_to_the_account_with_that_phone() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let res = app
        .gql(
            "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken refreshToken user { id } } userErrors { code field message } } }",
            json!({ "i": { "email": "hoa@example.vn", "password": crate::helpers::PASSWORD, "displayName": "Lò Thị Hoa", "phone": "0912345001" } }),
        )
        .await;
    let hoa = crate::helpers::session_of(res.payload("register"));
    let id = course(&app, &org, 10).await;
    let res = app
        .gql_as(
            Some(&org.access),
            "mutation($c: ID!, $i: ParticipantInput!) { enrollParticipant(courseId: $c, input: $i) { enrolment { participant { hasAccount } } userErrors { code field message } } }",
            json!({ "c": id, "i": person("Lò Thị Hoa", "+84 912 345 001") }),
        )
        .await;
    assert_eq!(
        res.payload("enrollParticipant")["enrolment"]["participant"]["hasAccount"],
        true
    );
    let mine = app
        .gql_as(
            Some(&hoa.access),
            "{ myCourses { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["myCourses"]["edges"],
        json!([{ "node": { "id": id } }])
    );
}

#[tokio::test]
async fn courses_are_filtered_by_topic_and_dates() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    course(&app, &org, 10).await;
    let list = "query($f: CourseFilterInput) { courses(filter: $f) { totalCount } }";
    let count = |res: crate::helpers::Gql| res.data()["courses"]["totalCount"].clone();
    let future = (today() + Duration::days(60)).to_string();
    let past = (today() - Duration::days(60)).to_string();
    assert_eq!(
        count(
            app.gql(list, json!({ "f": { "topic": "livestream" } }))
                .await
        ),
        1
    );
    assert_eq!(
        count(app.gql(list, json!({ "f": { "topic": "OCOP" } })).await),
        0
    );
    assert_eq!(
        count(app.gql(list, json!({ "f": { "from": future } })).await),
        0
    );
    assert_eq!(
        count(app.gql(list, json!({ "f": { "to": past } })).await),
        0
    );
    assert_eq!(
        count(
            app.gql(list, json!({ "f": { "from": past, "to": future } }))
                .await
        ),
        1
    );
}
