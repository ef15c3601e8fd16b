//! Database connection: SQLite in embedded mode, PostgreSQL by configuration.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers
//! fail with "database is locked", write transactions on SQLite queue on an
//! in-process gate; on PostgreSQL the gate is open and row locks and
//! conditional updates do the work. [`Db::write`] is the only way to open a
//! write transaction: it commits when its closure succeeds and otherwise
//! rolls back before it opens the gate, whichever way the closure ends (an
//! error, an early `?`, a panic, or the caller dropping the future).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::FutureExt;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    TransactionTrait,
};
use sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// The database handle shared by every request.
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    write_gate: Option<Arc<Mutex<()>>>,
    queries: Arc<AtomicU64>,
}

/// A write transaction, lent to the closure of [`Db::write`]; on SQLite it
/// holds the write gate until it has committed or rolled back.
pub struct WriteTxn {
    /// `None` once committed or rolled back.
    txn: Option<DatabaseTransaction>,
    gate: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        self.txn
            .as_ref()
            .expect("a write transaction is open while it is lent")
    }
}

impl WriteTxn {
    /// Commits the transaction, then opens the gate.
    async fn commit(mut self) -> Result<(), sea_orm::DbErr> {
        let txn = self.txn.take().expect("the transaction is open");
        let result = txn.commit().await;
        drop(self.gate.take());
        result
    }

    /// Rolls the transaction back, then opens the gate, so the next writer
    /// never finds this one's locks still held (a dropped transaction only
    /// starts its rollback, and the connection finishes it when next used).
    async fn rollback(mut self) {
        if let Some(txn) = self.txn.take()
            && let Err(err) = txn.rollback().await
        {
            tracing::warn!(error = %err, "rolling back failed");
        }
        drop(self.gate.take());
    }
}

impl Drop for WriteTxn {
    /// Reached with the transaction still open only when the future of
    /// [`Db::write`] was dropped midway (a cancelled request): the rollback
    /// and then the gate's release move to a task of their own.
    fn drop(&mut self) {
        let Some(txn) = self.txn.take() else {
            return;
        };
        let gate = self.gate.take();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(err) = txn.rollback().await {
                        tracing::warn!(error = %err, "rolling back failed");
                    }
                    drop(gate);
                });
            }
            // No runtime left (shutting down): dropping the transaction
            // starts its rollback.
            Err(_) => drop((txn, gate)),
        }
    }
}

