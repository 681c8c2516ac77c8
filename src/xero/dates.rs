//! Xero's two date spellings, read into chrono types.
//!
//! Most Xero fields carry `/Date(1518685950940+0000)/`: milliseconds since 1970-01-01 UTC (zero
//! and negative values occur), optionally followed by a `+HHMM`/`-HHMM` offset. A few fields
//! (`DateString`, `UpdatedDateUTCString`, report dates) are ISO 8601 text such as
//! `2019-03-11T00:00:00`, with or without `Z`, fractional seconds or a space instead of `T`.
//!
//! Decisions:
//! - The millisecond count is the instant, already in UTC. The offset suffix only says which
//!   offset Xero had in mind (the organisation's); it never shifts the instant. It is checked
//!   for shape and otherwise ignored, so `/Date(0+1300)/` is 1970-01-01T00:00:00Z.
//! - A calendar date read from `/Date(..)/` is the UTC date of that instant. Xero sends
//!   date-only fields (`Date`, `DueDate`, lock dates) as midnight UTC of the date the user
//!   entered, so this gives back exactly that date.
//! - ISO text without an offset is taken as UTC for an instant; for a calendar date the date
//!   is taken as written (`2019-03-11T23:00:00-05:00` is 11 March), because Xero writes local
//!   dates into those fields.
//!
//! Pure functions; nothing here reads the clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Longest part of a bad input quoted back in an error, so a garbage payload cannot flood logs.
const QUOTE_LIMIT: usize = 80;

/// A date field that cxsync could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Neither `/Date(milliseconds±HHMM)/` nor an ISO 8601 date or date-time.
    #[error(
        "{input:?} is not a Xero date ({reason}); expected `/Date(1518685950940+0000)/` or \
         `2019-03-11T00:00:00`"
    )]
    Malformed { input: String, reason: &'static str },
    /// Well formed, but further from 1970 than chrono can represent (about 262,000 years).
    #[error("{input:?} is outside the range of dates cxsync can represent")]
    OutOfRange { input: String },
}

impl DateError {
    fn malformed(input: &str, reason: &'static str) -> Self {
        Self::Malformed { input: quote(input), reason }
    }

    fn out_of_range(input: &str) -> Self {
        Self::OutOfRange { input: quote(input) }
    }
}

/// The first [`QUOTE_LIMIT`] characters of `input`, marked when cut.
fn quote(input: &str) -> String {
    match input.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &input[..cut]),
        None => input.to_owned(),
    }
}

/// Reads an instant from either of Xero's spellings (see the module documentation).
pub fn parse_datetime(text: &str) -> Result<DateTime<Utc>, DateError> {
    let trimmed = text.trim();
    if let Some(inner) = ms_inner(trimmed) {
        return parse_ms(text, inner);
    }
    parse_iso_datetime(text, trimmed)
}

/// Reads a calendar date from either of Xero's spellings (see the module documentation).
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let trimmed = text.trim();
    if let Some(inner) = ms_inner(trimmed) {
        return parse_ms(text, inner).map(|instant| instant.date_naive());
    }
    parse_iso_date(text, trimmed)
}

/// Writes an instant the way Xero does: `/Date(1518685950940+0000)/`.
pub fn format_ms_date(instant: DateTime<Utc>) -> String {
    format!("/Date({}+0000)/", instant.timestamp_millis())
}

/// The text between `/Date(` and `)/`, if `text` has that frame.
fn ms_inner(text: &str) -> Option<&str> {
    text.strip_prefix("/Date(")?.strip_suffix(")/")
}

/// Reads `1518685950940`, `-86400000` or `1518685950940+1300` (the inside of `/Date(..)/`).
fn parse_ms(input: &str, inner: &str) -> Result<DateTime<Utc>, DateError> {
    if let Some(millis) = plain_ms(inner) {
        return DateTime::from_timestamp_millis(millis)
            .ok_or_else(|| DateError::out_of_range(input));
    }
    parse_any_ms(input, inner)
}

