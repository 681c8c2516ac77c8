//! Delivering the daily variance report: to the log, to a folder of dated files, and by email
//! over SMTP; and recording in the store that it was delivered, so the schedule sends each
//! connection's report of a date once.
//!
//! This module sends what `report` computes and renders; it never computes figures itself.
//! It does not decide *when* a report is due (`daemon::report_schedule` does).
//!
//! Architecture:
//! - this file: [`compose`] (the report as an [`Email`]), [`deliver`] (every configured
//!   destination, email last), [`generate_and_deliver`] (store → report → deliver → mark
//!   sent), and the log summary.
//! - `files`: atomic, private, dated files.
//! - `smtp`: the MIME message and sending it with retries.
//!
//! Order and its one weak point: the report row is saved (unsent) first, then the log and the
//! files are written (both can be repeated harmlessly), then the email is sent, and only then
//! is the row marked sent. A failure anywhere leaves the row unsent and the whole delivery is
//! tried again next cycle. A crash after the SMTP server accepted the email but before the
//! row is marked sends that email again after the restart: at-least-once at that single
//! boundary (docs/operations.md).

pub mod files;
pub mod smtp;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::clock::Clock;
use crate::config::{Connection, ReportSettings};
use crate::report::{Email, Format, Report, compute, money, render};
use crate::store::{Store, StoreError};

/// Why a report was not delivered. Messages never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The email (or a file name) could not be built from the report and the settings.
    #[error("the report email could not be built: {0}")]
    Compose(String),
    /// The SMTP server answered with a permanent refusal (5xx), or TLS failed.
    #[error(
        "the SMTP server {server} refused the report: {reason} (check [report.email]: host, \
         port, security, username, password, from, to)"
    )]
    Refused { server: String, reason: String },
    /// Transient failures (4xx, connection errors) went on past the configured retries.
    #[error("the report email could not be delivered to {server} in {attempts} attempts: {reason}")]
    Unreachable { server: String, attempts: u32, reason: String },
    /// A report file or folder could not be written.
    #[error("cannot write the report file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A blocking task was cancelled or panicked.
    #[error("a report task did not finish: {0}")]
    Interrupted(String),
}

/// The report as an email.
///
/// THE SEAM for the HTML renderer: this builds a stop-gap email (the text report, and the
/// same text escaped in a `<pre>` as HTML, no images). When the HTML/chart renderer lands,
/// replace the body of this function with a call to it; everything downstream (files with
/// `cid:` rewriting, the MIME message with inline PNGs) already handles `Email.images`.
pub fn compose(report: &Report) -> Email {
    let text = render(std::slice::from_ref(report), Format::Text);
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\
         <body><pre>{}</pre></body></html>\n",
        escape_html(&subject(report)),
        escape_html(&text)
    );
    Email { subject: subject(report), text, html, images: Vec::new() }
}