impl Db {
    /// Connects to `url` with at most `max_connections` pooled connections.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sea_orm::DbErr> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
        let mut conn = sea_orm::Database::connect(opts).await?;
        let write_gate =
            (conn.get_database_backend() == DbBackend::Sqlite).then(|| Arc::new(Mutex::new(())));
        let queries = Arc::new(AtomicU64::new(0));
        let counter = queries.clone();
        conn.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self {
            conn,
            write_gate,
            queries,
        })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), sea_orm::DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// The connection pool, for reads.
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Begins a transaction that will write, after the gate on SQLite.
    async fn begin_write(&self) -> Result<WriteTxn, sea_orm::DbErr> {
        let gate = match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        // Should `begin` fail, the guard opens the gate as it drops.
        let txn = self.conn.begin().await?;
        Ok(WriteTxn {
            txn: Some(txn),
            gate,
        })
    }

    /// Runs `work` in a write transaction, the only way to open one: it
    /// commits when `work` returns `Ok`, and on every other path (an `Err`,
    /// an early `?`, a panic) rolls back before it opens SQLite's write
    /// gate to the next writer; a panic is then resumed. Should the future
    /// itself be dropped midway, the rollback and the gate's release happen
    /// on a task of their own.
    pub async fn write<T, E>(
        &self,
        work: impl AsyncFnOnce(&WriteTxn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<sea_orm::DbErr>,
    {
        let txn = self.begin_write().await?;
        let outcome = std::panic::AssertUnwindSafe(work(&txn))
            .catch_unwind()
            .await;
        match outcome {
            Ok(Ok(value)) => {
                txn.commit().await?;
                Ok(value)
            }
            Ok(Err(err)) => {
                txn.rollback().await;
                Err(err)
            }
            Err(panic) => {
                txn.rollback().await;
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// How many rows of `table` match `condition` (with `?` placeholders
    /// for `values`) for each value of the UUID column `group`, in one
    /// grouped query; groups without rows are missing.
    pub async fn count_per_group(
        &self,
        table: &str,
        group: &str,
        condition: &str,
        values: Vec<sea_orm::Value>,
    ) -> Result<std::collections::HashMap<uuid::Uuid, u64>, sea_orm::DbErr> {
        let sql = format!(
            "SELECT {group} AS grouped, COUNT(*) AS n FROM {table} WHERE {condition} GROUP BY {group}"
        );
        let mut counts = std::collections::HashMap::new();
        for row in self
            .conn
            .query_all_raw(self.statement(&sql, values))
            .await?
        {
            let n: i64 = row.try_get("", "n")?;
            counts.insert(row.try_get("", "grouped")?, u64::try_from(n).unwrap_or(0));
        }
        Ok(counts)
    }

    /// A custom SQL expression written with `?` placeholders, made right for
    /// this database.
    pub fn expr(&self, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::sea_query::SimpleExpr {
        sea_orm::sea_query::Expr::cust_with_values(placeholders(self.backend(), sql), values)
    }

    /// A whole SQL statement written with `?` placeholders (reports and
    /// aggregates that the query builder does not say as plainly).
    pub fn statement(&self, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
        statement(self.backend(), sql, values)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.conn.ping().await
    }

    /// How many SQL statements this handle has run: tests use it to check
    /// that a page costs a fixed number of queries.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Pool figures for metrics: (connections open, of which idle).
    pub fn pool_usage(&self) -> (u32, usize) {
        match self.backend() {
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), sea_orm::DbErr> {
        self.conn.close().await
    }
}

/// `sql` written with `?` placeholders, numbered `$1`, `$2`… for PostgreSQL.
fn placeholders(backend: DbBackend, sql: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    }
}

/// A whole SQL statement written with `?` placeholders, for `backend` (for
/// code that holds a connection or a transaction rather than a [`Db`]).
pub fn statement(backend: DbBackend, sql: &str, values: Vec<sea_orm::Value>) -> sea_orm::Statement {
    sea_orm::Statement::from_sql_and_values(backend, placeholders(backend, sql), values)
}

/// SQL (with `?` placeholders) for the first rows of each group: from
/// `table`, the rows matching `condition`, numbered within each value of
/// `partition` in `order`, keeping the first `?` of each (the limit is the
/// last placeholder), in group and then position order. One query serves
/// the first page of a relation for a whole list of parents.
pub fn first_per_group(table: &str, partition: &str, order: &str, condition: &str) -> String {
    format!(
        "SELECT * FROM (SELECT {table}.*, ROW_NUMBER() OVER \
         (PARTITION BY {partition} ORDER BY {order}) AS group_row FROM {table} \
         WHERE {condition}) ranked WHERE group_row <= ? ORDER BY {partition}, group_row"
    )
}

#[cfg(test)]
mod write_tests {
    use super::*;

    /// A file database (an in-memory one is private to each connection)
    /// with one table, and the folder that holds it.
    async fn scratch() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("works");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let db = Db::connect(&url, 4).await.expect("works");
        db.conn()
            .execute_unprepared("CREATE TABLE t (n INTEGER NOT NULL)")
            .await
            .expect("works");
        (db, dir)
    }

    async fn insert(txn: &WriteTxn, n: i64) -> Result<(), sea_orm::DbErr> {
        txn.execute_raw(statement(
            DbBackend::Sqlite,
            "INSERT INTO t (n) VALUES (?)",
            vec![n.into()],
        ))
        .await
        .map(|_| ())
    }

    async fn rows(db: &Db) -> i64 {
        let row = db
            .conn()
            .query_one_raw(statement(
                DbBackend::Sqlite,
                "SELECT COUNT(*) AS n FROM t",
                vec![],
            ))
            .await
            .expect("works")
            .expect("works");
        row.try_get("", "n").expect("works")
    }

    fn gate_is_open(db: &Db) -> bool {
        db.write_gate.as_ref().expect("works").try_lock().is_ok()
    }

    #[tokio::test]
    async fn write_commits_what_succeeds_and_opens_the_gate() {
        let (db, _dir) = scratch().await;
        let out: Result<i64, sea_orm::DbErr> = db
            .write(async |txn| {
                insert(txn, 1).await?;
                Ok(7)
            })
            .await;
        assert_eq!(out.expect("works"), 7);
        assert_eq!(rows(&db).await, 1);
        assert!(gate_is_open(&db));
    }

    #[tokio::test]
    async fn write_rolls_back_an_early_error_and_opens_the_gate() {
        let (db, _dir) = scratch().await;
        let out: Result<(), sea_orm::DbErr> = db
            .write(async |txn| {
                insert(txn, 1).await?;
                // An early `?` on a failing statement.
                txn.execute_unprepared("INSERT INTO missing VALUES (1)")
                    .await?;
                insert(txn, 2).await
            })
            .await;
        assert!(out.is_err());
        assert_eq!(rows(&db).await, 0);
        assert!(gate_is_open(&db));
        // The next writer is not kept waiting nor finds a lock held.
        let next: Result<(), sea_orm::DbErr> = db.write(async |txn| insert(txn, 3).await).await;
        next.expect("works");
        assert_eq!(rows(&db).await, 1);
    }

    #[tokio::test]
    async fn write_rolls_back_a_panic_before_opening_the_gate() {
        let (db, _dir) = scratch().await;
        let inner = db.clone();
        let joined = tokio::spawn(async move {
            let _: Result<(), sea_orm::DbErr> = inner
                .write(async |txn| {
                    insert(txn, 1).await?;
                    panic!("a bug in the middle of a write");
                })
                .await;
        })
        .await;
        assert!(joined.expect_err("fails").is_panic());
        // The panic reached the caller only after the rollback and the
        // gate's release, so both are done already.
        assert!(gate_is_open(&db));
        assert_eq!(rows(&db).await, 0);
        let next: Result<(), sea_orm::DbErr> = db.write(async |txn| insert(txn, 2).await).await;
        next.expect("works");
        assert_eq!(rows(&db).await, 1);
    }

    #[tokio::test]
    async fn write_dropped_midway_rolls_back_and_opens_the_gate() {
        let (db, _dir) = scratch().await;
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let inner = db.clone();
        let task = tokio::spawn(async move {
            let _: Result<(), sea_orm::DbErr> = inner
                .write(async |txn| {
                    insert(txn, 1).await?;
                    started_tx.send(()).expect("works");
                    std::future::pending::<()>().await;
                    Ok(())
                })
                .await;
        });
        started_rx.await.expect("works");
        task.abort();
        assert!(task.await.expect_err("fails").is_cancelled());
        // The rollback runs on its own task; the next writer waits for it.
        let next: Result<(), sea_orm::DbErr> = tokio::time::timeout(
            Duration::from_secs(5),
            db.write(async |txn| insert(txn, 2).await),
        )
        .await
        .expect("the gate opens after the rollback");
        next.expect("works");
        assert_eq!(rows(&db).await, 1);
        assert!(gate_is_open(&db));
    }
}
