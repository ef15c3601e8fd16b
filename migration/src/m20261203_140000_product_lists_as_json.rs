//! A product's tags and harvest months as JSON arrays instead of
//! comma-joined text, so a tag may be any text and both read back as lists
//! without splitting. PostgreSQL turns the columns into `jsonb`; SQLite keeps
//! its text columns and rewrites their content as JSON array text. Existing
//! rows are converted in place (`"a,b"` → `["a","b"]`, `"5,6"` → `[5,6]`,
//! `""` → `[]`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_UP: &[&str] = &[
    "ALTER TABLE products ALTER COLUMN tags TYPE jsonb \
     USING COALESCE(to_jsonb(string_to_array(NULLIF(tags, ''), ',')), '[]'::jsonb)",
    "ALTER TABLE products ALTER COLUMN harvest_months TYPE jsonb \
     USING COALESCE(to_jsonb(string_to_array(NULLIF(harvest_months, ''), ',')::int[]), '[]'::jsonb)",
];

const PG_DOWN: &[&str] = &[
    "ALTER TABLE products ALTER COLUMN tags TYPE text USING tags::text",
    "UPDATE products SET tags = COALESCE((SELECT string_agg(t, ',' ORDER BY n) \
     FROM jsonb_array_elements_text(tags::jsonb) WITH ORDINALITY AS e(t, n)), '')",
    "ALTER TABLE products ALTER COLUMN harvest_months TYPE text USING harvest_months::text",
    "UPDATE products SET harvest_months = COALESCE((SELECT string_agg(m, ',' ORDER BY n) \
     FROM jsonb_array_elements_text(harvest_months::jsonb) WITH ORDINALITY AS e(m, n)), '')",
    "ALTER TABLE products ALTER COLUMN harvest_months TYPE varchar(40)",
];

/// Tags never hold commas or control characters (the API refuses them), so
/// quoting `\` and `"` is all JSON needs.
const SQLITE_UP: &[&str] = &[
    "UPDATE products SET tags = CASE WHEN tags = '' THEN '[]' ELSE \
     '[\"' || replace(replace(replace(tags, '\\', '\\\\'), '\"', '\\\"'), ',', '\",\"') || '\"]' END",
    "UPDATE products SET harvest_months = CASE WHEN harvest_months = '' THEN '[]' \
     ELSE '[' || harvest_months || ']' END",
];

const SQLITE_DOWN: &[&str] = &[
    "UPDATE products SET tags = COALESCE((SELECT group_concat(value, ',') \
     FROM json_each(products.tags)), '')",
    "UPDATE products SET harvest_months = COALESCE((SELECT group_concat(value, ',') \
     FROM json_each(products.harvest_months)), '')",
];

async fn run(manager: &SchemaManager<'_>, postgres: &[&str], sqlite: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DbBackend::Postgres => postgres,
        _ => sqlite,
    };
    let conn = manager.get_connection();
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, PG_UP, SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, PG_DOWN, SQLITE_DOWN).await
    }
}
