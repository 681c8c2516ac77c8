//! cxsync's Xero sync alone, as `cxsync sync --once` runs it (the same clients, HTTP layer,
//! pacing, call log and store), against a simulator running in another process
//! (`cxsync sim serve --write-config FILE`). The simulator's work is not in this process, so
//! its CPU time and peak RSS are cxsync's own: the cxsync side of the peer comparison with
//! tap-xero and of the ingest throughput figures. The Cin7 side is not read (`sync --once`
//! would read it after Xero).
//!
//! `sim_xero_sync serve SIZE CONFIG STORE` instead runs the simulator with Xero's limits
//! lifted (a million calls a minute and a billion a day on a real-time minute, so access
//! tokens live their 30 minutes; five calls at once stays) and writes a config whose client
//! limits are lifted the same way: for ingest throughput, where the limits must not be the
//! bound. It serves until Ctrl-C.
//!
//! Run: `bench/peer/compare.py` and `scripts/bench/ingest.py` build and run it
//! (`cargo bench --bench sim_xero_sync --no-run`, then `sim_xero_sync-HASH CONFIG`); figures
//! in docs/benchmarks.md. Prints the endpoints' calls and records, then one JSON line
//! (`result: {…}`) for the scripts.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Env, Settings};
use cxsync::http::{HttpLayer, HttpSettings};
use cxsync::store::{CallLog, Store, TokenVault};
use cxsync::sync::connection::ConnectionClients;
use cxsync::sync::xero::XeroSync;
use serde_json::json;

#[path = "common/process.rs"]
mod process;
use process::peak_rss_kib;

fn main() {
    let _ = cxsync::logging::init(
        cxsync::logging::LogFormat::Text,
        &std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
    );
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if let [serve, size, config, store] = args.as_slice()
        && serve == "serve"
    {
        serve_unlimited(size.parse().expect("SIZE is a number"), config.as_ref(), store.as_ref());
        return;
    }
    // `cargo bench` appends `--bench`; the config is the first other argument.
    let Some(config) = std::env::args().skip(1).find(|a| !a.starts_with("--")).map(PathBuf::from)
    else {
        eprintln!(
            "usage: sim_xero_sync CONFIG (a config written by `cxsync sim serve --write-config`)"
        );
        std::process::exit(2);
    };
    let settings = Settings::load(&config, &Env::default()).expect("loading the config");
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
    let vault = Arc::new(TokenVault::open(path).expect("opening the token store"));
    let layer = Arc::new(
        HttpLayer::new(&HttpSettings::default(), recorder, clock.clone()).expect("HTTP layer"),
    );
    let clients = ConnectionClients::new(connection, &layer, &vault, &clock);
    let sync = XeroSync {
        connection: &connection.name,
        client: &clients.xero,
        store: &store,
        clock: clock.as_ref(),
    };
    let date = cxsync::daemon::report_date(connection, clock.now());
    let started = Instant::now();
    let reports = runtime.block_on(sync.run_once(date, false, true));
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
    // What the store holds is counted by the scripts after this process ends, so the CPU
    // time they take from `wait4()` is the sync's alone.
    let result = json!({
        "seconds": seconds,
        "endpoints": endpoints,
        "peak_rss_kib": peak_rss_kib(),
    });
    println!("result: {result}");
}

/// The simulator with its limits lifted, and a config for it with the client's lifted too.
fn serve_unlimited(size: usize, config: &std::path::Path, store: &std::path::Path) {
    use cxsync::sim::{SimConfig, SimLimits, Simulator};
    let lifted = SimLimits { per_minute: 1_000_000, concurrent: 5, per_day: 1_000_000_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("starting the runtime");
    runtime.block_on(async {
        let sim = Simulator::start(SimConfig {
            seed: 7,
            size,
            xero_limits: lifted,
            cin7_limits: lifted,
            ..SimConfig::default()
        })
        .await
        .expect("starting the simulator");
        // The generated config already carries the simulator's minute (`per_minute`).
        let toml = sim.config_toml(store).replacen(
            "[connections.xero.limits]\nminute_ms = 60000\nper_minute = 1000000\n",
            "[connections.xero.limits]\nminute_ms = 60000\nper_minute = 1000000\n\
             per_day = 1000000000\napp_per_minute = 1000000\n",
            1,
        );
        assert!(toml.contains("app_per_minute"), "the config's Xero limits were not lifted");
        std::fs::write(config, toml).expect("writing the config");
        println!("simulated Xero at {} (limits lifted)\nserving until Ctrl-C", sim.xero_base());
        tokio::signal::ctrl_c().await.expect("waiting for Ctrl-C");
    });
}
