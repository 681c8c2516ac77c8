//! The `transactions` ledger feed, by effective-date window.
//!
//! Effective dates can be back-dated, and rows have no id or change time, so the feed is
//! re-read rather than followed:
//! - A *full read* from `cin7.backfill_from` to a year ahead (future-dated postings) runs the
//!   first time (the backfill) and then once every [`super::FULL_LEDGER_EVERY`]; its cursor is
//!   the date it last completed.
//! - Every other cycle reads the trailing window of `cin7.reread_days` (to a year ahead).
//!
//! A window is read whole and each page written as it arrives (an unchanged row costs a hash
//! comparison). Rows are known by task, date, content and occurrence (see
//! [`normalise::ledger_key`]), so a row Cin7 changed or moved arrives under a new id; once the
//! window is read whole, the entries it no longer returns are removed and the cursor set, in
//! one transaction. A window that returned fewer rows than its `Total` (rows moved between
//! pages) removes nothing: a row missed is not a row deleted.
//!
//! `FromDate` and `ToDate` are sent a day wider than the window: the API calls them "more
//! than" and "less than" without saying whether the bounds are included.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};

use super::window::Pages;
use super::{Cin7Sync, FULL_LEDGER_EVERY};
use crate::cin7::core::normalise::{self, Endpoint};
use crate::model::System;
use crate::store::{LedgerWindow, Quarantined};
use crate::sync::{EndpointReport, SyncError};

/// How far past today every window reaches, for postings dated in the future.
const AHEAD: Days = Days::new(366);

impl Cin7Sync<'_> {
    /// This cycle's window of the ledger: the full read when it is due, else the trailing one.
    pub(super) async fn ledger(&self, report: &mut EndpointReport) -> Result<(), SyncError> {
        let endpoint = Endpoint::Transactions;
        let today = self.clock.now().date_naive();
        let cursor =
            self.store().endpoint_state(self.connection, System::Cin7, endpoint.as_str())?.cursor;
        let last_full = cursor
            .map(|text| {
                text.parse::<NaiveDate>().map_err(|_| {
                    SyncError::Cursor(format!("{endpoint} cursor {text:?} is not a date"))
                })
            })
            .transpose()?;
        let full_due = last_full.is_none_or(|day| today - day >= FULL_LEDGER_EVERY);
        let to = today.checked_add_days(AHEAD).unwrap_or(today);
        if full_due {
            tracing::info!(connection = self.connection, from = %self.history.backfill_from, "reading the whole Cin7 ledger");
            self.ledger_window(self.history.backfill_from, to, Some(today.to_string()), report)
                .await
        } else {
            let days = Days::new(u64::from(self.history.reread_days));
            let from = today.checked_sub_days(days).unwrap_or(today);
            self.ledger_window(from.max(self.history.backfill_from), to, None, report).await
        }
    }

    /// Reads `[from, to]` whole, then prunes and sets `cursor` (see the module notes).
    async fn ledger_window(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        cursor: Option<String>,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let endpoint = Endpoint::Transactions;
        let day = Days::new(1);
        let filters = vec![
            ("FromDate", from.checked_sub_days(day).unwrap_or(from).to_string()),
            ("ToDate", to.checked_add_days(day).unwrap_or(to).to_string()),
        ];
        let mut pages = Pages::new(endpoint, filters);
        let mut occurrences: HashMap<String, usize> = HashMap::new();
        let mut seen: HashSet<String> = HashSet::new();
        while let Some(values) = pages.next(self, report).await? {
            let mut records = Vec::with_capacity(values.len());
            let mut quarantined = Vec::new();
            for value in &values {
                let key = normalise::ledger_key(value);
                let occurrence = occurrences.entry(key.clone()).or_default();
                let id = normalise::ledger_id(&key, *occurrence);
                *occurrence += 1;
                seen.insert(id.clone());
                match normalise::ledger_row(value, &id) {
                    Ok(record) => records.push((record, value.to_string())),
                    Err(error) => quarantined.push(Quarantined {
                        external_id: Some(id),
                        raw: value.to_string(),
                        error: error.to_string(),
                    }),
                }
            }
            report.add(self.write(endpoint, records, quarantined, None)?);
        }
        let complete = !pages.short_of_total(seen.len());
        if !complete {
            tracing::warn!(connection = self.connection, read = seen.len(), total = ?pages.total(), "the ledger window returned fewer rows than its total: nothing is removed this time");
        }
        let window = LedgerWindow {
            connection: self.connection,
            system: System::Cin7,
            endpoint: endpoint.as_str(),
            from,
            to,
            seen: complete.then_some(&seen),
            cursor,
        };
        let removed = self.store().close_ledger_window(&window)?;
        if removed > 0 {
            tracing::info!(
                connection = self.connection,
                removed,
                "ledger entries Cin7 no longer returns were removed"
            );
        }
        Ok(())
    }
}
