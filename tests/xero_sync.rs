//! Xero sync against wiremock: every endpoint lands in the store, paging resumes from the
//! committed cursor after a failure without duplicates or gaps, an idle cycle costs one call
//! per endpoint, refused journals fall back to the trial balance, and a bad record is
//! quarantined while the rest of its page lands. Any request no mock expects fails the test.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Cin7Kind, Env, Settings};
use cxsync::http::{HttpLayer, HttpSettings, NoRecorder, QuotaSpec, RetryPolicy};
use cxsync::model::System;
use cxsync::store::{Store, TokenVault};
use cxsync::sync::EndpointReport;
use cxsync::sync::xero::XeroSync;
use cxsync::table::Value as Cell;
use cxsync::xero::auth::TokenSource;
use cxsync::xero::client::XeroClient;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const API: &str = "/api.xro/2.0";
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z in ms

fn fixture(name: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/xero").join(name);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// An ACCREC invoice updated `second` seconds after T0.
fn invoice(n: usize, second: i64) -> Value {
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

/// A list endpoint as Xero serves it: `If-Modified-Since` (inclusive, whole seconds), ordered
/// by `UpdatedDateUTC`, paged by `page`/`pageSize`.
fn xero_list(
    key: &'static str,
    records: Vec<Value>,
    fail_calls: &'static [usize],
) -> impl Fn(&Request) -> ResponseTemplate {
    let calls = AtomicUsize::new(0);
    move |request: &Request| {
        let call = calls.fetch_add(1, Ordering::SeqCst) + 1;
        if fail_calls.contains(&call) {
            return ResponseTemplate::new(500).set_body_string("temporary failure");
        }
        let updated = |r: &Value| -> i64 {
            let text = r["UpdatedDateUTC"].as_str().unwrap();
            text.trim_start_matches("/Date(").split(['+', ')']).next().unwrap().parse().unwrap()
        };
        let since = request.headers.get("if-modified-since").map(|v| {
            let t =
                NaiveDateTime::parse_from_str(v.to_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
            t.and_utc().timestamp_millis()
        });
        let query: std::collections::HashMap<_, _> =
            request.url.query_pairs().into_owned().collect();
        let page: usize = query.get("page").map_or(1, |p| p.parse().unwrap());
        let size: usize = query.get("pageSize").map_or(100, |p| p.parse().unwrap());
        let mut matching: Vec<&Value> =
            records.iter().filter(|r| since.is_none_or(|s| updated(r) >= s)).collect();
        matching.sort_by_key(|r| updated(r));
        let slice: Vec<&Value> = matching.into_iter().skip((page - 1) * size).take(size).collect();
        ResponseTemplate::new(200).set_body_json(json!({ "Status": "OK", key: slice }))
    }
}

struct Harness {
    server: MockServer,
    _dir: tempfile::TempDir,
    db: PathBuf,
    settings: Settings,
}

impl Harness {
    async fn new() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/connect/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({ "access_token": "access-1", "token_type": "Bearer", "expires_in": 1800 }),
            ))
            .mount(&server)
            .await;
        // Anything not expected fails loudly (lowest priority, must never match).
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
            .with_priority(u8::MAX)
            .expect(0)
            .named("catch-all for unexpected requests")
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cxsync.db");
        let file = dir.path().join("cxsync.toml");
        std::fs::write(
            &file,
            format!(
                r#"
[store]
path = "{db}"
[[connections]]
name = "acme"
[connections.xero]
api_url = "{uri}{API}"
token_url = "{uri}/connect/token"
identity_url = "{uri}/"
client_id = "id"
client_secret = "secret"
tenant_id = "tenant-1"
[connections.cin7]
kind = "core"
account_id = "a"
application_key = "k"
[connections.accounts]
inventory = "630"
"#,
                db = db.display(),
                uri = server.uri()
            ),
        )
        .unwrap();
        let settings = Settings::load(&file, &Env::default()).unwrap();
        Store::open(&db)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        Self { server, _dir: dir, db, settings }
    }

    async fn mount_list(
        &self,
        endpoint: &str,
        key: &'static str,
        records: Vec<Value>,
        fail_calls: &'static [usize],
    ) {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .and(header("xero-tenant-id", "tenant-1"))
            .and(header("authorization", "Bearer access-1"))
            .respond_with(xero_list(key, records, fail_calls))
            .mount(&self.server)
            .await;
    }

    async fn mount_fixture(&self, endpoint: &str, name: &str) {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(name)))
            .mount(&self.server)
            .await;
    }

    /// Settings endpoints and empty document lists, for tests about one endpoint.
    async fn mount_quiet_defaults(&self) {
        self.mount_fixture("Organisation", "organisation_get.json").await;
        self.mount_fixture("Accounts", "accounts_statuses_get.json").await;
        self.mount_fixture("TrackingCategories", "tracking_categories_get.json").await;
        for (endpoint, key) in [
            ("CreditNotes", "CreditNotes"),
            ("Payments", "Payments"),
            ("ManualJournals", "ManualJournals"),
            ("BankTransactions", "BankTransactions"),
        ] {
            self.mount_list(endpoint, key, vec![], &[]).await;
        }
    }

    async fn run(&self, reread_open: bool) -> Vec<EndpointReport> {
        let connection = &self.settings.connections[0];
        let http = HttpSettings {
            retry: RetryPolicy {
                max_attempts: 2,
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
            ..HttpSettings::default()
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let layer = Arc::new(HttpLayer::new(&http, Arc::new(NoRecorder), clock.clone()).unwrap());
        let spec = QuotaSpec {
            minute: Duration::from_millis(60),
            ..cxsync::xero::quota_spec(&connection.xero.limits)
        };
        let quota = layer.quota("xero", "acme", spec, Some(10_000));
        let vault = Arc::new(TokenVault::open(&self.db).unwrap());
        let tokens = Arc::new(TokenSource::new(
            "acme",
            connection.xero.clone(),
            vault,
            layer.clone(),
            quota.clone(),
            clock.clone(),
        ));
        let client = XeroClient::new(
            "acme",
            connection.xero.api_url.clone(),
            connection.xero.identity_url.clone(),
            connection.xero.tenant_id.clone(),
            layer,
            quota,
            tokens,
        );
        let store = Mutex::new(Store::open(&self.db).unwrap());
        let sync =
            XeroSync { connection: "acme", client: &client, store: &store, clock: clock.as_ref() };
        sync.run_once(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), reread_open).await
    }

    fn store(&self) -> Store {
        Store::open_read_only(&self.db).unwrap()
    }

    fn count(&self, sql: &str) -> i64 {
        match self.store().query(sql).unwrap().rows[0][0] {
            Cell::Integer(n) => n,
            ref other => panic!("{other:?}"),
        }
    }
}

