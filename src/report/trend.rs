//! The 30-day trend: each mapped control account's variance (`cin7 − xero`) on each of the
//! [`TREND_DAYS`] days ending on the report date, computed the way the report computes D's
//! figure (balance-sheet accounts cumulative, profit-and-loss accounts from the financial
//! year's start of *that* day). Pure: the store loads each side's daily sums once
//! ([`LedgerDays`], [`XeroDays`]) and [`trend`] runs cumulative sums over them.
//!
//! A day a side has no figure for (no Cin7 ledger, no trial balance stored for that day, a
//! profit-and-loss account on a trial balance while the year's start is unknown) is a gap,
//! `None`, never zero.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::{PROFIT_AND_LOSS_ROLES, financial_year_start};

/// How many days the trend covers, the report date included.
pub const TREND_DAYS: u64 = 30;

/// The [`TREND_DAYS`] days ending on `date`, oldest first.
pub fn trend_days(date: NaiveDate) -> Vec<NaiveDate> {
    (0..TREND_DAYS).rev().filter_map(|back| date.checked_sub_days(Days::new(back))).collect()
}

/// Per account code, the sum of one side's ledger lines on each date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerDays {
    by_code: BTreeMap<String, BTreeMap<NaiveDate, Decimal>>,
}

impl LedgerDays {
    /// Adds one ledger line (its account code is trimmed).
    pub fn add(&mut self, code: &str, date: NaiveDate, amount: Decimal) {
        *self.by_code.entry(code.trim().to_string()).or_default().entry(date).or_default() +=
            amount;
    }

    /// The account codes that have lines.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.by_code.keys().map(String::as_str)
    }

    /// The sum of `code`'s lines dated from `from` (the first line when `None`) to `to`,
    /// both included; zero without lines.
    pub fn balance(&self, code: &str, from: Option<NaiveDate>, to: NaiveDate) -> Decimal {
        let Some(days) = self.by_code.get(code) else { return Decimal::ZERO };
        let from = from.unwrap_or(NaiveDate::MIN);
        if from > to {
            return Decimal::ZERO;
        }
        days.range(from..=to).map(|(_, amount)| amount).sum()
    }

    /// `code`'s balance on each of `days` (ascending), each counted from `start(day)`: one
    /// range sum for the first day, then the next day's lines added, and a fresh range sum
    /// only where the start moves (a new financial year).
    fn running(
        &self,
        code: &str,
        days: &[NaiveDate],
        start: impl Fn(NaiveDate) -> Option<NaiveDate>,
    ) -> Vec<Decimal> {
        let mut out: Vec<Decimal> = Vec::with_capacity(days.len());
        let mut previous: Option<(NaiveDate, Option<NaiveDate>)> = None;
        for &day in days {
            let from = start(day);
            let balance = match (previous, out.last()) {
                (Some((before, before_from)), Some(&last)) if before_from == from => {
                    last + self.balance(code, before.succ_opt(), day)
                }
                _ => self.balance(code, from, day),
            };
            out.push(balance);
            previous = Some((day, from));
        }
        out
    }
}

/// Where the Xero side of the trend comes from (as for the report, see
/// [`super::XeroSource`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XeroDays {
    /// Journal lines, summed like Cin7's.
    Journals(LedgerDays),
    /// Stored trial balances by as-at date, then account code: a day without one is a gap.
    TrialBalance(BTreeMap<NaiveDate, BTreeMap<String, Decimal>>),
    /// No Xero figure on any day.
    Unavailable,
}

/// One account's variance on each trend day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendSeries {
    pub role: &'static str,
    pub code: String,
    /// `cin7 − xero` per day of [`Trend::days`]; `None` where either side has no figure.
    pub variance: Vec<Option<Decimal>>,
}

/// Each mapped account's variance over the days ending on the report date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// Oldest first; the last one is the report date.
    pub days: Vec<NaiveDate>,
    /// One per mapped account, in role order.
    pub series: Vec<TrendSeries>,
}

impl Trend {
    /// Whether no account has a figure on any day.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.variance.iter().all(Option::is_none))
    }
}

