//! Exact amounts from JSON (Xero and Cin7), never through `f64` arithmetic.
//!
//! Xero writes amounts as JSON numbers (`40.00`) and, in a few places (`BatchPayment.TotalAmount`,
//! report cells), as strings (`"50.00"`); Cin7 Core writes JSON numbers (`54.31`, `0.5`). All
//! are parsed from their text as written: cxsync builds `serde_json` with
//! `arbitrary_precision`, so a [`serde_json::Number`] keeps the literal it was read from
//! (`40.00` stays `40.00`, scale included) and no amount ever passes through an `f64`.
//!
//! Shared by [`crate::xero`] and [`crate::cin7`] (neither client depends on the other); pure.
//! [`money`] prints an amount the way findings and reports show it.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Number, Value};

/// Longest part of a bad value quoted back in an error.
const QUOTE_LIMIT: usize = 60;

/// A value that is not a decimal amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not a decimal amount")]
pub struct AmountError {
    /// The offending value, quoted as JSON (`"12,50"`, `true`) and cut to 60 characters.
    pub value: String,
}

impl AmountError {
    fn new(value: &str) -> Self {
        let value = match value.char_indices().nth(QUOTE_LIMIT) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        Self { value }
    }
}

/// Reads decimal text: optional sign, digits with at most one `.`, optional exponent
/// (`1e-7`, `5e+02`). Surrounding spaces are ignored; nothing else is accepted (no `,`, `_`,
/// currency signs or `NaN`).
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    let quoted = || AmountError::new(&format!("{text:?}"));
    let trimmed = text.trim();
    let (mantissa, exponent) = match trimmed.find(['e', 'E']) {
        Some(at) => (&trimmed[..at], Some(&trimmed[at + 1..])),
        None => (trimmed, None),
    };
    if !is_decimal(mantissa) || exponent.is_some_and(|e| !is_exponent(e)) {
        return Err(quoted());
    }
    let parsed = match exponent {
        Some(_) => Decimal::from_scientific(trimmed),
        None => Decimal::from_str(trimmed),
    };
    parsed.map_err(|_| quoted())
}

/// Reads a JSON number exactly as `serde_json` prints it (see the module documentation).
pub fn number_to_decimal(number: &Number) -> Result<Decimal, AmountError> {
    // With `arbitrary_precision` a number is the literal it was read from, as printed.
    let text = number.as_str();
    parse_amount(text).map_err(|_| AmountError::new(text))
}

/// Reads an amount from JSON: a number, a decimal string, or null / `""` (absent).
pub fn value_to_decimal(value: &Value) -> Result<Option<Decimal>, AmountError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => number_to_decimal(number).map(Some),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => parse_amount(text).map(Some),
        other => Err(AmountError::new(&other.to_string())),
    }
}

/// `-?digits[.digits]` or `-?.digits`/`digits.`, with at least one digit.
fn is_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut dots = 0;
    let mut digits = 0;
    for byte in unsigned.bytes() {
        match byte {
            b'0'..=b'9' => digits += 1,
            b'.' => dots += 1,
            _ => return false,
        }
    }
    digits > 0 && dots <= 1
}

/// `[+-]digits`.
fn is_exponent(text: &str) -> bool {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit())
}

/// Deserializes an optional amount, naming `field` in the error.
pub(crate) fn deserialize_named<'de, D>(
    deserializer: D,
    field: &'static str,
) -> Result<Option<Decimal>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer
        .deserialize_any(AmountVisitor)?
        .map_err(|error| D::Error::custom(format!("{field}: {error}")))
}

/// Reads an amount as [`value_to_decimal`] reads its `Value`, with the same results and
/// errors, without building a `Value` for the usual shapes: a string or null is read as it
/// comes, a number (`serde_json` hands it over as a one-entry map) and anything else is read
/// into a `Value` first.
struct AmountVisitor;

