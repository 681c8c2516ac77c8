//! The SQLite cache: opening it safely, migrating it, and every SQL statement cxsync runs.
//!
//! Nothing outside this module writes SQL. The database file is created private (0600, its
//! directory 0700 when cxsync creates it), runs in WAL mode so support staff can read while
//! the daemon writes, and is migrated on open from the embedded `migrations/`.
//!
//! Architecture:
//! - [`Store::open`]: the daemon's read-write handle; creates and migrates.
//! - [`Store::open_read_only`]: what `query`, `findings` and `show` use; never writes, never
//!   migrates, refuses any statement that would change the database.
//! - `query`: read-only SQL for support staff, results as a [`crate::table::Table`].
//! - `pages`: writing a fetched page, its quarantined rejects and its cursor atomically.
//! - `reconcile`: loading a connection's records for reconciliation; saving matches and the
//!   findings' lifecycle.
//! - `windows`: what reads of unordered lists ask: a stored record's change time or raw
//!   JSON, and closing a ledger re-read window (stale entries out, cursor in, atomically).
//! - `omni`: Cin7 Omni's derived records (payments named by their orders, the derived
//!   ledger) streamed from the stored records, fingerprinted, and written with their marker.
//! - `findings`: reading findings for the command line.
//! - `report`: loading what the variance report is computed from.
//! - `reports`: generated reports and whether each was delivered (exactly-once delivery).
//! - `trend`: the 30-day variance trend, and a connection's report and trend in one call.
//! - [`CallLog`], [`TokenVault`]: the API call log and the OAuth refresh tokens, each written
//!   on its own connection so neither waits for a sync transaction.

mod calls;
mod findings;
mod omni;
mod pages;
mod query;
mod reconcile;
mod report;
mod reports;
mod show;
mod tokens;
mod trend;
mod windows;

use std::fs::{DirBuilder, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use crate::clock::timestamp;
use crate::config::Cin7Kind;
use crate::table::Value;

pub use calls::CallLog;
pub use findings::FindingFilter;
pub use omni::{OmniRefresh, RawFingerprint};
pub use pages::{EndpointState, PageOutcome, PageWrite, Quarantined, RawPage};
pub use reconcile::FindingChanges;
pub use reports::{CLAIM_TIMEOUT, Claim, SentReport};
pub use show::DocumentView;
pub use tokens::TokenVault;
pub use windows::LedgerWindow;

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The page size of a new database: SQLite's default is 4 KiB, which holds only a few raw
/// records of 600–1,000 bytes each. With 8 KiB pages a backfill writes half as many pages (and
/// WAL frames, two system calls each) for the same rows; issue 8 measured about 8 % less CPU.
const PAGE_SIZE: i64 = 8192;

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file or its directory could not be created or opened.
    #[error("cannot open the store at {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    /// A read-only open found no database.
    #[error(
        "there is no store at {path}: run `cxsync check` or `cxsync sync --once` to create it, \
         or point store.path at the daemon's database"
    )]
    Missing { path: PathBuf },
    /// SQLite refused to open or set up the file.
    #[error("cannot open the store at {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    /// Applying the embedded migrations failed.
    #[error("cannot migrate the store at {path}: {source}")]
    Migrate { path: PathBuf, source: rusqlite_migration::Error },
    /// The database was written by a newer cxsync than this one.
    #[error(
        "the store at {path} has schema version {found}, newer than this cxsync knows ({known}): \
         upgrade cxsync"
    )]
    TooNew { path: PathBuf, found: usize, known: usize },
    /// A statement that would change the database was given to the read-only query path.
    #[error(
        "refused: `cxsync query` is read-only and this statement would change the database \
         ({statement}); use SELECT, or the views described in docs/schema.md"
    )]
    WriteRefused { statement: String },
    /// More than one statement was given to the read-only query path.
    #[error("give one SQL statement at a time (found more after `{first}`)")]
    MultipleStatements { first: String },
    /// A configured connection the store has never recorded (never synced).
    #[error(
        "the store at {path} has no data for connection `{name}` yet: run `cxsync sync --once` \
         (or let `cxsync run` sync it) first"
    )]
    UnknownConnection { path: PathBuf, name: String },
    /// A store task was cancelled or panicked before it finished (nothing it did is kept).
    #[error("a store task did not finish: {0}")]
    Interrupted(String),
    /// Any other SQL error, with the statement's purpose.
    #[error("{context}: {source}")]
    Query { context: &'static str, source: rusqlite::Error },
}

