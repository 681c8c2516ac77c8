//! `cxsync sync --once`: one sync of every connection, then exit.

use std::io::Write;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;

use super::{Failure, SyncArgs};
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::http::{HttpLayer, HttpSettings};
use crate::store::{CallLog, Store, TokenVault};
use crate::sync::connection::{Cadences, ConnectionClients};
use crate::sync::reconcile::reconcile_connection;
use crate::sync::{EndpointReport, progress};
use crate::table::{Table, Value};

pub(super) fn run(
    settings: &Settings,
    args: &SyncArgs,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    if !args.once {
        return Err(Failure::usage(anyhow::anyhow!(
            "`cxsync sync` runs one cycle and needs --once; the daemon is `cxsync run`"
        )));
    }
    let store = Store::open(&settings.store.path).context("opening the store")?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    for connection in &settings.connections {
        store
            .ensure_connection(&connection.name, connection.cin7.kind(), clock.now())
            .context("recording connections")?;
    }
    let store = Mutex::new(store);
    // One thread: a one-off sync reads its endpoints one call at a time, and waking a
    // thread of a pool for each response cost about a tenth of the sync's CPU.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let recorder = Arc::new(CallLog::open(&settings.store.path).context("opening the call log")?);
    let vault =
        Arc::new(TokenVault::open(&settings.store.path).context("opening the token store")?);
    let layer = Arc::new(
        HttpLayer::new(&HttpSettings::default(), recorder, clock.clone())
            .context("setting up HTTP")?,
    );
    let mut table = Table {
        columns: [
            "connection",
            "system",
            "endpoint",
            "calls",
            "new",
            "changed",
            "unchanged",
            "quarantined",
            "error",
        ]
        .map(String::from)
        .to_vec(),
        rows: vec![],
    };
    let mut failed = 0;
    // A one-off sync reads what changes rarely too.
    let cadence = Cadences {
        reread_open: chrono::Duration::hours(
            i64::try_from(settings.daemon.reread_open_hours).unwrap_or(24),
        ),
        settings: chrono::Duration::zero(),
    };
    // On a terminal, a spinner shows the read in progress; elsewhere the log does.
    let spinner = progress::Spinner::for_terminal();
    if let Some(spinner) = &spinner {
        progress::install(Box::new(spinner.clone()));
    }
    for connection in &settings.connections {
        let clients = ConnectionClients::new(connection, &layer, &vault, &clock);
        let reports = runtime.block_on(clients.sync(connection, &store, clock.as_ref(), &cadence));
        for (system, report) in reports {
            failed += usize::from(report.error.is_some());
            table.rows.push(row(&connection.name, system, report));
        }
    }
    if let Some(spinner) = &spinner {
        spinner.finish();
    }
    out.write_all(table.to_text().as_bytes()).context("writing the summary")?;
    let mut store = store.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    for connection in &settings.connections {
        let summary = reconcile_connection(
            &mut store,
            connection,
            &connection.reconcile_settings(),
            clock.now(),
        )
        .with_context(|| format!("reconciling connection `{}`", connection.name))?;
        match summary {
            Some(s) => writeln!(
                out,
                "{}: {} matched, {} open findings ({} new, {} reopened, {} resolved); list them with `cxsync findings`",
                connection.name, s.matches, s.open_findings, s.changes.opened, s.changes.reopened, s.changes.resolved
            ),
            None => writeln!(out, "{}: not reconciled yet: one side has nothing synced", connection.name),
        }
        .context("writing the summary")?;
    }
    if failed > 0 {
        return Err(anyhow::anyhow!("{failed} endpoint(s) failed; what was fetched before each failure is kept and the next sync resumes from there").into());
    }
    Ok(())
}

fn row(connection: &str, system: &str, report: EndpointReport) -> Vec<Value> {
    let count = |n: usize| Value::Integer(i64::try_from(n).unwrap_or(i64::MAX));
    vec![
        Value::Text(connection.into()),
        Value::Text(system.into()),
        Value::Text(report.endpoint),
        count(report.calls),
        count(report.new),
        count(report.changed),
        count(report.unchanged),
        count(report.quarantined),
        report.error.map_or(Value::Null, Value::Text),
    ]
}
