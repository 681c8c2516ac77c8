//! Two operational figures of the report. Pure.
//!
//! - **Xero fair use.** Xero's fair-use policy puts organisations into tiers of 5,000, 10,000,
//!   15,000 and 20,000 invoices a month, averaged over a calendar quarter. cxsync counts
//!   **both** sales invoices (`ACCREC`) and bills (`ACCPAY`), by document date, every status
//!   but `DELETED`: the policy speaks of invoices *and bills*, and counting both errs on the
//!   side of an early warning. Credit notes are not counted. The average is over the months
//!   of the quarter so far, the report's month counted to the report date.
//! - **API budget.** Calls logged in the 24 hours to the end of the report date, per system,
//!   against the configured per-day limit when there is one.

use chrono::{DateTime, Datelike as _, Months, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::reconcile::projected_from_counts;
pub use crate::reconcile::{FAIR_USE_TIERS, quarter_start};

/// Xero sales invoices and bills dated in one calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCount {
    /// The month's first day.
    pub month: NaiveDate,
    pub sales_invoices: u32,
    pub bills: u32,
}

impl MonthCount {
    pub fn total(&self) -> u32 {
        self.sales_invoices + self.bills
    }
}

/// Where the connection stands against Xero's fair-use tiers on the report date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairUse {
    /// The report's month, counted to the report date.
    pub this_month: MonthCount,
    /// The first day of the calendar quarter containing the report date.
    pub quarter_start: NaiveDate,
    /// The quarter's months so far, oldest first, the report's month last.
    pub months: Vec<MonthCount>,
    /// Invoices and bills a month over [`FairUse::months`], to two decimal places.
    pub quarter_average: Decimal,
    /// Where the quarter is heading: finished months as counted, this month's rate so far
    /// for the rest (what `fair_use_risk` compares with the tiers), whole invoices; `None`
    /// in a quarter's first week.
    pub projected_average: Option<Decimal>,
    /// The highest tier the average has reached, if any.
    pub tier: Option<u32>,
    /// The lowest tier above the average; `None` past the last one.
    pub next_tier: Option<u32>,
}

/// The first day of each month from `date`'s quarter start to `date`'s month.
pub(super) fn quarter_months(date: NaiveDate) -> Vec<NaiveDate> {
    let start = quarter_start(date);
    (0..=date.month0() % 3).filter_map(|n| start.checked_add_months(Months::new(n))).collect()
}

/// Fair use on `date` from the counts of its quarter's months (`months`, any order; a month
/// of the quarter without an entry counts zero, entries outside the quarter are ignored).
pub fn fair_use(date: NaiveDate, months: &[MonthCount]) -> FairUse {
    let months: Vec<MonthCount> = quarter_months(date)
        .into_iter()
        .map(|month| {
            months.iter().find(|m| m.month == month).copied().unwrap_or(MonthCount {
                month,
                sales_invoices: 0,
                bills: 0,
            })
        })
        .collect();
    let total: u32 = months.iter().map(MonthCount::total).sum();
    let count = u32::try_from(months.len()).unwrap_or(1).max(1);
    let quarter_average = (Decimal::from(total) / Decimal::from(count)).round_dp(2);
    let tier = FAIR_USE_TIERS.iter().rev().find(|&&t| quarter_average >= Decimal::from(t));
    let next_tier = FAIR_USE_TIERS.iter().find(|&&t| quarter_average < Decimal::from(t));
    let mut per_month = [0; 3];
    for (slot, month) in per_month.iter_mut().zip(&months) {
        *slot = month.total();
    }
    FairUse {
        projected_average: projected_from_counts(per_month, date).map(|p| p.round_dp(0)),
        this_month: *months.last().expect("a quarter has at least the report's month"),
        quarter_start: quarter_start(date),
        months,
        quarter_average,
        tier: tier.copied(),
        next_tier: next_tier.copied(),
    }
}

/// The calls one system logged in the window, as the store counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallCount {
    /// `xero` or `cin7`.
    pub system: String,
    pub calls: u32,
    /// Responses 429 or 503: the server said slow down.
    pub rate_limited: u32,
    /// The lowest `X-DayLimit-Remaining` Xero sent in the window.
    pub lowest_day_remaining: Option<i64>,
    /// The configured per-day limit, when there is one (see
    /// [`super::ReportInput::with_daily_limits`]).
    pub limit: Option<u32>,
}

/// The API calls of the 24 hours to the end of the report date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBudget {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub systems: Vec<SystemBudget>,
}

