//! What incremental reads of unordered lists ask the store: a stored record's change marker or
//! raw JSON (to fetch a detail only when its summary changed), writing the last detail of a
//! list window together with the list's cursor, and closing a re-read window of a ledger feed
//! (removing the entries the window no longer returns, with its cursor, in one transaction).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::pages::{connection_id, write_cursor, write_page_in};
use super::{PageOutcome, PageWrite, Store, StoreError};
use crate::clock::timestamp;
use crate::model::System;

/// A ledger window that has been read whole.
#[derive(Debug)]
pub struct LedgerWindow<'a> {
    pub connection: &'a str,
    pub system: System,
    /// The feed's endpoint: its raw records' endpoint, and the prefix (`{endpoint}/`) of its
    /// entries' source ids.
    pub endpoint: &'a str,
    /// The effective dates the read covered, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The source ids the read returned. Every other entry of the feed with a line dated in
    /// the window is gone from the source and is removed; `None` removes nothing (a read that
    /// may have missed rows).
    pub seen: Option<&'a HashSet<String>>,
    /// The cursor after this window; `None` leaves it as it was.
    pub cursor: Option<String>,
}

impl Store {
    /// When the source last changed a stored record (its `updated_at`), if it is stored.
    pub fn raw_updated_at(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
        external_id: &str,
    ) -> Result<Option<Option<DateTime<Utc>>>, StoreError> {
        let stored: Option<Option<String>> = self
            .conn
            .query_row(
                "SELECT r.updated_at FROM raw_documents r JOIN connections c ON c.id = r.connection_id
                 WHERE c.name = ?1 AND r.system = ?2 AND r.endpoint = ?3 AND r.external_id = ?4",
                params![connection, system.as_str(), endpoint, external_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(StoreError::query("reading a stored change time"))?;
        Ok(stored.map(|text| {
            text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.to_utc())
        }))
    }

    /// The stored raw JSON of a record, if it is stored.
    pub fn raw_json(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
        external_id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT r.raw_json FROM raw_documents r JOIN connections c ON c.id = r.connection_id
                 WHERE c.name = ?1 AND r.system = ?2 AND r.endpoint = ?3 AND r.external_id = ?4",
                params![connection, system.as_str(), endpoint, external_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(StoreError::query("reading a stored record"))
    }

    /// Every stored raw record of one endpoint, `(external id, raw JSON)` by id: what a
    /// source's own facts are read again from (Cin7 Omni's posting status and dates).
    pub fn raw_records(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let err = StoreError::query("reading stored records");
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.external_id, r.raw_json FROM raw_documents r
                 JOIN connections c ON c.id = r.connection_id
                 WHERE c.name = ?1 AND r.system = ?2 AND r.endpoint = ?3 ORDER BY r.external_id",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(params![connection, system.as_str(), endpoint], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .and_then(Iterator::collect)
            .map_err(StoreError::query("reading stored records"))?;
        Ok(rows)
    }

    /// Writes a page like [`Store::write_page`] and, in the same transaction, sets the cursor
    /// of `list`: the list whose window this page (the last detail read for it) closes.
    pub fn write_page_closing(
        &mut self,
        page: &PageWrite<'_>,
        list: &str,
        cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PageOutcome, StoreError> {
        let err = StoreError::query("writing a page");
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let outcome = write_page_in(&tx, page, &timestamp(now))
            .and_then(|outcome| {
                let id = connection_id(&tx, page.connection)?;
                write_cursor(&tx, id, page.system.as_str(), list, cursor)?;
                Ok(outcome)
            })
            .map_err(StoreError::query("writing a page"))?;
        tx.commit().map_err(StoreError::query("committing a page"))?;
        Ok(outcome)
    }

    /// Removes the feed's entries the window no longer returns and sets its cursor, in one
    /// transaction. Returns how many entries were removed.
    pub fn close_ledger_window(&mut self, window: &LedgerWindow<'_>) -> Result<usize, StoreError> {
        let err = StoreError::query("closing a ledger window");
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let removed = close_ledger_window_in(&tx, window)
            .map_err(StoreError::query("closing a ledger window"))?;
        tx.commit().map_err(StoreError::query("committing a ledger window"))?;
        Ok(removed)
    }
}

/// [`Store::close_ledger_window`] inside a transaction.
pub(super) fn close_ledger_window_in(
    tx: &Transaction<'_>,
    window: &LedgerWindow<'_>,
) -> rusqlite::Result<usize> {
    let id = connection_id(tx, window.connection)?;
    let system = window.system.as_str();
    let mut removed = 0;
    if let Some(seen) = window.seen {
        let prefix = format!("{}/", window.endpoint);
        let stale: Vec<String> = tx
            .prepare(
                "SELECT DISTINCT source_id FROM ledger_lines
                 WHERE connection_id = ?1 AND system = ?2
                   AND substr(source_id, 1, length(?3)) = ?3 AND date BETWEEN ?4 AND ?5",
            )?
            .query_map(
                params![id, system, prefix, window.from.to_string(), window.to.to_string()],
                |row| row.get::<_, String>(0),
            )?
            .filter(|source| source.as_ref().map_or(true, |s| !seen.contains(s)))
            .collect::<rusqlite::Result<_>>()?;
        for source_id in &stale {
            tx.execute(
                "DELETE FROM ledger_lines WHERE connection_id = ?1 AND system = ?2 AND source_id = ?3",
                params![id, system, source_id],
            )?;
            tx.execute(
                "DELETE FROM raw_documents WHERE connection_id = ?1 AND system = ?2
                 AND endpoint = ?3 AND external_id = ?4",
                params![id, system, window.endpoint, source_id],
            )?;
        }
        removed = stale.len();
    }
    if let Some(cursor) = &window.cursor {
        write_cursor(tx, id, system, window.endpoint, cursor)?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LedgerEntry, LedgerLine, Payload, Record};
    use crate::store::PageWrite;

    use crate::store::test_store as store;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn entry(source_id: &str, date: NaiveDate) -> (Record, String) {
        let line = |line_no, account: &str, amount: i64| LedgerLine {
            line_no,
            date,
            account_code: account.into(),
            amount: amount.into(),
            description: None,
        };
        let entry = LedgerEntry {
            source_id: source_id.into(),
            journal_number: None,
            source_type: None,
            reference: None,
            lines: vec![line(0, "630", 5), line(1, "815", -5)],
        };
        let record = Record {
            external_id: source_id.into(),
            updated_at: None,
            payload: Payload::Ledger(entry),
        };
        (record, format!("{{\"id\":\"{source_id}\"}}"))
    }

    fn sources(store: &Store) -> Vec<String> {
        let table =
            store.query("SELECT DISTINCT source_id FROM ledger_lines ORDER BY source_id").unwrap();
        table.rows.iter().map(|row| format!("{:?}", row[0])).collect()
    }

    #[test]
    fn closing_a_window_removes_what_it_no_longer_returns_inside_its_dates_only() {
        let (_dir, mut store) = store();
        let records = vec![
            entry("transactions/a", day(1)),
            entry("transactions/b", day(10)),
            entry("transactions/c", day(20)),
            entry("sale/s1", day(10)),
        ];
        let page = PageWrite::records("acme", System::Cin7, "transactions", records);
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        let seen: HashSet<String> = ["transactions/c".to_string()].into();
        let window = LedgerWindow {
            connection: "acme",
            system: System::Cin7,
            endpoint: "transactions",
            from: day(5),
            to: day(25),
            seen: Some(&seen),
            cursor: Some("2026-03-25".into()),
        };
        assert_eq!(store.close_ledger_window(&window).unwrap(), 1);
        let left = sources(&store);
        assert_eq!(left.len(), 3, "{left:?}");
        assert!(!left.iter().any(|s| s.contains("transactions/b")), "{left:?}");
        assert!(left.iter().any(|s| s.contains("sale/s1")), "other sources are not touched");
        assert!(left.iter().any(|s| s.contains("transactions/a")), "outside the window");
        assert_eq!(
            store.raw_json("acme", System::Cin7, "transactions", "transactions/b").unwrap(),
            None
        );
        let state = store.endpoint_state("acme", System::Cin7, "transactions").unwrap();
        assert_eq!(state.cursor.as_deref(), Some("2026-03-25"));
    }

    #[test]
    fn a_window_that_may_have_missed_rows_removes_nothing() {
        let (_dir, mut store) = store();
        let page = PageWrite::records(
            "acme",
            System::Cin7,
            "transactions",
            vec![entry("transactions/a", day(10))],
        );
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        let window = LedgerWindow {
            connection: "acme",
            system: System::Cin7,
            endpoint: "transactions",
            from: day(1),
            to: day(31),
            seen: None,
            cursor: None,
        };
        assert_eq!(store.close_ledger_window(&window).unwrap(), 0);
        assert_eq!(sources(&store).len(), 1);
    }

    #[test]
    fn the_last_detail_of_a_window_lands_with_its_lists_cursor() {
        let (_dir, mut store) = store();
        let page = PageWrite::records(
            "acme",
            System::Cin7,
            "sale",
            vec![(
                Record { external_id: "s1".into(), updated_at: None, payload: Payload::RawOnly },
                "{}".into(),
            )],
        );
        let outcome = store
            .write_page_closing(&page, "saleList", "2026-03-05T00:00:00.000Z", DateTime::UNIX_EPOCH)
            .unwrap();
        assert_eq!(outcome.new, 1);
        let list = store.endpoint_state("acme", System::Cin7, "saleList").unwrap();
        assert_eq!(list.cursor.as_deref(), Some("2026-03-05T00:00:00.000Z"));
        assert_eq!(store.endpoint_state("acme", System::Cin7, "sale").unwrap().cursor, None);
    }

    #[test]
    fn a_stored_records_change_time_and_raw_json_are_read_back() {
        let (_dir, mut store) = store();
        let at = DateTime::parse_from_rfc3339("2026-03-05T01:02:03.123Z").unwrap().to_utc();
        let record =
            Record { external_id: "s1".into(), updated_at: Some(at), payload: Payload::RawOnly };
        let page = PageWrite::records(
            "acme",
            System::Cin7,
            "sale",
            vec![(record, "{\"ID\":\"s1\"}".into())],
        );
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        assert_eq!(
            store.raw_updated_at("acme", System::Cin7, "sale", "s1").unwrap(),
            Some(Some(at))
        );
        assert_eq!(store.raw_updated_at("acme", System::Cin7, "sale", "s2").unwrap(), None);
        assert_eq!(store.raw_updated_at("acme", System::Xero, "sale", "s1").unwrap(), None);
        assert_eq!(
            store.raw_json("acme", System::Cin7, "sale", "s1").unwrap().as_deref(),
            Some("{\"ID\":\"s1\"}")
        );
    }
}
