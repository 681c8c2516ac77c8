//! The records reconciliation reads, in lean tables: only the fields the rules read, each
//! table's text in one buffer, repeated words (statuses, currencies, channels, account codes,
//! SKUs, source types) stored once, and every table's lines in one flat vector. A million
//! documents per side take about a fifth of what the same [`Document`]s take whole.
//!
//! Built row by row, by the store straight from its rows ([`Documents::push_document`] then
//! [`Documents::push_line`]) or from model records ([`Documents::push`], `From<Vec<Document>>`);
//! both give equal tables for equal records. Read through borrowed views ([`Doc`],
//! [`Line`], [`Entry`], [`Posting`]) that resolve each field on access.
//!
//! What is dropped: contacts, due dates, tax totals, line descriptions, unit and tax amounts,
//! journal numbers, ledger line descriptions. What is reduced: amounts paid and credited to
//! whether either is positive; a line's quantity and unit cost to whether it ships (quantity
//! above zero) and whether its cost is zero; its item code is kept for shipped lines only.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::keys::KeyMap;
use super::status::{Lifecycle, lifecycle};
use crate::model::{DocType, Document, LedgerEntry};

const NONE: u32 = u32::MAX;

/// Words stored once each, known by their position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Symbols {
    names: Vec<Box<str>>,
    ids: KeyMap<Box<str>, u32>,
}

impl Symbols {
    fn intern(&mut self, text: Option<&str>) -> u32 {
        let Some(text) = text else { return NONE };
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.names.len())
            .ok()
            .filter(|&id| id != NONE)
            .expect("fewer than 4 billion distinct words in one table");
        self.names.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    fn get(&self, id: u32) -> Option<&str> {
        (id != NONE).then(|| &*self.names[id as usize])
    }
}

/// Strings one after the other in one buffer; slot `k` ends at `ends[k]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Texts {
    buf: String,
    ends: Vec<usize>,
}

impl Texts {
    fn push(&mut self, text: &str) {
        self.buf.push_str(text);
        self.ends.push(self.buf.len());
    }

    fn get(&self, slot: usize) -> &str {
        let start = slot.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.buf[start..self.ends[slot]]
    }

    fn shrink(&mut self) {
        self.buf.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

const HAS_NUMBER: u8 = 1;
const HAS_REFERENCE: u8 = 2;
const PAID: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct DocRow {
    total: Option<Decimal>,
    updated_at: Option<DateTime<Utc>>,
    date: Option<NaiveDate>,
    status: u32,
    currency: u32,
    channel: u32,
    first_line: usize,
    doc_type: DocType,
    flags: u8,
}

const HAS_AMOUNT: u8 = 1;
const SHIPS: u8 = 2;
const ZERO_COST: u8 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
struct LineRow {
    amount: Decimal,
    account: u32,
    item: u32,
    flags: u8,
}

/// One connection's documents of one side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Documents {
    rows: Vec<DocRow>,
    lines: Vec<LineRow>,
    /// Three slots per document: external id, number, reference (empty when absent).
    texts: Texts,
    symbols: Symbols,
}

/// A document's fields as a source gives them, to add one to [`Documents`].
#[derive(Debug, Clone, Copy)]
pub struct DocumentFields<'a> {
    pub doc_type: DocType,
    pub external_id: &'a str,
    pub number: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub status: &'a str,
    pub date: Option<NaiveDate>,
    pub currency: Option<&'a str>,
    pub total: Option<Decimal>,
    pub amount_paid: Option<Decimal>,
    pub amount_credited: Option<Decimal>,
    pub updated_at: Option<DateTime<Utc>>,
    pub channel: Option<&'a str>,
}

/// A document line's fields as a source gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LineFields<'a> {
    pub item_code: Option<&'a str>,
    pub quantity: Option<Decimal>,
    pub line_amount: Option<Decimal>,
    pub account_code: Option<&'a str>,
    pub unit_cost: Option<Decimal>,
}

