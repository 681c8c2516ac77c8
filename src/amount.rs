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
use serde::de::{
    self, DeserializeSeed, Error as _, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
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

/// Deserializes an optional amount from JSON text read by `serde_json`, naming `field` in the
/// error: as [`deserialize_named`], with the same results and errors when `serde_json` reads
/// from text it can lend (`from_str`, `from_slice`, as the Xero sync does), but from the
/// amount's JSON text as written (lent without copying), so the usual shapes (a
/// number without exponent, a string without escapes, null) are read without `serde_json`
/// first building a number's text. For models read both from text and from a `Value` (Xero's);
/// from a `Value` it costs more than [`deserialize_named`] (the value is printed to be read).
///
/// One difference: an error `serde_json` itself raises inside a value that is no amount (a
/// map holding `serde_json`'s private number key) gives its position within that value's text,
/// not within the whole text. The Xero read from text drops its errors anyway (see
/// [`crate::xero::normalise`]: a record it refuses is read again through a `Value`).
pub(crate) fn deserialize_text<'de, D>(
    deserializer: D,
    field: &'static str,
) -> Result<Option<Decimal>, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer
        .deserialize_newtype_struct(RAW_TOKEN, TextVisitor)?
        .map_err(|error| D::Error::custom(format!("{field}: {error}")))
}

/// The name under which `serde_json` hands a value over as its JSON text (it is
/// [`serde_json::value::RawValue`]'s): a one-entry map from this key to the text.
const RAW_TOKEN: &str = "$serde_json::private::RawValue";

/// Reads an amount from its JSON text (see [`deserialize_text`]).
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Result<Option<Decimal>, AmountError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount")
    }

    /// Not `serde_json`: the value as it comes.
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(AmountVisitor)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        match map.next_key_seed(NumberKey)? {
            Some(FirstKey::Raw) => map.next_value_seed(AmountText),
            first => AmountVisitor::rest_of_map(first, map),
        }
    }
}

/// An amount's JSON text: lent by `serde_json` reading text, else printed from a `Value`.
struct AmountText;

impl<'de> DeserializeSeed<'de> for AmountText {
    type Value = Result<Option<Decimal>, AmountError>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AmountText {
    type Value = Result<Option<Decimal>, AmountError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount's JSON text")
    }

    /// Text lent from the JSON being read: read as that reader reads it.
    fn visit_borrowed_str<E: de::Error>(self, json: &'de str) -> Result<Self::Value, E> {
        let bytes = json.as_bytes();
        match bytes.first() {
            Some(b'n') if json == "null" => return Ok(Ok(None)),
            Some(b'"') if json.len() >= 2 && !json.contains('\\') => {
                return AmountVisitor.visit_str(&json[1..json.len() - 1]);
            }
            // `serde_json` reads a number without exponent as its text (`40.00`), or as a
            // `u64` or `i64`: the same amount.
            Some(b'-' | b'0'..=b'9') if !bytes.iter().any(|b| matches!(b, b'e' | b'E')) => {
                let amount = fast_decimal(json).map_or_else(|| parse_amount(json), Ok);
                return Ok(amount.map(Some).map_err(|_| AmountError::new(json)));
            }
            _ => {}
        }
        let mut reader = serde_json::Deserializer::from_str(json);
        de::Deserializer::deserialize_any(&mut reader, AmountVisitor).map_err(E::custom)
    }

    /// Text printed from a `Value`: read as that `Value` is read.
    fn visit_str<E: de::Error>(self, json: &str) -> Result<Self::Value, E> {
        let value: Value = serde_json::from_str(json).map_err(E::custom)?;
        value.deserialize_any(AmountVisitor).map_err(E::custom)
    }
}

