//! A fake Xero list endpoint for wiremock, shared by the sync tests and the sync benchmark:
//! `If-Modified-Since` (inclusive, whole seconds), `UpdatedDateUTC` order, `page`/`pageSize`
//! paging, `offset` paging for Journals, and optionally Xero's per-minute limit with its
//! headers and 429s. It builds JSON from its own data, never through cxsync's models.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

/// 2026-01-01T00:00:00Z in milliseconds.
pub const T0: i64 = 1_767_225_600_000;

/// An ACCREC invoice numbered `n`, updated `second` seconds after T0.
pub fn invoice(n: usize, second: i64) -> Value {
    json!({
        "Type": "ACCREC",
        "InvoiceID": format!("00000000-0000-0000-0000-{n:012}"),
        "InvoiceNumber": format!("INV-{n:05}"),
        "Status": "AUTHORISED",
        "Contact": { "Name": "Customer" },
        "Date": "/Date(1767225600000+0000)/",
        "Total": 110.00,
        "TotalTax": 10.00,
        "AmountPaid": 0.00,
        "LineItems": [{ "Description": "Widget", "Quantity": 1.0000, "UnitAmount": 100.0000, "LineAmount": 100.00, "AccountCode": "200", "TaxAmount": 10.00 }],
        "UpdatedDateUTC": format!("/Date({}+0000)/", T0 + second * 1000),
    })
}

/// A journal numbered `n` posting `amount` from revenue (200) to receivables (610).
pub fn journal(n: i64) -> Value {
    json!({
        "JournalID": format!("10000000-0000-0000-0000-{n:012}"),
        "JournalNumber": n,
        "JournalDate": "/Date(1767225600000+0000)/",
        "CreatedDateUTC": format!("/Date({}+0000)/", T0 + n * 1000),
        "SourceType": "ACCREC",
        "JournalLines": [
            { "JournalLineID": format!("l{n}a"), "AccountCode": "610", "NetAmount": 110.00, "GrossAmount": 110.00, "TaxAmount": 0.00 },
            { "JournalLineID": format!("l{n}b"), "AccountCode": "200", "NetAmount": -100.00, "GrossAmount": -100.00, "TaxAmount": 0.00 },
            { "JournalLineID": format!("l{n}c"), "AccountCode": "820", "NetAmount": -10.00, "GrossAmount": -10.00, "TaxAmount": 0.00 }
        ]
    })
}

/// Xero's per-minute limit on one tenant, on a scaled clock.
#[derive(Clone)]
pub struct MinuteLimit {
    per_minute: usize,
    minute: Duration,
    calls: Arc<Mutex<VecDeque<Instant>>>,
    pub rejected: Arc<AtomicUsize>,
}

impl MinuteLimit {
    pub fn new(per_minute: usize, minute: Duration) -> Self {
        Self { per_minute, minute, calls: Arc::default(), rejected: Arc::default() }
    }

    /// The calls left this minute, or `None` when this call breaks the limit.
    fn admit(&self) -> Option<usize> {
        let mut calls = self.calls.lock().unwrap();
        let now = Instant::now();
        while calls.front().is_some_and(|t| now.duration_since(*t) >= self.minute) {
            calls.pop_front();
        }
        if calls.len() >= self.per_minute {
            self.rejected.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        calls.push_back(now);
        Some(self.per_minute - calls.len())
    }
}

/// What a list endpoint does besides serving records.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// Calls (1-based) that answer 500.
    pub fail_calls: Vec<usize>,
    pub limit: Option<MinuteLimit>,
}

fn millis(text: &str) -> i64 {
    text.trim_start_matches("/Date(").split(['+', ')']).next().unwrap().parse().unwrap()
}

fn respond(
    behaviour: &Behaviour,
    calls: &AtomicUsize,
    body: impl FnOnce() -> Value,
) -> ResponseTemplate {
    let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
    let remaining = match &behaviour.limit {
        Some(limit) => match limit.admit() {
            Some(remaining) => Some(remaining),
            None => {
                return ResponseTemplate::new(429)
                    .insert_header("Retry-After", "60")
                    .insert_header("X-Rate-Limit-Problem", "minute")
                    .insert_header("X-MinLimit-Remaining", "0");
            }
        },
        None => None,
    };
    if behaviour.fail_calls.contains(&call) {
        return ResponseTemplate::new(500).set_body_string("temporary failure");
    }
    let mut response = ResponseTemplate::new(200).set_body_json(body());
    if let Some(remaining) = remaining {
        response = response
            .insert_header("X-MinLimit-Remaining", remaining.to_string().as_str())
            .insert_header("X-DayLimit-Remaining", "4000");
    }
    response
}

