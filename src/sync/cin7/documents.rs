//! Sales and purchases: a list window by `UpdatedSince`, then one detail per new or changed
//! document.
//!
//! Change detection: a fetched detail is stored with its summary's change time (`Updated`,
//! `LastUpdatedDate`) as its raw record's `updated_at`. A summary needs its detail when the
//! store has no record of it, or one older than the summary (compared to the millisecond, the
//! store's precision: Cin7 sends up to seven fractional digits). The overlap re-reads, and a
//! sale listed by both `saleList` and `saleCreditNoteList`, therefore cost no detail call.
//! Details are fetched oldest change first, each written with its records in one
//! transaction; the window's cursor (its newest change time) goes with the last write, so a
//! failure part-way re-reads the window next cycle and skips the details already stored.

use std::collections::BTreeMap;

use chrono::{DateTime, DurationRound as _, TimeDelta, Utc};

use super::lists::Listed;
use super::window::Pages;
use super::{Cin7Sync, OVERLAP, cursor_text, quarantined, since_param};
use crate::cin7::core::Cin7Error;
use crate::cin7::core::normalise::{self, Endpoint, Summary};
use crate::model::System;
use crate::store::Quarantined;
use crate::sync::{EndpointReport, SyncError};

impl Cin7Sync<'_> {
    /// `saleList`, `saleCreditNoteList` or `purchaseList`, and the details behind them.
    pub(super) async fn documents(
        &self,
        list: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let since = match self.time_cursor(list)? {
            Some(cursor) => cursor,
            None => self.history.backfill_from.and_time(chrono::NaiveTime::MIN).and_utc(),
        };
        let filters = vec![("UpdatedSince", since_param(since - OVERLAP))];
        let (summaries, rejected) = self.read_summaries(list, filters, report).await?;
        if !rejected.is_empty() {
            report.add(self.write(list, Vec::new(), rejected, None)?);
        }
        let newest = summaries.values().filter_map(|s| s.updated).max();
        let mut cursor = newest.filter(|n| *n > since).map(cursor_text);
        let mut work = Vec::new();
        for summary in summaries.into_values() {
            if self.needs_detail(&summary)? {
                work.push(summary);
            }
        }
        work.sort_by(|a, b| (a.updated, &a.id).cmp(&(b.updated, &b.id)));
        let count = work.len();
        for (index, summary) in work.iter().enumerate() {
            let closing = if index + 1 == count { cursor.take().map(|c| (list, c)) } else { None };
            self.fetch_detail(summary, closing, report).await?;
        }
        if let Some(cursor) = cursor {
            self.write(list, Vec::new(), Vec::new(), Some(cursor))?;
        }
        Ok(())
    }

    /// The window's summaries by id (the newest of each), and the rows that could not be
    /// read. Read again once when fewer arrived than the list's total.
    async fn read_summaries(
        &self,
        list: Endpoint,
        filters: Vec<(&'static str, String)>,
        report: &mut EndpointReport,
    ) -> Result<(BTreeMap<String, Summary>, Vec<Quarantined>), SyncError> {
        let mut pages = Pages::new(list, filters);
        let mut summaries: BTreeMap<String, Summary> = BTreeMap::new();
        let mut rejected: BTreeMap<String, Quarantined> = BTreeMap::new();
        let mut listed = Listed::default();
        for pass in 1..=2 {
            while let Some(values) = pages.next(self, report).await? {
                for value in &values {
                    listed.add(list, value);
                    match normalise::summary(list, value) {
                        Ok(summary) => match summaries.get(&summary.id) {
                            Some(known) if known.updated >= summary.updated => {}
                            _ => {
                                summaries.insert(summary.id.clone(), summary);
                            }
                        },
                        Err(error) => {
                            let raw = value.to_string();
                            rejected.insert(
                                raw.clone(),
                                Quarantined {
                                    external_id: normalise::id_of(list, value).map(String::from),
                                    raw,
                                    error: error.to_string(),
                                },
                            );
                        }
                    }
                }
            }
            if pass == 1 && pages.short_of_total(listed.distinct()) {
                tracing::info!(connection = self.connection, endpoint = %list, read = listed.distinct(), total = ?pages.total(), "fewer records than the list's total (some moved while it was read): reading the window again");
                pages.again();
            } else {
                if pages.short_of_total(listed.distinct()) {
                    tracing::warn!(connection = self.connection, endpoint = %list, read = listed.distinct(), total = ?pages.total(), "a list read twice still has fewer records than its total; going on with what it returned");
                }
                break;
            }
        }
        Ok((summaries, rejected.into_values().collect()))
    }

    /// Whether the store lacks this document's detail, or holds an older one.
    pub(super) fn needs_detail(&self, summary: &Summary) -> Result<bool, SyncError> {
        let stored = self.store().raw_updated_at(
            self.connection,
            System::Cin7,
            summary.detail.as_str(),
            &summary.id,
        )?;
        Ok(match (stored, summary.updated) {
            (None, _) => true,
            (Some(None), updated) => updated.is_some(),
            (Some(Some(stored)), Some(updated)) => stored < to_millis(updated),
            (Some(Some(_)), None) => false,
        })
    }

    /// Fetches one detail and writes what it became, with the list cursor it closes if any.
    /// A document deleted since it was listed is skipped.
    pub(super) async fn fetch_detail(
        &self,
        summary: &Summary,
        closing: Option<(Endpoint, String)>,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let id = summary.id.clone();
        let query = match summary.detail {
            Endpoint::Sale => vec![("ID", id), ("IncludeTransactions", "true".to_string())],
            Endpoint::Purchase | Endpoint::AdvancedPurchase => vec![("ID", id)],
            _ => vec![("TaskID", id)],
        };
        report.calls += 1;
        let (records, rejected) = match self.client.get(summary.detail.as_str(), &query).await {
            Ok(body) => {
                let detail = normalise::detail(summary.detail, &body, summary.updated);
                (detail.records, detail.rejected.into_iter().map(quarantined).collect())
            }
            Err(Cin7Error::NotFound { .. }) => {
                tracing::warn!(connection = self.connection, endpoint = %summary.detail, id = %summary.id, "listed but not found (deleted since): skipped");
                (Vec::new(), Vec::new())
            }
            Err(err) => return Err(err.into()),
        };
        report.add(self.write_closing(summary.detail, records, rejected, closing)?);
        Ok(())
    }
}

/// An instant at the store's precision (milliseconds), for comparing with a stored one.
fn to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(at)
}
