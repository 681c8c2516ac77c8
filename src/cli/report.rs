//! `cxsync report`: the variance report of every configured connection (or one), for a date,
//! printed as text, JSON, CSV or HTML. HTML is the email's body as one stand-alone page per
//! connection, its 30-day trend chart embedded as a `data:` URI so the file opens in a
//! browser. Delivery (`--send`) is not built yet.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::{Failure, ReportArgs};
use crate::config::Settings;
use crate::daemon::report_date;
use crate::report::{Format, compute, html, render};
use crate::store::Store;

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
    let store = Store::open_read_only(store_path).map_err(Failure::usage)?;
    let mut reports = Vec::new();
    let mut pages = String::new();
    for connection in connections {
        let date = args.date.unwrap_or_else(|| report_date(connection, now));
        let context = || format!("loading the report of `{}` for {date}", connection.name);
        if format.is_none() {
            let (report, trend) = store.report_for(connection, date).with_context(context)?;
            pages += &html(&report, &trend);
            continue;
        }
        let input = store
            .report_input(&connection.name, &connection.accounts, connection.timezone, date)
            .with_context(context)?
            .with_daily_limits(connection);
        reports.push(compute(&input, date));
    }
    let output = match format {
        Some(format) => render(&reports, format),
        None => pages,
    };
    out.write_all(output.as_bytes()).context("writing the report")?;
    Ok(())
}
