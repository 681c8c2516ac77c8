//! One document as `cxsync show` presents it: every stored version of it (Cin7 and Xero), its
//! lines, how it was matched, and its findings past and present with their history.

use rusqlite::params;

use super::{Store, StoreError};
use crate::table::{Table, Value};

/// Everything stored about one reference.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentView {
    /// The documents (either side, any connection) whose number, reference or id is the
    /// reference, plus their matched counterparts: one row each.
    pub documents: Table,
    /// Matches involving those documents.
    pub matches: Table,
    /// Findings naming the reference, open and resolved, with the control accounts each is
    /// told on (`accounts`: "630 8.50, 650 -8.50", its own account first).
    pub findings: Table,
    /// The history of those findings.
    pub events: Table,
}

impl Store {
    /// What the store knows about `reference` (a number like `INV-0042`, a reference, or a
    /// Cin7 or Xero id).
    pub fn document_view(&self, reference: &str) -> Result<DocumentView, StoreError> {
        let q = |sql: &str| self.table(sql, reference);
        let documents = q(
            "WITH hit AS (
                 SELECT id, connection_id, external_id FROM documents
                 WHERE number = ?1 OR external_id = ?1 OR reference = ?1),
             counterpart AS (
                 SELECT d.id FROM documents d JOIN matches m ON m.connection_id = d.connection_id
                 JOIN hit h ON h.connection_id = m.connection_id
                 WHERE (m.cin7_external_id = h.external_id AND d.external_id = m.xero_external_id)
                    OR (m.xero_external_id = h.external_id AND d.external_id = m.cin7_external_id))
             SELECT c.name AS connection, d.system, d.doc_type, d.external_id, d.number, d.reference,
                    d.contact, d.status, d.date, d.total, d.tax_total, d.amount_paid, d.amount_credited,
                    d.updated_at, (SELECT count(*) FROM document_lines l WHERE l.document_id = d.id) AS lines
             FROM documents d JOIN connections c ON c.id = d.connection_id
             WHERE d.id IN (SELECT id FROM hit UNION SELECT id FROM counterpart)
             ORDER BY c.name, d.system, d.doc_type, d.external_id",
        )?;
        let matches = q(
            "SELECT c.name AS connection, m.cin7_external_id, m.xero_external_id, m.method, m.matched_at
             FROM matches m JOIN connections c ON c.id = m.connection_id
             WHERE m.cin7_external_id IN (SELECT external_id FROM documents WHERE number = ?1 OR external_id = ?1 OR reference = ?1)
                OR m.xero_external_id IN (SELECT external_id FROM documents WHERE number = ?1 OR external_id = ?1 OR reference = ?1)
             ORDER BY 1, 2, 3",
        )?;
        // A store opened read-only before migration 0008 has no `finding_accounts`.
        let has_accounts =
            self.has_table("finding_accounts").map_err(StoreError::query("reading a document"))?;
        let accounts = if has_accounts {
            "(SELECT group_concat(on_account, ', ') FROM (
                 SELECT a.account_code || ' ' || a.amount AS on_account FROM finding_accounts a
                 WHERE a.finding_id = f.id ORDER BY a.account_code IS NOT f.account_code, a.account_code))"
        } else {
            "NULL"
        };
        let findings = q(&format!(
            "SELECT f.id, c.name AS connection, f.kind, f.severity, f.cin7_ref, f.xero_ref, f.amount,
                    {accounts} AS accounts, f.first_seen, f.last_seen, f.resolved_at, f.message
             FROM findings f JOIN connections c ON c.id = f.connection_id
             WHERE f.cin7_ref = ?1 OR f.xero_ref = ?1
             ORDER BY f.resolved_at IS NOT NULL, f.first_seen, f.id"
        ))?;
        let events = q("SELECT e.finding_id, f.kind, e.event, e.at FROM finding_events e
             JOIN findings f ON f.id = e.finding_id
             WHERE f.cin7_ref = ?1 OR f.xero_ref = ?1 ORDER BY e.at, e.finding_id")?;
        Ok(DocumentView { documents, matches, findings, events })
    }

    fn table(&self, sql: &str, reference: &str) -> Result<Table, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(StoreError::query("reading a document"))?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let width = columns.len();
        let rows = stmt
            .query_map(params![reference], |row| {
                (0..width)
                    .map(|i| row.get_ref(i).map(super::cell))
                    .collect::<rusqlite::Result<Vec<Value>>>()
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::query("reading a document"))?;
        Ok(Table { columns, rows })
    }
}
