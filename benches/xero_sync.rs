//! Xero backfill and idle-cycle cost against a fake Xero that enforces the per-minute limit
//! (on a scaled clock: one "minute" lasts `MINUTE`). Prints, per endpoint, the records, the
//! calls made and the theoretical minimum (ceil(rows / page size), at least one call), then
//! the totals, the 429s received, the backfill time and the bound the limit sets.
//!
//! Run: `cargo bench --bench xero_sync` (figures in docs/benchmarks.md).

// Counts and durations here are small and only printed.
#![allow(clippy::cast_possible_wrap, clippy::cast_precision_loss)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::fake_xero::{self, Behaviour, MinuteLimit, document};
use support::xero_harness::{API, Harness, fixture};
use wiremock::Mock;
use wiremock::matchers::{method, path};

/// One Xero "minute" on the benchmark's clock.
const MINUTE: Duration = Duration::from_secs(2);

/// Rows per endpoint: a mid-sized Cin7 business's first two years.
const ROWS: [(&str, usize, usize); 5] = [
    ("Invoices", 12_345, 1000),
    ("CreditNotes", 1_234, 1000),
    ("Payments", 6_789, 1000),
    ("ManualJournals", 2_500, 1000),
    ("BankTransactions", 1_111, 1000),
];
const JOURNALS: usize = 20_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `RUST_LOG=cxsync=info cargo bench --bench xero_sync` shows every wait and retry.
    let _ = cxsync::logging::init(
        cxsync::logging::LogFormat::Text,
        &std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
    );
    let mut h = Harness::new().await;
    h.minute = MINUTE;
    let limit = MinuteLimit::new(60, MINUTE);
    let behaviour = Behaviour { fail_calls: vec![], limit: Some(limit.clone()) };
    for (endpoint, file) in [
        ("Organisation", "organisation_get.json"),
        ("Accounts", "accounts_statuses_get.json"),
        ("TrackingCategories", "tracking_categories_get.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .respond_with(fake_xero::fixed(fixture(file), behaviour.clone()))
            .mount(&h.server)
            .await;
    }
    let mut minimum = 3; // the three settings lists, one call each
    for (key, rows, page) in ROWS {
        // Roughly one document every two seconds, with a tie every tenth (bulk actions).
        let records = (0..rows)
            .map(|n| document(key, n, (n as i64) * 2 - i64::from(n % 10 == 9) * 2))
            .collect();
        Mock::given(method("GET"))
            .and(path(format!("{API}/{key}")))
            .respond_with(fake_xero::list(key, records, behaviour.clone()))
            .mount(&h.server)
            .await;
        minimum += rows.div_ceil(page).max(1);
    }
    let journals = (1..=JOURNALS as i64).map(fake_xero::journal).collect();
    Mock::given(method("GET"))
        .and(path(format!("{API}/Journals")))
        .respond_with(fake_xero::journals(journals, behaviour.clone()))
        .mount(&h.server)
        .await;
    minimum += JOURNALS.div_ceil(100);

    let started = Instant::now();
    let backfill = h.run(false).await;
    let elapsed = started.elapsed();
    let idle = h.run(false).await;

    println!("{:<20} {:>8} {:>8} {:>8}", "endpoint", "records", "calls", "minimum");
    let mut calls = 0;
    for report in &backfill {
        assert!(report.error.is_none(), "{report:?}");
        let rows = ROWS
            .iter()
            .find(|(k, ..)| *k == report.endpoint)
            .map(|(_, rows, page)| (*rows, rows.div_ceil(*page).max(1)));
        let (rows, min) = match report.endpoint.as_str() {
            "Journals" => (JOURNALS, JOURNALS.div_ceil(100)),
            _ => rows.unwrap_or((report.new, 1)),
        };
        println!("{:<20} {:>8} {:>8} {:>8}", report.endpoint, rows, report.calls, min);
        calls += report.calls;
    }
    let token_calls = h
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/connect/token")
        .count();
    let idle_calls: usize = idle.iter().map(|r| r.calls).sum();
    // The client sends at most 57 calls in any rolling "minute" (60 less its headroom): the
    // first 57 go at once, and call n waits until call n - 57 is a minute old.
    let bound = MINUTE * u32::try_from(calls.saturating_sub(1) / 57).unwrap_or(u32::MAX);
    println!();
    println!(
        "backfill API calls: {calls} (theoretical minimum {minimum}, {:+.2} %)",
        (calls as f64 / minimum as f64 - 1.0) * 100.0
    );
    println!("token calls: {token_calls}");
    println!("idle cycle: {idle_calls} calls over {} endpoints", idle.len());
    println!("429s received: {}", limit.rejected.load(std::sync::atomic::Ordering::SeqCst));
    println!(
        "backfill time: {:.1} s with a {}-second minute; bound set by 57 calls a rolling minute: {:.1} s (in real minutes: {})",
        elapsed.as_secs_f64(),
        MINUTE.as_secs(),
        bound.as_secs_f64(),
        calls.saturating_sub(1) / 57
    );
}