impl StoreError {
    fn query(context: &'static str) -> impl FnOnce(rusqlite::Error) -> Self {
        move |source| Self::Query { context, source }
    }
}

/// A handle on the SQLite cache.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// A migration set built from the embedded files.
fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|(_, sql)| M::up(sql)).collect())
}

/// The schema version this build migrates to.
/// The shared store, even if a panic elsewhere poisoned its lock (every write is one
/// transaction, so nothing is left half-written).
pub fn lock(store: &std::sync::Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn schema_version_known() -> usize {
    MIGRATIONS.len()
}

impl Store {
    /// Opens (creating if needed) and migrates the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        create_private(path).map_err(|source| StoreError::Open { path: path.into(), source })?;
        warn_if_shared(path);
        let sqlite = |source| StoreError::Sqlite { path: path.into(), source };
        let mut conn = Connection::open(path).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        // Only a new, empty database takes it; an existing one keeps the size it was made with.
        conn.pragma_update(None, "page_size", PAGE_SIZE).map_err(sqlite)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sqlite)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(sqlite)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sqlite)?;
        check_not_newer(&conn, path)?;
        migrations()
            .to_latest(&mut conn)
            .map_err(|source| StoreError::Migrate { path: path.into(), source })?;
        Ok(Self { conn, path: path.into() })
    }

    /// Opens an existing store for reading only. Every statement run through this handle is
    /// refused by SQLite if it would write (`query_only`), and the file is opened read-only.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing { path: path.into() });
        }
        let sqlite = |source| StoreError::Sqlite { path: path.into(), source };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        conn.pragma_update(None, "query_only", "ON").map_err(sqlite)?;
        // Refresh tokens are the daemon's, not support staff's: reading them gives NULL.
        conn.authorizer(Some(|context: rusqlite::hooks::AuthContext<'_>| match context.action {
            rusqlite::hooks::AuthAction::Read {
                table_name: "oauth_tokens",
                column_name: "refresh_token",
            } => rusqlite::hooks::Authorization::Ignore,
            _ => rusqlite::hooks::Authorization::Allow,
        }))
        .map_err(sqlite)?;
        check_not_newer(&conn, path)?;
        let version = user_version(&conn).map_err(sqlite)?;
        if version < schema_version_known() {
            tracing::warn!(
                path = %path.display(),
                found = version,
                known = schema_version_known(),
                "the store has an older schema than this cxsync; it is migrated when the daemon \
                 (or `cxsync check`) next opens it read-write"
            );
        }
        Ok(Self { conn, path: path.into() })
    }

    /// Whether the store has table `name`: a store opened read-only is not migrated, so a
    /// reader of a table newer than the first migration checks first (`finding_accounts`).
    pub(crate) fn has_table(&self, name: &str) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
            [name],
            |row| row.get(0),
        )
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        user_version(&self.conn).map_err(StoreError::query("reading the schema version"))
    }

    /// Records a configured connection (if new) and returns its id.
    pub fn ensure_connection(
        &self,
        name: &str,
        kind: Cin7Kind,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.conn
            .execute(
                "INSERT INTO connections (name, cin7_kind, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET cin7_kind = excluded.cin7_kind",
                params![name, kind.as_str(), timestamp(now)],
            )
            .map_err(StoreError::query("recording a connection"))?;
        self.conn
            .query_row("SELECT id FROM connections WHERE name = ?1", [name], |row| row.get(0))
            .map_err(StoreError::query("reading a connection id"))
    }

    /// When the newest live Xero refresh token of a connection was stored, if there is one.
    pub fn refresh_token_stored_at(&self, connection: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT t.created_at FROM oauth_tokens t
                 JOIN connections c ON c.id = t.connection_id
                 WHERE c.name = ?1 AND t.superseded_at IS NULL
                 ORDER BY t.version DESC LIMIT 1",
                [connection],
                |row| row.get(0),
            )
            .optional()
            .map_err(StoreError::query("reading stored tokens"))
    }
}

