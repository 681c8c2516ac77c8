//! Incremental sync of one Xero organisation into the store.
//!
//! Paging strategy (documents): Xero lists are read in `UpdatedDateUTC` order with
//! `If-Modified-Since` set one second below the last committed `UpdatedDateUTC` (Xero's
//! header has one-second precision, so the overlap re-reads at most the last second or two;
//! the store recognises those by content hash). After each page, the next request starts a new
//! window at the page's newest `UpdatedDateUTC` instead of asking for page 2: a record edited
//! while the sync runs moves to the end of the list and can never push an unread record back
//! onto a page already read. Only when a whole page shares the window's start (a bulk edit)
//! does it move on to page 2 of the same window. Each page and the cursor after it commit
//! together, so a crash resumes exactly where the store stands.
//!
//! Journals are read by `offset` (the last committed `JournalNumber`), 100 per call, and
//! committed up to ten pages at a time (`super::batch`), each commit with the cursor of its
//! last page. Xero never changes a journal once written, so each page's raw JSON is kept as
//! one row (`RawPage`) and a journal's lines are only added, never replaced. Without journal
//! access (scope or Xero plan), the endpoint is marked unavailable and the trial balance is
//! read instead.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, DurationRound as _, NaiveDate, Utc};
use serde_json::Value;
use serde_json::value::RawValue;

use super::batch::{BatchLimits, PendingPages};
use super::{EndpointReport, SyncError};
use crate::clock::Clock;
use crate::model::{Payload, Record, System};
use crate::store::{PageWrite, Quarantined, RawPage, Store};
use crate::xero::client::{XeroClient, XeroError};
use crate::xero::normalise::{self, Endpoint};

/// Xero's largest page for paged lists.
pub const PAGE_SIZE: usize = 1000;
/// Journals come 100 per call, always.
pub const JOURNAL_PAGE: usize = 100;
/// How long refused Journals stay unasked.
pub const JOURNALS_REPROBE: chrono::Duration = chrono::Duration::days(7);

/// The endpoints read in order by a full cycle (settings first: accounts must be known
/// before documents that use them are checked).
pub const DOCUMENT_ENDPOINTS: [Endpoint; 5] = [
    Endpoint::Invoices,
    Endpoint::CreditNotes,
    Endpoint::Payments,
    Endpoint::ManualJournals,
    Endpoint::BankTransactions,
];

/// Syncs one connection's Xero side.
pub struct XeroSync<'a> {
    pub connection: &'a str,
    pub client: &'a XeroClient,
    pub store: &'a Mutex<Store>,
    pub clock: &'a dyn Clock,
}

