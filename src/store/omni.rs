//! What the store does for Cin7 Omni alone: payments named by the document they pay once the
//! stored orders say which that is (see `cin7::omni::normalise`), and the derived ledger's
//! refresh (`sync::omni::refresh`): the stored records streamed once, a fingerprint of what
//! they are, and the refresh written in one transaction with the marker that says what it
//! was derived from.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use sha2::{Digest as _, Sha256};

use super::pages::{connection_id, write_cursor, write_page_in};
use super::windows::close_ledger_window_in;
use super::{LedgerWindow, PageWrite, Store, StoreError};
use crate::clock::timestamp;
use crate::model::{DocType, Document, System};

/// The endpoint under which the derived Omni ledger is stored; its row in `sync_cursors`
/// holds the marker of the last refresh.
const LEDGER: &str = "omni-ledger";

/// What a set of stored raw records is: a SHA-256 over each record's endpoint, external id and
/// content hash (each length-prefixed), in the order added. Two fingerprints built from the
/// same endpoints in the same order are equal exactly when the same records are stored with
/// the same content (a record added, changed or removed changes it).
#[derive(Debug, Clone, Default)]
pub struct RawFingerprint {
    hasher: Sha256,
    records: usize,
}

impl RawFingerprint {
    /// Adds one stored record.
    pub fn add(&mut self, endpoint: &str, external_id: &str, content_hash: &str) {
        for part in [endpoint, external_id, content_hash] {
            self.hasher.update((part.len() as u64).to_le_bytes());
            self.hasher.update(part.as_bytes());
        }
        self.records += 1;
    }

    /// `{records} records, sha256 {hex}`.
    pub fn finish(self) -> String {
        use std::fmt::Write as _;
        let mut text = format!("{} records, sha256 ", self.records);
        for byte in self.hasher.finalize() {
            let _ = write!(text, "{byte:02x}");
        }
        text
    }
}

/// One refresh of an Omni connection's derived records, written by
/// [`Store::write_omni_refresh`].
#[derive(Debug)]
pub struct OmniRefresh<'a> {
    pub connection: &'a str,
    /// Every stored payment, named by the order it pays.
    pub payments: &'a [Document],
    /// The derived ledger entries (endpoint `omni-ledger`); entries not in it are removed.
    pub ledger: PageWrite<'a>,
    /// What the refresh was derived from: the settings and the fingerprint of the records
    /// read (see `sync::omni::refresh`).
    pub basis: &'a str,
}

/// The marker a refresh leaves: its basis and what the derived ledger then is.
fn marker(basis: &str, ledger: RawFingerprint) -> String {
    format!("{basis}; ledger {}", ledger.finish())
}

/// The fingerprint of `endpoints`' stored raw records (by endpoint, then external id),
/// read from their ids and content hashes alone.
fn fingerprint_in(
    conn: &Connection,
    connection: &str,
    system: System,
    endpoints: &[&str],
) -> rusqlite::Result<RawFingerprint> {
    let mut fingerprint = RawFingerprint::default();
    let mut stmt = conn.prepare_cached(
        "SELECT external_id, content_hash FROM raw_documents
         WHERE connection_id = (SELECT id FROM connections WHERE name = ?1)
           AND system = ?2 AND endpoint = ?3 ORDER BY external_id",
    )?;
    for endpoint in endpoints {
        let mut rows = stmt.query(params![connection, system.as_str(), endpoint])?;
        while let Some(row) = rows.next()? {
            fingerprint.add(endpoint, row.get_ref(0)?.as_str()?, row.get_ref(1)?.as_str()?);
        }
    }
    Ok(fingerprint)
}

impl Store {
    /// The fingerprint of `endpoints`' stored raw records (see [`RawFingerprint`]), without
    /// reading their JSON.
    pub fn raw_fingerprint(
        &self,
        connection: &str,
        system: System,
        endpoints: &[&str],
    ) -> Result<RawFingerprint, StoreError> {
        fingerprint_in(&self.conn, connection, system, endpoints)
            .map_err(StoreError::query("reading stored records' content hashes"))
    }

