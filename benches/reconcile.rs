//! Reconciliation time and peak memory at a given size: N Cin7 documents (sales invoices,
//! credit notes, purchase invoices, stock adjustments, two lines each) against their Xero
//! mirror (invoices, credit notes, bills, manual journals naming the Cin7 task), with one in a
//! thousand Xero totals changed. Prints the time to build the input, the time to reconcile,
//! the findings, and the process's peak resident memory (`VmHWM`).
//!
//! With `--store` it measures the real path instead: it first writes the same documents (and
//! each one's Cin7 ledger postings: a `transactions` feed row, and for sales and purchases
//! their detail's postings) into a fresh SQLite store through `Store::write_page`, untimed,
//! then times loading the input from the store, reconciling and saving the outcome, twice
//! (the first run stores every match and finding, the second is a daily re-run); the peak RSS
//! is reset after the store is written (`/proc/self/clear_refs`).
//!
//! Run: `cargo bench --bench reconcile -- 100000` and `-- 1000000`, each also with `--store`
//! (figures in docs/benchmarks.md). `--store --keep-store PATH` writes the store to `PATH`
//! and keeps it; a later run with the same `PATH` and size reuses it instead of writing it
//! again (its matches and findings are cleared first). Delete the file after a change to what
//! the store holds.

// Sizes and counts here are small and only printed or used as synthetic amounts.
#![allow(clippy::cast_possible_wrap, clippy::too_many_lines)]

use std::time::Instant;

use chrono::{DateTime, NaiveDate};
use cxsync::config::AccountMap;
use cxsync::model::{Account, DocType, Document, DocumentLine};
use cxsync::reconcile::{ReconcileInput, Settings, reconcile};
use rust_decimal::Decimal;

#[path = "common/process.rs"]
mod process;
use process::{cpu_seconds, peak_rss_kib, reset_peak_rss};

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

/// The `i`th Cin7 document and its Xero mirror (one sales invoice in a thousand with a
/// different Xero total, counted in `planted`).
fn mirrored(i: usize, start: NaiveDate, planted: &mut usize) -> (Document, Document) {
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
        *planted += 1;
    }
    // Each model document goes into the lean tables and is dropped.
    (cin7, xero)
}

fn accounts() -> AccountMap {
    AccountMap {
        inventory: "630".into(),
        cogs: Some("310".into()),
        revenue: Some("200".into()),
        grni: Some("815".into()),
        stock_in_transit: None,
        wip: None,
        inventory_discrepancy: None,
        supplier_deposits: None,
    }
}

