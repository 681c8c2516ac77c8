//! Lists without details: the chart of accounts (read whole) and products (by
//! `ModifiedSince`).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::window::Pages;
use super::{Cin7Sync, OVERLAP, cursor_text, since_param, split};
use crate::cin7::core::normalise::Endpoint;
use crate::sync::{EndpointReport, SyncError};

impl Cin7Sync<'_> {
    /// `ref/account`, read whole every cycle.
    pub(super) async fn accounts(&self, report: &mut EndpointReport) -> Result<(), SyncError> {
        let endpoint = Endpoint::Accounts;
        let mut pages = Pages::new(endpoint, Vec::new());
        while let Some(values) = pages.next(self, report).await? {
            let (records, quarantined) = split(endpoint, &values);
            report.add(self.write(endpoint, records, quarantined, None)?);
        }
        Ok(())
    }

    /// `product` modified since the last window's newest `LastModifiedOn` (all of them the
    /// first time). Pages are written as they come, de-duplicated by id; the cursor follows
    /// once the window is read whole.
    pub(super) async fn products(&self, report: &mut EndpointReport) -> Result<(), SyncError> {
        let endpoint = Endpoint::Products;
        let since = self.time_cursor(endpoint)?;
        let filters = since.map(|s| vec![("ModifiedSince", since_param(s - OVERLAP))]);
        let mut pages = Pages::new(endpoint, filters.unwrap_or_default());
        let mut seen: HashMap<String, Option<DateTime<Utc>>> = HashMap::new();
        let mut listed = Listed::default();
        let mut newest = since;
        for pass in 1..=2 {
            while let Some(values) = pages.next(self, report).await? {
                for value in &values {
                    listed.add(endpoint, value);
                }
                let (mut records, quarantined) = split(endpoint, &values);
                // Keep a product once per window, in its newest version.
                records.retain(|(record, _)| match seen.get(&record.external_id) {
                    Some(known) if *known >= record.updated_at => false,
                    _ => {
                        seen.insert(record.external_id.clone(), record.updated_at);
                        true
                    }
                });
                newest = records.iter().filter_map(|(r, _)| r.updated_at).chain(newest).max();
                report.add(self.write(endpoint, records, quarantined, None)?);
            }
            if pass == 1 && pages.short_of_total(listed.distinct()) {
                tracing::info!(connection = self.connection, %endpoint, read = listed.distinct(), total = ?pages.total(), "fewer products than the list's total: reading the window again");
                pages.again();
            } else {
                break;
            }
        }
        if let Some(newest) = newest.filter(|n| since.is_none_or(|s| n > &s)) {
            self.write(endpoint, Vec::new(), Vec::new(), Some(cursor_text(newest)))?;
        }
        Ok(())
    }
}

/// The distinct records a window listed, readable or not.
#[derive(Debug, Default)]
pub(super) struct Listed {
    ids: HashSet<String>,
    without_id: usize,
}

impl Listed {
    pub(super) fn add(&mut self, endpoint: Endpoint, value: &serde_json::Value) {
        match crate::cin7::core::normalise::id_of(endpoint, value) {
            Some(id) => {
                self.ids.insert(id.to_string());
            }
            None => self.without_id += 1,
        }
    }

    pub(super) fn distinct(&self) -> usize {
        self.ids.len() + self.without_id
    }
}
