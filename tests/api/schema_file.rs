//! `schema.graphql` at the repository root is what the code serves.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    let generated = farmstream::schema::sdl();
    assert!(
        on_disk == generated,
        "schema.graphql is stale: run `cargo run -- schema --output schema.graphql` and commit it"
    );
}
