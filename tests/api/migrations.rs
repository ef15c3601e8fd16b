//! Migrations apply, roll back and re-apply cleanly on the test database.

use migration::{Migrator, MigratorTrait};
use secrecy::ExposeSecret;

use crate::helpers::settings_for;

#[tokio::test]
async fn migrations_apply_roll_back_and_apply_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = settings_for(dir.path()).await;
    let config = farmstream::config::Config::from_source(&settings).expect("config");
    let db = farmstream::db::Db::connect(config.database_url.expose_secret(), 2)
        .await
        .expect("connect");
    Migrator::up(db.conn(), None).await.expect("up");
    assert!(
        Migrator::get_pending_migrations(db.conn())
            .await
            .expect("status")
            .is_empty()
    );
    Migrator::down(db.conn(), None).await.expect("down");
    assert!(
        !Migrator::get_pending_migrations(db.conn())
            .await
            .expect("status")
            .is_empty()
    );
    Migrator::up(db.conn(), None).await.expect("up again");
    assert!(
        Migrator::get_pending_migrations(db.conn())
            .await
            .expect("status")
            .is_empty()
    );
}
