//! Read-only SQL for support staff (`cxsync query`).

use super::{Store, StoreError, cell};
use crate::table::Table;

impl Store {
    /// Runs one read-only statement and returns its rows. A statement that would write is
    /// refused before it runs (and SQLite's `query_only` would refuse it anyway on a
    /// read-only handle).
    pub fn query(&self, sql: &str) -> Result<Table, StoreError> {
        let first = first_statement_words(sql);
        // rusqlite refuses a second statement after the first (comments and `;` are fine),
        // so nothing can hide behind a harmless SELECT.
        let mut stmt = self.conn.prepare(sql).map_err(|err| match err {
            rusqlite::Error::MultipleStatement => {
                StoreError::MultipleStatements { first: first.clone() }
            }
            other => StoreError::Query { context: "preparing the query", source: other },
        })?;
        if !stmt.readonly() {
            return Err(StoreError::WriteRefused { statement: first });
        }
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let width = columns.len();
        let mut rows = Vec::new();
        let mut cursor = stmt.query([]).map_err(StoreError::query("running the query"))?;
        while let Some(row) = cursor.next().map_err(StoreError::query("reading query results"))? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(cell(row.get_ref(i).map_err(StoreError::query("reading a column"))?));
            }
            rows.push(values);
        }
        Ok(Table { columns, rows })
    }
}

fn first_statement_words(sql: &str) -> String {
    sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cin7Kind;
    use crate::table::Value;
    use chrono::DateTime;

    fn stores() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        Store::open(&path)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        let read_only = Store::open_read_only(&path).unwrap();
        (dir, read_only)
    }

    #[test]
    fn select_returns_columns_and_rows() {
        let (_dir, store) = stores();
        let table = store.query("SELECT name, cin7_kind FROM connections").unwrap();
        assert_eq!(table.columns, ["name", "cin7_kind"]);
        assert_eq!(table.rows, [[Value::Text("acme".into()), Value::Text("core".into())]]);
    }

    #[test]
    fn every_view_can_be_queried() {
        let (_dir, store) = stores();
        for view in [
            "open_findings",
            "open_findings_by_kind",
            "unsynced_documents",
            "call_budget_daily",
            "sync_status",
        ] {
            store.query(&format!("SELECT * FROM {view}")).unwrap();
        }
    }

    #[test]
    fn writes_are_refused_and_change_nothing() {
        let (_dir, store) = stores();
        for sql in [
            "DELETE FROM connections",
            "UPDATE connections SET name = 'x'",
            "DROP TABLE findings",
            "PRAGMA journal_mode = DELETE",
        ] {
            let err = store.query(sql).unwrap_err();
            assert!(matches!(err, StoreError::WriteRefused { .. }), "{sql}: {err}");
        }
        assert_eq!(
            store.query("SELECT count(*) FROM connections").unwrap().rows,
            [[Value::Integer(1)]]
        );
    }

    #[test]
    fn a_write_hidden_after_a_select_is_refused() {
        let (_dir, store) = stores();
        let err = store.query("SELECT 1; DELETE FROM connections").unwrap_err();
        assert!(matches!(err, StoreError::MultipleStatements { .. }), "{err}");
    }

    #[test]
    fn a_trailing_semicolon_or_comment_is_fine() {
        let (_dir, store) = stores();
        store.query("SELECT 1; -- done").unwrap();
    }
}