impl<'de> Visitor<'de> for AmountVisitor {
    type Value = Result<Option<Decimal>, AmountError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Ok(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(if text.trim().is_empty() { Ok(None) } else { parse_amount(text).map(Some) })
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Self::Value, E> {
        Ok(value_to_decimal(&Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(value_to_decimal(&Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(value_to_decimal(&Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(value_to_decimal(&Value::from(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(|value| value_to_decimal(&value))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(|value| value_to_decimal(&value))
    }
}

/// Declares one deserializer per amount field, so an unreadable amount's error says which
/// field it was (`Total: "12,50" is not a decimal amount`); serde itself does not say.
macro_rules! amount_fields {
    ($($name:ident => $field:literal),* $(,)?) => {$(
        #[doc = concat!("Reads `", $field, "` as an exact amount (see [`deserialize_named`]).")]
        pub(crate) fn $name<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<Decimal>, D::Error> {
            super::deserialize_named(deserializer, $field)
        }
    )*};
}

/// Field-named amount deserializers for `#[serde(deserialize_with = "field::total")]`.
pub(crate) mod field {
    use rust_decimal::Decimal;
    use serde::Deserializer;

    amount_fields! {
        adjustment => "Adjustment",
        amount => "Amount",
        amount_credited => "AmountCredited",
        amount_due => "AmountDue",
        amount_paid => "AmountPaid",
        applied_amount => "AppliedAmount",
        average_cost => "AverageCost",
        bank_amount => "BankAmount",
        cost => "Cost",
        currency_rate => "CurrencyRate",
        discount => "Discount",
        gross_amount => "GrossAmount",
        line_amount => "LineAmount",
        net_amount => "NetAmount",
        paid => "Paid",
        price => "Price",
        quantity => "Quantity",
        remaining_credit => "RemainingCredit",
        sub_total => "SubTotal",
        tax => "Tax",
        tax_amount => "TaxAmount",
        total => "Total",
        total_tax => "TotalTax",
        transfer_quantity => "TransferQuantity",
        unit_amount => "UnitAmount",
        unit_cost => "UnitCost",
    }
}

/// Money as printed everywhere: at least two decimal places, no trailing zeros beyond them,
/// never `-0.00`.
pub fn money(amount: Decimal) -> String {
    let mut amount = amount.normalize();
    if amount.is_zero() {
        amount.set_sign_positive(true);
    }
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount.to_string()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rstest::rstest;
    use serde_json::json;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    /// What a JSON number literal becomes after `serde_json` has parsed it.
    fn from_json_number(literal: &str) -> Decimal {
        let value: Value = serde_json::from_str(literal).unwrap();
        value_to_decimal(&value).unwrap().unwrap()
    }

    #[rstest]
    #[case::two_decimal_places_with_trailing_zeros("40.00", "40")]
    #[case::one_tenth("0.10", "0.1")]
    #[case::one_tenth_short("0.1", "0.1")]
    #[case::large_total("1234567.89", "1234567.89")]
    #[case::negative_credit("-28750.0", "-28750")]
    #[case::four_decimal_unit_price("3.1415", "3.1415")]
    #[case::one_cent("0.01", "0.01")]
    #[case::tiny_exponent_form("0.0000001", "0.0000001")]
    #[case::integer("148062", "148062")]
    #[case::largest_i64("9223372036854775807", "9223372036854775807")]
    #[case::fifteen_significant_digits("9999999999999.99", "9999999999999.99")]
    #[case::large_power_of_ten("1e20", "100000000000000000000")]
    fn json_numbers_keep_their_exact_value(#[case] literal: &str, #[case] expected: &str) {
        assert_eq!(from_json_number(literal), dec(expected));
    }

    #[test]
    fn json_numbers_keep_their_literal_scale_included() {
        let printed = |literal: &str| serde_json::from_str::<Number>(literal).unwrap().to_string();
        assert_eq!(printed("40.00"), "40.00");
        assert_eq!(printed("0.10"), "0.10");
        assert_eq!(from_json_number("40.00").scale(), 2);
    }

    #[test]
    fn amounts_beyond_what_an_f64_holds_stay_exact() {
        let literal = "12345678901234567.8";
        assert_eq!(from_json_number(literal), dec(literal));
        assert_eq!(value_to_decimal(&json!(literal)).unwrap(), Some(dec(literal)));
    }

    #[rstest]
    #[case::two_places("50.00", "50.00")]
    #[case::keeps_the_scale_as_written("0.10", "0.10")]
    #[case::large("1234567.89", "1234567.89")]
    #[case::negative("-1850.00", "-1850.00")]
    #[case::padded(" 12.5 ", "12.5")]
    #[case::leading_plus("+7", "7")]
    #[case::exponent("5e+02", "500")]
    fn decimal_strings_are_read_as_written(#[case] text: &str, #[case] expected: &str) {
        let parsed = parse_amount(text).unwrap();
        assert_eq!(parsed, dec(expected));
        assert_eq!(parsed.scale(), dec(expected).scale());
    }

    #[rstest]
    #[case::comma_decimal(json!("12,50"), "\"12,50\"")]
    #[case::underscore(json!("1_000"), "\"1_000\"")]
    #[case::currency_sign(json!("$5"), "\"$5\"")]
    #[case::not_a_number(json!("NaN"), "\"NaN\"")]
    #[case::two_dots(json!("1.2.3"), "\"1.2.3\"")]
    #[case::bare_sign(json!("-"), "\"-\"")]
    #[case::bare_exponent(json!("1e"), "\"1e\"")]
    #[case::boolean(json!(true), "true")]
    #[case::object(json!({"Amount": 1}), "{\"Amount\":1}")]
    #[case::beyond_decimal_range(json!("1e40"), "\"1e40\"")]
    fn unreadable_amounts_are_errors_that_quote_the_value(
        #[case] value: Value,
        #[case] quoted: &str,
    ) {
        let error = value_to_decimal(&value).unwrap_err();
        assert_eq!(error.to_string(), format!("{quoted} is not a decimal amount"));
    }

    #[rstest]
    #[case::null(json!(null))]
    #[case::empty_string(json!(""))]
    #[case::blank_string(json!("  "))]
    fn null_and_empty_amounts_are_absent(#[case] value: Value) {
        assert_eq!(value_to_decimal(&value), Ok(None));
    }

    #[rstest]
    #[case::number("40.00")]
    #[case::negative_number("-28750.0")]
    #[case::exponent_number("1e20")]
    #[case::string(r#""50.00""#)]
    #[case::padded_string(r#"" 12.5 ""#)]
    #[case::empty_string(r#""""#)]
    #[case::null("null")]
    #[case::comma_decimal(r#""12,50""#)]
    #[case::boolean("true")]
    #[case::object(r#"{"Amount": 1}"#)]
    #[case::array("[1, 2]")]
    #[case::escaped_string(r#""1\u0030""#)]
    fn an_amount_read_from_text_is_read_as_from_its_value(#[case] json: &str) {
        #[derive(Debug, Deserialize)]
        struct Line {
            #[serde(default, rename = "Total", deserialize_with = "field::total")]
            total: Option<Decimal>,
        }
        let text = format!(r#"{{"Total": {json}}}"#);
        let from_text = serde_json::from_str::<Line>(&text).map(|l| l.total);
        let value: Value = serde_json::from_str(&text).unwrap();
        let from_value = serde_json::from_value::<Line>(value.clone()).map(|l| l.total);
        let expected = value_to_decimal(&value["Total"]);
        match expected {
            Ok(amount) => {
                assert_eq!(from_text.unwrap(), amount);
                assert_eq!(from_value.unwrap(), amount);
            }
            Err(error) => {
                let message = format!("Total: {error}");
                assert!(from_text.unwrap_err().to_string().starts_with(&message));
                assert_eq!(from_value.unwrap_err().to_string(), message);
            }
        }
    }

    #[test]
    fn a_field_deserializer_names_its_field() {
        #[derive(Debug, Deserialize)]
        struct Line {
            #[serde(default, rename = "Total", deserialize_with = "field::total")]
            _total: Option<Decimal>,
        }
        let error = serde_json::from_value::<Line>(json!({"Total": "12,50"})).unwrap_err();
        assert_eq!(error.to_string(), "Total: \"12,50\" is not a decimal amount");
    }

    proptest! {
        #[test]
        fn any_amount_of_fifteen_significant_digits_survives_a_json_number(
            mantissa in -999_999_999_999_999i64..=999_999_999_999_999,
            scale in 0u32..=6,
        ) {
            let amount = Decimal::new(mantissa, scale);
            prop_assert_eq!(from_json_number(&amount.to_string()), amount);
        }

        #[test]
        fn any_decimal_survives_a_json_string(mantissa in any::<i64>(), scale in 0u32..=10) {
            let amount = Decimal::new(mantissa, scale);
            let read = value_to_decimal(&Value::String(amount.to_string())).unwrap();
            prop_assert_eq!(read, Some(amount));
        }

        #[test]
        fn garbage_text_never_panics(text in any::<String>()) {
            let _ = parse_amount(&text);
        }
    }

    #[test]
    fn money_keeps_two_places_and_never_prints_negative_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(money(d("100")), "100.00");
        assert_eq!(money(d("12.3400")), "12.34");
        assert_eq!(money(d("12.3456")), "12.3456");
        assert_eq!(money(d("-0.00")), "0.00");
        assert_eq!(money(d("-815.5")), "-815.50");
    }
}
