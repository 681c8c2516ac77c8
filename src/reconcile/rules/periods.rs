//! What lands in different accounting periods, read from the Cin7 postings of each sale and
//! purchase (`ReconcileInput::cin7_postings`). Periods are calendar months, Xero's reporting
//! periods; "the last period end" is the last day of the month before `now`.
//!
//! - `timing_difference`: at the last period end, one half of a sale's margin is booked and
//!   the other is not: COGS posted on or before it with no revenue by then (shipped, not
//!   invoiced), or revenue posted on or before it and COGS only after it (invoiced, not
//!   shipped). Both systems agree; the month's gross margin does not. One finding per sale
//!   and period end, so it resolves itself when the next month ends. A sale with revenue and
//!   no COGS at all is not reported: its postings cannot tell a service from goods not yet
//!   shipped.
//! - `return_misalignment`: a sale's credit note (revenue debited) and its restock (COGS
//!   credited, inventory debited) in different months; a restock with no credit note; or a
//!   Cin7 credit note returning products (a line with a SKU and a quantity) on a shipped sale
//!   with no restock after the grace period (the goods may have been written off, and the
//!   message says so). A credit note finds its sale by the invoice number it credits.
//! - `unclosed_accrual`: a purchase whose GRNI (received, not invoiced) or stock-in-transit
//!   (invoiced, not received) balance has stayed open longer than `Settings::accrual_age`.

use chrono::{Datelike as _, Days, NaiveDate};
use rust_decimal::Decimal;

use super::Context;
use crate::amount::money;
use crate::model::DocType;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};
use crate::reconcile::keys::{KeySet, account_code};
use crate::reconcile::records::{Entry, Posting};
use crate::reconcile::status::Lifecycle;

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let accounts = &ctx.input.accounts;
    let code = |c: Option<&String>| c.and_then(|c| account_code(c)).map(str::to_ascii_uppercase);
    let revenue = code(accounts.revenue.as_ref());
    let cogs = code(accounts.cogs.as_ref());
    let today = ctx.today;
    let returned = product_returns(ctx);
    for entry in ctx.input.cin7_postings.iter() {
        let group = Group::new(entry);
        if let (Some(revenue), Some(cogs)) = (&revenue, &cogs) {
            timing(&group, revenue, cogs, last_period_end(today), out);
            let products_back = returned.contains(&group.label.to_ascii_uppercase());
            returns(ctx, &group, revenue, cogs, products_back, out);
        }
        for (role, account) in
            [("grni", &accounts.grni), ("stock_in_transit", &accounts.stock_in_transit)]
        {
            if let Some(account) = code(account.as_ref()) {
                accrual(ctx, &group, role, &account, out);
            }
        }
    }
}

/// The invoice numbers (upper-cased) that a posted Cin7 credit note returning products
/// credits.
fn product_returns(ctx: &Context<'_>) -> KeySet<String> {
    ctx.input
        .cin7_documents
        .iter()
        .filter(|d| d.doc_type == DocType::SalesCreditNote && d.life() == Lifecycle::Posted)
        .filter(|d| {
            d.lines().any(|l| l.ships && l.shipped_item.is_some_and(|c| !c.trim().is_empty()))
        })
        .filter_map(|d| Some(d.reference?.trim().to_ascii_uppercase()))
        .collect()
}

/// The last day of the month before `today`'s.
pub(crate) fn last_period_end(today: NaiveDate) -> NaiveDate {
    today.with_day(1).and_then(|first| first.pred_opt()).unwrap_or(today)
}

fn month(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

/// One sale's or purchase's postings.
struct Group<'a> {
    entry: Entry<'a>,
    label: String,
}

impl<'a> Group<'a> {
    fn new(entry: Entry<'a>) -> Self {
        let label = entry.reference.unwrap_or(entry.source_id).to_owned();
        Self { entry, label }
    }

    /// Lines on `account` whose amount has the sign `debit` asks for.
    fn lines<'s>(&self, account: &'s str, debit: bool) -> impl Iterator<Item = Posting<'a>> + 's
    where
        'a: 's,
    {
        self.entry.lines().filter(move |l| {
            account_code(l.account_code).is_some_and(|c| c.eq_ignore_ascii_case(account))
                && !l.amount.is_zero()
                && l.amount.is_sign_positive() == debit
        })
    }

    fn what(&self) -> String {
        match self.entry.source_type {
            Some(kind) => format!("{} {}", kind.to_ascii_lowercase(), self.label),
            None => self.label.clone(),
        }
    }

    fn draft(&self, id: &'a str, account: &str, amount: Decimal, date: NaiveDate) -> Draft<'a> {
        Draft {
            cin7_id: Some(id),
            cin7_ref: Some(self.label.clone()),
            account_code: Some(account.to_owned()),
            amount: Some(amount),
            date: Some(date),
            ..Draft::default()
        }
    }
}

fn sum<'a>(lines: impl Iterator<Item = Posting<'a>>) -> Decimal {
    lines.map(|l| l.amount).sum()
}

