//! Xero sync against wiremock: every endpoint lands in the store, paging resumes from the
//! committed cursor after a failure without duplicates or gaps (Journals' raw JSON one row per
//! page), journals read again add nothing, an idle cycle costs one call per endpoint, refused
//! journals fall back to the trial balance, and a bad record is quarantined while the rest of
//! its page lands. Any request no mock expects fails the test.

mod support;

use cxsync::model::System;
use cxsync::sync::EndpointReport;
use cxsync::table::Value as Cell;
use serde_json::{Value, json};
use support::fake_xero::{self, Behaviour, invoice, journal};
use support::xero_harness::{API, Harness, fixture};
use wiremock::matchers::{path, query_param};
use wiremock::{Mock, ResponseTemplate};

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
async fn journal_pages_read_before_a_failure_land_with_their_cursor_and_the_feed_resumes() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_list("Invoices", "Invoices", vec![], &[]).await;
    let mut journals: Vec<Value> = (1..=2500).map(journal).collect();
    // In page 12: not yet committed when the feed fails (pages are committed ten at a time).
    journals[1149]["JournalLines"][0]["NetAmount"] = json!("12,50");
    // Calls 14 and 15 (page 14 and its retry) fail: 13 pages were read, 10 of them committed.
    Mock::given(path(format!("{API}/Journals")))
        .respond_with(fake_xero::journals(
            journals,
            Behaviour { fail_calls: vec![14, 15], limit: None },
        ))
        .mount(&h.server)
        .await;

    let first = h.run(false).await;
    let failed = report(&first, "Journals");
    assert!(failed.error.as_deref().is_some_and(|e| e.contains("500")), "{failed:?}");
    assert_eq!((failed.new, failed.quarantined), (1299, 1), "{failed:?}");
    assert_eq!(h.count("SELECT count(DISTINCT source_id) FROM ledger_lines"), 1299);
    assert_eq!(h.count("SELECT count(*) FROM quarantine WHERE endpoint = 'Journals'"), 1);
    let cursor = h.store().endpoint_state("acme", System::Xero, "Journals").unwrap().cursor;
    assert_eq!(cursor.as_deref(), Some("1300"), "the cursor of the last page read and written");
    // Each page read is one raw row holding all its journals, the quarantined one included.
    assert_eq!(h.count("SELECT count(*) FROM raw_pages WHERE records = 100"), 13);
    assert_eq!(h.count("SELECT count(*) FROM raw_documents WHERE endpoint = 'Journals'"), 0);
    let page_12 = h
        .store()
        .query(
            "SELECT last_number, json_array_length(body),
                    (SELECT json_extract(j.value, '$.JournalLines[0].NetAmount')
                     FROM json_each(body) j WHERE json_extract(j.value, '$.JournalNumber') = 1150)
             FROM raw_pages WHERE first_number = 1101",
        )
        .unwrap();
    assert_eq!(
        page_12.rows,
        [[Cell::Integer(1200), Cell::Integer(100), Cell::Text("12,50".into())]]
    );

    let second = h.run(false).await;
    let resumed = report(&second, "Journals");
    assert_eq!(resumed.error, None);
    assert_eq!((resumed.new, resumed.unchanged, resumed.calls), (1200, 0, 13), "{resumed:?}");
    assert_eq!(h.count("SELECT count(DISTINCT source_id) FROM ledger_lines"), 2499);
    assert_eq!(h.count("SELECT count(*) FROM ledger_lines"), 2499 * 3);
    let cursor = h.store().endpoint_state("acme", System::Xero, "Journals").unwrap().cursor;
    assert_eq!(cursor.as_deref(), Some("2500"));
    let raw_journals = "SELECT count(*), count(DISTINCT json_extract(j.value, '$.JournalNumber'))
                        FROM raw_pages p, json_each(p.body) j";
    let raw_journals = h.store().query(raw_journals).unwrap();
    assert_eq!(raw_journals.rows, [[Cell::Integer(2500), Cell::Integer(2500)]], "each raw once");
}