/// The usual shape, read in one pass: 1 to 18 digits, then nothing or a valid `+HHMM`/`-HHMM`
/// offset. `None` for anything else ([`parse_any_ms`] reads it, or says what is wrong).
fn plain_ms(inner: &str) -> Option<i64> {
    let bytes = inner.as_bytes();
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 18 {
        return None;
    }
    let offset = &inner[digits..];
    if !offset.is_empty() && !is_offset(offset) {
        return None;
    }
    Some(bytes[..digits].iter().fold(0, |millis, b| millis * 10 + i64::from(b - b'0')))
}

/// Reads the inside of `/Date(..)/` in any shape, saying what is wrong with a bad one.
fn parse_any_ms(input: &str, inner: &str) -> Result<DateTime<Utc>, DateError> {
    // The sign of the offset is the first `+` or `-` after the first character (which may be
    // the sign of the milliseconds). Both are ASCII, so the split is on a char boundary.
    let split = inner.char_indices().skip(1).find(|&(_, c)| c == '+' || c == '-').map(|(i, _)| i);
    let (millis, offset) = match split {
        Some(at) => inner.split_at(at),
        None => (inner, ""),
    };
    let digits = millis.strip_prefix('-').unwrap_or(millis);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::malformed(input, "milliseconds must be digits"));
    }
    if !offset.is_empty() && !is_offset(offset) {
        return Err(DateError::malformed(input, "the offset must be +HHMM or -HHMM"));
    }
    let millis: i64 = millis.parse().map_err(|_| DateError::out_of_range(input))?;
    DateTime::from_timestamp_millis(millis).ok_or_else(|| DateError::out_of_range(input))
}

/// `+HHMM` or `-HHMM` with hours 00–23 and minutes 00–59.
fn is_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || !matches!(bytes[0], b'+' | b'-') {
        return false;
    }
    if !bytes[1..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let hours = (bytes[1] - b'0') * 10 + (bytes[2] - b'0');
    let minutes = (bytes[3] - b'0') * 10 + (bytes[4] - b'0');
    hours <= 23 && minutes <= 59
}

/// Date-time layouts Xero uses without an offset; `%.f` also matches no fraction at all.
const NAIVE_LAYOUTS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];

fn parse_iso_datetime(input: &str, text: &str) -> Result<DateTime<Utc>, DateError> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.to_utc());
    }
    if let Some(naive) = parse_naive_datetime(text) {
        return Ok(naive.and_utc());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    Err(DateError::malformed(input, "not /Date(..)/ and not ISO 8601"))
}

fn parse_iso_date(input: &str, text: &str) -> Result<NaiveDate, DateError> {
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.date_naive());
    }
    if let Some(naive) = parse_naive_datetime(text) {
        return Ok(naive.date());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| DateError::malformed(input, "not /Date(..)/ and not ISO 8601"))
}

