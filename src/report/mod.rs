//! The daily variance report: per connection and report date D, for each mapped control
//! account, how far Cin7 and Xero disagree, how much of that the open findings explain (by
//! kind), and which findings are new or resolved since the previous report.
//!
//! Pure: no I/O, no clock. The store builds a [`ReportInput`] (`Store::report_input`),
//! [`compute`] turns it into a [`Report`], and `render` prints it as text, JSON or CSV. The
//! store also builds the 30-day [`Trend`] (`Store::trend`); [`email`] turns a report and its
//! trend into an [`Email`] (subject, text, HTML, the chart as an inline PNG) and [`html`] into
//! a stand-alone page. `Store::report_for` loads a connection's report and trend in one call.
//!
//! Sign conventions (DESIGN.md): every balance is **debit positive, credit negative**, on
//! both sides. An asset such as inventory normally shows positive balances; a credit-balance
//! account such as GRNI (goods received, not invoiced) or revenue shows negative balances in
//! Cin7 *and* in Xero. `variance = cin7_balance − xero_balance`, so a positive variance means
//! Cin7 holds more debit (or less credit) on that account than Xero.
//!
//! Balance-sheet accounts (inventory, GRNI, stock in transit, WIP, supplier deposits) are
//! compared as cumulative balances to D; profit-and-loss accounts (COGS, revenue, inventory
//! discrepancy) from the start of the Xero financial year containing D, which is what Xero's
//! trial balance shows for them.
//!
//! A finding's `amount` is the debit-positive amount posted by the side that holds the
//! record, so a record only Cin7 holds explains `+amount` of the variance on its
//! `account_code`, one only Xero holds `−amount` (see [`contribution`]); `unexplained =
//! variance − Σ explained`.
//!
//! Below the accounts the report carries a few operational figures: the open
//! `timing_difference` findings, Xero fair-use (invoices and bills a month, see `budget.rs`)
//! and the API calls of the last 24 hours against the configured day limits.
//!
//! Architecture:
//! - this file: the input and output types.
//! - `compute`: [`compute`], the arithmetic.
//! - `budget`: fair-use and API-budget arithmetic.
//! - `trend`: the 30-day variance [`Trend`] from daily ledger sums.
//! - `render`: [`render`] to text, JSON (the command-line contract) and CSV.
//! - `chart`: the trend as a PNG ([`chart::png`]).
//! - `html`: the HTML email ([`email`], [`html`]) from `templates/`.

mod budget;
pub mod chart;
mod compute;
mod email;
#[cfg(test)]
mod fixture;
mod html;
mod render;
mod trend;

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::config::{AccountMap, Connection};

pub use crate::amount::money;
pub use budget::{
    ApiBudget, CallCount, FAIR_USE_TIERS, FairUse, MonthCount, SystemBudget, api_budget, fair_use,
    quarter_start,
};
pub use compute::{FIX_FIRST, compute, contribution};
pub use email::{Email, InlineImage};
pub use html::{email, grouped, headline, html, subject};
pub use render::{Format, render};
pub use trend::{LedgerDays, TREND_DAYS, Trend, TrendSeries, XeroDays, trend, trend_days};

/// The roles whose accounts are profit and loss: compared from the financial year's start.
pub const PROFIT_AND_LOSS_ROLES: [&str; 3] = ["cogs", "revenue", "inventory_discrepancy"];

/// `(role, code)` of every mapped control account, in [`AccountMap::roles`] order, codes
/// trimmed, unmapped (absent or blank) roles left out.
pub fn mapped(accounts: &AccountMap) -> Vec<(&'static str, &str)> {
    accounts
        .roles()
        .into_iter()
        .filter_map(|(role, code)| Some((role, code?.trim())))
        .filter(|(_, code)| !code.is_empty())
        .collect()
}

/// The first day of the financial year that contains `date`, for a year ending on `end_day`
/// of `end_month` (Xero's `FinancialYearEndDay`/`Month`; a day past the month's end means its
/// last day). `None` when the month or day is not a calendar one.
pub fn financial_year_start(date: NaiveDate, end_day: u32, end_month: u32) -> Option<NaiveDate> {
    if end_day == 0 || end_day > 31 {
        return None;
    }
    let year_end = |year: i32| {
        (1..=end_day).rev().find_map(|day| NaiveDate::from_ymd_opt(year, end_month, day))
    };
    let this_year = year_end(date.year())?;
    let previous_end = if date <= this_year { year_end(date.year() - 1)? } else { this_year };
    previous_end.succ_opt()
}

/// Where a report's Xero balances came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XeroSource {
    /// The sum of Xero Journals lines dated on or before D.
    Journals,
    /// Xero refused Journals; the trial balance stored as at D.
    TrialBalance,
    /// Neither: Journals are not synced (or refused) and no trial balance as at D is stored.
    Unavailable,
}

