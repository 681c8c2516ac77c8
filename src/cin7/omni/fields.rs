//! Reading Omni's JSON objects field by field, whatever the case of their names: the API
//! answers in `camelCase` (`invoiceDate`), its help pages and some accounts' responses use
//! `PascalCase` (`InvoiceDate`), ids appear as `id`, `Id` or `ID`. An exact match wins, else
//! the first name equal ignoring ASCII case.
//!
//! Values: text fields may be strings or numbers (`invoiceNumber` is a number, a supplier
//! reference a string); amounts are exact ([`crate::amount`]); dates use Cin7's ISO spellings
//! (shared with Core: [`crate::cin7::core::normalise::parse_date`]). Empty text is absent.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::cin7::core::normalise::{parse_date, parse_instant};

/// A field whose value cxsync cannot read; the message names it and quotes the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

/// One JSON object, read by field name in any case.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// `None` unless `value` is an object.
    pub(super) fn of(value: &'a Value) -> Option<Self> {
        value.as_object().map(|map| Self { map })
    }

    /// The value of `name` in any case; `null` is absent.
    pub(super) fn get(self, name: &str) -> Option<&'a Value> {
        self.map
            .get(name)
            .or_else(|| {
                self.map.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v)
            })
            .filter(|value| !value.is_null())
    }

    fn error(name: &str, detail: impl Into<String>) -> FieldError {
        FieldError { field: name.into(), detail: detail.into() }
    }

    /// A string or number as text; blank is absent.
    pub(super) fn text(self, name: &str) -> Result<Option<String>, FieldError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => Ok((!text.trim().is_empty()).then(|| text.trim().into())),
            Some(Value::Number(number)) => Ok(Some(number.to_string())),
            Some(other) => Err(Self::error(name, format!("{other} is not text"))),
        }
    }

    /// An exact amount.
    pub(super) fn amount(self, name: &str) -> Result<Option<Decimal>, FieldError> {
        self.get(name).map_or(Ok(None), |value| {
            crate::amount::value_to_decimal(value).map_err(|err| Self::error(name, err.to_string()))
        })
    }

    /// A boolean; absent is `false`.
    pub(super) fn flag(self, name: &str) -> Result<bool, FieldError> {
        match self.get(name) {
            None => Ok(false),
            Some(Value::Bool(flag)) => Ok(*flag),
            Some(other) => Err(Self::error(name, format!("{other} is not true or false"))),
        }
    }

    /// A calendar date, as written.
    pub(super) fn date(self, name: &str) -> Result<Option<NaiveDate>, FieldError> {
        self.text(name)?
            .map(|text| parse_date(&text).map_err(|err| Self::error(name, err.to_string())))
            .transpose()
    }

    /// An instant (UTC when no offset is written).
    pub(super) fn instant(self, name: &str) -> Result<Option<DateTime<Utc>>, FieldError> {
        self.text(name)?
            .map(|text| parse_instant(&text).map_err(|err| Self::error(name, err.to_string())))
            .transpose()
    }

    /// A nested object.
    pub(super) fn object(self, name: &str) -> Option<Fields<'a>> {
        self.get(name).and_then(Fields::of)
    }

    /// The elements of an array field; absent or `null` is empty.
    pub(super) fn array(self, name: &str) -> Result<&'a [Value], FieldError> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(Self::error(name, format!("{other} is not a list"))),
        }
    }
}
