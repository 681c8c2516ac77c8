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
/// The simulator's minute in the demo: Xero's and Cin7's limits, 150 times faster.
const DEMO_MINUTE: Duration = Duration::from_millis(400);

pub(super) fn run(args: &DemoArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let dir = match &args.store {
        Some(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| std::path::PathBuf::from("."), std::path::Path::to_path_buf),
        None => tempfile_dir().context("creating a directory for the demo store")?,
    };
    // `--store` may name a file in a directory that does not exist yet: make it, private
    // (it will hold the store and a config), as the store itself would.
    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
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
            cin7: args.cin7,
            ..SimConfig::default()
        }))
        .context("starting the simulator")?;
    let config = dir.join("cxsync-demo.toml");
    crate::config::write_private(&config, &sim.config_toml(&store))
        .with_context(|| format!("writing {}", config.display()))?;
    writeln!(
        out,
        "cxsync demo: a simulated business on 127.0.0.1: {} with {DEMO_SIZE} sales ({}) at {}, and the Xero \
         organisation its integration fed (invoices, credit notes, payments, {}general ledger) at {}, \
         with {} errors planted between them; both on a clock 150 times faster than their rate limits.\n",
        args.cin7.name(),
        match args.cin7 {
            crate::sim::SimCin7::Core =>
                "invoices, credit notes, purchases, stock adjustments, ledger",
            crate::sim::SimCin7::Omni => "sales orders, credit notes, purchase orders, adjustments, payments",
        },
        sim.cin7_addr,
        if args.cin7 == crate::sim::SimCin7::Core { "bills, COGS and stock journals, " } else { "" },
        sim.xero_base(),
        sim.truth.len()
    )
    .context("writing")?;
    // The demo ignores CXSYNC__ overrides in the environment: it must run the same everywhere.
    let settings = Settings::load(&config, &Env::default()).map_err(Failure::usage)?;
    super::sync::run(&settings, &SyncArgs { once: true }, out)?;
    print_findings_and_report(&settings, out)?;
    let db = store.display();
    let cfg = config.display();
    writeln!(
        out,
        "\nThe store is {db} (config: {cfg}).\n\
         The findings above are the planted errors: an amount changed in Xero, invoices never pushed, one raised\n\
         in Xero only, voids on one side only, lines without cost, an archived account still in use, a manual\n\
         journal into inventory{}.\n\
         The daily email's HTML (with its 30-day trend chart) is one command away.\n\n\
         Try next:\n  \
         cxsync --config {cfg} report\n  \
         cxsync --config {cfg} report --format html > report.html\n  \
         cxsync query --store {db} \"SELECT doc_type, count(*) FROM documents GROUP BY 1\"\n  \
         cxsync query --store {db} \"SELECT * FROM call_budget_daily\"\n  \
         cxsync show --store {db} INV-000001\n  \
         cxsync findings --store {db}\n  \
         cxsync show --store {db} INV-000014",
        match args.cin7 {
            crate::sim::SimCin7::Core =>
                "; and from the Cin7 ledger, sales shipped and not invoiced across a month end\n\
                 (timing_difference) and returns restocked a month after their credit note (return_misalignment);\n\
                 on purchases and stock, a bill changed in Xero, bills and adjustment journals never pushed, goods\n\
                 received and never invoiced or invoiced and never received (unclosed_accrual), and an adjustment\n\
                 booked to the inventory account itself (inventory_self_adjustment)",
            crate::sim::SimCin7::Omni =>
                "; and from Cin7 Omni itself, imports that failed (sync_error) and orders,\n\
                 a credit note and a purchase order missing a date posting needs (missing_document_date)",
        }
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

/// The open findings, compactly, and the variance report for yesterday.
fn print_findings_and_report(settings: &Settings, out: &mut dyn Write) -> Result<(), Failure> {
    let store = crate::store::Store::open_read_only(&settings.store.path)
        .context("reading the demo store")?;
    let findings = store
        .query("SELECT kind, severity, cin7_ref, xero_ref, amount FROM open_findings ORDER BY kind, cin7_ref, xero_ref")
        .context("reading findings")?;
    writeln!(
        out,
        "\nOpen findings (details: cxsync findings, cxsync show REF)\n{}",
        findings.to_text()
    )
    .context("writing")?;
    for connection in &settings.connections {
        let date = crate::daemon::report_date(
            connection,
            crate::clock::Clock::now(&crate::clock::SystemClock),
        );
        let report = store.report(connection, date).context("computing the variance report")?;
        writeln!(out, "{}", crate::report::render(&[report], crate::report::Format::Text))
            .context("writing")?;
    }
    Ok(())
}
