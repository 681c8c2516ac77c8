//! What an Omni connection's reconciliation needs derived from the stored Omni records first:
//! each stored payment named by the document it pays, as the stored orders say now (see
//! [`crate::cin7::omni::normalise::payment_with`]), and the Cin7-side ledger Omni's documents
//! imply (its monthly COGS journals, its bills' debits and its stock adjustments' journals, see
//! [`crate::cin7::omni::ledger`]), stored like Cin7 Core's ledger feed.
//!
//! [`refresh`] reads every stored sales order, credit note, purchase order, adjustment and
//! payment once, and only when something it depends on changed since the last refresh: the
//! marker of a refresh (`sync_cursors`, endpoint `omni-ledger`) names the settings it used
//! (`accounts.cogs`, `inventory`, `inventory_discrepancy`), the fingerprint of the records it
//! read (each one's id and content hash) and of the derived ledger it left, and this code's
//! derivation version. It is written in the same transaction as the refresh, so a refresh that
//! fails leaves the old marker, and the next one derives again. Checking it reads the records'
//! ids and content hashes, not their JSON.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::cin7::omni::ledger::{self, LEDGER_ENDPOINT};
use crate::cin7::omni::models::Transaction;
use crate::cin7::omni::normalise::{self, Endpoint, PaidOrders};
use crate::config::AccountMap;
use crate::model::{Document, Payload, Record, System};
use crate::store::{OmniRefresh, PageWrite, RawFingerprint, Store, StoreError};

/// Bump when the same stored records and settings derive other payments or another ledger, so
/// stores refreshed by an older build derive again (a new cxsync version always does).
const DERIVATION: u32 = 1;

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Nothing it depends on changed since the last refresh: nothing was read or written.
    Unchanged,
    /// Derived again: how many payments were renamed, how many ledger entries are stored.
    Derived { payments: usize, entries: usize },
}

/// The stored records of one refresh, each parsed once.
#[derive(Default)]
struct Read {
    /// Read only when COGS is derived (`accounts.cogs` set).
    sales_orders: Vec<Transaction>,
    credit_notes: Vec<Transaction>,
    purchase_orders: Vec<Transaction>,
    adjustments: Vec<Transaction>,
    payments: Vec<Document>,
    /// What was read.
    fingerprint: RawFingerprint,
}

/// Names each stored Omni payment by the document it pays and rebuilds the derived Cin7
/// ledger (see the module notes), unless nothing it depends on changed since the last
/// refresh. Ledger entries that changed are rewritten, those no longer implied are removed.
/// Without a configured COGS account no COGS is derived; an adjustment without an account to
/// post against (its own, else `accounts.inventory_discrepancy`) is left out and warned about.
pub fn refresh(
    store: &mut Store,
    connection: &str,
    accounts: &AccountMap,
    now: DateTime<Utc>,
) -> Result<Refresh, StoreError> {
    let endpoints = Endpoint::ALL.map(Endpoint::as_str);
    let stored = store.raw_fingerprint(connection, System::Cin7, &endpoints)?;
    if store.omni_refresh_is_current(connection, &basis(accounts, stored))? {
        return Ok(Refresh::Unchanged);
    }
    let cogs = accounts.cogs.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let read = read(store, connection, cogs.is_some())?;
    let basis = basis(accounts, read.fingerprint);
    let inventory = accounts.inventory.trim();
    let mut entries = match cogs {
        Some(cogs) => {
            ledger::cogs_journals(&read.sales_orders, &read.credit_notes, cogs, inventory)
        }
        None => Vec::new(),
    };
    entries.extend(ledger::purchase_entries(&read.purchase_orders, inventory));
    let (adjustments, underived) = ledger::adjustment_entries(
        &read.adjustments,
        inventory,
        accounts.inventory_discrepancy.as_deref(),
    );
    entries.extend(adjustments);
    if !underived.is_empty() {
        let labels: Vec<&str> = underived.iter().map(|u| u.label.as_str()).collect();
        tracing::warn!(
            connection,
            adjustments = %labels.join(", "),
            "Cin7 Omni stock adjustments without an account to post against are left out of the \
             derived ledger: set accounts.inventory_discrepancy to the account Omni's Xero \
             settings use for adjustments"
        );
    }
    let count = entries.len();
    let refresh = OmniRefresh {
        connection,
        payments: &read.payments,
        ledger: PageWrite::records(
            connection,
            System::Cin7,
            LEDGER_ENDPOINT,
            entries.into_iter().map(ledger_record).collect(),
        ),
        basis: &basis,
    };
    let payments = store.write_omni_refresh(&refresh, now)?;
    Ok(Refresh::Derived { payments, entries: count })
}