/// A second read-write connection on an existing, migrated store.
fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let sqlite = |source| StoreError::Sqlite { path: path.into(), source };
    let conn = Connection::open(path).map_err(sqlite)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(sqlite)?;
    Ok(conn)
}

/// A SQLite value as a table cell.
fn cell(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => Value::Integer(n),
        ValueRef::Real(x) => Value::Real(x),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or(0))
}

fn check_not_newer(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let found =
        user_version(conn).map_err(|source| StoreError::Sqlite { path: path.into(), source })?;
    let known = schema_version_known();
    if found > known {
        return Err(StoreError::TooNew { path: path.into(), found, known });
    }
    Ok(())
}

/// Creates the database file with mode 0600 (and missing directories with 0700) unless it
/// exists. SQLite gives its `-wal` and `-shm` files the database file's mode.
fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty())
        && !dir.exists()
    {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    match OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err),
    }
}

fn warn_if_shared(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o007 != 0 {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "the store holds OAuth tokens and business data but other users can read it; \
                 run `chmod 600` on it"
            );
        }
    }
}

/// A fresh store in a temporary directory with one Core connection named `acme`, for the
/// store's own tests.
#[cfg(test)]
pub(crate) fn test_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("cxsync.db")).expect("a new store");
    store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).expect("a connection");
    (dir, store)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database at `path` with the migrations before number `next` applied (an older
    /// cxsync's store), for the tests of what migration `next` does to existing rows.
    fn migrated_before(path: impl AsRef<Path>, next: usize) -> Connection {
        let mut conn = Connection::open(path).unwrap();
        let older =
            Migrations::new(MIGRATIONS[..next - 1].iter().map(|(_, sql)| M::up(sql)).collect());
        older.to_latest(&mut conn).unwrap();
        conn
    }

    #[test]
    fn migrations_are_valid() {
        assert!(!MIGRATIONS.is_empty());
        migrations().validate().unwrap();
    }

    #[test]
    fn migration_files_are_numbered_in_sequence_and_explain_themselves() {
        for (index, (name, sql)) in MIGRATIONS.iter().enumerate() {
            let number = format!("{:04}_", index + 1);
            assert!(name.starts_with(&number), "{name} should start with {number}");
            assert!(
                sql.trim_start().starts_with("--"),
                "{name} must open with a comment saying why"
            );
        }
    }

    #[test]
    fn new_database_is_private_and_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/cxsync.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), schema_version_known());
        let file_mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        let dir_mode =
            std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
        assert_eq!(file_mode, 0o600);
        assert_eq!(dir_mode, 0o700);
        let journal: String =
            store.conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap();
        assert_eq!(journal, "wal");
        let fk: i64 =
            store.conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).unwrap();
        assert_eq!(fk, 1);
        let page_size: i64 =
            store.conn.pragma_query_value(None, "page_size", |row| row.get(0)).unwrap();
        assert_eq!(page_size, PAGE_SIZE);
    }

    #[test]
    fn an_existing_store_keeps_its_page_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE t (x INTEGER);").unwrap();
        drop(conn);
        let store = Store::open(&path).unwrap();
        let page_size: i64 =
            store.conn.pragma_query_value(None, "page_size", |row| row.get(0)).unwrap();
        assert_eq!(page_size, 4096);
        assert_eq!(store.schema_version().unwrap(), schema_version_known());
    }

    #[test]
    fn matches_keep_their_rows_when_their_table_loses_its_rowid() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 10);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO matches VALUES
                 (1, 'c-2', 'x-2', 'document_number', '2026-01-02T00:00:00.000Z'),
                 (1, 'c-1', 'x-1', 'task_id_in_narration', '2026-01-01T00:00:00.000Z');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let rows: Vec<(i64, String, String, String, String)> = conn
            .prepare("SELECT * FROM matches ORDER BY cin7_external_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let row =
            |c: &str, x: &str, m: &str, at: &str| (1, c.into(), x.into(), m.into(), at.into());
        assert_eq!(
            rows,
            [
                row("c-1", "x-1", "task_id_in_narration", "2026-01-01T00:00:00.000Z"),
                row("c-2", "x-2", "document_number", "2026-01-02T00:00:00.000Z"),
            ]
        );
        let sql: String = conn
            .query_row("SELECT sql FROM sqlite_schema WHERE name = 'matches'", [], |r| r.get(0))
            .unwrap();
        assert!(sql.contains("WITHOUT ROWID"), "{sql}");
        let index: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'matches_by_xero'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1);
    }

    #[test]
    fn journals_stored_before_raw_pages_keep_their_raw_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 11);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO raw_documents (connection_id, system, endpoint, external_id, raw_json,
                 content_hash, fetched_at)
             VALUES (1, 'xero', 'Journals', 'j1', '{\"JournalNumber\":1}', 'h',
                 '2026-01-01T00:00:00.000Z');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(count("SELECT count(*) FROM raw_documents WHERE endpoint = 'Journals'"), 1);
        assert_eq!(count("SELECT count(*) FROM raw_pages"), 0, "not moved");
    }

    #[test]
    fn ledger_lines_keep_an_account_index_for_cin7_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 9);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO ledger_lines (connection_id, system, source_id, line_no, date,
                 account_code, amount)
             VALUES (1, 'xero', 'j1', 0, '2026-10-01', '630', '10.00'),
                    (1, 'xero', 'j1', 1, '2026-10-01', '200', '-10.00'),
                    (1, 'cin7', 'transactions/t1', 0, '2026-10-01', '630', '10.00'),
                    (1, 'cin7', 'transactions/t1', 1, '2026-10-02', '310', '-10.00');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let indexed = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
        assert_eq!(
            indexed(
                "SELECT count(*) FROM ledger_lines INDEXED BY ledger_lines_cin7_by_account
                 WHERE system = 'cin7' AND connection_id = 1 AND account_code = '630'"
            ),
            1
        );
        assert_eq!(indexed("SELECT count(*) FROM ledger_lines"), 4, "no line is lost");
        assert_eq!(
            indexed("SELECT count(*) FROM sqlite_schema WHERE name = 'ledger_lines_by_account'"),
            0,
            "Xero lines are no longer indexed by account"
        );
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM ledger_lines g
                 WHERE g.connection_id = 1 AND g.system = 'cin7' AND g.account_code = '630'",
                [],
                |row| row.get(3),
            )
            .unwrap();
        assert!(plan.contains("ledger_lines_cin7_by_account"), "support query 10: {plan}");
    }

    #[test]
    fn documents_are_indexed_by_number_only_when_they_have_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 12);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO documents (connection_id, system, doc_type, external_id, number, status)
             VALUES (1, 'xero', 'sales_invoice', 'i1', 'INV-1', 'AUTHORISED'),
                    (1, 'xero', 'manual_journal', 'm1', NULL, 'POSTED'),
                    (1, 'xero', 'payment', 'p1', NULL, 'AUTHORISED');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM documents"), 3, "no document is lost");
        assert_eq!(
            count(
                "SELECT partial FROM pragma_index_list('documents') WHERE name = 'documents_by_number'"
            ),
            1,
            "documents without a number are not in the index"
        );
        let plan: String = conn
            .query_row(
                "EXPLAIN QUERY PLAN SELECT id FROM documents
                 WHERE connection_id = 1 AND number = 'INV-1'",
                [],
                |row| row.get(3),
            )
            .unwrap();
        assert!(plan.contains("documents_by_number"), "a lookup by number: {plan}");
    }

    #[test]
    fn document_lines_keep_their_rows_when_their_table_loses_its_rowid() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 7);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO documents (id, connection_id, system, doc_type, external_id, status)
                 VALUES (7, 1, 'xero', 'sales_invoice', 'inv-1', 'AUTHORISED');
             INSERT INTO document_lines (document_id, line_no, item_code, line_amount)
                 VALUES (7, 0, 'SKU-1', '10.00'), (7, 1, NULL, '-2.50');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let lines: Vec<(i64, i64, Option<String>, String)> = conn
            .prepare("SELECT document_id, line_no, item_code, line_amount FROM document_lines")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            lines,
            [(7, 0, Some("SKU-1".into()), "10.00".into()), (7, 1, None, "-2.50".into())]
        );
        let without_rowid = conn.prepare("SELECT rowid FROM document_lines").is_err();
        assert!(without_rowid, "document_lines is a WITHOUT ROWID table");
        conn.execute_batch("PRAGMA foreign_keys = ON; DELETE FROM documents WHERE id = 7;")
            .unwrap();
        let left: i64 =
            conn.query_row("SELECT count(*) FROM document_lines", [], |row| row.get(0)).unwrap();
        assert_eq!(left, 0, "lines still go with their document");
    }

    #[test]
    fn findings_stored_before_finding_accounts_are_on_their_own_account() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = migrated_before(dir.path().join("cxsync.db"), 8);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO findings (id, connection_id, fingerprint, kind, severity, account_code,
                 amount, message, first_seen, last_seen) VALUES
             (1, 1, 'a', 'missing_in_xero', 'error', '630', '-35.83', 'm', 't', 't'),
             (2, 1, 'b', 'blank_cogs', 'warning', '310', NULL, 'm', 't', 't'),
             (3, 1, 'c', 'amount_mismatch', 'error', NULL, '2.00', 'm', 't', 't');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let rows: Vec<(i64, String, String)> = conn
            .prepare("SELECT finding_id, account_code, amount FROM finding_accounts")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(1, "630".into(), "-35.83".into())]);
    }

    /// `show` and `report` open the store read-only, which does not migrate it: a store the
    /// daemon has not yet migrated to 0008 is read without the finding accounts.
    #[test]
    fn show_and_the_report_read_a_store_from_before_finding_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        let conn = migrated_before(&path, 8);
        conn.execute_batch(
            "INSERT INTO connections VALUES (1, 'acme', 'core', '2026-01-01T00:00:00.000Z');
             INSERT INTO findings (id, connection_id, fingerprint, kind, severity, cin7_ref,
                 account_code, amount, message, first_seen, last_seen) VALUES
             (1, 1, 'a', 'missing_in_xero', 'error', 'INV-1', '630', '-35.83', 'm', 't', 't');",
        )
        .unwrap();
        drop(conn);
        let store = Store::open_read_only(&path).unwrap();
        let view = store.document_view("INV-1").unwrap();
        assert_eq!(view.findings.rows.len(), 1);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let input = store.report_input(
            "acme",
            &crate::config::AccountMap::inventory_only("630"),
            None,
            date,
        );
        let input = input.unwrap();
        assert_eq!(input.open_findings.len(), 1);
        assert!(input.open_findings[0].other_accounts.is_empty());
    }

    #[test]
    fn reopening_is_idempotent_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        let now = DateTime::UNIX_EPOCH;
        let id =
            Store::open(&path).unwrap().ensure_connection("acme", Cin7Kind::Core, now).unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.ensure_connection("acme", Cin7Kind::Core, now).unwrap(), id);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        drop(Store::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(
            None,
            "user_version",
            i64::try_from(schema_version_known()).unwrap() + 1,
        )
        .unwrap();
        drop(conn);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew { .. })));
        assert!(matches!(Store::open_read_only(&path), Err(StoreError::TooNew { .. })));
    }

    #[test]
    fn read_only_open_of_a_missing_file_says_how_to_create_it() {
        let err = Store::open_read_only(Path::new("/nonexistent/cxsync.db")).unwrap_err();
        assert!(err.to_string().contains("cxsync check"), "{err}");
    }
}
