//! What an Omni connection's reconciliation does first, at size: naming the stored payments by
//! the orders they pay and deriving the Cin7-side ledger from the stored documents
//! (`sync::omni::refresh`, before issue 9 `refresh_payments` and `refresh_ledger`), and reading
//! Omni's own posting facts (`sync::omni::omni_documents`).
//!
//! The store is the Omni simulator's business at SIZE sales (`sim::omni::omni_world`: a sales
//! order per sale, a credit note every twenty, a purchase order every hundred, stock
//! adjustments, the payments), written untimed through `Store::write_page` as the sync writes
//! it. Then, each timed (wall, CPU of the process, peak RSS since the phase began):
//! 1. the first refresh (every ledger entry new);
//! 2. two refreshes with nothing changed (the daemon's usual cycle);
//! 3. a refresh after one sales order changed;
//! 4. `omni_documents`, for comparison.
//!
//! Run: `cargo bench --bench omni_refresh -- 10000` and `-- 100000` (docs/benchmarks.md).
//! `--keep-store PATH` writes the store to `PATH` and keeps it; a later run with the same
//! `PATH` reuses it (its derived ledger is removed first, so the first refresh is again a
//! first one).

use std::time::Instant;

use chrono::DateTime;
use cxsync::cin7::omni::{Endpoint, normalise};
use cxsync::config::{AccountMap, Cin7Kind};
use cxsync::model::System;
use cxsync::store::{PageWrite, Store};
use cxsync::sync::omni::{Refresh, omni_documents, refresh};
use serde_json::Value;

#[path = "common/process.rs"]
mod process;
use process::{cpu_seconds, peak_rss_kib, reset_peak_rss};

const CONNECTION: &str = "bench";

fn accounts() -> AccountMap {
    AccountMap {
        inventory: "630".into(),
        cogs: Some("310".into()),
        revenue: Some("200".into()),
        grni: None,
        stock_in_transit: None,
        wip: None,
        inventory_discrepancy: Some("660".into()),
        supplier_deposits: None,
    }
}

/// Writes one endpoint's records in pages of 250, as the sync does.
fn write(store: &mut Store, endpoint: Endpoint, records: &[Value]) {
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    for chunk in records.chunks(250) {
        let records = chunk
            .iter()
            .map(|raw| {
                (normalise::record(endpoint, raw).expect("a readable record"), raw.to_string())
            })
            .collect();
        let page = PageWrite::records(CONNECTION, System::Cin7, endpoint.as_str(), records);
        store.write_page(&page, now).expect("write a page");
    }
}

/// Writes the simulated Omni business of `size` sales; returns how many records per endpoint.
fn fill(store: &mut Store, size: usize) -> Vec<(Endpoint, usize)> {
    let mut world = cxsync::sim::data::generate_sales(7, size);
    let omni = cxsync::sim::omni::omni_world(&mut world);
    drop(world);
    let mut counts = Vec::new();
    for endpoint in Endpoint::ALL {
        let records: Vec<Value> = omni
            .lists
            .get(endpoint.as_str())
            .map(|list| list.iter().map(|(_, record)| record.clone()).collect())
            .unwrap_or_default();
        write(store, endpoint, &records);
        counts.push((endpoint, records.len()));
    }
    counts
}

/// Per endpoint, how many raw records the store holds.
fn counts(path: &std::path::Path) -> Vec<(String, usize)> {
    let conn = rusqlite::Connection::open(path).expect("open the store");
    let mut stmt = conn
        .prepare("SELECT endpoint, count(*) FROM raw_documents GROUP BY endpoint ORDER BY endpoint")
        .expect("prepare");
    stmt.query_map([], |row| Ok((row.get(0)?, usize::try_from(row.get::<_, i64>(1)?).unwrap_or(0))))
        .and_then(Iterator::collect)
        .expect("count")
}

/// A kept store: its derived ledger (and the marker of its last refresh) is removed, so the
/// first timed refresh derives everything again.
fn reset(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).expect("open the kept store");
    conn.execute_batch(
        "DELETE FROM ledger_lines WHERE source_id >= 'omni-ledger/' AND source_id < 'omni-ledger0';
         DELETE FROM raw_documents WHERE endpoint = 'omni-ledger';
         DELETE FROM sync_cursors WHERE endpoint = 'omni-ledger';",
    )
    .expect("reset the kept store");
}

/// One sales order changed: its first line's cost goes up by one.
fn change_one_order(store: &mut Store) {
    let raw = store
        .raw_json(CONNECTION, System::Cin7, "SalesOrders", "SalesOrders/1")
        .expect("read")
        .expect("sales order 1 is stored");
    let mut value: Value = serde_json::from_str(&raw).expect("JSON");
    let cost = value["lineItems"][0]["unitCost"].as_f64().unwrap_or(0.0);
    value["lineItems"][0]["unitCost"] = serde_json::json!((cost + 1.0).round());
    write(store, Endpoint::SalesOrders, &[value]);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let keep = args.iter().position(|a| a == "--keep-store").map(|i| args[i + 1].clone());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = keep.map_or_else(|| dir.path().join("cxsync.db"), std::path::PathBuf::from);
    let kept = path.exists();
    let now = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
    let started = Instant::now();
    let mut store = Store::open(&path).expect("open the store");
    store.ensure_connection(CONNECTION, Cin7Kind::Omni, now).expect("connection");
    if kept {
        reset(&path);
    } else {
        fill(&mut store, size);
    }
    println!(
        "sales: {size}; store {} in {:.1} s; raw records {:?}",
        if kept { "reused" } else { "written" },
        started.elapsed().as_secs_f64(),
        counts(&path)
    );
    let map = accounts();
    let phase = |name: &str, store: &mut Store| {
        reset_peak_rss();
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let outcome = refresh(store, CONNECTION, &map, now).expect("refresh");
        let done = match outcome {
            Refresh::Unchanged => "nothing changed: skipped".to_string(),
            Refresh::Derived { payments, entries } => {
                format!("{payments} payments renamed, {entries} ledger entries")
            }
        };
        println!(
            "{name}: wall {:.3} s, CPU {:.3} s, peak RSS {} MiB; {done}",
            started.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            peak_rss_kib() / 1024
        );
    };
    phase("refresh, first", &mut store);
    phase("refresh, nothing changed", &mut store);
    phase("refresh, nothing changed again", &mut store);
    change_one_order(&mut store);
    phase("refresh, one sales order changed", &mut store);
    reset_peak_rss();
    let (started, cpu) = (Instant::now(), cpu_seconds());
    let documents = omni_documents(&store, CONNECTION).expect("omni documents");
    println!(
        "omni_documents: wall {:.3} s, CPU {:.3} s, peak RSS {} MiB; {} documents",
        started.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        peak_rss_kib() / 1024,
        documents.len()
    );
}