fn timing(group: &Group<'_>, revenue: &str, cogs: &str, end: NaiveDate, out: &mut Vec<Finding>) {
    let booked_by = |account: &str, debit: bool| {
        let lines: Vec<Posting<'_>> = group.lines(account, debit).collect();
        let by_end = sum(lines.iter().copied().filter(|l| l.date <= end));
        let after = lines.iter().filter(|l| l.date > end).map(|l| l.date).min();
        (by_end, after)
    };
    let (revenue_by_end, revenue_after) = booked_by(revenue, false);
    let (cogs_by_end, cogs_after) = booked_by(cogs, true);
    let what = group.what();
    let period = month(end);
    let (account, amount, message) = if !cogs_by_end.is_zero() && revenue_by_end.is_zero() {
        let invoiced = revenue_after.map_or_else(
            || "it is not invoiced yet".to_owned(),
            |d| format!("it was invoiced on {d}"),
        );
        let message = format!(
            "Cin7 {what} was shipped by {end} (COGS {} in {period}) but {invoiced}, so \
             {period} carries its cost without its revenue: if it should have been invoiced \
             in {period}, correct the invoice date in Cin7; otherwise accrue the revenue or \
             explain the difference in the month-end notes",
            money(cogs_by_end),
        );
        (cogs, cogs_by_end, message)
    } else if !revenue_by_end.is_zero() && cogs_by_end.is_zero() && cogs_after.is_some() {
        let shipped = cogs_after.unwrap_or(end);
        let message = format!(
            "Cin7 {what} was invoiced by {end} (revenue {} in {period}) but shipped on \
             {shipped}, so {period} carries its revenue without its cost: if it shipped in \
             {period}, correct the shipment date in Cin7; otherwise accrue the cost or explain \
             the difference in the month-end notes",
            money(-revenue_by_end),
        );
        (revenue, revenue_by_end, message)
    } else {
        return;
    };
    let id = format!("{}@{end}", group.entry.source_id);
    let draft = group.draft(&id, account, amount, end);
    out.push(draft.finish(FindingKind::TimingDifference, Severity::Info, message));
}

fn returns(
    ctx: &Context<'_>,
    group: &Group<'_>,
    revenue: &str,
    cogs: &str,
    products_back: bool,
    out: &mut Vec<Finding>,
) {
    let credits: Vec<Posting<'_>> = group.lines(revenue, true).collect();
    let restocks: Vec<Posting<'_>> = group.lines(cogs, false).collect();
    let shipped = group.lines(cogs, true).next().is_some();
    let what = group.what();
    let first = |lines: &[Posting<'_>]| lines.iter().map(|l| l.date).min();
    let (account, amount, date, message, severity) = match (first(&credits), first(&restocks)) {
        (Some(credited), Some(restocked))
            if (credited.year(), credited.month()) != (restocked.year(), restocked.month()) =>
        {
            let message = format!(
                "Cin7 {what} was credited on {credited} ({}) but restocked on {restocked} ({}), \
                 so each month carries half of the return: date the restock in the credit \
                 note's month in Cin7 (undo and redo the restock), or note the difference at \
                 month end",
                month(credited),
                month(restocked),
            );
            (cogs, sum(restocks.iter().copied()), restocked, message, Severity::Warning)
        }
        (None, Some(restocked)) => {
            // The restock often syncs a cycle before its credit note.
            if !settled_after(ctx, restocked) {
                return;
            }
            let message = format!(
                "Cin7 {what} restocked goods on {restocked} but has no credit note, so stock and \
                 COGS went back without the revenue being reversed: raise the credit note on \
                 the sale in Cin7 (or undo the restock if the goods did not come back)"
            );
            (cogs, sum(restocks.iter().copied()), restocked, message, Severity::Warning)
        }
        (Some(credited), None) if shipped && products_back => {
            if !settled_after(ctx, credited) {
                return;
            }
            let message = format!(
                "Cin7 {what} was credited on {credited} but nothing was restocked, so its \
                 goods stay out of stock and in COGS: if they came back, restock them on the \
                 credit note in Cin7; if they were written off, nothing needs doing"
            );
            (revenue, sum(credits.iter().copied()), credited, message, Severity::Info)
        }
        _ => return,
    };
    let draft = group.draft(group.entry.source_id, account, amount, date);
    out.push(draft.finish(FindingKind::ReturnMisalignment, severity, message));
}

/// Past the grace period after the day `date` (postings carry a date, not a time).
fn settled_after(ctx: &Context<'_>, date: NaiveDate) -> bool {
    date.checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .is_some_and(|t| ctx.settled(Some(t.and_utc())))
}

/// The balance left on `account` and the day it last became non-zero.
fn open_balance(group: &Group<'_>, account: &str) -> Option<(Decimal, NaiveDate)> {
    let mut lines: Vec<Posting<'_>> =
        group.lines(account, true).chain(group.lines(account, false)).collect();
    lines.sort_by_key(|l| (l.date, l.line_no));
    let mut balance = Decimal::ZERO;
    let mut since = None;
    for line in lines {
        let was_zero = balance.is_zero();
        balance += line.amount;
        if balance.is_zero() {
            since = None;
        } else if was_zero {
            since = Some(line.date);
        }
    }
    Some((balance, since?))
}

fn accrual(
    ctx: &Context<'_>,
    group: &Group<'_>,
    role: &str,
    account: &str,
    out: &mut Vec<Finding>,
) {
    let Some((balance, since)) = open_balance(group, account) else { return };
    let today = ctx.today;
    let age = today.signed_duration_since(since);
    if balance.abs() <= ctx.settings.amount_tolerance || age <= ctx.settings.accrual_age {
        return;
    }
    let what = group.what();
    let days = age.num_days();
    let message = if role == "grni" {
        format!(
            "Cin7 {what} has {} received but not invoiced on GRNI account {account} since \
             {since} ({days} days): enter the supplier's invoice on the purchase in Cin7, or, \
             if none will come, close the accrual (void the receipt or adjust the order)",
            money(balance.abs()),
        )
    } else {
        format!(
            "Cin7 {what} has {} invoiced but not received on stock-in-transit account \
             {account} since {since} ({days} days): receive the stock on the purchase in Cin7, \
             or raise the supplier credit note if it will not arrive",
            money(balance.abs()),
        )
    };
    let draft = group.draft(group.entry.source_id, account, balance, since);
    out.push(draft.finish(FindingKind::UnclosedAccrual, Severity::Warning, message));
}
