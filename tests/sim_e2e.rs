//! End to end against the simulator with planted errors: every planted error is found, and
//! nothing is reported about the clean documents — against Cin7 Core and against Cin7 Omni.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use cxsync::sim::{SimCin7, SimConfig, Simulator};

/// What one `sync --once` against the simulator left.
struct Synced {
    sim: Simulator,
    /// Open findings as `(kind, reference)`.
    found: BTreeSet<(String, String)>,
    matched: i64,
    /// The Xero ids of the matches.
    matched_xero: BTreeSet<String>,
    /// Holds the store and the config.
    dir: tempfile::TempDir,
}

/// Runs `sync --once` against a simulator serving `cin7`.
async fn sync_once(cin7: SimCin7) -> Synced {
    let sim = Simulator::start(SimConfig {
        seed: 3,
        size: 600,
        minute: Duration::from_millis(300),
        cin7,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cxsync.db");
    let config = dir.path().join("cxsync.toml");
    std::fs::write(&config, sim.config_toml(&db)).unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_cxsync"))
            .args(["--config", config.to_str().unwrap(), "sync", "--once"])
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT kind, coalesce(cin7_ref, xero_ref) FROM findings WHERE resolved_at IS NULL",
        )
        .unwrap();
    let found: BTreeSet<(String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let matched: i64 =
        conn.query_row("SELECT count(*) FROM matches", [], |row| row.get(0)).unwrap();
    let matched_xero: BTreeSet<String> = conn
        .prepare("SELECT xero_external_id FROM matches")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    Synced { sim, found, matched, matched_xero, dir }
}

/// `cxsync report --format json` for `date`.
fn report_json(dir: &std::path::Path, date: &str) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", dir.join("cxsync.toml").to_str().unwrap()])
        .args(["report", "--format", "json", "--date", date])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `cxsync report --format json` for `date`: each account's code and variance.
fn reported_variance(dir: &std::path::Path, date: &str) -> Vec<(String, Option<String>)> {
    let report = report_json(dir, date);
    report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (a["code"].as_str().unwrap().to_string(), a["variance"].as_str().map(String::from))
        })
        .collect()
}