impl XeroSync<'_> {
    /// One cycle: settings, documents, then journals (or the trial balance as at
    /// `trial_balance_date` when journals are unavailable). One endpoint failing does not stop
    /// the others; each outcome is recorded in `sync_cursors`.
    /// `refresh_settings`: read the organisation, accounts and tracking categories too (they
    /// change rarely; the daemon reads them on a slower cadence).
    pub async fn run_once(
        &self,
        trial_balance_date: NaiveDate,
        reread_open: bool,
        refresh_settings: bool,
    ) -> Vec<EndpointReport> {
        let mut reports = Vec::new();
        // Without a token nothing below can work: one clear error instead of one per endpoint.
        // Its outcome is kept in sync_cursors under "auth", so a fixed sign-in clears the error.
        let auth = self.record(
            EndpointReport::named("auth"),
            self.client.authenticate().await.map_err(SyncError::from),
        );
        if auth.error.is_some() {
            reports.push(auth);
            return reports;
        }
        let settings = [Endpoint::Organisation, Endpoint::Accounts, Endpoint::TrackingCategories];
        for endpoint in settings.into_iter().filter(|_| refresh_settings) {
            let mut report = EndpointReport::named(endpoint.as_str());
            let result = self.whole_list(endpoint, &mut report).await;
            reports.push(self.record(report, result));
        }
        let first_read: Vec<Endpoint> = DOCUMENT_ENDPOINTS
            .into_iter()
            .filter(|e| {
                self.store()
                    .endpoint_state(self.connection, System::Xero, e.as_str())
                    .is_ok_and(|s| s.cursor.is_none())
            })
            .collect();
        for endpoint in DOCUMENT_ENDPOINTS {
            let mut report = EndpointReport::named(endpoint.as_str());
            let result = self.paged(endpoint, &mut report).await;
            reports.push(self.record(report, result));
        }
        for endpoint in
            [Endpoint::Invoices, Endpoint::CreditNotes].into_iter().filter(|_| reread_open)
        {
            let mut report = EndpointReport::named(&format!("{endpoint}#open"));
            // Right after the first full read there is nothing to read again: count it as done.
            let result = if first_read.contains(&endpoint) {
                Ok(())
            } else {
                self.reread_open(endpoint, &mut report).await
            };
            reports.push(self.record(report, result));
        }
        let journals = self
            .store()
            .endpoint_state(self.connection, System::Xero, "Journals")
            .unwrap_or_default();
        // Refused journals are asked for again weekly, in case the scope or plan was granted.
        let probe = !journals.available
            && older_than(journals.last_attempt_at.as_deref(), self.clock.now(), JOURNALS_REPROBE);
        let mut use_trial_balance = !journals.available;
        if journals.available || probe {
            let mut report = EndpointReport::named("Journals");
            let result = self.journals(&mut report).await;
            if result.is_ok() && probe {
                tracing::info!(
                    connection = self.connection,
                    "Xero now grants Journals: using them again"
                );
                if let Err(err) = self.store().set_endpoint_available(
                    self.connection,
                    System::Xero,
                    "Journals",
                    true,
                ) {
                    tracing::error!(connection = self.connection, "{err}");
                }
                use_trial_balance = false;
            }
            // Only a 403 says "not granted"; a 401 is a sign-in problem the next cycle reports.
            if let Err(SyncError::Xero(XeroError::Refused { status: status @ 403, .. })) = &result {
                tracing::warn!(
                    connection = self.connection,
                    status,
                    "Xero refused Journals: balances will come from the trial balance"
                );
                if let Err(err) = self.store().set_endpoint_available(
                    self.connection,
                    System::Xero,
                    "Journals",
                    false,
                ) {
                    tracing::error!(connection = self.connection, "{err}");
                }
                use_trial_balance = true;
            }
            reports.push(self.record(report, result));
        }
        if use_trial_balance {
            let mut report = EndpointReport::named("Reports/TrialBalance");
            let result = self.trial_balance(trial_balance_date, &mut report).await;
            reports.push(self.record(report, result));
        }
        reports
    }

    /// Whether the settings lists are due: never read, or last read `interval` ago.
    pub fn settings_due(&self, interval: chrono::Duration) -> bool {
        let last = self
            .store()
            .endpoint_state(self.connection, System::Xero, "Accounts")
            .ok()
            .and_then(|s| s.last_success_at);
        older_than(last.as_deref(), self.clock.now(), interval)
    }

    /// Whether the open-document re-read is due: never done, or last done `interval` ago.
    pub fn reread_due(&self, interval: chrono::Duration) -> bool {
        let last = self
            .store()
            .endpoint_state(self.connection, System::Xero, "Invoices#open")
            .ok()
            .and_then(|s| s.last_success_at);
        older_than(last.as_deref(), self.clock.now(), interval)
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        super::lock(self.store)
    }

    /// Records how an endpoint's sync ended; the report keeps what its committed pages did.
    fn record(&self, report: EndpointReport, result: Result<(), SyncError>) -> EndpointReport {
        super::finish(self.store, self.connection, System::Xero, self.clock.now(), report, result)
    }

    /// Documents, incrementally (see the module notes on paging).
    async fn paged(
        &self,
        endpoint: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let cursor =
            self.store().endpoint_state(self.connection, System::Xero, endpoint.as_str())?.cursor;
        let mut since = cursor.as_deref().map(parse_cursor).transpose()?;
        let mut page = 1;
        loop {
            let mut query = vec![
                ("page", page.to_string()),
                ("pageSize", PAGE_SIZE.to_string()),
                ("order", "UpdatedDateUTC ASC".to_string()),
            ];
            if matches!(
                endpoint,
                Endpoint::Invoices | Endpoint::CreditNotes | Endpoint::BankTransactions
            ) {
                query.push(("unitdp", "4".into()));
            }
            let modified_since = since.map(overlap);
            report.calls += 1;
            let Some(body) =
                self.client.get_body(endpoint.as_str(), &query, modified_since).await?
            else {
                break;
            };
            let ParsedPage { records, quarantined, count, .. } = split_page(endpoint, &body)?;
            let newest = records.iter().filter_map(|(r, _)| r.updated_at).max();
            let advanced = newest.filter(|newest| since.is_none_or(|since| *newest > since));
            let cursor = advanced.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
            report.add(self.write(endpoint.as_str(), records, quarantined, cursor)?);
            if count < PAGE_SIZE {
                break;
            }
            match advanced {
                Some(newest) => {
                    since = Some(newest);
                    page = 1;
                }
                None => page += 1,
            }
        }
        Ok(())
    }

    /// Open (AUTHORISED) documents read again in full: some Xero edits (a payment removed, an
    /// allocation) do not move `UpdatedDateUTC`. The cursor is left alone.
    async fn reread_open(
        &self,
        endpoint: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        for page in 1.. {
            // Invoices take a `Statuses` filter; credit notes only the general `where`.
            let filter = match endpoint {
                Endpoint::Invoices => ("Statuses", "AUTHORISED".to_string()),
                _ => ("where", "Status==\"AUTHORISED\"".to_string()),
            };
            let query = [
                ("page", page.to_string()),
                ("pageSize", PAGE_SIZE.to_string()),
                filter,
                ("unitdp", "4".to_string()),
            ];
            report.calls += 1;
            let Some(body) = self.client.get_body(endpoint.as_str(), &query, None).await? else {
                break;
            };
            let ParsedPage { records, quarantined, count, .. } = split_page(endpoint, &body)?;
            report.add(self.write(endpoint.as_str(), records, quarantined, None)?);
            if count < PAGE_SIZE {
                break;
            }
        }
        Ok(())
    }

    /// Small lists read whole each time (organisation, accounts, tracking categories).
    async fn whole_list(
        &self,
        endpoint: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let query: Vec<(&str, String)> = match endpoint {
            Endpoint::TrackingCategories => vec![("includeArchived", "true".into())],
            _ => vec![],
        };
        report.calls += 1;
        if let Some(body) = self.client.get_body(endpoint.as_str(), &query, None).await? {
            let ParsedPage { records, quarantined, .. } = split_page(endpoint, &body)?;
            report.add(self.write(endpoint.as_str(), records, quarantined, None)?);
        }
        Ok(())
    }

    /// The general ledger by `offset`. Its pages (100 journals) are committed several at a
    /// time (see `batch`); what was fetched is written before this returns, failure or not.
    async fn journals(&self, report: &mut EndpointReport) -> Result<(), SyncError> {
        let mut pending = PendingPages::new(BatchLimits::DEFAULT);
        let read = self.read_journals(&mut pending, report).await;
        let written = self.write_pending(&mut pending, report);
        match (read, written) {
            (Err(err), Err(store)) => {
                tracing::error!(connection = self.connection, "writing journals read: {store}");
                Err(err)
            }
            (read, written) => read.and(written),
        }
    }

    async fn read_journals<'s>(
        &'s self,
        pending: &mut PendingPages<'s>,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let cursor = self.store().endpoint_state(self.connection, System::Xero, "Journals")?.cursor;
        let mut offset: i64 = match cursor {
            Some(text) => text.parse().map_err(|_| {
                SyncError::Cursor(format!("Journals cursor {text:?} is not a journal number"))
            })?,
            None => 0,
        };
        loop {
            report.calls += 1;
            let Some(body) =
                self.client.get_body("Journals", &[("offset", offset.to_string())], None).await?
            else {
                break;
            };
            let ParsedPage { records, quarantined, count, raw_page } =
                split_page(Endpoint::Journals, &body)?;
            // Quarantined journals count too, so one unreadable journal never makes the feed
            // read the same page forever.
            let advanced = raw_page.as_ref().map(|page| page.last_number).filter(|n| *n > offset);
            super::warn_quarantined(self.connection, "Journals", &quarantined);
            let page = PageWrite {
                connection: self.connection,
                system: System::Xero,
                endpoint: "Journals",
                records,
                quarantined,
                cursor: advanced.map(|n| n.to_string()),
                raw_page,
            };
            if pending.push(page) {
                self.write_pending(pending, report)?;
            }
            match advanced {
                Some(n) if count >= JOURNAL_PAGE => offset = n,
                _ => break,
            }
        }
        Ok(())
    }

    /// Writes the pending pages in one transaction, and counts them into the report.
    fn write_pending(
        &self,
        pending: &mut PendingPages<'_>,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let pages = pending.take();
        if pages.is_empty() {
            return Ok(());
        }
        let outcomes = self.store().write_pages(&pages, self.clock.now())?;
        for outcome in outcomes {
            report.add(outcome);
        }
        Ok(())
    }

    async fn trial_balance(
        &self,
        date: NaiveDate,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        report.calls += 1;
        let body = self
            .client
            .get("Reports/TrialBalance", &[("date", date.to_string())], None)
            .await?
            .unwrap_or(Value::Null);
        let rows =
            normalise::trial_balance(&body).map_err(|err| SyncError::Parse(err.to_string()))?;
        report.new = rows.len();
        self.store().write_trial_balance(self.connection, date, &rows, self.clock.now())?;
        Ok(())
    }

    fn write(
        &self,
        endpoint: &str,
        records: Vec<(Record, String)>,
        quarantined: Vec<Quarantined>,
        cursor: Option<String>,
    ) -> Result<crate::store::PageOutcome, SyncError> {
        super::warn_quarantined(self.connection, endpoint, &quarantined);
        let page = PageWrite {
            connection: self.connection,
            system: System::Xero,
            endpoint,
            records,
            quarantined,
            cursor,
            raw_page: None,
        };
        Ok(self.store().write_page(&page, self.clock.now())?)
    }
}

