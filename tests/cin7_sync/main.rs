//! Cin7 Core sync against wiremock: every endpoint lands in the store; lists are paged to
//! their total; `UpdatedSince` windows overlap without duplicates or gaps, even when pages are
//! unordered and a record moves while they are read; 503 and 429 both mean "wait"; refused
//! credentials fail clearly; a detail is fetched exactly when its summary changed; ledger
//! postings land with the right sides; a malformed record is quarantined alone; the ledger is
//! read whole, then trailing, then whole again a week later. Any request no mock expects
//! fails the test, and every request is counted in the reports.

mod harness;

use harness::{
    ACCOUNT_ID, API, APP_KEY, Harness, assert_clean, fixture, num, posting, report, sale, sale_id,
};
use rstest::rstest;
use serde_json::{Value, json};
use wiremock::ResponseTemplate;
use wiremock::matchers::query_param;

/// Lists read by a cycle of an empty account: one call each.
const LISTS: usize = 9;

/// A product row.
fn product(n: usize, modified: &str) -> Value {
    json!({
        "ID": format!("20000000-0000-4000-8000-{n:012}"), "SKU": format!("SKU-{n}"),
        "Name": "Product", "InventoryAccount": "630: Inventory", "COGSAccount": "310",
        "RevenueAccount": "200", "LastModifiedOn": modified,
    })
}

/// A stock adjustment's list row and detail.
fn adjustment(n: usize, status: &str) -> (String, Value, Value) {
    let id = format!("30000000-0000-4000-8000-{n:012}");
    let row = json!({
        "TaskID": id, "StocktakeNumber": format!("ST-{n:05}"), "Status": status,
        "EffectiveDate": "2026-11-03T00:00:00", "Account": "403: Inventory Adjustments", "Reference": "",
    });
    let mut detail = row.clone();
    detail["NewStockLines"] =
        json!([{ "SKU": "W-1", "ProductName": "Widget", "Quantity": 2, "UnitCost": num("12.5") }]);
    detail["Transactions"] = json!([{ "ID": format!("{id}-t"), "Debit": "630: Inventory", "Credit": "403: Inventory Adjustments", "Amount": num("25.00"), "EffectiveDate": "2026-11-03T00:00:00" }]);
    (id, row, detail)
}