fn assert_exactly_the_truth(sim: &Simulator, found: &BTreeSet<(String, String)>) {
    let expected: BTreeSet<(String, String)> = sim
        .truth
        .iter()
        .map(|(kind, reference)| ((*kind).to_string(), reference.clone()))
        .collect();
    let missed: Vec<_> = expected.difference(found).collect();
    let spurious: Vec<_> = found.difference(&expected).collect();
    assert!(missed.is_empty() && spurious.is_empty(), "missed {missed:?}\nspurious {spurious:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_error_is_found_and_nothing_else() {
    let Synced { sim, found, matched, matched_xero, dir } = sync_once(SimCin7::Core).await;
    let kinds: BTreeSet<&str> = sim.truth.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds.len(), 11, "the simulator plants eleven kinds: {kinds:?}");
    assert_exactly_the_truth(&sim, &found);
    assert!(matched > 1000, "the clean documents were matched: {matched}");
    // Every bill, stock receipt journal and stock adjustment journal Cin7 pushed to Xero was
    // matched to its Cin7 purchase invoice, receipt posting or adjustment.
    let world = cxsync::sim::data::generate(sim.config.seed, sim.config.size);
    let bills = world.lists["Invoices"].iter().filter(|i| i.json["Type"] == "ACCPAY");
    let stock_journals = world.lists["ManualJournals"].iter().filter(|j| {
        let narration = j.json["Narration"].as_str().unwrap();
        narration.starts_with("Cin7 stock received")
            || narration.starts_with("Cin7 stock adjustment")
    });
    let pushed: BTreeSet<String> = bills
        .map(|b| b.json["InvoiceID"].as_str().unwrap().to_string())
        .chain(stock_journals.map(|j| j.json["ManualJournalID"].as_str().unwrap().to_string()))
        .collect();
    assert!(pushed.len() > 80, "purchases and adjustments were simulated: {}", pushed.len());
    let unmatched: Vec<&String> = pushed.difference(&matched_xero).collect();
    assert!(unmatched.is_empty(), "unmatched Xero bills and stock journals: {unmatched:?}");

    // The variance per control account equals the simulator's own: its Cin7 ledger minus its
    // Xero journals. 30 June 2026 ends the financial year holding every simulated posting,
    // so balance-sheet and profit-and-loss accounts alike cover all of them.
    let truth = &sim.variance;
    let reported = reported_variance(dir.path(), "2026-06-30");
    assert!(reported.len() >= 5, "{reported:?}");
    for (code, variance) in reported {
        let expected = truth.get(&code).copied().unwrap_or_default();
        let variance: rust_decimal::Decimal =
            variance.expect("both sides have figures").parse().unwrap();
        assert_eq!(variance, expected, "account {code}");
    }
    for (code, what) in [("630", "inventory"), ("815", "GRNI"), ("650", "stock in transit")] {
        let differs = truth.get(code).is_some_and(|v| !v.is_zero());
        assert!(differs, "the planted purchase errors leave {what} ({code}) differing: {truth:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_error_is_found_and_nothing_else_against_cin7_omni() {
    let Synced { sim, found, matched, dir, .. } = sync_once(SimCin7::Omni).await;
    let kinds: BTreeSet<&str> = sim.truth.iter().map(|(kind, _)| *kind).collect();
    for omni_kind in ["sync_error", "missing_document_date", "blank_cogs"] {
        assert!(kinds.contains(omni_kind), "the Omni simulator plants {omni_kind}: {kinds:?}");
    }
    assert_eq!(kinds.len(), 9, "the Omni simulator plants nine kinds: {kinds:?}");
    assert_exactly_the_truth(&sim, &found);
    assert!(matched > 500, "the clean documents were matched: {matched}");

    // Omni's payments are matched to Xero's like Core's (the paid document, date and amount),
    // and the planted ones are found: one never pushed, one edited in Xero.
    for kind in ["missing_in_xero", "amount_mismatch"] {
        let planted = sim.truth.iter().any(|(k, r)| *k == kind && r.contains(" (paid "));
        assert!(planted, "the Omni simulator plants a payment {kind}");
    }
    let conn = rusqlite::Connection::open(dir.path().join("cxsync.db")).unwrap();
    let paid: i64 = conn
        .query_row(
            "SELECT count(*) FROM matches WHERE method = 'paid_document'
             AND cin7_external_id LIKE 'Payments/%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert!(paid > 100, "Omni's payments were matched to Xero's: {paid}");

    // Omni's monthly COGS journal in Xero is paired with the COGS cxsync derives from the
    // sales orders (so it is neither `missing_in_cin7` nor `control_account_journal`), and
    // the planted difference is the amount mismatch the truth names.
    let method: String = conn
        .query_row(
            "SELECT method FROM matches WHERE cin7_external_id = 'omni-ledger/cogs/2026-01'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(method, "month_and_accounts");
    let difference: String = conn
        .query_row(
            "SELECT amount FROM open_findings WHERE kind = 'amount_mismatch'
             AND cin7_ref = 'Omni COGS journal 2026-01'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(difference, "-12.34");

    // The report has a Cin7 figure for inventory and COGS (Omni's derived ledger: bills,
    // adjustments, monthly COGS) and for no other account.
    let reported = reported_variance(dir.path(), "2026-06-30");
    let with_figures: Vec<&str> =
        reported.iter().filter(|(_, v)| v.is_some()).map(|(code, _)| code.as_str()).collect();
    assert_eq!(with_figures, ["630", "310"], "{reported:?}");
    // Each equals the simulator's ground truth: both sides hold the same but for the plants.
    for (code, variance) in &reported {
        if let (Some(variance), Some(expected)) = (variance, sim.variance.get(code)) {
            assert_eq!(variance.parse::<rust_decimal::Decimal>().unwrap(), *expected, "{code}");
        }
    }
    let cogs = reported.iter().find(|(code, _)| code == "310").and_then(|(_, v)| v.clone());
    assert_eq!(cogs.as_deref(), Some("-12.34"), "{reported:?}");
    let report = report_json(dir.path(), "2026-06-30");
    let account = |code: &str| {
        report["accounts"].as_array().unwrap().iter().find(|a| a["code"] == code).unwrap().clone()
    };
    let cogs = account("310");
    assert_eq!(cogs["unexplained"].as_str(), Some("0.00"), "explained by the mismatch: {cogs}");
    // Inventory's variance is explained by the plants on it (a bill and an adjustment edited
    // in Xero, one of each never pushed, the shared Xero-only journal) and by the COGS
    // journal's difference, which lands on COGS and on the inventory it credits.
    let inventory = account("630");
    let kinds: BTreeSet<&str> = inventory["explained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    let expected =
        BTreeSet::from(["amount_mismatch", "control_account_journal", "missing_in_xero"]);
    assert_eq!(kinds, expected, "{inventory}");
    assert_eq!(inventory["unexplained"].as_str(), Some("0.00"), "{inventory}");
}
