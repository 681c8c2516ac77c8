//! `cxsync demo` runs on a bare machine: no config, no accounts, no network beyond 127.0.0.1.

use std::process::Command;

#[test]
fn the_demo_syncs_the_simulator_into_a_fresh_store_and_says_what_to_try_next() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that does not exist yet: the demo makes it, private.
    let db = dir.path().join("new").join("demo.db");
    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["demo", "--store", db.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}{}", String::from_utf8_lossy(&output.stderr));
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(db.parent().unwrap()).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o700);
    assert!(text.contains("Journals") && text.contains("Try next"), "{text}");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("still reading") && log.contains("connection=sim"),
        "a long read logs its progress: {log}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let invoices: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents WHERE system = 'cin7' AND doc_type = 'sales_invoice'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(invoices, 792, "800 sales, 8 of them shipped and not invoiced yet");
    // "… with N errors planted …": the demo finds exactly that many.
    let planted: i64 = text
        .split(" errors planted")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the planted count");
    let open: i64 = conn.query_row("SELECT count(*) FROM open_findings", [], |r| r.get(0)).unwrap();
    assert_eq!(open, planted, "{text}");
    assert!(text.contains("Variance report: sim"), "{text}");
    let errors: i64 = conn
        .query_row("SELECT count(*) FROM sync_status WHERE last_error IS NOT NULL", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(errors, 0);
    let report = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("cxsync --config ")?.strip_suffix(" report"))
        .expect("the demo suggests `cxsync --config FILE report`");
    let json = report_json(report, &[]);
    assert_eq!(json["xero_source"], "journals", "{json}");
    assert_eq!(json["accounts"][0]["role"], "inventory", "{json}");
    assert!(json["accounts"][0]["xero_balance"].is_string(), "{json}");
    // The inventory variance is the simulator's own (its Cin7 ledger minus its Xero journals):
    // the planted 250.00 manual journal into inventory, the stock adjustments whose journals
    // Cin7 never pushed, and those edited in Xero.
    let world = cxsync::sim::data::generate(1, 800);
    let unpushed = unpushed_adjustments_on_inventory(&world);
    assert!(unpushed > rust_decimal::Decimal::ZERO);
    let variance: rust_decimal::Decimal =
        json["accounts"][0]["variance"].as_str().unwrap().parse().unwrap();
    assert_eq!(variance, world.ledger_variance()["630"], "{json}");
    assert_ne!(variance, rust_decimal::Decimal::new(25_000, 2) + unpushed, "edits planted too");
    // Their `missing_in_xero` findings carry the inventory side of each adjustment, so the
    // whole variance is explained.
    assert_eq!(json["accounts"][0]["unexplained"], "0.00", "{json}");
    let missing = json["accounts"][0]["explained"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "missing_in_xero");
    let missing: rust_decimal::Decimal = missing
        .expect("missing_in_xero explains part")
        .get("amount")
        .unwrap()
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(missing, unpushed, "{json}");
    // Every planted difference is told on the control account it lands on (bills' and
    // receipts' amount mismatches on GRNI and stock in transit too): nothing unexplained.
    for account in json["accounts"].as_array().unwrap() {
        assert_eq!(account["unexplained"], "0.00", "{}: {json}", account["code"]);
    }
    // On a date in the data's own financial year (July 2025 to June 2026) COGS and revenue
    // carry figures too. Every account's variance is the simulator's, and all of it is
    // explained: a difference that moves two accounts (an adjustment against COGS never
    // pushed, or edited in Xero) is told on both.
    let json = report_json(report, &["--date", "2026-06-30"]);
    let truth = world.ledger_variance();
    for account in json["accounts"].as_array().unwrap() {
        let code = account["code"].as_str().unwrap();
        let variance: rust_decimal::Decimal =
            account["variance"].as_str().unwrap().parse().unwrap();
        assert_eq!(variance, truth[code], "{code}: {json}");
        assert_eq!(account["unexplained"], "0.00", "{code}: {json}");
    }
    let cogs = &json["accounts"][1];
    assert_eq!(cogs["role"], "cogs", "{json}");
    assert_ne!(cogs["variance"], "0.00", "the planted COGS differences are in this year: {json}");
    let again = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["demo", "--store", db.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2), "an existing store is refused, not reused");
}

/// `cxsync --config CONFIG report --format json ARGS`, parsed.
fn report_json(config: &str, args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", config, "report", "--format", "json"])
        .args(args)
        .env_clear()
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{json}{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&json).unwrap()
}

/// Inventory (630, debit positive) posted in Cin7 by the demo's stock adjustments planted as
/// never pushed to Xero.
/// `world`: the demo's simulator, the default seed and 800 sales.
fn unpushed_adjustments_on_inventory(
    world: &cxsync::sim::data::XeroWorld,
) -> rust_decimal::Decimal {
    let unpushed: Vec<&str> = world
        .truth
        .iter()
        .filter(|(kind, reference)| *kind == "missing_in_xero" && reference.starts_with("ST-"))
        .map(|(_, reference)| reference.as_str())
        .collect();
    world
        .cin7
        .transactions
        .iter()
        .filter(|(_, row)| unpushed.contains(&row["Reference"].as_str().unwrap()))
        .map(|(_, row)| {
            let amount: rust_decimal::Decimal = row["Amount"].to_string().parse().unwrap();
            let sign = |field: &str| i64::from(row[field] == "630");
            amount
                * rust_decimal::Decimal::from(sign("DebitAccountCode") - sign("CreditAccountCode"))
        })
        .sum()
}
