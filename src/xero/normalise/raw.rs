//! The sync's path through a response page: no `serde_json::Value` tree.
//!
//! [`raw_records`] reads a page once, keeping each record as the JSON text Xero sent (a
//! [`RawValue`] borrowed from the body: stored as is, hashed as is, never re-serialised), and
//! [`normalise_raw`] reads one record's text straight into its serde model.
//!
//! Same results and errors as [`super::records`] and [`super::normalise`]:
//! - a body that is not JSON is [`PageError::NotJson`]; a body without an array under the
//!   endpoint's collection key (not an object, no such key, not an array; the last of
//!   duplicate keys counts, as in a `Value`) is [`NormaliseError::MissingCollection`];
//! - a record the direct read refuses (not an object, a field of the wrong type, an unreadable
//!   amount, a duplicate key…) is read again through a `Value` by [`super::normalise`], so
//!   its error is exactly that path's error (and a record only that path accepts, such as one
//!   with a duplicate key, is accepted as before).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Endpoint, NormaliseError, RecordRef, documents, ledger, non_empty, normalise};
use crate::model::Record;
use crate::xero::models;

/// Why a response page's records could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// The body is not JSON (cut short, an HTML error page…).
    #[error("{0}")]
    NotJson(serde_json::Error),
    /// JSON, but without the records array ([`NormaliseError::MissingCollection`]).
    #[error(transparent)]
    Shape(NormaliseError),
}

/// The records of one response page, each as the JSON text it was sent as.
pub fn raw_records(endpoint: Endpoint, body: &[u8]) -> Result<Vec<&RawValue>, PageError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let found = Collection { key: endpoint.collection_key() }
        .deserialize(&mut deserializer)
        .and_then(|found| deserializer.end().map(|()| found))
        .map_err(PageError::NotJson)?;
    found.ok_or(PageError::Shape(NormaliseError::MissingCollection { endpoint }))
}

/// Normalises one record of `endpoint` from its JSON text (one element of [`raw_records`]).
pub fn normalise_raw(endpoint: Endpoint, raw: &RawValue) -> Result<Record, NormaliseError> {
    let direct = match endpoint {
        Endpoint::Invoices => {
            direct(endpoint, raw, |m: &models::Invoice| &m.invoice_id, documents::invoice)
        }
        Endpoint::CreditNotes => direct(
            endpoint,
            raw,
            |m: &models::CreditNote| &m.credit_note_id,
            documents::credit_note,
        ),
        Endpoint::Payments => {
            direct(endpoint, raw, |m: &models::Payment| &m.payment_id, documents::payment)
        }
        Endpoint::ManualJournals => direct(
            endpoint,
            raw,
            |m: &models::ManualJournal| &m.manual_journal_id,
            documents::manual_journal,
        ),
        Endpoint::BankTransactions => direct(
            endpoint,
            raw,
            |m: &models::BankTransaction| &m.bank_transaction_id,
            documents::bank_transaction,
        ),
        Endpoint::Journals => {
            direct(endpoint, raw, |m: &models::Journal| &m.journal_id, ledger::journal)
        }
        Endpoint::Accounts => {
            direct(endpoint, raw, |m: &models::Account| &m.account_id, ledger::account)
        }
        Endpoint::Organisation => direct(
            endpoint,
            raw,
            |m: &models::Organisation| &m.organisation_id,
            ledger::organisation,
        ),
        Endpoint::TrackingCategories => direct(
            endpoint,
            raw,
            |m: &models::TrackingCategory| &m.tracking_category_id,
            ledger::tracking_category,
        ),
    };
    direct.unwrap_or_else(|| through_value(endpoint, raw))
}

/// The record read straight into its model `T`, then normalised by `build`; `None` when the
/// direct read refuses it (the caller then takes the `Value` path for its error).
fn direct<'a, T: Deserialize<'a>>(
    endpoint: Endpoint,
    raw: &'a RawValue,
    id: fn(&T) -> &Option<String>,
    build: fn(&RecordRef, T) -> Result<Record, NormaliseError>,
) -> Option<Result<Record, NormaliseError>> {
    // Serde also reads a struct from an array; only an object is a record here.
    if !raw.get().trim_start().starts_with('{') {
        return None;
    }
    let model: T = serde_json::from_str(raw.get()).ok()?;
    let record =
        RecordRef { endpoint, id: id(&model).as_deref().and_then(non_empty).map(str::to_owned) };
    Some(build(&record, model))
}

/// The `Value` path ([`normalise`]), for records the direct read refused.
fn through_value(endpoint: Endpoint, raw: &RawValue) -> Result<Record, NormaliseError> {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(value) => normalise(endpoint, &value),
        Err(source) => {
            Err(NormaliseError::Shape { record: RecordRef { endpoint, id: None }, source })
        }
    }
}

/// Finds the array under `key` in a page, skipping everything else unread.
struct Collection {
    key: &'static str,
}

impl<'de> DeserializeSeed<'de> for Collection {
    type Value = Option<Vec<&'de RawValue>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// A visitor's methods for every JSON scalar (null, booleans, numbers, strings): `Ok(None)`,
/// "not what was looked for".
macro_rules! scalars_are_none {
    () => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }
    };
}

impl<'de> Visitor<'de> for Collection {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(is_collection) = map.next_key_seed(KeyIs(self.key))? {
            if is_collection {
                // The last of duplicate keys counts, as in a `Value`.
                found = map.next_value_seed(Records)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    scalars_are_none!();
}

/// Whether an object key is the expected one.
struct KeyIs(&'static str);

impl<'de> DeserializeSeed<'de> for KeyIs {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeyIs {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// The value under the collection key: its elements' text if it is an array, else `None`.
struct Records;

impl<'de> DeserializeSeed<'de> for Records {
    type Value = Option<Vec<&'de RawValue>>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records {
    type Value = Option<Vec<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(record) = seq.next_element::<&'de RawValue>()? {
            records.push(record);
        }
        Ok(Some(records))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    scalars_are_none!();
}
