//! Training under hostile or concurrent use: what one organiser types stays
//! with their course, exports cannot carry spreadsheet formulas, the public
//! sees only a course's published contact, and every attendance or session
//! change racing `completeCourse` either counts or is refused.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Duration;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{PASSWORD, Session, TestApp, session_of};
use crate::training::{
    CANCEL_SESSION, CHECK_IN, COMPLETE, ENROL, IMPORT, PUBLISH, RECORD, course_input, enrol, get,
    organiser, path_of, person, session,
};

/// A published course of `capacity` seats completed by attending at least
/// `percent` of its held sessions; returns its id.
async fn course_with_rule(app: &TestApp, org: &Session, capacity: i32, percent: i32) -> String {
    let mut input = course_input(capacity);
    input["completionRule"]["minAttendancePercent"] = json!(percent);
    let res = app
        .gql_as(Some(&org.access), CREATE_ID, json!({ "i": input }))
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

const CREATE_ID: &str = "mutation($i: CreateCourseInput!) { createCourse(input: $i) { course { id } userErrors { code field message } } }";

/// A GraphQL request through the router on a task of its own, so that the
/// calls of a race run at once on the multi-threaded runtime.
fn spawn_gql(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> tokio::task::JoinHandle<Value> {
    let router = app.router.clone();
    let mut req = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let req = req.body(Body::from(body)).expect("request");
    tokio::spawn(async move {
        let res = router.oneshot(req).await.expect("router answers");
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        serde_json::from_slice(&bytes).expect("JSON answer")
    })
}

async fn answers(handles: Vec<tokio::task::JoinHandle<Value>>) -> Vec<Value> {
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("request task"));
    }
    out
}

/// What a mutation's answer says went wrong, if anything: the code of its
/// first user error, or of its first top-level error.
fn code<'a>(answer: &'a Value, mutation: &str) -> Option<&'a str> {
    answer["data"][mutation]["userErrors"][0]["code"]
        .as_str()
        .or_else(|| answer["errors"][0]["extensions"]["code"].as_str())
}