fn chart() -> Vec<Account> {
    ["200", "310", "610", "630", "800", "815"]
        .iter()
        .map(|code| Account {
            external_id: format!("acc-{code}"),
            code: Some((*code).into()),
            name: None,
            account_type: None,
            status: "ACTIVE".into(),
            updated_at: None,
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    if args.iter().any(|a| a == "--store") {
        let keep = args.iter().position(|a| a == "--keep-store").map(|i| args[i + 1].as_str());
        store::run(size, keep);
        return;
    }
    let started = Instant::now();
    let mut input = ReconcileInput::empty(accounts());
    input.xero_accounts = chart();
    let start = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
    let mut planted = 0;
    for i in 0..size {
        let (cin7, xero) = mirrored(i, start, &mut planted);
        input.cin7_documents.push(&cin7);
        input.xero_documents.push(&xero);
    }
    input.cin7_documents.shrink_to_fit();
    input.xero_documents.shrink_to_fit();
    let built = started.elapsed();
    let input_peak = peak_rss_kib();
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    let (started, cpu_started) = (Instant::now(), cpu_seconds());
    let outcome = reconcile(&input, &Settings::default(), now);
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu_started);
    let mut kinds = std::collections::BTreeMap::new();
    for finding in &outcome.findings {
        *kinds.entry(finding.kind.as_str()).or_insert(0) += 1;
    }
    let peak = peak_rss_kib();
    println!("documents per side: {size}");
    println!("input built in {:.2} s", built.as_secs_f64());
    println!(
        "reconcile: {:.2} s (CPU {cpu:.2} s), {} matches",
        elapsed.as_secs_f64(),
        outcome.matches.len()
    );
    println!("findings: {kinds:?} (planted amount changes: {planted})");
    println!("peak RSS: {} MiB ({} MiB with the input alone)", peak / 1024, input_peak / 1024);
}

/// The `--store` mode.
mod store {
    use std::time::Instant;

    use chrono::{DateTime, NaiveDate};
    use cxsync::config::Cin7Kind;
    use cxsync::model::{DocType, Document, LedgerEntry, LedgerLine, Payload, Record, System};
    use cxsync::reconcile::{Settings, reconcile};
    use cxsync::store::{PageWrite, Store};
    use rust_decimal::Decimal;

    use super::{accounts, chart, cpu_seconds, mirrored, peak_rss_kib, reset_peak_rss};

    const CONNECTION: &str = "bench";
    const PAGE: usize = 2_000;

    /// A ledger entry of debit/credit postings, each two lines.
    fn entry(
        source_id: String,
        source_type: &str,
        reference: Option<&str>,
        date: NaiveDate,
        postings: &[(&str, &str, Decimal)],
    ) -> LedgerEntry {
        let lines = postings
            .iter()
            .zip(0u32..)
            .flat_map(|((debit, credit, amount), n)| {
                let line = |line_no, account: &str, amount| LedgerLine {
                    line_no,
                    date,
                    account_code: account.into(),
                    amount,
                    description: Some("bench posting".into()),
                };
                [line(2 * n, debit, *amount), line(2 * n + 1, credit, -*amount)]
            })
            .collect();
        LedgerEntry {
            source_id,
            journal_number: None,
            source_type: Some(source_type.into()),
            reference: reference.map(Into::into),
            lines,
        }
    }

    /// What Cin7 posts for a document: one `transactions` feed row (its task's main posting),
    /// and for a sale or purchase its detail's postings (revenue and COGS; receipt into GRNI
    /// and the supplier invoice out of it), all on its date.
    fn postings(doc: &Document) -> Vec<LedgerEntry> {
        let (Some(date), Some(total)) = (doc.date, doc.total) else { return Vec::new() };
        let number = doc.number.as_deref();
        let cost = (total * Decimal::new(6, 1)).round_dp(2);
        let feed = |kind: &str, debit, credit, amount| {
            let id =
                format!("transactions/{}/{date}/{:012x}.0", doc.external_id, doc.external_id.len());
            entry(id, kind, number, date, &[(debit, credit, amount)])
        };
        match doc.doc_type {
            DocType::SalesInvoice | DocType::SalesCreditNote => vec![
                feed("Sale", "310", "630", cost),
                entry(
                    format!("sale/{}", doc.external_id),
                    "Sale",
                    number,
                    date,
                    &[("610", "200", total), ("310", "630", cost)],
                ),
            ],
            DocType::PurchaseInvoice => vec![
                feed("Purchase", "630", "815", total),
                entry(
                    format!("purchase/{}", doc.external_id),
                    "Purchase",
                    number,
                    date,
                    &[("630", "815", total), ("815", "800", total)],
                ),
            ],
            _ => {
                let half = (total / Decimal::TWO).round_dp(2);
                vec![feed("Stock Adjustment", "630", "310", half)]
            }
        }
    }

    fn record(id: &str, payload: Payload) -> (Record, String) {
        let record = Record { external_id: id.into(), updated_at: None, payload };
        (record, "{}".into())
    }

    fn flush(
        store: &mut Store,
        system: System,
        endpoint: &str,
        records: &mut Vec<(Record, String)>,
    ) {
        let page = PageWrite::records(CONNECTION, system, endpoint, std::mem::take(records));
        store.write_page(&page, DateTime::UNIX_EPOCH).expect("write a page");
    }

    /// Writes `size` documents per side, their Cin7 postings and the chart into `store`.
    fn fill(store: &mut Store, size: usize) -> (usize, usize) {
        store
            .ensure_connection(CONNECTION, Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .expect("connection");
        let accounts = chart()
            .into_iter()
            .map(|a| record(&a.external_id.clone(), Payload::Account(a)))
            .collect();
        let mut accounts = accounts;
        flush(store, System::Xero, "Accounts", &mut accounts);
        let start = NaiveDate::from_ymd_opt(2025, 7, 1).expect("date");
        let (mut planted, mut ledger_lines) = (0, 0);
        let (mut cin7, mut xero, mut ledger) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..size {
            let (source, copy) = mirrored(i, start, &mut planted);
            for posting in postings(&source) {
                ledger_lines += posting.lines.len();
                ledger.push(record(&posting.source_id.clone(), Payload::Ledger(posting)));
            }
            cin7.push(record(&source.external_id.clone(), Payload::Document(source)));
            xero.push(record(&copy.external_id.clone(), Payload::Document(copy)));
            if cin7.len() == PAGE || i + 1 == size {
                flush(store, System::Cin7, "bench-documents", &mut cin7);
                flush(store, System::Xero, "bench-documents", &mut xero);
                flush(store, System::Cin7, "bench-ledger", &mut ledger);
            }
        }
        (planted, ledger_lines)
    }

    /// How many sales invoices `fill` gives a different Xero total (as `mirrored` plants them).
    fn planted(size: usize) -> usize {
        (0..size).filter(|i| i % 1000 == 500 && i % 20 <= 11).count()
    }

    /// A store kept from an earlier run of the same size (`--keep-store PATH`) is reused:
    /// its matches and findings are deleted, so the first timed run again stores every one.
    /// Returns the number of Cin7 ledger lines, or `None` if `path` holds no such store.
    fn reuse(path: &std::path::Path, size: usize) -> Option<usize> {
        if !path.exists() {
            return None;
        }
        let conn = rusqlite::Connection::open(path).expect("open the kept store");
        let count = |sql: &str| -> usize {
            conn.query_row(sql, [], |row| row.get::<_, i64>(0))
                .map_or(0, |n| usize::try_from(n).unwrap_or(0))
        };
        let documents = count("SELECT count(*) FROM documents WHERE system = 'cin7'");
        assert_eq!(documents, size, "{} holds another size: delete it", path.display());
        conn.execute_batch(
            "DELETE FROM matches; DELETE FROM finding_events; DELETE FROM findings;",
        )
        .expect("clear the kept store's results");
        Some(count("SELECT count(*) FROM ledger_lines WHERE system = 'cin7'"))
    }

    pub(super) fn run(size: usize, keep: Option<&str>) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = keep.map_or_else(|| dir.path().join("cxsync.db"), std::path::PathBuf::from);
        let kept = reuse(&path, size);
        let mut store = Store::open(&path).expect("open the store");
        let started = Instant::now();
        let (planted, ledger_lines) = match kept {
            Some(lines) => (planted(size), lines),
            None => fill(&mut store, size),
        };
        let filled = started.elapsed();
        let wal = path.with_extension("db-wal");
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len())
            + std::fs::metadata(wal).map_or(0, |m| m.len());
        println!("documents per side: {size}, Cin7 ledger lines: {ledger_lines}");
        println!(
            "store {} in {:.1} s ({} MiB), RSS peak so far {} MiB",
            if kept.is_some() { "reused, opened" } else { "written" },
            filled.as_secs_f64(),
            bytes / (1 << 20),
            peak_rss_kib() / 1024
        );
        let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        reset_peak_rss();
        for run in ["first run", "re-run"] {
            let (started, cpu_started) = (Instant::now(), cpu_seconds());
            let input = store.reconcile_input(CONNECTION, accounts()).expect("load");
            let (loaded, cpu_loaded) = (started.elapsed(), cpu_seconds());
            let input_peak = peak_rss_kib();
            let outcome = reconcile(&input, &Settings::default(), now);
            let (reconciled, cpu_reconciled) = (started.elapsed(), cpu_seconds());
            let changes = store.save_outcome(CONNECTION, &outcome, now).expect("save");
            let (total, cpu_total) = (started.elapsed(), cpu_seconds());
            let mut kinds = std::collections::BTreeMap::new();
            for finding in &outcome.findings {
                *kinds.entry(finding.kind.as_str()).or_insert(0) += 1;
            }
            println!(
                "{run}: load {:.2} s, reconcile {:.2} s, save {:.2} s, total {:.2} s; {} matches; \
                 findings {kinds:?} (planted {planted}); {changes:?}",
                loaded.as_secs_f64(),
                reconciled.saturating_sub(loaded).as_secs_f64(),
                total.saturating_sub(reconciled).as_secs_f64(),
                total.as_secs_f64(),
                outcome.matches.len(),
            );
            println!(
                "{run}: CPU load {:.2} s, reconcile {:.2} s, save {:.2} s, total {:.2} s",
                cpu_loaded - cpu_started,
                cpu_reconciled - cpu_loaded,
                cpu_total - cpu_reconciled,
                cpu_total - cpu_started,
            );
            println!(
                "{run}: peak RSS {} MiB since the store was written ({} MiB once the input was loaded)",
                peak_rss_kib() / 1024,
                input_peak / 1024
            );
        }
    }
}
