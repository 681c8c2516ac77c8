//! Cin7's date spellings and account fields, one named case per rule.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rstest::rstest;

use super::super::{account_code, parse_date, parse_instant};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap() + chrono::Duration::nanoseconds(nanos.into())
}

#[rstest]
#[case::no_fraction_no_zone("2017-11-22T00:00:00", utc(2017, 11, 22, 0, 0, 0, 0))]
#[case::no_fraction_with_z("2017-09-29T03:03:13Z", utc(2017, 9, 29, 3, 3, 13, 0))]
#[case::one_digit("2017-09-29T03:03:13.9Z", utc(2017, 9, 29, 3, 3, 13, 900_000_000))]
#[case::two_digits("2021-11-11T13:27:28.16Z", utc(2021, 11, 11, 13, 27, 28, 160_000_000))]
#[case::three_digits("2017-09-29T03:03:13.913Z", utc(2017, 9, 29, 3, 3, 13, 913_000_000))]
#[case::six_digits_without_z("2017-12-08T04:05:42.303039", utc(2017, 12, 8, 4, 5, 42, 303_039_000))]
#[case::seven_digits_dotnet_ticks(
    "2017-11-22T06:58:21.8882229Z",
    utc(2017, 11, 22, 6, 58, 21, 888_222_900)
)]
#[case::seven_digits_without_z(
    "2017-11-22T06:58:21.8882229",
    utc(2017, 11, 22, 6, 58, 21, 888_222_900)
)]
#[case::offset_is_converted_to_utc("2017-12-08T14:05:42+10:00", utc(2017, 12, 8, 4, 5, 42, 0))]
#[case::space_separator("2017-12-19 00:00:00", utc(2017, 12, 19, 0, 0, 0, 0))]
#[case::date_only("2017-12-19", utc(2017, 12, 19, 0, 0, 0, 0))]
#[case::surrounding_spaces(" 2017-12-19T00:00:00Z ", utc(2017, 12, 19, 0, 0, 0, 0))]
fn instants_are_read_with_or_without_z_and_up_to_seven_fraction_digits(
    #[case] text: &str,
    #[case] expected: DateTime<Utc>,
) {
    assert_eq!(parse_instant(text), Ok(expected));
}

#[rstest]
#[case::midnight("2017-11-22T00:00:00", (2017, 11, 22))]
#[case::late_evening_stays_on_its_day("2017-11-22T23:59:59.9999999", (2017, 11, 22))]
#[case::with_z("2026-03-05T00:00:00.0000000Z", (2026, 3, 5))]
#[case::offset_keeps_the_written_date("2017-11-22T23:00:00-05:00", (2017, 11, 22))]
#[case::date_only("2017-11-22", (2017, 11, 22))]
fn calendar_dates_are_the_date_as_written(#[case] text: &str, #[case] (y, m, d): (i32, u32, u32)) {
    assert_eq!(parse_date(text), Ok(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
}

#[rstest]
#[case::empty("")]
#[case::words("yesterday")]
#[case::us_style("11/22/2017")]
#[case::impossible_day("2017-02-30T00:00:00")]
#[case::xero_spelling("/Date(1518685950940+0000)/")]
#[case::letters_in_the_fraction("2017-11-22T06:58:21.88x")]
fn unreadable_dates_are_errors_that_quote_the_text(#[case] text: &str) {
    let error = parse_instant(text).unwrap_err();
    assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
    assert!(parse_date(text).is_err());
}

#[rstest]
#[case::plain_code("630", Some("630"))]
#[case::code_and_name("630: Inventory", Some("630"))]
#[case::name_with_a_colon_of_its_own("403: Cost: Of Goods", Some("403"))]
#[case::no_space_after_colon("715:Inventory", Some("715"))]
#[case::padded(" 200 ", Some("200"))]
#[case::letters_in_the_code("SALES-1: Sales", Some("SALES-1"))]
#[case::empty("", None)]
#[case::blank("   ", None)]
#[case::name_without_code(": Inventory", None)]
fn account_fields_keep_the_code_before_the_colon(#[case] field: &str, #[case] code: Option<&str>) {
    assert_eq!(account_code(field).as_deref(), code);
}
