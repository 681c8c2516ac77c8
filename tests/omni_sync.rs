//! The Cin7 Omni sync against wiremock: Omni's paging (bare arrays, a short page is the last),
//! its `where` change filter, 429 waited out, and the two refusals (401: wrong user name or
//! key, which stops the cycle; 403: one endpoint not permitted, the others still synced).
//! Fixtures are `tests/fixtures/omni/` (see the README there). Any request no mock expects
//! fails the test.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::NaiveDate;
use cxsync::cin7::omni::OmniClient;
use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Cin7Credentials, Cin7Kind, Cin7Limits, Cin7Settings, Secret, SecretSource};
use cxsync::http::{HttpLayer, HttpSettings, NoRecorder, QuotaSpec, RetryPolicy};
use cxsync::store::Store;
use cxsync::sync::EndpointReport;
use cxsync::sync::omni::OmniSync;
use cxsync::table::Value as Cell;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const API: &str = "/api/v1";
const USER: &str = "acme-api";
const KEY: &str = "omni-key-5d2e-secret";
const ENDPOINTS: [&str; 5] =
    ["SalesOrders", "CreditNotes", "PurchaseOrders", "Adjustments", "Payments"];

fn fixture(name: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/omni").join(name);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn basic() -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{KEY}")))
}

/// The `N` of a filter's `AND id>N`, else 0.
fn after_id(filter: &str) -> u64 {
    filter.split(" AND id>").nth(1).map_or(0, |n| n.parse().unwrap())
}

fn query(request: &Request, name: &str) -> Option<String> {
    request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// A fake Omni account with a store beside it.
struct Omni {
    server: MockServer,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Omni {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cxsync.db");
        Store::open(&db)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Omni, chrono::DateTime::UNIX_EPOCH)
            .unwrap();
        Self { server, _dir: dir, db }
    }

    /// Serves `records` at `endpoint`, paged by `page`/`rows`, with the Basic header required.
    async fn serve(&self, endpoint: &str, records: Vec<Value>) {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .and(header("authorization", basic().as_str()))
            .respond_with(move |request: &Request| {
                let page: usize = query(request, "page").unwrap().parse().unwrap();
                let rows: usize = query(request, "rows").unwrap().parse().unwrap();
                let after = after_id(&query(request, "where").unwrap());
                let id = |r: &Value| r["id"].as_u64().or_else(|| r["Id"].as_u64());
                let slice: Vec<&Value> = records
                    .iter()
                    .filter(|r| id(r).is_none_or(|id| id > after))
                    .skip((page - 1) * rows)
                    .take(rows)
                    .collect();
                ResponseTemplate::new(200).set_body_json(slice)
            })
            .with_priority(5)
            .mount(&self.server)
            .await;
    }

    /// Serves every endpoint empty except those given.
    async fn serve_rest_empty(&self, except: &[&str]) {
        for endpoint in ENDPOINTS.iter().filter(|e| !except.contains(e)) {
            self.serve(endpoint, Vec::new()).await;
        }
        Mock::given(wiremock::matchers::any())
            .respond_with(|request: &Request| {
                panic!("unexpected request: {} {}", request.method, request.url)
            })
            .with_priority(10)
            .mount(&self.server)
            .await;
    }

    /// One cycle with a fresh HTTP layer on a 60 ms minute.
    async fn run(&self, key: &str) -> Vec<EndpointReport> {
        self.run_at(key, &SystemClock).await
    }

    /// One cycle whose sync reads `clock`.
    async fn run_at(&self, key: &str, clock: &dyn Clock) -> Vec<EndpointReport> {
        let settings = Cin7Settings {
            api_url: format!("{}{API}", self.server.uri()).parse().unwrap(),
            credentials: Cin7Credentials::Omni {
                username: USER.into(),
                api_key: Secret::new(key.to_string().into(), SecretSource::Inline),
            },
            limits: Cin7Limits {
                per_minute: 60,
                per_second: Some(3),
                per_day: Some(5000),
                minute_ms: 60_000,
            },
            backfill_from: Some(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
            reread_days: 60,
        };
        let http = HttpSettings {
            retry: RetryPolicy {
                max_attempts: 1,
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
            ..HttpSettings::default()
        };
        let layer =
            Arc::new(HttpLayer::new(&http, Arc::new(NoRecorder), Arc::new(SystemClock)).unwrap());
        let spec = QuotaSpec {
            minute: Duration::from_millis(60),
            ..cxsync::cin7::omni::quota_spec(&settings.limits)
        };
        let quota = layer.quota("cin7", "acme", spec, None);
        let client = OmniClient::new("acme", &settings, layer, quota).unwrap();
        let store = Mutex::new(Store::open(&self.db).unwrap());
        let sync = OmniSync {
            connection: "acme",
            client: &client,
            store: &store,
            clock,
            backfill_from: settings.backfill_from.unwrap(),
        };
        sync.run_once().await
    }

    fn count(&self, sql: &str) -> i64 {
        match Store::open_read_only(&self.db).unwrap().query(sql).unwrap().rows[0][0] {
            Cell::Integer(n) => n,
            ref other => panic!("{other:?}"),
        }
    }

    async fn requests_to(&self, endpoint: &str) -> Vec<Request> {
        let wanted = format!("{API}/{endpoint}");
        self.server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path() == wanted)
            .collect()
    }
}

fn report<'a>(reports: &'a [EndpointReport], endpoint: &str) -> &'a EndpointReport {
    reports.iter().find(|r| r.endpoint == endpoint).unwrap()
}

