//! Reading findings for `cxsync findings` and the support views.

use rusqlite::types::ToSql;

use super::{Store, StoreError, cell};
use crate::table::Table;

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    /// Only this kind (`missing_in_xero`, ...).
    pub kind: Option<String>,
    /// Only this connection, by name.
    pub connection: Option<String>,
    /// Resolved findings too, not only open ones.
    pub include_resolved: bool,
}

/// The columns of `findings --format json`, in the order the command-line contract lists them
/// (plus `resolved_at`).
const FINDING_COLUMNS: &str = "f.id, f.kind, f.severity, c.name AS connection, f.cin7_ref, \
    f.xero_ref, f.account_code, f.amount, f.date, f.first_seen, f.last_seen, f.resolved_at, \
    f.message";

impl Store {
    /// Findings matching `filter`, most severe first, then oldest first, then by id.
    pub fn findings(&self, filter: &FindingFilter) -> Result<Table, StoreError> {
        let mut sql = format!(
            "SELECT {FINDING_COLUMNS} FROM findings f JOIN connections c ON c.id = f.connection_id \
             WHERE 1 = 1"
        );
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(kind) = &filter.kind {
            sql += " AND f.kind = ?";
            args.push(kind);
        }
        if let Some(connection) = &filter.connection {
            sql += " AND c.name = ?";
            args.push(connection);
        }
        if !filter.include_resolved {
            sql += " AND f.resolved_at IS NULL";
        }
        sql += " ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, \
                f.first_seen, f.id";
        let mut stmt = self.conn.prepare(&sql).map_err(StoreError::query("listing findings"))?;
        let columns = stmt.column_names().into_iter().map(String::from).collect();
        let rows = stmt
            .query_map(args.as_slice(), |row| {
                (0..row.as_ref().column_count()).map(|i| row.get_ref(i).map(cell)).collect()
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::query("listing findings"))?;
        Ok(Table { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cin7Kind;
    use crate::table::Value;
    use chrono::DateTime;

    fn store_with_findings() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("cxsync.db")).unwrap();
        let acme = store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        let beta = store.ensure_connection("beta", Cin7Kind::Omni, DateTime::UNIX_EPOCH).unwrap();
        store
            .conn
            .execute_batch(&format!(
                "INSERT INTO findings (connection_id, fingerprint, kind, severity, cin7_ref, amount,
                     message, first_seen, last_seen, resolved_at) VALUES
                 ({acme}, 'a', 'missing_in_xero', 'warning', 'INV-1', '10.00', 'm', '2026-01-01', '2026-01-02', NULL),
                 ({acme}, 'b', 'amount_mismatch', 'error', 'INV-2', '-0.05', 'm', '2026-01-03', '2026-01-03', NULL),
                 ({acme}, 'c', 'missing_in_xero', 'warning', 'INV-3', '5', 'm', '2026-01-01', '2026-01-01', '2026-01-02'),
                 ({beta}, 'd', 'sync_error', 'error', 'SO-9', NULL, 'm', '2026-01-05', '2026-01-05', NULL);"
            ))
            .unwrap();
        (dir, store)
    }

    fn refs(table: &Table) -> Vec<String> {
        let col = table.columns.iter().position(|c| c == "cin7_ref").unwrap();
        table
            .rows
            .iter()
            .map(|row| match &row[col] {
                Value::Text(s) => s.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn open_findings_by_default_most_severe_first() {
        let (_dir, store) = store_with_findings();
        let table = store.findings(&FindingFilter::default()).unwrap();
        assert_eq!(refs(&table), ["INV-2", "SO-9", "INV-1"]);
    }

    #[test]
    fn filters_by_kind_connection_and_resolution() {
        let (_dir, store) = store_with_findings();
        let filter = FindingFilter {
            kind: Some("missing_in_xero".into()),
            connection: Some("acme".into()),
            include_resolved: true,
        };
        assert_eq!(refs(&store.findings(&filter).unwrap()), ["INV-1", "INV-3"]);
        let beta = FindingFilter { connection: Some("beta".into()), ..FindingFilter::default() };
        assert_eq!(refs(&store.findings(&beta).unwrap()), ["SO-9"]);
    }

    #[test]
    fn json_has_the_contract_fields_with_money_as_strings() {
        let (_dir, store) = store_with_findings();
        let json: serde_json::Value =
            serde_json::from_str(&store.findings(&FindingFilter::default()).unwrap().to_json())
                .unwrap();
        for key in [
            "id",
            "kind",
            "severity",
            "connection",
            "cin7_ref",
            "xero_ref",
            "account_code",
            "amount",
            "date",
            "first_seen",
            "last_seen",
            "message",
        ] {
            assert!(json[0].get(key).is_some(), "missing {key}");
        }
        assert_eq!(json[0]["amount"], "-0.05");
    }
}