/// A response page's records parsed one by one.
struct ParsedPage {
    /// Readable records with their raw JSON, as Xero sent it.
    records: Vec<(Record, String)>,
    quarantined: Vec<Quarantined>,
    /// How many records the page held, to know whether it was the last.
    count: usize,
    /// Journals only: the page's raw JSON row, keyed by the lowest and highest
    /// `JournalNumber` of its records, quarantined ones included. A page without a single
    /// `JournalNumber` (never seen from Xero) has no key for that row: `None`, and its
    /// journals get a raw row each.
    raw_page: Option<RawPage>,
}

/// Reads a page once, straight into records (no `Value` tree; see
/// [`normalise::normalise_raw`]); a record that cannot be read is quarantined with its error.
fn split_page(endpoint: Endpoint, body: &[u8]) -> Result<ParsedPage, SyncError> {
    let raws = normalise::raw_records(endpoint, body).map_err(|err| match err {
        normalise::PageError::NotJson(err) => {
            SyncError::from(XeroError::not_json(endpoint.as_str(), &err, body))
        }
        normalise::PageError::Shape(err) => SyncError::Parse(err.to_string()),
    })?;
    let mut read = Vec::with_capacity(raws.len());
    let mut quarantined = Vec::new();
    let mut numbers = Vec::new();
    for raw in &raws {
        match normalise::normalise_raw(endpoint, raw) {
            Ok(record) => {
                if let Payload::Ledger(entry) = &record.payload {
                    numbers.extend(entry.journal_number);
                }
                read.push((record, *raw));
            }
            Err(err) => {
                let value = serde_json::from_str::<Value>(raw.get()).ok();
                let field = |name: &str| value.as_ref().and_then(|v| v.get(name));
                numbers.extend(field("JournalNumber").and_then(Value::as_i64));
                quarantined.push(Quarantined {
                    external_id: field(endpoint.id_field())
                        .and_then(Value::as_str)
                        .map(String::from),
                    raw: raw.get().to_owned(),
                    error: err.to_string(),
                });
            }
        }
    }
    let raw_page = match (endpoint, numbers.iter().min(), numbers.iter().max()) {
        (Endpoint::Journals, Some(&first_number), Some(&last_number)) => {
            Some(RawPage { first_number, last_number, body: json_array(&raws) })
        }
        _ => None,
    };
    // A record whose text is in the page row needs no copy of its own.
    let text =
        |raw: &RawValue| if raw_page.is_some() { String::new() } else { raw.get().to_owned() };
    let records = read.into_iter().map(|(record, raw)| (record, text(raw))).collect();
    Ok(ParsedPage { records, quarantined, count: raws.len(), raw_page })
}

