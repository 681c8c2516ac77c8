//! Crash safety and concurrent readers, against the simulator:
//! - `sync --once` killed with SIGKILL at random moments and restarted ends with exactly the
//!   store an uninterrupted run builds: nothing lost, nothing duplicated, cursors consistent;
//! - support staff reading the cache while a sync writes never see "database is locked".

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use cxsync::sim::{SimConfig, Simulator};
use rand::{Rng as _, SeedableRng as _};

fn sync_command(config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cxsync"));
    command
        .args(["--config", config.to_str().unwrap(), "sync", "--once"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn setup(sim: &Simulator, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let db = dir.join(format!("{name}.db"));
    let config = dir.join(format!("{name}.toml"));
    std::fs::write(&config, sim.config_toml(&db)).unwrap();
    (db, config)
}

/// The store's content that must not depend on interruptions.
fn snapshot(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT system || '|' || doc_type || '|' || external_id || '|' || coalesce(number, '') || '|' || status || '|' || coalesce(total, '') FROM documents ORDER BY 1",
        "SELECT d.external_id || '|' || l.line_no || '|' || coalesce(l.line_amount, '') || '|' || coalesce(l.account_code, '') FROM document_lines l JOIN documents d ON d.id = l.document_id ORDER BY 1",
        "SELECT system || '|' || source_id || '|' || line_no || '|' || account_code || '|' || amount FROM ledger_lines ORDER BY 1",
        "SELECT system || '|' || endpoint || '|' || external_id || '|' || content_hash FROM raw_documents ORDER BY 1",
        "SELECT system || '|' || endpoint || '|' || first_number || '|' || last_number || '|' || records || '|' || length(body) FROM raw_pages ORDER BY 1",
        "SELECT system || '|' || endpoint || '|' || coalesce(cursor, '') FROM sync_cursors WHERE endpoint NOT LIKE '%#open' AND endpoint <> 'auth' ORDER BY 1",
        "SELECT 'quarantined ' || count(*) FROM quarantine",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        out.extend(stmt.query_map([], |row| row.get::<_, String>(0)).unwrap().map(Result::unwrap));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_at_random_moments_ends_as_an_uninterrupted_one_would() {
    let sim = Simulator::start(SimConfig {
        seed: 5,
        size: 600,
        minute: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (reference_db, reference_config) = setup(&sim, dir.path(), "reference");
    let (crashed_db, crashed_config) = setup(&sim, dir.path(), "crashed");

    let reference =
        tokio::task::spawn_blocking(move || sync_command(&reference_config).status().unwrap())
            .await
            .unwrap();
    assert!(reference.success());

    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let mut kills = 0;
    for _ in 0..6 {
        let mut child = sync_command(&crashed_config).spawn().unwrap();
        tokio::time::sleep(Duration::from_millis(rng.random_range(50..900))).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        child.wait().unwrap();
    }
    assert!(kills > 0, "no run was interrupted: the test proved nothing");
    let last = tokio::task::spawn_blocking(move || sync_command(&crashed_config).status().unwrap())
        .await
        .unwrap();
    assert!(last.success());

    let (expected, actual) = (snapshot(&reference_db), snapshot(&crashed_db));
    assert!(expected.len() > 3000, "the data set is too small to mean much: {}", expected.len());
    let missing: Vec<_> = expected.iter().filter(|row| !actual.contains(row)).take(5).collect();
    let extra: Vec<_> = actual.iter().filter(|row| !expected.contains(row)).take(5).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    assert_eq!(expected.len(), actual.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_database_is_locked_while_a_sync_writes() {
    let sim = Simulator::start(SimConfig {
        seed: 9,
        size: 600,
        minute: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (db, config) = setup(&sim, dir.path(), "busy");
    // Create the store first so readers have something to open.
    let check = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", config.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert!(check.status.success());
    let mut writer = sync_command(&config).spawn().unwrap();
    let db_arg = db.to_str().unwrap().to_string();
    let reads = tokio::task::spawn_blocking(move || {
        let mut reads = 0;
        while writer.try_wait().unwrap().is_none() {
            let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
                .args(["query", "--store", &db_arg, "SELECT count(*) FROM documents"])
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success() && !stderr.contains("locked"),
                "a reader failed during the sync: {stderr}"
            );
            reads += 1;
        }
        assert!(writer.wait().unwrap().success());
        reads
    })
    .await
    .unwrap();
    assert!(reads >= 3, "the sync ended before readers could overlap it ({reads} reads)");
}