#[tokio::test]
async fn a_full_cycle_lands_every_endpoint_in_the_store() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        d.accounts = fixture("ref_account.json")["AccountsList"].as_array().unwrap().clone();
        d.products = fixture("product.json")["Products"].as_array().unwrap().clone();
        let mut detail = fixture("sale_handmade.json");
        let id = detail["ID"].as_str().unwrap().to_string();
        let row = json!({ "SaleID": id, "Updated": "2026-03-05T01:02:03.1234567Z", "Status": "CREDITED" });
        detail["LastModifiedOn"] = json!("2026-03-05T01:02:03.1234567Z");
        d.sales.put(&id, row, detail);
        d.credit_note_sales.push(id);
        let purchase = fixture("purchase.json");
        let pid = purchase["ID"].as_str().unwrap().to_string();
        let row = json!({ "ID": pid, "Type": "Simple Purchase", "LastUpdatedDate": "2025-12-08T04:05:42.337Z" });
        d.purchases.put(&pid, row, purchase);
        let advanced = fixture("advanced-purchase.json");
        let aid = advanced["ID"].as_str().unwrap().to_string();
        let row = json!({ "ID": aid, "Type": "Advanced Purchase", "LastUpdatedDate": "2025-04-23T05:57:45.847Z" });
        d.purchases.put(&aid, row, advanced);
        let (id, row, detail) = adjustment(1, "COMPLETED");
        d.adjustments.put(&id, row, detail);
        let transfer = fixture("stockTransfer.json");
        let row = fixture("stockTransferList.json")["StockTransferList"][0].clone();
        let id = transfer["TaskID"].as_str().unwrap().to_string();
        d.transfers.put(&id, row, transfer);
        let assembly = fixture("finishedGoods.json");
        let row = fixture("finishedGoodsList.json")["FinishedGoods"][0].clone();
        let id = assembly["TaskID"].as_str().unwrap().to_string();
        d.assemblies.put(&id, row, assembly);
        d.ledger = vec![posting("task-1", "2026-01-15", "610", "200: Sales", "1800.00")];
    }
    let reports = h.run().await;
    assert_clean(&reports);
    assert_eq!(reports.len(), LISTS, "{reports:?}");
    assert_eq!(h.count("SELECT count(*) FROM quarantine"), 0);
    assert_eq!(h.count("SELECT count(*) FROM accounts WHERE system = 'cin7'"), 3);
    assert_eq!(h.count("SELECT count(*) FROM raw_documents WHERE endpoint = 'product'"), 2);
    let docs = h.texts(
        "SELECT doc_type, count(*) FROM documents WHERE system = 'cin7' GROUP BY doc_type ORDER BY doc_type",
    );
    let docs: Vec<(&str, &str)> = docs.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        docs,
        [
            ("assembly", "1"),
            // The sale's refund, the simple purchase's 2 payments and refund, the advanced
            // purchase's payment and 2 refunds.
            ("payment", "7"),
            ("purchase_credit_note", "3"),
            ("purchase_invoice", "2"),
            ("sales_credit_note", "1"),
            ("sales_invoice", "1"),
            ("stock_adjustment", "1"),
            ("stock_transfer", "1"),
        ]
    );
    let total = h.texts("SELECT total FROM documents WHERE number = 'INV-01001'");
    assert_eq!(total, [["1234500.33"]], "money arrives exactly");
    assert_eq!(report(&reports, "saleList").calls, 2, "one list page, one detail");
    assert_eq!(
        report(&reports, "saleCreditNoteList").calls,
        1,
        "the same sale is not fetched twice"
    );
    let calls: usize = reports.iter().map(|r| r.calls).sum();
    assert_eq!(calls, h.requests().await, "every request is counted in a report");
}

#[tokio::test]
async fn paging_reads_every_page_up_to_the_total_and_no_further() {
    let h = Harness::new().await;
    h.data().products = (0..250).map(|n| product(n, "2026-11-01T00:00:00Z")).collect();
    let reports = h.run().await;
    let products = report(&reports, "product");
    assert_eq!((products.calls, products.new), (3, 250), "pages of 100: 100, 100, 50");
    h.data().products = (0..300).map(|n| product(n, "2026-11-01T00:00:00Z")).collect();
    h.set_now("2026-11-25T07:00:00Z");
    let again = h.run().await;
    let products = report(&again, "product");
    assert_eq!(products.calls, 3, "a full last page ends at the total, without an empty page");
    assert_eq!((products.new, products.unchanged), (50, 250));
    assert_eq!(h.count("SELECT count(*) FROM raw_documents WHERE endpoint = 'product'"), 300);
}

#[tokio::test]
async fn updated_since_overlap_with_shuffled_pages_gives_no_duplicates_and_no_gaps() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        for n in 0..1500 {
            let (row, detail) =
                sale(n, &format!("2026-11-20T00:{:02}:{:02}.1234567Z", n / 60 % 60, n % 60));
            d.sales.put(&sale_id(n), row, detail);
        }
    }
    let first = h.run().await;
    assert_clean(&first);
    let sales = report(&first, "saleList");
    assert_eq!(sales.calls, 2 + 1500, "two unordered pages, then one detail per sale");
    assert_eq!(h.detail_calls(), 1500);
    assert!(h.data().detail_calls.values().all(|n| *n == 1), "no sale fetched twice");
    let cursor = h.texts("SELECT cursor FROM sync_cursors WHERE endpoint = 'saleList'");
    assert_eq!(cursor, [["2026-11-20T00:24:59.123Z"]], "the newest change time of the window");

    // Between cycles: three sales change, two are new, one changes in the overlap second.
    {
        let mut d = h.data();
        for n in [3, 700, 1499] {
            let (row, detail) = sale(n, "2026-11-21T09:00:00Z");
            d.sales.put(&sale_id(n), row, detail);
        }
        for n in [1500, 1501] {
            let (row, detail) = sale(n, "2026-11-20T00:24:59.1234567Z");
            d.sales.put(&sale_id(n), row, detail);
        }
    }
    h.set_now("2026-11-25T07:00:00Z");
    let second = h.run().await;
    assert_clean(&second);
    let sales = report(&second, "saleList");
    assert_eq!(sales.calls, 1 + 5, "the overlap window is one page; five details");
    assert_eq!(h.detail_calls(), 1505);
    for (n, fetched) in [(3, 2), (700, 2), (1499, 2), (1500, 1), (1501, 1)] {
        assert_eq!(h.data().detail_calls[&format!("sale:{}", sale_id(n))], fetched, "sale {n}");
    }
    assert_eq!(h.count("SELECT count(*) FROM documents WHERE system = 'cin7'"), 1502);
    assert_eq!(h.count("SELECT count(DISTINCT number) FROM documents WHERE system = 'cin7'"), 1502);
    assert_eq!(
        h.count("SELECT count(*) FROM raw_documents WHERE endpoint = 'sale' AND external_id LIKE '00000000-%'"),
        1502,
        "one raw sale each"
    );
    let idle = h.run().await;
    assert_eq!(report(&idle, "saleList").calls, 1, "nothing changed: one list page, no detail");
}