/// What a refresh depends on besides the derived ledger: the derivation, the settings and
/// the records (their fingerprint).
fn basis(accounts: &AccountMap, records: RawFingerprint) -> String {
    format!(
        "derivation {DERIVATION} of cxsync {}; accounts.cogs {:?}, accounts.inventory {:?}, \
         accounts.inventory_discrepancy {:?}; Omni records {}",
        env!("CARGO_PKG_VERSION"),
        accounts.cogs,
        accounts.inventory,
        accounts.inventory_discrepancy,
        records.finish()
    )
}

/// Every stored record a refresh reads, each parsed once, in the order of [`Endpoint::ALL`]
/// (payments last, once every order is known). Records that no longer read are skipped (they
/// are quarantined when next fetched); credit notes are parsed only when COGS is derived, and
/// sales orders kept only then.
fn read(store: &Store, connection: &str, cogs: bool) -> Result<Read, StoreError> {
    let mut read = Read::default();
    let mut orders = PaidOrders::default();
    for endpoint in Endpoint::ALL {
        let name = endpoint.as_str();
        store.for_each_raw(connection, System::Cin7, name, |external_id, hash, raw| {
            read.fingerprint.add(name, external_id, hash);
            if endpoint == Endpoint::CreditNotes && !cogs {
                return;
            }
            let Ok(value) = serde_json::from_str::<Value>(raw) else { return };
            if endpoint == Endpoint::Payments {
                read.payments.extend(normalise::payment_with(&value, &orders));
                return;
            }
            let Ok(transaction) = Transaction::read(&value) else { return };
            orders.add_read(endpoint, &transaction);
            match endpoint {
                Endpoint::SalesOrders if cogs => read.sales_orders.push(transaction),
                Endpoint::CreditNotes => read.credit_notes.push(transaction),
                Endpoint::PurchaseOrders => read.purchase_orders.push(transaction),
                Endpoint::Adjustments => read.adjustments.push(transaction),
                _ => {}
            }
        })?;
    }
    Ok(read)
}

