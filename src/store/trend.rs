//! Loading the 30-day variance trend, and a connection's whole report (figures and trend)
//! in one call for the renderers and delivery.
//!
//! The trend reads each side's ledger once (lines to D summed per account and day, see
//! `Store::ledger_days`) and leaves the cumulative sums to [`crate::report::trend`]; it never
//! builds thirty reports.

use chrono::NaiveDate;

use super::{Store, StoreError};
use crate::config::{AccountMap, Connection};
use crate::model::System;
use crate::report::{Report, Trend, XeroDays, XeroSource, compute, mapped, trend, trend_days};

impl Store {
    /// `connection`'s variance per mapped account on each of the 30 days ending on `date`,
    /// counted as the report counts D (same ledger lines, same Xero source, profit-and-loss
    /// accounts from each day's financial-year start). On the trial-balance path a day
    /// without a stored trial balance is a gap.
    pub fn trend(
        &self,
        connection: &str,
        accounts: &AccountMap,
        date: NaiveDate,
    ) -> Result<Trend, StoreError> {
        let id = self.connection_id(connection)?;
        let cin7 = if self.has_ledger(id, System::Cin7)? {
            Some(self.ledger_days(id, System::Cin7, date)?)
        } else {
            None
        };
        let xero = match self.xero_path(connection, id)? {
            XeroSource::Journals => XeroDays::Journals(self.ledger_days(id, System::Xero, date)?),
            XeroSource::TrialBalance => {
                let first = trend_days(date).first().copied().unwrap_or(date);
                XeroDays::TrialBalance(self.trial_balances(id, first, date)?)
            }
            XeroSource::Unavailable => XeroDays::Unavailable,
        };
        Ok(trend(date, &mapped(accounts), self.year_end(id)?, cin7.as_ref(), &xero))
    }

    /// Everything a connection's report for `date` shows: its figures (with the configured
    /// API day limits) and the trend. What delivery calls before
    /// [`crate::report::email`].
    pub fn report_for(
        &self,
        connection: &Connection,
        date: NaiveDate,
    ) -> Result<(Report, Trend), StoreError> {
        let trend = self.trend(&connection.name, &connection.accounts, date)?;
        Ok((self.report(connection, date)?, trend))
    }

    /// A connection's report for `date` (with the configured API day limits), without the
    /// trend: what the text, JSON and CSV renderings and `/metrics` need.
    pub fn report(&self, connection: &Connection, date: NaiveDate) -> Result<Report, StoreError> {
        let input = self
            .report_input(&connection.name, &connection.accounts, connection.timezone, date)?
            .with_daily_limits(connection);
        Ok(compute(&input, date))
    }
}
