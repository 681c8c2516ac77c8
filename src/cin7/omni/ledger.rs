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
//! Besides COGS, what Omni pushes for each purchase order and stock adjustment (Omni's help:
//! "Sync transactions with Xero", "Sync purchase orders to Xero", "Sync adjustments to Xero"):
//! the debits of the bill a billed purchase order becomes ([`purchase_entries`]) and the
//! manual journal of each completed adjustment ([`adjustment_entries`]). Each is one entry of
//! source type [`DOCUMENT_POSTINGS`] (`omni-ledger/purchase/PurchaseOrders/12`,
//! `omni-ledger/adjustment/Adjustments/4`) that the document stands for in reconciliation, so
//! its Xero copy is compared, and a difference told on the account it lands on, through the
//! document's own match.
//!
//! Not derived (the API does not return it): landed costs (Omni posts them as their own
//! journals, debiting inventory), supplier credit notes (no endpoint), transfers and
//! production, and COGS debited to alternative COGS accounts (a product setting the API does
//! not return): see `docs/reconciliation-omni.md`.
//!
//! Pure functions: no I/O, no clock.

use std::collections::BTreeMap;

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::models::Transaction;
use super::normalise::voided;
use crate::model::{DOCUMENT_POSTINGS, LedgerEntry, LedgerLine, MONTHLY_JOURNAL};

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

/// Rounds to the cent, halves away from zero: Xero holds cents.
fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// An account code as configured or given: trimmed, `None` when blank.
fn code(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|c| !c.is_empty())
}

/// Whether Omni's integration posts a document with this import status (all but those
/// marked never to be imported).
fn exported(status: Option<&str>) -> bool {
    !status.is_some_and(|s| s.trim().eq_ignore_ascii_case("DoNotImport"))
}

/// The source id of a document's derived entry: `omni-ledger/purchase/PurchaseOrders/12`.
pub fn document_source_id(what: &str, external_id: &str) -> String {
    format!("{LEDGER_ENDPOINT}/{what}/{external_id}")
}

/// Sums `(account, amount)` per account (first-seen order), each rounded to the cent, zero
/// sums dropped, as lines dated `date`.
fn lines_by_account(
    date: NaiveDate,
    postings: impl IntoIterator<Item = (String, Decimal)>,
    description: &str,
) -> Vec<LedgerLine> {
    let mut sums: Vec<(String, Decimal)> = Vec::new();
    for (account, amount) in postings {
        match sums.iter_mut().find(|(a, _)| a.eq_ignore_ascii_case(&account)) {
            Some((_, sum)) => *sum += amount,
            None => sums.push((account, amount)),
        }
    }
    sums.into_iter()
        .map(|(account, amount)| (account, cents(amount)))
        .filter(|(_, amount)| !amount.is_zero())
        .zip(0..)
        .map(|((account_code, amount), line_no)| LedgerLine {
            line_no,
            date,
            account_code,
            amount,
            description: Some(description.to_owned()),
        })
        .collect()
}

/// What Omni's bill for each purchase order debits (see `docs/reconciliation-omni.md`): a
/// purchase order is synced as a Xero bill once it has its invoice date and supplier invoice
/// number (and is not void, nor marked never to be imported), dated its invoice date. Each
/// line debits its alternative account, else `inventory`, `qty × unitPrice − discount`; the
/// supplier's freight and surcharge go to `inventory` (Omni: freight is part of stock on hand),
/// the overall discount comes off it. Amounts are before tax: with `taxStatus` `Incl`, each
/// is divided by `1 + taxRate/100`. In another currency (`currencyRate` not 1) each is divided
/// by the rate. The bill's credit (accounts payable, with its tax) is not derived: no
/// control account, and its code is not configured. Landed costs (third-party additional
/// costs) are not on the purchase order the API returns.
pub fn purchase_entries(orders: &[Transaction], inventory: &str) -> Vec<LedgerEntry> {
    let mut entries: Vec<LedgerEntry> = orders
        .iter()
        .filter(|o| o.supplier_invoice_reference.is_some() && !voided(o))
        .filter(|o| exported(o.import_status.as_deref()))
        .filter_map(|order| {
            let date = order.invoice_date?;
            let id =
                super::normalise::external_id(super::Endpoint::PurchaseOrders, order.id.as_deref())
                    .ok()?;
            let inclusive =
                order.tax_status.as_deref().is_some_and(|s| s.trim().eq_ignore_ascii_case("Incl"));
            let tax = if inclusive {
                Decimal::ONE + order.tax_rate.unwrap_or_default() / Decimal::ONE_HUNDRED
            } else {
                Decimal::ONE
            };
            let rate = order.currency_rate.filter(|r| !r.is_zero()).unwrap_or(Decimal::ONE);
            let base = |amount: Decimal| amount / tax / rate;
            let lines = order.lines.iter().filter_map(|l| {
                let amount = l.qty? * l.unit_price? - l.discount.unwrap_or_default();
                let account = code(l.account_code.as_deref()).unwrap_or(inventory);
                Some((account.to_owned(), base(amount)))
            });
            let charges = order.freight_total.unwrap_or_default()
                + order.surcharge.unwrap_or_default()
                - order.discount_total.unwrap_or_default();
            let postings = lines.chain([(inventory.to_owned(), base(charges))]);
            let number = order.supplier_invoice_reference.as_deref().unwrap_or_default();
            let description = format!(
                "Bill {number} of purchase order {}",
                order.reference.as_deref().unwrap_or(&id)
            );
            let lines = lines_by_account(date, postings, &description);
            (!lines.is_empty()).then(|| LedgerEntry {
                source_id: document_source_id("purchase", &id),
                journal_number: None,
                source_type: Some(DOCUMENT_POSTINGS.to_owned()),
                reference: Some(number.to_owned()),
                lines,
            })
        })
        .collect();
    entries.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    entries
}