impl Documents {
    /// Adds a document without lines; [`Documents::push_line`] adds its lines.
    pub fn push_document(&mut self, doc: &DocumentFields<'_>) {
        let positive = |a: Option<Decimal>| a.is_some_and(|a| a > Decimal::ZERO);
        let mut flags = 0;
        for (present, flag) in [
            (doc.number.is_some(), HAS_NUMBER),
            (doc.reference.is_some(), HAS_REFERENCE),
            (positive(doc.amount_paid) || positive(doc.amount_credited), PAID),
        ] {
            if present {
                flags |= flag;
            }
        }
        self.texts.push(doc.external_id);
        self.texts.push(doc.number.unwrap_or_default());
        self.texts.push(doc.reference.unwrap_or_default());
        self.rows.push(DocRow {
            total: doc.total,
            updated_at: doc.updated_at,
            date: doc.date,
            status: self.symbols.intern(Some(doc.status)),
            currency: self.symbols.intern(doc.currency),
            channel: self.symbols.intern(doc.channel),
            first_line: self.lines.len(),
            doc_type: doc.doc_type,
            flags,
        });
    }

    /// Adds a line to the document added last.
    pub fn push_line(&mut self, line: &LineFields<'_>) {
        debug_assert!(!self.rows.is_empty(), "a line needs its document first");
        let ships = line.quantity.is_some_and(|q| q > Decimal::ZERO);
        let mut flags = 0;
        for (present, flag) in [
            (line.line_amount.is_some(), HAS_AMOUNT),
            (ships, SHIPS),
            (line.unit_cost.is_some_and(|c| c.is_zero()), ZERO_COST),
        ] {
            if present {
                flags |= flag;
            }
        }
        self.lines.push(LineRow {
            amount: line.line_amount.unwrap_or_default(),
            account: self.symbols.intern(line.account_code),
            item: self.symbols.intern(line.item_code.filter(|_| ships)),
            flags,
        });
    }

    /// Adds a model document and its lines.
    pub fn push(&mut self, doc: &Document) {
        self.push_document(&DocumentFields {
            doc_type: doc.doc_type,
            external_id: &doc.external_id,
            number: doc.number.as_deref(),
            reference: doc.reference.as_deref(),
            status: &doc.status,
            date: doc.date,
            currency: doc.currency.as_deref(),
            total: doc.total,
            amount_paid: doc.amount_paid,
            amount_credited: doc.amount_credited,
            updated_at: doc.updated_at,
            channel: doc.channel.as_deref(),
        });
        for line in &doc.lines {
            self.push_line(&LineFields {
                item_code: line.item_code.as_deref(),
                quantity: line.quantity,
                line_amount: line.line_amount,
                account_code: line.account_code.as_deref(),
                unit_cost: line.unit_cost,
            });
        }
    }

    /// Gives back the spare capacity of a table that is complete.
    pub fn shrink_to_fit(&mut self) {
        self.rows.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.texts.shrink();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `index`th document. Panics past the end, as slices do.
    pub fn get(&self, index: usize) -> Doc<'_> {
        let row = &self.rows[index];
        let text = |k: usize, flag: u8| {
            (k == 0 || row.flags & flag != 0).then(|| self.texts.get(3 * index + k))
        };
        let end = self.rows.get(index + 1).map_or(self.lines.len(), |next| next.first_line);
        Doc {
            doc_type: row.doc_type,
            external_id: text(0, 0).unwrap_or_default(),
            number: text(1, HAS_NUMBER),
            reference: text(2, HAS_REFERENCE),
            status: self.symbols.get(row.status).unwrap_or_default(),
            date: row.date,
            currency: self.symbols.get(row.currency),
            total: row.total,
            paid: row.flags & PAID != 0,
            updated_at: row.updated_at,
            channel: self.symbols.get(row.channel),
            table: self,
            lines: row.first_line..end,
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Doc<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl From<Vec<Document>> for Documents {
    fn from(docs: Vec<Document>) -> Self {
        docs.iter().collect()
    }
}

impl<'a> FromIterator<&'a Document> for Documents {
    fn from_iter<I: IntoIterator<Item = &'a Document>>(docs: I) -> Self {
        let mut table = Self::default();
        for doc in docs {
            table.push(doc);
        }
        table
    }
}

/// One document, as the rules read it.
#[derive(Debug, Clone)]
pub struct Doc<'a> {
    pub doc_type: DocType,
    pub external_id: &'a str,
    pub number: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub status: &'a str,
    pub date: Option<NaiveDate>,
    pub currency: Option<&'a str>,
    pub total: Option<Decimal>,
    /// Xero has a payment or credit applied to it (amount paid or credited above zero).
    pub paid: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub channel: Option<&'a str>,
    table: &'a Documents,
    lines: std::ops::Range<usize>,
}

impl<'a> Doc<'a> {
    pub fn lines(&self) -> impl ExactSizeIterator<Item = Line<'a>> + Clone + use<'a> {
        let table = self.table;
        table.lines[self.lines.clone()].iter().map(move |row| Line {
            account_code: table.symbols.get(row.account),
            line_amount: (row.flags & HAS_AMOUNT != 0).then_some(row.amount),
            ships: row.flags & SHIPS != 0,
            zero_cost: row.flags & ZERO_COST != 0,
            shipped_item: table.symbols.get(row.item),
        })
    }

