//! The API call log: the store's side of [`crate::http::CallRecorder`].

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, params};

use super::{StoreError, open_writer};
use crate::clock::timestamp;
use crate::http::{CallRecord, CallRecorder};

/// Writes calls to `api_calls` on its own connection, so logging a call never waits for a
/// page transaction held by the sync.
#[derive(Debug)]
pub struct CallLog {
    conn: Mutex<Connection>,
}

impl CallLog {
    /// Opens a writer on an existing, migrated store.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = open_writer(path)?;
        // The page writes' durability (WAL with synchronous=NORMAL: a power cut may drop the
        // last commits, never corrupt the file), not the default FULL, which fsyncs the whole
        // WAL, page data included, on every call logged. The token vault keeps FULL.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|source| StoreError::Sqlite { path: path.into(), source })?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn insert(&self, call: &CallRecord) -> rusqlite::Result<()> {
        let conn = self.conn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let limits = &call.limits;
        conn.prepare_cached(
            "INSERT INTO api_calls (connection_id, system, endpoint, method, status, error,
                 started_at, duration_ms, min_remaining, day_remaining, app_min_remaining,
                 retry_after_s, rate_limit_problem)
             VALUES ((SELECT id FROM connections WHERE name = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                 ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            call.connection,
            call.system,
            call.endpoint,
            call.method,
            call.status,
            call.error,
            timestamp(call.started_at),
            i64::try_from(call.duration_ms).unwrap_or(i64::MAX),
            limits.min_remaining,
            limits.day_remaining,
            limits.app_min_remaining,
            limits.retry_after_s.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
            limits.problem,
        ])?;
        Ok(())
    }
}

impl CallRecorder for CallLog {
    fn record(&self, call: &CallRecord) {
        if let Err(err) = self.insert(call) {
            tracing::warn!(endpoint = %call.endpoint, "could not write the call log: {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cin7Kind;
    use crate::http::LimitHeaders;
    use crate::store::Store;
    use crate::table::Value;
    use chrono::DateTime;

    #[test]
    fn logging_a_call_does_not_sync_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        Store::open(&path).unwrap();
        let log = CallLog::open(&path).unwrap();
        let synchronous: i64 = log
            .conn
            .lock()
            .unwrap()
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 1, "NORMAL");
    }

    #[test]
    fn calls_land_in_the_log_with_their_limit_headers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        let store = Store::open(&path).unwrap();
        store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        let log = CallLog::open(&path).unwrap();
        log.record(&CallRecord {
            system: "xero",
            connection: Some("acme".into()),
            endpoint: "/api.xro/2.0/Invoices".into(),
            method: "GET".into(),
            status: Some(429),
            error: None,
            started_at: DateTime::UNIX_EPOCH,
            duration_ms: 12,
            limits: LimitHeaders {
                day_remaining: Some(4321),
                retry_after_s: Some(7),
                problem: Some("minute".into()),
                ..LimitHeaders::default()
            },
        });
        let table = store
            .query("SELECT connection, system, calls, http_429, lowest_day_remaining FROM call_budget_daily")
            .unwrap();
        assert_eq!(
            table.rows,
            [[
                Value::Text("acme".into()),
                Value::Text("xero".into()),
                Value::Integer(1),
                Value::Integer(1),
                Value::Integer(4321)
            ]]
        );
    }
}
