//! The Cin7-side ledger of an Omni connection, derived from what Omni's documents say.
//!
//! Omni's API has no journal endpoint, but Omni posts its cost of goods sold to Xero as one
//! manual journal **per month** (Omni's help: "Check COGS journals (perpetual method)", "Sync
//! COGS to Xero"): "a single COGS journal from all the Sales Orders and Customer Credit Notes
//! invoiced in each month", debiting the COGS account and crediting the inventory account,
//! and updated in place whenever that month's COGS changes. Omni recalculates COGS once a
//! day. A document counts towards it when (the same help pages):
//! - a sales order has its invoice date and its (fully) dispatched date, and its accounting
//!   import status is `Imported` or `DoNotImport`; its COGS is the landed cost of the units
//!   dispatched, `Σ qtyShipped × unitCost`, and it belongs to the month of its invoice date;
//! - a customer credit note has its credit-note date and its completed date, and the same
//!   import status; it restocks `Σ |qty moved| × unitCost` (`qtyShipped`, else `qty`: Omni
//!   writes credit-note quantities negative or positive), which reverses COGS, in the month
//!   of its credit-note date.
//!
//! Voided documents count for nothing. Lines without a cost count zero (Omni has not costed
//! them yet; `blank_cogs` reports them after the daily run).
//!
//! Each month with COGS becomes one [`LedgerEntry`] (`omni-ledger/cogs/2026-01`, source type
//! [`crate::model::MONTHLY_JOURNAL`]): the net COGS, rounded to the cent, debited to the connection's COGS account
//! and credited to its inventory account, both lines dated the month's last day — the date
//! Omni gives its journal is not documented, so reconciliation pairs the entry with the Xero
//! journal of the same month and accounts, whatever its day, and compares amounts only once
//! the month is over (Omni keeps updating the journal until then).
//!
//! Not derived (the API does not support it honestly): purchase receipts (Omni's purchase
//! order lines carry a price, not the landed cost Omni values stock at), landed-cost changes
//! after dispatch, transfers, and COGS debited to alternative COGS accounts (the account is
//! a product setting the API does not return): see `docs/reconciliation.md`.
//!
//! Pure functions: no I/O, no clock.

use std::collections::BTreeMap;

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::models::Transaction;
use super::normalise::voided;
use crate::model::{LedgerEntry, LedgerLine, MONTHLY_JOURNAL};

/// The prefix of every derived entry's source id; also the store endpoint they are kept
/// under (see [`crate::store::LedgerWindow`]).
pub const LEDGER_ENDPOINT: &str = "omni-ledger";

/// What a month's COGS is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthCogs {
    /// Cost of the units dispatched on the month's invoiced sales orders.
    pub dispatched: Decimal,
    /// Cost of the units restocked by the month's credit notes (positive).
    pub restocked: Decimal,
    /// How many sales orders and credit notes counted.
    pub documents: usize,
}

impl MonthCogs {
    /// Net COGS: dispatched less restocked.
    pub fn net(&self) -> Decimal {
        self.dispatched - self.restocked
    }
}

/// Whether Omni computes COGS for a document with this import status.
fn costed_status(status: Option<&str>) -> bool {
    status.is_some_and(|s| {
        let s = s.trim();
        s.eq_ignore_ascii_case("Imported") || s.eq_ignore_ascii_case("DoNotImport")
    })
}

/// The first day of `date`'s month.
fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The last day of the month starting `first`.
fn month_end(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .unwrap_or(first)
}

