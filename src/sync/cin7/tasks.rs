//! Stock adjustments, stock transfers and finished goods: no change filter exists, so each
//! list is read whole every cycle and each row compared with the row stored last time.
//!
//! A row is stored (raw only, under the list endpoint) after its detail is written, so a
//! crash between the two fetches the detail again rather than never. A row identical to the
//! stored one (its whole JSON: status, dates, account, number, reference) costs nothing; a new
//! or different one costs exactly one detail call. A task Cin7 edits without changing its list
//! row is not seen until the row changes; the list rows carry every field the ledger depends
//! on (status, effective or completion date, account).

use std::collections::BTreeMap;

use serde_json::Value;

use super::lists::Listed;
use super::window::Pages;
use super::{Cin7Sync, split};
use crate::cin7::core::normalise::{self, Endpoint, Summary};
use crate::model::System;
use crate::store::Quarantined;
use crate::sync::{EndpointReport, SyncError};

impl Cin7Sync<'_> {
    /// One stock task list and the details of its new or changed rows.
    pub(super) async fn tasks(
        &self,
        list: Endpoint,
        report: &mut EndpointReport,
    ) -> Result<(), SyncError> {
        let mut pages = Pages::new(list, Vec::new());
        let mut rows: BTreeMap<String, (Summary, Value)> = BTreeMap::new();
        let mut rejected: BTreeMap<String, Quarantined> = BTreeMap::new();
        let mut listed = Listed::default();
        for pass in 1..=2 {
            while let Some(values) = pages.next(self, report).await? {
                for value in values {
                    listed.add(list, &value);
                    match normalise::summary(list, &value) {
                        Ok(summary) => {
                            rows.insert(summary.id.clone(), (summary, value));
                        }
                        Err(error) => {
                            let raw = value.to_string();
                            rejected.insert(
                                raw.clone(),
                                Quarantined {
                                    external_id: normalise::id_of(list, &value).map(String::from),
                                    raw,
                                    error: error.to_string(),
                                },
                            );
                        }
                    }
                }
            }
            if pass == 1 && pages.short_of_total(listed.distinct()) {
                tracing::info!(connection = self.connection, endpoint = %list, read = listed.distinct(), total = ?pages.total(), "fewer tasks than the list's total: reading the list again");
                pages.again();
            } else {
                break;
            }
        }
        if !rejected.is_empty() {
            report.add(self.write(list, Vec::new(), rejected.into_values().collect(), None)?);
        }
        for (id, (summary, row)) in rows {
            let text = row.to_string();
            let stored =
                self.store().raw_json(self.connection, System::Cin7, list.as_str(), &id)?;
            if stored.as_deref() == Some(text.as_str()) {
                report.unchanged += 1;
                continue;
            }
            self.fetch_detail(&summary, None, report).await?;
            let (records, quarantined) = split(list, std::slice::from_ref(&row));
            self.write(list, records, quarantined, None)?;
        }
        Ok(())
    }
}
