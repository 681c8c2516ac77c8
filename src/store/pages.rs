//! Writing what the sync fetched: one page of records, its quarantined rejects and the
//! cursor that follows them, in one transaction; and the per-endpoint sync state.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest as _, Sha256};

mod rows;
mod text;

use rows::{PageRows, Stored};

use super::{Store, StoreError};
use crate::clock::timestamp;
use crate::model::{Payload, Record, System, TrialBalanceRow};

/// One page as the sync hands it to the store.
#[derive(Debug)]
pub struct PageWrite<'a> {
    pub connection: &'a str,
    pub system: System,
    /// The API endpoint (`Invoices`, `saleList`…), also the cursor's key.
    pub endpoint: &'a str,
    /// Each parsed record with its raw JSON text (empty when `raw_page` holds the page's text).
    pub records: Vec<(Record, String)>,
    pub quarantined: Vec<Quarantined>,
    /// The cursor after this page; `None` leaves it as it was.
    pub cursor: Option<String>,
    /// The page's raw JSON as one row, for a feed whose entries never change once written and
    /// are read by number (Xero's Journals): its ledger entries get no raw row each and their
    /// lines are only added, never replaced, so an entry already stored counts as unchanged.
    /// `None`: each record its own raw row, kept as the latest version (documents, Cin7).
    pub raw_page: Option<RawPage>,
}

/// One response page's records as Xero sent them, stored as one `raw_pages` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPage {
    /// The lowest record number on the page (Xero `JournalNumber`): the row's key.
    pub first_number: i64,
    /// The highest record number on the page.
    pub last_number: i64,
    /// Every record of the page, quarantined ones included, in order: a JSON array of each
    /// record's text exactly as received.
    pub body: String,
}

impl<'a> PageWrite<'a> {
    /// A page of `records` and nothing else: no rejects, the cursor left as it was, no page
    /// row of raw JSON.
    pub fn records(
        connection: &'a str,
        system: System,
        endpoint: &'a str,
        records: Vec<(Record, String)>,
    ) -> Self {
        Self {
            connection,
            system,
            endpoint,
            records,
            quarantined: vec![],
            cursor: None,
            raw_page: None,
        }
    }
}

/// A record that could not be parsed, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub external_id: Option<String>,
    pub raw: String,
    pub error: String,
}

/// What a page changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub quarantined: usize,
}

/// The sync state of one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointState {
    pub cursor: Option<String>,
    pub available: bool,
    pub last_success_at: Option<String>,
    pub last_attempt_at: Option<String>,
}

impl Default for EndpointState {
    /// An endpoint never synced: no cursor, and available until proven otherwise.
    fn default() -> Self {
        Self { cursor: None, available: true, last_success_at: None, last_attempt_at: None }
    }
}

impl Store {
    /// Writes a page and its cursor atomically: either all of it is in the store, or none.
    pub fn write_page(
        &mut self,
        page: &PageWrite<'_>,
        now: DateTime<Utc>,
    ) -> Result<PageOutcome, StoreError> {
        let outcomes = self.write_pages(std::slice::from_ref(page), now)?;
        Ok(outcomes[0])
    }

