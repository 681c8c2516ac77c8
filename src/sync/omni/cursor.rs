//! The cursor of one Omni endpoint, as the store keeps it (text in `sync_cursors`):
//! - a closed window: `2026-03-01T00:02:00.000Z`, the change time the next window starts
//!   from (less the overlap);
//! - a window part-read: `from|after_id|newest|started` — the filter's lower bound as sent,
//!   the last id read, the newest change read so far, and when the window began (our clock).
//!   The next cycle resumes it after that id instead of reading its pages again.

use chrono::{DateTime, Utc};

use crate::clock::timestamp;

/// Where an endpoint's reading stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cursor {
    /// Every record modified up to this time has been read.
    Closed(DateTime<Utc>),
    /// A window read up to an id (see the module notes).
    Open { from: DateTime<Utc>, after_id: u64, newest: DateTime<Utc>, started: DateTime<Utc> },
}

impl Cursor {
    /// The stored text.
    pub(super) fn to_text(self) -> String {
        match self {
            Self::Closed(at) => timestamp(at),
            Self::Open { from, after_id, newest, started } => format!(
                "{}|{after_id}|{}|{}",
                timestamp(from),
                timestamp(newest),
                timestamp(started)
            ),
        }
    }

    /// Reads stored text; `None` if it is not a cursor this version writes.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let instant = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.to_utc());
        match text.split('|').collect::<Vec<_>>().as_slice() {
            [at] => instant(at).map(Self::Closed),
            [from, after_id, newest, started] => Some(Self::Open {
                from: instant(from)?,
                after_id: after_id.parse().ok()?,
                newest: instant(newest)?,
                started: instant(started)?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn cursors_round_trip_through_their_text() {
        for cursor in [
            Cursor::Closed(at("2026-03-01T00:02:00Z")),
            Cursor::Open {
                from: at("2026-02-28T23:57:00Z"),
                after_id: 250,
                newest: at("2026-03-01T10:00:00.5Z"),
                started: at("2026-03-02T08:00:00Z"),
            },
        ] {
            assert_eq!(Cursor::parse(&cursor.to_text()), Some(cursor));
        }
        assert_eq!(Cursor::parse("page 3"), None);
    }
}
