//! Incremental sync of one Cin7 Omni account into the store.
//!
//! Each endpoint (`SalesOrders`, `CreditNotes`, `PurchaseOrders`, Adjustments, Payments) is read
//! as one window of records modified since the last: `where=modifieddate>'{since − OVERLAP}'`,
//! walked by id (`order=id asc`, `rows=250`, and `AND id>{last id read}` from the second page
//! on, always `page=1`) until a short page: Omni's lists are bare arrays with no total, so a
//! page shorter than `rows` is the last. Walking by id is a keyset: a record changed while the
//! window is read does not shift the pages after it, and a window can resume where it stopped.
//!
//! Each page is written in one transaction with the cursor that follows it (see `cursor`):
//! part-way, the window and the last id read; after the last page, the window's newest
//! `modifiedDate` (capped at the time the window began, so records changed while it was read
//! are read again next time even if the read took longer than the overlap). A crash resumes the
//! window after its last committed page, and nothing is read twice except the overlap. Records
//! are de-duplicated by id and `modifiedDate` within a window; a record that cannot be read is
//! quarantined and the rest of its page lands. The first window starts at
//! `cin7.backfill_from`.
//!
//! Refusals: 401 (user name or key wrong) stops the cycle, since every call would fail; 403
//! (the API user lacks that endpoint's permission) is reported for that endpoint and the
//! others are still read.

mod cursor;

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::Value;

use super::{EndpointReport, SyncError};
use crate::cin7::omni::{self, Endpoint, MAX_ROWS, OmniClient, OmniError, normalise};
use crate::clock::Clock;
use crate::model::{Record, System};
use crate::store::{PageWrite, Quarantined, Store};
use cursor::Cursor;

/// How far each window reaches back before the newest change already read: Omni's
/// `modifiedDate` has one-second precision and says nothing of commit order.
pub const OVERLAP: TimeDelta = TimeDelta::minutes(5);

/// Syncs one connection's Cin7 Omni side.
pub struct OmniSync<'a> {
    pub connection: &'a str,
    pub client: &'a OmniClient,
    pub store: &'a Mutex<Store>,
    pub clock: &'a dyn Clock,
    /// The first window reads documents modified since this date.
    pub backfill_from: NaiveDate,
}

impl OmniSync<'_> {
    /// One cycle of every endpoint; each outcome is recorded in `sync_cursors`.
    pub async fn run_once(&self) -> Vec<EndpointReport> {
        let mut reports = Vec::new();
        for endpoint in Endpoint::ALL {
            let mut report = EndpointReport::named(endpoint.as_str());
            let result = self.endpoint(endpoint, &mut report).await;
            let refused = matches!(result, Err(SyncError::Omni(OmniError::BadCredentials { .. })));
            reports.push(self.record(report, result));
            if refused {
                break;
            }
        }
        reports
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        super::lock(self.store)
    }

    fn record(&self, report: EndpointReport, result: Result<(), SyncError>) -> EndpointReport {
        super::finish(self.store, self.connection, System::Cin7, self.clock.now(), report, result)
    }

    /// Where the endpoint's reading stands: its stored cursor, else a closed window at the
    /// start of history.
    fn cursor(&self, endpoint: Endpoint) -> Result<Cursor, SyncError> {
        let stored =
            self.store().endpoint_state(self.connection, System::Cin7, endpoint.as_str())?.cursor;
        match stored {
            Some(text) => Cursor::parse(&text).ok_or_else(|| {
                SyncError::Cursor(format!("{endpoint} cursor {text:?} is not an Omni cursor"))
            }),
            None => {
                Ok(Cursor::Closed(self.backfill_from.and_time(chrono::NaiveTime::MIN).and_utc()))
            }
        }
    }

    /// One endpoint's window, page by page (see the module notes).
    async fn endpoint(
        &self,
        endpoint: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let (closed, from, mut after_id, mut newest, started) = match self.cursor(endpoint)? {
            Cursor::Closed(at) => (at, at - OVERLAP, 0, at, self.clock.now()),
            Cursor::Open { from, after_id, newest, started } => {
                (from + OVERLAP, from, after_id, newest, started)
            }
        };
        let mut seen: HashMap<String, Option<DateTime<Utc>>> = HashMap::new();
        loop {
            let filter = match after_id {
                0 => where_modified_after(from),
                id => format!("{} AND id>{id}", where_modified_after(from)),
            };
            let query = vec![
                ("where", filter),
                ("order", "id asc".to_string()),
                ("page", "1".to_string()),
                ("rows", MAX_ROWS.to_string()),
            ];
            report.calls += 1;
            let values = self.client.list(endpoint.as_str(), &query).await?;
            let last = values.len() < MAX_ROWS;
            let page_last_id = values.iter().filter_map(numeric_id).max();
            if !last && page_last_id.is_none_or(|id| id <= after_id) {
                return Err(SyncError::Parse(format!(
                    "{endpoint}: a full page whose ids do not pass {after_id}; cxsync walks \
                     Omni's lists by numeric id and cannot go on"
                )));
            }
            after_id = page_last_id.map_or(after_id, |id| id.max(after_id));
            let (records, quarantined) = split(endpoint, &values, &mut seen);
            newest = records.iter().filter_map(|(r, _)| r.updated_at).fold(newest, DateTime::max);
            let cursor = if last {
                Cursor::Closed(newest.min(started).max(closed))
            } else {
                Cursor::Open { from, after_id, newest, started }
            };
            self.write(endpoint, records, quarantined, Some(cursor.to_text()), report)?;
            if last {
                return Ok(());
            }
        }
    }

    fn write(
        &self,
        endpoint: Endpoint,
        records: Vec<(Record, String)>,
        quarantined: Vec<Quarantined>,
        cursor: Option<String>,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        super::warn_quarantined(self.connection, endpoint.as_str(), &quarantined);
        let page = PageWrite {
            connection: self.connection,
            system: System::Cin7,
            endpoint: endpoint.as_str(),
            records,
            quarantined,
            cursor,
        };
        let outcome = self.store().write_page(&page, self.clock.now())?;
        report.add(outcome);
        Ok(())
    }
}

