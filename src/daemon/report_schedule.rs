//! When a connection's daily report is due. Pure: the caller passes `now`, the connection's
//! time zone, its local send time and the latest report date already sent (from the store).
//!
//! The report of day D is due once local time reaches the send time on D+1. Only the most
//! recent due report is ever sent: after downtime the days in between are skipped (and
//! named, so the daemon can log them), never sent one after another.
//!
//! Daylight saving: a send time that does not exist on a day (the clocks jump over it) fires
//! at the first instant after it, the jump itself; one that happens twice fires the first
//! time.

use chrono::{
    DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone as _, Timelike as _,
    Utc,
};
use chrono_tz::Tz;

/// The report to send now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueReport {
    pub date: NaiveDate,
    /// Dates after the last one sent and before `date` that will never be sent
    /// (first, last); `None` when nothing is skipped or nothing was ever sent.
    pub skipped: Option<(NaiveDate, NaiveDate)>,
}

/// The report due at `now`, if any: the latest date D whose send time (on D+1, local) has
/// passed, unless `last_sent` is D or later.
pub fn due_report(
    now: DateTime<Utc>,
    timezone: Option<Tz>,
    send_at: NaiveTime,
    last_sent: Option<NaiveDate>,
) -> Option<DueReport> {
    let tz = timezone.unwrap_or(Tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    let days_back = if now >= send_instant(today, send_at, tz) { 1 } else { 2 };
    let date = today.checked_sub_days(Days::new(days_back))?;
    if last_sent.is_some_and(|sent| sent >= date) {
        return None;
    }
    let skipped = last_sent.and_then(|sent| {
        let first = sent.succ_opt()?;
        let last = date.pred_opt()?;
        (first <= last).then_some((first, last))
    });
    Some(DueReport { date, skipped })
}

/// The first instant of `day` at which the local time in `tz` is `at` or later.
pub fn send_instant(day: NaiveDate, at: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let local = day.and_time(at);
    if let Some(instant) = tz.from_local_datetime(&local).earliest() {
        return instant.to_utc();
    }
    // In a gap: the clocks jumped over `at`. Step (at most a day) to the first local minute
    // that exists again: that is the jump.
    let minute_start = local.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(local);
    (1..=24 * 60)
        .find_map(|m| {
            let candidate: NaiveDateTime = minute_start + TimeDelta::minutes(m);
            tz.from_local_datetime(&candidate).earliest()
        })
        .map_or_else(|| local.and_utc(), |instant| instant.to_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn seven() -> NaiveTime {
        NaiveTime::from_hms_opt(7, 0, 0).unwrap()
    }

    const SYDNEY: Option<Tz> = Some(Tz::Australia__Sydney);

    #[test]
    fn yesterdays_report_is_due_from_the_local_send_time_not_before() {
        // Sydney is UTC+11 in November: 07:00 local on the 25th is 20:00Z on the 24th.
        let before = due_report(at("2026-11-24T19:59:59Z"), SYDNEY, seven(), None);
        let after = due_report(at("2026-11-24T20:00:00Z"), SYDNEY, seven(), None);
        assert_eq!(before.map(|d| d.date), Some(day("2026-11-23")), "the day before's is due");
        assert_eq!(after, Some(DueReport { date: day("2026-11-24"), skipped: None }));
        let sent = due_report(at("2026-11-24T19:59:59Z"), SYDNEY, seven(), Some(day("2026-11-23")));
        assert_eq!(sent, None, "before 07:00 nothing new is due once the 23rd is sent");
    }

    #[test]
    fn a_report_already_sent_is_not_due_again() {
        let now = at("2026-11-25T03:00:00Z");
        assert_eq!(due_report(now, SYDNEY, seven(), Some(day("2026-11-24"))), None);
        assert_eq!(due_report(now, SYDNEY, seven(), Some(day("2026-11-25"))), None);
    }

    #[test]
    fn after_downtime_only_the_latest_missed_report_is_due_and_the_rest_are_named() {
        let due = due_report(at("2026-11-25T03:00:00Z"), SYDNEY, seven(), Some(day("2026-11-20")))
            .unwrap();
        assert_eq!(due.date, day("2026-11-24"));
        assert_eq!(due.skipped, Some((day("2026-11-21"), day("2026-11-23"))));
        let next = due_report(at("2026-11-25T03:00:00Z"), SYDNEY, seven(), Some(day("2026-11-23")))
            .unwrap();
        assert_eq!(next.skipped, None, "nothing lies between the 23rd and the 24th");
    }

    #[test]
    fn without_a_time_zone_the_send_time_is_utc() {
        let due = due_report(at("2026-11-25T07:00:00Z"), None, seven(), None).unwrap();
        assert_eq!(due.date, day("2026-11-24"));
        let early = due_report(at("2026-11-25T06:59:00Z"), None, seven(), None).unwrap();
        assert_eq!(early.date, day("2026-11-23"));
    }

    #[test]
    fn a_send_time_the_clocks_skip_fires_at_the_jump() {
        // Sydney springs forward on 2026-10-04: 02:00 AEST becomes 03:00 AEDT (16:00Z on the
        // 3rd). A send time of 02:30 does not exist that day.
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(send_instant(day("2026-10-04"), half_past_two, tz), at("2026-10-03T16:00:00Z"));
        let before = due_report(
            at("2026-10-03T15:59:59Z"),
            Some(tz),
            half_past_two,
            Some(day("2026-10-02")),
        );
        assert_eq!(before, None);
        let jump = due_report(
            at("2026-10-03T16:00:00Z"),
            Some(tz),
            half_past_two,
            Some(day("2026-10-02")),
        );
        assert_eq!(jump.map(|d| d.date), Some(day("2026-10-03")));
    }

    #[test]
    fn a_send_time_that_happens_twice_fires_the_first_time() {
        // Sydney falls back on 2026-04-05: 03:00 AEDT becomes 02:00 AEST, so 02:30 happens at
        // 15:30Z and again at 16:30Z on the 4th.
        let tz: Tz = "Australia/Sydney".parse().unwrap();
        let half_past_two = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(send_instant(day("2026-04-05"), half_past_two, tz), at("2026-04-04T15:30:00Z"));
        // 07:00 on the short or long day is one instant either way.
        assert_eq!(send_instant(day("2026-04-05"), seven(), tz), at("2026-04-04T21:00:00Z"));
        assert_eq!(send_instant(day("2026-10-04"), seven(), tz), at("2026-10-03T20:00:00Z"));
    }
}