/// `Variance report: acme-au, 2026-11-24 (2 accounts disagree, 12.34 unexplained)`.
fn subject(report: &Report) -> String {
    let summary = Summary::of(report);
    format!(
        "Variance report: {}, {} ({} account{} disagree{}, {} unexplained)",
        report.connection,
        report.date,
        summary.disagreeing,
        if summary.disagreeing == 1 { "" } else { "s" },
        if summary.disagreeing == 1 { "s" } else { "" },
        money(summary.unexplained)
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The one-line figures of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Accounts whose variance is known and not zero.
    pub disagreeing: usize,
    /// Σ of every known unexplained amount.
    pub unexplained: Decimal,
}

impl Summary {
    pub fn of(report: &Report) -> Self {
        Self {
            disagreeing: report
                .accounts
                .iter()
                .filter(|a| a.variance.is_some_and(|v| !v.is_zero()))
                .count(),
            unexplained: report.accounts.iter().filter_map(|a| a.unexplained).sum(),
        }
    }
}

/// Writes the report to the log: one line at `info`, the text at `debug`.
fn log(report: &Report, email: &Email) {
    let summary = Summary::of(report);
    tracing::info!(
        connection = %report.connection,
        date = %report.date,
        accounts_disagreeing = summary.disagreeing,
        unexplained = %money(summary.unexplained),
        "variance report"
    );
    tracing::debug!(connection = %report.connection, date = %report.date, "variance report:\n{}", email.text);
}

/// Delivers a rendered report to every destination configured: the log, the files, then the
/// email to `to`. Returns where it went, e.g. `log, file:/srv/reports/acme-au, email:a@x`.
/// Stops at the first failure, so the email is never sent unless everything before it
/// worked.
pub async fn deliver(
    settings: &ReportSettings,
    to: &[String],
    report: &Report,
    email: &Email,
    now: DateTime<Utc>,
) -> Result<String, DeliveryError> {
    let mut delivered = Vec::new();
    if settings.log {
        log(report, email);
        delivered.push("log".to_string());
    }
    if let Some(directory) = settings.directory.clone() {
        let json = render(std::slice::from_ref(report), Format::Json);
        let (connection, date, email) = (report.connection.clone(), report.date, email.clone());
        let folder = tokio::task::spawn_blocking(move || {
            files::write_report(&directory, &connection, date, &email, &json)
        })
        .await
        .map_err(|err| DeliveryError::Interrupted(err.to_string()))??;
        delivered.push(format!("file:{}", folder.display()));
    }
    if let Some(smtp) = settings.email.as_ref().filter(|_| !to.is_empty()) {
        smtp::send(smtp, to, email, now).await?;
        delivered.push(format!("email:{}", to.join(",")));
    }
    Ok(delivered.join(", "))
}

/// Generates `connection`'s report of `date` from the store, saves it (unsent), delivers it,
/// and marks it sent. Returns where it went.
pub async fn generate_and_deliver(
    store: &Arc<Mutex<Store>>,
    settings: &ReportSettings,
    connection: &Connection,
    date: NaiveDate,
    clock: &Arc<dyn Clock>,
) -> Result<String, DeliveryError> {
    let now = clock.now();
    let report = {
        let (store, connection) = (Arc::clone(store), connection.clone());
        blocking(move || generate(&store, &connection, date, now)).await??
    };
    let email = compose(&report);
    let delivered = deliver(settings, &connection.report.to, &report, &email, now).await?;
    let (store, name, sent_at, to) =
        (Arc::clone(store), connection.name.clone(), clock.now(), delivered.clone());
    blocking(move || lock(&store).mark_report_sent(&name, date, sent_at, &to)).await??;
    Ok(delivered)
}

/// Computes the report and saves its JSON body in `reports`.
fn generate(
    store: &Mutex<Store>,
    connection: &Connection,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let store = lock(store);
    let input =
        store.report_input(&connection.name, &connection.accounts, connection.timezone, date)?;
    let report = compute(&input, date);
    let json = render(std::slice::from_ref(&report), Format::Json);
    store.save_report(&connection.name, date, json.trim_end(), now)?;
    Ok(report)
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs SQLite work off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DeliveryError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| DeliveryError::Interrupted(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{AccountVariance, FindingWindow, XeroSource};

    fn report() -> Report {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let account = |role, variance: Option<&str>, unexplained: Option<&str>| AccountVariance {
            role,
            code: "630".into(),
            cin7_balance: None,
            xero_balance: None,
            variance: variance.map(d),
            explained: vec![],
            unexplained: unexplained.map(d),
        };
        let at = DateTime::UNIX_EPOCH;
        Report {
            connection: "acme <&>".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            xero_source: XeroSource::Journals,
            year_start: None,
            accounts: vec![
                account("inventory", Some("250.00"), Some("200.00")),
                account("cogs", Some("0"), Some("0")),
                account("grni", Some("-10.5"), Some("-10.5")),
                account("revenue", None, None),
            ],
            unattributed: vec![],
            new_findings: vec![],
            resolved_findings: vec![],
            window: FindingWindow { previous_report: None, since: at, until: at },
        }
    }

    #[test]
    fn the_summary_counts_accounts_that_disagree_and_sums_the_unexplained() {
        assert_eq!(
            Summary::of(&report()),
            Summary { disagreeing: 2, unexplained: "189.50".parse().unwrap() }
        );
    }

    #[test]
    fn the_stop_gap_email_is_the_text_report_escaped_in_html() {
        let email = compose(&report());
        assert_eq!(
            email.subject,
            "Variance report: acme <&>, 2026-11-24 (2 accounts disagree, 189.50 unexplained)"
        );
        assert!(email.text.starts_with("Variance report: acme <&>, 2026-11-24"), "{}", email.text);
        assert!(email.html.contains("<pre>Variance report: acme &lt;&amp;&gt;"), "{}", email.html);
        assert!(email.images.is_empty());
    }
}