#[tokio::test]
async fn a_record_that_moves_between_pages_while_they_are_read_is_found_by_a_second_read() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        for n in 0..1200 {
            let (row, detail) = sale(n, "2026-11-20T00:00:00Z");
            d.sales.put(&sale_id(n), row, detail);
        }
        d.hide_once = true;
    }
    let reports = h.run().await;
    assert_clean(&reports);
    assert_eq!(report(&reports, "saleList").calls, 2 + 2 + 1200, "the window is read twice");
    let hidden = h.data().hidden.clone().expect("a row was left out of page 2");
    let id = hidden["SaleID"].as_str().unwrap().to_string();
    assert_eq!(h.data().detail_calls[&format!("sale:{id}")], 1, "found, and fetched once");
    assert_eq!(h.count("SELECT count(*) FROM documents WHERE system = 'cin7'"), 1200);
}

#[rstest]
#[case::service_unavailable(503)]
#[case::too_many_requests(429)]
#[tokio::test]
async fn rate_limiting_backs_off_and_then_succeeds(#[case] status: u16) {
    let h = Harness::new().await;
    h.data().accounts = fixture("ref_account.json")["AccountsList"].as_array().unwrap().clone();
    // Cin7 sends no Retry-After: the layer waits out a (scaled, 60 ms) minute.
    Harness::get("ref/account")
        .respond_with(ResponseTemplate::new(status).set_body_string("Rate limit exceeded"))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run().await;
    assert_clean(&reports);
    let accounts = report(&reports, "ref/account");
    assert_eq!(accounts.calls, 1, "a call waited on is one call");
    assert_eq!(accounts.new, 3);
    let account_requests = h
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == format!("{API}/ref/account"))
        .count();
    assert_eq!(account_requests, 2, "refused once, then served");
}

#[tokio::test]
async fn refused_credentials_fail_clearly_and_stop_the_cycle() {
    let h = Harness::new().await;
    Harness::get("ref/account")
        .respond_with(ResponseTemplate::new(403).set_body_string("Incorrect credentials!"))
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run().await;
    assert_eq!(reports.len(), 1, "every other call would be refused too: {reports:?}");
    let error = reports[0].error.as_deref().unwrap();
    for expected in [
        "refused the credentials",
        "acme",
        "cin7.account_id",
        "cin7.application_key",
        "Integrations",
    ] {
        assert!(error.contains(expected), "`{expected}` missing from: {error}");
    }
    assert!(!error.contains(ACCOUNT_ID) && !error.contains(APP_KEY), "no secret in: {error}");
    let status = h.texts("SELECT last_error FROM sync_status WHERE endpoint = 'ref/account'");
    assert!(status[0][0].contains("refused the credentials"), "{status:?}");
}

