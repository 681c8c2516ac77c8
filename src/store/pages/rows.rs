//! The rows one page writes for its records: the raw record (or, for Xero's Journals, the
//! page's raw row), and the document with its lines or the ledger entry's lines.
//!
//! Every statement is prepared once per page and the page's constants (connection, system,
//! endpoint, fetch time) are bound once; per record only what changes is bound. A row is
//! inserted first and looked up only when it is already stored: in a backfill nearly every
//! record is new, so the lookup before each insert was a second search of the same index.

use rusqlite::{CachedStatement, ToSql, Transaction};

use super::RawPage;
use super::text::Text;
use crate::clock::timestamp;
use crate::model::{Document, LedgerEntry};

/// What the store held of a record before this page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stored {
    /// Not stored: inserted now, with this raw row id.
    New(i64),
    /// Stored with other text: rewritten in place (same raw row id).
    Changed(i64),
    /// Stored with this very text: nothing written.
    Unchanged,
}

/// The prepared statements of one page, with its constants bound.
pub(super) struct PageRows<'tx> {
    tx: &'tx Transaction<'tx>,
    raw_insert: CachedStatement<'tx>,
    raw_lookup: CachedStatement<'tx>,
    raw_update: CachedStatement<'tx>,
    doc_insert: CachedStatement<'tx>,
    doc_lookup: CachedStatement<'tx>,
    doc_update: CachedStatement<'tx>,
    lines_delete: CachedStatement<'tx>,
    line_insert: CachedStatement<'tx>,
    ledger_probe: CachedStatement<'tx>,
    ledger_delete: CachedStatement<'tx>,
    ledger_insert: CachedStatement<'tx>,
    ledger_add: CachedStatement<'tx>,
    page_upsert: CachedStatement<'tx>,
}

/// Binds `values` to `stmt` from parameter `first` on.
fn bind(
    stmt: &mut CachedStatement<'_>,
    first: usize,
    values: &[&dyn ToSql],
) -> rusqlite::Result<()> {
    for (index, value) in (first..).zip(values) {
        stmt.raw_bind_parameter(index, value)?;
    }
    Ok(())
}

fn money(amount: Option<rust_decimal::Decimal>) -> Option<Text> {
    amount.map(Text::money)
}