    /// Calls `each(external_id, content_hash, raw_json)` for every stored raw record of one
    /// endpoint, by external id, one row at a time (no record's JSON is kept).
    pub fn for_each_raw(
        &self,
        connection: &str,
        system: System,
        endpoint: &str,
        mut each: impl FnMut(&str, &str, &str),
    ) -> Result<(), StoreError> {
        (|| -> rusqlite::Result<()> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT external_id, content_hash, raw_json FROM raw_documents
                 WHERE connection_id = (SELECT id FROM connections WHERE name = ?1)
                   AND system = ?2 AND endpoint = ?3 ORDER BY external_id",
            )?;
            let mut rows = stmt.query(params![connection, system.as_str(), endpoint])?;
            while let Some(row) = rows.next()? {
                each(
                    row.get_ref(0)?.as_str()?,
                    row.get_ref(1)?.as_str()?,
                    row.get_ref(2)?.as_str()?,
                );
            }
            Ok(())
        })()
        .map_err(StoreError::query("reading stored records"))
    }

    /// Whether the last refresh of `connection`'s derived Omni records was derived from
    /// `basis` and left the derived ledger as it is now.
    pub fn omni_refresh_is_current(
        &self,
        connection: &str,
        basis: &str,
    ) -> Result<bool, StoreError> {
        let stored = self.endpoint_state(connection, System::Cin7, LEDGER)?.cursor;
        let Some(stored) = stored else { return Ok(false) };
        let ledger = self.raw_fingerprint(connection, System::Cin7, &[LEDGER])?;
        Ok(stored == marker(basis, ledger))
    }

    /// Writes one refresh in one transaction: the payments' references and statuses, the
    /// derived ledger (entries not in it removed) and the marker of what it was derived from
    /// (`sync_cursors`, endpoint `omni-ledger`). Returns how many payments changed.
    pub fn write_omni_refresh(
        &mut self,
        refresh: &OmniRefresh<'_>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let err = StoreError::query("writing the derived Cin7 Omni records");
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
        let changed = (|| -> rusqlite::Result<usize> {
            let id = connection_id(&tx, refresh.connection)?;
            let changed = update_payment_references_in(&tx, id, refresh.payments)?;
            write_page_in(&tx, &refresh.ledger, &timestamp(now))?;
            let seen: HashSet<String> =
                refresh.ledger.records.iter().map(|(r, _)| r.external_id.clone()).collect();
            let whole = LedgerWindow {
                connection: refresh.connection,
                system: System::Cin7,
                endpoint: LEDGER,
                from: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
                to: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
                seen: Some(&seen),
                cursor: None,
            };
            close_ledger_window_in(&tx, &whole)?;
            let ledger = fingerprint_in(&tx, refresh.connection, System::Cin7, &[LEDGER])?;
            write_cursor(&tx, id, System::Cin7.as_str(), LEDGER, &marker(refresh.basis, ledger))?;
            Ok(changed)
        })()
        .map_err(StoreError::query("writing the derived Cin7 Omni records"))?;
        tx.commit().map_err(StoreError::query("committing the derived Cin7 Omni records"))?;
        Ok(changed)
    }

    /// Sets the `reference` and `status` of `connection`'s stored Cin7 payment documents to
    /// those of `payments` (matched by external id), in one transaction. Returns how many rows
    /// changed; a payment not stored is skipped.
    pub fn update_payment_references(
        &mut self,
        connection: &str,
        payments: &[Document],
    ) -> Result<usize, StoreError> {
        let err = || StoreError::query("updating Cin7 Omni payments");
        let tx = self.conn.transaction().map_err(err())?;
        let changed = connection_id(&tx, connection)
            .and_then(|id| update_payment_references_in(&tx, id, payments))
            .map_err(err())?;
        tx.commit().map_err(err())?;
        Ok(changed)
    }
}