/// One system's calls against its day limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemBudget {
    pub calls: CallCount,
    /// `calls / limit` in percent, to one decimal place; `None` without a limit.
    pub used_percent: Option<Decimal>,
    /// `limit − calls`, negative past the limit; `None` without a limit.
    pub remaining: Option<i64>,
}

/// Each system's calls against its limit, in the order given.
pub fn api_budget(since: DateTime<Utc>, until: DateTime<Utc>, calls: &[CallCount]) -> ApiBudget {
    let systems = calls
        .iter()
        .map(|c| {
            let limit = c.limit.filter(|&l| l > 0);
            SystemBudget {
                calls: c.clone(),
                used_percent: limit.map(|l| {
                    let mut percent = (Decimal::from(c.calls) * Decimal::ONE_HUNDRED
                        / Decimal::from(l))
                    .round_dp(1);
                    percent.rescale(1);
                    percent
                }),
                remaining: limit.map(|l| i64::from(l) - i64::from(c.calls)),
            }
        })
        .collect();
    ApiBudget { since, until, systems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn month(s: &str, sales_invoices: u32, bills: u32) -> MonthCount {
        MonthCount { month: day(s), sales_invoices, bills }
    }

    #[test]
    fn the_quarter_runs_from_its_first_month_to_the_report_month() {
        assert_eq!(quarter_start(day("2026-11-24")), day("2026-10-01"));
        assert_eq!(quarter_start(day("2026-01-01")), day("2026-01-01"));
        assert_eq!(
            quarter_months(day("2026-12-31")),
            [day("2026-10-01"), day("2026-11-01"), day("2026-12-01")]
        );
        assert_eq!(quarter_months(day("2026-07-15")), [day("2026-07-01")]);
    }

    #[rstest]
    #[case::below_the_first_tier(9_000, 999, "4999.50", None, Some(5_000))]
    #[case::exactly_on_a_tier(5_000, 15_000, "10000", Some(10_000), Some(15_000))]
    #[case::past_the_last_tier(30_000, 12_000, "21000", Some(20_000), None)]
    fn the_quarter_average_places_the_organisation_in_a_tier(
        #[case] october: u32,
        #[case] november: u32,
        #[case] average: &str,
        #[case] tier: Option<u32>,
        #[case] next_tier: Option<u32>,
    ) {
        let months = [month("2026-10-01", october, 0), month("2026-11-01", november / 2, 0)];
        // Bills count as much as sales invoices.
        let mut months = months.to_vec();
        months[1].bills = november - november / 2;
        let fair = fair_use(day("2026-11-24"), &months);
        assert_eq!(fair.quarter_average, average.parse::<Decimal>().unwrap());
        assert_eq!((fair.tier, fair.next_tier), (tier, next_tier));
        assert_eq!(fair.this_month.total(), november);
        assert_eq!(fair.quarter_start, day("2026-10-01"));
    }

    #[test]
    fn a_quarter_month_without_documents_counts_zero_and_other_quarters_are_ignored() {
        let fair = fair_use(
            day("2026-12-02"),
            &[month("2026-09-01", 90_000, 0), month("2026-12-01", 3, 0)],
        );
        assert_eq!(fair.months.len(), 3);
        assert_eq!(fair.months[0], month("2026-10-01", 0, 0));
        assert_eq!(fair.quarter_average, "1".parse::<Decimal>().unwrap());
        assert_eq!((fair.tier, fair.next_tier), (None, Some(5_000)));
    }

    fn calls(system: &str, calls: u32, limit: Option<u32>) -> CallCount {
        CallCount {
            system: system.into(),
            calls,
            rate_limited: 0,
            lowest_day_remaining: None,
            limit,
        }
    }

    #[test]
    fn api_budget_measures_calls_against_the_limit_when_there_is_one() {
        let at = DateTime::UNIX_EPOCH;
        let budget = api_budget(
            at,
            at,
            &[
                calls("xero", 1_234, Some(5_000)),
                calls("cin7", 5_001, Some(5_000)),
                calls("cin7", 7, None),
                calls("cin7", 7, Some(0)),
            ],
        );
        let figures: Vec<(Option<Decimal>, Option<i64>)> =
            budget.systems.iter().map(|s| (s.used_percent, s.remaining)).collect();
        assert_eq!(
            figures,
            [
                (Some("24.7".parse().unwrap()), Some(3_766)),
                (Some("100.0".parse().unwrap()), Some(-1)),
                (None, None),
                (None, None),
            ]
        );
    }
}
