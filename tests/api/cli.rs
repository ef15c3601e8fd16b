//! The `farmstream` binary: help, start-up errors, schema, admin, seed.

use std::process::Command;

use serde_json::json;

use crate::helpers::{TestApp, settings_for};

fn farmstream() -> Command {
    Command::new(env!("CARGO_BIN_EXE_farmstream"))
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["seed", "--help"],
        vec!["schema", "--help"],
        vec!["create-admin", "--help"],
    ] {
        let out = farmstream().args(&args).output().expect("runs");
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn a_wrong_setting_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = farmstream()
        .current_dir(dir.path())
        .env("FARMSTREAM_DATA_DIR", dir.path())
        .env("FARMSTREAM_LISTEN", "not-an-address")
        .arg("serve")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FARMSTREAM_LISTEN"));
}

#[test]
fn the_schema_command_prints_the_sdl() {
    let out = farmstream().arg("schema").output().expect("runs");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        farmstream::schema::sdl()
    );
}

#[tokio::test]
async fn create_admin_makes_an_account_that_can_grant_roles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_for(dir.path()).await;
    let out = farmstream()
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&settings)
        .args([
            "create-admin",
            "--email",
            "root@farmstream.test",
            "--password",
            "một hai ba bốn năm",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let app = TestApp::spawn_with(|s| *s = settings.clone()).await;
    let admin = app
        .login("root@farmstream.test", "một hai ba bốn năm")
        .await;
    assert!(admin.payload("login")["session"]["accessToken"].is_string());
    let token = admin.payload("login")["session"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let me = app
        .gql_as(Some(&token), "{ me { roles } }", json!({}))
        .await;
    assert_eq!(me.data()["me"]["roles"], json!(["ADMIN"]));
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let state = &app.app.state;
    let first = farmstream::seed::run(&state.db, &state.keys)
        .await
        .expect("seeds");
    assert!(first.accounts_created > 0);
    assert_eq!(first.courses_created, 2);
    assert!(first.certificates_issued > 0);
    let second = farmstream::seed::run(&state.db, &state.keys)
        .await
        .expect("seeds again");
    assert_eq!(second.accounts_created, 0);
    assert_eq!(second.courses_created, 0);
    assert_eq!(second.certificates_issued, 0);
    let courses = app
        .gql(
            "{ courses(first: 10) { totalCount edges { node { title status sessions { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(courses.data()["courses"]["totalCount"], 2);
    let completed = &courses.data()["courses"]["edges"][0]["node"];
    assert_eq!(completed["status"], "COMPLETED");
    assert_eq!(completed["sessions"].as_array().map(Vec::len), Some(3));
    let admin = app
        .login("admin@farmstream.vn", farmstream::seed::DEMO_PASSWORD)
        .await;
    assert!(admin.payload("login")["session"]["accessToken"].is_string());
}