#[tokio::test]
async fn a_changed_summary_triggers_exactly_one_detail_fetch_and_an_unchanged_one_none() {
    let h = Harness::new().await;
    for n in 1..=3 {
        let (id, row, detail) = adjustment(n, "DRAFT");
        h.data().adjustments.put(&id, row, detail);
    }
    let first = h.run().await;
    assert_clean(&first);
    assert_eq!(report(&first, "stockadjustmentList").calls, 1 + 3);
    let idle = h.run().await;
    let adjustments = report(&idle, "stockadjustmentList");
    assert_eq!((adjustments.calls, adjustments.unchanged), (1, 3), "{adjustments:?}");
    let (id, row, detail) = adjustment(2, "COMPLETED");
    h.data().adjustments.put(&id, row, detail);
    let changed = h.run().await;
    assert_eq!(report(&changed, "stockadjustmentList").calls, 1 + 1);
    assert_eq!(h.data().detail_calls[&format!("stockadjustment:{id}")], 2);
    assert_eq!(h.data().detail_calls.values().sum::<usize>(), 4);
    let status = h.texts(&format!("SELECT status FROM documents WHERE external_id = '{id}'"));
    assert_eq!(status, [["COMPLETED"]]);
}

#[tokio::test]
async fn ledger_lines_land_with_correct_debit_and_credit_accounts_and_amounts() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        d.ledger = vec![
            posting("task-1", "2026-10-01", "610: Accounts Receivable", "200", "1234.56"),
            posting("task-2", "2026-10-02", "630", "815", "-0.10"),
        ];
        let (row, detail) = sale(1, "2026-11-20T00:00:00Z");
        d.sales.put(&sale_id(1), row, detail);
    }
    assert_clean(&h.run().await);
    let feed = h.texts(
        "SELECT date, account_code, amount FROM ledger_lines WHERE source_id LIKE 'transactions/%' ORDER BY date, line_no",
    );
    assert_eq!(
        feed,
        [
            ["2026-10-01", "610", "1234.56"],
            ["2026-10-01", "200", "-1234.56"],
            ["2026-10-02", "630", "-0.10"],
            ["2026-10-02", "815", "0.10"],
        ]
    );
    let detail = h.texts(&format!(
        "SELECT date, account_code, amount FROM ledger_lines WHERE source_id = 'sale/{}' ORDER BY line_no",
        sale_id(1)
    ));
    assert_eq!(
        detail,
        [
            ["2026-11-01", "610", "100.00"],
            ["2026-11-01", "200", "-100.00"],
            ["2026-11-02", "310", "40.00"],
            ["2026-11-02", "630", "-40.00"],
        ]
    );
    let amounts = h.texts("SELECT amount FROM ledger_lines WHERE system = 'cin7'");
    let balance: rust_decimal::Decimal =
        amounts.iter().map(|r| r[0].parse::<rust_decimal::Decimal>().unwrap()).sum();
    assert_eq!(balance, rust_decimal::Decimal::ZERO, "every posting balances");
}

#[tokio::test]
async fn a_malformed_record_is_quarantined_and_the_rest_of_its_page_lands() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        d.ledger = vec![
            posting("task-1", "2026-10-01", "610", "200", "10.00"),
            json!({ "TaskID": "task-2", "EffectiveDate": "2026-10-01T00:00:00", "DebitAccountCode": "610", "CreditAccountCode": "200", "Amount": "12,50" }),
            posting("task-3", "2026-10-01", "610", "200", "30.00"),
        ];
        let (row, mut detail) = sale(1, "2026-11-20T00:00:00Z");
        detail["Invoices"][0]["InvoiceDate"] = json!("20/11/2026");
        d.sales.put(&sale_id(1), row, detail);
    }
    let reports = h.run().await;
    assert_clean(&reports);
    let ledger = report(&reports, "transactions");
    assert_eq!((ledger.new, ledger.quarantined), (2, 1));
    let sales = report(&reports, "saleList");
    assert_eq!(sales.quarantined, 1, "the invoice with a bad date");
    assert_eq!(
        h.count("SELECT count(*) FROM ledger_lines WHERE source_id LIKE 'transactions/%'"),
        4
    );
    let rows = h.texts("SELECT endpoint, error FROM quarantine ORDER BY endpoint");
    assert!(rows[0][0] == "sale" && rows[0][1].contains("20/11/2026"), "{rows:?}");
    assert!(rows[1][0] == "transactions" && rows[1][1].contains("12,50"), "{rows:?}");
    assert_eq!(
        h.count("SELECT count(*) FROM ledger_lines WHERE source_id LIKE 'sale/%'"),
        4,
        "the sale's other parts land"
    );
    h.set_now("2026-11-25T07:00:00Z");
    h.run().await;
    assert_eq!(h.count("SELECT count(*) FROM quarantine"), 2, "read again, quarantined once");
}

