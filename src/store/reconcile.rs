//! Reconciliation's two trips to the store: loading one connection's normalised records as a
//! [`ReconcileInput`], and saving the outcome — matches replaced, findings opened, updated,
//! re-opened or resolved with their history — in one transaction.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::str::FromStr as _;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension as _, Row, TransactionBehavior, params};
use rust_decimal::Decimal;

use super::{BUSY_TIMEOUT, Store, StoreError};
use crate::clock::timestamp;
use crate::config::AccountMap;
use crate::model::{Account, DocType, Organisation, System};
use crate::reconcile::{
    DocumentFields, Documents, Entries, LineFields, Outcome, ProductAccounts, ReconcileInput,
};

/// What saving an outcome changed in the findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingChanges {
    pub opened: usize,
    pub reopened: usize,
    pub still_open: usize,
    pub resolved: usize,
}

/// A stored value that is not what cxsync writes (a hand edit, or a bug).
fn corrupt(what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("stored {what} {value:?} is not valid").into(),
    )
}

/// A text column, borrowed from the row (no copy).
fn text<'r>(row: &'r Row<'_>, index: usize) -> rusqlite::Result<Option<&'r str>> {
    Ok(row.get_ref(index)?.as_str_or_null()?)
}

fn decimal(value: Option<&str>) -> rusqlite::Result<Option<Decimal>> {
    value.map(|v| Decimal::from_str(v).map_err(|_| corrupt("amount", v))).transpose()
}

fn date(value: Option<&str>) -> rusqlite::Result<Option<NaiveDate>> {
    value.map(|v| parse_date(v).ok_or_else(|| corrupt("date", v))).transpose()
}

/// A stored date: `YYYY-MM-DD`, as cxsync writes it, read directly (a load reads millions, and
/// chrono's format parser was a tenth of it); any other text goes through chrono's
/// `%Y-%m-%d`, so what is accepted and refused is exactly what it was.
fn parse_date(v: &str) -> Option<NaiveDate> {
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *v.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let number = |ds: &[u8]| ds.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            let year = i32::try_from(number(&digits[..4])).ok()?;
            return NaiveDate::from_ymd_opt(year, number(&digits[4..6]), number(&digits[6..]));
        }
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
}

fn instant(value: Option<&str>) -> rusqlite::Result<Option<DateTime<Utc>>> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| corrupt("timestamp", v))
        })
        .transpose()
}

/// The Cin7 ledger lines of the `transactions` feed (Core), or derived from Omni's documents
/// (`omni-ledger/…`, see `cin7::omni::ledger`): every posting once (SQL condition). Each prefix
/// is a range of source ids (`'transactions/'` up to `'transactions0'`, `'0'` following `'/'`),
/// which SQLite reads from the `(connection_id, system, source_id, line_no)` index; a `LIKE
/// 'transactions/%'` could not use it (LIKE ignores ASCII case) and scanned every Cin7 line.
/// cxsync writes these prefixes in lower case only.
pub(super) const CIN7_FEED: &str = "((source_id >= 'omni-ledger/' AND source_id < 'omni-ledger0') \
     OR (source_id >= 'transactions/' AND source_id < 'transactions0'))";

/// The source-id prefixes of [`CIN7_FEED`], in order.
const CIN7_FEED_PREFIXES: &[&str] = &["omni-ledger/", "transactions/"];

/// The prefixes of the same postings as stored with their sale or purchase detail, in order.
const CIN7_SALES_AND_PURCHASES: &[&str] = &["advanced-purchase/", "purchase/", "sale/"];

/// One connection's documents, in id order.
const DOCUMENTS: &str = "SELECT id, system, doc_type, external_id, number, reference, status, date,
        currency, total, amount_paid, amount_credited, updated_at, channel
     FROM documents WHERE connection_id = ?1 ORDER BY id";

/// Their lines, in the same order, found document by document (a seek into the lines' key
/// for each).
const DOCUMENT_LINES: &str = "SELECT l.document_id, l.item_code, l.quantity, l.line_amount,
        l.account_code, l.unit_cost
     FROM document_lines l JOIN documents d ON d.id = l.document_id
     WHERE d.connection_id = ?1 ORDER BY d.id, l.line_no";

/// Every document line whose document id lies in `[?1, ?2]`, in the same order: one walk
/// along the lines' key, with no seek per document. Lines of other connections' documents
/// in the range come too, and are passed over.
const DOCUMENT_LINES_IN_RANGE: &str = "SELECT document_id, item_code, quantity, line_amount,
        account_code, unit_cost
     FROM document_lines WHERE document_id >= ?1 AND document_id <= ?2
     ORDER BY document_id, line_no";

/// A connection's lowest and highest document id and its number of documents.
const DOCUMENT_SPAN: &str = "SELECT (SELECT min(id) FROM documents WHERE connection_id = ?1),
        (SELECT max(id) FROM documents WHERE connection_id = ?1),
        (SELECT count(*) FROM documents WHERE connection_id = ?1)";

/// One system's ledger lines whose source ids lie in `[?3, ?4)`, in order.
const LEDGER_RANGE: &str = "SELECT source_id, line_no, date, account_code, amount, source_type,
        reference
     FROM ledger_lines
     WHERE connection_id = ?1 AND system = ?2 AND source_id >= ?3 AND source_id < ?4
     ORDER BY source_id, line_no";

