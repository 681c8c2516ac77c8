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
mod refresh;

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
pub use refresh::{Refresh, refresh};

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
            raw_page: None,
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