/// Records' texts joined into one JSON array, each kept exactly as it was.
fn json_array(raws: &[&RawValue]) -> String {
    let mut array =
        String::with_capacity(raws.iter().map(|raw| raw.get().len() + 1).sum::<usize>() + 2);
    array.push('[');
    for (index, raw) in raws.iter().enumerate() {
        if index > 0 {
            array.push(',');
        }
        array.push_str(raw.get());
    }
    array.push(']');
    array
}

/// Whether a stored timestamp is missing, unreadable, or at least `age` before `now`.
fn older_than(stored: Option<&str>, now: DateTime<Utc>, age: chrono::Duration) -> bool {
    stored
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_none_or(|t| now - t.with_timezone(&Utc) >= age)
}

/// `If-Modified-Since` for a window starting at `since`: whole seconds, one second earlier.
fn overlap(since: DateTime<Utc>) -> DateTime<Utc> {
    since.duration_trunc(chrono::TimeDelta::seconds(1)).unwrap_or(since) - Duration::from_secs(1)
}

fn parse_cursor(text: &str) -> Result<DateTime<Utc>, SyncError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| SyncError::Cursor(format!("cursor {text:?} is not a timestamp")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlap_starts_one_whole_second_earlier() {
        let since =
            DateTime::parse_from_rfc3339("2026-11-25T10:00:05.750Z").unwrap().with_timezone(&Utc);
        assert_eq!(overlap(since).to_rfc3339(), "2026-11-25T10:00:04+00:00");
    }
}