fn report<'r>(reports: &'r [EndpointReport], endpoint: &str) -> &'r EndpointReport {
    reports
        .iter()
        .find(|r| r.endpoint == endpoint)
        .unwrap_or_else(|| panic!("no report for {endpoint}: {reports:?}"))
}

#[tokio::test]
async fn a_full_cycle_lands_every_endpoint_in_the_store() {
    let h = Harness::new().await;
    h.mount_fixture("Organisation", "organisation_get.json").await;
    h.mount_fixture("Accounts", "accounts_statuses_get.json").await;
    h.mount_fixture("TrackingCategories", "tracking_categories_get.json").await;
    h.mount_fixture("Invoices", "invoices_accpay_get.json").await;
    h.mount_fixture("CreditNotes", "creditnotes_allocated_get.json").await;
    h.mount_fixture("Payments", "payments_get.json").await;
    h.mount_fixture("ManualJournals", "manual_journals_lines_get.json").await;
    h.mount_fixture("BankTransactions", "banktransactions_spend_inventory_get.json").await;
    h.mount_fixture("Journals", "journals_get.json").await;
    let reports = h.run(false).await;
    for r in &reports {
        assert_eq!(r.error, None, "{r:?}");
        assert_eq!(r.quarantined, 0, "{r:?}");
    }
    assert_eq!(h.count("SELECT count(*) FROM sync_status WHERE last_error IS NULL AND last_success_at IS NOT NULL AND endpoint <> 'auth'"), 9);
    assert!(h.count("SELECT count(*) FROM documents WHERE doc_type = 'purchase_invoice'") >= 3);
    assert_eq!(
        h.count("SELECT count(*) FROM documents WHERE doc_type = 'bank_transaction'"),
        i64::try_from(report(&reports, "BankTransactions").new).unwrap()
    );
    assert!(h.count("SELECT count(*) FROM ledger_lines WHERE system = 'xero'") > 0);
    assert_eq!(
        h.count("SELECT count(*) FROM organisation WHERE period_lock_date = '2018-12-31'"),
        1
    );
    assert!(h.count("SELECT count(*) FROM accounts WHERE status = 'ARCHIVED'") >= 1);
    let bill = h.store().query("SELECT total FROM documents WHERE total = '1234567.89'").unwrap();
    assert_eq!(bill.rows.len(), 1, "money arrives exactly");
}

#[tokio::test]
async fn paging_resumes_from_the_committed_cursor_without_duplicates_or_gaps() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    let invoices: Vec<Value> = (0..1500).map(|n| invoice(n, i64::try_from(n).unwrap())).collect();
    // Calls 2 and 3 (the second page and its retry) fail: the first run stops after page 1.
    h.mount_list("Invoices", "Invoices", invoices, &[2, 3]).await;

    let first = h.run(false).await;
    let failed = report(&first, "Invoices");
    assert!(failed.error.as_deref().is_some_and(|e| e.contains("500")), "{failed:?}");
    assert_eq!(failed.new, 1000, "the first page was committed before the failure");
    assert_eq!(h.count("SELECT count(*) FROM documents WHERE system = 'xero'"), 1000);
    let cursor =
        h.store().endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor.unwrap();
    assert_eq!(
        cursor, "2026-01-01T00:16:39.000Z",
        "the cursor is the newest UpdatedDateUTC committed"
    );

    let second = h.run(false).await;
    let resumed = report(&second, "Invoices");
    assert_eq!(resumed.error, None);
    assert_eq!((resumed.new, resumed.calls), (500, 1), "{resumed:?}");
    assert!(resumed.unchanged <= 2, "only the overlap second is read again: {resumed:?}");
    assert_eq!(h.count("SELECT count(*) FROM documents WHERE system = 'xero'"), 1500);
    assert_eq!(h.count("SELECT count(DISTINCT number) FROM documents WHERE system = 'xero'"), 1500);
}