/// The first source id past every id that starts with `prefix` (which ends in `/`).
fn past(prefix: &str) -> String {
    let stem = prefix.strip_suffix('/').expect("a source-id prefix ends in '/'");
    format!("{stem}0")
}

/// Which Cin7 ledger lines to load.
#[derive(Clone, Copy)]
enum Ledger {
    /// Cin7's `transactions` feed: every posting once.
    Cin7Feed,
    /// The same postings as stored with their sale, purchase or task detail.
    Cin7Details,
}

impl Store {
    /// One connection's normalised records, as reconciliation reads them.
    pub fn reconcile_input(
        &self,
        connection: &str,
        accounts: AccountMap,
    ) -> Result<ReconcileInput, StoreError> {
        let load = StoreError::query("loading records to reconcile");
        let id: i64 = self
            .conn
            .query_row("SELECT id FROM connections WHERE name = ?1", [connection], |row| row.get(0))
            .map_err(StoreError::query("loading records to reconcile"))?;
        let mut input = ReconcileInput::empty(accounts);
        // The Cin7 ledger is read on a second, read-only connection while this one reads the
        // documents: the two halves of a large load take about as long each. Each read is its
        // own read transaction, as the reads one after the other were.
        let path = self.path.as_path();
        let (documents, ledgers) = std::thread::scope(|scope| {
            let ledgers = scope.spawn(|| cin7_ledgers(path, id));
            let documents = self.documents(id).map_err(StoreError::query("loading documents"));
            let ledgers = ledgers.join().unwrap_or_else(|_| {
                Err(StoreError::Interrupted("reading the Cin7 ledger panicked".into()))
            });
            (documents, ledgers)
        });
        (input.cin7_documents, input.xero_documents) = documents?;
        (input.cin7_ledger, input.cin7_postings) = ledgers?;
        input.xero_has_journals =
            self.has_xero_journals(id).map_err(StoreError::query("looking for Xero journals"))?;
        input.xero_accounts =
            self.accounts(id).map_err(StoreError::query("loading Xero accounts"))?;
        input.product_accounts = self
            .product_accounts(id)
            .map_err(StoreError::query("loading Cin7 product account mappings"))?;
        input.organisation = self.organisation(id).map_err(load)?;
        Ok(input)
    }

    /// Both sides' documents, read straight into the lean tables: documents and their lines
    /// are two scans in the same order (by document id), merged, so no document is held
    /// whole and no string is allocated per field. Both walk the `documents_by_connection`
    /// index, whose entries are in id order within a connection, so neither is sorted.
    ///
    /// The lines are read by a walk along their key over the connection's range of document
    /// ids when at least half the documents in that range are the connection's (always, with
    /// one connection): at a million documents per side the seek per document was a third of
    /// reading them. Otherwise (connections synced in turns, their documents interleaved)
    /// they are found document by document, so one connection's load never walks many other
    /// connections' lines.
    fn documents(&self, id: i64) -> rusqlite::Result<(Documents, Documents)> {
        let (first, last, count): (Option<i64>, Option<i64>, i64) =
            self.conn.query_row(DOCUMENT_SPAN, [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let (first, last) = (first.unwrap_or(0), last.unwrap_or(-1));
        let walk = last - first < count.saturating_mul(2);
        let mut lines =
            self.conn.prepare(if walk { DOCUMENT_LINES_IN_RANGE } else { DOCUMENT_LINES })?;
        let mut lines = if walk { lines.query([first, last])? } else { lines.query([id])? };
        let mut line = lines.next()?;
        let mut stmt = self.conn.prepare(DOCUMENTS)?;
        let mut rows = stmt.query([id])?;
        let (mut cin7, mut xero) = (Documents::default(), Documents::default());
        while let Some(row) = rows.next()? {
            let document_id: i64 = row.get(0)?;
            let Some(doc_type) = DocType::parse(text(row, 2)?.unwrap_or_default()) else {
                continue;
            };
            let table = if text(row, 1)? == Some("cin7") { &mut cin7 } else { &mut xero };
            table.push_document(&DocumentFields {
                doc_type,
                external_id: text(row, 3)?.unwrap_or_default(),
                number: text(row, 4)?,
                reference: text(row, 5)?,
                status: text(row, 6)?.unwrap_or_default(),
                date: date(text(row, 7)?)?,
                currency: text(row, 8)?,
                total: decimal(text(row, 9)?)?,
                amount_paid: decimal(text(row, 10)?)?,
                amount_credited: decimal(text(row, 11)?)?,
                updated_at: instant(text(row, 12)?)?,
                channel: text(row, 13)?,
            });
            // Lines of documents skipped above (an unknown type) are passed over.
            while let Some(l) = line {
                let of: i64 = l.get(0)?;
                if of > document_id {
                    break;
                }
                if of == document_id {
                    table.push_line(&LineFields {
                        item_code: text(l, 1)?,
                        quantity: decimal(text(l, 2)?)?,
                        line_amount: decimal(text(l, 3)?)?,
                        account_code: text(l, 4)?,
                        unit_cost: decimal(text(l, 5)?)?,
                    });
                }
                line = lines.next()?;
            }
        }
        cin7.shrink_to_fit();
        xero.shrink_to_fit();
        Ok((cin7, xero))
    }

    /// Whether any Xero journal line is stored.
    fn has_xero_journals(&self, id: i64) -> rusqlite::Result<bool> {
        self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM ledger_lines WHERE connection_id = ?1 AND system = 'xero')",
            [id],
            |row| row.get(0),
        )
    }