    /// Writes several pages, in order, each with its cursor, in one transaction: either all of
    /// them are in the store, or none. The cursors are those of the pages written, so the
    /// stored cursor is never ahead of the stored rows; a failure (or a crash before the
    /// commit) leaves the cursor where the last commit put it, and the pages are read again.
    /// One commit for several pages writes each index page they share once, not once a page.
    pub fn write_pages(
        &mut self,
        pages: &[PageWrite<'_>],
        now: DateTime<Utc>,
    ) -> Result<Vec<PageOutcome>, StoreError> {
        let write = StoreError::query("writing a page");
        let _unchecked = ForeignKeysOff::new(&self.conn).map_err(write)?;
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(StoreError::query("writing a page"))?;
        let now = timestamp(now);
        let outcomes = pages
            .iter()
            .map(|page| write_page_in(&tx, page, &now))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(StoreError::query("writing a page"))?;
        tx.commit().map_err(StoreError::query("committing a page"))?;
        Ok(outcomes)
    }

    /// The sync state of an endpoint (defaults: no cursor, available).
    pub fn endpoint_state(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
    ) -> Result<EndpointState, StoreError> {
        self.conn
            .query_row(
                "SELECT s.cursor, s.available, s.last_success_at, s.last_attempt_at FROM sync_cursors s
                 JOIN connections c ON c.id = s.connection_id
                 WHERE c.name = ?1 AND s.system = ?2 AND s.endpoint = ?3",
                params![connection, system.as_str(), endpoint],
                |row| {
                    Ok(EndpointState {
                        cursor: row.get(0)?,
                        available: row.get::<_, i64>(1)? == 1,
                        last_success_at: row.get(2)?,
                        last_attempt_at: row.get(3)?,
                    })
                },
            )
            .optional()
            .map(|state| {
                state.unwrap_or_default()
            })
            .map_err(StoreError::query("reading a sync cursor"))
    }

    /// Records the end of one endpoint's sync: success (clears the error) or the error.
    pub fn finish_endpoint(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = timestamp(now);
        self.conn
            .execute(
                "INSERT INTO sync_cursors (connection_id, system, endpoint, last_attempt_at, last_success_at, last_error)
                 SELECT id, ?2, ?3, ?4, CASE WHEN ?5 IS NULL THEN ?4 END, ?5 FROM connections WHERE name = ?1
                 ON CONFLICT (connection_id, system, endpoint) DO UPDATE SET
                     last_attempt_at = excluded.last_attempt_at,
                     last_success_at = coalesce(excluded.last_success_at, sync_cursors.last_success_at),
                     last_error = excluded.last_error",
                params![connection, system.as_str(), endpoint, now, error],
            )
            .map_err(StoreError::query("recording a sync result"))?;
        Ok(())
    }

    /// Marks an endpoint available or not (Xero Journals without the scope).
    pub fn set_endpoint_available(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
        available: bool,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO sync_cursors (connection_id, system, endpoint, available)
                 SELECT id, ?2, ?3, ?4 FROM connections WHERE name = ?1
                 ON CONFLICT (connection_id, system, endpoint) DO UPDATE SET available = excluded.available",
                params![connection, system.as_str(), endpoint, i64::from(available)],
            )
            .map_err(StoreError::query("recording endpoint availability"))?;
        Ok(())
    }

    /// Replaces the trial balance of a connection as at `as_at`.
    pub fn write_trial_balance(
        &mut self,
        connection: &str,
        as_at: NaiveDate,
        rows: &[TrialBalanceRow],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let err = StoreError::query("writing a trial balance");
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let id =
            connection_id(&tx, connection).map_err(StoreError::query("writing a trial balance"))?;
        let as_at = as_at.to_string();
        tx.execute(
            "DELETE FROM trial_balances WHERE connection_id = ?1 AND as_at = ?2",
            params![id, as_at],
        )
        .map_err(StoreError::query("writing a trial balance"))?;
        for row in rows {
            tx.execute(
                "INSERT INTO trial_balances (connection_id, as_at, account_code, account_name, balance, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, as_at, row.account_code, row.account_name, row.balance.to_string(), timestamp(now)],
            )
            .map_err(StoreError::query("writing a trial balance"))?;
        }
        tx.commit().map_err(StoreError::query("committing a trial balance"))
    }
}

/// Foreign keys unchecked while pages are written, and checked again after.
///
/// SQLite looks up the parent of every row it inserts into a table with foreign keys: the
/// connection of each raw record, document and ledger line, the document of each line, the raw
/// record of each document (3–4 % of a backfill's CPU). The page writer needs none
/// of it: its rows name the connection it has just looked up and rows it has inserted or
/// found in the same transaction, and the only rows it deletes are a document's lines and a
/// ledger entry's lines, which nothing references. The pragma cannot change inside a
/// transaction, so the guard is made before the transaction starts and dropped after it ends.
struct ForeignKeysOff<'c>(&'c rusqlite::Connection);

impl<'c> ForeignKeysOff<'c> {
    fn new(conn: &'c rusqlite::Connection) -> rusqlite::Result<Self> {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        Ok(Self(conn))
    }
}

impl Drop for ForeignKeysOff<'_> {
    fn drop(&mut self) {
        if let Err(err) = self.0.pragma_update(None, "foreign_keys", "ON") {
            // Only a SQLite that cannot run a statement at all (out of memory) fails this.
            tracing::error!("could not turn foreign key checks back on after a page write: {err}");
        }
    }
}

pub(super) fn connection_id(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    tx.query_row("SELECT id FROM connections WHERE name = ?1", [name], |row| row.get(0))
}