#[tokio::test]
async fn the_ledger_is_read_whole_then_trailing_then_whole_again_a_week_later() {
    let h = Harness::new().await;
    let old = posting("task-old", "2025-01-10", "630", "815", "5.00");
    let recent = posting("task-new", "2026-11-10", "610", "200", "7.00");
    h.data().ledger = vec![old.clone(), recent.clone()];
    let first = h.run().await;
    assert_clean(&first);
    assert_eq!(h.count("SELECT count(*) FROM ledger_lines"), 4, "the backfill reaches 2025");
    assert_eq!(ledger_window(&h).await, ("2024-11-24".into(), "2027-11-27".into()), "a day wider");
    assert_eq!(
        h.texts("SELECT cursor FROM sync_cursors WHERE endpoint = 'transactions'"),
        [["2026-11-25"]]
    );

    // Next day: only the trailing 60 days; the back-dated change of an old row is not seen.
    h.set_now("2026-11-26T06:00:00Z");
    let mut moved = old.clone();
    moved["Amount"] = json!(6);
    h.data().ledger = vec![moved, recent.clone()];
    let trailing = h.run().await;
    assert_clean(&trailing);
    assert_eq!(ledger_window(&h).await.0, "2026-09-26", "60 days back, a day wider");
    assert_eq!(
        h.texts("SELECT amount FROM ledger_lines WHERE date = '2025-01-10' AND amount > 0"),
        [["5.00"]]
    );

    // A week after the last full read: the whole ledger again, and the stale row is replaced.
    h.set_now("2026-12-02T06:00:00Z");
    let weekly = h.run().await;
    assert_clean(&weekly);
    assert_eq!(
        h.texts("SELECT amount FROM ledger_lines WHERE date = '2025-01-10' AND amount > 0"),
        [["6"]]
    );
    assert_eq!(ledger_window(&h).await.0, "2024-11-24");
    assert_eq!(h.count("SELECT count(*) FROM ledger_lines"), 4, "the old version is removed");
    assert_eq!(
        h.texts("SELECT cursor FROM sync_cursors WHERE endpoint = 'transactions'"),
        [["2026-12-02"]]
    );
}

/// `FromDate` and `ToDate` of the last ledger request.
async fn ledger_window(h: &Harness) -> (String, String) {
    let requests = h.server.received_requests().await.unwrap();
    let last = requests.iter().rev().find(|r| r.url.path().ends_with("/transactions")).unwrap();
    let param =
        |name: &str| last.url.query_pairs().find(|(k, _)| k == name).unwrap().1.into_owned();
    (param("FromDate"), param("ToDate"))
}

#[tokio::test]
async fn an_idle_cycle_costs_one_call_per_list() {
    let h = Harness::new().await;
    {
        let mut d = h.data();
        d.products = (0..5).map(|n| product(n, "2026-11-01T00:00:00Z")).collect();
        for n in 0..20 {
            let (row, detail) = sale(n, "2026-11-20T00:00:00Z");
            d.sales.put(&sale_id(n), row, detail);
        }
        for n in 0..4 {
            let (id, row, detail) = adjustment(n, "COMPLETED");
            d.adjustments.put(&id, row, detail);
        }
        d.ledger = vec![posting("task-1", "2026-11-01", "610", "200", "1.00")];
    }
    let first = h.run().await;
    assert_clean(&first);
    let before = h.requests().await;
    h.set_now("2026-11-25T07:00:00Z");
    let idle = h.run().await;
    assert_clean(&idle);
    let calls: usize = idle.iter().map(|r| r.calls).sum();
    assert_eq!(calls, LISTS, "{idle:?}");
    assert_eq!(h.requests().await - before, LISTS);
    assert!(idle.iter().all(|r| r.new == 0 && r.changed == 0), "{idle:?}");
}