    pub(crate) fn life(&self) -> Lifecycle {
        lifecycle(self.status)
    }
}

/// One document line, as the rules read it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub account_code: Option<&'a str>,
    /// Signed, debit positive, on manual journals.
    pub line_amount: Option<Decimal>,
    /// Its quantity is above zero.
    pub ships: bool,
    /// Its unit cost is given and zero.
    pub zero_cost: bool,
    /// Its item code, on lines that ship.
    pub shipped_item: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct EntryRow {
    first_line: usize,
    source_type: u32,
    has_reference: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct PostingRow {
    amount: Decimal,
    date: NaiveDate,
    line_no: u32,
    account: u32,
}

/// Ledger entries (one journal or one Cin7 transaction each) and their lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entries {
    rows: Vec<EntryRow>,
    lines: Vec<PostingRow>,
    /// Two slots per entry: source id, reference (empty when absent).
    texts: Texts,
    symbols: Symbols,
}

impl Entries {
    /// Adds an entry without lines; [`Entries::push_line`] adds its lines.
    pub fn push_entry(
        &mut self,
        source_id: &str,
        source_type: Option<&str>,
        reference: Option<&str>,
    ) {
        self.texts.push(source_id);
        self.texts.push(reference.unwrap_or_default());
        self.rows.push(EntryRow {
            first_line: self.lines.len(),
            source_type: self.symbols.intern(source_type),
            has_reference: reference.is_some(),
        });
    }

    /// Adds a line to the entry added last.
    pub fn push_line(
        &mut self,
        line_no: u32,
        date: NaiveDate,
        account_code: &str,
        amount: Decimal,
    ) {
        debug_assert!(!self.rows.is_empty(), "a line needs its entry first");
        let account = self.symbols.intern(Some(account_code));
        self.lines.push(PostingRow { amount, date, line_no, account });
    }

    /// Adds a model entry and its lines.
    pub fn push(&mut self, entry: &LedgerEntry) {
        self.push_entry(&entry.source_id, entry.source_type.as_deref(), entry.reference.as_deref());
        for line in &entry.lines {
            self.push_line(line.line_no, line.date, &line.account_code, line.amount);
        }
    }

    /// Gives back the spare capacity of a table that is complete.
    pub fn shrink_to_fit(&mut self) {
        self.rows.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.texts.shrink();
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The `index`th entry. Panics past the end, as slices do.
    pub fn get(&self, index: usize) -> Entry<'_> {
        let row = &self.rows[index];
        let end = self.rows.get(index + 1).map_or(self.lines.len(), |next| next.first_line);
        Entry {
            source_id: self.texts.get(2 * index),
            source_type: self.symbols.get(row.source_type),
            reference: row.has_reference.then(|| self.texts.get(2 * index + 1)),
            table: self,
            lines: row.first_line..end,
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Entry<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl From<Vec<LedgerEntry>> for Entries {
    fn from(entries: Vec<LedgerEntry>) -> Self {
        entries.iter().collect()
    }
}

impl<'a> FromIterator<&'a LedgerEntry> for Entries {
    fn from_iter<I: IntoIterator<Item = &'a LedgerEntry>>(entries: I) -> Self {
        let mut table = Self::default();
        for entry in entries {
            table.push(entry);
        }
        table
    }
}

/// One ledger entry, as the rules read it.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// Xero `JournalID`; Cin7 task id plus a discriminator.
    pub source_id: &'a str,
    /// Xero `SourceType`; Cin7 `Type` (Sale, Purchase…).
    pub source_type: Option<&'a str>,
    pub reference: Option<&'a str>,
    table: &'a Entries,
    lines: std::ops::Range<usize>,
}

impl<'a> Entry<'a> {
    pub fn lines(&self) -> impl ExactSizeIterator<Item = Posting<'a>> + Clone + use<'a> {
        let table = self.table;
        table.lines[self.lines.clone()].iter().map(move |row| Posting {
            line_no: row.line_no,
            date: row.date,
            account_code: table.symbols.get(row.account).unwrap_or_default(),
            amount: row.amount,
        })
    }

