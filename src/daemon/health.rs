//! `/healthz` and `/metrics` on an optional local listener.
//!
//! `/healthz` answers 200 when every connection synced successfully within three of its
//! intervals (or has not had its first cycle yet), 503 otherwise; the body says, per
//! connection, how long ago it last synced, whether it is parked, and its last error.
//! `/metrics` is Prometheus text: sync age, parking, API calls of the last day by system and
//! status, and open findings by kind, read from the store on each scrape.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::HealthMap;
use crate::clock::Clock;
use crate::store::Store;
use crate::table::Value;

#[derive(Clone)]
struct Shared {
    health: HealthMap,
    store: PathBuf,
    clock: Arc<dyn Clock>,
}

/// Starts serving; the listener stops when the returned guard is dropped.
pub(super) async fn serve(
    addr: SocketAddr,
    health: HealthMap,
    store: PathBuf,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|err| {
        anyhow::anyhow!("cannot listen on {addr} for /healthz and /metrics: {err}")
    })?;
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(Shared { health, store, clock });
    tracing::info!(%addr, "serving /healthz and /metrics");
    Ok(tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!("the health listener stopped: {err}");
        }
    }))
}

async fn healthz(State(shared): State<Shared>) -> Response {
    let now = shared.clock.now();
    let health = shared.health.lock().expect("health lock").clone();
    let mut healthy = true;
    let connections: Vec<_> = health
        .iter()
        .map(|(name, h)| {
            let age = h.last_success.map(|t| (now - t).num_seconds());
            let limit = i64::try_from(h.interval.as_secs() * 3).unwrap_or(i64::MAX).max(900);
            let ok = age.is_some_and(|age| age <= limit) && h.parked_until.is_none_or(|until| until <= now);
            healthy &= ok;
            json!({ "connection": name, "ok": ok, "last_success_age_s": age, "parked_until": h.parked_until, "last_error": h.last_error })
        })
        .collect();
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "ok": healthy, "connections": connections }).to_string(),
    )
        .into_response()
}

async fn metrics(State(shared): State<Shared>) -> Response {
    let now = shared.clock.now();
    let mut out = String::new();
    out.push_str("# HELP cxsync_last_sync_age_seconds Seconds since the connection last synced without error.\n# TYPE cxsync_last_sync_age_seconds gauge\n");
    let health = shared.health.lock().expect("health lock").clone();
    for (name, h) in &health {
        if let Some(t) = h.last_success {
            let _ = writeln!(
                out,
                "cxsync_last_sync_age_seconds{{connection=\"{}\"}} {}",
                escape(name),
                (now - t).num_seconds()
            );
        }
    }
    out.push_str("# HELP cxsync_parked Whether the connection is parked after using its daily call allowance.\n# TYPE cxsync_parked gauge\n");
    for (name, h) in &health {
        let parked = u8::from(h.parked_until.is_some_and(|until| until > now));
        let _ = writeln!(out, "cxsync_parked{{connection=\"{}\"}} {parked}", escape(name));
    }
    out.push_str("# HELP cxsync_xero_limit_remaining Xero's remaining-limit headers from the last call.\n# TYPE cxsync_xero_limit_remaining gauge\n");
    for (name, h) in &health {
        for (window, value) in [
            ("minute", h.limits.min_remaining),
            ("day", h.limits.day_remaining),
            ("app_minute", h.limits.app_min_remaining),
        ] {
            if let Some(value) = value {
                let _ = writeln!(
                    out,
                    "cxsync_xero_limit_remaining{{connection=\"{}\",window=\"{window}\"}} {value}",
                    escape(name)
                );
            }
        }
    }
    out.push_str("# HELP cxsync_variance Cin7 minus Xero balance per mapped control account, as at the report date.\n# TYPE cxsync_variance gauge\n");
    for (name, h) in &health {
        for (role, code, variance) in &h.variances {
            if let Some(variance) = variance {
                let _ = writeln!(
                    out,
                    "cxsync_variance{{connection=\"{}\",role=\"{role}\",code=\"{}\"}} {variance}",
                    escape(name),
                    escape(code)
                );
            }
        }
    }
    match Store::open_read_only(&shared.store) {
        Ok(store) => {
            gauge(&mut out, &store, "cxsync_api_calls_last_day", "API calls in the last 24 hours by system, endpoint and status (0: no response; 429 and 503 are rate limiting).",
                "SELECT coalesce(c.name, ''), a.system, a.endpoint, coalesce(a.status, 0), count(*) FROM api_calls a LEFT JOIN connections c ON c.id = a.connection_id
                 WHERE a.started_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') GROUP BY 1, 2, 3, 4", &["connection", "system", "endpoint", "status"]);
            gauge(
                &mut out,
                &store,
                "cxsync_open_findings",
                "Open findings by connection and kind.",
                "SELECT connection, kind, sum(findings) FROM open_findings_by_kind GROUP BY 1, 2",
                &["connection", "kind"],
            );
        }
        Err(err) => tracing::warn!("metrics without store figures: {err}"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

/// One gauge family from a query whose last column is the value and the others the labels.
fn gauge(out: &mut String, store: &Store, name: &str, help: &str, sql: &str, labels: &[&str]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    let Ok(table) = store.query(sql) else { return };
    for row in table.rows {
        let (value, label_values) = row.split_last().expect("a value column");
        let labels: Vec<String> = labels
            .iter()
            .zip(label_values)
            .map(|(l, v)| format!("{l}=\"{}\"", escape(&text(v))))
            .collect();
        let _ = writeln!(out, "{name}{{{}}} {}", labels.join(","), text(value));
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(s) => s.clone(),
        Value::Null | Value::Blob(_) => String::new(),
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