/// [`Store::update_payment_references`] inside a transaction; `id` is the connection's row id.
fn update_payment_references_in(
    tx: &Transaction<'_>,
    id: i64,
    payments: &[Document],
) -> rusqlite::Result<usize> {
    let mut stmt = tx.prepare_cached(
        "UPDATE documents SET reference = ?4, status = ?5
         WHERE connection_id = ?1 AND system = 'cin7' AND doc_type = ?2
           AND external_id = ?3 AND (reference IS NOT ?4 OR status IS NOT ?5)",
    )?;
    let mut changed = 0;
    for payment in payments.iter().filter(|p| p.doc_type == DocType::Payment) {
        changed += stmt.execute(params![
            id,
            DocType::Payment.as_str(),
            payment.external_id,
            payment.reference,
            payment.status
        ])?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate};
    use serde_json::json;

    use super::{LEDGER, OmniRefresh, Store};
    use crate::cin7::omni::normalise::{self, Endpoint, PaidOrders};
    use crate::model::{Document, LedgerEntry, LedgerLine, Payload, Record, System};
    use crate::store::{PageWrite, test_store};

    fn payment(raw: &serde_json::Value, orders: &PaidOrders) -> Document {
        normalise::payment_with(raw, orders).unwrap()
    }

    /// Stores Omni payment `raw` (of order 5, `SO-5`) as the sync would, and returns it named
    /// by that order's invoice number, INV-9, as a refresh names it.
    fn stored_payment_of_order_5(store: &mut Store, raw: &serde_json::Value) -> Document {
        let record = normalise::record(Endpoint::Payments, raw).unwrap();
        assert!(
            matches!(&record.payload, Payload::Document(d) if d.reference.as_deref() == Some("SO-5"))
        );
        let page =
            PageWrite::records("acme", System::Cin7, "Payments", vec![(record, raw.to_string())]);
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
        let mut orders = PaidOrders::default();
        orders.add(
            Endpoint::SalesOrders,
            &json!({ "id": 5, "reference": "SO-5", "invoiceNumber": "INV-9" }),
        );
        payment(raw, &orders)
    }

    #[test]
    fn a_stored_payment_takes_the_number_of_the_order_it_pays_once_and_only_when_it_changes() {
        let (_dir, mut store) = test_store();
        let raw = json!({ "id": 7, "amount": 10, "isAuthorized": true, "paymentDate": "2026-03-01T00:00:00Z",
                          "orderId": 5, "orderType": "SalesOrder", "orderRef": "SO-5" });
        let named = stored_payment_of_order_5(&mut store, &raw);
        assert_eq!(
            store.update_payment_references("acme", std::slice::from_ref(&named)).unwrap(),
            1
        );
        assert_eq!(store.update_payment_references("acme", &[named]).unwrap(), 0, "unchanged");
        let stored: (String, String) = store
            .conn
            .query_row(
                "SELECT reference, status FROM documents WHERE external_id = 'Payments/7'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(stored, ("INV-9".to_string(), "AUTHORISED".to_string()));
    }

    #[test]
    fn a_refresh_that_fails_leaves_neither_its_payments_nor_its_ledger_nor_its_marker() {
        let (_dir, mut store) = test_store();
        let raw = json!({ "id": 7, "amount": 10, "isAuthorized": true, "orderId": 5,
                          "orderType": "SalesOrder", "orderRef": "SO-5" });
        let payments = [stored_payment_of_order_5(&mut store, &raw)];
        let entry = LedgerEntry {
            source_id: "omni-ledger/cogs/2026-03".into(),
            journal_number: None,
            source_type: None,
            reference: None,
            lines: vec![LedgerLine {
                line_no: 0,
                date: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
                account_code: "310".into(),
                amount: 5.into(),
                description: None,
            }],
        };
        let refresh = || OmniRefresh {
            connection: "acme",
            payments: &payments,
            ledger: PageWrite::records(
                "acme",
                System::Cin7,
                LEDGER,
                vec![(
                    Record {
                        external_id: entry.source_id.clone(),
                        updated_at: None,
                        payload: Payload::Ledger(entry.clone()),
                    },
                    "{}".into(),
                )],
            ),
            basis: "basis",
        };
        store
            .conn
            .execute_batch(
                "CREATE TEMP TRIGGER boom BEFORE INSERT ON ledger_lines
                 BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
            )
            .unwrap();
        assert!(store.write_omni_refresh(&refresh(), DateTime::UNIX_EPOCH).is_err());
        let count = |store: &Store, sql: &str| {
            store.conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap()
        };
        assert_eq!(count(&store, "SELECT count(*) FROM documents WHERE reference = 'INV-9'"), 0);
        assert_eq!(
            count(&store, "SELECT count(*) FROM raw_documents WHERE endpoint = 'omni-ledger'"),
            0
        );
        assert_eq!(
            count(&store, "SELECT count(*) FROM sync_cursors WHERE endpoint = 'omni-ledger'"),
            0
        );
        assert!(!store.omni_refresh_is_current("acme", "basis").unwrap());

        store.conn.execute_batch("DROP TRIGGER boom").unwrap();
        assert_eq!(store.write_omni_refresh(&refresh(), DateTime::UNIX_EPOCH).unwrap(), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM documents WHERE reference = 'INV-9'"), 1);
        assert_eq!(count(&store, "SELECT count(*) FROM ledger_lines"), 1);
        assert!(store.omni_refresh_is_current("acme", "basis").unwrap());
        assert!(!store.omni_refresh_is_current("acme", "another basis").unwrap());
    }
}
