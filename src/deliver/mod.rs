//! Delivering the daily variance report: to the log, to a folder of dated files, and by email
//! over SMTP; and recording in the store that it was delivered, so the schedule sends each
//! connection's report of a date once.
//!
//! This module sends what `report` computes and renders; it never computes figures itself.
//! It does not decide *when* a report is due (`daemon::report_schedule` does).
//!
//! Architecture:
//! - this file: [`deliver`] (every configured destination, email last),
//!   [`generate_and_deliver`] (store → report and trend → the email `report::email` renders →
//!   deliver → mark sent), and the log summary.
//! - `files`: atomic, private, dated files.
//! - `smtp`: the MIME message and sending it with retries.
//!
//! Order and its one weak point: the report row is saved (unsent) first and claimed for this
//! process (another process delivering it at the same moment, the daemon or `cxsync report
//! --send`, finds it claimed and leaves it), then the log and the files are written (both can
//! be repeated harmlessly), then the email is sent, and only then is the row marked sent. A failure anywhere leaves the row unsent and the whole delivery is
//! tried again next cycle. A crash after the SMTP server accepted the email but before the
//! row is marked sends that email again after the restart: at-least-once at that single
//! boundary (docs/operations.md).

pub mod files;
pub mod smtp;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};

use crate::clock::Clock;
use crate::config::{Connection, ReportSettings};
use crate::report::{Email, Format, Report, Trend, money, render};
use crate::store::{Claim, SentReport, Store, StoreError, lock};

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

/// Writes the report to the log: one line at `info`, the text at `debug`.
fn log(report: &Report, email: &Email) {
    tracing::info!(
        connection = %report.connection,
        date = %report.date,
        accounts_disagreeing = report.disagreeing().count(),
        unexplained = %money(report.unexplained_total()),
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

/// What [`generate_and_deliver`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Delivered, to these destinations (as stored in `reports.delivered_to`).
    Delivered(String),
    /// Not sent: it had been sent already (by another process, since the caller looked).
    AlreadySent(SentReport),
    /// Not sent: another process has been delivering it since this time (RFC 3339 UTC).
    InProgress { since: String },
}

/// Generates `connection`'s report of `date` from the store, saves it (unsent), claims it,
/// delivers it, and marks it sent. `resend`: deliver it even if it was sent before. A failed
/// delivery releases the claim, so the next attempt may go ahead.
pub async fn generate_and_deliver(
    store: &Arc<Mutex<Store>>,
    settings: &ReportSettings,
    connection: &Connection,
    date: NaiveDate,
    clock: &Arc<dyn Clock>,
    resend: bool,
) -> Result<Outcome, DeliveryError> {
    let now = clock.now();
    let generated = {
        let (store, connection) = (Arc::clone(store), connection.clone());
        blocking(move || generate(&store, &connection, date, now, resend)).await??
    };
    let (report, trend) = match generated {
        Ok(figures) => figures,
        Err(not_ours) => return Ok(not_ours),
    };
    let email = crate::report::email(&report, &trend);
    let name = connection.name.clone();
    let delivered = match deliver(settings, &connection.report.to, &report, &email, now).await {
        Ok(delivered) => delivered,
        Err(err) => {
            let store = Arc::clone(store);
            let released = blocking(move || lock(&store).release_report(&name, date)).await;
            if let Err(release) = released.and_then(|r| r.map_err(DeliveryError::from)) {
                tracing::warn!(
                    connection = %connection.name,
                    "the failed report's claim could not be released; it lapses in {} minutes: {release}",
                    crate::store::CLAIM_TIMEOUT.num_minutes()
                );
            }
            return Err(err);
        }
    };
    let (store, sent_at, to) = (Arc::clone(store), clock.now(), delivered.clone());
    blocking(move || lock(&store).mark_report_sent(&name, date, sent_at, &to)).await??;
    Ok(Outcome::Delivered(delivered))
}

/// Computes the report and its trend, saves the report's JSON body in `reports` and claims
/// it; the outcome instead when another process has it or it was sent.
fn generate(
    store: &Mutex<Store>,
    connection: &Connection,
    date: NaiveDate,
    now: DateTime<Utc>,
    resend: bool,
) -> Result<Result<(Report, Trend), Outcome>, StoreError> {
    let store = lock(store);
    let (report, trend) = store.report_for(connection, date)?;
    let json = render(std::slice::from_ref(&report), Format::Json);
    store.save_report(&connection.name, date, json.trim_end(), now)?;
    Ok(match store.claim_report(&connection.name, date, now, resend)? {
        Claim::Claimed => Ok((report, trend)),
        Claim::Sent(sent) => Err(Outcome::AlreadySent(sent)),
        Claim::Busy { since } => Err(Outcome::InProgress { since }),
    })
}

/// Runs SQLite work off the async workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, DeliveryError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| DeliveryError::Interrupted(err.to_string()))
}