    /// Each active Cin7 product's mapped accounts, read from its stored `product` record.
    fn product_accounts(&self, id: i64) -> rusqlite::Result<Vec<ProductAccounts>> {
        let mut stmt = self.conn.prepare(
            "SELECT coalesce(nullif(trim(json_extract(raw_json, '$.SKU')), ''), external_id),
                    CAST(json_extract(raw_json, '$.InventoryAccount') AS TEXT), CAST(json_extract(raw_json, '$.RevenueAccount') AS TEXT),
                    CAST(json_extract(raw_json, '$.COGSAccount') AS TEXT), CAST(json_extract(raw_json, '$.ExpenseAccount') AS TEXT)
             FROM raw_documents
             WHERE connection_id = ?1 AND system = 'cin7' AND endpoint = 'product'
               AND coalesce(json_extract(raw_json, '$.Status'), 'Active') <> 'Deprecated'
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([id], |row| {
            let codes = (1..=4)
                .map(|i| row.get::<_, Option<String>>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let codes = codes.into_iter().flatten().filter(|c| !c.trim().is_empty()).collect();
            Ok(ProductAccounts { sku: row.get(0)?, codes })
        })?;
        rows.collect()
    }

    fn accounts(&self, id: i64) -> rusqlite::Result<Vec<Account>> {
        let mut stmt = self.conn.prepare(
            "SELECT external_id, code, name, type, status, updated_at FROM accounts
             WHERE connection_id = ?1 AND system = 'xero' ORDER BY external_id",
        )?;
        let rows = stmt.query_map([id], |row| {
            Ok(Account {
                external_id: row.get(0)?,
                code: row.get(1)?,
                name: row.get(2)?,
                account_type: row.get(3)?,
                status: row.get(4)?,
                updated_at: instant(text(row, 5)?)?,
            })
        })?;
        rows.collect()
    }

    fn organisation(&self, id: i64) -> rusqlite::Result<Option<Organisation>> {
        self.conn
            .query_row(
                "SELECT name, base_currency, timezone, period_lock_date, end_of_year_lock_date,
                        financial_year_end_day, financial_year_end_month
                 FROM organisation WHERE connection_id = ?1",
                [id],
                |row| {
                    Ok(Organisation {
                        name: row.get(0)?,
                        base_currency: row.get(1)?,
                        timezone: row.get(2)?,
                        period_lock_date: date(text(row, 3)?)?,
                        end_of_year_lock_date: date(text(row, 4)?)?,
                        financial_year_end_day: row.get(5)?,
                        financial_year_end_month: row.get(6)?,
                    })
                },
            )
            .optional()
    }

    /// Saves a reconciliation: the matches (replacing the previous run's) and the findings'
    /// lifecycle — new ones opened, known ones updated (`last_seen`), resolved ones that came
    /// back re-opened, and open ones no longer found resolved — each change in
    /// `finding_events`.
    pub fn save_outcome(
        &mut self,
        connection: &str,
        outcome: &Outcome,
        now: DateTime<Utc>,
    ) -> Result<FindingChanges, StoreError> {
        let err = StoreError::query("saving reconciliation results");
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let changes = save_in(&tx, connection, outcome, &timestamp(now))
            .map_err(StoreError::query("saving reconciliation results"))?;
        tx.commit().map_err(StoreError::query("committing reconciliation results"))?;
        Ok(changes)
    }
}

/// The Cin7 feed's ledger entries and the sale and purchase details' postings of connection
/// `id`, read on a connection of their own to the store at `path`.
fn cin7_ledgers(path: &Path, id: i64) -> Result<(Entries, Entries), StoreError> {
    let sqlite = |source| StoreError::Sqlite { path: path.into(), source };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    let feed = ledger(&conn, id, Ledger::Cin7Feed)
        .map_err(StoreError::query("loading Cin7 ledger lines"))?;
    let details = ledger(&conn, id, Ledger::Cin7Details)
        .map_err(StoreError::query("loading Cin7 postings by sale and purchase"))?;
    Ok((feed, details))
}

/// Cin7 ledger lines, read straight into a lean table (grouped by source id): one index
/// range per source-id prefix, the prefixes in order, so the entries come in source id
/// order as one `ORDER BY source_id, line_no` would give them.
fn ledger(conn: &Connection, id: i64, ledger: Ledger) -> rusqlite::Result<Entries> {
    // Cin7 postings are stored twice (with their detail and in the transactions feed):
    // the feed's are reconciled and summed, the sale and purchase details' only group them
    // (stock task details are neither).
    let prefixes = match ledger {
        Ledger::Cin7Feed => CIN7_FEED_PREFIXES,
        Ledger::Cin7Details => CIN7_SALES_AND_PURCHASES,
    };
    let mut stmt = conn.prepare_cached(LEDGER_RANGE)?;
    let mut entries = Entries::default();
    let mut current = String::new();
    for prefix in prefixes {
        let mut rows = stmt.query(params![id, System::Cin7.as_str(), prefix, past(prefix)])?;
        while let Some(row) = rows.next()? {
            let source_id = text(row, 0)?.unwrap_or_default();
            if entries.is_empty() || source_id != current {
                entries.push_entry(source_id, text(row, 5)?, text(row, 6)?);
                source_id.clone_into(&mut current);
            }
            entries.push_line(
                row.get(1)?,
                date(text(row, 2)?)?.ok_or_else(|| corrupt("ledger date", ""))?,
                text(row, 3)?.unwrap_or_default(),
                decimal(text(row, 4)?)?.ok_or_else(|| corrupt("ledger amount", ""))?,
            );
        }
    }
    entries.shrink_to_fit();
    Ok(entries)
}

/// Brings the stored matches in line with `matches`: a pairing stored with the same method is
/// left as it is (its `matched_at` stays when it was first matched so), a new one or one
/// whose method changed is written with `now`, and one no longer made is deleted. A daily
/// re-run changes few of a connection's matches, and rewriting a million unchanged rows
/// (three b-trees each) was most of its save. Where `matches` holds a pairing twice, the
/// first is kept, as `INSERT OR IGNORE` of all of them in order kept it.
///
/// The stored rows are read in key order and merged with `matches` in the same order; the
/// keys to delete and the positions of the matches to write are collected, and written once
/// the read is done.
fn save_matches(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    matches: &[crate::reconcile::Match],
    now: &str,
) -> rusqlite::Result<()> {
    let key = |i: usize| (matches[i].cin7_id.as_str(), matches[i].xero_id.as_str());
    // Positions in key order, the first of each key only (reconcile() sorts its matches, so
    // this is most often 0..n).
    let mut order: Vec<usize> = (0..matches.len()).collect();
    if !order.windows(2).all(|w| key(w[0]) <= key(w[1])) {
        order.sort_by(|&a, &b| key(a).cmp(&key(b)));
    }
    order.dedup_by(|later, first| key(*later) == key(*first));
    let (mut stale, mut write) = (Vec::new(), Vec::new());
    {
        let mut stmt = tx.prepare(
            "SELECT cin7_external_id, xero_external_id, method FROM matches
             WHERE connection_id = ?1 ORDER BY cin7_external_id, xero_external_id",
        )?;
        let mut rows = stmt.query([id])?;
        let mut next = order.iter().copied().peekable();
        while let Some(row) = rows.next()? {
            let stored = (text(row, 0)?.unwrap_or_default(), text(row, 1)?.unwrap_or_default());
            while let Some(i) = next.next_if(|&i| key(i) < stored) {
                write.push(i);
            }
            match next.next_if(|&i| key(i) == stored) {
                Some(i) => {
                    if text(row, 2)? != Some(matches[i].method.as_str()) {
                        write.push(i);
                    }
                }
                None => stale.push((stored.0.to_owned(), stored.1.to_owned())),
            }
        }
        write.extend(next);
    }
    let mut delete = tx.prepare_cached(
        "DELETE FROM matches
         WHERE connection_id = ?1 AND cin7_external_id = ?2 AND xero_external_id = ?3",
    )?;
    for (cin7, xero) in stale {
        delete.execute(params![id, cin7, xero])?;
    }
    let mut upsert = tx.prepare_cached(
        "INSERT INTO matches (connection_id, cin7_external_id, xero_external_id, method, matched_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id, cin7_external_id, xero_external_id)
         DO UPDATE SET method = excluded.method, matched_at = excluded.matched_at",
    )?;
    for i in write {
        let m = &matches[i];
        upsert.execute(params![id, m.cin7_id, m.xero_id, m.method.as_str(), now])?;
    }
    Ok(())
}

fn save_in(
    tx: &rusqlite::Transaction<'_>,
    connection: &str,
    outcome: &Outcome,
    now: &str,
) -> rusqlite::Result<FindingChanges> {
    let id: i64 =
        tx.query_row("SELECT id FROM connections WHERE name = ?1", [connection], |row| row.get(0))?;
    save_matches(tx, id, &outcome.matches, now)?;
    // What is stored now: fingerprint → (finding id, resolved?).
    let mut known: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    {
        let mut stmt = tx.prepare("SELECT fingerprint, id, resolved_at IS NOT NULL FROM findings WHERE connection_id = ?1")?;
        let mut rows = stmt.query([id])?;
        while let Some(row) = rows.next()? {
            known.insert(row.get(0)?, (row.get(1)?, row.get(2)?));
        }
    }
    let mut changes = FindingChanges::default();
    let mut seen: HashSet<&str> = HashSet::new();
    for f in &outcome.findings {
        if !seen.insert(f.fingerprint.as_str()) {
            continue;
        }
        let values = params![
            id,
            f.fingerprint,
            f.kind.as_str(),
            f.severity.as_str(),
            f.cin7_ref,
            f.xero_ref,
            f.account_code,
            f.amount.map(|a| a.to_string()),
            f.date.map(|d| d.to_string()),
            f.message,
            now
        ];
        let finding_id = match known.get(&f.fingerprint) {
            None => {
                let finding_id: i64 = tx.query_row(
                    "INSERT INTO findings (connection_id, fingerprint, kind, severity, cin7_ref, xero_ref,
                         account_code, amount, date, message, first_seen, last_seen)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11) RETURNING id",
                    values,
                    |row| row.get(0),
                )?;
                tx.execute(
                    "INSERT INTO finding_events (finding_id, at, event) VALUES (?1, ?2, 'opened')",
                    params![finding_id, now],
                )?;
                changes.opened += 1;
                finding_id
            }
            Some(&(finding_id, resolved)) => {
                tx.execute(
                    "UPDATE findings SET kind = ?3, severity = ?4, cin7_ref = ?5, xero_ref = ?6, account_code = ?7,
                         amount = ?8, date = ?9, message = ?10, last_seen = ?11, resolved_at = NULL
                     WHERE connection_id = ?1 AND fingerprint = ?2",
                    values,
                )?;
                if resolved {
                    tx.execute("INSERT INTO finding_events (finding_id, at, event) VALUES (?1, ?2, 'reopened')", params![finding_id, now])?;
                    changes.reopened += 1;
                } else {
                    changes.still_open += 1;
                }
                tx.prepare_cached("DELETE FROM finding_accounts WHERE finding_id = ?1")?
                    .execute([finding_id])?;
                finding_id
            }
        };
        let primary = f.account_code.clone().zip(f.amount);
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO finding_accounts (finding_id, account_code, amount) VALUES (?1, ?2, ?3)",
        )?;
        for (code, amount) in primary.iter().chain(&f.other_accounts) {
            insert.execute(params![finding_id, code, amount.to_string()])?;
        }
    }
    for (fingerprint, (finding_id, resolved)) in &known {
        if !resolved && !seen.contains(fingerprint.as_str()) {
            tx.execute(
                "UPDATE findings SET resolved_at = ?2 WHERE id = ?1",
                params![finding_id, now],
            )?;
            tx.execute(
                "INSERT INTO finding_events (finding_id, at, event) VALUES (?1, ?2, 'resolved')",
                params![finding_id, now],
            )?;
            changes.resolved += 1;
        }
    }
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, DocumentLine, Payload, Record};
    use crate::reconcile::{Finding, FindingKind, Severity};
    use crate::store::PageWrite;

    use crate::store::test_store as store;

    fn accounts() -> AccountMap {
        AccountMap::inventory_only("630")
    }

    fn finding(fingerprint: &str) -> Finding {
        Finding {
            kind: FindingKind::AmountMismatch,
            severity: Severity::Error,
            fingerprint: fingerprint.into(),
            cin7_ref: Some("INV-1".into()),
            xero_ref: Some("INV-1".into()),
            account_code: None,
            amount: Some(Decimal::new(-5, 2)),
            other_accounts: Vec::new(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2),
            message: "totals differ".into(),
        }
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn stored_dates_read_as_chrono_reads_them() {
        for text in [
            "2026-11-02",
            "0000-01-01",
            "9999-12-31",
            "2024-02-29",
            "2025-02-29",
            "2025-02-30",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "2025-1-05",
            "2025-01-5",
            " 2025-01-05",
            "2025-01-05 ",
            "+2025-01-05",
            "-2025-01-05",
            "20250-01-05",
            "2025/01/05",
            "2025-01-05T00:00:00Z",
            "2025-0a-05",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            assert_eq!(parse_date(text), chrono, "{text:?}");
        }
    }

    #[test]
    fn stored_documents_come_back_as_they_went_in() {
        let (_dir, mut store) = store();
        let document = Document {
            doc_type: DocType::SalesInvoice,
            external_id: "x-1".into(),
            number: Some("INV-1".into()),
            reference: Some("SO-1".into()),
            contact: Some("Customer".into()),
            status: "AUTHORISED".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2),
            due_date: None,
            currency: Some("AUD".into()),
            total: Some(Decimal::new(11000, 2)),
            tax_total: Some(Decimal::new(1000, 2)),
            amount_paid: Some(Decimal::ZERO),
            amount_credited: None,
            updated_at: Some(at(1_000)),
            channel: None,
            lines: vec![DocumentLine {
                account_code: Some("200".into()),
                line_amount: Some(Decimal::new(10000, 2)),
                quantity: Some(Decimal::ONE),
                ..DocumentLine::default()
            }],
        };
        let record = Record {
            external_id: "x-1".into(),
            updated_at: document.updated_at,
            payload: Payload::Document(document.clone()),
        };
        let page =
            PageWrite::records("acme", System::Xero, "Invoices", vec![(record, "{}".into())]);
        store.write_page(&page, at(0)).unwrap();
        let input = store.reconcile_input("acme", accounts()).unwrap();
        // Read from the rows, the lean table is the one the model document makes.
        assert_eq!(input.xero_documents, Documents::from(vec![document]));
        assert!(input.cin7_documents.is_empty());
        let stored = input.xero_documents.get(0);
        assert_eq!(
            (stored.number, stored.reference, stored.currency),
            (Some("INV-1"), Some("SO-1"), Some("AUD"))
        );
        assert_eq!(
            stored.lines().map(|l| l.line_amount).collect::<Vec<_>>(),
            [Some(Decimal::new(10000, 2))]
        );
    }

    #[test]
    fn each_document_gets_its_own_lines_past_documents_of_unknown_types_and_without_lines() {
        let (_dir, mut store) = store();
        // A document of a type this cxsync does not know, with a line, stored first.
        store
            .conn
            .execute_batch(
                "INSERT INTO documents (id, connection_id, system, doc_type, external_id, status)
                 VALUES (1, 1, 'xero', 'tracking_category', 't-1', 'ACTIVE');
                 INSERT INTO document_lines (document_id, line_no, account_code, line_amount)
                 VALUES (1, 0, '999', '1.00');",
            )
            .unwrap();
        let doc = |id: &str, lines: &[(&str, i64)]| Document {
            doc_type: DocType::SalesInvoice,
            external_id: id.into(),
            number: Some(id.to_uppercase()),
            reference: None,
            contact: None,
            status: "AUTHORISED".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 2),
            due_date: None,
            currency: None,
            total: None,
            tax_total: None,
            amount_paid: None,
            amount_credited: None,
            updated_at: None,
            channel: None,
            lines: lines
                .iter()
                .map(|(account, cents)| DocumentLine {
                    account_code: Some((*account).into()),
                    line_amount: Some(Decimal::new(*cents, 2)),
                    ..DocumentLine::default()
                })
                .collect(),
        };
        let documents = [
            doc("x-1", &[("200", 100), ("201", 200)]),
            doc("x-2", &[]),
            doc("x-3", &[("202", 300)]),
        ];
        let records = documents
            .iter()
            .map(|d| {
                let record = Record {
                    external_id: d.external_id.clone(),
                    updated_at: None,
                    payload: Payload::Document(d.clone()),
                };
                (record, "{}".to_string())
            })
            .collect();
        let page = PageWrite::records("acme", System::Xero, "Invoices", records);
        store.write_page(&page, at(0)).unwrap();
        let input = store.reconcile_input("acme", accounts()).unwrap();
        assert_eq!(input.xero_documents, Documents::from(documents.to_vec()));
    }

    /// The stored matches as (Cin7 id, Xero id, method, `matched_at`), in key order.
    fn stored_matches(store: &Store) -> Vec<Vec<crate::table::Value>> {
        store
            .query(
                "SELECT cin7_external_id, xero_external_id, method, matched_at FROM matches
                 ORDER BY cin7_external_id, xero_external_id",
            )
            .unwrap()
            .rows
    }

    #[test]
    fn a_rerun_keeps_unchanged_matches_rewrites_changed_ones_and_deletes_the_rest() {
        use crate::reconcile::{Match, MatchMethod};
        use crate::table::Value::Text;
        let (_dir, mut store) = store();
        let pair = |cin7: &str, xero: &str, method| Match {
            cin7_id: cin7.into(),
            xero_id: xero.into(),
            method,
        };
        let with = |matches: Vec<Match>| Outcome { matches, findings: vec![] };
        let (number, reference) =
            (MatchMethod::DocumentNumber, MatchMethod::PurchaseInvoiceReference);
        let first = with(vec![
            pair("c-1", "x-1", number),
            pair("c-2", "x-2", number),
            pair("c-3", "x-3", number),
            pair("c-4", "x-4", number),
        ]);
        store.save_outcome("acme", &first, at(10)).unwrap();
        // Unsorted, with one pairing twice (the first is kept, as INSERT OR IGNORE kept it).
        let second = with(vec![
            pair("c-5", "x-5", number),
            pair("c-1", "x-1", number),
            pair("c-2", "x-2", reference),
            pair("c-4", "x-9", number),
            pair("c-5", "x-5", reference),
        ]);
        store.save_outcome("acme", &second, at(20)).unwrap();
        let row = |cin7: &str, xero: &str, method: MatchMethod, seconds| {
            vec![
                Text(cin7.into()),
                Text(xero.into()),
                Text(method.as_str().into()),
                Text(timestamp(at(seconds))),
            ]
        };
        assert_eq!(
            stored_matches(&store),
            [
                row("c-1", "x-1", number, 10),
                row("c-2", "x-2", reference, 20),
                row("c-4", "x-9", number, 20),
                row("c-5", "x-5", number, 20),
            ]
        );
        // Sorted, as reconcile() gives them, and nothing changed: nothing is rewritten.
        let mut third = second.clone();
        third.matches.sort();
        third.matches.dedup_by(|a, b| (&a.cin7_id, &a.xero_id) == (&b.cin7_id, &b.xero_id));
        store.save_outcome("acme", &third, at(30)).unwrap();
        assert_eq!(stored_matches(&store)[0], row("c-1", "x-1", number, 10));
        assert_eq!(stored_matches(&store)[3], row("c-5", "x-5", number, 20));
        store.save_outcome("acme", &with(vec![]), at(40)).unwrap();
        assert!(stored_matches(&store).is_empty());
    }

    #[rstest::rstest]
    // acme's documents 1, 2 and 4, beta's 3 in between: acme's lines are walked over its
    // range, beta's passed over.
    #[case::walked_past_another_connections_lines(&["acme", "acme", "beta", "acme"])]
    // acme's documents 1 and 6, beta's 2 to 5: found document by document.
    #[case::found_by_document_when_interleaved(&["acme", "beta", "beta", "beta", "beta", "acme"])]
    fn each_connection_reads_only_its_own_documents_lines(#[case] owners: &[&str]) {
        let (_dir, store) = store();
        store.ensure_connection("beta", crate::config::Cin7Kind::Core, at(0)).unwrap();
        for (n, owner) in owners.iter().enumerate() {
            let id = n + 1;
            store
                .conn
                .execute_batch(&format!(
                    "INSERT INTO documents (id, connection_id, system, doc_type, external_id, status)
                     SELECT {id}, id, 'xero', 'sales_invoice', '{owner}-{id}', 'AUTHORISED'
                     FROM connections WHERE name = '{owner}';
                     INSERT INTO document_lines (document_id, line_no, account_code, line_amount)
                     VALUES ({id}, 0, '{id}00', '1.00'), ({id}, 1, '{id}01', '2.00');"
                ))
                .unwrap();
        }
        for name in ["acme", "beta"] {
            let input = store.reconcile_input(name, accounts()).unwrap();
            let read: Vec<(String, Vec<String>)> = input
                .xero_documents
                .iter()
                .map(|d| {
                    let accounts = d.lines().map(|l| l.account_code.unwrap().to_owned());
                    (d.external_id.to_owned(), accounts.collect())
                })
                .collect();
            let expected: Vec<(String, Vec<String>)> = (owners.iter().enumerate())
                .filter(|(_, owner)| **owner == name)
                .map(|(n, _)| {
                    (
                        format!("{name}-{}", n + 1),
                        vec![format!("{}00", n + 1), format!("{}01", n + 1)],
                    )
                })
                .collect();
            assert_eq!(read, expected, "{name}");
        }
    }

    #[test]
    fn findings_open_stay_open_resolve_and_reopen_with_their_history() {
        let (_dir, mut store) = store();
        let with = |f: &[&str]| Outcome {
            matches: vec![],
            findings: f.iter().map(|fp| finding(fp)).collect(),
        };
        let first = store.save_outcome("acme", &with(&["a", "b"]), at(10)).unwrap();
        assert_eq!((first.opened, first.resolved), (2, 0));
        let second = store.save_outcome("acme", &with(&["a"]), at(20)).unwrap();
        assert_eq!((second.still_open, second.resolved), (1, 1));
        let third = store.save_outcome("acme", &with(&["a", "b"]), at(30)).unwrap();
        assert_eq!((third.still_open, third.reopened), (1, 1));
        let b = store
            .query(
                "SELECT first_seen, last_seen, resolved_at FROM findings WHERE fingerprint = 'b'",
            )
            .unwrap();
        assert_eq!(b.rows[0][0], crate::table::Value::Text(timestamp(at(10))));
        assert_eq!(b.rows[0][1], crate::table::Value::Text(timestamp(at(30))));
        assert_eq!(b.rows[0][2], crate::table::Value::Null);
        let events = store.query("SELECT e.event FROM finding_events e JOIN findings f ON f.id = e.finding_id WHERE f.fingerprint = 'b' ORDER BY e.at").unwrap();
        let events: Vec<_> = events.rows.into_iter().map(|r| r[0].clone()).collect();
        assert_eq!(
            events,
            ["opened", "resolved", "reopened"].map(|e| crate::table::Value::Text(e.into()))
        );
    }
}

