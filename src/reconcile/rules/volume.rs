//! `fair_use_risk`: Xero reviews an organisation's invoice count per month, averaged over a
//! calendar quarter, against tiers of 5,000, 10,000, 15,000 and 20,000 (seed 002: only the
//! invoice count matters, not lines, revenue or journals; seasonality is not considered).
//!
//! Counted as the variance report counts them: Xero sales invoices (ACCREC) and bills
//! (ACCPAY) by document date, every status but `DELETED` (the policy speaks of invoices and
//! bills; counting both errs towards an early warning). The quarter's average is projected:
//! finished months as counted, the current month at its rate so far for itself and the
//! months still to come.
//! A projection at or above `Settings::fair_use_warning` of a tier is reported (a warning
//! below the tier, an error at or past it); the highest such tier only. Fewer than seven days
//! into a quarter nothing is projected.

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::Decimal;

use super::Context;
use crate::model::DocType;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};

/// Xero's fair-use tiers: average invoices (and bills) per month over a calendar quarter.
pub const FAIR_USE_TIERS: [u32; 4] = [5_000, 10_000, 15_000, 20_000];

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let today = ctx.today;
    let dates = ctx.input.xero_documents.iter().filter(|d| {
        matches!(d.doc_type, DocType::SalesInvoice | DocType::PurchaseInvoice)
            && !d.status.eq_ignore_ascii_case("DELETED")
    });
    let Some(average) = projected_average(dates.filter_map(|d| d.date), today) else { return };
    let Some(tier) = FAIR_USE_TIERS
        .into_iter()
        .rev()
        .find(|tier| average >= Decimal::from(*tier) * ctx.settings.fair_use_warning)
    else {
        return;
    };
    let quarter = quarter_start(today);
    let name = format!("Q{} {}", (quarter.month() - 1) / 3 + 1, quarter.year());
    let average = average.round_dp(0);
    let (severity, state) = if average >= Decimal::from(tier) {
        (Severity::Error, "is past")
    } else {
        (Severity::Warning, "is heading for")
    };
    let message = format!(
        "Xero's count of sales invoices and bills for {name} is on course for {average} a month \
         on average, \
         which {state} Xero's fair-use tier of {tier} invoices a month: turn on \"Consolidate \
         transactions on export\" in Cin7's Xero integration for high-volume channels \
         (invoices and payments become one entry per day per account), or expect Xero to ask \
         you to move plans"
    );
    // One finding per quarter, whichever tier it heads for: moving between tiers is the same
    // risk, not a new one.
    let id = format!("fair_use/{name}");
    let draft = Draft { xero_id: Some(&id), date: Some(quarter), ..Draft::default() };
    out.push(draft.finish(FindingKind::FairUseRisk, severity, message));
}

/// The first day of the calendar quarter containing `day`.
pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month() - 1) / 3 * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// The quarter's projected monthly average of the invoices dated in it up to `today`;
/// `None` fewer than seven days into the quarter.
pub fn projected_average(
    dates: impl Iterator<Item = NaiveDate>,
    today: NaiveDate,
) -> Option<Decimal> {
    let start = quarter_start(today);
    let mut per_month = [0u32; 3];
    for date in dates.filter(|d| *d >= start && *d <= today) {
        per_month[((date.month() - start.month()) % 3) as usize] += 1;
    }
    projected_from_counts(per_month, today)
}

/// The same from the counts of the quarter's three months (later months than `today`'s are
/// ignored): finished months as counted, `today`'s month at its rate so far for itself and
/// for every month still to come, averaged over three.
pub fn projected_from_counts(per_month: [u32; 3], today: NaiveDate) -> Option<Decimal> {
    let start = quarter_start(today);
    if today.signed_duration_since(start).num_days() < 6 {
        return None;
    }
    let current = ((today.month() - start.month()) % 3) as usize;
    let finished: u32 = per_month[..current].iter().sum();
    let days_in_month = {
        let first = today.with_day(1)?;
        let next = first.checked_add_months(chrono::Months::new(1))?;
        next.signed_duration_since(first).num_days()
    };
    let rate = Decimal::from(per_month[current]) * Decimal::from(days_in_month)
        / Decimal::from(today.day());
    let months_left = Decimal::from(u32::try_from(3 - current).ok()?);
    Some((Decimal::from(finished) + rate * months_left) / Decimal::from(3))
}