impl<'tx> PageRows<'tx> {
    /// Prepares the page's statements; `id` is the connection's row id.
    pub(super) fn prepare(
        tx: &'tx Transaction<'tx>,
        id: i64,
        system: &str,
        endpoint: &str,
        now: &str,
    ) -> rusqlite::Result<Self> {
        let mut rows = Self {
            tx,
            raw_insert: tx.prepare_cached(
                "INSERT INTO raw_documents (connection_id, system, endpoint, fetched_at,
                     external_id, updated_at, raw_json, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (connection_id, system, endpoint, external_id) DO NOTHING",
            )?,
            raw_lookup: tx.prepare_cached(
                "SELECT id, content_hash FROM raw_documents
                 WHERE connection_id = ?1 AND system = ?2 AND endpoint = ?3 AND external_id = ?4",
            )?,
            raw_update: tx.prepare_cached(
                "UPDATE raw_documents SET fetched_at = ?1, updated_at = ?2, raw_json = ?3,
                     content_hash = ?4
                 WHERE id = ?5",
            )?,
            doc_insert: tx.prepare_cached(
                "INSERT INTO documents (connection_id, system, doc_type, external_id, number,
                     reference, contact, status, date, due_date, currency, total, tax_total,
                     amount_paid, amount_credited, updated_at, raw_document_id, channel)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18)
                 ON CONFLICT (connection_id, system, doc_type, external_id) DO NOTHING",
            )?,
            doc_lookup: tx.prepare_cached(
                "SELECT id FROM documents
                 WHERE connection_id = ?1 AND system = ?2 AND doc_type = ?3 AND external_id = ?4",
            )?,
            doc_update: tx.prepare_cached(
                "UPDATE documents SET number = ?5, reference = ?6, contact = ?7, status = ?8,
                     date = ?9, due_date = ?10, currency = ?11, total = ?12, tax_total = ?13,
                     amount_paid = ?14, amount_credited = ?15, updated_at = ?16,
                     raw_document_id = ?17, channel = ?18
                 WHERE id = ?1",
            )?,
            lines_delete: tx.prepare_cached("DELETE FROM document_lines WHERE document_id = ?1")?,
            line_insert: tx.prepare_cached(
                "INSERT INTO document_lines (document_id, line_no, item_code, description,
                     quantity, unit_amount, line_amount, tax_amount, account_code, unit_cost)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?,
            ledger_probe: tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM ledger_lines
                 WHERE connection_id = ?1 AND system = ?2 AND source_id = ?3)",
            )?,
            ledger_delete: tx.prepare_cached(
                "DELETE FROM ledger_lines WHERE connection_id = ?1 AND system = ?2 AND source_id = ?3",
            )?,
            ledger_insert: tx.prepare_cached(
                "INSERT INTO ledger_lines (connection_id, system, source_id, journal_number,
                     source_type, reference, line_no, date, account_code, amount, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?,
            ledger_add: tx.prepare_cached(
                "INSERT INTO ledger_lines (connection_id, system, source_id, journal_number,
                     source_type, reference, line_no, date, account_code, amount, description)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (connection_id, system, source_id, line_no) DO NOTHING",
            )?,
            // A page read again (a cursor reset) replaces the row of the same first number:
            // journals are never removed, so the later read holds all the earlier one did.
            // Read again unchanged, it is left as stored (fetched_at included), as a record is;
            // a shorter read (never seen from Xero) does not drop journals the row holds.
            page_upsert: tx.prepare_cached(
                "INSERT INTO raw_pages (connection_id, system, endpoint, fetched_at,
                     first_number, last_number, records, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (connection_id, system, endpoint, first_number) DO UPDATE SET
                     last_number = excluded.last_number, records = excluded.records,
                     body = excluded.body, fetched_at = excluded.fetched_at
                 WHERE raw_pages.body <> excluded.body
                     AND excluded.last_number >= raw_pages.last_number
                     AND excluded.records >= raw_pages.records",
            )?,
        };
        let page: [&dyn ToSql; 2] = [&id, &system];
        bind(&mut rows.raw_insert, 1, &[&id, &system, &endpoint, &now])?;
        bind(&mut rows.raw_lookup, 1, &[&id, &system, &endpoint])?;
        bind(&mut rows.raw_update, 1, &[&now])?;
        bind(&mut rows.page_upsert, 1, &[&id, &system, &endpoint, &now])?;
        for stmt in [
            &mut rows.doc_insert,
            &mut rows.doc_lookup,
            &mut rows.ledger_probe,
            &mut rows.ledger_delete,
            &mut rows.ledger_insert,
            &mut rows.ledger_add,
        ] {
            bind(stmt, 1, &page)?;
        }
        Ok(rows)
    }

    /// Writes the raw record unless this very text is stored.
    pub(super) fn raw(
        &mut self,
        external_id: &str,
        updated_at: Option<chrono::DateTime<chrono::Utc>>,
        raw: &str,
        hash: &str,
    ) -> rusqlite::Result<Stored> {
        let updated_at = updated_at.map(timestamp);
        bind(&mut self.raw_insert, 5, &[&external_id, &updated_at, &raw, &hash])?;
        if self.raw_insert.raw_execute()? == 1 {
            return Ok(Stored::New(self.tx.last_insert_rowid()));
        }
        self.raw_lookup.raw_bind_parameter(4, external_id)?;
        let (raw_id, same) = self
            .raw_lookup
            .raw_query()
            .next()?
            .map(|row| Ok::<_, rusqlite::Error>((row.get(0)?, row.get_ref(1)?.as_str()? == hash)))
            .transpose()?
            .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        if same {
            return Ok(Stored::Unchanged);
        }
        bind(&mut self.raw_update, 2, &[&updated_at, &raw, &hash, &raw_id])?;
        self.raw_update.raw_execute()?;
        Ok(Stored::Changed(raw_id))
    }

    /// Writes a document and replaces its lines.
    pub(super) fn document(
        &mut self,
        raw_id: i64,
        external_id: &str,
        doc: &Document,
    ) -> rusqlite::Result<()> {
        let doc_type = doc.doc_type.as_str();
        let values: [&dyn ToSql; 14] = [
            &doc.number,
            &doc.reference,
            &doc.contact,
            &doc.status,
            &doc.date.map(Text::date),
            &doc.due_date.map(Text::date),
            &doc.currency,
            &money(doc.total),
            &money(doc.tax_total),
            &money(doc.amount_paid),
            &money(doc.amount_credited),
            &doc.updated_at.map(timestamp),
            &raw_id,
            &doc.channel,
        ];
        bind(&mut self.doc_insert, 3, &[&doc_type, &external_id])?;
        bind(&mut self.doc_insert, 5, &values)?;
        let doc_id = if self.doc_insert.raw_execute()? == 1 {
            // A document just inserted has no lines yet (lines go with their document: ON
            // DELETE CASCADE), so there is nothing to replace.
            self.tx.last_insert_rowid()
        } else {
            bind(&mut self.doc_lookup, 3, &[&doc_type, &external_id])?;
            let doc_id: i64 =
                first_value(&mut self.doc_lookup)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            bind(&mut self.doc_update, 5, &values)?;
            self.doc_update.raw_bind_parameter(1, doc_id)?;
            self.doc_update.raw_execute()?;
            self.lines_delete.raw_bind_parameter(1, doc_id)?;
            self.lines_delete.raw_execute()?;
            doc_id
        };
        self.line_insert.raw_bind_parameter(1, doc_id)?;
        for (line_no, line) in (0_i64..).zip(&doc.lines) {
            bind(
                &mut self.line_insert,
                2,
                &[
                    &line_no,
                    &line.item_code,
                    &line.description,
                    &money(line.quantity),
                    &money(line.unit_amount),
                    &money(line.line_amount),
                    &money(line.tax_amount),
                    &line.account_code,
                    &money(line.unit_cost),
                ],
            )?;
            self.line_insert.raw_execute()?;
        }
        Ok(())
    }

    /// Replaces a ledger entry's lines.
    pub(super) fn ledger(&mut self, entry: &LedgerEntry) -> rusqlite::Result<()> {
        // Looked up first: a DELETE from a table with foreign keys gathers the rows it removes
        // before removing them, a cost worth paying only for an entry that has lines.
        self.ledger_probe.raw_bind_parameter(3, &entry.source_id)?;
        let stored: bool = first_value(&mut self.ledger_probe)?.unwrap_or(false);
        if stored {
            self.ledger_delete.raw_bind_parameter(3, &entry.source_id)?;
            self.ledger_delete.raw_execute()?;
        }
        insert_lines(&mut self.ledger_insert, entry)?;
        Ok(())
    }

    /// Adds the lines of an entry that never changes once written (a Xero journal), without
    /// looking first: a line already stored is left as it is. Whether any line was added, i.e.
    /// whether the entry is new (an entry without lines writes nothing: the caller decides).
    pub(super) fn ledger_added(&mut self, entry: &LedgerEntry) -> rusqlite::Result<bool> {
        Ok(insert_lines(&mut self.ledger_add, entry)? > 0)
    }

    /// Writes a page's raw JSON row; `records` counts every record of the page. Whether the
    /// row was written (new, or replaced by a longer read), not left as stored.
    pub(super) fn raw_page(&mut self, page: &RawPage, records: usize) -> rusqlite::Result<bool> {
        let records = i64::try_from(records).unwrap_or(i64::MAX);
        bind(
            &mut self.page_upsert,
            5,
            &[&page.first_number, &page.last_number, &records, &page.body],
        )?;
        Ok(self.page_upsert.raw_execute()? > 0)
    }
}

/// Inserts an entry's lines with `stmt` (connection and system bound); how many it inserted.
fn insert_lines(stmt: &mut CachedStatement<'_>, entry: &LedgerEntry) -> rusqlite::Result<usize> {
    bind(
        stmt,
        3,
        &[&entry.source_id, &entry.journal_number, &entry.source_type, &entry.reference],
    )?;
    let mut inserted = 0;
    for line in &entry.lines {
        bind(
            stmt,
            7,
            &[
                &line.line_no,
                &Text::date(line.date),
                &line.account_code,
                &Text::money(line.amount),
                &line.description,
            ],
        )?;
        inserted += stmt.raw_execute()?;
    }
    Ok(inserted)
}

/// The first column of a bound statement's first row, if it has one.
fn first_value<T: rusqlite::types::FromSql>(
    stmt: &mut rusqlite::CachedStatement<'_>,
) -> rusqlite::Result<Option<T>> {
    stmt.raw_query().next()?.map(|row| row.get(0)).transpose()
}