#[cfg(test)]
mod feed_tests {
    use super::*;
    use crate::config::Cin7Kind;
    use crate::model::{LedgerEntry, LedgerLine, Payload, Record};
    use crate::store::PageWrite;

    #[test]
    fn cin7_postings_are_reconciled_from_the_feed_only_not_also_from_their_detail() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cxsync.db")).unwrap();
        store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        for (endpoint, source) in
            [("sale", "sale/s-1"), ("transactions", "transactions/t-1/2026-11-02/h.0")]
        {
            let line = |line_no, account: &str, amount| LedgerLine {
                line_no,
                date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                account_code: account.into(),
                amount: Decimal::new(amount, 2),
                description: None,
            };
            let entry = LedgerEntry {
                source_id: source.into(),
                journal_number: None,
                source_type: None,
                reference: None,
                lines: vec![line(0, "310", 4500), line(1, "630", -4500)],
            };
            let record = Record {
                external_id: source.into(),
                updated_at: None,
                payload: Payload::Ledger(entry),
            };
            let page =
                PageWrite::records("acme", System::Cin7, endpoint, vec![(record, "{}".into())]);
            store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        }
        let accounts = AccountMap::inventory_only("630");
        let input = store.reconcile_input("acme", accounts.clone()).unwrap();
        let sources: Vec<&str> = input.cin7_ledger.iter().map(|e| e.source_id).collect();
        assert_eq!(sources, ["transactions/t-1/2026-11-02/h.0"]);
        let grouped: Vec<&str> = input.cin7_postings.iter().map(|e| e.source_id).collect();
        assert_eq!(grouped, ["sale/s-1"], "the detail's copy only groups the postings");
        let report = store
            .report_input("acme", &accounts, None, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
            .unwrap();
        let shown = format!("{report:?}");
        assert!(shown.contains("-45.00") && !shown.contains("-90.00"), "counted once: {shown}");
    }