#[tokio::test]
async fn an_idle_cycle_costs_one_call_per_endpoint() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    h.mount_list("Invoices", "Invoices", (0..10).map(|n| invoice(n, 0)).collect(), &[]).await;
    h.run(false).await;
    let idle = h.run(false).await;
    let calls: usize = idle.iter().map(|r| r.calls).sum();
    assert_eq!(calls, idle.len(), "{idle:?}");
    assert!(idle.iter().all(|r| r.new == 0 && r.changed == 0), "{idle:?}");
}

#[tokio::test]
async fn refused_journals_fall_back_to_the_trial_balance_and_are_not_asked_again() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_list("Invoices", "Invoices", vec![], &[]).await;
    Mock::given(path(format!("{API}/Journals")))
        .respond_with(ResponseTemplate::new(403).set_body_string("insufficient_scope"))
        .expect(1)
        .mount(&h.server)
        .await;
    Mock::given(path(format!("{API}/Reports/TrialBalance")))
        .and(query_param("date", "2026-11-24"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("report_trial_balance_handmade.json")),
        )
        .expect(2)
        .mount(&h.server)
        .await;
    let first = h.run(false).await;
    assert!(report(&first, "Journals").error.as_deref().is_some_and(|e| e.contains("403")));
    assert_eq!(report(&first, "Reports/TrialBalance").error, None);
    assert!(h.count("SELECT count(*) FROM trial_balances WHERE as_at = '2026-11-24'") > 0);
    assert!(!h.store().endpoint_state("acme", System::Xero, "Journals").unwrap().available);
    let second = h.run(false).await;
    assert!(second.iter().all(|r| r.endpoint != "Journals"), "{second:?}");
}

#[tokio::test]
async fn an_unreadable_record_is_quarantined_and_the_rest_of_its_page_lands() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    let mut bad = invoice(2, 2);
    bad["Total"] = json!("12,50");
    h.mount_list("Invoices", "Invoices", vec![invoice(1, 1), bad, invoice(3, 3)], &[]).await;
    let reports = h.run(false).await;
    let invoices = report(&reports, "Invoices");
    assert_eq!((invoices.new, invoices.quarantined, invoices.error.as_deref()), (2, 1, None));
    let row = h.store().query("SELECT external_id, error FROM quarantine").unwrap();
    assert_eq!(row.rows[0][0], Cell::Text("00000000-0000-0000-0000-000000000002".into()));
    assert!(matches!(&row.rows[0][1], Cell::Text(e) if e.contains("12,50")), "{row:?}");
}

#[tokio::test]
async fn open_documents_are_read_again_without_moving_the_cursor() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    h.mount_list("Invoices", "Invoices", vec![invoice(1, 5)], &[]).await;
    Mock::given(path(format!("{API}/Invoices")))
        .and(query_param("Statuses", "AUTHORISED"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "Invoices": [invoice(1, 5)] })),
        )
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    Mock::given(path(format!("{API}/CreditNotes")))
        .and(query_param("Statuses", "AUTHORISED"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "CreditNotes": [] })))
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run(true).await;
    assert_eq!(report(&reports, "Invoices#open").unchanged, 1);
    let cursor = h.store().endpoint_state("acme", System::Xero, "Invoices").unwrap().cursor;
    assert_eq!(cursor.as_deref(), Some("2026-01-01T00:00:05.000Z"));
}

#[tokio::test]
async fn not_modified_is_an_empty_page_not_an_error() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    h.mount_list("Invoices", "Invoices", vec![invoice(1, 5)], &[]).await;
    h.run(false).await;
    Mock::given(path(format!("{API}/Invoices")))
        .respond_with(ResponseTemplate::new(304))
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run(false).await;
    assert_eq!(report(&reports, "Invoices").error, None);
}

#[tokio::test]
async fn a_refused_sign_in_is_one_clear_error_and_no_api_calls() {
    let h = Harness::new().await;
    // A second token mock with higher priority refuses the client credentials.
    Mock::given(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({ "error": "invalid_client" })),
        )
        .with_priority(1)
        .mount(&h.server)
        .await;
    let reports = h.run(false).await;
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].endpoint, "auth");
    assert!(
        reports[0].error.as_deref().is_some_and(|e| e.contains("invalid_client")),
        "{reports:?}"
    );
    assert_eq!(
        h.count(
            "SELECT count(*) FROM sync_status WHERE endpoint = 'auth' AND last_error IS NOT NULL"
        ),
        1
    );
}