/// The trend to `date` for the `mapped` `(role, code)` accounts. `year_end` is the Xero
/// organisation's `(day, month)` year end, when synced: profit-and-loss accounts then count
/// from the start of each day's financial year, otherwise from the first line (and have no
/// trial-balance figure). `cin7` is `None` when no Cin7 ledger is stored.
pub fn trend(
    date: NaiveDate,
    mapped: &[(&'static str, &str)],
    year_end: Option<(u32, u32)>,
    cin7: Option<&LedgerDays>,
    xero: &XeroDays,
) -> Trend {
    let days = trend_days(date);
    let series = mapped
        .iter()
        .map(|&(role, code)| {
            let profit_and_loss = PROFIT_AND_LOSS_ROLES.contains(&role);
            let start = |day: NaiveDate| {
                let (end_day, end_month) = year_end.filter(|_| profit_and_loss)?;
                financial_year_start(day, end_day, end_month)
            };
            let cin7: Vec<Option<Decimal>> = match cin7 {
                Some(ledger) => ledger.running(code, &days, start).into_iter().map(Some).collect(),
                None => vec![None; days.len()],
            };
            let xero: Vec<Option<Decimal>> = match xero {
                XeroDays::Journals(ledger) => {
                    ledger.running(code, &days, start).into_iter().map(Some).collect()
                }
                XeroDays::TrialBalance(by_day) => days
                    .iter()
                    .map(|day| {
                        let usable = !profit_and_loss || year_end.is_some();
                        by_day.get(day)?.get(code).copied().filter(|_| usable)
                    })
                    .collect(),
                XeroDays::Unavailable => vec![None; days.len()],
            };
            let variance =
                cin7.into_iter().zip(xero).map(|(c, x)| c.zip(x).map(|(c, x)| c - x)).collect();
            TrendSeries { role, code: code.to_string(), variance }
        })
        .collect();
    Trend { days, series }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ledger(lines: &[(&str, &str, &str)]) -> LedgerDays {
        let mut days = LedgerDays::default();
        for (code, date, amount) in lines {
            days.add(code, day(date), d(amount));
        }
        days
    }

    fn at(trend: &Trend, role: &str, date: &str) -> Option<Decimal> {
        let i = trend.days.iter().position(|d| *d == day(date)).unwrap();
        trend.series.iter().find(|s| s.role == role).unwrap().variance[i]
    }

    #[test]
    fn the_trend_covers_thirty_days_ending_on_the_report_date() {
        let days = trend_days(day("2026-11-24"));
        assert_eq!(days.len(), 30);
        assert_eq!((days[0], days[29]), (day("2026-10-26"), day("2026-11-24")));
    }

    #[test]
    fn balances_are_cumulative_and_the_variance_is_cin7_minus_xero_each_day() {
        let cin7 = ledger(&[
            ("630", "2026-01-01", "100.00"),
            ("630", "2026-11-01", "0.10"),
            ("630", "2026-11-01", "0.20"),
            (" 630 ", "2026-11-20", "5.00"),
            ("630", "2026-11-25", "999.00"),
        ]);
        let xero = XeroDays::Journals(ledger(&[("630", "2026-01-01", "100.00")]));
        let trend = trend(day("2026-11-24"), &[("inventory", "630")], None, Some(&cin7), &xero);
        assert_eq!(at(&trend, "inventory", "2026-10-26"), Some(Decimal::ZERO));
        assert_eq!(at(&trend, "inventory", "2026-10-31"), Some(Decimal::ZERO));
        assert_eq!(at(&trend, "inventory", "2026-11-01"), Some(d("0.30")));
        assert_eq!(at(&trend, "inventory", "2026-11-19"), Some(d("0.30")));
        assert_eq!(at(&trend, "inventory", "2026-11-24"), Some(d("5.30")), "the 25th is after D");
    }

    #[test]
    fn profit_and_loss_accounts_restart_at_the_financial_year_start_inside_the_window() {
        // A year ending 31 October: 1 November starts a new one, inside the window.
        let cin7 = ledger(&[
            ("310", "2026-10-20", "70.00"),
            ("310", "2026-10-31", "5.00"),
            ("310", "2026-11-02", "30.00"),
            ("630", "2026-10-20", "-70.00"),
        ]);
        let xero = XeroDays::Journals(LedgerDays::default());
        let mapped = [("inventory", "630"), ("cogs", "310")];
        let trend = trend(day("2026-11-24"), &mapped, Some((31, 10)), Some(&cin7), &xero);
        assert_eq!(at(&trend, "cogs", "2026-10-31"), Some(d("75.00")));
        assert_eq!(at(&trend, "cogs", "2026-11-01"), Some(Decimal::ZERO), "a new year");
        assert_eq!(at(&trend, "cogs", "2026-11-24"), Some(d("30.00")));
        assert_eq!(at(&trend, "inventory", "2026-11-24"), Some(d("-70.00")), "cumulative");
        let without_year = super::trend(day("2026-11-24"), &mapped, None, Some(&cin7), &xero);
        assert_eq!(at(&without_year, "cogs", "2026-11-24"), Some(d("105.00")));
    }

    #[test]
    fn trial_balance_days_without_a_stored_balance_are_gaps_not_zeroes() {
        let cin7 = ledger(&[("630", "2026-11-01", "10.00"), ("310", "2026-11-01", "4.00")]);
        let mut by_day = BTreeMap::new();
        by_day.insert(
            day("2026-11-20"),
            BTreeMap::from([("630".to_string(), d("7.00")), ("310".to_string(), d("4.00"))]),
        );
        let xero = XeroDays::TrialBalance(by_day);
        let mapped = [("inventory", "630"), ("cogs", "310"), ("grni", "815")];
        let trend = trend(day("2026-11-24"), &mapped, None, Some(&cin7), &xero);
        assert_eq!(at(&trend, "inventory", "2026-11-20"), Some(d("3.00")));
        assert_eq!(at(&trend, "inventory", "2026-11-21"), None);
        assert_eq!(at(&trend, "cogs", "2026-11-20"), None, "P&L needs the year's start");
        assert_eq!(at(&trend, "grni", "2026-11-20"), None, "no row for the account");
        let with_year = super::trend(day("2026-11-24"), &mapped, Some((30, 6)), Some(&cin7), &xero);
        assert_eq!(at(&with_year, "cogs", "2026-11-20"), Some(Decimal::ZERO));
    }

    #[test]
    fn without_a_cin7_ledger_or_a_xero_source_every_day_is_a_gap() {
        let xero = XeroDays::Journals(LedgerDays::default());
        let trend = trend(day("2026-11-24"), &[("inventory", "630")], None, None, &xero);
        assert!(trend.is_empty());
        let cin7 = ledger(&[("630", "2026-11-01", "1.00")]);
        let unavailable = super::trend(
            day("2026-11-24"),
            &[("inventory", "630")],
            None,
            Some(&cin7),
            &XeroDays::Unavailable,
        );
        assert!(unavailable.is_empty());
        assert_eq!(unavailable.series[0].variance.len(), 30);
    }
}
