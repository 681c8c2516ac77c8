//! Incremental sync of one Cin7 Core account into the store.
//!
//! Cin7 Core lists come in no particular order, so a page number is not a position to resume
//! from and a window's newest change time is only known once the whole window is read. Every
//! list is therefore read *whole* under fixed filters, page after page until a short page or
//! the `Total` is reached, and de-duplicated by id. When fewer distinct records arrived than
//! `Total` promised (a record moved between pages while they were read), the window is read
//! once more and merged. Only then is the cursor advanced, by the window's final write (earlier
//! writes carry none), so a crash re-reads the window and never skips it.
//!
//! Per endpoint:
//! - `ref/account`: read whole every cycle.
//! - `product`: by `ModifiedSince` (the newest `LastModifiedOn` read, minus [`OVERLAP`]); the
//!   first cycle reads every product.
//! - `saleList`, `saleCreditNoteList`, `purchaseList`: by `UpdatedSince` (the newest change
//!   time read, minus [`OVERLAP`]; the first cycle starts at `cin7.backfill_from`). A
//!   document's detail is fetched only when the store has none or the stored change time is
//!   older than the summary's, to the millisecond: the overlap, and a sale listed by both sale
//!   lists, cost no detail call. See `documents.rs`.
//! - Stock adjustments, transfers, finished goods: no change filter exists, so the lists are
//!   read whole and each row is compared with the row stored last time; only a new or changed
//!   row costs a detail call. See `tasks.rs`.
//! - `transactions` (the ledger): by effective-date window, pruning entries a window no longer
//!   returns. See `ledger.rs`.
//!
//! Every call is counted in the endpoint's [`EndpointReport::calls`].

mod documents;
mod ledger;
mod lists;
mod tasks;
mod window;

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::Value;

use super::whole_seconds as since_param;
use super::{EndpointReport, SyncError};
use crate::cin7::core::normalise::{self, Endpoint, Rejected};
use crate::cin7::core::{Cin7Error, CoreClient};
use crate::clock::{Clock, timestamp};
use crate::config::Cin7Settings;
use crate::model::{Record, System};
use crate::store::{PageOutcome, PageWrite, Quarantined, Store};

/// How far each `UpdatedSince` / `ModifiedSince` window reaches back before the newest change
/// already read: Cin7 does not say how its change times relate to commit order, so records
/// committed late with an earlier time are still caught. Records read again cost no detail.
pub const OVERLAP: TimeDelta = TimeDelta::minutes(5);

/// The whole ledger from `cin7.backfill_from` is read again this often, besides the trailing
/// window read every cycle, because effective dates can be back-dated beyond it.
pub const FULL_LEDGER_EVERY: TimeDelta = TimeDelta::days(7);

/// The stock task lists, in the order a cycle reads them.
pub const TASK_LISTS: [Endpoint; 3] =
    [Endpoint::StockAdjustmentList, Endpoint::StockTransferList, Endpoint::FinishedGoodsList];

/// Where history starts and how much of the ledger is read again each cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct History {
    /// The first cycle reads documents updated since, and the ledger from, this date.
    pub backfill_from: NaiveDate,
    /// Days of ledger read again every cycle.
    pub reread_days: u32,
}

impl History {
    /// From a connection's settings, with `today` for the default start (two years back).
    pub fn from_settings(settings: &Cin7Settings, today: NaiveDate) -> Self {
        Self { backfill_from: settings.backfill_from(today), reread_days: settings.reread_days }
    }
}

/// Syncs one connection's Cin7 Core side.
pub struct Cin7Sync<'a> {
    pub connection: &'a str,
    pub client: &'a CoreClient,
    pub store: &'a Mutex<Store>,
    pub clock: &'a dyn Clock,
    pub history: History,
    /// Read the chart of accounts and products this cycle.
    pub refresh_settings: bool,
}