/// `n` sales orders like the fixture's, ids from 1, modified a minute apart from 2024-03-01.
fn orders(n: usize) -> Vec<Value> {
    let template = fixture("SalesOrders.json")[0].clone();
    (0..n)
        .map(|i| {
            let mut order = template.clone();
            let at = chrono::DateTime::parse_from_rfc3339("2024-03-01T00:00:00Z").unwrap()
                + chrono::Duration::minutes(i64::try_from(i).unwrap());
            order["id"] = json!(i + 1);
            order["invoiceNumber"] = json!(10_000 + i);
            order["modifiedDate"] = json!(at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            order
        })
        .collect()
}

#[tokio::test]
async fn pages_are_read_until_a_short_page_and_every_record_lands() {
    let omni = Omni::start().await;
    omni.serve("SalesOrders", orders(253)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    let reports = omni.run(KEY).await;
    let sales = report(&reports, "SalesOrders");
    assert_eq!((sales.calls, sales.new, sales.error.as_deref()), (2, 253, None));
    let pages: Vec<(String, String, String)> = omni
        .requests_to("SalesOrders")
        .await
        .iter()
        .map(|r| (query(r, "where").unwrap(), query(r, "page").unwrap(), query(r, "rows").unwrap()))
        .collect();
    let window = "modifieddate>'2023-12-31T23:55:00Z'";
    assert_eq!(
        pages,
        [
            (window.to_string(), "1".into(), "250".into()),
            (format!("{window} AND id>250"), "1".into(), "250".into())
        ]
    );
    assert_eq!(
        omni.count(
            "SELECT count(*) FROM documents WHERE system = 'cin7' AND doc_type = 'sales_invoice'"
        ),
        253
    );
    assert_eq!(report(&reports, "Payments").calls, 1, "an empty first page is the last");
}

#[tokio::test]
async fn a_full_last_page_costs_one_more_call_that_comes_back_empty() {
    let omni = Omni::start().await;
    omni.serve("SalesOrders", orders(250)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    let reports = omni.run(KEY).await;
    assert_eq!(report(&reports, "SalesOrders").calls, 2);
    assert_eq!(report(&reports, "SalesOrders").new, 250);
}

#[tokio::test]
async fn the_where_filter_starts_at_backfill_then_at_the_newest_change_less_the_overlap() {
    let omni = Omni::start().await;
    omni.serve("SalesOrders", orders(3)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    omni.run(KEY).await;
    let second = omni.run(KEY).await;
    let filters: Vec<String> =
        omni.requests_to("SalesOrders").await.iter().map(|r| query(r, "where").unwrap()).collect();
    // Backfill from 2024-01-01, then the newest change read (2024-03-01T00:02:00Z), each less
    // the five-minute overlap.
    assert_eq!(
        filters,
        ["modifieddate>'2023-12-31T23:55:00Z'", "modifieddate>'2024-02-29T23:57:00Z'"]
    );
    let sales = report(&second, "SalesOrders");
    assert_eq!((sales.new, sales.unchanged), (0, 3), "the overlap re-reads, writing nothing new");
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_page_lands() {
    let omni = Omni::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/SalesOrders")))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&omni.server)
        .await;
    omni.serve("SalesOrders", orders(2)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    let reports = omni.run(KEY).await;
    let sales = report(&reports, "SalesOrders");
    assert_eq!((sales.new, sales.error.as_deref()), (2, None));
    assert_eq!(omni.requests_to("SalesOrders").await.len(), 2, "one refused, one served");
}

#[tokio::test]
async fn a_401_says_the_username_or_key_is_wrong_and_stops_the_cycle() {
    let omni = Omni::start().await;
    omni.serve_rest_empty(&[]).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_string("Authorization has been denied"))
        .with_priority(1)
        .mount(&omni.server)
        .await;
    let reports = omni.run("a-wrong-key-9f").await;
    assert_eq!(reports.len(), 1, "no other endpoint is tried: {reports:?}");
    let error = reports[0].error.clone().unwrap();
    for part in [
        "HTTP 401",
        "username or key is wrong",
        "cin7.username (`acme-api`",
        "Settings → Integrations & API → API v1",
    ] {
        assert!(error.contains(part), "{part}: {error}");
    }
    assert!(!error.contains("a-wrong-key-9f") && !error.contains(KEY), "no secret in: {error}");
}

#[tokio::test]
async fn a_403_names_the_endpoint_and_the_other_endpoints_still_sync() {
    let omni = Omni::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{API}/CreditNotes")))
        .respond_with(ResponseTemplate::new(403).set_body_string("Forbidden"))
        .with_priority(1)
        .mount(&omni.server)
        .await;
    omni.serve("SalesOrders", orders(2)).await;
    omni.serve_rest_empty(&["SalesOrders", "CreditNotes"]).await;
    let reports = omni.run(KEY).await;
    assert_eq!(reports.len(), 5);
    let error = report(&reports, "CreditNotes").error.clone().unwrap();
    for part in
        ["lacks permission for CreditNotes", "HTTP 403", "Settings → Integrations & API → API v1"]
    {
        assert!(error.contains(part), "{part}: {error}");
    }
    assert_eq!(report(&reports, "SalesOrders").new, 2);
    assert!(reports.iter().filter(|r| r.endpoint != "CreditNotes").all(|r| r.error.is_none()));
}

#[tokio::test]
async fn records_in_either_field_case_land_and_an_unreadable_one_is_quarantined_alone() {
    let omni = Omni::start().await;
    for endpoint in ENDPOINTS {
        let records = fixture(&format!("{endpoint}.json")).as_array().unwrap().clone();
        omni.serve(endpoint, records).await;
    }
    omni.serve_rest_empty(&ENDPOINTS).await;
    let reports = omni.run(KEY).await;
    assert!(reports.iter().all(|r| r.error.is_none()), "{reports:?}");
    assert_eq!(report(&reports, "PurchaseOrders").quarantined, 1, "PO-13's total is 12,50");
    let row = |sql: &str| Store::open_read_only(&omni.db).unwrap().query(sql).unwrap().rows;
    // PascalCase credit note: number, date, total exact.
    let credit = row(
        "SELECT number, date, total, status FROM documents WHERE doc_type = 'sales_credit_note'",
    );
    assert_eq!(
        format!("{:?}", credit[0]),
        format!(
            "{:?}",
            [
                Cell::Text("2007".into()),
                Cell::Text("2024-03-14".into()),
                Cell::Text("57.5".into()),
                Cell::Text("AUTHORISED".into())
            ]
        )
    );
    let sale = row("SELECT number, date, total FROM documents WHERE doc_type = 'sales_invoice'");
    assert_eq!(
        format!("{:?}", sale[0]),
        format!(
            "{:?}",
            [
                Cell::Text("10045".into()),
                Cell::Text("2024-03-12".into()),
                Cell::Text("241.5".into())
            ]
        )
    );
    let bill = row("SELECT number, status FROM documents WHERE doc_type = 'purchase_invoice'");
    assert_eq!(
        format!("{:?}", bill[0]),
        format!("{:?}", [Cell::Text("SUP-8812".into()), Cell::Text("AUTHORISED".into())])
    );
    assert_eq!(omni.count("SELECT count(*) FROM quarantine"), 1);
    // Omni numbers each endpoint from 1: ids are stored with their endpoint.
    let ids =
        row("SELECT (SELECT external_id FROM documents WHERE doc_type = 'purchase_invoice'), \
                          (SELECT external_id FROM quarantine)");
    assert_eq!(
        format!("{:?}", ids[0]),
        format!(
            "{:?}",
            [Cell::Text("PurchaseOrders/12".into()), Cell::Text("PurchaseOrders/13".into())]
        )
    );
}

#[tokio::test]
async fn a_window_cut_short_resumes_after_its_last_committed_page() {
    let omni = Omni::start().await;
    let window = "modifieddate>'2023-12-31T23:55:00Z'";
    Mock::given(method("GET"))
        .and(path(format!("{API}/SalesOrders")))
        .and(wiremock::matchers::query_param("where", format!("{window} AND id>250")))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream timeout"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&omni.server)
        .await;
    omni.serve("SalesOrders", orders(253)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    let first = omni.run(KEY).await;
    let sales = report(&first, "SalesOrders");
    assert_eq!(sales.new, 250, "the first page landed");
    assert!(sales.error.as_deref().is_some_and(|e| e.contains("500")), "{sales:?}");

    let second = omni.run(KEY).await;
    let sales = report(&second, "SalesOrders");
    assert_eq!((sales.calls, sales.new, sales.unchanged), (1, 3, 0), "no page is read twice");
    let filters: Vec<String> =
        omni.requests_to("SalesOrders").await.iter().map(|r| query(r, "where").unwrap()).collect();
    let resumed = format!("{window} AND id>250");
    assert_eq!(filters, [window.to_string(), resumed.clone(), resumed]);
    assert_eq!(omni.count("SELECT count(*) FROM documents WHERE system = 'cin7'"), 253);
}

/// A clock stopped at one instant.
struct Stopped(chrono::DateTime<chrono::Utc>);

impl Clock for Stopped {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

#[tokio::test]
async fn records_stamped_after_the_window_began_are_read_again_next_window() {
    let omni = Omni::start().await;
    omni.serve("SalesOrders", orders(3)).await;
    omni.serve_rest_empty(&["SalesOrders"]).await;
    // The window began (by our clock) before the newest record's stamp: a record changed
    // while a long read ran. The next window starts from the beginning of this one.
    let began = chrono::DateTime::parse_from_rfc3339("2024-03-01T00:01:00Z").unwrap().to_utc();
    omni.run_at(KEY, &Stopped(began)).await;
    omni.run(KEY).await;
    let filters: Vec<String> =
        omni.requests_to("SalesOrders").await.iter().map(|r| query(r, "where").unwrap()).collect();
    assert_eq!(filters[1], "modifieddate>'2024-02-29T23:56:00Z'");
}
