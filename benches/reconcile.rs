//! Reconciliation time and peak memory at a given size: N Cin7 documents (sales invoices,
//! credit notes, purchase invoices, stock adjustments, two lines each) against their Xero
//! mirror (invoices, credit notes, bills, manual journals naming the Cin7 task), with one in a
//! thousand Xero totals changed. Prints the time to build the input, the time to reconcile,
//! the findings, and the process's peak resident memory (`VmHWM`).
//!
//! Run: `cargo bench --bench reconcile -- 100000` and `-- 1000000` (figures in
//! docs/benchmarks.md).

// Sizes and counts here are small and only printed or used as synthetic amounts.
#![allow(clippy::cast_possible_wrap, clippy::too_many_lines)]

use std::time::Instant;

use chrono::{DateTime, NaiveDate};
use cxsync::config::AccountMap;
use cxsync::model::{Account, DocType, Document, DocumentLine};
use cxsync::reconcile::{ReconcileInput, Settings, reconcile};
use rust_decimal::Decimal;

fn document(
    doc_type: DocType,
    id: String,
    number: String,
    reference: Option<String>,
    total: Decimal,
    date: NaiveDate,
    accounts: [&str; 2],
) -> Document {
    let half = (total / Decimal::TWO).round_dp(2);
    Document {
        doc_type,
        external_id: id,
        number: Some(number),
        reference,
        contact: Some("Customer".into()),
        status: "AUTHORISED".into(),
        date: Some(date),
        due_date: None,
        currency: Some("AUD".into()),
        total: Some(total),
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: Some(DateTime::UNIX_EPOCH),
        channel: None,
        lines: accounts
            .iter()
            .zip([half, total - half])
            .map(|(account, amount)| DocumentLine {
                account_code: Some((*account).into()),
                line_amount: Some(amount),
                quantity: Some(Decimal::ONE),
                ..DocumentLine::default()
            })
            .collect(),
    }
}

fn main() {
    let size: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let started = Instant::now();
    let accounts = AccountMap {
        inventory: "630".into(),
        cogs: Some("310".into()),
        revenue: Some("200".into()),
        grni: Some("815".into()),
        stock_in_transit: None,
        wip: None,
        inventory_discrepancy: None,
        supplier_deposits: None,
    };
    let mut input = ReconcileInput::empty(accounts);
    input.xero_accounts = ["200", "310", "610", "630", "800", "815"]
        .iter()
        .map(|code| Account {
            external_id: format!("acc-{code}"),
            code: Some((*code).into()),
            name: None,
            account_type: None,
            status: "ACTIVE".into(),
            updated_at: None,
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
    let mut planted = 0;
    for i in 0..size {
        let date = start + chrono::Days::new((i % 365) as u64);
        let total = Decimal::new(1_000 + (i as i64 * 7919) % 900_000, 2);
        let (doc_type, cin7, xero) = match i % 20 {
            0..=11 => {
                let number = format!("INV-{i:07}");
                (
                    DocType::SalesInvoice,
                    document(
                        DocType::SalesInvoice,
                        format!("c{i}"),
                        number.clone(),
                        None,
                        total,
                        date,
                        ["200", "200"],
                    ),
                    document(
                        DocType::SalesInvoice,
                        format!("x{i}"),
                        number,
                        None,
                        total,
                        date,
                        ["200", "200"],
                    ),
                )
            }
            12 => {
                let number = format!("CR-{i:07}");
                (
                    DocType::SalesCreditNote,
                    document(
                        DocType::SalesCreditNote,
                        format!("c{i}"),
                        number.clone(),
                        None,
                        total,
                        date,
                        ["200", "200"],
                    ),
                    document(
                        DocType::SalesCreditNote,
                        format!("x{i}"),
                        number,
                        None,
                        total,
                        date,
                        ["200", "200"],
                    ),
                )
            }
            13..=15 => {
                let number = format!("PI-{i:07}");
                (
                    DocType::PurchaseInvoice,
                    document(
                        DocType::PurchaseInvoice,
                        format!("c{i}"),
                        number.clone(),
                        None,
                        total,
                        date,
                        ["815", "815"],
                    ),
                    document(
                        DocType::PurchaseInvoice,
                        format!("x{i}"),
                        format!("BILL-{i}"),
                        Some(number),
                        total,
                        date,
                        ["815", "815"],
                    ),
                )
            }
            _ => {
                let task = format!("6f0b{i:08}-0000-4000-8000-000000000000");
                let cin7 = document(
                    DocType::StockAdjustment,
                    task.clone(),
                    format!("SA-{i:07}"),
                    None,
                    total,
                    date,
                    ["630", "310"],
                );
                let mut xero = document(
                    DocType::ManualJournal,
                    format!("x{i}"),
                    format!("MJ-{i}"),
                    Some(format!("Cin7 stock adjustment (task {task})")),
                    total,
                    date,
                    ["630", "310"],
                );
                xero.number = None;
                (DocType::StockAdjustment, cin7, xero)
            }
        };
        let mut xero = xero;
        if i % 1000 == 500 && doc_type == DocType::SalesInvoice {
            xero.total = xero.total.map(|t| t + Decimal::ONE);
            planted += 1;
        }
        // Each model document goes into the lean tables and is dropped.
        input.cin7_documents.push(&cin7);
        input.xero_documents.push(&xero);
    }
    input.cin7_documents.shrink_to_fit();
    input.xero_documents.shrink_to_fit();
    let built = started.elapsed();
    let input_peak = peak_rss_kib();
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    let started = Instant::now();
    let outcome = reconcile(&input, &Settings::default(), now);
    let elapsed = started.elapsed();
    let mut kinds = std::collections::BTreeMap::new();
    for finding in &outcome.findings {
        *kinds.entry(finding.kind.as_str()).or_insert(0) += 1;
    }
    let peak = peak_rss_kib();
    println!("documents per side: {size}");
    println!("input built in {:.2} s", built.as_secs_f64());
    println!("reconcile: {:.2} s, {} matches", elapsed.as_secs_f64(), outcome.matches.len());
    println!("findings: {kinds:?} (planted amount changes: {planted})");
    println!("peak RSS: {} MiB ({} MiB with the input alone)", peak / 1024, input_peak / 1024);
}

/// The process's peak resident set so far (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0))
        })
        .unwrap_or(0)
}
