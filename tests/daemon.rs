//! `cxsync run` against the simulator: it syncs on its schedule, reports health and metrics,
//! delivers the daily report once, reloads its config on SIGHUP, and stops promptly and
//! cleanly on SIGTERM.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cxsync::sim::{SimConfig, Simulator};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn signal(pid: u32, name: &str) {
    let status =
        Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

fn documents(db: &std::path::Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM documents", [], |row| row.get(0)))
        .unwrap_or(0)
}

/// `(report_date, delivered_to)` of every report marked sent.
fn sent_reports(db: &std::path::Path) -> Vec<(String, String)> {
    let Ok(conn) = rusqlite::Connection::open(db) else { return Vec::new() };
    let Ok(mut stmt) = conn.prepare(
        "SELECT report_date, delivered_to FROM reports WHERE sent_at IS NOT NULL ORDER BY 1",
    ) else {
        return Vec::new();
    };
    stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .and_then(Iterator::collect)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_syncs_reports_health_reloads_and_stops_on_sigterm() {
    let sim = Simulator::start(SimConfig {
        size: 60,
        minute: Duration::from_millis(300),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cxsync.db");
    let config = dir.path().join("cxsync.toml");
    let reports = dir.path().join("reports");
    let port = free_port();
    std::fs::write(
        &config,
        format!(
            "{}\n[daemon]\nsync_interval_s = 1\nhealth_listen = \"127.0.0.1:{port}\"\n\
             [report]\ntime = \"00:00\"\ndirectory = \"{}\"\n",
            sim.config_toml(&db),
            reports.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();

    let deadline = Instant::now() + Duration::from_secs(30);
    while documents(&db) == 0 {
        assert!(Instant::now() < deadline, "the daemon synced nothing within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let client = reqwest::Client::new();
    let mut healthy = false;
    while !healthy && Instant::now() < deadline {
        let response = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await.unwrap();
        healthy = response.status() == 200
            && response.text().await.unwrap().contains("\"connection\":\"sim\"");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healthy, "/healthz never reported the connection healthy");
    let metrics = client
        .get(format!("http://127.0.0.1:{port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "cxsync_api_calls_last_day{connection=\"sim\",system=\"xero\",endpoint=\"/api.xro/2.0/Journals\",status=\"200\"}"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("cxsync_xero_limit_remaining{connection=\"sim\",window=\"day\"}"),
        "{metrics}"
    );
    // The simulator plants a 250.00 manual journal into inventory (account 630).
    assert!(
        metrics
            .contains("cxsync_variance{connection=\"sim\",role=\"inventory\",code=\"630\"} 250.00"),
        "{metrics}"
    );
    assert!(metrics.contains("cxsync_last_sync_age_seconds{connection=\"sim\"}"), "{metrics}");

    // At 00:00 local, yesterday's report is due from the first cycle on.
    while sent_reports(&db).is_empty() {
        assert!(Instant::now() < deadline, "the daemon delivered no report within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let [(date, delivered_to)] = sent_reports(&db).try_into().unwrap();
    let folder = reports.join("sim");
    assert_eq!(delivered_to, format!("log, file:{}", folder.display()));
    let json = std::fs::read_to_string(folder.join(format!("{date}.json"))).unwrap();
    assert!(json.contains("\"connection\":\"sim\""), "{json}");

    signal(pid, "HUP");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    signal(pid, "TERM");
    let status = tokio::task::spawn_blocking(move || child.wait().map(|s| (s, child)))
        .await
        .unwrap()
        .unwrap();
    assert!(stopping.elapsed() < Duration::from_secs(10), "stopping took {:?}", stopping.elapsed());
    let (status, mut child) = status;
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("configuration reloaded"), "{stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
    assert_eq!(stderr.matches("report delivered").count(), 1, "sent once, reload or not: {stderr}");
    assert!(!stderr.contains("sim-secret"), "the client secret leaked into the log");
}
