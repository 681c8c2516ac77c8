//! Normalising the recorded responses in `wiremock-fixtures/cin7/core/` (read at test time),
//! Cin7's field spellings as named cases, and the rejection of unreadable parts.

mod documents;
mod fields;
mod lists;
mod tasks;

use std::path::Path;

use rust_decimal::Decimal;
use serde_json::Value;

use super::{Detail, Endpoint};
use crate::model::{Document, LedgerEntry, Payload, Record};

/// A fixture file, parsed.
fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/cin7/core").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// A fixture detail, normalised; every part must be readable.
fn detail(endpoint: Endpoint, name: &str) -> Detail {
    let detail = super::detail(endpoint, &fixture(name), None);
    assert!(detail.rejected.is_empty(), "{name}: {:?}", detail.rejected);
    detail
}

fn documents(detail: &Detail) -> Vec<&Document> {
    detail
        .records
        .iter()
        .filter_map(|(record, _)| match &record.payload {
            Payload::Document(document) => {
                assert_eq!(record.external_id, document.external_id);
                Some(document)
            }
            _ => None,
        })
        .collect()
}

fn ledger(detail: &Detail) -> &LedgerEntry {
    let mut entries = detail.records.iter().filter_map(|(record, _)| match &record.payload {
        Payload::Ledger(entry) => {
            assert_eq!(record.external_id, entry.source_id);
            Some(entry)
        }
        _ => None,
    });
    let entry = entries.next().expect("a ledger entry");
    assert!(entries.next().is_none(), "one ledger entry per detail");
    entry
}

/// `(account, amount)` of every line, in order.
fn postings(entry: &LedgerEntry) -> Vec<(&str, Decimal)> {
    entry.lines.iter().map(|line| (line.account_code.as_str(), line.amount)).collect()
}

fn entry<'d>(detail: &'d Detail, id: &str) -> &'d (Record, String) {
    detail
        .records
        .iter()
        .find(|(record, _)| record.external_id == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

fn raw_of<'d>(detail: &'d Detail, id: &str) -> &'d str {
    &entry(detail, id).1
}

fn record<'d>(detail: &'d Detail, id: &str) -> &'d Record {
    &entry(detail, id).0
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}