/// A page's records normalised one by one, skipping those this window already wrote in the
/// same (or a newer) version.
fn split(
    endpoint: Endpoint,
    values: &[Value],
    seen: &mut HashMap<String, Option<DateTime<Utc>>>,
) -> (Vec<(Record, String)>, Vec<Quarantined>) {
    let mut records = Vec::with_capacity(values.len());
    let mut quarantined = Vec::new();
    for value in values {
        match normalise::record(endpoint, value) {
            Ok(record) => {
                if seen.get(&record.external_id).is_some_and(|known| *known >= record.updated_at) {
                    continue;
                }
                seen.insert(record.external_id.clone(), record.updated_at);
                records.push((record, value.to_string()));
            }
            Err(error) => quarantined.push(Quarantined {
                external_id: normalise::external_id(endpoint, normalise::id_of(value).as_deref())
                    .ok(),
                raw: value.to_string(),
                error: error.to_string(),
            }),
        }
    }
    (records, quarantined)
}

/// A record's id as a number (Omni's ids are integers).
fn numeric_id(value: &Value) -> Option<u64> {
    normalise::id_of(value).and_then(|id| id.parse().ok())
}

/// Omni's change filter: `modifieddate>'2026-11-01T00:00:00Z'` (whole seconds, UTC).
pub fn where_modified_after(at: DateTime<Utc>) -> String {
    format!("modifieddate>'{}'", super::whole_seconds(at))
}

/// Omni's own posting facts of every stored Omni document (see
/// [`crate::model::OmniDocument`]), read again from the raw records. Records that no longer
/// normalise are skipped (they are quarantined when next read).
pub fn omni_documents(
    store: &Store,
    connection: &str,
) -> Result<Vec<crate::model::OmniDocument>, crate::store::StoreError> {
    let mut out = Vec::new();
    for endpoint in Endpoint::ALL {
        for (_, raw) in store.raw_records(connection, System::Cin7, endpoint.as_str())? {
            let Ok(value) = serde_json::from_str::<Value>(&raw) else { continue };
            if let Ok(Some(document)) = omni::normalise::omni_document(endpoint, &value) {
                out.push(document);
            }
        }
    }
    out.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    Ok(out)
}

/// Names each stored Omni payment by the document it pays, as the stored orders say now (see
/// [`crate::cin7::omni::normalise::payment_with`]): an order invoiced after its payment was
/// read, or voided since, changes what the payment is matched with, though the payment
/// record itself did not change. Returns how many payments changed.
pub fn refresh_payments(
    store: &mut Store,
    connection: &str,
) -> Result<usize, crate::store::StoreError> {
    let mut orders = normalise::PaidOrders::default();
    for endpoint in [Endpoint::SalesOrders, Endpoint::PurchaseOrders] {
        for (_, raw) in store.raw_records(connection, System::Cin7, endpoint.as_str())? {
            if let Ok(value) = serde_json::from_str::<Value>(&raw) {
                orders.add(endpoint, &value);
            }
        }
    }
    let payments: Vec<crate::model::Document> = store
        .raw_records(connection, System::Cin7, Endpoint::Payments.as_str())?
        .iter()
        .filter_map(|(_, raw)| serde_json::from_str::<Value>(raw).ok())
        .filter_map(|value| normalise::payment_with(&value, &orders))
        .collect();
    store.update_payment_references(connection, &payments)
}

