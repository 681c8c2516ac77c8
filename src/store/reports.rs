//! The `reports` table: one row per connection and report date, written when a report is
//! generated (its JSON body) and marked when it has been delivered. A row with `sent_at` is
//! never sent again by the schedule; that is what makes delivery happen once. Between the
//! two, the process delivering it holds a claim (`sending_since`), so the daemon and a
//! `cxsync report --send` run at the same moment do not both send it.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension as _, params};

use super::{Store, StoreError};
use crate::clock::timestamp;

/// A delivered report: when, and to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReport {
    /// As stored (RFC 3339 UTC).
    pub sent_at: String,
    /// e.g. `log, file:/var/lib/cxsync/reports/acme-au, email:a@x.example`.
    pub delivered_to: String,
}

/// How long a claim on a report holds. A delivery takes at most a few minutes (SMTP retries
/// included); a claim older than this is a process that died mid-delivery, and is taken over.
pub const CLAIM_TIMEOUT: chrono::TimeDelta = chrono::TimeDelta::minutes(30);

/// What [`Store::claim_report`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This process may deliver it.
    Claimed,
    /// It was sent already (and `resend` was not asked for).
    Sent(SentReport),
    /// Another process claimed it at this time (RFC 3339 UTC) and has not finished.
    Busy { since: String },
}

impl Store {
    /// Claims the stored report of `date` for delivery at `now`: it must not be claimed by
    /// another process within [`CLAIM_TIMEOUT`], and unless `resend`, not sent yet. One
    /// statement decides, so two processes never both get [`Claim::Claimed`].
    pub fn claim_report(
        &self,
        connection: &str,
        date: NaiveDate,
        now: DateTime<Utc>,
        resend: bool,
    ) -> Result<Claim, StoreError> {
        let id = self.connection_id(connection)?;
        let context = "claiming a report for delivery";
        let claimed = self
            .conn
            .execute(
                "UPDATE reports SET sending_since = ?3
                 WHERE connection_id = ?1 AND report_date = ?2
                   AND (sending_since IS NULL OR sending_since <= ?4)
                   AND (sent_at IS NULL OR ?5)",
                params![
                    id,
                    date.to_string(),
                    timestamp(now),
                    timestamp(now - CLAIM_TIMEOUT),
                    resend
                ],
            )
            .map_err(StoreError::query(context))?;
        if claimed == 1 {
            return Ok(Claim::Claimed);
        }
        let (since, sent) = self
            .conn
            .query_row(
                "SELECT sending_since, sent_at, delivered_to FROM reports
                 WHERE connection_id = ?1 AND report_date = ?2",
                params![id, date.to_string()],
                |row| {
                    let sent = row.get::<_, Option<String>>(1)?.map(|sent_at| SentReport {
                        sent_at,
                        delivered_to: row
                            .get::<_, Option<String>>(2)
                            .ok()
                            .flatten()
                            .unwrap_or_default(),
                    });
                    Ok((row.get::<_, Option<String>>(0)?, sent))
                },
            )
            .map_err(StoreError::query(context))?;
        match (since, sent) {
            (Some(since), _) => Ok(Claim::Busy { since }),
            (None, Some(sent)) => Ok(Claim::Sent(sent)),
            (None, None) => {
                Err(StoreError::Query { context, source: rusqlite::Error::QueryReturnedNoRows })
            }
        }
    }

    /// Gives up a claim after a failed delivery, so the next attempt need not wait for it to
    /// time out.
    pub fn release_report(&self, connection: &str, date: NaiveDate) -> Result<(), StoreError> {
        let id = self.connection_id(connection)?;
        self.conn
            .execute(
                "UPDATE reports SET sending_since = NULL WHERE connection_id = ?1 AND report_date = ?2",
                params![id, date.to_string()],
            )
            .map_err(StoreError::query("releasing a report's claim"))?;
        Ok(())
    }

    /// Stores a generated report (its JSON body), replacing the body of an earlier generation
    /// of the same date. Whether it was sent is left as it was.
    pub fn save_report(
        &self,
        connection: &str,
        date: NaiveDate,
        body_json: &str,
        generated_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = self.connection_id(connection)?;
        self.conn
            .execute(
                "INSERT INTO reports (connection_id, report_date, body_json, generated_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (connection_id, report_date) DO UPDATE
                 SET body_json = excluded.body_json, generated_at = excluded.generated_at",
                params![id, date.to_string(), body_json, timestamp(generated_at)],
            )
            .map_err(StoreError::query("saving a report"))?;
        Ok(())
    }

    /// Marks a stored report delivered (and its claim released). `delivered_to` names the
    /// destinations, never a secret.
    pub fn mark_report_sent(
        &self,
        connection: &str,
        date: NaiveDate,
        sent_at: DateTime<Utc>,
        delivered_to: &str,
    ) -> Result<(), StoreError> {
        let id = self.connection_id(connection)?;
        let changed = self
            .conn
            .execute(
                "UPDATE reports SET sent_at = ?3, delivered_to = ?4, sending_since = NULL
                 WHERE connection_id = ?1 AND report_date = ?2",
                params![id, date.to_string(), timestamp(sent_at), delivered_to],
            )
            .map_err(StoreError::query("marking a report sent"))?;
        if changed == 0 {
            return Err(StoreError::Query {
                context: "marking a report sent",
                source: rusqlite::Error::QueryReturnedNoRows,
            });
        }
        Ok(())
    }