/// COGS per month (keyed by the month's first day) of the given sales orders and credit
/// notes, as the module notes say Omni counts it.
pub fn cogs_by_month(
    sales_orders: &[Transaction],
    credit_notes: &[Transaction],
) -> BTreeMap<NaiveDate, MonthCogs> {
    let mut months: BTreeMap<NaiveDate, MonthCogs> = BTreeMap::new();
    for order in sales_orders {
        let (Some(invoiced), Some(_)) = (order.invoice_date, order.dispatched_date) else {
            continue;
        };
        if voided(order) || !costed_status(order.import_status.as_deref()) {
            continue;
        }
        let cost: Decimal =
            order.lines.iter().filter_map(|l| Some(l.qty_shipped? * l.unit_cost?)).sum();
        let month = months.entry(month_of(invoiced)).or_default();
        month.dispatched += cost;
        month.documents += 1;
    }
    for note in credit_notes {
        let (Some(dated), Some(_)) = (note.credit_note_date, note.completed_date) else {
            continue;
        };
        if voided(note) || !costed_status(note.import_status.as_deref()) {
            continue;
        }
        let cost: Decimal = note
            .lines
            .iter()
            .filter_map(|l| Some(l.qty_shipped.or(l.qty)?.abs() * l.unit_cost?))
            .sum();
        let month = months.entry(month_of(dated)).or_default();
        month.restocked += cost;
        month.documents += 1;
    }
    months
}

/// The source id of month `first`'s COGS entry: `omni-ledger/cogs/2026-01`.
pub fn cogs_source_id(first: NaiveDate) -> String {
    format!("{LEDGER_ENDPOINT}/cogs/{}", first.format("%Y-%m"))
}

/// What people call month `first`'s COGS journal: `Omni COGS journal 2026-01`.
pub fn cogs_reference(first: NaiveDate) -> String {
    format!("Omni COGS journal {}", first.format("%Y-%m"))
}