/// Each participant's certificate number in the course, by participant id.
async fn certificates(
    app: &TestApp,
    org: &Session,
    course: &str,
) -> std::collections::HashMap<String, Option<String>> {
    let res = app
        .gql_as(
            Some(&org.access),
            "query($c: ID!) { courseParticipants(courseId: $c, first: 100) { edges { node { certificateNumber participant { id } } } } }",
            json!({ "c": course }),
        )
        .await;
    res.data()["courseParticipants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["participant"]["id"]
                    .as_str()
                    .expect("id")
                    .to_owned(),
                e["node"]["certificateNumber"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The path of a course's export, from the URL the API gives its organiser
/// in `field` (`participantsCsvUrl` or `attendanceCsvUrl`).
async fn export_path(app: &TestApp, org: &Session, course: &str, field: &str) -> String {
    let res = app
        .gql_as(
            Some(&org.access),
            &format!("query($c: ID!) {{ course(id: $c) {{ {field} }} }}"),
            json!({ "c": course }),
        )
        .await;
    path_of(&res.data()["course"][field])
}

async fn register_with_phone(app: &TestApp, email: &str, name: &str, phone: &str) -> Session {
    let res = app
        .gql(
            "mutation($i: RegisterInput!) { register(input: $i) { session { accessToken refreshToken user { id } } userErrors { code field message } } }",
            json!({ "i": { "email": email, "password": PASSWORD, "displayName": name, "phone": phone } }),
        )
        .await;
    session_of(res.payload("register"))
}

const DETAILED_ROSTER: &str = "query($c: ID!) { courseParticipants(courseId: $c, first: 100) { edges { node { certificateNumber participant { id fullName commune area roleInCooperative email cooperative { id name } } } } } }";

/// The roster nodes of a course, by full name.
async fn roster_by_name(
    app: &TestApp,
    org: &Session,
    course: &str,
) -> std::collections::BTreeMap<String, Value> {
    let res = app
        .gql_as(Some(&org.access), DETAILED_ROSTER, json!({ "c": course }))
        .await;
    res.data()["courseParticipants"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            (
                e["node"]["participant"]["fullName"]
                    .as_str()
                    .expect("name")
                    .to_owned(),
                e["node"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: two courses share a person, the second cannot rewrite the first"
)]
async fn an_organiser_of_another_course_cannot_rewrite_a_persons_details_or_certificate() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org_x = organiser(&app, &admin, "x@sct.vn").await;
    let org_y = organiser(&app, &admin, "y@sct.vn").await;
    let owner = app.register("owner@htx.vn").await;
    let coop = app.cooperative(&owner, "HTX Xoài Yên Châu").await;

    // Course X: two people of the cooperative attend and complete.
    let x = course_with_rule(&app, &org_x, 10, 100).await;
    let (s, _) = session(&app, &org_x, &x, Duration::hours(-3), 60).await;
    let mut ids = Vec::new();
    for (name, phone) in [
        ("Lò Thị Hoa", "0912345001"),
        ("Quàng Thị Mai", "0912345002"),
    ] {
        let mut input = person(name, phone);
        input["cooperativeId"] = json!(coop);
        input["roleInCooperative"] = json!("kế toán");
        let res = app
            .gql_as(Some(&org_x.access), ENROL, json!({ "c": x, "i": input }))
            .await;
        ids.push(
            res.payload("enrollParticipant")["enrolment"]["participant"]["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let entries: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "participantId": id, "status": "PRESENT" }))
        .collect();
    app.gql_as(Some(&org_x.access), RECORD, json!({ "s": s, "e": entries }))
        .await
        .payload("recordAttendance");
    let done = app
        .gql_as(Some(&org_x.access), COMPLETE, json!({ "c": x }))
        .await;
    let issued: Vec<(String, Value)> = done.payload("completeCourse")["completion"]["certificates"]
        .as_array()
        .expect("certificates")
        .iter()
        .map(|c| {
            (
                c["number"].as_str().expect("number").to_owned(),
                c["participantName"].clone(),
            )
        })
        .collect();
    assert_eq!(issued.len(), 2);
    let before = roster_by_name(&app, &org_x, &x).await;

    // Course Y, another organiser: the same phones with other details.
    let y = course_with_rule(&app, &org_y, 10, 100).await;
    let enrolled = app
        .gql_as(
            Some(&org_y.access),
            "mutation($c: ID!, $i: ParticipantInput!) { enrollParticipant(courseId: $c, input: $i) { enrolment { participant { id fullName commune roleInCooperative email cooperative { id } } } userErrors { code field message } } }",
            json!({ "c": y, "i": { "fullName": "Kẻ Mạo Danh", "phone": "0912345001", "commune": "Xã Khác", "area": "Sơn La" } }),
        )
        .await;
    let p = &enrolled.payload("enrollParticipant")["enrolment"]["participant"];
    assert_eq!(p["id"], ids[0].as_str(), "one person across courses");
    assert_eq!(p["fullName"], "Kẻ Mạo Danh");
    assert_eq!(p["commune"], "Xã Khác");
    assert_eq!(
        p["cooperative"],
        Value::Null,
        "Y sees no cooperative it was not given"
    );
    assert_eq!(p["roleInCooperative"], Value::Null);
    assert_eq!(p["email"], Value::Null);
    let imported = app
        .gql_as(
            Some(&org_y.access),
            "mutation($c: ID!, $csv: String!) { importParticipants(courseId: $c, csv: $csv, mode: ALL_OR_NOTHING) { report { imported rows { fullName outcome reason participantId } } userErrors { code field message } } }",
            json!({ "c": y, "csv": "full_name,phone,commune,area\nTên Khác,0912345002,Xã Khác,Sơn La\n" }),
        )
        .await;
    let report = imported.payload("importParticipants")["report"].clone();
    assert_eq!(report["imported"], 1, "{report}");
    let text = report.to_string();
    for leak in [
        "Quàng Thị Mai",
        "Xoài",
        coop.as_str(),
        "kế toán",
        "hoc.vien",
    ] {
        assert!(
            !text.contains(leak),
            "the import answer reveals {leak}: {text}"
        );
    }

    // X's list, export and certificates are as X had them.
    assert_eq!(roster_by_name(&app, &org_x, &x).await, before);
    assert_eq!(
        before["Lò Thị Hoa"]["participant"]["cooperative"]["id"],
        coop.as_str()
    );
    for (number, name) in &issued {
        let cert = app
            .gql(
                "query($n: String!) { certificate(number: $n) { participantName } }",
                json!({ "n": number }),
            )
            .await;
        assert_eq!(
            &cert.data()["certificate"]["participantName"],
            name,
            "the certificate keeps the name it was issued with"
        );
    }
    let mut names: Vec<&Value> = issued.iter().map(|(_, n)| n).collect();
    names.sort_by_key(|n| n.to_string());
    assert_eq!(names, [&json!("Lò Thị Hoa"), &json!("Quàng Thị Mai")]);
    let (status, _, body) = get(
        &app,
        &export_path(&app, &org_x, &x, "participantsCsvUrl").await,
        Some(&org_x.access),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(body).expect("utf-8");
    assert!(
        csv.contains("Lò Thị Hoa") && csv.contains("Quàng Thị Mai"),
        "{csv}"
    );
    assert!(
        !csv.contains("Kẻ Mạo Danh") && !csv.contains("Tên Khác"),
        "{csv}"
    );

    // Y's list shows what Y gave, nothing of X's.
    let seen_by_y = roster_by_name(&app, &org_y, &y).await;
    assert_eq!(
        seen_by_y.keys().cloned().collect::<Vec<_>>(),
        ["Kẻ Mạo Danh", "Tên Khác"]
    );
    for node in seen_by_y.values() {
        assert_eq!(node["participant"]["cooperative"], Value::Null);
        assert_eq!(node["certificateNumber"], Value::Null);
    }
}

#[tokio::test]
async fn a_stranger_cannot_take_over_a_trainee_by_enrolling_with_their_phone() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let x = course_with_rule(&app, &org, 10, 100).await;
    enrol(&app, &org, &x, "Lò Thị Hoa", "0912345001").await;
    let z = course_with_rule(&app, &org, 10, 100).await;
    let enrol_self = "mutation($c: ID!, $i: SelfEnrolmentInput!) { enrollInCourse(courseId: $c, input: $i) { enrolment { participant { fullName } } userErrors { code field message } } }";
    let stranger = app.register("stranger@example.vn").await;
    let refused = app
        .gql_as(
            Some(&stranger.access),
            enrol_self,
            json!({ "c": z, "i": { "fullName": "Kẻ Lạ", "phone": "0912345001", "commune": "Xã Khác", "area": "Sơn La" } }),
        )
        .await;
    assert_eq!(refused.user_code("enrollInCourse"), "CONFLICT");
    assert_eq!(refused.data()["enrollInCourse"]["enrolment"], Value::Null);
    let mine = app
        .gql_as(
            Some(&stranger.access),
            "{ myCourses { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        mine.data()["myCourses"]["totalCount"],
        0,
        "no course of Hoa's"
    );
    // The person themselves (the account with that phone) may, and their
    // own profile changes without touching what course X shows.
    let hoa = register_with_phone(&app, "hoa@example.vn", "Lò Thị Hoa", "0912345001").await;
    let own = app
        .gql_as(
            Some(&hoa.access),
            enrol_self,
            json!({ "c": z, "i": { "fullName": "Lò Thị Hoà", "commune": "Phường Mộc Sơn", "area": "Mộc Châu" } }),
        )
        .await;
    assert_eq!(
        own.payload("enrollInCourse")["enrolment"]["participant"]["fullName"],
        "Lò Thị Hoà"
    );
    let x_list = roster_by_name(&app, &org, &x).await;
    assert_eq!(x_list.keys().cloned().collect::<Vec<_>>(), ["Lò Thị Hoa"]);
}

/// Every cell of a CSV file (after its byte-order mark).
fn cells(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8(body.to_vec()).expect("utf-8");
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\")";

/// A course whose participants carry formula-like details: one planted by
/// a signed-in user enrolling themselves, one typed by the organiser.
async fn course_with_formulas(app: &TestApp, org: &Session) -> String {
    let id = course_with_rule(app, org, 10, 50).await;
    session(app, org, &id, Duration::hours(-3), 60).await;
    let learner = app.register("hoc.vien@example.vn").await;
    app.gql_as(
        Some(&learner.access),
        "mutation($c: ID!, $i: SelfEnrolmentInput!) { enrollInCourse(courseId: $c, input: $i) { enrolment { status } userErrors { code field message } } }",
        json!({ "c": id, "i": { "fullName": FORMULA, "phone": "0987000111", "commune": "-2+3", "area": "Mộc Châu" } }),
    )
    .await
    .payload("enrollInCourse");
    let mut input = person("+Lò Thị Hoa", "0912345001");
    input["roleInCooperative"] = json!("@SUM(A1:A9)");
    app.gql_as(Some(&org.access), ENROL, json!({ "c": id, "i": input }))
        .await
        .payload("enrollParticipant");
    id
}

fn assert_neutralised(cells: &[String], expected: &[&str]) {
    for cell in cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a cell a spreadsheet would run: {cell:?}"
        );
    }
    for want in expected {
        assert!(
            cells.iter().any(|c| c == want),
            "missing the neutralised cell {want:?} in {cells:?}"
        );
    }
}

#[tokio::test]
async fn the_participant_export_neutralises_cells_a_spreadsheet_would_run() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course_with_formulas(&app, &org).await;
    let (status, _, body) = get(
        &app,
        &export_path(&app, &org, &id, "participantsCsvUrl").await,
        Some(&org.access),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_neutralised(
        &cells(&body),
        &[
            &format!("'{FORMULA}"),
            "'-2+3",
            "'+Lò Thị Hoa",
            "'@SUM(A1:A9)",
        ],
    );
}

#[tokio::test]
async fn the_attendance_export_neutralises_cells_a_spreadsheet_would_run() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    let id = course_with_formulas(&app, &org).await;
    let (status, _, body) = get(
        &app,
        &export_path(&app, &org, &id, "attendanceCsvUrl").await,
        Some(&org.access),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_neutralised(&cells(&body), &[&format!("'{FORMULA}"), "'+Lò Thị Hoa"]);
}

#[tokio::test]
async fn the_public_sees_a_courses_published_contact_but_never_its_organisers_sign_in_details() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = register_with_phone(&app, "nguyen.van.a@sct.vn", "Nguyễn Văn A", "0912999888").await;
    app.gql_as(
        Some(&admin.access),
        "mutation($u: ID!) { grantRole(userId: $u, role: ORGANISER) { user { id } userErrors { code field message } } }",
        json!({ "u": org.id }),
    )
    .await
    .payload("grantRole");
    let mut input = course_input(10);
    input["contact"] = json!({ "name": "Phòng Quản lý Thương mại", "phone": "0212 3852 345", "email": "daotao@sct.example.vn" });
    let res = app
        .gql_as(Some(&org.access), CREATE_ID, json!({ "i": input }))
        .await;
    let id = res.payload("createCourse")["course"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    app.gql_as(Some(&org.access), PUBLISH, json!({ "c": id }))
        .await
        .payload("publishCourse");
    let query = "query($c: ID!) { course(id: $c) { contact { name phone email } organisers { id displayName email phone } } courses(first: 10) { edges { node { organisers { email phone } } } } }";
    let stranger = app.register("lan@example.vn").await;
    for token in [None, Some(stranger.access.as_str())] {
        let res = app.gql_as(token, query, json!({ "c": id })).await;
        let course = &res.data()["course"];
        assert_eq!(
            course["contact"],
            json!({ "name": "Phòng Quản lý Thương mại", "phone": "02123852345", "email": "daotao@sct.example.vn" })
        );
        assert_eq!(course["organisers"][0]["displayName"], "Nguyễn Văn A");
        assert_eq!(course["organisers"][0]["email"], Value::Null);
        assert_eq!(course["organisers"][0]["phone"], Value::Null);
        let text = res.body.to_string();
        assert!(
            !text.contains("nguyen.van.a@sct.vn") && !text.contains("0912999888"),
            "{text}"
        );
    }
    let res = app
        .gql_as(Some(&org.access), query, json!({ "c": id }))
        .await;
    let organisers = &res.data()["course"]["organisers"];
    assert_eq!(organisers[0]["email"], "nguyen.van.a@sct.vn");
    assert_eq!(organisers[0]["phone"], "0912999888");

    let update = "mutation($c: ID!, $i: UpdateCourseInput!) { updateCourse(id: $c, input: $i) { course { contact { name } } userErrors { code field message } } }";
    let bad = app
        .gql_as(
            Some(&org.access),
            update,
            json!({ "c": id, "i": { "contact": { "name": "Chỉ có tên" } } }),
        )
        .await;
    assert_eq!(bad.user_code("updateCourse"), "INVALID");
    assert_eq!(bad.user_field("updateCourse"), "input.contact");
    let removed = app
        .gql_as(
            Some(&org.access),
            update,
            json!({ "c": id, "i": { "contact": null } }),
        )
        .await;
    assert_eq!(
        removed.payload("updateCourse")["course"]["contact"],
        Value::Null
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn check_ins_and_marks_racing_completion_either_count_or_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    for round in 0..20 {
        // One session, 100 % to complete: whoever is marked gets a certificate.
        let id = course_with_rule(&app, &org, 10, 100).await;
        let (session_id, code_) = session(&app, &org, &id, Duration::minutes(-5), 120).await;
        let phones: Vec<String> = (0..4).map(|i| format!("0912346{round:02}{i}")).collect();
        let mut people = Vec::new();
        for (i, phone) in phones.iter().enumerate() {
            people.push(enrol(&app, &org, &id, &format!("Học viên {i}"), phone).await);
        }
        let mut handles = Vec::new();
        let mut kinds: Vec<(&str, &str)> = Vec::new();
        for phone in &phones[..3] {
            handles.push(spawn_gql(
                &app,
                None,
                CHECK_IN,
                json!({ "code": code_, "phone": phone }),
            ));
            kinds.push(("check-in", "checkInToSession"));
            handles.push(spawn_gql(
                &app,
                Some(&org.access),
                COMPLETE,
                json!({ "c": id }),
            ));
            kinds.push(("complete", "completeCourse"));
        }
        handles.push(spawn_gql(
            &app,
            Some(&org.access),
            RECORD,
            json!({ "s": session_id, "e": [{ "participantId": people[3], "status": "PRESENT" }] }),
        ));
        kinds.push(("record", "recordAttendance"));
        let results = answers(handles).await;
        let mut completed = 0;
        let mut marked = Vec::new();
        for (i, ((kind, mutation), answer)) in kinds.iter().zip(&results).enumerate() {
            match code(answer, mutation) {
                None => match *kind {
                    "complete" => completed += 1,
                    "check-in" => marked.push(people[i / 2].clone()),
                    _ => marked.push(people[3].clone()),
                },
                Some("CONFLICT") => {}
                Some(other) => panic!("round {round}: {kind} answered {other}: {answer}"),
            }
        }
        assert_eq!(completed, 1, "round {round}: {results:?}");
        let certified = certificates(&app, &org, &id).await;
        for person in &people {
            assert_eq!(
                certified[person].is_some(),
                marked.contains(person),
                "round {round}: a mark answered ok gets a certificate, a refused one none: {results:?}"
            );
        }
    }
}

/// The stage of a race between `completeCourse` and one session change: a
/// course (100 % rule) with a held session that one participant attended.
/// Returns (course, session, participant).
async fn attended_once(app: &TestApp, org: &Session, round: usize) -> (String, String, String) {
    let id = course_with_rule(app, org, 10, 100).await;
    let (held, _) = session(app, org, &id, Duration::hours(-4), 60).await;
    let who = enrol(app, org, &id, "Lò Thị Hoa", &format!("09123480{round:02}")).await;
    app.gql_as(
        Some(&org.access),
        RECORD,
        json!({ "s": held, "e": [{ "participantId": who, "status": "PRESENT" }] }),
    )
    .await
    .payload("recordAttendance");
    (id, held, who)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_session_cancelled_or_scheduled_while_the_course_completes_counts_or_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = organiser(&app, &admin, "org@sct.vn").await;
    for round in 0..24 {
        let (id, _, who) = attended_once(&app, &org, round).await;
        let cancelling = round % 2 == 0;
        let change = if cancelling {
            // A second held session nobody attended: cancelled before the
            // completion, the participant completes (1 of 1); after, refused.
            let (other, _) = session(&app, &org, &id, Duration::hours(-2), 60).await;
            spawn_gql(
                &app,
                Some(&org.access),
                CANCEL_SESSION,
                json!({ "s": other }),
            )
        } else {
            // A new session: scheduled before the completion, it is held and
            // missed (1 of 2, no certificate); after, refused.
            let starts = chrono::Utc::now() - Duration::hours(2);
            spawn_gql(
                &app,
                Some(&org.access),
                "mutation($c: ID!, $i: ScheduleSessionInput!) { scheduleTrainingSession(courseId: $c, input: $i) { session { id } userErrors { code field message } } }",
                json!({ "c": id, "i": { "title": "Buổi bù", "startsAt": starts.to_rfc3339(), "endsAt": (starts + Duration::minutes(60)).to_rfc3339() } }),
            )
        };
        let complete = spawn_gql(&app, Some(&org.access), COMPLETE, json!({ "c": id }));
        let results = answers(vec![change, complete]).await;
        assert_eq!(
            code(&results[1], "completeCourse"),
            None,
            "round {round}: {results:?}"
        );
        let mutation = if cancelling {
            "cancelTrainingSession"
        } else {
            "scheduleTrainingSession"
        };
        let changed = match code(&results[0], mutation) {
            None => true,
            Some("CONFLICT") => false,
            Some(other) => panic!("round {round}: the change answered {other}: {results:?}"),
        };
        let certified = certificates(&app, &org, &id).await[&who].is_some();
        if cancelling {
            assert_eq!(certified, changed, "round {round}: {results:?}");
        } else {
            assert_eq!(certified, !changed, "round {round}: {results:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_new_person_enrolled_in_two_courses_at_once_is_one_participant() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org_a = organiser(&app, &admin, "a@sct.vn").await;
    let org_b = organiser(&app, &admin, "b@sct.vn").await;
    let a = course_with_rule(&app, &org_a, 100, 50).await;
    let b = course_with_rule(&app, &org_b, 100, 50).await;
    for round in 0..25 {
        let phone = format!("09123470{round:02}");
        let results = answers(vec![
            spawn_gql(
                &app,
                Some(&org_a.access),
                ENROL,
                json!({ "c": a, "i": person("Lò Thị Hoa", &phone) }),
            ),
            spawn_gql(
                &app,
                Some(&org_b.access),
                ENROL,
                json!({ "c": b, "i": person("Hoa Lò", &phone) }),
            ),
        ])
        .await;
        for answer in &results {
            assert_eq!(
                code(answer, "enrollParticipant"),
                None,
                "round {round}: {results:?}"
            );
        }
        let [ra, rb] = [&results[0], &results[1]]
            .map(|r| r["data"]["enrollParticipant"]["enrolment"]["participant"].clone());
        assert_eq!(ra["id"], rb["id"], "round {round}: one person");
        assert_eq!(ra["fullName"], "Lò Thị Hoa");
        assert_eq!(rb["fullName"], "Hoa Lò");
    }
    let imported = app
        .gql_as(
            Some(&org_a.access),
            IMPORT,
            json!({ "c": a, "csv": "full_name,phone,commune,area\nA,0912347099,X,Y\n", "m": "ROW_BY_ROW" }),
        )
        .await;
    assert_eq!(
        imported.payload("importParticipants")["report"]["imported"],
        1
    );
}