#[tokio::test]
async fn journals_read_again_after_a_cursor_reset_add_nothing_and_count_as_unchanged() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_list("Invoices", "Invoices", vec![], &[]).await;
    Mock::given(path(format!("{API}/Journals")))
        .respond_with(fake_xero::journals(
            (1..=250).map(journal).collect(),
            Behaviour { fail_calls: vec![], limit: None },
        ))
        .mount(&h.server)
        .await;
    let first = h.run(false).await;
    assert_eq!(report(&first, "Journals").new, 250);
    let pages = "SELECT group_concat(first_number || '-' || last_number || ':' || records, ' ')
                 FROM (SELECT * FROM raw_pages ORDER BY first_number)";
    let stored_pages = h.store().query(pages).unwrap().rows;
    assert_eq!(stored_pages, [[Cell::Text("1-100:100 101-200:100 201-250:50".into())]]);

    let conn = rusqlite::Connection::open(&h.db).unwrap();
    conn.execute("UPDATE sync_cursors SET cursor = '100' WHERE endpoint = 'Journals'", []).unwrap();
    drop(conn);
    let again = h.run(false).await;
    let journals = report(&again, "Journals");
    assert_eq!(journals.error, None);
    assert_eq!((journals.new, journals.changed, journals.unchanged), (0, 0, 150), "{journals:?}");
    assert_eq!(h.count("SELECT count(*) FROM ledger_lines"), 250 * 3, "no line twice");
    assert_eq!(h.store().query(pages).unwrap().rows, stored_pages, "the same pages, once each");
    let cursor = h.store().endpoint_state("acme", System::Xero, "Journals").unwrap().cursor;
    assert_eq!(cursor.as_deref(), Some("250"));
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
        .and(query_param("where", "Status==\"AUTHORISED\""))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "CreditNotes": [] })))
        .with_priority(1)
        .expect(0) // no credit note was ever stored: nothing to read again
        .mount(&h.server)
        .await;
    h.run(false).await; // the first full read
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

#[tokio::test]
async fn refused_journals_are_asked_for_again_after_a_week() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_list("Invoices", "Invoices", vec![], &[]).await;
    h.mount_fixture("Journals", "journals_get.json").await;
    {
        let store = cxsync::store::Store::open(&h.db).unwrap();
        store.set_endpoint_available("acme", System::Xero, "Journals", false).unwrap();
        let eight_days_ago =
            cxsync::clock::Clock::now(&cxsync::clock::SystemClock) - chrono::Duration::days(8);
        store
            .finish_endpoint("acme", System::Xero, "Journals", Some("HTTP 403"), eight_days_ago)
            .unwrap();
    }
    let reports = h.run(false).await;
    assert_eq!(report(&reports, "Journals").error, None);
    assert!(reports.iter().all(|r| r.endpoint != "Reports/TrialBalance"), "{reports:?}");
    assert!(h.store().endpoint_state("acme", System::Xero, "Journals").unwrap().available);
}

#[tokio::test]
async fn the_first_full_read_counts_as_the_open_document_reread() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    h.mount_list("Invoices", "Invoices", vec![invoice(1, 5)], &[]).await;
    // No mock answers Statuses=AUTHORISED: the catch-all would fail the test if it were asked.
    let reports = h.run(true).await;
    assert_eq!(report(&reports, "Invoices#open").calls, 0);
    assert_eq!(report(&reports, "Invoices#open").error, None);
}

#[tokio::test]
async fn settings_lists_are_left_out_of_cycles_between_their_reads() {
    let h = Harness::new().await;
    h.mount_quiet_defaults().await;
    h.mount_fixture("Journals", "journals_get.json").await;
    h.mount_list("Invoices", "Invoices", vec![invoice(1, 5)], &[]).await;
    h.run(false).await;
    let light = h.run_with(false, false).await;
    let endpoints: Vec<&str> = light.iter().map(|r| r.endpoint.as_str()).collect();
    assert_eq!(
        endpoints,
        ["Invoices", "CreditNotes", "Payments", "ManualJournals", "BankTransactions", "Journals"]
    );
    assert_eq!(light.iter().map(|r| r.calls).sum::<usize>(), 6);
}