    pub fn has_lines(&self) -> bool {
        !self.lines.is_empty()
    }
}

/// One ledger line: one account, debit positive, credit negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting<'a> {
    pub line_no: u32,
    pub date: NaiveDate,
    pub account_code: &'a str,
    pub amount: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentLine, LedgerLine};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 2, d).unwrap()
    }

    #[test]
    fn a_document_reads_back_the_fields_reconciliation_uses() {
        let doc = Document {
            doc_type: DocType::SalesInvoice,
            external_id: "x-1".into(),
            number: Some("INV-1".into()),
            reference: None,
            contact: Some("Customer".into()),
            status: "PAID".into(),
            date: Some(day(2)),
            due_date: None,
            currency: Some("AUD".into()),
            total: Some(Decimal::new(11000, 2)),
            tax_total: None,
            amount_paid: Some(Decimal::ZERO),
            amount_credited: Some(Decimal::ONE),
            updated_at: None,
            channel: Some("Shopify".into()),
            lines: vec![
                DocumentLine {
                    item_code: Some("W-1".into()),
                    quantity: Some(Decimal::TWO),
                    unit_cost: Some(Decimal::ZERO),
                    account_code: Some("200".into()),
                    line_amount: Some(Decimal::new(-5, 0)),
                    ..DocumentLine::default()
                },
                DocumentLine {
                    item_code: Some("W-2".into()),
                    quantity: Some(Decimal::ZERO),
                    ..DocumentLine::default()
                },
            ],
        };
        let empty = Document {
            external_id: "x-2".into(),
            number: Some(String::new()),
            lines: vec![],
            ..doc.clone()
        };
        let table = Documents::from(vec![doc, empty]);
        let first = table.get(0);
        assert_eq!(
            (first.external_id, first.number, first.reference),
            ("x-1", Some("INV-1"), None)
        );
        assert_eq!(
            (first.status, first.currency, first.channel),
            ("PAID", Some("AUD"), Some("Shopify"))
        );
        assert!(first.paid, "credited above zero");
        let lines: Vec<Line<'_>> = first.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].account_code, Some("200"));
        assert_eq!(lines[0].line_amount, Some(Decimal::new(-5, 0)));
        assert!(lines[0].ships && lines[0].zero_cost);
        assert_eq!(lines[0].shipped_item, Some("W-1"));
        assert!(!lines[1].ships && !lines[1].zero_cost && lines[1].line_amount.is_none());
        assert_eq!(lines[1].shipped_item, None, "an item that does not ship is not kept");
        let second = table.get(1);
        assert_eq!((second.external_id, second.number), ("x-2", Some("")), "empty is not absent");
        assert_eq!(second.lines().len(), 0);
    }

    #[test]
    fn an_entry_reads_back_its_lines_in_order() {
        let line = |line_no, account: &str, amount| LedgerLine {
            line_no,
            date: day(3),
            account_code: account.into(),
            amount: Decimal::new(amount, 0),
            description: Some("dropped".into()),
        };
        let entries = vec![
            LedgerEntry {
                source_id: "t-1".into(),
                journal_number: Some(4),
                source_type: Some("Sale".into()),
                reference: Some("INV-1".into()),
                lines: vec![line(0, "310", 5), line(1, "630", -5)],
            },
            LedgerEntry {
                source_id: "t-2".into(),
                journal_number: None,
                source_type: None,
                reference: None,
                lines: vec![],
            },
        ];
        let table = Entries::from(entries);
        let first = table.get(0);
        assert_eq!(
            (first.source_id, first.source_type, first.reference),
            ("t-1", Some("Sale"), Some("INV-1"))
        );
        let accounts: Vec<(&str, Decimal)> =
            first.lines().map(|l| (l.account_code, l.amount)).collect();
        assert_eq!(accounts, [("310", Decimal::new(5, 0)), ("630", Decimal::new(-5, 0))]);
        let second = table.get(1);
        assert_eq!((second.source_id, second.reference, second.has_lines()), ("t-2", None, false));
    }
}
