//! End to end against the simulator with planted errors: every planted error is found, and
//! nothing is reported about the clean documents.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use cxsync::sim::{SimConfig, Simulator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_planted_error_is_found_and_nothing_else() {
    let sim = Simulator::start(SimConfig {
        seed: 3,
        size: 600,
        minute: Duration::from_millis(300),
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

    let kinds: BTreeSet<&str> = sim.truth.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds.len(), 9, "the simulator plants nine kinds: {kinds:?}");
    let expected: BTreeSet<(String, String)> = sim
        .truth
        .iter()
        .map(|(kind, reference)| ((*kind).to_string(), reference.clone()))
        .collect();
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
    let missed: Vec<_> = expected.difference(&found).collect();
    let spurious: Vec<_> = found.difference(&expected).collect();
    assert!(missed.is_empty() && spurious.is_empty(), "missed {missed:?}\nspurious {spurious:?}");
    let matched: i64 =
        conn.query_row("SELECT count(*) FROM matches", [], |row| row.get(0)).unwrap();
    assert!(matched > 1000, "the clean documents were matched: {matched}");
}