/// A derived entry as the record stored for it, with the raw JSON that lists its lines.
fn ledger_record(entry: crate::model::LedgerEntry) -> (Record, String) {
    let raw = serde_json::json!({
        "source": "derived from the stored Cin7 Omni documents",
        "reference": entry.reference,
        "lines": entry.lines.iter().map(|l| serde_json::json!({
            "date": l.date.to_string(), "account": l.account_code,
            "amount": l.amount.to_string(), "description": l.description,
        })).collect::<Vec<_>>(),
    });
    let record = Record {
        external_id: entry.source_id.clone(),
        updated_at: None,
        payload: Payload::Ledger(entry),
    };
    (record, raw.to_string())
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::json;

    use super::*;

    fn accounts(cogs: Option<&str>) -> AccountMap {
        AccountMap {
            inventory: "630".into(),
            cogs: cogs.map(Into::into),
            revenue: Some("200".into()),
            grni: None,
            stock_in_transit: None,
            wip: None,
            inventory_discrepancy: None,
            supplier_deposits: None,
        }
    }

    fn order(id: u32, invoiced: &str, unit_cost: f64) -> Value {
        json!({
            "id": id, "modifiedDate": "2026-03-31T10:00:00Z", "reference": format!("SO-{id}"),
            "invoiceNumber": 1000 + id, "invoiceDate": invoiced, "dispatchedDate": invoiced,
            "accountingAttributes": { "accountingImportStatus": "Imported" },
            "lineItems": [{ "code": "A", "qty": 2, "qtyShipped": 2, "unitCost": unit_cost }]
        })
    }

    fn payment(id: u32, order: u32) -> Value {
        json!({ "id": id, "amount": 10, "isAuthorized": true, "paymentDate": "2026-03-06T00:00:00Z",
                "orderId": order, "orderType": "SalesOrder", "orderRef": format!("SO-{order}") })
    }

    fn store_records(store: &mut Store, endpoint: Endpoint, records: &[Value]) {
        let records = records
            .iter()
            .map(|raw| (normalise::record(endpoint, raw).unwrap(), raw.to_string()))
            .collect();
        let page = PageWrite::records("acme", System::Cin7, endpoint.as_str(), records);
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
    }

    fn store_orders(store: &mut Store, orders: &[Value]) {
        store_records(store, Endpoint::SalesOrders, orders);
    }

    fn refreshed(store: &mut Store, map: &AccountMap) -> Refresh {
        refresh(store, "acme", map, DateTime::UNIX_EPOCH).unwrap()
    }

    /// `(date, account, amount)` of one ledger line, as text.
    type Line = (String, String, String);

    /// `(source id, lines)` of the Cin7 ledger reconciliation reads.
    fn ledger(store: &Store, map: &AccountMap) -> Vec<(String, Vec<Line>)> {
        let input = store.reconcile_input("acme", map.clone()).unwrap();
        input
            .cin7_ledger
            .iter()
            .map(|e| {
                let lines = e
                    .lines()
                    .map(|l| (l.date.to_string(), l.account_code.to_owned(), l.amount.to_string()))
                    .collect();
                (e.source_id.to_owned(), lines)
            })
            .collect()
    }

    /// `(month's source id, COGS debited)` of the derived ledger.
    fn months(store: &Store, map: &AccountMap) -> Vec<(String, String)> {
        ledger(store, map).into_iter().map(|(id, lines)| (id, lines[0].2.clone())).collect()
    }

    fn month(id: &str, amount: &str) -> (String, String) {
        (format!("omni-ledger/cogs/{id}"), amount.to_string())
    }

    #[test]
    fn omnis_monthly_cogs_is_stored_as_the_cin7_ledger_and_follows_the_orders() {
        let (_dir, mut store) = crate::store::test_store();
        let map = accounts(Some("310"));
        store_orders(
            &mut store,
            &[order(1, "2026-03-05T00:00:00Z", 10.0), order(2, "2026-04-02T00:00:00Z", 5.0)],
        );
        assert_eq!(refreshed(&mut store, &map), Refresh::Derived { payments: 0, entries: 2 });
        let line = |date: &str, account: &str, amount: &str| {
            (date.to_string(), account.to_string(), amount.to_string())
        };
        assert_eq!(
            ledger(&store, &map),
            [
                (
                    "omni-ledger/cogs/2026-03".to_string(),
                    vec![line("2026-03-31", "310", "20.0"), line("2026-03-31", "630", "-20.0")]
                ),
                (
                    "omni-ledger/cogs/2026-04".to_string(),
                    vec![line("2026-04-30", "310", "10.0"), line("2026-04-30", "630", "-10.0")]
                ),
            ]
        );

        // Order 2 is re-invoiced into March: April has no COGS left and its entry goes.
        store_orders(&mut store, &[order(2, "2026-03-20T00:00:00Z", 5.0)]);
        refreshed(&mut store, &map);
        assert_eq!(months(&store, &map), [month("2026-03", "30.0")]);

        // Without a COGS account there is nothing to post to: the derived ledger is removed.
        let unmapped = accounts(None);
        assert_eq!(refreshed(&mut store, &unmapped), Refresh::Derived { payments: 0, entries: 0 });
        assert!(ledger(&store, &unmapped).is_empty());
    }

    /// A store with two months of COGS and a payment of order 1, refreshed once and then
    /// found unchanged.
    fn refreshed_store() -> (tempfile::TempDir, Store) {
        let (dir, mut store) = crate::store::test_store();
        let map = accounts(Some("310"));
        store_orders(
            &mut store,
            &[order(1, "2026-03-05T00:00:00Z", 10.0), order(2, "2026-04-02T00:00:00Z", 5.0)],
        );
        store_records(&mut store, Endpoint::Payments, &[payment(1, 1)]);
        assert_eq!(refreshed(&mut store, &map), Refresh::Derived { payments: 1, entries: 2 });
        assert_eq!(refreshed(&mut store, &map), Refresh::Unchanged);
        (dir, store)
    }

    #[test]
    fn a_refresh_with_nothing_changed_reads_and_writes_nothing() {
        let (_dir, mut store) = refreshed_store();
        let map = accounts(Some("310"));
        // The same records written again (a re-read overlap) change nothing either.
        store_orders(&mut store, &[order(2, "2026-04-02T00:00:00Z", 5.0)]);
        assert_eq!(refreshed(&mut store, &map), Refresh::Unchanged);
        assert_eq!(months(&store, &map), [month("2026-03", "20.0"), month("2026-04", "10.0")]);
    }

    /// Runs `sql` on the store's file through a connection of its own (what support staff
    /// or another tool could do).
    fn execute(dir: &tempfile::TempDir, sql: &str) {
        let conn = rusqlite::Connection::open(dir.path().join("cxsync.db")).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    #[rstest]
    #[case::a_changed_record(Change::Record(order(2, "2026-04-02T00:00:00Z", 6.0)), &[("2026-03", "20.0"), ("2026-04", "12.0")])]
    #[case::a_new_record(Change::Record(order(3, "2026-04-09T00:00:00Z", 1.0)), &[("2026-03", "20.0"), ("2026-04", "12.0")])]
    #[case::a_removed_record(Change::Sql("DELETE FROM raw_documents WHERE external_id = 'SalesOrders/2'"), &[("2026-03", "20.0")])]
    #[case::a_changed_cogs_account(Change::Cogs("311"), &[("2026-03", "20.0"), ("2026-04", "10.0")])]
    #[case::a_changed_inventory_discrepancy_account(Change::Discrepancy("660"), &[("2026-03", "20.0"), ("2026-04", "10.0")])]
    #[case::the_derived_ledger_removed(Change::Sql("DELETE FROM ledger_lines; DELETE FROM raw_documents WHERE endpoint = 'omni-ledger'"), &[("2026-03", "20.0"), ("2026-04", "10.0")])]
    fn a_refresh_derives_again_once_what_it_depends_on_changed(
        #[case] change: Change,
        #[case] expected: &[(&str, &str)],
    ) {
        let (dir, mut store) = refreshed_store();
        let mut map = accounts(Some("310"));
        match change {
            Change::Record(raw) => store_orders(&mut store, &[raw]),
            Change::Sql(sql) => execute(&dir, sql),
            Change::Cogs(code) => map.cogs = Some(code.into()),
            Change::Discrepancy(code) => map.inventory_discrepancy = Some(code.into()),
        }
        assert!(matches!(refreshed(&mut store, &map), Refresh::Derived { .. }));
        let expected: Vec<_> = expected.iter().map(|(id, amount)| month(id, amount)).collect();
        assert_eq!(months(&store, &map), expected);
        if let Some(cogs) = &map.cogs {
            assert!(ledger(&store, &map).iter().all(|(_, lines)| &lines[0].1 == cogs));
        }
        assert_eq!(refreshed(&mut store, &map), Refresh::Unchanged, "and then rests again");
    }

    /// What changes between two refreshes.
    enum Change {
        /// A sales order stored (changed or new).
        Record(Value),
        /// SQL run on the store's file from another connection.
        Sql(&'static str),
        /// `accounts.cogs` set to this.
        Cogs(&'static str),
        /// `accounts.inventory_discrepancy` set to this.
        Discrepancy(&'static str),
    }

    #[test]
    fn a_payment_is_renamed_when_its_order_is_invoiced_though_the_payment_did_not_change() {
        let (_dir, mut store) = crate::store::test_store();
        let map = accounts(Some("310"));
        let mut uninvoiced = order(1, "2026-03-05T00:00:00Z", 10.0);
        uninvoiced["invoiceNumber"] = json!(0);
        store_orders(&mut store, &[uninvoiced]);
        store_records(&mut store, Endpoint::Payments, &[payment(7, 1)]);
        assert_eq!(refreshed(&mut store, &map), Refresh::Derived { payments: 0, entries: 1 });
        store_orders(&mut store, &[order(1, "2026-03-05T00:00:00Z", 10.0)]);
        assert_eq!(refreshed(&mut store, &map), Refresh::Derived { payments: 1, entries: 1 });
        let reference = store
            .query("SELECT reference FROM documents WHERE external_id = 'Payments/7'")
            .unwrap();
        assert_eq!(reference.rows[0][0], crate::table::Value::Text("1001".into()));
    }
}