fn parse_naive_datetime(text: &str) -> Option<NaiveDateTime> {
    let text = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    NAIVE_LAYOUTS.iter().find_map(|layout| NaiveDateTime::parse_from_str(text, layout).ok())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use proptest::prelude::*;
    use rstest::rstest;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
            + chrono::Duration::milliseconds(i64::from(ms))
    }

    #[rstest]
    #[case::xero_sample_with_zero_offset(
        "/Date(1518685950940+0000)/",
        utc(2018, 2, 15, 9, 12, 30, 940)
    )]
    #[case::no_offset_suffix("/Date(1550797359081)/", utc(2019, 2, 22, 1, 2, 39, 81))]
    #[case::epoch_zero("/Date(0)/", utc(1970, 1, 1, 0, 0, 0, 0))]
    #[case::negative_millis_before_1970("/Date(-86400000+0000)/", utc(1969, 12, 31, 0, 0, 0, 0))]
    #[case::positive_offset_does_not_shift(
        "/Date(1539993600000+1300)/",
        utc(2018, 10, 20, 0, 0, 0, 0)
    )]
    #[case::negative_offset_does_not_shift(
        "/Date(1539993600000-0500)/",
        utc(2018, 10, 20, 0, 0, 0, 0)
    )]
    #[case::negative_millis_with_offset("/Date(-1000-0000)/", utc(1969, 12, 31, 23, 59, 59, 0))]
    #[case::surrounding_spaces(" /Date(0+0000)/ ", utc(1970, 1, 1, 0, 0, 0, 0))]
    #[case::iso_with_z("2019-03-05T18:59:06Z", utc(2019, 3, 5, 18, 59, 6, 0))]
    #[case::iso_without_z("2019-03-11T00:00:00", utc(2019, 3, 11, 0, 0, 0, 0))]
    #[case::iso_with_fraction("2019-03-11T08:30:15.250", utc(2019, 3, 11, 8, 30, 15, 250))]
    #[case::iso_with_fraction_and_z("2019-03-11T08:30:15.25Z", utc(2019, 3, 11, 8, 30, 15, 250))]
    #[case::iso_with_space_separator("2016-10-13 00:00:00", utc(2016, 10, 13, 0, 0, 0, 0))]
    #[case::iso_with_offset_converts_to_utc(
        "2019-03-11T09:00:00+13:00",
        utc(2019, 3, 10, 20, 0, 0, 0)
    )]
    #[case::iso_date_only("2019-03-11", utc(2019, 3, 11, 0, 0, 0, 0))]
    fn instants_are_read_from_both_spellings(#[case] text: &str, #[case] expected: DateTime<Utc>) {
        assert_eq!(parse_datetime(text), Ok(expected));
    }

    #[rstest]
    #[case::xero_midnight_utc_date_field("/Date(1539993600000+0000)/", (2018, 10, 20))]
    #[case::utc_date_of_a_late_instant("/Date(1551981568133+0000)/", (2019, 3, 7))]
    #[case::offset_suffix_does_not_move_the_date("/Date(1546214400000+1300)/", (2018, 12, 31))]
    #[case::before_1970("/Date(-1+0000)/", (1969, 12, 31))]
    #[case::iso_date_time_keeps_its_written_date("2019-03-11T23:00:00", (2019, 3, 11))]
    #[case::iso_offset_keeps_its_written_date("2019-03-11T23:00:00-05:00", (2019, 3, 11))]
    #[case::iso_space_separator("2016-10-13 00:00:00", (2016, 10, 13))]
    #[case::iso_date_only("2019-03-11", (2019, 3, 11))]
    fn dates_are_read_from_both_spellings(#[case] text: &str, #[case] (y, m, d): (i32, u32, u32)) {
        assert_eq!(parse_date(text), Ok(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
    }

    #[rstest]
    #[case::empty("")]
    #[case::plain_words("yesterday")]
    #[case::empty_millis("/Date()/")]
    #[case::letters_as_millis("/Date(abc)/")]
    #[case::plus_signed_millis("/Date(+1000)/")]
    #[case::lone_minus("/Date(-)/")]
    #[case::short_offset("/Date(1000+00)/")]
    #[case::offset_hours_too_big("/Date(1000+2500)/")]
    #[case::offset_minutes_too_big("/Date(1000+0060)/")]
    #[case::unclosed_frame("/Date(1000+0000")]
    #[case::decimal_millis("/Date(1000.5)/")]
    #[case::impossible_calendar_day("2019-02-30T00:00:00")]
    #[case::us_style_date("3/31/2019")]
    fn malformed_input_is_an_error_that_quotes_it(#[case] text: &str) {
        let error = parse_datetime(text).unwrap_err();
        assert!(matches!(error, DateError::Malformed { .. }), "{error:?}");
        assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
        assert!(parse_date(text).is_err());
    }

    #[rstest]
    #[case::beyond_chrono("/Date(9223372036854775807+0000)/")]
    #[case::beyond_i64("/Date(99999999999999999999)/")]
    #[case::far_before_chrono("/Date(-9223372036854775808)/")]
    fn millis_outside_chronos_range_are_out_of_range(#[case] text: &str) {
        let error = parse_datetime(text).unwrap_err();
        assert_eq!(error, DateError::OutOfRange { input: text.to_owned() });
        assert!(error.to_string().contains(text));
    }

    #[test]
    fn long_garbage_is_quoted_only_in_part() {
        let garbage = "x".repeat(10_000);
        let message = parse_datetime(&garbage).unwrap_err().to_string();
        assert!(message.len() < 300, "{message}");
        assert!(message.contains('…'));
    }

    #[test]
    fn formatting_writes_xero_spelling() {
        assert_eq!(format_ms_date(utc(2018, 2, 15, 9, 12, 30, 940)), "/Date(1518685950940+0000)/");
        assert_eq!(format_ms_date(utc(1969, 12, 31, 0, 0, 0, 0)), "/Date(-86400000+0000)/");
    }

    fn chrono_millis() -> std::ops::RangeInclusive<i64> {
        DateTime::<Utc>::MIN_UTC.timestamp_millis()..=DateTime::<Utc>::MAX_UTC.timestamp_millis()
    }

    #[rstest]
    #[case::millis_and_offset("1518685950940+0000", Some(1_518_685_950_940))]
    #[case::millis_alone("0", Some(0))]
    #[case::eighteen_digits("999999999999999999", Some(999_999_999_999_999_999))]
    #[case::nineteen_digits("1000000000000000000", None)]
    #[case::negative("-86400000", None)]
    #[case::bad_offset("0+2400", None)]
    #[case::short_offset("0+000", None)]
    #[case::no_digits("+0000", None)]
    #[case::space("0 ", None)]
    fn the_usual_millisecond_shape_takes_the_short_way(
        #[case] inner: &str,
        #[case] expected: Option<i64>,
    ) {
        assert_eq!(plain_ms(inner), expected);
    }

    proptest! {
        #[test]
        fn the_short_way_reads_as_the_long_way(inner in "-?[0-9]{0,20}([+-][0-9]{0,5})?[ x]?") {
            let input = format!("/Date({inner})/");
            if plain_ms(&inner).is_some() {
                prop_assert_eq!(parse_ms(&input, &inner), parse_any_ms(&input, &inner));
            }
        }

        #[test]
        fn any_millisecond_in_chronos_range_round_trips(millis in chrono_millis()) {
            let instant = DateTime::from_timestamp_millis(millis).unwrap();
            let text = format_ms_date(instant);
            prop_assert_eq!(parse_datetime(&text).unwrap().timestamp_millis(), millis);
        }

        #[test]
        fn any_offset_suffix_leaves_the_instant_alone(
            millis in chrono_millis(),
            sign in prop::sample::select(vec!['+', '-']),
            hours in 0u8..=23,
            minutes in 0u8..=59,
        ) {
            let text = format!("/Date({millis}{sign}{hours:02}{minutes:02})/");
            prop_assert_eq!(parse_datetime(&text).unwrap().timestamp_millis(), millis);
        }

        #[test]
        fn a_date_written_as_midnight_utc_reads_back_as_that_date(
            days in -3_000_000i32..3_000_000,
        ) {
            let date = NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap();
            let text = format_ms_date(date.and_hms_opt(0, 0, 0).unwrap().and_utc());
            prop_assert_eq!(parse_date(&text).unwrap(), date);
        }

        #[test]
        fn garbage_never_panics(text in any::<String>()) {
            let _ = parse_datetime(&text);
            let _ = parse_date(&text);
        }

        #[test]
        fn garbage_inside_the_date_frame_never_panics(inner in any::<String>()) {
            let text = format!("/Date({inner})/");
            let _ = parse_datetime(&text);
            let _ = parse_date(&text);
        }

        #[test]
        fn near_miss_frames_never_panic(inner in "[-+0-9]{0,24}") {
            let text = format!("/Date({inner})/");
            let _ = parse_datetime(&text);
            let _ = parse_date(&text);
        }
    }
}
