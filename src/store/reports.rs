//! The `reports` table: one row per connection and report date, written when a report is
//! generated (its JSON body) and marked when it has been delivered. A row with `sent_at` is
//! never sent again by the schedule; that is what makes delivery happen once.

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

impl Store {
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

    /// Marks a stored report delivered. `delivered_to` names the destinations, never a secret.
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
                "UPDATE reports SET sent_at = ?3, delivered_to = ?4
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
