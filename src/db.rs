//! Database connection: SQLite in embedded mode, PostgreSQL by configuration.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers
//! fail with "database is locked", write transactions on SQLite queue on an
//! in-process gate ([`Db::begin_write`]); on PostgreSQL the gate is open and
//! row locks and conditional updates do the work.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// A write transaction; on SQLite it holds the write gate until dropped.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _gate: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits the transaction and opens the gate.
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        self.txn.commit().await
    }

    /// Rolls the transaction back before opening the gate, so the next
    /// writer never finds this one's locks still held (a dropped
    /// transaction only rolls back when its connection is next used).
    pub async fn rollback(self) -> Result<(), sea_orm::DbErr> {
        self.txn.rollback().await
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

    /// Begins a transaction that will write; see the module comment.
    pub async fn begin_write(&self) -> Result<WriteTxn, sea_orm::DbErr> {
        let gate = match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        let txn = self.conn.begin().await?;
        Ok(WriteTxn { txn, _gate: gate })
    }

    /// Runs `work` in a write transaction ([`Db::begin_write`]) and commits
    /// it when `work` succeeds, or rolls it back when it fails, whichever
    /// path the closure takes (an early `?` included).
    pub async fn write<T, E>(
        &self,
        work: impl AsyncFnOnce(&WriteTxn) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<sea_orm::DbErr>,
    {
        let txn = self.begin_write().await?;
        match work(&txn).await {
            Ok(value) => {
                txn.commit().await?;
                Ok(value)
            }
            Err(err) => {
                if let Err(rollback) = txn.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back failed");
                }
                Err(err)
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
