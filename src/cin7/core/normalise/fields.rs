//! Cin7 Core's field spellings: ISO dates and `"630: Inventory"` account fields.
//!
//! Dates come as `2017-11-22T00:00:00` (calendar dates, no offset), `2017-11-22T10:10:49.75Z`
//! (instants, UTC) and, on some fields, with up to seven fractional digits
//! (`2017-11-22T06:58:21.8882229Z`, .NET's tick precision). Decisions:
//! - An instant without `Z` or an offset is UTC (Cin7 stores UTC; only the `Z` is missing).
//! - An instant with an offset is converted to UTC.
//! - A calendar date is the date as written, whatever the time or offset after it: Cin7 writes
//!   the business's local dates into those fields.
//! - Fractions of any length are read (RFC 3339 allows it); chrono keeps nanoseconds, so
//!   Cin7's seven digits are exact.
//!
//! Account fields read `"630"` or `"630: Inventory"`: the code is what comes before the first
//! colon, trimmed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Longest part of a bad input quoted back in an error.
const QUOTE_LIMIT: usize = 80;

/// A date field cxsync could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{input:?} is not a Cin7 date; expected ISO 8601 such as `2017-11-22T00:00:00` or \
     `2017-11-22T10:10:49.75Z`"
)]
pub struct DateError {
    /// The offending text, cut to 80 characters.
    pub input: String,
}

impl DateError {
    fn new(input: &str) -> Self {
        let input = match input.char_indices().nth(QUOTE_LIMIT) {
            Some((cut, _)) => format!("{}…", &input[..cut]),
            None => input.to_owned(),
        };
        Self { input }
    }
}

/// Layouts without an offset; `%.f` also matches no fraction at all.
const NAIVE_LAYOUTS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];

/// Reads an instant (see the module notes).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, DateError> {
    let trimmed = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(with_offset.to_utc());
    }
    if let Some(naive) = parse_naive(trimmed) {
        return Ok(naive.and_utc());
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .map(|date| date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| DateError::new(text))
}

/// Reads a calendar date as written (see the module notes).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let trimmed = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(with_offset.date_naive());
    }
    if let Some(naive) = parse_naive(trimmed) {
        return Ok(naive.date());
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| DateError::new(text))
}

fn parse_naive(text: &str) -> Option<NaiveDateTime> {
    let text = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    NAIVE_LAYOUTS.iter().find_map(|layout| NaiveDateTime::parse_from_str(text, layout).ok())
}

/// The account code of a Cin7 account field: `"630: Inventory"` → `630`; blank → `None`.
pub fn account_code(field: &str) -> Option<String> {
    let code = field.split_once(':').map_or(field, |(code, _)| code).trim();
    (!code.is_empty()).then(|| code.to_string())
}