/// Why an adjustment that Omni posts could not be derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Underived {
    /// The adjustment's reference, else its stored id.
    pub label: String,
}

/// What Omni's manual journal for each stock adjustment posts (see
/// `docs/reconciliation-omni.md`): an adjustment is synced once it has its completed date and
/// its accounting adjustment date (`adjustInAccountingSystem`, the journal's date) and a value,
/// and is not void. Each line moves `qtyAdjusted × unitCost` into `inventory` (out of it when
/// negative) against the line's account, else the adjustment's alternative account, else
/// `default_account` (the account Omni's Xero settings credit for adjustments: cxsync's
/// `accounts.inventory_discrepancy`). An adjustment with a valued line and no account to
/// post it against is not derived and is returned among the [`Underived`].
pub fn adjustment_entries(
    adjustments: &[Transaction],
    inventory: &str,
    default_account: Option<&str>,
) -> (Vec<LedgerEntry>, Vec<Underived>) {
    let mut entries = Vec::new();
    let mut underived = Vec::new();
    for adjustment in adjustments.iter().filter(|a| a.completed_date.is_some() && !voided(a)) {
        let Some(date) = adjustment.adjust_in_accounting_system else { continue };
        let Ok(id) =
            super::normalise::external_id(super::Endpoint::Adjustments, adjustment.id.as_deref())
        else {
            continue;
        };
        let label = adjustment.reference.clone().unwrap_or_else(|| id.clone());
        let alternative = code(adjustment.alternative_account_code.as_deref());
        let mut postings = Vec::new();
        let mut unposted = false;
        for line in &adjustment.lines {
            let Some(value) = line.qty.zip(line.unit_cost).map(|(q, c)| q * c) else { continue };
            if value.is_zero() {
                continue;
            }
            match code(line.account_code.as_deref()).or(alternative).or(code(default_account)) {
                Some(account) => {
                    postings.push((inventory.to_owned(), value));
                    postings.push((account.to_owned(), -value));
                }
                None => unposted = true,
            }
        }
        if unposted {
            underived.push(Underived { label });
            continue;
        }
        let lines = lines_by_account(date, postings, &format!("Stock adjustment {label}"));
        if !lines.is_empty() {
            entries.push(LedgerEntry {
                source_id: document_source_id("adjustment", &id),
                journal_number: None,
                source_type: Some(DOCUMENT_POSTINGS.to_owned()),
                reference: Some(label),
                lines,
            });
        }
    }
    entries.sort_by(|a, b| a.source_id.cmp(&b.source_id));
    (entries, underived)
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

    fn purchase(overrides: Value) -> Transaction {
        let mut base = json!({
            "id": 12, "reference": "PO-12", "supplierInvoiceReference": "SUP-8812",
            "invoiceDate": "2026-03-09T00:00:00Z", "fullyReceivedDate": "2026-03-08T00:00:00Z",
            "taxStatus": "Excl", "taxRate": 10, "freightTotal": 20,
            "accountingAttributes": { "accountingImportStatus": "Imported" },
            "lineItems": [
                { "code": "A", "qty": 10, "unitPrice": 40, "discount": 5 },
                { "code": "B", "qty": 1, "unitPrice": 30, "accountCode": "429" }
            ]
        });
        merge(&mut base, overrides);
        Transaction::read(&base).unwrap()
    }

    /// `(date, account, amount)` of a line.
    type Shown = (String, String, Decimal);

    /// `(source id, lines)` of each entry.
    fn shown(entries: &[LedgerEntry]) -> Vec<(String, Vec<Shown>)> {
        entries
            .iter()
            .map(|e| {
                let lines = e
                    .lines
                    .iter()
                    .map(|l| (l.date.to_string(), l.account_code.clone(), l.amount))
                    .collect();
                (e.source_id.clone(), lines)
            })
            .collect()
    }

    #[test]
    fn a_billed_purchase_order_debits_inventory_with_its_lines_and_freight_before_tax() {
        let entries = purchase_entries(&[purchase(json!({}))], "630");
        let date = "2026-03-09".to_string();
        assert_eq!(
            shown(&entries),
            [(
                "omni-ledger/purchase/PurchaseOrders/12".to_string(),
                // 10 × 40 − 5 + 20 freight on inventory; the line with its own account there.
                vec![(date.clone(), "630".into(), d("415")), (date, "429".into(), d("30"))]
            )]
        );
        assert_eq!(entries[0].source_type.as_deref(), Some(DOCUMENT_POSTINGS));
        assert_eq!(entries[0].reference.as_deref(), Some("SUP-8812"));
    }

    #[rstest]
    #[case::billed(json!({}), Some(d("415")))]
    #[case::prices_include_tax(json!({ "taxStatus": "Incl", "taxRate": 10 }), Some(d("377.27")))]
    #[case::another_currency(json!({ "currencyRate": 2 }), Some(d("207.5")))]
    #[case::not_invoiced(json!({ "invoiceDate": null }), None)]
    #[case::no_supplier_invoice_number(json!({ "supplierInvoiceReference": null }), None)]
    #[case::voided(json!({ "isVoid": true }), None)]
    #[case::never_to_be_imported(json!({ "accountingAttributes": { "accountingImportStatus": "DoNotImport" } }), None)]
    #[case::not_yet_imported_is_still_due(json!({ "accountingAttributes": { "accountingImportStatus": "NotImported" } }), Some(d("415")))]
    fn a_purchase_order_is_derived_as_omni_bills_it(
        #[case] overrides: Value,
        #[case] inventory: Option<Decimal>,
    ) {
        let entries = purchase_entries(&[purchase(overrides)], "630");
        let on_inventory =
            entries.first().and_then(|e| e.lines.iter().find(|l| l.account_code == "630"));
        assert_eq!(on_inventory.map(|l| l.amount), inventory);
    }

    fn adjustment(overrides: Value) -> Transaction {
        let mut base = json!({
            "id": 4, "reference": "ADJ-4", "completedDate": "2026-03-05T00:00:00Z",
            "adjustInAccountingSystem": "2026-03-06T00:00:00Z",
            "lineItems": [
                { "code": "A", "qtyAdjusted": -2, "unitCost": 40 },
                { "code": "B", "qtyAdjusted": 3, "unitCost": 12.5, "account": "425" }
            ]
        });
        merge(&mut base, overrides);
        Transaction::read(&base).unwrap()
    }

    #[test]
    fn an_adjustment_moves_inventory_against_its_lines_accounts_else_the_default_one() {
        let (entries, underived) = adjustment_entries(&[adjustment(json!({}))], "630", Some("660"));
        assert!(underived.is_empty());
        let date = "2026-03-06".to_string();
        assert_eq!(
            shown(&entries),
            [(
                "omni-ledger/adjustment/Adjustments/4".to_string(),
                vec![
                    (date.clone(), "630".into(), d("-42.5")),
                    (date.clone(), "660".into(), d("80")),
                    (date, "425".into(), d("-37.5")),
                ]
            )]
        );
        // The adjustment's alternative account comes before the default one.
        let alternative = adjustment(json!({ "alternativeAccountCode": "650" }));
        let (entries, _) = adjustment_entries(&[alternative], "630", Some("660"));
        assert!(entries[0].lines.iter().any(|l| l.account_code == "650"));
    }

    #[rstest]
    #[case::not_completed(json!({ "completedDate": null }))]
    #[case::no_accounting_date(json!({ "adjustInAccountingSystem": null }))]
    #[case::voided(json!({ "isVoid": true }))]
    #[case::nothing_valued(json!({ "lineItems": [{ "qtyAdjusted": 1, "unitCost": 0 }] }))]
    fn an_adjustment_omni_does_not_post_is_not_derived(#[case] overrides: Value) {
        let (entries, underived) = adjustment_entries(&[adjustment(overrides)], "630", Some("660"));
        assert!(entries.is_empty() && underived.is_empty(), "{entries:?}");
    }

    #[test]
    fn an_adjustment_without_an_account_to_post_against_is_told_not_guessed() {
        let (entries, underived) = adjustment_entries(&[adjustment(json!({}))], "630", None);
        assert!(entries.is_empty());
        assert_eq!(underived, [Underived { label: "ADJ-4".into() }]);
    }

    #[test]
    fn a_month_whose_cogs_nets_to_zero_has_no_entry() {
        let one = order(json!({ "lineItems": [{ "qtyShipped": 1, "unitCost": 40.5 }] }));
        assert!(cogs_journals(&[one], &[note(json!({}))], "310", "630").is_empty());
    }
}