    /// Writes one two-line ledger entry per source id (lines given last first).
    fn write_entries(store: &mut Store, system: System, sources: &[&str]) {
        let records = sources
            .iter()
            .map(|source| {
                let line = |line_no, amount| LedgerLine {
                    line_no,
                    date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
                    account_code: "630".into(),
                    amount: Decimal::new(amount, 2),
                    description: None,
                };
                let entry = LedgerEntry {
                    source_id: (*source).into(),
                    journal_number: None,
                    source_type: None,
                    reference: None,
                    lines: vec![line(1, -100), line(0, 100)],
                };
                let record = Record {
                    external_id: (*source).into(),
                    updated_at: None,
                    payload: Payload::Ledger(entry),
                };
                (record, "{}".to_string())
            })
            .collect();
        let page = PageWrite::records("acme", system, "ledger", records);
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
    }

    fn source_ids(store: &Store, sql: &str) -> Vec<String> {
        let table = store.query(sql).unwrap();
        table
            .rows
            .into_iter()
            .map(|row| match &row[0] {
                crate::table::Value::Text(id) => id.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_feed_and_the_details_are_read_by_exactly_their_source_id_prefixes_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cxsync.db")).unwrap();
        store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        let cin7 = [
            "transactions/t-2/2026-11-02/h.0",
            "transactions/t-1/2026-11-02/h.0",
            "transactions/",
            "transactions",
            "transactions0",
            "transactionsx/1",
            "transaction/1",
            "xtransactions/1",
            "omni-ledger/cogs/2026-03",
            "omni-ledger",
            "omni-ledger0/x",
            "sale/s-1",
            "sale",
            "sales/1",
            "sale0",
            "purchase/p-1",
            "purchases/p-2",
            "advanced-purchase/a-1",
            "advanced-purchase",
            "stock-adjustment/t-3",
        ];
        write_entries(&mut store, System::Cin7, &cin7);
        write_entries(&mut store, System::Xero, &["transactions/x-1", "sale/x-2"]);
        let input = store.reconcile_input("acme", AccountMap::inventory_only("630")).unwrap();
        let feed: Vec<&str> = input.cin7_ledger.iter().map(|e| e.source_id).collect();
        assert_eq!(
            feed,
            [
                "omni-ledger/cogs/2026-03",
                "transactions/",
                "transactions/t-1/2026-11-02/h.0",
                "transactions/t-2/2026-11-02/h.0"
            ]
        );
        let details: Vec<&str> = input.cin7_postings.iter().map(|e| e.source_id).collect();
        assert_eq!(details, ["advanced-purchase/a-1", "purchase/p-1", "sale/s-1"]);
        // The same rows, in the same order, as the LIKE conditions read before (cxsync writes
        // the prefixes in lower case; LIKE would also take upper case ones).
        let like = |condition: &str| {
            source_ids(
                &store,
                &format!(
                    "SELECT DISTINCT source_id FROM ledger_lines WHERE system = 'cin7' \
                     AND ({condition}) ORDER BY source_id"
                ),
            )
        };
        assert_eq!(feed, like("source_id LIKE 'transactions/%' OR source_id LIKE 'omni-ledger/%'"));
        assert_eq!(
            details,
            like(
                "source_id LIKE 'sale/%' OR source_id LIKE 'purchase/%' \
                 OR source_id LIKE 'advanced-purchase/%'"
            )
        );
        // The report's condition takes the feed's rows too.
        assert_eq!(
            feed,
            source_ids(
                &store,
                &format!(
                    "SELECT DISTINCT source_id FROM ledger_lines WHERE system = 'cin7' \
                     AND {CIN7_FEED} ORDER BY source_id"
                )
            )
        );
        // Each entry's lines in line order.
        let lines: Vec<u32> = input.cin7_ledger.get(0).lines().map(|l| l.line_no).collect();
        assert_eq!(lines, [0, 1]);
    }

    #[test]
    fn reconciliation_reads_walk_indexes_in_order_without_sorting() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("cxsync.db")).unwrap();
        for sql in [DOCUMENTS, DOCUMENT_LINES, DOCUMENT_LINES_IN_RANGE, DOCUMENT_SPAN, LEDGER_RANGE]
        {
            let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(unbound), |row| row.get(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            // (A SELECT of subqueries alone "scans" its one constant row.)
            let plan = plan.join("; ").replace("SCAN CONSTANT ROW", "");
            assert!(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "{sql}: {plan}");
        }
    }

    #[test]
    fn product_account_mappings_come_from_the_stored_products_deprecated_ones_aside() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("cxsync.db")).unwrap();
        store.ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
        let products = [
            (
                "p-1",
                r#"{"ID":"p-1","SKU":"W-1","Status":"Active","InventoryAccount":"630","RevenueAccount":"201: Old sales","COGSAccount":null,"ExpenseAccount":""}"#,
            ),
            ("p-2", r#"{"ID":"p-2","SKU":"W-2","Status":"Deprecated","InventoryAccount":"631"}"#),
            ("p-3", r#"{"ID":"p-3","SKU":" ","InventoryAccount":630}"#),
        ];
        let records = products
            .iter()
            .map(|(id, raw)| {
                let record = Record {
                    external_id: (*id).into(),
                    updated_at: None,
                    payload: Payload::RawOnly,
                };
                (record, (*raw).to_string())
            })
            .collect();
        let page = PageWrite::records("acme", System::Cin7, "product", records);
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        let accounts = AccountMap::inventory_only("630");
        let input = store.reconcile_input("acme", accounts).unwrap();
        assert_eq!(
            input.product_accounts,
            [
                ProductAccounts {
                    sku: "W-1".into(),
                    codes: vec!["630".into(), "201: Old sales".into()]
                },
                ProductAccounts { sku: "p-3".into(), codes: vec!["630".into()] },
            ]
        );
    }
}