pub(super) fn write_page_in(
    tx: &Transaction<'_>,
    page: &PageWrite<'_>,
    now: &str,
) -> rusqlite::Result<PageOutcome> {
    let id = connection_id(tx, page.connection)?;
    let system = page.system.as_str();
    let mut outcome = PageOutcome::default();
    let mut rows = PageRows::prepare(tx, id, system, page.endpoint, now)?;
    let page_written = match &page.raw_page {
        Some(raw_page) => rows.raw_page(raw_page, page.records.len() + page.quarantined.len())?,
        None => false,
    };
    for (record, raw) in &page.records {
        if let (Some(_), Payload::Ledger(entry)) = (&page.raw_page, &record.payload) {
            // Its raw JSON is in the page row; its lines, once stored, are what Xero has. A
            // journal without lines adds none: it counts as new when its page row was written
            // (read for the first time, or again with more journals after a cursor reset).
            if rows.ledger_added(entry)? || (entry.lines.is_empty() && page_written) {
                outcome.new += 1;
            } else {
                outcome.unchanged += 1;
            }
            continue;
        }
        let hash = hex_sha256(raw);
        let raw_id = match rows.raw(&record.external_id, record.updated_at, raw, &hash)? {
            Stored::Unchanged => {
                outcome.unchanged += 1;
                continue;
            }
            Stored::Changed(raw_id) => {
                outcome.changed += 1;
                raw_id
            }
            Stored::New(raw_id) => {
                outcome.new += 1;
                raw_id
            }
        };
        match &record.payload {
            Payload::Document(doc) => rows.document(raw_id, &record.external_id, doc)?,
            Payload::Ledger(entry) => rows.ledger(entry)?,
            _ => write_settings(tx, id, page.system, record, now)?,
        }
    }
    drop(rows);
    for rejected in &page.quarantined {
        // A record read again unchanged (an overlap, a re-read window) is quarantined once.
        tx.execute(
            "INSERT INTO quarantine (connection_id, system, endpoint, external_id, raw, error, received_at)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
             WHERE NOT EXISTS (SELECT 1 FROM quarantine WHERE connection_id = ?1 AND system = ?2
                               AND endpoint = ?3 AND external_id IS ?4 AND raw = ?5)",
            params![id, system, page.endpoint, rejected.external_id, rejected.raw, rejected.error, now],
        )?;
        outcome.quarantined += 1;
    }
    if let Some(cursor) = &page.cursor {
        write_cursor(tx, id, system, page.endpoint, cursor)?;
    }
    Ok(outcome)
}

/// Sets an endpoint's cursor inside a transaction.
pub(super) fn write_cursor(
    tx: &Transaction<'_>,
    connection_id: i64,
    system: &str,
    endpoint: &str,
    cursor: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sync_cursors (connection_id, system, endpoint, cursor) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, system, endpoint) DO UPDATE SET cursor = excluded.cursor",
        params![connection_id, system, endpoint, cursor],
    )?;
    Ok(())
}

/// The settings records (an account, the organisation), written as they come; other records
/// write nothing beyond their raw row.
fn write_settings(
    tx: &Transaction<'_>,
    id: i64,
    system: System,
    record: &Record,
    now: &str,
) -> rusqlite::Result<()> {
    let system_str = system.as_str();
    match &record.payload {
        Payload::Account(account) => tx
            .execute(
                "INSERT INTO accounts (connection_id, system, external_id, code, name, type, status, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (connection_id, system, external_id) DO UPDATE SET code = excluded.code,
                     name = excluded.name, type = excluded.type, status = excluded.status,
                     updated_at = excluded.updated_at",
                params![id, system_str, account.external_id, account.code, account.name, account.account_type, account.status, account.updated_at.map(timestamp)],
            )
            .map(drop),
        Payload::Organisation(org) => tx
            .execute(
                "INSERT INTO organisation (connection_id, name, base_currency, timezone, period_lock_date,
                     end_of_year_lock_date, financial_year_end_day, financial_year_end_month, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (connection_id) DO UPDATE SET name = excluded.name,
                     base_currency = excluded.base_currency, timezone = excluded.timezone,
                     period_lock_date = excluded.period_lock_date,
                     end_of_year_lock_date = excluded.end_of_year_lock_date,
                     financial_year_end_day = excluded.financial_year_end_day,
                     financial_year_end_month = excluded.financial_year_end_month,
                     updated_at = excluded.updated_at",
                params![
                    id,
                    org.name,
                    org.base_currency,
                    org.timezone,
                    org.period_lock_date.map(|d| d.to_string()),
                    org.end_of_year_lock_date.map(|d| d.to_string()),
                    org.financial_year_end_day,
                    org.financial_year_end_month,
                    now
                ],
            )
            .map(drop),
        Payload::Document(_) | Payload::Ledger(_) | Payload::RawOnly => Ok(()),
    }
}

