//! cxsync's Cin7 Core sync alone, as `cxsync sync --once` runs it after Xero (the same client,
//! HTTP layer, pacing, call log and store), against a simulator running in another process:
//! the Cin7 side of the ingest throughput figures (docs/benchmarks.md, "Cin7 Core ingest").
//! The simulator's work is not in this process, so its CPU time and peak RSS are cxsync's own.
//!
//! `sim_cin7_sync serve SIZE CONFIG STORE` runs the simulator (seed 7, Cin7 Core) with Cin7's
//! 60-calls-a-minute limit lifted (a million a minute on a real-time minute; ten calls at once
//! stays) and writes a config whose client limit is lifted the same way. It serves until
//! Ctrl-C. `sim_cin7_sync CONFIG` then backfills that Cin7 account into the config's store.
//!
//! Run: `scripts/bench/ingest_cin7.py` builds and runs both (`cargo bench --bench
//! sim_cin7_sync --no-run`). Prints the endpoints' calls and records, then one JSON line
//! (`result: {…}`) for the script.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cxsync::cin7::core::CoreClient;
use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Env, Settings};
use cxsync::http::{HttpLayer, HttpSettings};
use cxsync::store::{CallLog, Store};
use cxsync::sync::cin7::{Cin7Sync, History};
use serde_json::json;

#[path = "common/process.rs"]
mod process;
use process::peak_rss_kib;

fn main() {
    let _ = cxsync::logging::init(
        cxsync::logging::LogFormat::Text,
        &std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
    );
    // `cargo bench` appends `--bench`.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match args.as_slice() {
        [serve, size, config, store] if serve == "serve" => {
            serve_unlimited(
                size.parse().expect("SIZE is a number"),
                config.as_ref(),
                store.as_ref(),
            );
        }
        [config] => sync(&PathBuf::from(config)),
        _ => {
            eprintln!("usage: sim_cin7_sync serve SIZE CONFIG STORE | sim_cin7_sync CONFIG");
            std::process::exit(2);
        }
    }
}

fn sync(config: &std::path::Path) {
    let settings = Settings::load(config, &Env::default()).expect("loading the config");
    let connection = &settings.connections[0];
    let path = &settings.store.path;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Store::open(path).expect("opening the store");
    store
        .ensure_connection(&connection.name, connection.cin7.kind(), clock.now())
        .expect("recording the connection");
    let store = Mutex::new(store);
    // As `cxsync sync --once` runs it (src/cli/sync.rs).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("starting the runtime");
    let recorder = Arc::new(CallLog::open(path).expect("opening the call log"));
    let layer = Arc::new(
        HttpLayer::new(&HttpSettings::default(), recorder, clock.clone()).expect("HTTP layer"),
    );
    let name = &connection.name;
    let quota =
        layer.quota("cin7", name, cxsync::cin7::core::quota_spec(&connection.cin7.limits), None);
    let client =
        CoreClient::new(name, &connection.cin7, layer.clone(), quota).expect("a Cin7 Core client");
    let sync = Cin7Sync {
        connection: name,
        client: &client,
        store: &store,
        clock: clock.as_ref(),
        history: History::from_settings(&connection.cin7, clock.now().date_naive()),
        refresh_settings: true,
    };
    let started = Instant::now();
    let reports = runtime.block_on(sync.run_once());
    let seconds = started.elapsed().as_secs_f64();

    println!("{:<20} {:>8} {:>8}  error", "endpoint", "calls", "records");
    let mut endpoints = serde_json::Map::new();
    for report in &reports {
        let records = report.new + report.changed + report.unchanged + report.quarantined;
        println!(
            "{:<20} {:>8} {:>8}  {}",
            report.endpoint,
            report.calls,
            records,
            report.error.as_deref().unwrap_or("")
        );
        endpoints.insert(
            report.endpoint.clone(),
            json!({ "calls": report.calls, "records": records, "error": report.error }),
        );
    }
    // What the store holds is counted by the script after this process ends, so the CPU
    // time it takes from `wait4()` is the sync's alone.
    let result = json!({
        "seconds": seconds,
        "endpoints": endpoints,
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("result: {result}");
}

/// The simulator with Cin7's limit lifted, and a config for it with the client's lifted too.
fn serve_unlimited(size: usize, config: &std::path::Path, store: &std::path::Path) {
    use cxsync::sim::{SimConfig, SimLimits, Simulator};
    let lifted = SimLimits { per_minute: 1_000_000, concurrent: 10, per_day: 1_000_000_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("starting the runtime");
    runtime.block_on(async {
        let sim = Simulator::start(SimConfig {
            seed: 7,
            size,
            cin7_limits: lifted,
            ..SimConfig::default()
        })
        .await
        .expect("starting the simulator");
        let toml = sim.config_toml(store).replacen(
            "[connections.cin7.limits]\nminute_ms = 60000\n",
            "[connections.cin7.limits]\nminute_ms = 60000\nper_minute = 1000000\n",
            1,
        );
        assert!(toml.contains("per_minute = 1000000"), "the config's Cin7 limit was not lifted");
        std::fs::write(config, toml).expect("writing the config");
        println!("simulated Cin7 Core at {} (limits lifted)\nserving until Ctrl-C", sim.cin7_addr);
        tokio::signal::ctrl_c().await.expect("waiting for Ctrl-C");
    });
}
