//! `cxsync sim serve`: the simulated Xero on 127.0.0.1, for trying cxsync without accounts.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;

use super::{Failure, SimServeArgs};
use crate::sim::{Faults, SimConfig, Simulator};

pub(super) fn serve(args: &SimServeArgs, out: &mut dyn Write) -> Result<(), Failure> {
    if !(0.0..=0.5).contains(&args.fault_rate) {
        return Err(Failure::usage(anyhow::anyhow!("--fault-rate must be between 0 and 0.5")));
    }
    let share = args.fault_rate / 5.0;
    let config = SimConfig {
        seed: args.seed,
        size: args.size,
        minute: Duration::from_millis(args.minute_ms),
        faults: Faults {
            server_error: share,
            slow: share,
            truncated: share,
            dropped: share,
            storm: share,
        },
        cin7: args.cin7,
        ..SimConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let sim = Simulator::start(config).await.context("starting the simulator")?;
        let store = args.store.clone().unwrap_or_else(|| PathBuf::from("cxsync-sim.db"));
        let toml = sim.config_toml(&store);
        if let Some(path) = &args.write_config {
            crate::config::write_private(path, &toml)
                .with_context(|| format!("writing {}", path.display()))?;
            writeln!(
                out,
                "simulated Xero at {} and {} at {} ({} sales, seed {}, {} planted errors); config written to {}",
                sim.xero_base(),
                args.cin7.name(),
                sim.cin7_addr,
                args.size,
                args.seed,
                sim.truth.len(),
                path.display()
            )?;
            writeln!(out, "try: cxsync --config {} sync --once", path.display())?;
        } else {
            writeln!(
                out,
                "simulated Xero at {} and {} at {} ({} sales, seed {}, {} planted errors). A config for it:\n",
                sim.xero_base(),
                args.cin7.name(),
                sim.cin7_addr,
                args.size,
                args.seed,
                sim.truth.len()
            )?;
            out.write_all(toml.as_bytes())?;
        }
        writeln!(out, "\nserving until Ctrl-C")?;
        out.flush()?;
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
        anyhow::Ok(())
    })?;
    Ok(())
}