/// A plain decimal (`-?digits(.digits)?`, at most 18 digits, not negative zero) as
/// [`Decimal::from_str`] reads it, without its general parser; `None` for anything else.
fn fast_decimal(text: &str) -> Option<Decimal> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut mantissa = 0u64;
    let mut digits = 0u32;
    let mut scale = None;
    for (at, byte) in unsigned.bytes().enumerate() {
        match byte {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(byte - b'0');
                digits += 1;
            }
            b'.' if scale.is_none() && at > 0 && at + 1 < unsigned.len() => {
                scale = Some(u32::try_from(unsigned.len() - at - 1).ok()?);
            }
            _ => return None,
        }
        if digits > 18 {
            return None;
        }
    }
    if digits == 0 || (negative && mantissa == 0) {
        return None;
    }
    let lo = u32::try_from(mantissa & 0xFFFF_FFFF).ok()?;
    let mid = u32::try_from(mantissa >> 32).ok()?;
    Some(Decimal::from_parts(lo, mid, 0, negative, scale.unwrap_or(0)))
}

/// Reads an amount as [`value_to_decimal`] reads its `Value`, with the same results and
/// errors, without building a `Value` for the usual shapes: a string, null or whole number is
/// read as it comes, and so is a number `serde_json` hands over as a one-entry map (see
/// [`NumberKey`]); anything else (a boolean, an array, an object) is read into a `Value` first.
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

    /// A whole number is exactly its `Decimal` (what [`parse_amount`] makes of its digits).
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Ok(Some(Decimal::from(value))))
    }

    /// As [`Self::visit_i64`].
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Ok(Some(Decimal::from(value))))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Ok(value_to_decimal(&Value::from(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(|value| value_to_decimal(&value))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let first = map.next_key_seed(NumberKey)?;
        Self::rest_of_map(first, map)
    }
}

impl AmountVisitor {
    /// A map whose `first` key was read: a number's text, or a map read into a `Value`.
    fn rest_of_map<'de, A: MapAccess<'de>>(
        first: Option<FirstKey>,
        mut map: A,
    ) -> Result<Result<Option<Decimal>, AmountError>, A::Error> {
        let first = match first {
            Some(FirstKey::Number) => return map.next_value_seed(NumberText),
            Some(FirstKey::Raw) => Pending::Key(RAW_TOKEN.to_owned()),
            Some(FirstKey::Other(key)) => Pending::Key(key),
            None => Pending::End,
        };
        let map = Replayed { first, map };
        Value::deserialize(MapAccessDeserializer::new(map)).map(|value| value_to_decimal(&value))
    }
}

/// The key `serde_json` gives a number it hands over as a map (with `arbitrary_precision`,
/// any number read through `deserialize_any` that is not a whole `u64` or `i64`): the map's
/// one value is the number's text.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// A map's first key: [`NUMBER_TOKEN`], [`RAW_TOKEN`], or any other key, kept to be handed on.
enum FirstKey {
    Number,
    Raw,
    Other(String),
}

/// Reads a map's first key as `serde_json`'s `Value` does (as a string).
struct NumberKey;

impl<'de> DeserializeSeed<'de> for NumberKey {
    type Value = FirstKey;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<FirstKey, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NumberKey {
    type Value = FirstKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<FirstKey, E> {
        Ok(match key {
            NUMBER_TOKEN => FirstKey::Number,
            RAW_TOKEN => FirstKey::Raw,
            _ => FirstKey::Other(key.to_owned()),
        })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<FirstKey, E> {
        Ok(match key.as_str() {
            NUMBER_TOKEN => FirstKey::Number,
            RAW_TOKEN => FirstKey::Raw,
            _ => FirstKey::Other(key),
        })
    }
}

/// A number's text, read as [`number_to_decimal`] reads the [`Number`] a `Value` would hold.
struct NumberText;

impl<'de> DeserializeSeed<'de> for NumberText {
    type Value = Result<Option<Decimal>, AmountError>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for NumberText {
    type Value = Result<Option<Decimal>, AmountError>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("string containing a number")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        // Text as `serde_json` writes a number is that number's text: read it directly.
        // Anything else is read as a `Value` would read it, error included.
        if is_json_number(text) {
            return Ok(parse_amount(text).map(Some).map_err(|_| AmountError::new(text)));
        }
        let number = Number::from_str(text).map_err(E::custom)?;
        Ok(number_to_decimal(&number).map(Some))
    }
}

/// Whether `text` is a JSON number as `serde_json` writes one read from JSON text (and so the
/// very text [`Number::from_str`] would keep): `-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[+-][0-9]+)?`.
fn is_json_number(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(bytes.first() == Some(&b'-'));
    let digits = |at: usize| bytes[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let whole = digits(at);
    if whole == 0 || (whole > 1 && bytes[at] == b'0') {
        return false;
    }
    at += whole;
    if bytes.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
    }
    if bytes.get(at) == Some(&b'e') {
        if !matches!(bytes.get(at + 1), Some(b'+' | b'-')) {
            return false;
        }
        let exponent = digits(at + 2);
        if exponent == 0 {
            return false;
        }
        at += 2 + exponent;
    }
    at == bytes.len()
}

/// A map whose first key was already read: hands it on, then the rest of the map.
struct Replayed<A> {
    first: Pending,
    map: A,
}

/// What a [`Replayed`] map has still to hand on before the rest of the map.
enum Pending {
    /// The first key.
    Key(String),
    /// The end: the map was empty.
    End,
    /// Nothing: the rest comes from the map.
    Nothing,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replayed<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match std::mem::replace(&mut self.first, Pending::Nothing) {
            Pending::Key(key) => seed.deserialize(key.into_deserializer()).map(Some),
            Pending::End => Ok(None),
            Pending::Nothing => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// Declares one deserializer per amount field, so an unreadable amount's error says which
/// field it was (`Total: "12,50" is not a decimal amount`); serde itself does not say. Each
/// field has two: in `field`, read by [`deserialize_named`]; in `text_field`, by
/// [`deserialize_text`].
macro_rules! amount_fields {
    ($($name:ident => $field:literal),* $(,)?) => {
        amount_fields!(@module field, deserialize_named,
            "Field-named amount deserializers for `#[serde(deserialize_with = \"field::total\")]`.";
            $($name => $field),*);
        amount_fields!(@module text_field, deserialize_text,
            "The same, reading amounts from their JSON text ([`deserialize_text`]): for models read from JSON text by `serde_json` (Xero's).";
            $($name => $field),*);
    };
    (@module $module:ident, $reader:ident, $doc:literal; $($name:ident => $field:literal),*) => {
        #[doc = $doc]
        #[allow(dead_code, reason = "one list for both modules: each models uses some")]
        pub(crate) mod $module {
            use rust_decimal::Decimal;
            use serde::Deserializer;

            $(
                #[doc = concat!("Reads `", $field, "` as an exact amount (see [`", stringify!($reader), "`](super::", stringify!($reader), ")).")]
                pub(crate) fn $name<'de, D: Deserializer<'de>>(
                    deserializer: D,
                ) -> Result<Option<Decimal>, D::Error> {
                    super::$reader(deserializer, $field)
                }
            )*
        }
    };
}

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

    /// An amount as it was read before numbers had their own path: the whole JSON value read
    /// into a `Value` first, then [`value_to_decimal`].
    fn through_a_value<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let value = Value::deserialize(deserializer)?;
        value_to_decimal(&value).map_err(|error| D::Error::custom(format!("Total: {error}")))
    }

    /// `json` as the `Total` of a line, read by [`field::total`] and by [`through_a_value`]:
    /// the results, and the errors with their positions, must be the same.
    fn read_both_ways(json: &str) -> Result<Option<Decimal>, String> {
        #[derive(Debug, Deserialize)]
        struct Line {
            #[serde(default, rename = "Total", deserialize_with = "field::total")]
            total: Option<Decimal>,
        }
        #[derive(Debug, Deserialize)]
        struct FromText {
            #[serde(default, rename = "Total", deserialize_with = "text_field::total")]
            total: Option<Decimal>,
        }
        #[derive(Debug, Deserialize)]
        struct Before {
            #[serde(default, rename = "Total", deserialize_with = "through_a_value")]
            total: Option<Decimal>,
        }
        let text = format!(r#"{{"Total": {json}, "Next": 1}}"#);
        let before =
            serde_json::from_str::<Before>(&text).map(|l| l.total).map_err(|e| e.to_string());
        let now = serde_json::from_str::<Line>(&text).map(|l| l.total).map_err(|e| e.to_string());
        let from_text =
            serde_json::from_str::<FromText>(&text).map(|l| l.total).map_err(|e| e.to_string());
        for read in [&now, &from_text] {
            if let (Ok(Some(read)), Ok(Some(before))) = (read, &before) {
                assert_eq!(read.serialize(), before.serialize(), "{json}: scale and sign included");
            }
        }
        assert_eq!(now, before, "{json}");
        // An error `serde_json` itself raises inside a value read from its text (a map that is
        // no amount) gives its position within that text: the same message, elsewhere.
        match (&from_text, &before) {
            (Err(from_text), Err(before)) if !before.starts_with("Total: ") => {
                let message = |error: &str| error.split(" at line ").next().unwrap().to_owned();
                assert_eq!(message(from_text), message(before), "{json}");
            }
            _ => assert_eq!(from_text, before, "{json}"),
        }
        // From a `Value`, both read as before too.
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            let now = serde_json::from_value::<Line>(value.clone()).map(|l| l.total);
            let from_text = serde_json::from_value::<FromText>(value).map(|l| l.total);
            match (now, from_text) {
                (Ok(now), Ok(from_text)) => {
                    assert_eq!(now.map(|d| d.serialize()), from_text.map(|d| d.serialize()));
                }
                (Err(now), Err(from_text)) => {
                    assert_eq!(now.to_string(), from_text.to_string(), "{json}");
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        now
    }

    #[rstest]
    #[case::zero("0", "0")]
    #[case::integer("148062", "148062")]
    #[case::negative_integer("-42", "-42")]
    #[case::negative_zero("-0", "0")]
    #[case::largest_u64("18446744073709551615", "18446744073709551615")]
    #[case::beyond_u64("18446744073709551616", "18446744073709551616")]
    #[case::smallest_i64("-9223372036854775808", "-9223372036854775808")]
    #[case::below_i64("-9223372036854775809", "-9223372036854775809")]
    #[case::twenty_eight_digits("1234567890123456789012345678", "1234567890123456789012345678")]
    #[case::decimal("40.00", "40.00")]
    #[case::negative_decimal("-28750.10", "-28750.10")]
    #[case::negative_zero_decimal("-0.0", "0.0")]
    #[case::exponent("1e20", "100000000000000000000")]
    #[case::upper_case_exponent("1E2", "100")]
    #[case::signed_exponent("25e-1", "2.5")]
    #[case::decimal_exponent("-1.5E+3", "-1500")]
    #[case::string("\"50.00\"", "50.00")]
    #[case::padded_string("\" -7 \"", "-7")]
    #[case::escaped_string(r#""1\u0030.5""#, "10.5")]
    #[case::escaped_blank_string(r#""\u0020""#, "")]
    fn numbers_and_strings_read_as_before(#[case] json: &str, #[case] expected: &str) {
        let read = read_both_ways(json).unwrap();
        assert_eq!(read, (!expected.is_empty()).then(|| dec(expected)));
    }

    #[rstest]
    #[case::null("null")]
    #[case::empty_string(r#""""#)]
    #[case::blank_string(r#""   ""#)]
    fn absent_amounts_read_as_before(#[case] json: &str) {
        assert_eq!(read_both_ways(json), Ok(None));
    }

    #[rstest]
    #[case::beyond_decimal_range(
        "123456789012345678901234567890",
        "123456789012345678901234567890"
    )]
    #[case::exponent_beyond_decimal_range("1e40", "1e+40")]
    #[case::comma_string(r#""12,50""#, r#""12,50""#)]
    #[case::boolean("true", "true")]
    #[case::array("[1, 2.50]", "[1,2.50]")]
    #[case::empty_array("[]", "[]")]
    #[case::object(r#"{"Amount": 1}"#, r#"{"Amount":1}"#)]
    #[case::empty_object("{}", "{}")]
    #[case::object_whose_first_key_is_the_number_token_then_more(
        r#"{"$serde_json::private::Number": "1", "b": 2}"#,
        ""
    )]
    #[case::number_token_with_text_not_a_number(r#"{"$serde_json::private::Number": " 12"}"#, "")]
    #[case::number_token_with_a_number(r#"{"$serde_json::private::Number": 12}"#, "")]
    #[case::number_token_beyond_range_in_another_spelling(
        r#"{"$serde_json::private::Number": "1E+40"}"#,
        "1e+40"
    )]
    #[case::raw_value_token(r#"{"$serde_json::private::RawValue": "[1]"}"#, "")]
    #[case::cut_short("[1, ", "")]
    fn unreadable_amounts_fail_as_before(#[case] json: &str, #[case] quoted: &str) {
        let error = read_both_ways(json).unwrap_err();
        if !quoted.is_empty() {
            assert!(
                error.starts_with(&format!("Total: {quoted} is not a decimal amount")),
                "{error}"
            );
        }
    }

    #[rstest]
    #[case::canonical_number_token(r#"{"$serde_json::private::Number": "-1.50e+2"}"#, "-150")]
    #[case::number_token_in_another_spelling(r#"{"$serde_json::private::Number": "15E1"}"#, "150")]
    fn the_number_token_read_from_text_reads_as_before(#[case] json: &str, #[case] expected: &str) {
        assert_eq!(read_both_ways(json), Ok(Some(dec(expected))));
    }

    #[rstest]
    #[case::zero("0", true)]
    #[case::integer("120", true)]
    #[case::negative_zero("-0", true)]
    #[case::decimal("-0.50", true)]
    #[case::exponent("5e+02", true)]
    #[case::decimal_exponent("1.25e-7", true)]
    #[case::leading_zero("01", false)]
    #[case::bare_minus("-", false)]
    #[case::plus("+1", false)]
    #[case::no_fraction_digits("1.", false)]
    #[case::no_whole_digits(".5", false)]
    #[case::unsigned_exponent("1e5", false)]
    #[case::upper_case_exponent("1E+5", false)]
    #[case::no_exponent_digits("1e+", false)]
    #[case::padded(" 1", false)]
    #[case::trailing("1 ", false)]
    #[case::empty("", false)]
    fn json_number_text_is_recognised_exactly(#[case] text: &str, #[case] expected: bool) {
        assert_eq!(is_json_number(text), expected);
        if expected {
            assert_eq!(Number::from_str(text).unwrap().as_str(), text);
        }
    }

    #[rstest]
    #[case::integer("151", Some("151"))]
    #[case::two_places("-151.20", Some("-151.20"))]
    #[case::zero_with_scale("0.00", Some("0.00"))]
    #[case::eighteen_digits("123456789.123456789", Some("123456789.123456789"))]
    #[case::nineteen_digits("1234567890.123456789", None)]
    #[case::negative_zero("-0.0", None)]
    #[case::exponent("1e2", None)]
    #[case::two_dots("1.2.3", None)]
    #[case::bare_dot(".", None)]
    fn plain_decimals_take_the_short_way(#[case] text: &str, #[case] expected: Option<&str>) {
        let fast = fast_decimal(text);
        assert_eq!(fast.map(|d| d.serialize()), expected.map(|e| dec(e).serialize()));
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
        fn any_json_number_reads_as_before(
            sign in prop::bool::ANY,
            whole in "0|[1-9][0-9]{0,30}",
            fraction in prop::option::of("[0-9]{1,30}"),
            exponent in prop::option::of("[eE][+-]?[0-9]{1,3}"),
        ) {
            let json = format!(
                "{}{whole}{}{}",
                if sign { "-" } else { "" },
                fraction.map(|f| format!(".{f}")).unwrap_or_default(),
                exponent.unwrap_or_default(),
            );
            let _ = read_both_ways(&json);
        }

        #[test]
        fn any_number_token_text_reads_as_before(text in "[-+0-9.eE ]{0,12}") {
            let json = format!(r#"{{"$serde_json::private::Number": {text:?}}}"#);
            let _ = read_both_ways(&json);
        }

        #[test]
        fn whole_numbers_read_as_their_digits(signed in any::<i64>(), unsigned in any::<u64>()) {
            prop_assert_eq!(read_both_ways(&signed.to_string()), Ok(Some(Decimal::from(signed))));
            prop_assert_eq!(read_both_ways(&unsigned.to_string()), Ok(Some(Decimal::from(unsigned))));
        }

        #[test]
        fn a_plain_decimal_is_read_as_its_general_parser_reads_it(
            text in "-?[0-9]{1,20}(\\.[0-9]{1,20})?",
        ) {
            if let Some(fast) = fast_decimal(&text) {
                prop_assert_eq!(fast.serialize(), Decimal::from_str(&text).unwrap().serialize());
            }
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
