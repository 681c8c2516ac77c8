//! Reading one list window page by page: `Page`/`Limit` under fixed filters, until a short
//! page or the `Total` is reached.

use serde_json::Value;

use super::Cin7Sync;
use crate::cin7::core::normalise::{self, Endpoint};
use crate::sync::{EndpointReport, SyncError};

/// The pages of one list window, read in turn with [`Pages::next`].
#[derive(Debug)]
pub(super) struct Pages {
    endpoint: Endpoint,
    filters: Vec<(&'static str, String)>,
    page: usize,
    /// Records read in this pass.
    read: usize,
    /// The list's size, as the last page said.
    total: Option<usize>,
    done: bool,
}

impl Pages {
    pub(super) fn new(endpoint: Endpoint, filters: Vec<(&'static str, String)>) -> Self {
        Self { endpoint, filters, page: 0, read: 0, total: None, done: false }
    }

    /// The next page's records, or `None` after the last. Every call is counted in `report`.
    pub(super) async fn next(
        &mut self,
        sync: &Cin7Sync<'_>,
        report: &mut EndpointReport,
    ) -> Result<Option<Vec<Value>>, SyncError> {
        if self.done {
            return Ok(None);
        }
        self.page += 1;
        let limit = self.endpoint.page_limit();
        let mut query = vec![("Page", self.page.to_string()), ("Limit", limit.to_string())];
        query.extend(self.filters.iter().cloned());
        report.calls += 1;
        let mut body = sync.client.get(self.endpoint.as_str(), &query).await?;
        self.total = normalise::total(&body).or(self.total);
        let records = match normalise::records(self.endpoint, &body) {
            Ok(_) => match body.get_mut(self.endpoint.collection_key()).map(Value::take) {
                Some(Value::Array(records)) => records,
                _ => Vec::new(),
            },
            // An empty list may come without its array.
            Err(_) if self.total == Some(0) => Vec::new(),
            Err(err) => return Err(SyncError::Parse(err.to_string())),
        };
        self.read += records.len();
        self.done = records.len() < limit || self.total.is_some_and(|total| self.read >= total);
        Ok(Some(records))
    }

    /// Whether `distinct` records are fewer than the list's `Total`: some moved between pages
    /// while they were read.
    pub(super) fn short_of_total(&self, distinct: usize) -> bool {
        self.total.is_some_and(|total| distinct < total)
    }

    /// Starts a second pass over the same window.
    pub(super) fn again(&mut self) {
        self.page = 0;
        self.read = 0;
        self.done = false;
    }

    pub(super) fn total(&self) -> Option<usize> {
        self.total
    }
}