fn hex_sha256(text: &str) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for byte in Sha256::digest(text.as_bytes()) {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocType, Document, DocumentLine, LedgerEntry, LedgerLine};
    use crate::table::Value;
    use rust_decimal::Decimal;

    use crate::store::test_store as store;

    fn invoice(id: &str, total: &str, lines: usize) -> (Record, String) {
        let doc = Document {
            doc_type: DocType::SalesInvoice,
            external_id: id.into(),
            number: Some(format!("INV-{id}")),
            reference: None,
            contact: Some("Customer".into()),
            status: "AUTHORISED".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 1),
            due_date: None,
            currency: Some("AUD".into()),
            total: Some(total.parse().unwrap()),
            tax_total: None,
            amount_paid: None,
            amount_credited: None,
            updated_at: None,
            channel: None,
            lines: vec![
                DocumentLine {
                    account_code: Some("200".into()),
                    line_amount: Some(Decimal::ONE),
                    ..DocumentLine::default()
                };
                lines
            ],
        };
        let raw = format!(r#"{{"InvoiceID":"{id}","Total":{total},"Lines":{lines}}}"#);
        (Record { external_id: id.into(), updated_at: None, payload: Payload::Document(doc) }, raw)
    }

    fn page(records: Vec<(Record, String)>, cursor: Option<&str>) -> PageWrite<'static> {
        PageWrite {
            connection: "acme",
            system: System::Xero,
            endpoint: "Invoices",
            records,
            quarantined: vec![],
            cursor: cursor.map(String::from),
            raw_page: None,
        }
    }

    fn count(store: &Store, sql: &str) -> i64 {
        match store.query(sql).unwrap().rows[0][0] {
            Value::Integer(n) => n,
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_page_lands_with_its_cursor_and_repeats_are_recognised() {
        let (_dir, mut store) = store();
        let first = store
            .write_page(
                &page(vec![invoice("a", "10.00", 2), invoice("b", "5.50", 1)], Some("c1")),
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        assert_eq!((first.new, first.changed, first.unchanged), (2, 0, 0));
        let again = store
            .write_page(
                &page(vec![invoice("a", "10.00", 2), invoice("b", "7.25", 3)], Some("c2")),
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        assert_eq!((again.new, again.changed, again.unchanged), (0, 1, 1));
        assert_eq!(
            store.endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor.as_deref(),
            Some("c2")
        );
        assert_eq!(count(&store, "SELECT count(*) FROM documents"), 2);
        assert_eq!(
            count(&store, "SELECT count(*) FROM document_lines"),
            5,
            "lines of a changed document are replaced"
        );
        let total = store.query("SELECT total FROM documents WHERE external_id = 'b'").unwrap();
        assert_eq!(
            total.rows[0][0],
            Value::Text("7.25".into()),
            "money stays an exact decimal string"
        );
    }

    #[test]
    fn the_content_hash_is_the_hex_sha256_of_the_raw_text() {
        assert_eq!(
            hex_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_changed_record_is_rewritten_in_place() {
        let (_dir, mut store) = store();
        let ids =
            "SELECT r.id || '|' || d.raw_document_id || '|' || r.raw_json || '|' || r.content_hash
                   FROM raw_documents r JOIN documents d ON d.external_id = r.external_id";
        let text = |store: &Store| match &store.query(ids).unwrap().rows[..] {
            [row] => match &row[0] {
                Value::Text(text) => text.clone(),
                other => panic!("{other:?}"),
            },
            rows => panic!("{rows:?}"),
        };
        store.write_page(&page(vec![invoice("a", "1.00", 1)], None), DateTime::UNIX_EPOCH).unwrap();
        let before = text(&store);
        let changed = invoice("a", "2.00", 1);
        store.write_page(&page(vec![changed.clone()], None), DateTime::UNIX_EPOCH).unwrap();
        let after = text(&store);
        let (id, _) = before.split_once('|').unwrap();
        assert_eq!(
            after,
            format!("{id}|{id}|{}|{}", changed.1, hex_sha256(&changed.1)),
            "same row, new text and hash, the document still points at it"
        );
        assert_ne!(before, after);
    }

    /// Makes writing a document with external id `boom` fail, as a full disk would mid-page.
    fn fail_on_boom(store: &Store) {
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER boom BEFORE INSERT ON documents WHEN NEW.external_id = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
            )
            .unwrap();
    }

    #[test]
    fn pages_are_written_unchecked_yet_consistent_and_checks_come_back_on() {
        let (_dir, mut store) = store();
        let foreign_keys = |store: &Store| -> i64 {
            store.conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).unwrap()
        };
        store
            .write_page(
                &page(vec![invoice("a", "1.00", 2), invoice("b", "2.00", 1)], None),
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        store.write_page(&page(vec![invoice("a", "3.00", 1)], None), DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(foreign_keys(&store), 1, "on again after a page");
        fail_on_boom(&store);
        store
            .write_page(&page(vec![invoice("boom", "1.00", 1)], None), DateTime::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(foreign_keys(&store), 1, "on again after a failed page");
        let violations = store.query("PRAGMA foreign_key_check").unwrap();
        assert!(violations.rows.is_empty(), "{:?}", violations.rows);
        // Checked again: deleting a connection still takes its rows with it.
        store.conn.execute("DELETE FROM connections", []).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM documents"), 0);
        assert_eq!(count(&store, "SELECT count(*) FROM document_lines"), 0);
    }

    #[test]
    fn a_failed_page_leaves_neither_its_rows_nor_its_cursor() {
        let (_dir, mut store) = store();
        store.write_page(&page(vec![], Some("before")), DateTime::UNIX_EPOCH).unwrap();
        fail_on_boom(&store);
        let result = store.write_page(
            &page(vec![invoice("ok", "1", 1), invoice("boom", "2", 1)], Some("after")),
            DateTime::UNIX_EPOCH,
        );
        assert!(result.is_err());
        assert_eq!(count(&store, "SELECT count(*) FROM raw_documents"), 0);
        assert_eq!(
            store.endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor.as_deref(),
            Some("before")
        );
    }

    #[test]
    fn pages_written_together_land_together_with_the_last_cursor_or_not_at_all() {
        let (_dir, mut store) = store();
        store.write_page(&page(vec![], Some("before")), DateTime::UNIX_EPOCH).unwrap();
        let outcomes = store
            .write_pages(
                &[
                    page(vec![invoice("a", "1", 1), invoice("b", "2", 1)], Some("c1")),
                    page(vec![invoice("b", "2", 1), invoice("c", "3", 2)], Some("c2")),
                ],
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        let counts: Vec<_> = outcomes.iter().map(|o| (o.new, o.unchanged)).collect();
        assert_eq!(counts, [(2, 0), (1, 1)], "the second page sees what the first wrote");
        assert_eq!(
            store.endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor.as_deref(),
            Some("c2")
        );
        fail_on_boom(&store);
        let result = store.write_pages(
            &[
                page(vec![invoice("d", "4", 1)], Some("c3")),
                page(vec![invoice("boom", "5", 1)], Some("c4")),
            ],
            DateTime::UNIX_EPOCH,
        );
        assert!(result.is_err());
        assert_eq!(count(&store, "SELECT count(*) FROM documents"), 3, "page c3 is not kept");
        assert_eq!(
            store.endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor.as_deref(),
            Some("c2"),
            "the cursor stays with the rows committed"
        );
    }

    #[test]
    fn quarantined_records_are_kept_whole_with_the_reason() {
        let (_dir, mut store) = store();
        let mut write = page(vec![invoice("a", "1", 1)], Some("c"));
        write.quarantined.push(Quarantined {
            external_id: Some("bad".into()),
            raw: r#"{"Total":"x"}"#.into(),
            error: "Total: not a number".into(),
        });
        let outcome = store.write_page(&write, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!((outcome.new, outcome.quarantined), (1, 1));
        let row = store.query("SELECT external_id, raw, error FROM quarantine").unwrap();
        assert_eq!(row.rows[0][1], Value::Text(r#"{"Total":"x"}"#.into()));
        store.write_page(&write, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM quarantine"), 1, "read again: kept once");
        write.quarantined[0].raw = r#"{"Total":"y"}"#.into();
        store.write_page(&write, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM quarantine"), 2, "a new version is kept");
    }

    /// A ledger entry `id` (journal number `number`) with a line of each amount, and its raw
    /// text.
    fn ledger_entry(id: &str, number: i64, amounts: &[&str]) -> (Record, String) {
        let lines = amounts
            .iter()
            .zip(0..)
            .map(|(amount, line_no)| LedgerLine {
                line_no,
                date: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
                account_code: "630".into(),
                amount: amount.parse().unwrap(),
                description: None,
            })
            .collect();
        let record = Record {
            external_id: id.into(),
            updated_at: None,
            payload: Payload::Ledger(LedgerEntry {
                source_id: id.into(),
                journal_number: Some(number),
                source_type: Some("ACCREC".into()),
                reference: None,
                lines,
            }),
        };
        (record, format!(r#"{{"JournalID":"{id}","JournalNumber":{number},"Lines":{amounts:?}}}"#))
    }

    /// A Journals page of `entries` kept as one raw row (its body the records' texts).
    fn journals_page(
        entries: Vec<(Record, String)>,
        quarantined: &[(i64, &str)],
    ) -> PageWrite<'static> {
        let numbers = entries
            .iter()
            .filter_map(|(record, _)| match &record.payload {
                Payload::Ledger(entry) => entry.journal_number,
                _ => None,
            })
            .chain(quarantined.iter().map(|(number, _)| *number));
        let (first_number, last_number) =
            numbers.fold((i64::MAX, i64::MIN), |(lo, hi), n| (lo.min(n), hi.max(n)));
        let texts: Vec<&str> = entries
            .iter()
            .map(|(_, raw)| raw.as_str())
            .chain(quarantined.iter().map(|(_, raw)| *raw))
            .collect();
        let body = format!("[{}]", texts.join(","));
        PageWrite {
            connection: "acme",
            system: System::Xero,
            endpoint: "Journals",
            quarantined: quarantined
                .iter()
                .map(|(_, raw)| Quarantined {
                    external_id: None,
                    raw: (*raw).into(),
                    error: "unreadable".into(),
                })
                .collect(),
            records: entries,
            cursor: Some(last_number.to_string()),
            raw_page: Some(RawPage { first_number, last_number, body }),
        }
    }

    #[test]
    fn cin7_ledger_entries_replace_their_lines() {
        let (_dir, mut store) = store();
        let entry = |amounts: &[&str]| {
            PageWrite::records(
                "acme",
                System::Cin7,
                "transactions",
                vec![ledger_entry("t1", 7, amounts)],
            )
        };
        store.write_page(&entry(&["100.00", "-100.00"]), DateTime::UNIX_EPOCH).unwrap();
        store.write_page(&entry(&["40.00", "-30.00", "-10.00"]), DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM ledger_lines"), 3);
    }

    #[test]
    fn a_journals_page_is_one_raw_row_holding_every_record_and_no_journal_has_its_own() {
        let (_dir, mut store) = store();
        let write = journals_page(
            vec![ledger_entry("j7", 7, &["1.00", "-1.00"]), ledger_entry("j9", 9, &["2.00"])],
            &[(8, r#"{"JournalNumber":8,"JournalLines":"x"}"#)],
        );
        let outcome = store.write_page(&write, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!((outcome.new, outcome.unchanged, outcome.quarantined), (2, 0, 1));
        let row = store
            .query("SELECT endpoint, first_number, last_number, records, body FROM raw_pages")
            .unwrap();
        assert_eq!(
            row.rows,
            [[
                Value::Text("Journals".into()),
                Value::Integer(7),
                Value::Integer(9),
                Value::Integer(3),
                Value::Text(write.raw_page.unwrap().body),
            ]]
        );
        assert_eq!(count(&store, "SELECT count(*) FROM raw_documents"), 0);
        assert_eq!(count(&store, "SELECT count(*) FROM ledger_lines"), 3);
        assert_eq!(count(&store, "SELECT count(*) FROM quarantine"), 1);
        assert_eq!(
            store.endpoint_state("acme", System::Xero, "Journals").unwrap().cursor.as_deref(),
            Some("9")
        );
    }

    #[test]
    fn a_journal_without_lines_counts_as_new_on_its_first_read_only() {
        let (_dir, mut store) = store();
        let page = journals_page(vec![ledger_entry("j7", 7, &[])], &[]);
        let first = store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!((first.new, first.unchanged), (1, 0));
        let again = store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!((again.new, again.unchanged), (0, 1));
        assert_eq!(count(&store, "SELECT count(*) FROM ledger_lines"), 0);
    }

    #[test]
    fn a_journal_read_again_keeps_its_lines_and_counts_as_unchanged() {
        let (_dir, mut store) = store();
        let t1 = DateTime::from_timestamp(1_000, 0).unwrap();
        let t2 = DateTime::from_timestamp(2_000, 0).unwrap();
        let first = journals_page(vec![ledger_entry("j7", 7, &["1.00", "-1.00"])], &[]);
        store.write_page(&first, t1).unwrap();
        store.write_page(&first, t2).unwrap();
        let fetched = store.query("SELECT fetched_at FROM raw_pages").unwrap();
        assert_eq!(fetched.rows, [[Value::Text(timestamp(t1))]], "read again unchanged: kept");
        // The page read again after a cursor reset, now with a journal posted since. Xero never
        // changes a journal: the stored lines are not looked at, only added to.
        let again = journals_page(
            vec![ledger_entry("j7", 7, &["5.00", "-5.00"]), ledger_entry("j8", 8, &["3.00"])],
            &[],
        );
        let outcome = store.write_page(&again, t2).unwrap();
        assert_eq!((outcome.new, outcome.changed, outcome.unchanged), (1, 0, 1));
        let lines = store
            .query("SELECT source_id, line_no, amount FROM ledger_lines ORDER BY 1, 2")
            .unwrap();
        let line = |id: &str, no: i64, amount: &str| {
            [Value::Text(id.into()), Value::Integer(no), Value::Text(amount.into())]
        };
        assert_eq!(
            lines.rows,
            [line("j7", 0, "1.00"), line("j7", 1, "-1.00"), line("j8", 0, "3.00")]
        );
        let page = store
            .query("SELECT first_number, last_number, records, body, fetched_at FROM raw_pages")
            .unwrap();
        assert_eq!(
            page.rows,
            [[
                Value::Integer(7),
                Value::Integer(8),
                Value::Integer(2),
                Value::Text(again.raw_page.unwrap().body),
                Value::Text(timestamp(t2)),
            ]],
            "the page of the same first number is replaced by the later read"
        );
        // A shorter read of the same page (never seen from Xero) loses no journal's JSON.
        store.write_page(&first, t1).unwrap();
        let kept = store.query("SELECT last_number, records FROM raw_pages").unwrap();
        assert_eq!(kept.rows, [[Value::Integer(8), Value::Integer(2)]]);
    }

    #[test]
    fn foreign_keys_are_off_inside_the_guard_and_on_after_it() {
        let (_dir, store) = store();
        let foreign_keys = |conn: &rusqlite::Connection| -> i64 {
            conn.pragma_query_value(None, "foreign_keys", |row| row.get(0)).unwrap()
        };
        {
            let _unchecked = ForeignKeysOff::new(&store.conn).unwrap();
            assert_eq!(foreign_keys(&store.conn), 0);
        }
        assert_eq!(foreign_keys(&store.conn), 1);
    }

    #[test]
    fn endpoint_results_keep_the_last_success_through_a_failure() {
        let (_dir, store) = store();
        let t1 = DateTime::from_timestamp(1_000, 0).unwrap();
        let t2 = DateTime::from_timestamp(2_000, 0).unwrap();
        store.finish_endpoint("acme", System::Xero, "Invoices", None, t1).unwrap();
        store.finish_endpoint("acme", System::Xero, "Invoices", Some("HTTP 500"), t2).unwrap();
        let status = store
            .query("SELECT last_success_at, last_attempt_at, last_error FROM sync_status")
            .unwrap();
        assert_eq!(
            status.rows[0],
            [
                Value::Text(timestamp(t1)),
                Value::Text(timestamp(t2)),
                Value::Text("HTTP 500".into())
            ]
        );
        store.set_endpoint_available("acme", System::Xero, "Journals", false).unwrap();
        assert!(!store.endpoint_state("acme", System::Xero, "Journals").unwrap().available);
        assert!(store.endpoint_state("acme", System::Xero, "Payments").unwrap().available);
    }
}
