//! `cxsync demo`: the pipeline end to end against the built-in simulator, with no accounts
//! and no network: a simulated Xero organisation on 127.0.0.1, a fresh store, one sync and
//! reconciliation, then what to try next.

use std::io::Write;
use std::time::Duration;

use anyhow::Context as _;

use super::{DemoArgs, Failure, SyncArgs};
use crate::config::{Env, Settings};
use crate::sim::{SimConfig, Simulator};

/// The demo's organisation: big enough to page, small enough to finish in seconds.
const DEMO_SIZE: usize = 800;
/// The simulator's minute in the demo: Xero's limits, forty times faster.
const DEMO_MINUTE: Duration = Duration::from_millis(1500);

pub(super) fn run(args: &DemoArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let dir = match &args.store {
        Some(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| std::path::PathBuf::from("."), std::path::Path::to_path_buf),
        None => tempfile_dir().context("creating a directory for the demo store")?,
    };
    let store = args.store.clone().unwrap_or_else(|| dir.join("cxsync-demo.db"));
    if store.exists() {
        return Err(Failure::usage(anyhow::anyhow!(
            "{} already exists: give --store a new path (the demo starts from an empty store)",
            store.display()
        )));
    }
    let simulator_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the simulator's runtime")?;
    let sim = simulator_runtime
        .block_on(Simulator::start(SimConfig {
            size: DEMO_SIZE,
            minute: DEMO_MINUTE,
            ..SimConfig::default()
        }))
        .context("starting the simulator")?;
    let config = dir.join("cxsync-demo.toml");
    crate::config::write_private(&config, &sim.config_toml(&store))
        .with_context(|| format!("writing {}", config.display()))?;
    writeln!(
        out,
        "cxsync demo: a simulated Xero organisation ({DEMO_SIZE} sales invoices with their payments, credit notes, bills, \
         stock journals and general ledger) at {}, on a clock forty times faster than Xero's rate limits.\n",
        sim.xero_base()
    )
    .context("writing")?;
    // The demo ignores CXSYNC__ overrides in the environment: it must run the same everywhere.
    let settings = Settings::load(&config, &Env::default()).map_err(Failure::usage)?;
    super::sync::run(&settings, &SyncArgs { once: true }, out)?;
    let db = store.display();
    let cfg = config.display();
    writeln!(
        out,
        "\nThe store is {db} (config: {cfg}).\n\
         Not in the demo yet: Cin7 documents and ledger in the simulator (its Cin7 Core account has a chart\n\
         of accounts and nothing else), so reconciliation has no Cin7 side to compare and the variance\n\
         report shows Xero's figures only.\n\n\
         Try next:\n  \
         cxsync --config {cfg} report\n  \
         cxsync query --store {db} \"SELECT doc_type, count(*) FROM documents GROUP BY 1\"\n  \
         cxsync query --store {db} \"SELECT * FROM call_budget_daily\"\n  \
         cxsync show --store {db} INV-000001\n  \
         cxsync findings --store {db} --all"
    )
    .context("writing")?;
    drop(sim);
    Ok(())
}

/// A new directory under the system's temporary directory that outlives the demo.
fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let base = std::env::temp_dir();
    for n in 0..1000_u32 {
        let dir = base.join(format!("cxsync-demo-{}-{n}", std::process::id()));
        match std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&dir)
        {
            Ok(()) => return Ok(dir),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other("no free name for a demo directory"))
}
