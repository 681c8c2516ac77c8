//! Sending each connection's daily report when it falls due: after a cycle, the daemon asks
//! the store for the latest report date already sent, [`due_report`] says which date (if any)
//! is due now, and `deliver` generates, sends and marks it. A delivery that fails leaves the
//! report unsent, so the next cycle tries it again.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::report_schedule::due_report;
use crate::clock::Clock;
use crate::config::{Connection, ReportSettings};
use crate::deliver::{DeliveryError, Outcome, generate_and_deliver};
use crate::store::Store;

/// A report the daemon delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub date: NaiveDate,
    /// Where it went (as stored in `reports.delivered_to`).
    pub to: String,
}

/// Delivers `connection`'s report if one is due now and was not sent; `None` when nothing is
/// due (or the connection's report is disabled).
pub async fn send_if_due(
    store: &Arc<Mutex<Store>>,
    settings: &ReportSettings,
    connection: &Connection,
    clock: &Arc<dyn Clock>,
) -> Result<Option<Delivered>, DeliveryError> {
    if !connection.report.enabled {
        return Ok(None);
    }
    let last_sent = {
        let (store, name) = (Arc::clone(store), connection.name.clone());
        tokio::task::spawn_blocking(move || crate::store::lock(&store).last_sent_report(&name))
            .await
            .map_err(|err| DeliveryError::Interrupted(err.to_string()))??
    };
    let Some(due) = due_report(clock.now(), connection.timezone, connection.report.time, last_sent)
    else {
        return Ok(None);
    };
    if let Some((first, last)) = due.skipped {
        tracing::warn!(
            connection = %connection.name,
            skipped_from = %first,
            skipped_to = %last,
            sending = %due.date,
            "reports of earlier days were never sent (the daemon was down or delivery failed); \
             only the latest is sent: `cxsync report --send --date DATE` sends one by hand"
        );
    }
    match generate_and_deliver(store, settings, connection, due.date, clock, false).await? {
        Outcome::Delivered(to) => Ok(Some(Delivered { date: due.date, to })),
        Outcome::AlreadySent(sent) => {
            tracing::info!(
                connection = %connection.name,
                date = %due.date,
                sent_at = %sent.sent_at,
                "the report was sent meanwhile by another cxsync process (report --send)"
            );
            Ok(None)
        }
        Outcome::InProgress { since } => {
            tracing::info!(
                connection = %connection.name,
                date = %due.date,
                since = %since,
                "another cxsync process (report --send) is delivering the report; not sent twice"
            );
            Ok(None)
        }
    }
}
