//! A Cin7 Core account behind wiremock, as the tests need it: lists served the way Cin7 serves
//! them (filtered by `UpdatedSince` / `ModifiedSince` / `FromDate`–`ToDate`, in an order that
//! is stable but not by change time, paged by `Page`/`Limit` with a `Total`), details by id,
//! every detail call counted, and the credential headers required on every request. Any
//! request no mock expects fails the test.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use cxsync::cin7::core::CoreClient;
use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Cin7Credentials, Cin7Kind, Cin7Limits, Cin7Settings, Secret, SecretSource};
use cxsync::http::{HttpLayer, HttpSettings, NoRecorder, QuotaSpec, RetryPolicy};
use cxsync::store::Store;
use cxsync::sync::EndpointReport;
use cxsync::sync::cin7::{Cin7Sync, History};
use cxsync::table::Value as Cell;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) const API: &str = "/ExternalApi/v2";
pub(crate) const ACCOUNT_ID: &str = "acct-3f9a";
pub(crate) const APP_KEY: &str = "key-77c1-secret";

/// Reads a fixture from `wiremock-fixtures/cin7/core/`.
pub(crate) fn fixture(name: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/cin7/core").join(name);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

pub(crate) fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// A clock the tests move.
pub(crate) struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// One list of the fake account: rows with their details.
#[derive(Debug, Default, Clone)]
pub(crate) struct Rows {
    /// Row id → (list row, detail).
    pub(crate) rows: BTreeMap<String, (Value, Value)>,
}

impl Rows {
    pub(crate) fn put(&mut self, id: &str, row: Value, detail: Value) {
        self.rows.insert(id.to_string(), (row, detail));
    }
}

/// The fake account's data; tests change it between cycles.
#[derive(Debug, Default)]
pub(crate) struct Account {
    pub(crate) accounts: Vec<Value>,
    pub(crate) products: Vec<Value>,
    pub(crate) sales: Rows,
    /// Sale ids also listed by `saleCreditNoteList`.
    pub(crate) credit_note_sales: Vec<String>,
    pub(crate) purchases: Rows,
    pub(crate) adjustments: Rows,
    pub(crate) transfers: Rows,
    pub(crate) assemblies: Rows,
    pub(crate) ledger: Vec<Value>,
    /// When set, the next request for page 2 of any list leaves out its first row, as if
    /// that row had moved onto page 1 after page 1 was read; the `Total` still counts it.
    /// The left-out row's JSON goes to `hidden`.
    pub(crate) hide_once: bool,
    pub(crate) hidden: Option<Value>,
    /// Detail calls per `endpoint:id`.
    pub(crate) detail_calls: BTreeMap<String, usize>,
}

/// Where a list's rows come from.
type ListSource = fn(&Account) -> Vec<Value>;
/// Where a detail endpoint's rows come from.
type DetailSource = fn(&Account) -> &Rows;

pub(crate) struct Harness {
    pub(crate) server: MockServer,
    pub(crate) data: Arc<Mutex<Account>>,
    pub(crate) clock: Arc<TestClock>,
    _dir: tempfile::TempDir,
    pub(crate) db: PathBuf,
    pub(crate) history: History,
}

impl Harness {
    /// An empty account, every endpoint mounted, and a clock at 2026-11-25T06:00:00Z.
    pub(crate) async fn new() -> Self {
        let server = MockServer::start().await;
        let data = Arc::new(Mutex::new(Account::default()));
        let harness = Self::bare(server, data).await;
        harness.mount_all().await;
        harness
    }

    /// Like [`Harness::new`] but with nothing mounted except the catch-all.
    pub(crate) async fn bare(server: MockServer, data: Arc<Mutex<Account>>) -> Self {
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
            .with_priority(u8::MAX)
            .expect(0)
            .named("catch-all for unexpected requests")
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cxsync.db");
        Store::open(&db)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        Self {
            server,
            data,
            clock: Arc::new(TestClock(Mutex::new(utc("2026-11-25T06:00:00Z")))),
            _dir: dir,
            db,
            history: History {
                backfill_from: NaiveDate::from_ymd_opt(2024, 11, 25).unwrap(),
                reread_days: 60,
            },
        }
    }

    pub(crate) fn set_now(&self, now: &str) {
        *self.clock.0.lock().unwrap() = utc(now);
    }

    pub(crate) fn data(&self) -> std::sync::MutexGuard<'_, Account> {
        self.data.lock().unwrap()
    }

    /// A GET of `endpoint` with both credential headers.
    pub(crate) fn get(endpoint: &str) -> wiremock::MockBuilder {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .and(header("api-auth-accountid", ACCOUNT_ID))
            .and(header("api-auth-applicationkey", APP_KEY))
    }

    async fn mount_all(&self) {
        let lists: [(&str, &str, ListSource); 9] = [
            ("ref/account", "AccountsList", |a| a.accounts.clone()),
            ("product", "Products", |a| a.products.clone()),
            ("saleList", "SaleList", |a| rows(&a.sales)),
            ("saleCreditNoteList", "SaleList", |a| {
                a.credit_note_sales.iter().map(|id| a.sales.rows[id].0.clone()).collect()
            }),
            ("purchaseList", "PurchaseList", |a| rows(&a.purchases)),
            ("stockadjustmentList", "StockAdjustmentList", |a| rows(&a.adjustments)),
            ("stockTransferList", "StockTransferList", |a| rows(&a.transfers)),
            ("finishedGoodsList", "FinishedGoods", |a| rows(&a.assemblies)),
            ("transactions", "Transactions", |a| a.ledger.clone()),
        ];
        for (endpoint, key, source) in lists {
            let data = self.data.clone();
            Self::get(endpoint)
                .respond_with(move |request: &Request| {
                    let mut account = data.lock().unwrap();
                    let records = source(&account);
                    serve_list(&mut account, key, records, request)
                })
                .mount(&self.server)
                .await;
        }
        let details: [(&str, &str, DetailSource); 6] = [
            ("sale", "ID", |a| &a.sales),
            ("purchase", "ID", |a| &a.purchases),
            ("advanced-purchase", "ID", |a| &a.purchases),
            ("stockadjustment", "TaskID", |a| &a.adjustments),
            ("stockTransfer", "TaskID", |a| &a.transfers),
            ("finishedGoods", "TaskID", |a| &a.assemblies),
        ];
        for (endpoint, param, rows_of) in details {
            let data = self.data.clone();
            Self::get(endpoint)
                .respond_with(move |request: &Request| {
                    let id = query(request, param).unwrap_or_default();
                    let mut account = data.lock().unwrap();
                    *account.detail_calls.entry(format!("{endpoint}:{id}")).or_default() += 1;
                    if endpoint == "sale"
                        && query(request, "IncludeTransactions").as_deref() != Some("true")
                    {
                        return ResponseTemplate::new(400).set_body_string("IncludeTransactions");
                    }
                    match rows_of(&account).rows.get(&id) {
                        Some((_, detail)) => ResponseTemplate::new(200).set_body_json(detail),
                        None => ResponseTemplate::new(404).set_body_string("not found"),
                    }
                })
                .mount(&self.server)
                .await;
        }
    }

    /// One sync cycle with a fresh HTTP layer (a scaled minute of 60 ms).
    pub(crate) async fn run(&self) -> Vec<EndpointReport> {
        let settings = Cin7Settings {
            api_url: format!("{}{API}", self.server.uri()).parse().unwrap(),
            credentials: Cin7Credentials::Core {
                account_id: Secret::new(ACCOUNT_ID.to_string().into(), SecretSource::Inline),
                application_key: Secret::new(APP_KEY.to_string().into(), SecretSource::Inline),
            },
            limits: Cin7Limits {
                per_minute: 50,
                per_second: None,
                per_day: None,
                minute_ms: 60_000,
            },
            backfill_from: Some(self.history.backfill_from),
            reread_days: self.history.reread_days,
        };
        // No retries of server errors: a 503 only succeeds if it is taken as rate limiting.
        let http = HttpSettings {
            retry: RetryPolicy {
                max_attempts: 1,
                base: Duration::from_millis(5),
                max_rate_limit_waits: 3,
                ..RetryPolicy::default()
            },
            ..HttpSettings::default()
        };
        let layer =
            Arc::new(HttpLayer::new(&http, Arc::new(NoRecorder), Arc::new(SystemClock)).unwrap());
        let spec = QuotaSpec {
            minute: Duration::from_millis(60),
            ..cxsync::cin7::core::quota_spec(&settings.limits)
        };
        let quota = layer.quota("cin7", "acme", spec, None);
        let client = CoreClient::new("acme", &settings, layer, quota).unwrap();
        let store = Mutex::new(Store::open(&self.db).unwrap());
        let sync = Cin7Sync {
            connection: "acme",
            client: &client,
            store: &store,
            clock: self.clock.as_ref(),
            history: self.history,
            refresh_settings: true,
        };
        sync.run_once().await
    }

    pub(crate) fn store(&self) -> Store {
        Store::open_read_only(&self.db).unwrap()
    }

    pub(crate) fn count(&self, sql: &str) -> i64 {
        match self.store().query(sql).unwrap().rows[0][0] {
            Cell::Integer(n) => n,
            ref other => panic!("{other:?}"),
        }
    }

    /// Text cells of a query, row by row.
    pub(crate) fn texts(&self, sql: &str) -> Vec<Vec<String>> {
        let table = self.store().query(sql).unwrap();
        table
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| match cell {
                        Cell::Text(text) => text.clone(),
                        Cell::Integer(n) => n.to_string(),
                        other => format!("{other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    /// Detail calls made so far, in all.
    pub(crate) fn detail_calls(&self) -> usize {
        self.data().detail_calls.values().sum()
    }

    pub(crate) async fn requests(&self) -> usize {
        self.server.received_requests().await.unwrap().len()
    }
}

fn rows(rows: &Rows) -> Vec<Value> {
    rows.rows.values().map(|(row, _)| row.clone()).collect()
}

fn query(request: &Request, name: &str) -> Option<String> {
    request.url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// A list as Cin7 Core serves it.
fn serve_list(
    account: &mut Account,
    key: &str,
    records: Vec<Value>,
    request: &Request,
) -> ResponseTemplate {
    let since = query(request, "UpdatedSince").or_else(|| query(request, "ModifiedSince"));
    let since = since.map(|s| utc(&s));
    let changed = |r: &Value| {
        ["Updated", "LastUpdatedDate", "LastModifiedOn"]
            .iter()
            .find_map(|f| r.get(*f).and_then(Value::as_str))
            .map(utc)
    };
    let day = |name: &str| query(request, name).map(|d| d.parse::<NaiveDate>().unwrap());
    let (from, to) = (day("FromDate"), day("ToDate"));
    let mut matching: Vec<Value> = records
        .into_iter()
        .filter(|r| since.is_none_or(|s| changed(r).is_some_and(|c| c >= s)))
        .filter(|r| {
            let date = || r["EffectiveDate"].as_str().unwrap()[..10].parse::<NaiveDate>().unwrap();
            from.is_none_or(|f| date() > f) && to.is_none_or(|t| date() < t)
        })
        .collect();
    // Unordered, but stable: by a hash (FNV-1a) of the row's id.
    matching.sort_by_key(|r| {
        let id = ["SaleID", "ID", "TaskID", "Code"].iter().find_map(|f| r.get(*f));
        let text = id.map_or_else(|| r.to_string(), Value::to_string);
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        (hash, r.to_string())
    });
    let total = matching.len();
    let page: usize = query(request, "Page").map_or(1, |p| p.parse().unwrap());
    let limit: usize = query(request, "Limit").map_or(100, |l| l.parse().unwrap());
    let mut slice: Vec<Value> = matching.into_iter().skip((page - 1) * limit).take(limit).collect();
    if account.hide_once && page == 2 && !slice.is_empty() {
        account.hide_once = false;
        account.hidden = Some(slice.remove(0));
    }
    ResponseTemplate::new(200).set_body_json(json!({ "Page": page, "Total": total, key: slice }))
}

/// A JSON number written exactly as `text` (as Cin7 writes `100.00`), not through an `f64`.
pub(crate) fn num(text: &str) -> Value {
    Value::Number(text.parse().unwrap())
}

/// A sale's id from its number.
pub(crate) fn sale_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// A sale's list row and detail, last changed at `updated`: one invoice of 110.00 and two
/// postings (revenue 100.00 on 610/200, COGS 40.00 on 310/630).
pub(crate) fn sale(n: usize, updated: &str) -> (Value, Value) {
    let id = sale_id(n);
    let invoice = format!("10000000-0000-4000-8000-{n:012}");
    let row = json!({
        "SaleID": id, "OrderNumber": format!("SO-{n:05}"), "Status": "INVOICED",
        "InvoiceNumber": format!("INV-{n:05}"), "Customer": "Customer", "Type": "Simple Sale",
        "Updated": updated,
    });
    let detail = json!({
        "ID": id, "Customer": "Customer", "CustomerCurrency": "AUD", "CustomerReference": "",
        "LastModifiedOn": updated, "Status": "INVOICED", "Type": "Simple Sale",
        "Invoices": [{
            "TaskID": invoice, "InvoiceNumber": format!("INV-{n:05}"),
            "InvoiceDate": "2026-11-01T00:00:00", "InvoiceDueDate": "2026-12-01T00:00:00",
            "Status": "AUTHORISED", "Total": num("110.00"), "Tax": num("10.00"), "Paid": 0,
            "Lines": [{ "SKU": "W-1", "Name": "Widget", "Quantity": 1, "Price": num("100.00"),
                        "Tax": num("10.00"), "Total": num("100.00"), "Account": "200: Sales",
                        "AverageCost": num("40.00") }],
            "AdditionalCharges": []
        }],
        "CreditNotes": [],
        "Transactions": [
            { "TransactionID": format!("{invoice}-1"), "TaskID": invoice, "Debit": "610",
              "Credit": "200: Sales", "Amount": num("100.00"), "EffectiveDate": "2026-11-01T00:00:00" },
            { "TransactionID": format!("{invoice}-2"), "TaskID": invoice,
              "Debit": "310: Cost of Goods Sold", "Credit": "630", "Amount": num("40.00"),
              "EffectiveDate": "2026-11-02T00:00:00" }
        ]
    });
    (row, detail)
}

/// A ledger feed row.
pub(crate) fn posting(task: &str, date: &str, debit: &str, credit: &str, amount: &str) -> Value {
    json!({
        "TaskID": task, "EffectiveDate": format!("{date}T00:00:00"), "DebitAccountCode": debit,
        "CreditAccountCode": credit, "Amount": num(amount), "Type": "Sale",
        "Reference": "INV", "Transaction": "posting",
    })
}

/// The report of `endpoint`.
pub(crate) fn report<'r>(reports: &'r [EndpointReport], endpoint: &str) -> &'r EndpointReport {
    reports
        .iter()
        .find(|r| r.endpoint == endpoint)
        .unwrap_or_else(|| panic!("no report for {endpoint}: {reports:?}"))
}

/// Every report without error.
pub(crate) fn assert_clean(reports: &[EndpointReport]) {
    for r in reports {
        assert_eq!(r.error, None, "{r:?}");
    }
}
