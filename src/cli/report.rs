//! `cxsync report`: the variance report of every configured connection (or one), for a date,
//! printed as text, JSON or CSV. Delivery (`--send`) and HTML are not built yet.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::{Failure, ReportArgs};
use crate::config::Settings;
use crate::daemon::report_date;
use crate::report::{Format, compute, render};
use crate::store::Store;

/// The `--format` word as a [`Format`]; HTML is named but not built.
fn format(word: &str) -> Result<Format, Failure> {
    match word {
        "text" => Ok(Format::Text),
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        "html" => Err(Failure::usage(anyhow::anyhow!(
            "`--format html` is not available in this version yet (the HTML email is not \
             built): use text, json or csv"
        ))),
        other => Err(Failure::usage(anyhow::anyhow!(
            "unknown report format `{other}`: use text, json or csv"
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
    for connection in connections {
        let date = args.date.unwrap_or_else(|| report_date(connection, now));
        let input = store
            .report_input(&connection.name, &connection.accounts, connection.timezone, date)
            .with_context(|| format!("loading the report of `{}` for {date}", connection.name))?;
        reports.push(compute(&input, date));
    }
    out.write_all(render(&reports, format).as_bytes()).context("writing the report")?;
    Ok(())
}