/// Rebuilds the Cin7-side ledger Omni's stored documents imply (its monthly COGS journals, its
/// bills' debits and its stock adjustments' journals, see [`crate::cin7::omni::ledger`]) and
/// stores it like Cin7 Core's ledger feed, so reconciliation and the report read it the same
/// way. Entries that changed are rewritten, those no longer implied are removed. Without a
/// configured COGS account no COGS is derived; an adjustment without an account to post
/// against (its own, else `accounts.inventory_discrepancy`) is left out and warned about.
/// Returns how many entries are stored.
pub fn refresh_ledger(
    store: &mut Store,
    connection: &str,
    accounts: &crate::config::AccountMap,
    now: DateTime<Utc>,
) -> Result<usize, crate::store::StoreError> {
    use crate::cin7::omni::ledger::{self, LEDGER_ENDPOINT};
    use crate::cin7::omni::models::Transaction;

    let read = |store: &Store, endpoint: Endpoint| -> Result<Vec<Transaction>, _> {
        let raw = store.raw_records(connection, System::Cin7, endpoint.as_str())?;
        Ok::<_, crate::store::StoreError>(
            raw.iter()
                .filter_map(|(_, raw)| serde_json::from_str::<Value>(raw).ok())
                .filter_map(|value| Transaction::read(&value).ok())
                .collect(),
        )
    };
    let inventory = accounts.inventory.trim();
    let mut entries = match accounts.cogs.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(cogs) => {
            let orders = read(store, Endpoint::SalesOrders)?;
            let notes = read(store, Endpoint::CreditNotes)?;
            ledger::cogs_journals(&orders, &notes, cogs, inventory)
        }
        None => Vec::new(),
    };
    entries.extend(ledger::purchase_entries(&read(store, Endpoint::PurchaseOrders)?, inventory));
    let (adjustments, underived) = ledger::adjustment_entries(
        &read(store, Endpoint::Adjustments)?,
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
    let seen: std::collections::HashSet<String> =
        entries.iter().map(|e| e.source_id.clone()).collect();
    let count = entries.len();
    let records = entries
        .into_iter()
        .map(|entry| {
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
                payload: crate::model::Payload::Ledger(entry),
            };
            (record, raw.to_string())
        })
        .collect();
    let page = PageWrite {
        connection,
        system: System::Cin7,
        endpoint: LEDGER_ENDPOINT,
        records,
        quarantined: Vec::new(),
        cursor: None,
    };
    store.write_page(&page, now)?;
    let whole = crate::store::LedgerWindow {
        connection,
        system: System::Cin7,
        endpoint: LEDGER_ENDPOINT,
        from: NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default(),
        seen: Some(&seen),
        cursor: None,
    };
    store.close_ledger_window(&whole)?;
    Ok(count)
}

#[cfg(test)]
mod ledger_tests {
    use serde_json::json;

    use super::*;
    use crate::config::AccountMap;

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

    fn store_orders(store: &mut Store, orders: &[Value]) {
        let records = orders
            .iter()
            .map(|raw| (normalise::record(Endpoint::SalesOrders, raw).unwrap(), raw.to_string()))
            .collect();
        let page = PageWrite {
            connection: "acme",
            system: System::Cin7,
            endpoint: "SalesOrders",
            records,
            quarantined: Vec::new(),
            cursor: None,
        };
        store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
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

    #[test]
    fn omnis_monthly_cogs_is_stored_as_the_cin7_ledger_and_follows_the_orders() {
        let (_dir, mut store) = crate::store::test_store();
        let map = accounts(Some("310"));
        store_orders(
            &mut store,
            &[order(1, "2026-03-05T00:00:00Z", 10.0), order(2, "2026-04-02T00:00:00Z", 5.0)],
        );
        assert_eq!(refresh_ledger(&mut store, "acme", &map, DateTime::UNIX_EPOCH).unwrap(), 2);
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
        refresh_ledger(&mut store, "acme", &map, DateTime::UNIX_EPOCH).unwrap();
        let months: Vec<(String, String)> =
            ledger(&store, &map).into_iter().map(|(id, lines)| (id, lines[0].2.clone())).collect();
        assert_eq!(months, [("omni-ledger/cogs/2026-03".to_string(), "30.0".to_string())]);

        // Without a COGS account there is nothing to post to: the derived ledger is removed.
        let unmapped = accounts(None);
        assert_eq!(refresh_ledger(&mut store, "acme", &unmapped, DateTime::UNIX_EPOCH).unwrap(), 0);
        assert!(ledger(&store, &unmapped).is_empty());
    }
}