impl XeroSource {
    /// The code used in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Journals => "journals",
            Self::TrialBalance => "trial_balance",
            Self::Unavailable => "none",
        }
    }

    /// A sentence saying where the Xero figures of a report for `date` came from.
    pub fn describe(self, date: NaiveDate) -> String {
        match self {
            Self::Journals => format!("Xero Journals dated on or before {date}"),
            Self::TrialBalance => {
                format!("the Xero trial balance as at {date} (Xero does not grant Journals)")
            }
            Self::Unavailable => format!(
                "none: Xero Journals are not synced and no trial balance as at {date} is stored"
            ),
        }
    }
}

impl fmt::Display for XeroSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An open finding, as far as the report needs it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpenFinding {
    pub id: i64,
    /// The stable kind code (`missing_in_xero`…), kept as stored.
    pub kind: String,
    pub severity: String,
    pub cin7_ref: Option<String>,
    pub xero_ref: Option<String>,
    pub account_code: Option<String>,
    /// Debit positive, as posted by the side holding the record (see [`contribution`]);
    /// `None` counts but explains nothing.
    pub amount: Option<Decimal>,
    /// Its amount on further mapped accounts, read like `amount` on `account_code`, when what
    /// it is about lands on more than one (the store's `finding_accounts`).
    pub other_accounts: Vec<(String, Decimal)>,
    /// The date of the record it is about: a finding dated after the report date, or (on a
    /// profit-and-loss account) before the financial year's start, explains none of the
    /// balances compared. `None`: always counted.
    pub date: Option<NaiveDate>,
    /// What to do about it.
    pub message: String,
}

impl OpenFinding {
    /// Whether the finding is told on account `code`, and if so its amount there: its own
    /// `account_code` and `amount`, or one of its other accounts.
    pub fn on_account(&self, code: &str) -> Option<Option<Decimal>> {
        if self.account_code.as_deref().map(str::trim) == Some(code) {
            return Some(self.amount);
        }
        let mut others = self.other_accounts.iter().filter(|(other, _)| other.trim() == code);
        others.next().map(|(_, amount)| Some(*amount))
    }
}

/// The kind code of the findings listed as timing differences.
pub const TIMING_DIFFERENCE: &str = "timing_difference";

/// An open finding worth fixing first, and how much of its account's variance it explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixFirst {
    pub finding: OpenFinding,
    /// Its [`contribution`] to `cin7 − xero` on its account.
    pub explains: Decimal,
}

/// A finding that opened (or re-opened) or was resolved in the report's window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingNote {
    pub id: i64,
    pub kind: String,
    pub severity: String,
    pub cin7_ref: Option<String>,
    pub xero_ref: Option<String>,
    pub account_code: Option<String>,
    pub amount: Option<Decimal>,
    pub message: String,
    /// When it opened or was resolved.
    pub at: DateTime<Utc>,
}

/// The period "new" and "resolved" findings are counted in: `since <= at < until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingWindow {
    /// The date of the previous stored report, if there is one; the window then starts at
    /// the end of that day. Without one it is the 24 hours before `until`.
    pub previous_report: Option<NaiveDate>,
    pub since: DateTime<Utc>,
    /// The end of the report date in the connection's time zone.
    pub until: DateTime<Utc>,
}

/// What one connection's report is computed from (built by `Store::report_input`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub connection: String,
    pub accounts: AccountMap,
    pub xero_source: XeroSource,
    /// The first day of the financial year containing D, when the Xero organisation's year
    /// end is known. Profit-and-loss balances below are summed from it.
    pub year_start: Option<NaiveDate>,
    /// Cin7 ledger balance to D per account code (debit positive). A code that is absent has
    /// no Cin7 figure (no Cin7 ledger synced), which is not the same as zero.
    pub cin7_balances: BTreeMap<String, Decimal>,
    /// Xero balance to D per account code (debit positive), from `xero_source`. A code that
    /// is absent has no Xero figure.
    pub xero_balances: BTreeMap<String, Decimal>,
    pub open_findings: Vec<OpenFinding>,
    pub new_findings: Vec<FindingNote>,
    pub resolved_findings: Vec<FindingNote>,
    pub window: FindingWindow,
    /// Xero sales invoices and bills per calendar month of the quarter containing D, D's month
    /// counted to D; `None` while Xero invoices have never been synced.
    pub xero_invoice_months: Option<Vec<MonthCount>>,
    /// API calls in the 24 hours to the end of D, one entry per system (`xero`, `cin7`).
    pub api_calls: Vec<CallCount>,
}

impl ReportInput {
    /// Sets each system's per-day call limit from the connection's configuration (Xero's
    /// always, Cin7's when configured), so the API budget can be measured against it.
    #[must_use]
    pub fn with_daily_limits(mut self, connection: &Connection) -> Self {
        for calls in &mut self.api_calls {
            calls.limit = match calls.system.as_str() {
                "xero" => Some(connection.xero.limits.per_day),
                "cin7" => connection.cin7.limits.per_day,
                _ => calls.limit,
            };
        }
        self
    }
}

