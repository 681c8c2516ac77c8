//! `cxsync report` end to end: a store written through the library, the binary run with
//! `--store`, and its text, JSON and CSV read back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{DateTime, NaiveDate};
use cxsync::clock::Clock as _;
use cxsync::config::Cin7Kind;
use cxsync::model::{LedgerEntry, LedgerLine, Payload, Record, System};
use cxsync::store::{PageWrite, Store};

const CONFIG: &str = r#"
[[connections]]
name = "acme-au"
timezone = "Australia/Sydney"
[connections.xero]
client_id = "id"
client_secret = "xero-secret-value"
[connections.cin7]
kind = "core"
account_id = "acct-value"
application_key = "app-key-value"
[connections.accounts]
inventory = "630"
grni = "815"
"#;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cxsync.toml"), CONFIG).unwrap();
        Self { dir }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("elsewhere.db")
    }

    /// Runs cxsync with this sandbox's config and `--store`, in a clean environment whose
    /// configured store path does not exist (so only `--store` can make it work).
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_cxsync"))
            .args(args)
            .arg("--store")
            .arg(self.store())
            .env_clear()
            .env("CXSYNC_CONFIG", self.dir.path().join("cxsync.toml"))
            .env("CXSYNC__STORE__PATH", self.dir.path().join("missing/cxsync.db"))
            .output()
            .unwrap()
    }
}

fn ledger(store: &mut Store, system: System, id: &str, date: &str, lines: &[(&str, &str)]) {
    // Cin7 balances come from its transactions feed, whose entries are stored under this prefix.
    let id = &if system == System::Cin7 { format!("transactions/{id}") } else { id.to_string() };
    let lines = lines
        .iter()
        .zip(0..)
        .map(|((account, amount), line_no)| LedgerLine {
            line_no,
            date: date.parse::<NaiveDate>().unwrap(),
            account_code: (*account).into(),
            amount: amount.parse().unwrap(),
            description: None,
        })
        .collect();
    let entry = LedgerEntry {
        source_id: id.into(),
        journal_number: None,
        source_type: None,
        reference: None,
        lines,
    };
    let record =
        Record { external_id: id.into(), updated_at: None, payload: Payload::Ledger(entry) };
    let page = PageWrite::records(
        "acme-au",
        system,
        if system == System::Xero { "Journals" } else { "transactions" },
        vec![(record, "{}".into())],
    );
    store.write_page(&page, DateTime::UNIX_EPOCH).unwrap();
}

