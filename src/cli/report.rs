//! `cxsync report`: the variance report of every configured connection (or one), for a date,
//! printed as text, JSON, CSV or HTML. HTML is the email's body as one stand-alone page per
//! connection, its 30-day trend chart embedded as a `data:` URI so the file opens in a
//! browser. With `--send`, the report is delivered now as the daemon would (log, files,
//! email) and recorded as sent.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use chrono::{DateTime, NaiveDate, Utc};

use super::{Failure, ReportArgs};
use crate::clock::Clock;
use crate::config::{Connection, Settings};
use crate::daemon::report_date;
use crate::deliver::{Outcome, generate_and_deliver};
use crate::report::{Format, html, render};
use crate::store::{Store, StoreError, lock};

/// The `--format` word: a [`Format`] the text renderer prints, or HTML (`None`).
fn format(word: &str) -> Result<Option<Format>, Failure> {
    match word {
        "text" => Ok(Some(Format::Text)),
        "json" => Ok(Some(Format::Json)),
        "csv" => Ok(Some(Format::Csv)),
        "html" => Ok(None),
        other => Err(Failure::usage(anyhow::anyhow!(
            "unknown report format `{other}`: use text, html, json or csv"
        ))),
    }
}

pub(super) fn run(
    settings: &Settings,
    store_path: &Path,
    args: &ReportArgs,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let format = format(&args.format)?;
    let connections = selected(settings, args)?;
    if format.is_none() && connections.len() > 1 {
        let names: Vec<&str> = connections.iter().map(|c| c.name.as_str()).collect();
        return Err(Failure::usage(anyhow::anyhow!(
            "--format html writes one stand-alone page, for one connection: add \
             --connection NAME (configured: {})",
            names.join(", ")
        )));
    }
    let store = Store::open_read_only(store_path).map_err(Failure::usage)?;
    let mut reports = Vec::new();
    let mut page = String::new();
    for connection in connections {
        let date = args.date.unwrap_or_else(|| report_date(connection, now));
        let context = || format!("loading the report of `{}` for {date}", connection.name);
        if format.is_none() {
            let (report, trend) = store.report_for(connection, date).with_context(context)?;
            page = html(&report, &trend);
            continue;
        }
        reports.push(store.report(connection, date).with_context(context)?);
    }
    let output = match format {
        Some(format) => render(&reports, format),
        None => page,
    };
    out.write_all(output.as_bytes()).context("writing the report")?;
    Ok(())
}

/// The connections `--connection` selects (every one without it).
fn selected<'a>(settings: &'a Settings, args: &ReportArgs) -> Result<Vec<&'a Connection>, Failure> {
    let connections: Vec<_> = settings
        .connections
        .iter()
        .filter(|c| args.connection.as_ref().is_none_or(|name| &c.name == name))
        .collect();
    if connections.is_empty() {
        let names: Vec<&str> = settings.connections.iter().map(|c| c.name.as_str()).collect();
        return Err(Failure::usage(anyhow::anyhow!(
            "no connection is named `{}` in {}; configured: {}",
            args.connection.as_deref().unwrap_or_default(),
            settings.source.display(),
            names.join(", ")
        )));
    }
    Ok(connections)
}

/// `report --send`: delivers each selected connection's report of the date (default
/// yesterday) to every configured destination now and records it as sent. A report already
/// sent is not sent again without `--resend`. Connections whose report is disabled are
/// skipped unless named with `--connection`.
pub(super) fn send(
    settings: &Settings,
    store_path: &Path,
    args: &ReportArgs,
    clock: &Arc<dyn Clock>,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    if args.format != "text" {
        return Err(Failure::usage(anyhow::anyhow!(
            "`--format` only applies to printing: `--send` delivers what [report] configures \
             (log, files, email)"
        )));
    }
    let plan = plan(settings, args, clock.now())?;
    if !store_path.exists() {
        return Err(Failure::usage(StoreError::Missing { path: store_path.into() }));
    }
    let store = Arc::new(Mutex::new(Store::open(store_path).context("opening the store")?));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut failed = Vec::new();
    for (connection, date) in plan {
        let name = &connection.name;
        let Some(date) = date else {
            writeln!(
                out,
                "{name}: the report is disabled ([connections.report] enabled = false); name it \
                 with --connection to send it anyway"
            )
            .context("writing")?;
            continue;
        };
        let sent = lock(&store).report_sent(name, date).with_context(|| {
            format!("reading whether the report of `{name}` for {date} was sent")
        })?;
        let line = match (sent, args.resend) {
            (Some(sent), false) => format!(
                "{name}: the report for {date} was already sent at {} to {}; not sent again \
                 (add --resend to send it anyway)",
                sent.sent_at, sent.delivered_to
            ),
            _ => match runtime.block_on(generate_and_deliver(
                &store,
                &settings.report,
                connection,
                date,
                clock,
                args.resend,
            )) {
                Ok(Outcome::Delivered(to)) => {
                    format!("{name}: the report for {date} was sent to {to}")
                }
                Ok(Outcome::AlreadySent(sent)) => format!(
                    "{name}: the report for {date} was sent at {} to {} (by another cxsync \
                     process, just now); not sent again",
                    sent.sent_at, sent.delivered_to
                ),
                Ok(Outcome::InProgress { since }) => format!(
                    "{name}: the report for {date} is being delivered by another cxsync process \
                     (the daemon?) since {since}; not sent twice. A claim lapses after {} \
                     minutes if that process died",
                    crate::store::CLAIM_TIMEOUT.num_minutes()
                ),
                Err(err) => {
                    failed.push(format!("`{name}` for {date}: {err}"));
                    format!("{name}: the report for {date} was NOT sent")
                }
            },
        };
        writeln!(out, "{line}").context("writing")?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(anyhow::anyhow!("report not delivered: {}", failed.join("; ")).into())
    }
}

/// Each selected connection with the date to send (`None`: its report is disabled and it was
/// not named). A date whose day has not ended yet is refused: sent now, it would be marked
/// sent and the complete report never sent.
fn plan<'a>(
    settings: &'a Settings,
    args: &ReportArgs,
    now: DateTime<Utc>,
) -> Result<Vec<(&'a Connection, Option<NaiveDate>)>, Failure> {
    selected(settings, args)?
        .into_iter()
        .map(|connection| {
            if !connection.report.enabled && args.connection.is_none() {
                return Ok((connection, None));
            }
            let yesterday = report_date(connection, now);
            let date = args.date.unwrap_or(yesterday);
            if date > yesterday {
                return Err(Failure::usage(anyhow::anyhow!(
                    "`{}`: the report for {date} cannot be sent before that day has ended in \
                     the connection's time zone (the latest is {yesterday}); print it without \
                     --send",
                    connection.name
                )));
            }
            Ok((connection, Some(date)))
        })
        .collect()
}