/// One connection's variance report for one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub connection: String,
    pub date: NaiveDate,
    pub xero_source: XeroSource,
    /// Where profit-and-loss balances start (see [`ReportInput::year_start`]).
    pub year_start: Option<NaiveDate>,
    /// One line per mapped control account, in [`AccountMap::roles`] order.
    pub accounts: Vec<AccountVariance>,
    /// Open findings on no mapped control account (no account code, or another one), summed
    /// by kind like [`AccountVariance::explained`].
    pub unattributed: Vec<Explained>,
    pub new_findings: Vec<FindingNote>,
    pub resolved_findings: Vec<FindingNote>,
    pub window: FindingWindow,
    /// The open findings explaining the most money, largest first (at most [`FIX_FIRST`]).
    pub fix_first: Vec<FixFirst>,
    /// Open findings of kind [`TIMING_DIFFERENCE`], oldest first.
    pub timing_differences: Vec<OpenFinding>,
    /// Xero fair-use; `None` while Xero invoices have never been synced.
    pub fair_use: Option<FairUse>,
    pub api_budget: ApiBudget,
}

impl Report {
    /// The accounts whose variance is known and not zero.
    pub fn disagreeing(&self) -> impl Iterator<Item = &AccountVariance> {
        self.accounts.iter().filter(|a| a.variance.is_some_and(|v| !v.is_zero()))
    }

    /// The sum of the absolute unexplained amounts: a positive rest on one account and a
    /// negative one on another both need explaining, so they do not cancel.
    pub fn unexplained_total(&self) -> Decimal {
        self.accounts.iter().filter_map(|a| a.unexplained).map(|u| u.abs()).sum()
    }
}

/// One control account's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountVariance {
    /// `inventory`, `cogs`, `grni`…
    pub role: &'static str,
    pub code: String,
    pub cin7_balance: Option<Decimal>,
    pub xero_balance: Option<Decimal>,
    /// `cin7 − xero`; `None` when either side has no figure.
    pub variance: Option<Decimal>,
    /// Open findings on this account, summed by kind, sorted by kind.
    pub explained: Vec<Explained>,
    /// `variance − Σ explained`; `None` when the variance is unknown.
    pub unexplained: Option<Decimal>,
}

impl AccountVariance {
    /// The sum of every explained amount.
    pub fn explained_total(&self) -> Decimal {
        self.explained.iter().map(|e| e.amount).sum()
    }
}

/// Open findings of one kind on one account: their count and the part of `cin7 − xero` they
/// explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub kind: String,
    pub amount: Decimal,
    pub count: usize,
}

/// The instant the report date ends in `tz` (UTC when none): midnight starting the next local
/// day. Where a DST change skips local midnight, the first instant of that day that exists.
pub fn day_end(date: NaiveDate, tz: Option<Tz>) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date);
    let Some(tz) = tz else { return next.and_time(NaiveTime::MIN).and_utc() };
    (0..=2)
        .find_map(|hour| {
            let local = next.and_hms_opt(hour, 0, 0)?;
            tz.from_local_datetime(&local).earliest()
        })
        .map_or_else(|| next.and_time(NaiveTime::MIN).and_utc(), |t| t.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_financial_year_start_follows_the_configured_year_end() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Australia: the year ends on 30 June.
        assert_eq!(financial_year_start(day("2026-11-24"), 30, 6), Some(day("2026-07-01")));
        assert_eq!(financial_year_start(day("2026-06-30"), 30, 6), Some(day("2025-07-01")));
        assert_eq!(financial_year_start(day("2026-07-01"), 30, 6), Some(day("2026-07-01")));
        // Calendar year, and a February year end in a leap year.
        assert_eq!(financial_year_start(day("2026-11-24"), 31, 12), Some(day("2026-01-01")));
        assert_eq!(financial_year_start(day("2028-02-29"), 29, 2), Some(day("2027-03-01")));
        assert_eq!(financial_year_start(day("2027-03-01"), 29, 2), Some(day("2027-03-01")));
        assert_eq!(financial_year_start(day("2026-11-24"), 0, 6), None);
        assert_eq!(financial_year_start(day("2026-11-24"), 30, 13), None);
    }

    #[test]
    fn a_day_ends_at_local_midnight_in_the_connections_time_zone() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let sydney: Tz = "Australia/Sydney".parse().unwrap();
        // Sydney is UTC+11 in November (daylight time).
        assert_eq!(day_end(date, Some(sydney)).to_rfc3339(), "2026-11-24T13:00:00+00:00");
        assert_eq!(day_end(date, None).to_rfc3339(), "2026-11-25T00:00:00+00:00");
    }
}