#[tokio::test]
async fn a_sale_deleted_between_list_and_detail_is_skipped_and_the_window_still_closes() {
    let h = Harness::new().await;
    let (row, _) = sale(9, "2026-11-20T00:00:00Z");
    h.data().sales.put(&sale_id(9), row, Value::Null);
    Harness::get("sale")
        .and(query_param("ID", sale_id(9).as_str()))
        .respond_with(ResponseTemplate::new(404).set_body_string("not found"))
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run().await;
    assert_clean(&reports);
    let cursor = h.texts("SELECT cursor FROM sync_cursors WHERE endpoint = 'saleList'");
    assert_eq!(cursor, [["2026-11-20T00:00:00.000Z"]]);
}

#[tokio::test]
async fn a_response_that_is_not_json_fails_its_endpoint_and_quotes_its_beginning() {
    let h = Harness::new().await;
    Harness::get("product")
        .respond_with(
            ResponseTemplate::new(200).set_body_string("<html><body>Maintenance</body></html>"),
        )
        .with_priority(1)
        .expect(1)
        .mount(&h.server)
        .await;
    let reports = h.run().await;
    let error = report(&reports, "product").error.as_deref().unwrap();
    assert!(error.contains("not JSON") && error.contains("<html><body>Maintenance"), "{error}");
    assert_eq!(reports.len(), LISTS, "the other endpoints go on");
    assert!(reports.iter().filter(|r| r.error.is_some()).count() == 1, "{reports:?}");
    assert_eq!(
        h.texts(
            "SELECT count(*) FROM sync_cursors WHERE endpoint = 'product' AND cursor IS NOT NULL"
        ),
        [["0"]]
    );
}

#[tokio::test]
async fn sync_once_runs_cin7_core_after_xero_and_reports_it_as_cin7() {
    let h = Harness::new().await;
    h.data().ledger = vec![posting("task-1", "2026-11-01", "610", "200", "1.00")];
    // Xero refuses the app: its endpoints fail fast, and Cin7 still runs after them.
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .and(wiremock::matchers::path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({ "error": "invalid_client" })),
        )
        .mount(&h.server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cxsync.toml");
    let uri = h.server.uri();
    std::fs::write(
        &config,
        format!(
            r#"
[store]
path = "{db}"
[[connections]]
name = "acme"
[connections.xero]
api_url = "{uri}/api.xro/2.0"
token_url = "{uri}/connect/token"
identity_url = "{uri}/"
client_id = "id"
client_secret = "xero-secret-value"
tenant_id = "tenant-1"
[connections.xero.limits]
per_minute = 6000
[connections.cin7]
kind = "core"
api_url = "{uri}{API}"
account_id = "{ACCOUNT_ID}"
application_key = "{APP_KEY}"
backfill_from = 2024-11-25
[connections.cin7.limits]
per_minute = 6000
[connections.accounts]
inventory = "630"
"#,
            db = h.db.display(),
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cxsync"))
            .args(["--config", config.to_str().unwrap(), "sync", "--once"])
            .env_clear()
            .env("RUST_LOG", "debug")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "Xero failed: {stdout}\n{stderr}");
    let cin7_rows: Vec<&str> = stdout.lines().filter(|l| l.contains(" cin7 ")).collect();
    assert_eq!(cin7_rows.len(), LISTS, "{stdout}");
    assert!(cin7_rows.iter().any(|l| l.contains("saleList")), "{stdout}");
    assert!(!stderr.contains("Cin7 sync and reconciliation are not built"), "{stderr}");
    for secret in [ACCOUNT_ID, APP_KEY, "xero-secret-value"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret), "{secret} leaked");
    }
    assert_eq!(h.count("SELECT count(*) FROM ledger_lines WHERE system = 'cin7'"), 2);
}