    /// When and where the report of `date` was delivered; `None` when it was not (yet).
    pub fn report_sent(
        &self,
        connection: &str,
        date: NaiveDate,
    ) -> Result<Option<SentReport>, StoreError> {
        let id = self.connection_id(connection)?;
        self.conn
            .query_row(
                "SELECT sent_at, delivered_to FROM reports
                 WHERE connection_id = ?1 AND report_date = ?2 AND sent_at IS NOT NULL",
                params![id, date.to_string()],
                |row| {
                    Ok(SentReport {
                        sent_at: row.get(0)?,
                        delivered_to: row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(StoreError::query("reading whether a report was sent"))
    }

    /// The latest report date of `connection` that was delivered.
    pub fn last_sent_report(&self, connection: &str) -> Result<Option<NaiveDate>, StoreError> {
        let id = self.connection_id(connection)?;
        let found: Option<String> = self
            .conn
            .query_row(
                "SELECT max(report_date) FROM reports WHERE connection_id = ?1 AND sent_at IS NOT NULL",
                [id],
                |row| row.get(0),
            )
            .map_err(StoreError::query("finding the last report sent"))?;
        found
            .map(|text| {
                NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| StoreError::Query {
                    context: "finding the last report sent",
                    source: rusqlite::Error::InvalidColumnType(
                        0,
                        format!("report_date {text:?}"),
                        rusqlite::types::Type::Text,
                    ),
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn a_saved_report_is_unsent_until_marked_and_a_regeneration_keeps_the_mark() {
        let (_dir, store) = test_store();
        let date = day("2026-11-24");
        store.save_report("acme", date, "{\"v\":1}", at("2026-11-25T07:00:00Z")).unwrap();
        assert_eq!(store.report_sent("acme", date).unwrap(), None);
        assert_eq!(store.last_sent_report("acme").unwrap(), None);

        store.mark_report_sent("acme", date, at("2026-11-25T07:00:01Z"), "log").unwrap();
        let sent = store.report_sent("acme", date).unwrap().unwrap();
        assert_eq!(sent.sent_at, "2026-11-25T07:00:01.000Z");
        assert_eq!(sent.delivered_to, "log");

        store.save_report("acme", date, "{\"v\":2}", at("2026-11-25T08:00:00Z")).unwrap();
        assert!(store.report_sent("acme", date).unwrap().is_some(), "still sent");
        let (rows, body): (i64, String) = store
            .conn
            .query_row("SELECT count(*), max(body_json) FROM reports", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((rows, body.as_str()), (1, "{\"v\":2}"), "one row per date, latest body");
    }

    #[test]
    fn the_last_sent_date_ignores_reports_never_delivered() {
        let (_dir, store) = test_store();
        let now = at("2026-11-25T07:00:00Z");
        for date in ["2026-11-20", "2026-11-22", "2026-11-23"] {
            store.save_report("acme", day(date), "{}", now).unwrap();
        }
        store.mark_report_sent("acme", day("2026-11-20"), now, "log").unwrap();
        store.mark_report_sent("acme", day("2026-11-22"), now, "log").unwrap();
        assert_eq!(store.last_sent_report("acme").unwrap(), Some(day("2026-11-22")));
    }

    #[test]
    fn one_process_at_a_time_claims_a_report_and_a_dead_claim_is_taken_over() {
        let (dir, daemon) = test_store();
        let cli = Store::open(&dir.path().join("cxsync.db")).unwrap();
        let date = day("2026-11-24");
        let now = at("2026-11-25T07:00:00Z");
        daemon.save_report("acme", date, "{}", now).unwrap();
        assert_eq!(daemon.claim_report("acme", date, now, false).unwrap(), Claim::Claimed);
        let busy = Claim::Busy { since: "2026-11-25T07:00:00.000Z".into() };
        assert_eq!(cli.claim_report("acme", date, now, false).unwrap(), busy);
        assert_eq!(cli.claim_report("acme", date, now, true).unwrap(), busy, "even to resend");
        // The claimant died: half an hour on, its claim is taken over.
        let later = now + CLAIM_TIMEOUT;
        assert_eq!(cli.claim_report("acme", date, later, false).unwrap(), Claim::Claimed);
        cli.release_report("acme", date).unwrap();
        assert_eq!(daemon.claim_report("acme", date, later, false).unwrap(), Claim::Claimed);
        daemon.mark_report_sent("acme", date, later, "log").unwrap();
        let Claim::Sent(sent) = cli.claim_report("acme", date, later, false).unwrap() else {
            panic!("a sent report is not claimed again")
        };
        assert_eq!(sent.delivered_to, "log");
        assert_eq!(cli.claim_report("acme", date, later, true).unwrap(), Claim::Claimed, "resend");
        assert!(cli.claim_report("acme", day("2026-11-23"), now, false).is_err(), "never saved");
    }

    #[test]
    fn marking_a_report_never_saved_is_an_error() {
        let (_dir, store) = test_store();
        let now = at("2026-11-25T07:00:00Z");
        assert!(store.mark_report_sent("acme", day("2026-11-24"), now, "log").is_err());
        assert!(matches!(
            store.last_sent_report("nobody"),
            Err(StoreError::UnknownConnection { .. })
        ));
    }
}