/// The COGS ledger entries of every month whose net COGS is not zero (see the module notes),
/// posting to `cogs` and `inventory` (account codes as configured). Sorted by month.
pub fn cogs_journals(
    sales_orders: &[Transaction],
    credit_notes: &[Transaction],
    cogs: &str,
    inventory: &str,
) -> Vec<LedgerEntry> {
    cogs_by_month(sales_orders, credit_notes)
        .into_iter()
        .filter(|(_, month)| !month.net().is_zero())
        .map(|(first, month)| {
            let date = month_end(first);
            // Xero holds cents: the journal Omni posts carries the month's COGS to the cent.
            let net = month.net().round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            let description = Some(format!(
                "COGS of {} sales order(s) and credit note(s): {} dispatched, {} restocked",
                month.documents, month.dispatched, month.restocked
            ));
            let line = |line_no, account: &str, amount| LedgerLine {
                line_no,
                date,
                account_code: account.to_owned(),
                amount,
                description: description.clone(),
            };
            LedgerEntry {
                source_id: cogs_source_id(first),
                journal_number: None,
                source_type: Some(MONTHLY_JOURNAL.to_owned()),
                reference: Some(cogs_reference(first)),
                lines: vec![line(0, cogs, net), line(1, inventory, -net)],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use serde_json::{Value, json};

    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn order(overrides: Value) -> Transaction {
        let mut base = json!({
            "id": 1, "invoiceDate": "2026-03-31T00:00:00Z", "dispatchedDate": "2026-03-30T00:00:00Z",
            "accountingAttributes": { "accountingImportStatus": "Imported" },
            "lineItems": [
                { "code": "A", "qty": 2, "qtyShipped": 2, "unitCost": 40.5 },
                { "code": "B", "qty": 1, "qtyShipped": 1, "unitCost": 10 }
            ]
        });
        merge(&mut base, overrides);
        Transaction::read(&base).unwrap()
    }

    fn note(overrides: Value) -> Transaction {
        let mut base = json!({
            "id": 7, "creditNoteDate": "2026-03-15T00:00:00Z", "completedDate": "2026-03-15T00:00:00Z",
            "accountingAttributes": { "accountingImportStatus": "Imported" },
            "lineItems": [{ "code": "A", "qty": -1, "unitCost": 40.5 }]
        });
        merge(&mut base, overrides);
        Transaction::read(&base).unwrap()
    }

    fn merge(base: &mut Value, overrides: Value) {
        let Value::Object(fields) = overrides else { panic!("overrides are an object") };
        for (key, value) in fields {
            base[key] = value;
        }
    }

    fn march() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    #[test]
    fn a_month_nets_its_dispatched_cost_against_its_restocks_on_the_mapped_accounts() {
        let entries = cogs_journals(&[order(json!({}))], &[note(json!({}))], "310", "630");
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.source_id, "omni-ledger/cogs/2026-03");
        assert_eq!(entry.reference.as_deref(), Some("Omni COGS journal 2026-03"));
        assert_eq!(entry.source_type.as_deref(), Some(MONTHLY_JOURNAL));
        let lines: Vec<_> = entry
            .lines
            .iter()
            .map(|l| (l.date.to_string(), l.account_code.as_str(), l.amount))
            .collect();
        // 2 × 40.5 + 1 × 10 dispatched, 1 × 40.5 restocked.
        assert_eq!(
            lines,
            [("2026-03-31".into(), "310", d("50.5")), ("2026-03-31".into(), "630", d("-50.5"))]
        );
    }

    #[rstest]
    #[case::counted(json!({}), d("91"))]
    #[case::not_dispatched(json!({ "dispatchedDate": null }), d("0"))]
    #[case::not_invoiced(json!({ "invoiceDate": null }), d("0"))]
    #[case::voided(json!({ "isVoid": true }), d("0"))]
    #[case::import_failed(json!({ "accountingAttributes": { "accountingImportStatus": "Error" } }), d("0"))]
    #[case::not_imported_yet(json!({ "accountingAttributes": { "accountingImportStatus": "NotImported" } }), d("0"))]
    #[case::batched_do_not_import(json!({ "accountingAttributes": { "accountingImportStatus": "DoNotImport" } }), d("91"))]
    #[case::uncosted_line_counts_zero(json!({ "lineItems": [{ "qtyShipped": 3, "unitCost": null }, { "qtyShipped": 1, "unitCost": 5 }] }), d("5"))]
    #[case::only_shipped_units_count(json!({ "lineItems": [{ "qty": 5, "qtyShipped": 2, "unitCost": 3 }] }), d("6"))]
    fn a_sales_order_counts_only_as_omni_costs_it(#[case] overrides: Value, #[case] cost: Decimal) {
        let months = cogs_by_month(&[order(overrides)], &[]);
        assert_eq!(months.get(&march()).map_or(Decimal::ZERO, |m| m.dispatched), cost);
    }

    #[rstest]
    #[case::counted(json!({}), d("40.5"))]
    #[case::positive_quantity_restocks_the_same(json!({ "lineItems": [{ "qty": 1, "unitCost": 40.5 }] }), d("40.5"))]
    #[case::not_completed(json!({ "completedDate": null }), d("0"))]
    #[case::undated(json!({ "creditNoteDate": null }), d("0"))]
    #[case::voided(json!({ "status": "Void" }), d("0"))]
    #[case::import_failed(json!({ "accountingAttributes": { "accountingImportStatus": "Error" } }), d("0"))]
    fn a_credit_note_restocks_only_once_complete(#[case] overrides: Value, #[case] cost: Decimal) {
        let months = cogs_by_month(&[], &[note(overrides)]);
        assert_eq!(months.get(&march()).map_or(Decimal::ZERO, |m| m.restocked), cost);
    }

    #[test]
    fn documents_go_to_the_month_of_their_invoice_or_credit_note_date_not_their_dispatch() {
        let late = order(json!({ "invoiceDate": "2026-04-01T00:00:00Z" }));
        let entries = cogs_journals(&[late], &[note(json!({}))], "310", "630");
        let months: Vec<(&str, Decimal)> =
            entries.iter().map(|e| (e.source_id.as_str(), e.lines[0].amount)).collect();
        assert_eq!(
            months,
            [("omni-ledger/cogs/2026-03", d("-40.5")), ("omni-ledger/cogs/2026-04", d("91"))]
        );
        assert_eq!(entries[1].lines[0].date, NaiveDate::from_ymd_opt(2026, 4, 30).unwrap());
    }

    #[test]
    fn a_month_whose_cogs_nets_to_zero_has_no_entry() {
        let one = order(json!({ "lineItems": [{ "qtyShipped": 1, "unitCost": 40.5 }] }));
        assert!(cogs_journals(&[one], &[note(json!({}))], "310", "630").is_empty());
    }
}
