//! `cxsync sync --once`: one sync of every connection, then exit.

use std::io::Write;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use chrono::{Days, NaiveDate};

use super::{Failure, SyncArgs};
use crate::cin7::core::CoreClient;
use crate::clock::{Clock, SystemClock};
use crate::config::{Cin7Kind, Connection, Settings};
use crate::http::{HttpLayer, HttpSettings};
use crate::store::{CallLog, Store, TokenVault};
use crate::sync::EndpointReport;
use crate::sync::cin7::{Cin7Sync, History};
use crate::sync::xero::XeroSync;
use crate::table::{Table, Value};
use crate::xero::auth::TokenSource;
use crate::xero::client::XeroClient;

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
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
    for connection in &settings.connections {
        let reports =
            runtime.block_on(sync_xero(connection, &layer, &vault, &store, clock.as_ref()));
        let mut systems = vec![("xero", reports)];
        match connection.cin7.kind() {
            Cin7Kind::Core => {
                let reports =
                    runtime.block_on(sync_cin7(connection, &layer, &store, clock.as_ref()));
                systems.push(("cin7", reports));
            }
            Cin7Kind::Omni => {
                tracing::warn!(connection = %connection.name, "Cin7 Omni sync is not built yet: only the Xero side was synced");
            }
        }
        tracing::warn!(connection = %connection.name, "reconciliation is not built yet: nothing was compared");
        for (system, reports) in systems {
            for report in reports {
                failed += usize::from(report.error.is_some());
                table.rows.push(row(&connection.name, system, report));
            }
        }
    }
    out.write_all(table.to_text().as_bytes()).context("writing the summary")?;
    if failed > 0 {
        return Err(anyhow::anyhow!("{failed} endpoint(s) failed; what was fetched before each failure is kept and the next sync resumes from there").into());
    }
    Ok(())
}

async fn sync_xero(
    connection: &Connection,
    layer: &Arc<HttpLayer>,
    vault: &Arc<TokenVault>,
    store: &Mutex<Store>,
    clock: &dyn Clock,
) -> Vec<EndpointReport> {
    let xero = &connection.xero;
    let quota = layer.quota(
        "xero",
        &connection.name,
        crate::xero::quota_spec(&xero.limits),
        Some(xero.limits.app_per_minute),
    );
    let tokens = Arc::new(TokenSource::new(
        &connection.name,
        xero.clone(),
        vault.clone(),
        layer.clone(),
        quota.clone(),
        Arc::new(SystemClock),
    ));
    let client = XeroClient::new(
        &connection.name,
        xero.api_url.clone(),
        xero.identity_url.clone(),
        xero.tenant_id.clone(),
        layer.clone(),
        quota,
        tokens,
    );
    let sync = XeroSync { connection: &connection.name, client: &client, store, clock };
    let reread_open = sync.reread_due(chrono::Duration::days(1));
    sync.run_once(report_date(connection, clock), reread_open).await
}

async fn sync_cin7(
    connection: &Connection,
    layer: &Arc<HttpLayer>,
    store: &Mutex<Store>,
    clock: &dyn Clock,
) -> Vec<EndpointReport> {
    let cin7 = &connection.cin7;
    let quota =
        layer.quota("cin7", &connection.name, crate::cin7::core::quota_spec(&cin7.limits), None);
    let client = match CoreClient::new(&connection.name, cin7, layer.clone(), quota) {
        Ok(client) => client,
        Err(err) => {
            tracing::error!(connection = %connection.name, "{err}");
            return vec![EndpointReport {
                endpoint: "client".into(),
                error: Some(err.to_string()),
                ..EndpointReport::default()
            }];
        }
    };
    let history = History::from_settings(cin7, clock.now().date_naive());
    let sync = Cin7Sync { connection: &connection.name, client: &client, store, clock, history };
    sync.run_once().await
}

/// Yesterday in the connection's time zone (UTC when none is configured).
fn report_date(connection: &Connection, clock: &dyn Clock) -> NaiveDate {
    let now = clock.now();
    let today = connection
        .timezone
        .map_or_else(|| now.date_naive(), |tz| now.with_timezone(&tz).date_naive());
    today.checked_sub_days(Days::new(1)).unwrap_or(today)
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