/// Cin7 holds 100.00 of stock received but not invoiced; Xero only 90.00 of it.
fn write_store(path: &Path) {
    let mut store = Store::open(path).unwrap();
    store.ensure_connection("acme-au", Cin7Kind::Core, DateTime::UNIX_EPOCH).unwrap();
    ledger(&mut store, System::Cin7, "c1", "2026-11-10", &[("630", "100.00"), ("815", "-100.00")]);
    ledger(&mut store, System::Xero, "j1", "2026-11-11", &[("630", "90.00"), ("815", "-90.00")]);
    store.finish_endpoint("acme-au", System::Xero, "Journals", None, DateTime::UNIX_EPOCH).unwrap();
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn report_json_from_a_given_store_has_the_contract_fields_and_signed_variances() {
    let sandbox = Sandbox::new();
    write_store(&sandbox.store());
    let output = sandbox.run(&["report", "--date", "2026-11-24", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["connection"], "acme-au");
    assert_eq!(report["date"], "2026-11-24");
    assert_eq!(report["xero_source"], "journals");
    let accounts = report["accounts"].as_array().unwrap();
    assert_eq!(accounts[0]["role"], "inventory");
    assert_eq!(accounts[0]["code"], "630");
    assert_eq!(accounts[0]["cin7_balance"], "100.00");
    assert_eq!(accounts[0]["xero_balance"], "90.00");
    assert_eq!(accounts[0]["variance"], "10.00");
    assert_eq!(accounts[0]["unexplained"], "10.00");
    assert_eq!(accounts[0]["explained"], serde_json::json!([]));
    assert_eq!(accounts[1]["role"], "grni");
    assert_eq!(accounts[1]["variance"], "-10.00");
    assert!(report["new_findings"].is_array() && report["resolved_findings"].is_array());
}

#[test]
fn report_text_and_csv_print_the_same_figures() {
    let sandbox = Sandbox::new();
    write_store(&sandbox.store());
    let text = sandbox.run(&["report", "--date", "2026-11-24"]);
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = stdout(&text);
    assert!(text.starts_with("Variance report: acme-au, 2026-11-24\n"), "{text}");
    assert!(text.contains("inventory  630    100.00   90.00     10.00"), "{text}");
    let csv = sandbox.run(&["report", "--date", "2026-11-24", "--format", "csv"]);
    let csv = stdout(&csv);
    assert!(
        csv.contains(
            "acme-au,2026-11-24,journals,grni,815,,-100.00,-90.00,-10.00,0.00,-10.00,\r\n"
        ),
        "{csv}"
    );
}

#[test]
fn report_html_is_one_page_with_the_trend_chart_embedded_and_no_secret() {
    let sandbox = Sandbox::new();
    write_store(&sandbox.store());
    let output = sandbox.run(&["report", "--date", "2026-11-24", "--format", "html"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = stdout(&output);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"), "{html}");
    assert!(html.contains("acme-au"), "{html}");
    for secret in ["xero-secret-value", "acct-value", "app-key-value"] {
        assert!(!html.contains(secret), "{secret} leaked");
    }
    // The configured day limit (Xero's default, 5000) reaches the API budget in every format.
    assert!(html.contains("xero: 0 of 5000 a day (0.0%), 5000 left"), "{html}");
    let json = sandbox.run(&["report", "--date", "2026-11-24", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(report["api_budget"]["systems"][0]["limit"], 5000);
}

#[test]
fn unknown_formats_and_connections_are_usage_errors() {
    let sandbox = Sandbox::new();
    write_store(&sandbox.store());
    for args in [&["report", "--format", "pdf"][..], &["report", "--connection", "nope"]] {
        let output = sandbox.run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", stderr(&output));
        assert!(stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn html_of_several_connections_asks_for_one_instead_of_concatenating_pages() {
    let sandbox = Sandbox::new();
    let second = CONFIG.replace("acme-au", "acme-nz");
    let both = format!("{CONFIG}{}", &second[second.find("[[connections]]").unwrap()..]);
    std::fs::write(sandbox.dir.path().join("cxsync.toml"), both).unwrap();
    write_store(&sandbox.store());
    let output = sandbox.run(&["report", "--date", "2026-11-24", "--format", "html"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    assert!(
        stderr(&output).contains("--connection NAME (configured: acme-au, acme-nz)"),
        "{}",
        stderr(&output)
    );
    let one = sandbox.run(&[
        "report",
        "--date",
        "2026-11-24",
        "--format",
        "html",
        "--connection",
        "acme-au",
    ]);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(stdout(&one).matches("<!DOCTYPE html>").count(), 1);
}

#[test]
fn report_without_a_date_uses_yesterday_in_the_connections_time_zone() {
    let sandbox = Sandbox::new();
    write_store(&sandbox.store());
    let output = sandbox.run(&["report", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let tz: chrono_tz::Tz = "Australia/Sydney".parse().unwrap();
    // Either side of the run, in case it straddles Sydney midnight.
    let yesterday = |offset: i64| {
        (cxsync::clock::SystemClock.now().with_timezone(&tz) + chrono::Duration::seconds(offset))
            .date_naive()
            .pred_opt()
            .unwrap()
            .to_string()
    };
    let date = report["date"].as_str().unwrap();
    assert!(date == yesterday(-60) || date == yesterday(0), "{date}");
}

#[test]
fn report_without_a_store_exits_2_and_a_connection_never_synced_exits_1_saying_so() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["report", "--date", "2026-11-24"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("cxsync check"), "{}", stderr(&output));
    drop(Store::open(&sandbox.store()).unwrap());
    let output = sandbox.run(&["report", "--date", "2026-11-24"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("no data for connection `acme-au`"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

#[test]
fn report_send_delivers_records_and_resends_only_when_asked() {
    let sandbox = Sandbox::new();
    let reports = sandbox.dir.path().join("reports");
    let config = format!("{CONFIG}\n[report]\ndirectory = \"{}\"\n", reports.display());
    std::fs::write(sandbox.dir.path().join("cxsync.toml"), config).unwrap();
    write_store(&sandbox.store());

    let output = sandbox.run(&["report", "--send", "--date", "2026-11-24"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let folder = reports.join("acme-au");
    assert_eq!(
        stdout(&output),
        format!("acme-au: the report for 2026-11-24 was sent to log, file:{}\n", folder.display())
    );
    // The log line: two accounts disagree, by +10.00 and -10.00.
    let log = stderr(&output);
    assert!(log.contains("variance report") && log.contains("accounts_disagreeing=2"), "{log}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("2026-11-24.json")).unwrap()).unwrap();
    assert_eq!(json["accounts"][0]["variance"], "10.00");
    let text = std::fs::read_to_string(folder.join("2026-11-24.txt")).unwrap();
    assert!(text.starts_with("Variance report: acme-au, 2026-11-24\n"), "{text}");
    let (sent_at, delivered_to): (Option<String>, Option<String>) =
        rusqlite::Connection::open(sandbox.store())
            .unwrap()
            .query_row(
                "SELECT sent_at, delivered_to FROM reports WHERE report_date = '2026-11-24'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
    assert!(sent_at.is_some());
    assert_eq!(delivered_to.unwrap(), format!("log, file:{}", folder.display()));

    let again = sandbox.run(&["report", "--send", "--date", "2026-11-24"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stdout(&again).contains("already sent at"), "{}", stdout(&again));
    assert!(stdout(&again).contains("--resend"), "{}", stdout(&again));
    std::fs::remove_file(folder.join("2026-11-24.txt")).unwrap();
    let resent = sandbox.run(&["report", "--send", "--resend", "--date", "2026-11-24"]);
    assert_eq!(resent.status.code(), Some(0), "{}", stderr(&resent));
    assert!(stdout(&resent).contains("was sent to"), "{}", stdout(&resent));
    assert!(folder.join("2026-11-24.txt").exists(), "written again");

    // The daemon is delivering it right now (its claim is fresh): not sent a second time.
    let now = cxsync::clock::timestamp(cxsync::clock::SystemClock.now());
    rusqlite::Connection::open(sandbox.store())
        .unwrap()
        .execute("UPDATE reports SET sending_since = ?1 WHERE report_date = '2026-11-24'", [&now])
        .unwrap();
    std::fs::remove_file(folder.join("2026-11-24.txt")).unwrap();
    let racing = sandbox.run(&["report", "--send", "--resend", "--date", "2026-11-24"]);
    assert_eq!(racing.status.code(), Some(0), "{}", stderr(&racing));
    assert!(
        stdout(&racing).contains("being delivered by another cxsync process"),
        "{}",
        stdout(&racing)
    );
    assert!(!folder.join("2026-11-24.txt").exists(), "nothing delivered");

    let tomorrow =
        (cxsync::clock::SystemClock.now() + chrono::Duration::days(2)).date_naive().to_string();
    let early = sandbox.run(&["report", "--send", "--date", &tomorrow]);
    assert_eq!(early.status.code(), Some(2), "{}", stderr(&early));
    assert!(
        stderr(&early).contains("cannot be sent before that day has ended"),
        "{}",
        stderr(&early)
    );
}
