//! Pages fetched but not yet written, so that a feed of small pages (Xero's Journals come 100
//! at a time) commits several pages in one transaction instead of one each.
//!
//! Each commit holds exactly the pages whose cursors it writes (in order, each page with its
//! own cursor, the last one winning), so the stored cursor is never ahead of the stored rows
//! and never behind them. A crash or failure before a commit loses only pages not yet
//! committed, whose cursor was not committed either: they are read again on the next run.
//! The caller writes what is pending before it returns, on success and on failure alike.

use std::time::{Duration, Instant};

use crate::store::PageWrite;

/// When pending pages are due to be written: whichever bound comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// Pages in one commit.
    pub pages: usize,
    /// Records in one commit (a page of 1,000 documents is written on its own).
    pub records: usize,
    /// How long the oldest pending page may wait for its commit.
    pub age: Duration,
}

impl BatchLimits {
    /// Ten pages, 1,000 records or ten seconds: ten Journals pages, one document page. At
    /// Xero's pace (57 calls a minute) ten pages take about ten seconds, so a crash costs at
    /// most ten calls again, and readers see the feed at most about ten seconds behind.
    pub const DEFAULT: Self = Self { pages: 10, records: 1000, age: Duration::from_secs(10) };
}

/// Pages waiting for their commit.
#[derive(Debug)]
pub struct PendingPages<'a> {
    limits: BatchLimits,
    pages: Vec<PageWrite<'a>>,
    records: usize,
    oldest: Option<Instant>,
}

impl<'a> PendingPages<'a> {
    pub fn new(limits: BatchLimits) -> Self {
        Self { limits, pages: Vec::new(), records: 0, oldest: None }
    }

    /// Adds a fetched page; returns whether the pending pages are now due to be written.
    pub fn push(&mut self, page: PageWrite<'a>) -> bool {
        self.records += page.records.len() + page.quarantined.len();
        self.oldest.get_or_insert_with(Instant::now);
        self.pages.push(page);
        self.pages.len() >= self.limits.pages
            || self.records >= self.limits.records
            || self.oldest.is_some_and(|t| t.elapsed() >= self.limits.age)
    }

    /// The pending pages, in the order fetched, leaving none.
    pub fn take(&mut self) -> Vec<PageWrite<'a>> {
        self.records = 0;
        self.oldest = None;
        std::mem::take(&mut self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::System;

    fn page(records: usize) -> PageWrite<'static> {
        let record = crate::model::Record {
            external_id: "x".into(),
            updated_at: None,
            payload: crate::model::Payload::RawOnly,
        };
        PageWrite::records("acme", System::Xero, "Journals", vec![(record, "{}".into()); records])
    }

    #[test]
    fn pages_are_due_at_whichever_bound_comes_first() {
        let limits = BatchLimits { pages: 3, records: 250, age: Duration::from_hours(1) };
        let mut pending = PendingPages::new(limits);
        assert!(!pending.push(page(100)));
        assert!(!pending.push(page(100)));
        assert!(pending.push(page(10)), "three pages");
        assert_eq!(pending.take().len(), 3);
        assert!(!pending.push(page(100)), "taking them starts a new count");
        assert!(pending.push(page(150)), "250 records");
        assert_eq!(pending.take().len(), 2);
        let mut aged = PendingPages::new(BatchLimits { age: Duration::ZERO, ..limits });
        assert!(aged.push(page(1)), "the oldest page waited long enough");
    }
}
