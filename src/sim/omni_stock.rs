//! The simulated Cin7 Omni's purchase orders and stock adjustments, and what Omni's Xero
//! integration posts for them (`docs/reconciliation-omni.md`): a purchase order, once it has
//! its invoice date and supplier invoice number, is an `ACCPAY` bill dated its invoice date,
//! numbered by the supplier's invoice number, its lines and freight coded to inventory (630)
//! before tax, with GST; a completed stock adjustment is a manual journal dated its accounting
//! date, naming its reference, moving inventory against the adjustment's account (660, the
//! connection's `inventory_discrepancy`, when its lines name none).
//!
//! Planted (listed in the ground truth): a bill 5.00 more in Xero (`amount_mismatch`), a
//! bill never pushed (`missing_in_xero`), an adjustment journal edited in Xero to 10.00 more
//! (`amount_mismatch`) and one never pushed (`missing_in_xero`); and, with nothing to post, a
//! purchase order received and never invoiced (`missing_document_date`).

use std::str::FromStr as _;

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::data::{Item, START_MS, XeroWorld};

/// One day in milliseconds.
const DAY: i64 = 86_400_000;

/// The account stock adjustments without their own account post against.
pub const ADJUSTMENT_ACCOUNT: &str = "660";

/// What the purchases and adjustments leave: the plants' ground truth, and what Omni's
/// documents post to inventory (630) by the simulator's own reckoning, Xero's copy aside.
#[derive(Debug, Default)]
pub struct StockPlants {
    pub truth: Vec<(&'static str, String)>,
    pub cin7_inventory: Decimal,
}

/// Omni's date-time text (`2026-01-02T00:00:00Z`).
fn omni_date(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or(Value::Null, |t| Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

/// An exact amount as a JSON number with two places, as Xero writes it.
fn amount(value: Decimal) -> Value {
    Value::Number(serde_json::Number::from_str(&format!("{value:.2}")).unwrap_or(0.into()))
}

fn xero_date(ms: i64) -> String {
    format!("/Date({ms}+0000)/")
}

/// Appends one general-ledger journal (and its trial-balance postings) to Xero.
fn journal(
    world: &mut XeroWorld,
    day: i64,
    source: &str,
    source_id: &str,
    lines: &[(&str, Decimal)],
) {
    let number =
        world.journals.iter().filter_map(|j| j["JournalNumber"].as_i64()).max().unwrap_or(0) + 1;
    let lines: Vec<Value> = lines
        .iter()
        .enumerate()
        .map(|(n, (code, value))| {
            world.postings.push((day, (*code).to_string(), *value));
            json!({ "JournalLineID": format!("{source_id}-{n}"), "AccountCode": code,
                    "NetAmount": amount(*value), "GrossAmount": amount(*value), "TaxAmount": 0 })
        })
        .collect();
    world.journals.push(json!({
        "JournalID": format!("{:08x}-0000-4000-8000-{number:012x}", 0x5300_0000_u32),
        "JournalNumber": number, "JournalDate": xero_date(day), "CreatedDateUTC": xero_date(day + 3_600_000),
        "SourceType": source, "SourceID": source_id, "JournalLines": lines,
    }));
}

fn push(world: &mut XeroWorld, key: &'static str, updated_ms: i64, json: Value) {
    let items = world.lists.entry(key).or_default();
    items.push(Item {
        updated_ms,
        status: json["Status"].as_str().unwrap_or_default().into(),
        json,
    });
    items.sort_by_key(|item| item.updated_ms);
}

/// The account adjustments post against, in Xero's chart.
pub fn add_adjustment_account(world: &mut XeroWorld) {
    world.accounts.push(json!({
        "AccountID": "acc06600-0000-4000-8000-000000000660", "Code": ADJUSTMENT_ACCOUNT,
        "Name": "Stock Adjustments", "Type": "DIRECTCOSTS", "Status": "ACTIVE",
        "UpdatedDateUTC": xero_date(START_MS - DAY * 30),
    }));
}

/// `count` purchase orders (at least six) and the bills Xero holds for them (see the module
/// notes): the first ordered only, the second received and never invoiced, the rest billed.
pub fn purchase_orders(
    world: &mut XeroWorld,
    count: usize,
    plants: &mut StockPlants,
) -> Vec<(i64, Value)> {
    let tax_rate = Decimal::TEN;
    (0..count.max(6))
        .map(|n| {
            let at = START_MS + i64::try_from(n).unwrap_or(0) * DAY + 3_600_000;
            let day = at - at.rem_euclid(DAY);
            let reference = format!("PO-{:06}", n + 1);
            let (received, invoiced) = (n >= 1, n >= 2);
            let supplier_number = invoiced.then(|| format!("SUP-{:05}", n + 1));
            let freight = if n == 4 { Decimal::new(2500, 2) } else { Decimal::ZERO };
            let (quantity, price) = (Decimal::from(20), Decimal::from(20));
            let net = quantity * price + freight;
            let total = net + (net * tax_rate / Decimal::ONE_HUNDRED).round_dp(2);
            let never_pushed = n == 3;
            let status = match () {
                () if !invoiced || never_pushed => "NotImported",
                () => "Imported",
            };
            if let Some(number) = &supplier_number {
                plants.cin7_inventory += net;
                if never_pushed {
                    plants.truth.push(("missing_in_xero", number.clone()));
                } else {
                    // Planted: a bill edited in Xero to 5.00 more on its stock line.
                    let edited = if n == 2 { Decimal::new(500, 2) } else { Decimal::ZERO };
                    if n == 2 {
                        plants.truth.push(("amount_mismatch", number.clone()));
                    }
                    bill(world, n, day, number, &reference, quantity * price + edited, freight, tax_rate);
                }
            }
            if n == 1 {
                plants.truth.push(("missing_document_date", reference.clone()));
            }
            (at, json!({
                "id": n + 1, "createdDate": omni_date(at), "modifiedDate": omni_date(at),
                "reference": reference, "company": "Widget Supplies", "currencyCode": "AUD", "currencyRate": 1,
                "taxStatus": "Excl", "taxRate": 10, "freightTotal": freight, "total": amount(total),
                "isVoid": false, "status": "Approved", "stage": if received { "Received" } else { "Ordered" },
                "fullyReceivedDate": if received { omni_date(day) } else { Value::Null },
                "invoiceDate": if invoiced { omni_date(day) } else { Value::Null },
                "supplierInvoiceReference": supplier_number,
                "accountingAttributes": { "accountingImportStatus": status },
                "lineItems": [{ "code": "SKU-1", "name": "Widget", "qty": 20, "unitPrice": 20 }],
            }))
        })
        .collect()
}

/// The `ACCPAY` bill Omni pushed for purchase order `n`, and its journal.
#[allow(clippy::too_many_arguments)]
fn bill(
    world: &mut XeroWorld,
    n: usize,
    day: i64,
    number: &str,
    reference: &str,
    goods: Decimal,
    freight: Decimal,
    tax_rate: Decimal,
) {
    let bill_id = format!("{:08x}-0000-4000-8000-{n:012x}", 0x2300_0000_u32);
    let net = goods + freight;
    let tax = (net * tax_rate / Decimal::ONE_HUNDRED).round_dp(2);
    let total = net + tax;
    let line = |description: &str, value: Decimal| {
        json!({ "Description": description, "Quantity": 1, "UnitAmount": amount(value), "LineAmount": amount(value),
                "TaxAmount": amount((value * tax_rate / Decimal::ONE_HUNDRED).round_dp(2)), "AccountCode": "630",
                "TaxType": "INPUT" })
    };
    let mut lines = vec![line("Widget", goods)];
    if !freight.is_zero() {
        lines.push(line("Freight", freight));
    }
    let updated = day + 3_600_000;
    push(
        world,
        "Invoices",
        updated,
        json!({
            "Type": "ACCPAY", "InvoiceID": bill_id, "InvoiceNumber": number, "Reference": reference,
            "Contact": { "ContactID": "c0ffee00-0000-4000-8000-000000000001", "Name": "Widget Supplies" },
            "Date": xero_date(day), "DueDate": xero_date(day + DAY * 30), "Status": "AUTHORISED",
            "LineAmountTypes": "Exclusive", "CurrencyCode": "AUD",
            "SubTotal": amount(net), "TotalTax": amount(tax), "Total": amount(total),
            "AmountPaid": amount(Decimal::ZERO), "AmountCredited": amount(Decimal::ZERO), "AmountDue": amount(total),
            "LineItems": lines, "UpdatedDateUTC": xero_date(updated),
        }),
    );
    journal(world, day, "ACCPAY", &bill_id, &[("630", net), ("820", tax), ("800", -total)]);
}

/// The draft adjustment (not completed: nothing posted) and completed ones with the journals
/// Xero holds for them (see the module notes).
pub fn adjustments(world: &mut XeroWorld, plants: &mut StockPlants) -> Vec<(i64, Value)> {
    let start = START_MS;
    let mut records = vec![(
        start,
        json!({
            "id": 1, "createdDate": omni_date(start), "modifiedDate": omni_date(start), "reference": "ADJ-000001",
            "completedDate": null, "adjustmentReason": "Stocktake", "productTotal": 0,
            "lineItems": [{ "code": "SKU-2", "qtyAdjusted": -1, "unitCost": 10, "account": "650" }],
        }),
    )];
    // (quantity, unit cost, the line's own account)
    let completed: [(i64, Decimal, Option<&str>); 3] = [
        (3, Decimal::new(1250, 2), None),
        (-2, Decimal::from(40), Some(ADJUSTMENT_ACCOUNT)),
        (1, Decimal::from(55), None),
    ];
    for (k, (quantity, cost, account)) in completed.into_iter().enumerate() {
        let id = k + 2;
        let at = start + i64::try_from(id + 2).unwrap_or(0) * DAY;
        let reference = format!("ADJ-{id:06}");
        let value = Decimal::from(quantity) * cost;
        let (edited, missing) = (id == 3, id == 4);
        plants.cin7_inventory += value;
        if missing {
            plants.truth.push(("missing_in_xero", reference.clone()));
        } else {
            // Planted: the journal edited in Xero to 10.00 more, each way.
            let extra = if edited {
                if value.is_sign_negative() { -Decimal::TEN } else { Decimal::TEN }
            } else {
                Decimal::ZERO
            };
            if edited {
                plants.truth.push(("amount_mismatch", reference.clone()));
            }
            adjustment_journal(world, id, at, &reference, value + extra);
        }
        records.push((at, json!({
            "id": id, "createdDate": omni_date(at), "modifiedDate": omni_date(at), "reference": reference,
            "completedDate": omni_date(at), "adjustInAccountingSystem": omni_date(at),
            "adjustmentReason": "Stocktake", "productTotal": amount(value),
            "lineItems": [{ "code": "SKU-2", "qtyAdjusted": quantity, "unitCost": amount(cost), "account": account }],
        })));
    }
    records
}

/// The manual journal Omni pushed for an adjustment of `value` (inventory up when positive).
fn adjustment_journal(world: &mut XeroWorld, id: usize, day: i64, reference: &str, value: Decimal) {
    let mj_id = format!("{:08x}-0000-4000-8000-{id:012x}", 0x2400_0000_u32);
    let updated = day + 3_600_000;
    let lines = [("630", value), (ADJUSTMENT_ACCOUNT, -value)];
    push(
        world,
        "ManualJournals",
        updated,
        json!({
            "ManualJournalID": mj_id, "Narration": format!("Cin7 Omni stock adjustment {reference}"),
            "Date": xero_date(day), "Status": "POSTED", "LineAmountTypes": "NoTax",
            "JournalLines": lines.iter().map(|(code, v)| json!({ "LineAmount": amount(*v), "AccountCode": code,
                "Description": "Stock adjustment" })).collect::<Vec<_>>(),
            "UpdatedDateUTC": xero_date(updated),
        }),
    );
    journal(world, day, "MANJOURNAL", &mj_id, &lines);
}