/// A paged document list under `key` (`Invoices`, …).
pub fn list(
    key: &'static str,
    records: Vec<Value>,
    behaviour: Behaviour,
) -> impl Fn(&Request) -> ResponseTemplate {
    let calls = AtomicUsize::new(0);
    move |request: &Request| {
        respond(&behaviour, &calls, || {
            let since = request.headers.get("if-modified-since").map(|v| {
                NaiveDateTime::parse_from_str(v.to_str().unwrap(), "%Y-%m-%dT%H:%M:%S")
                    .unwrap()
                    .and_utc()
                    .timestamp_millis()
            });
            let query: HashMap<_, _> = request.url.query_pairs().into_owned().collect();
            let page: usize = query.get("page").map_or(1, |p| p.parse().unwrap());
            let size: usize = query.get("pageSize").map_or(100, |p| p.parse().unwrap());
            let updated = |r: &Value| millis(r["UpdatedDateUTC"].as_str().unwrap());
            let mut matching: Vec<&Value> =
                records.iter().filter(|r| since.is_none_or(|s| updated(r) >= s)).collect();
            matching.sort_by_key(|r| updated(r));
            let slice: Vec<&Value> =
                matching.into_iter().skip((page - 1) * size).take(size).collect();
            json!({ "Status": "OK", key: slice })
        })
    }
}

/// The Journals feed: the 100 journals after `offset`.
pub fn journals(
    records: Vec<Value>,
    behaviour: Behaviour,
) -> impl Fn(&Request) -> ResponseTemplate {
    let calls = AtomicUsize::new(0);
    move |request: &Request| {
        respond(&behaviour, &calls, || {
            let offset: i64 = request
                .url
                .query_pairs()
                .find(|(k, _)| k == "offset")
                .map_or(0, |(_, v)| v.parse().unwrap());
            let slice: Vec<&Value> = records
                .iter()
                .filter(|j| j["JournalNumber"].as_i64().unwrap() > offset)
                .take(100)
                .collect();
            json!({ "Status": "OK", "Journals": slice })
        })
    }
}

/// A document for `key` (`Invoices`, `CreditNotes`, `Payments`, `ManualJournals`,
/// `BankTransactions`) numbered `n`, updated `second` seconds after T0.
pub fn document(key: &str, n: usize, second: i64) -> Value {
    let updated = format!("/Date({}+0000)/", T0 + second * 1000);
    let date = "/Date(1767225600000+0000)/";
    match key {
        "Invoices" => invoice(n, second),
        "CreditNotes" => json!({
            "CreditNoteID": format!("20000000-0000-0000-0000-{n:012}"), "CreditNoteNumber": format!("CN-{n:05}"),
            "Type": "ACCRECCREDIT", "Status": "AUTHORISED", "Date": date, "Total": 55.00, "UpdatedDateUTC": updated,
            "LineItems": [{ "Description": "Return", "Quantity": 1.0000, "UnitAmount": 50.0000, "LineAmount": 50.00, "AccountCode": "200" }]
        }),
        "Payments" => json!({
            "PaymentID": format!("30000000-0000-0000-0000-{n:012}"), "Status": "AUTHORISED", "Date": date, "Amount": 110.00,
            "Invoice": { "InvoiceNumber": format!("INV-{n:05}") }, "Account": { "Code": "090" }, "UpdatedDateUTC": updated
        }),
        "ManualJournals" => json!({
            "ManualJournalID": format!("40000000-0000-0000-0000-{n:012}"), "Narration": format!("Stock adjustment SA-{n:05}"),
            "Status": "POSTED", "Date": date, "UpdatedDateUTC": updated,
            "JournalLines": [{ "LineAmount": 12.50, "AccountCode": "630" }, { "LineAmount": -12.50, "AccountCode": "310" }]
        }),
        "BankTransactions" => json!({
            "BankTransactionID": format!("50000000-0000-0000-0000-{n:012}"), "Type": "SPEND", "Status": "AUTHORISED",
            "Date": date, "Total": 20.00, "UpdatedDateUTC": updated, "Contact": { "Name": "Supplier" },
            "LineItems": [{ "Description": "Freight", "Quantity": 1.0000, "UnitAmount": 20.0000, "LineAmount": 20.00, "AccountCode": "425" }]
        }),
        other => panic!("no generator for {other}"),
    }
}

/// Always the same body (settings endpoints), under the same limit as the lists.
pub fn fixed(body: Value, behaviour: Behaviour) -> impl Fn(&Request) -> ResponseTemplate {
    let calls = AtomicUsize::new(0);
    move |_: &Request| respond(&behaviour, &calls, || body.clone())
}
