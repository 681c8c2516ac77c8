//! `cxsync run`: the daemon (see `crate::daemon`).

use std::sync::Arc;

use anyhow::Context as _;

use super::Failure;
use crate::clock::SystemClock;
use crate::config::{Env, Settings};

pub(super) fn run(settings: Settings, env: &Env) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let config = settings.source.clone();
    let result =
        runtime.block_on(crate::daemon::run(settings, &config, env, Arc::new(SystemClock)));
    // A reconciliation still running on a blocking thread is abandoned (its transaction rolls
    // back) rather than holding the exit past systemd's stop timeout.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    result?;
    Ok(())
}