impl Cin7Sync<'_> {
    /// One cycle: accounts and products, sales, purchases, stock tasks, then the ledger. One
    /// endpoint failing does not stop the others (refused credentials do: every call would be
    /// refused); each outcome is recorded in `sync_cursors`.
    pub async fn run_once(&self) -> Vec<EndpointReport> {
        let mut reports = Vec::new();
        // The chart of accounts and products change rarely: read on the slower cadence.
        let settings =
            [Endpoint::Accounts, Endpoint::Products].into_iter().filter(|_| self.refresh_settings);
        let steps = settings
            .chain([Endpoint::SaleList, Endpoint::SaleCreditNoteList, Endpoint::PurchaseList])
            .chain(TASK_LISTS)
            .chain([Endpoint::Transactions]);
        for endpoint in steps {
            let mut report = EndpointReport::named(endpoint.as_str());
            let result = match endpoint {
                Endpoint::Accounts => self.accounts(&mut report).await,
                Endpoint::Products => self.products(&mut report).await,
                Endpoint::SaleList | Endpoint::SaleCreditNoteList | Endpoint::PurchaseList => {
                    self.documents(endpoint, &mut report).await
                }
                Endpoint::Transactions => self.ledger(&mut report).await,
                list => self.tasks(list, &mut report).await,
            };
            let refused = matches!(result, Err(SyncError::Cin7(Cin7Error::BadCredentials { .. })));
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

    /// Records how an endpoint's sync ended; the report keeps what its committed pages did.
    fn record(&self, report: EndpointReport, result: Result<(), SyncError>) -> EndpointReport {
        super::finish(self.store, self.connection, System::Cin7, self.clock.now(), report, result)
    }

    /// The stored cursor of `endpoint`, read as a change time.
    fn time_cursor(&self, endpoint: Endpoint) -> Result<Option<DateTime<Utc>>, SyncError> {
        let cursor =
            self.store().endpoint_state(self.connection, System::Cin7, endpoint.as_str())?.cursor;
        cursor
            .map(|text| {
                DateTime::parse_from_rfc3339(&text).map(|t| t.to_utc()).map_err(|_| {
                    SyncError::Cursor(format!("{endpoint} cursor {text:?} is not a timestamp"))
                })
            })
            .transpose()
    }

    /// Writes one page of records, its rejects and (last of a window) the cursor.
    fn write(
        &self,
        endpoint: Endpoint,
        records: Vec<(Record, String)>,
        quarantined: Vec<Quarantined>,
        cursor: Option<String>,
    ) -> Result<PageOutcome, SyncError> {
        self.write_closing(endpoint, records, quarantined, cursor.map(|c| (endpoint, c)))
    }

    /// Writes one page of `endpoint` and, in the same transaction, the cursor of the list
    /// window it closes (its own, or a list's for a detail).
    fn write_closing(
        &self,
        endpoint: Endpoint,
        records: Vec<(Record, String)>,
        quarantined: Vec<Quarantined>,
        closing: Option<(Endpoint, String)>,
    ) -> Result<PageOutcome, SyncError> {
        super::warn_quarantined(self.connection, endpoint.as_str(), &quarantined);
        let mut page = PageWrite {
            connection: self.connection,
            system: System::Cin7,
            endpoint: endpoint.as_str(),
            records,
            quarantined,
            cursor: None,
            raw_page: None,
        };
        let now = self.clock.now();
        Ok(match closing {
            Some((list, cursor)) if list == endpoint => {
                page.cursor = Some(cursor);
                self.store().write_page(&page, now)?
            }
            Some((list, cursor)) => {
                self.store().write_page_closing(&page, list.as_str(), &cursor, now)?
            }
            None => self.store().write_page(&page, now)?,
        })
    }
}

/// A list page's elements normalised one by one (no details behind them).
fn split(endpoint: Endpoint, values: &[Value]) -> (Vec<(Record, String)>, Vec<Quarantined>) {
    let mut records = Vec::with_capacity(values.len());
    let mut quarantined = Vec::new();
    for value in values {
        match normalise::list_record(endpoint, value) {
            Ok(record) => records.push((record, value.to_string())),
            Err(error) => quarantined.push(Quarantined {
                external_id: normalise::id_of(endpoint, value).map(String::from),
                raw: value.to_string(),
                error: error.to_string(),
            }),
        }
    }
    (records, quarantined)
}

/// A normaliser reject as the store keeps it.
fn quarantined(rejected: Rejected) -> Quarantined {
    Quarantined {
        external_id: rejected.external_id,
        raw: rejected.raw,
        error: rejected.error.to_string(),
    }
}

/// A change time as the cursor keeps it (the store's timestamp format).
fn cursor_text(at: DateTime<Utc>) -> String {
    timestamp(at)
}
