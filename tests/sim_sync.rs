//! `cxsync sync --once` end to end against the built-in simulated Xero and Cin7 Core:
//! everything the simulator holds lands in the store, a second run adds nothing, and seeded
//! faults on both sides (server errors, cut bodies, dropped connections, 429 or 503 storms)
//! are ridden out without loss.

use std::process::Command;
use std::time::Duration;

use cxsync::sim::{Faults, SimConfig, SimLimits, Simulator};

fn run_sync(config: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", config.to_str().unwrap(), "sync", "--once"])
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |row| row.get(0)).unwrap()
}

async fn simulate(
    faults: Faults,
) -> (Simulator, tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    simulate_with(SimConfig { faults, ..SimConfig::default() }).await
}

/// The simulator with `config`'s faults and limits, seed 11, 400 sales, a 400 ms minute.
async fn simulate_with(
    config: SimConfig,
) -> (Simulator, tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let config = SimConfig { seed: 11, size: 400, minute: Duration::from_millis(400), ..config };
    let sim = Simulator::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cxsync.db");
    let file = dir.path().join("cxsync.toml");
    std::fs::write(&file, sim.config_toml(&db)).unwrap();
    (sim, dir, db, file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_once_fetches_everything_the_simulator_holds_and_an_idle_run_adds_nothing() {
    let (sim, _dir, db, file) = simulate(Faults::default()).await;
    let expected = cxsync::sim::data::generate(sim.config.seed, sim.config.size);
    let output = tokio::task::spawn_blocking({
        let file = file.clone();
        move || run_sync(&file)
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout.contains("sim: ") && stdout.contains("open findings"),
        "both sides hold data, so the sync reconciles: {stdout}"
    );
    let invoices = i64::try_from(expected.lists["Invoices"].len()).unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM documents WHERE system = 'xero' AND doc_type IN ('sales_invoice', 'purchase_invoice')"
        ),
        invoices
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'xero'"),
        i64::try_from(expected.journals.len()).unwrap()
    );
    assert_eq!(count(&db, "SELECT count(*) FROM quarantine"), 0);
    // Every journal balances, to the cent, after the round trip through JSON and SQLite.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut sums: std::collections::HashMap<String, rust_decimal::Decimal> =
        std::collections::HashMap::new();
    let mut lines =
        conn.prepare("SELECT source_id, amount FROM ledger_lines WHERE system = 'xero'").unwrap();
    for row in
        lines.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))).unwrap()
    {
        let (source, amount) = row.unwrap();
        *sums.entry(source).or_default() += amount.parse::<rust_decimal::Decimal>().unwrap();
    }
    assert!(sums.values().all(rust_decimal::Decimal::is_zero), "a journal does not balance");
    let calls = count(&db, "SELECT count(*) FROM api_calls");
    let again = tokio::task::spawn_blocking(move || run_sync(&file)).await.unwrap();
    assert!(again.status.success());
    assert_eq!(
        count(&db, "SELECT count(*) FROM api_calls") - calls,
        9 + 1 + 9,
        "an idle run costs one call per Xero endpoint, the token, and one per Cin7 list (the daily open-document re-read is not due)"
    );
    drop(sim);
}

/// Xero's minute is spent in bursts (`Pacing::Window`): against a simulator that allows 8 calls
/// in any rolling minute (the client keeps to 7), a backfill fills the minute three times
/// and not one call is refused. (The window's arithmetic is pinned by the unit tests in
/// src/http/quota.rs; the layer's pause on `X-MinLimit-Remaining: 0` backs it up here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_spends_xeros_minute_in_bursts_without_a_429() {
    let limits = SimLimits { per_minute: 8, ..SimConfig::default().xero_limits };
    let (sim, _dir, db, file) =
        simulate_with(SimConfig { xero_limits: limits, ..SimConfig::default() }).await;
    let output = tokio::task::spawn_blocking(move || run_sync(&file)).await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let calls = count(&db, "SELECT count(*) FROM api_calls WHERE system = 'xero'");
    assert!(calls > 2 * 7, "the minute fills more than twice: {calls} calls");
    assert_eq!(
        count(&db, "SELECT count(*) FROM api_calls WHERE system = 'xero' AND status IS NOT 200"),
        0
    );
    let expected = cxsync::sim::data::generate(sim.config.seed, sim.config.size);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'xero'"),
        i64::try_from(expected.journals.len()).unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_faults_are_ridden_out_without_losing_or_duplicating_anything() {
    let faults =
        Faults { server_error: 0.04, slow: 0.02, truncated: 0.03, dropped: 0.03, storm: 0.02 };
    let (sim, _dir, db, file) = simulate(faults).await;
    let expected = cxsync::sim::data::generate(sim.config.seed, sim.config.size);
    let output = tokio::task::spawn_blocking(move || run_sync(&file)).await.unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let invoices = i64::try_from(expected.lists["Invoices"].len()).unwrap();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM documents WHERE system = 'xero' AND doc_type IN ('sales_invoice', 'purchase_invoice')"
        ),
        invoices
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'xero'"),
        i64::try_from(expected.journals.len()).unwrap()
    );
    assert!(
        count(&db, "SELECT count(*) FROM api_calls WHERE status IS NULL OR status >= 429") > 0,
        "the faults happened"
    );
    // The Cin7 side rides out its own faults (500s, Cin7's 503 storms, cut bodies) the same way.
    let cin7_invoices = expected
        .cin7
        .sales
        .iter()
        .filter(|(_, _, detail)| detail["Invoices"].as_array().is_some_and(|i| !i.is_empty()))
        .count();
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM documents WHERE system = 'cin7' AND doc_type = 'sales_invoice'"
        ),
        i64::try_from(cin7_invoices).unwrap()
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'cin7' AND source_id LIKE 'transactions/%'"
        ),
        i64::try_from(expected.cin7.transactions.len()).unwrap()
    );
    // Purchases (each with its invoice, authorised or still a draft) and stock adjustments.
    assert!(expected.cin7.purchases.len() >= 40 && expected.cin7.adjustments.len() >= 15);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM documents WHERE system = 'cin7' AND doc_type = 'purchase_invoice'"
        ),
        i64::try_from(expected.cin7.purchases.len()).unwrap()
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'cin7' AND source_id LIKE 'purchase/%'"
        ),
        i64::try_from(expected.cin7.purchases.len()).unwrap(),
        "every purchase's postings, from its detail"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM documents WHERE system = 'cin7' AND doc_type = 'stock_adjustment'"
        ),
        i64::try_from(expected.cin7.adjustments.len()).unwrap()
    );
    assert_eq!(count(&db, "SELECT count(*) FROM quarantine"), 0, "no cut body was taken as data");
    assert!(
        count(
            &db,
            "SELECT count(*) FROM api_calls WHERE system = 'cin7' AND (status IS NULL OR status >= 500)"
        ) > 0,
        "Cin7's faults happened"
    );
}
