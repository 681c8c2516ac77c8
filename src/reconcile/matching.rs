//! Pairs Cin7 records with their Xero copies, as DESIGN.md's "Matching" says, in linear time
//! (hash maps, one pass per method):
//!
//! 1. Sale invoices and credit notes: Cin7 number = Xero `InvoiceNumber` / `CreditNoteNumber`,
//!    same document type.
//! 2. Purchase invoices and credit notes: the Cin7 invoice number against the Xero bill's
//!    number, then its reference; then, for those left once every document had its chance,
//!    a Xero bill whose number combines the Cin7 number with the Cin7 reference (the purchase
//!    order), in either order and with any separator (Cin7 Omni's unique bill reference,
//!    `SUP-8812 PO-12`), when exactly one live bill does.
//! 3. Stock journals (Cin7 stock adjustments, transfers, assemblies, and Cin7 ledger entries
//!    that no Cin7 document stands for) against Xero manual journals: the Cin7 `TaskID` found in
//!    the narration, then the Cin7 number or reference found in it; and only once every record
//!    had its chance at those, the same (date, account, amount) set of lines.
//!
//! 4. Payments and refunds, once every document is matched: the paid document, the date and
//!    the amount; then, for those left, the paid document and date alone (a payment whose
//!    amount was edited on one side still pairs, and the difference is reported). A Cin7
//!    payment names the Cin7 number of what it pays, a Xero payment the Xero number, which
//!    for a bill matched by its reference is another: the Cin7 number is read through the
//!    document's match.
//!
//!    A Cin7 ledger entry that stands for a journal updated in place once a month (source type
//!    [`MONTHLY_JOURNAL`]: Cin7 Omni's COGS journal, whose Xero date and narration are not
//!    documented) and is still unmatched then pairs with a live unmatched Xero manual journal
//!    dated in the same month that posts to exactly the same accounts in the same directions
//!    (debit or credit); one whose narration names COGS first, then the closest amount. Its
//!    amount is then compared like any pair's.
//!
//! 5. Document types Cin7 consolidates on export (per connection, `Settings::consolidated`):
//!    the live Cin7 documents of that type left unmatched, grouped by date and currency,
//!    against the live unmatched Xero documents of the same type, date and currency. The whole
//!    group is one match; its totals are compared as sums.
//!
//! A Xero document is used at most once. Where several share a key, a live one is preferred
//! to a voided one (Xero keeps the voided copy when a document is voided and pushed again),
//! then the earlier in the input.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::collections::hash_map::Entry as Slot;
use std::hash::Hash;

use chrono::{Datelike as _, NaiveDate};
use rust_decimal::Decimal;

use super::keys::{
    KeyMap, KeySet, account_code, key, key_ref, signature, single_token, tokens, words,
};
use super::records::{Doc, Documents, Entries, Entry};
use super::status::Lifecycle;
use super::{ReconcileInput, Settings};
use crate::model::{DOCUMENT_POSTINGS, DocType, MONTHLY_JOURNAL, derived_document_id};

/// How a Cin7 record was paired with its Xero copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchMethod {
    /// Same document type and number.
    DocumentNumber,
    /// The Cin7 purchase invoice number is the Xero bill's reference.
    PurchaseInvoiceReference,
    /// The Xero bill's number combines the Cin7 purchase invoice number with its purchase
    /// order's reference (Cin7 Omni's unique bill reference).
    CombinedNumber,
    /// The Cin7 `TaskID` appears in the manual journal's narration.
    TaskIdInNarration,
    /// The Cin7 number or reference appears in the manual journal's narration.
    ReferenceInNarration,
    /// The same set of (date, account, amount) lines.
    DateAccountAmount,
    /// Consolidated on export: the same type, date and currency, compared by sum.
    ConsolidatedSum,
    /// A payment or refund: the same paid document and date (and amount, where it can).
    PaidDocument,
    /// A monthly journal (Cin7 Omni's COGS): the same month and the same accounts, debited
    /// and credited the same way.
    MonthAndAccounts,
}

impl MatchMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DocumentNumber => "document_number",
            Self::PurchaseInvoiceReference => "purchase_invoice_reference",
            Self::CombinedNumber => "combined_number",
            Self::TaskIdInNarration => "task_id_in_narration",
            Self::ReferenceInNarration => "reference_in_narration",
            Self::DateAccountAmount => "date_account_amount",
            Self::ConsolidatedSum => "consolidated_sum",
            Self::PaidDocument => "paid_document",
            Self::MonthAndAccounts => "month_and_accounts",
        }
    }
}

/// One Cin7 record and its Xero copy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Match {
    /// The Cin7 document's external id (`TaskID`), or the Cin7 ledger entry's source id.
    pub cin7_id: String,
    /// The Xero document's external id.
    pub xero_id: String,
    pub method: MatchMethod,
}

/// A Cin7 record by position in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cin7Item {
    Document(usize),
    Ledger(usize),
}

/// What a Cin7 ledger entry is expected to be in Xero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LedgerRole {
    /// A Cin7 stock document of the same task stands for it, or the Cin7 document it was
    /// derived from ([`DOCUMENT_POSTINGS`]).
    Represented,
    /// Matched a Xero manual journal.
    Matched,
    /// Unmatched, but it belongs to a Cin7 invoice or credit note: it may be that document's
    /// own posting (the Xero invoice), so it is not expected as a journal.
    Unexpected,
    /// Unmatched stock journal: Xero should have it.
    Missing,
}

#[derive(Debug)]
pub(crate) struct Pair {
    pub cin7: Cin7Item,
    pub xero: usize,
    pub method: MatchMethod,
}

/// Cin7 documents consolidated into Xero documents: one type, date and currency.
#[derive(Debug)]
pub(crate) struct Consolidation {
    pub doc_type: DocType,
    pub date: NaiveDate,
    pub currency: Option<String>,
    pub cin7: Vec<usize>,
    pub xero: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Matching {
    pub pairs: Vec<Pair>,
    pub groups: Vec<Consolidation>,
    pub cin7_document_matched: Vec<bool>,
    pub ledger: Vec<LedgerRole>,
    pub xero_matched: Vec<bool>,
    /// (Cin7 document, Cin7 ledger entry) for every entry a stock document stands for, or that
    /// was derived from the document ([`LedgerRole::Represented`]), sorted.
    pub stock_postings: Vec<(usize, usize)>,
}

impl Matching {
    /// The Cin7 ledger entries Cin7 stock document `doc` stands for.
    pub(crate) fn postings_of(&self, doc: usize) -> impl Iterator<Item = usize> + '_ {
        let start = self.stock_postings.partition_point(|&(d, _)| d < doc);
        self.stock_postings[start..].iter().take_while(move |&&(d, _)| d == doc).map(|&(_, e)| e)
    }
}

pub(crate) fn is_stock_type(doc_type: DocType) -> bool {
    matches!(doc_type, DocType::StockAdjustment | DocType::StockTransfer | DocType::Assembly)
}

pub(crate) fn is_invoice_type(doc_type: DocType) -> bool {
    matches!(
        doc_type,
        DocType::SalesInvoice
            | DocType::SalesCreditNote
            | DocType::PurchaseInvoice
            | DocType::PurchaseCreditNote
    )
}

fn is_purchase(doc_type: DocType) -> bool {
    matches!(doc_type, DocType::PurchaseInvoice | DocType::PurchaseCreditNote)
}

/// Xero documents under one key each, live ones first. Each key keeps a cursor past the
/// candidates already taken (taken is never undone), so a key shared by many documents costs
/// linear time overall, not quadratic. Most keys have one candidate, held inline: a pool of a
/// million keys makes no million small lists to fill and free.
struct Pool<K>(KeyMap<K, Candidates>);

struct Candidates {
    first: usize,
    more: Vec<usize>,
    cursor: usize,
}

impl Candidates {
    fn get(&self, k: usize) -> Option<usize> {
        match k {
            0 => Some(self.first),
            _ => self.more.get(k - 1).copied(),
        }
    }
}

impl<K> Default for Pool<K> {
    fn default() -> Self {
        Self(KeyMap::default())
    }
}

impl<K: Hash + Eq> Pool<K> {
    fn add(&mut self, key: K, index: usize) {
        match self.0.entry(key) {
            Slot::Occupied(mut slot) => slot.get_mut().more.push(index),
            Slot::Vacant(slot) => {
                slot.insert(Candidates { first: index, more: Vec::new(), cursor: 0 });
            }
        }
    }

    fn sort(&mut self, xero: &Documents) {
        for candidates in self.0.values_mut().filter(|c| !c.more.is_empty()) {
            let mut all = Vec::with_capacity(candidates.more.len() + 1);
            all.push(candidates.first);
            all.append(&mut candidates.more);
            all.sort_by_key(|&i| (xero.get(i).life() == Lifecycle::Voided, i));
            all.dedup();
            candidates.first = all.remove(0);
            candidates.more = all;
        }
    }

    fn take<Q>(&mut self, key: &Q, taken: &mut [bool]) -> Option<usize>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let candidates = self.0.get_mut(key)?;
        while let Some(i) = candidates.get(candidates.cursor) {
            candidates.cursor += 1;
            if !taken[i] {
                taken[i] = true;
                return Some(i);
            }
        }
        None
    }
}

fn has_digit(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

/// A number's key with its document type: numbers match within one type.
type Typed<'a> = (DocType, Cow<'a, str>);

fn typed(doc_type: DocType, text: &str) -> Option<Typed<'_>> {
    key_ref(text).map(|k| (doc_type, k))
}

#[derive(Default)]
struct Pools<'a> {
    number: Pool<Typed<'a>>,
    reference: Pool<Typed<'a>>,
    narration: Pool<String>,
    lines: Pool<String>,
    /// Payments by paid document, date and amount.
    payment: Pool<String>,
    /// Payments by paid document and date.
    payment_day: Pool<String>,
}

/// A payment's keys, given the key of the document it pays: (paid document, date, amount)
/// where it has an amount, and (paid document, date). `None` without a date.
fn payment_keys(doc: &Doc<'_>, paid: &str) -> Option<(Option<String>, String)> {
    let day = format!("{paid}|{}", doc.date?);
    Some((doc.total.map(|total| format!("{day}|{}", total.normalize())), day))
}

/// The Xero number of every matched Cin7 invoice or credit note a Cin7 payment pays, by its
/// Cin7 number (a consolidated one's is the day's Xero document, where there is one). Only
/// those: the payments look up nothing else, and a million invoices' numbers are a map of
/// two million strings.
fn xero_numbers(
    cin7: &Documents,
    xero: &Documents,
    pairs: &[Pair],
    groups: &[Consolidation],
) -> KeyMap<String, String> {
    let paid: KeySet<String> = (cin7.iter())
        .filter(|doc| doc.doc_type == DocType::Payment)
        .filter_map(|doc| doc.reference.and_then(key))
        .collect();
    let paired = pairs.iter().filter_map(|pair| match pair.cin7 {
        Cin7Item::Document(i) => Some((i, pair.xero)),
        Cin7Item::Ledger(_) => None,
    });
    let grouped = groups.iter().filter_map(|g| match g.xero.as_slice() {
        [x] => Some(g.cin7.iter().map(move |&i| (i, *x))),
        _ => None,
    });
    paired
        .chain(grouped.flatten())
        .filter(|&(i, _)| is_invoice_type(cin7.get(i).doc_type))
        .filter_map(|(i, x)| {
            let ours = cin7.get(i).number.and_then(key).filter(|k| paid.contains(k))?;
            Some((ours, xero.get(x).number.and_then(key)?))
        })
        .collect()
}

fn journal_signature(doc: &Doc<'_>) -> Option<String> {
    let date = doc.date?;
    signature(doc.lines().filter_map(|line| Some((date, line.account_code?, line.line_amount?))))
}

fn ledger_signature(entry: &Entry<'_>) -> Option<String> {
    signature(entry.lines().map(|l| (l.date, l.account_code, l.amount)))
}

fn pools(xero: &Documents) -> Pools<'_> {
    let mut pools = Pools::default();
    for (i, doc) in xero.iter().enumerate() {
        if is_invoice_type(doc.doc_type) {
            if let Some(k) = doc.number.and_then(|n| typed(doc.doc_type, n)) {
                pools.number.add(k, i);
            }
            if is_purchase(doc.doc_type)
                && let Some(k) = doc.reference.and_then(|r| typed(doc.doc_type, r))
            {
                pools.reference.add(k, i);
            }
        } else if doc.doc_type == DocType::ManualJournal {
            let words = doc.reference.map(tokens).into_iter().flatten();
            // Only words with a digit can be an id or a number; "Stock", "adjustment" cannot.
            for word in words.filter(|w| has_digit(w)) {
                pools.narration.add(word, i);
            }
            if let Some(sig) = journal_signature(&doc) {
                pools.lines.add(sig, i);
            }
        } else if doc.doc_type == DocType::Payment
            && let Some(paid) = doc.reference.and_then(key)
            && let Some((exact, day)) = payment_keys(&doc, &paid)
        {
            if let Some(exact) = exact {
                pools.payment.add(exact, i);
            }
            pools.payment_day.add(day, i);
        }
    }
    pools.number.sort(xero);
    pools.reference.sort(xero);
    for pool in [&mut pools.narration, &mut pools.lines, &mut pools.payment, &mut pools.payment_day]
    {
        pool.sort(xero);
    }
    pools
}

/// The words of a ledger entry's source id long enough to be a task id (not a discriminator).
/// A stored feed row's id is one token (`transactions/{TaskID}/{date}/{hash}.{n}`) on purpose:
/// a task has several feed rows (a purchase's receipt, invoice and accrual postings), so its
/// `TaskID` would pair the first of them with whichever journal names the task; they pair by
/// their reference or their lines instead.
fn ledger_ids<'a>(entry: &Entry<'a>) -> impl Iterator<Item = String> + 'a {
    let id = entry.source_id;
    key(id).into_iter().chain(tokens(id).filter(|w| w.len() >= 8))
}

/// Pairs every Cin7 record it can with a Xero document; documents of the `consolidated`
/// types left over are then matched in groups.
///
/// The Xero pools and the Cin7 ledger entries' roles (which stock document stands for each)
/// read nothing of each other: they are built in two threads.
pub(crate) fn match_records(input: &ReconcileInput, settings: &Settings) -> Matching {
    let (cin7, ledger, xero) = (&input.cin7_documents, &input.cin7_ledger, &input.xero_documents);
    let (pools, (roles, stock_postings)) = std::thread::scope(|scope| {
        let pools = scope.spawn(|| pools(xero));
        let roles = ledger_roles(cin7, ledger);
        let pools = pools.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (pools, roles)
    });
    let mut run = Run {
        pools,
        taken: vec![false; xero.len()],
        pairs: Vec::new(),
        doc_matched: vec![false; cin7.len()],
        roles,
    };
    // Every record has its chance at ids and numbers before any is matched by its lines.
    for (i, doc) in cin7.iter().enumerate() {
        run.document_by_id(i, &doc);
    }
    for (i, entry) in ledger.iter().enumerate() {
        run.ledger_by_id(i, &entry);
    }
    combined_numbers(cin7, xero, &mut run);
    let mut groups = consolidate(cin7, xero, settings, &mut run, |t| t != DocType::Payment);
    let numbers = xero_numbers(cin7, xero, &run.pairs, &groups);
    run.payments(cin7, &numbers, !settings.consolidated.contains(&DocType::Payment));
    drop(numbers);
    groups.extend(consolidate(cin7, xero, settings, &mut run, |t| t == DocType::Payment));
    for (i, doc) in cin7.iter().enumerate() {
        if !run.doc_matched[i] && is_stock_type(doc.doc_type) {
            let sig = journal_signature(&doc);
            run.by_lines(sig.as_deref(), Cin7Item::Document(i));
        }
    }
    let mut unmatched = Vec::new();
    for (i, entry) in ledger.iter().enumerate() {
        if run.roles[i] != LedgerRole::Missing {
            continue;
        }
        let sig = ledger_signature(&entry);
        if !run.by_lines(sig.as_deref(), Cin7Item::Ledger(i)) {
            unmatched.push(i);
        }
    }
    // The pools are done with: freed before the invoice ids are gathered, so the two are
    // never held at once (at a million documents a side, each takes about 100 MB).
    run.pools = Pools::default();
    // Each id and number of an invoice or credit note, sized up front (see `ledger_roles`).
    let invoices = cin7.iter().filter(|doc| is_invoice_type(doc.doc_type)).count();
    let mut invoice_ids: KeySet<Cow<'_, str>> =
        KeySet::with_capacity_and_hasher(2 * invoices, foldhash::fast::RandomState::default());
    for doc in cin7.iter().filter(|doc| is_invoice_type(doc.doc_type)) {
        invoice_ids
            .extend(key_ref(doc.external_id).into_iter().chain(doc.number.and_then(key_ref)));
    }
    let mut buf = String::new();
    for i in unmatched {
        if find_own_id(&ledger.get(i), &mut buf, |id| invoice_ids.contains(id).then_some(()))
            .is_some()
        {
            run.roles[i] = LedgerRole::Unexpected;
        }
    }
    drop(invoice_ids);
    monthly(ledger, xero, &mut run);
    Matching {
        pairs: run.pairs,
        groups,
        cin7_document_matched: run.doc_matched,
        ledger: run.roles,
        xero_matched: run.taken,
        stock_postings,
    }
}

/// What each Cin7 ledger entry is before matching: [`LedgerRole::Represented`] where a stock
/// document of the same task (by id or number) stands for it, else [`LedgerRole::Missing`];
/// and (document, entry) for each represented one, sorted.
fn ledger_roles(cin7: &Documents, ledger: &Entries) -> (Vec<LedgerRole>, Vec<(usize, usize)>) {
    // Each id or number of a stock document, with the first document that has it, sized for
    // two keys a document up front: growing a table of a million keys rehashes it again and
    // again.
    let stocks = cin7.iter().filter(|doc| is_stock_type(doc.doc_type)).count();
    let mut stock_ids: KeyMap<Cow<'_, str>, usize> =
        KeyMap::with_capacity_and_hasher(2 * stocks, foldhash::fast::RandomState::default());
    for (i, doc) in cin7.iter().enumerate().filter(|(_, doc)| is_stock_type(doc.doc_type)) {
        let ids = key_ref(doc.external_id).into_iter().chain(doc.number.and_then(key_ref));
        for id in ids {
            stock_ids.entry(id).or_insert(i);
        }
    }
    // Entries derived from one Cin7 document (Cin7 Omni's purchases and adjustments) stand
    // for what that document posts: the document, found by its external id, represents them.
    let derived: KeyMap<&str, usize> =
        if ledger.iter().any(|e| e.source_type == Some(DOCUMENT_POSTINGS)) {
            cin7.iter().enumerate().map(|(i, doc)| (doc.external_id, i)).collect()
        } else {
            KeyMap::default()
        };
    let mut stock_postings = Vec::new();
    let mut buf = String::new();
    let roles = ledger
        .iter()
        .enumerate()
        .map(|(e, entry)| {
            let owner = if entry.source_type == Some(DOCUMENT_POSTINGS) {
                derived_document_id(entry.source_id).and_then(|id| derived.get(id).copied())
            } else {
                find_own_id(&entry, &mut buf, |id| stock_ids.get(id).copied())
            };
            match owner {
                Some(doc) => {
                    stock_postings.push((doc, e));
                    LedgerRole::Represented
                }
                None => LedgerRole::Missing,
            }
        })
        .collect();
    stock_postings.sort_unstable();
    (roles, stock_postings)
}

/// Whether `word` stands in `text` as a word of its own: not inside a longer run of letters
/// and digits (`PO-12` in `SUP-8812 PO-12` and in `PO-12/SUP-8812`, not in `PO-123`).
fn contains_word(text: &str, word: &str) -> bool {
    let apart = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric());
    !word.is_empty()
        && text.match_indices(word).any(|(at, _)| {
            apart(text[..at].chars().next_back()) && apart(text[at + word.len()..].chars().next())
        })
}

/// Pairs the purchase invoices and credit notes still unmatched with a live unmatched Xero
/// document of the same type whose number holds both the Cin7 number and the Cin7 reference
/// (its purchase order) as words ([`contains_word`]), when exactly one does
/// ([`MatchMethod::CombinedNumber`]). A Cin7 document without a reference is not paired this
/// way: its number alone is too short a clue.
fn combined_numbers(cin7: &Documents, xero: &Documents, run: &mut Run<'_>) {
    let wanted =
        |run: &Run<'_>, i: usize, doc: &Doc<'_>| !run.doc_matched[i] && is_purchase(doc.doc_type);
    if !cin7.iter().enumerate().any(|(i, doc)| wanted(run, i, &doc)) {
        return;
    }
    // The live unmatched Xero purchase documents by each word (split at every separator) of
    // their number that has a digit.
    let mut by_word: KeyMap<(DocType, String), Vec<usize>> = KeyMap::default();
    for (x, doc) in xero.iter().enumerate() {
        if run.taken[x] || !is_purchase(doc.doc_type) || doc.life() != Lifecycle::Posted {
            continue;
        }
        let Some(number) = doc.number.and_then(key) else { continue };
        for word in number.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| has_digit(w)) {
            let list = by_word.entry((doc.doc_type, word.to_owned())).or_default();
            if list.last() != Some(&x) {
                list.push(x);
            }
        }
    }
    for (i, doc) in cin7.iter().enumerate() {
        let (Some(number), Some(reference)) =
            (doc.number.and_then(key), doc.reference.and_then(key))
        else {
            continue;
        };
        if !wanted(run, i, &doc) || number == reference {
            continue;
        }
        let Some(word) = number.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| has_digit(w))
        else {
            continue;
        };
        let Some(candidates) = by_word.get(&(doc.doc_type, word.to_owned())) else { continue };
        let mut found = candidates.iter().copied().filter(|&x| {
            let theirs = xero.get(x).number.and_then(key).unwrap_or_default();
            !run.taken[x] && contains_word(&theirs, &number) && contains_word(&theirs, &reference)
        });
        if let (Some(x), None) = (found.next(), found.next()) {
            run.taken[x] = true;
            run.record(Cin7Item::Document(i), x, MatchMethod::CombinedNumber);
        }
    }
}

/// Each account's net amount's sign, by upper-cased code (zero nets left out).
fn directions<'a>(lines: impl Iterator<Item = (&'a str, Decimal)>) -> BTreeMap<String, bool> {
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for (account, amount) in lines {
        if let Some(code) = account_code(account) {
            *sums.entry(code.to_ascii_uppercase()).or_default() += amount;
        }
    }
    sums.into_iter()
        .filter(|(_, a)| !a.is_zero())
        .map(|(code, a)| (code, a.is_sign_positive()))
        .collect()
}

/// Unmatched monthly-journal entries against the same month's journals (see the module
/// notes), after every exact match has been made.
fn monthly(ledger: &Entries, xero: &Documents, run: &mut Run) {
    let wanted: Vec<usize> = (0..ledger.len())
        .filter(|&i| {
            run.roles[i] == LedgerRole::Missing
                && ledger.get(i).source_type == Some(MONTHLY_JOURNAL)
        })
        .collect();
    if wanted.is_empty() {
        return;
    }
    let month = |d: NaiveDate| (d.year(), d.month());
    let mut journals: KeyMap<(i32, u32), Vec<usize>> = KeyMap::default();
    for (x, doc) in xero.iter().enumerate() {
        if doc.doc_type == DocType::ManualJournal
            && doc.life() != Lifecycle::Voided
            && let Some(date) = doc.date
        {
            journals.entry(month(date)).or_default().push(x);
        }
    }
    for i in wanted {
        let entry = ledger.get(i);
        let Some(date) = entry.lines().map(|l| l.date).min() else { continue };
        let shape = directions(entry.lines().map(|l| (l.account_code, l.amount)));
        let amount: Decimal =
            entry.lines().map(|l| l.amount).filter(Decimal::is_sign_positive).sum();
        let best = journals
            .get(&month(date))
            .into_iter()
            .flatten()
            .copied()
            .filter(|&x| !run.taken[x])
            .filter(|&x| {
                let doc = xero.get(x);
                let lines = doc.lines().filter_map(|l| Some((l.account_code?, l.line_amount?)));
                !shape.is_empty() && directions(lines) == shape
            })
            .min_by_key(|&x| {
                let doc = xero.get(x);
                let names_cogs = doc
                    .reference
                    .is_some_and(|n| tokens(n).any(|w| w == "COGS" || w.starts_with("COST")));
                let debits: Decimal = doc
                    .lines()
                    .filter_map(|l| l.line_amount)
                    .filter(Decimal::is_sign_positive)
                    .sum();
                (!names_cogs, (debits - amount).abs(), x)
            });
        if let Some(x) = best {
            run.taken[x] = true;
            run.record(Cin7Item::Ledger(i), x, MatchMethod::MonthAndAccounts);
        }
    }
}

/// Groups the live, unmatched documents of each consolidated type (of those `types` admits)
/// by (type, date, currency) on both sides; a key both sides hold is one [`Consolidation`],
/// and its documents count as matched. Documents are grouped before payments are matched
/// (a payment of a consolidated invoice names the day's Xero invoice), payments after.
fn consolidate(
    cin7: &Documents,
    xero: &Documents,
    settings: &Settings,
    run: &mut Run,
    types: impl Fn(DocType) -> bool,
) -> Vec<Consolidation> {
    type Key = (DocType, NaiveDate, Option<String>);
    if settings.consolidated.is_empty() {
        return Vec::new();
    }
    let key = |doc: &Doc<'_>| -> Option<Key> {
        let currency = doc.currency.map(str::to_ascii_uppercase);
        let consolidated = types(doc.doc_type) && settings.consolidated.contains(&doc.doc_type);
        consolidated.then_some((doc.doc_type, doc.date?, currency))
    };
    // Only what Cin7 exports is in a consolidated entry: posted, from an exported channel.
    let exported =
        |doc: &Doc<'_>| doc.life() == Lifecycle::Posted && !settings.excluded(doc.channel);
    let mut groups: BTreeMap<Key, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, doc) in cin7.iter().enumerate().filter(|(i, _)| !run.doc_matched[*i]) {
        if let Some(k) = key(&doc).filter(|_| exported(&doc)) {
            groups.entry(k).or_default().0.push(i);
        }
    }
    for (i, doc) in xero.iter().enumerate().filter(|(i, _)| !run.taken[*i]) {
        let live = doc.life() != Lifecycle::Voided;
        if let Some(k) = key(&doc).filter(|k| live && groups.contains_key(k)) {
            groups.entry(k).or_default().1.push(i);
        }
    }
    groups
        .into_iter()
        .filter(|(_, (_, x))| !x.is_empty())
        .map(|((doc_type, date, currency), (c, x))| {
            for &i in &c {
                run.doc_matched[i] = true;
            }
            for &i in &x {
                run.taken[i] = true;
            }
            Consolidation { doc_type, date, currency, cin7: c, xero: x }
        })
        .collect()
}

/// The first of `found`'s answers for the ids a ledger entry could be known by, in order: its
/// source id (and its long words) and reference, each as its [`key`]. Each id is upper-cased
/// into `buf` in turn, not into a string of its own: a million entries are looked up twice.
fn find_own_id<T>(
    entry: &Entry<'_>,
    buf: &mut String,
    mut found: impl FnMut(&str) -> Option<T>,
) -> Option<T> {
    let id = entry.source_id;
    let long_words = words(id).filter(|w| w.len() >= 8);
    let reference = entry.reference.map(str::trim).filter(|r| !r.is_empty());
    let trimmed = Some(id.trim()).filter(|id| !id.is_empty());
    trimmed.into_iter().chain(long_words).chain(reference).find_map(|text| {
        buf.clear();
        buf.push_str(text);
        buf.make_ascii_uppercase();
        found(buf)
    })
}

struct Run<'a> {
    pools: Pools<'a>,
    taken: Vec<bool>,
    pairs: Vec<Pair>,
    doc_matched: Vec<bool>,
    roles: Vec<LedgerRole>,
}

impl<'a> Run<'a> {
    fn record(&mut self, cin7: Cin7Item, xero: usize, method: MatchMethod) {
        match cin7 {
            Cin7Item::Document(i) => self.doc_matched[i] = true,
            Cin7Item::Ledger(i) => self.roles[i] = LedgerRole::Matched,
        }
        self.pairs.push(Pair { cin7, xero, method });
    }

    fn in_narration(&mut self, text: Option<&str>) -> Option<usize> {
        let word = text.and_then(single_token).filter(|w| has_digit(w))?;
        self.pools.narration.take(&word, &mut self.taken)
    }

    fn document_by_id(&mut self, i: usize, doc: &Doc<'a>) {
        let found = if is_invoice_type(doc.doc_type) {
            let k = doc.number.and_then(|n| typed(doc.doc_type, n));
            let k = k.as_ref();
            k.and_then(|k| self.pools.number.take(k, &mut self.taken))
                .map(|x| (x, MatchMethod::DocumentNumber))
                .or_else(|| {
                    let k = k.filter(|_| is_purchase(doc.doc_type))?;
                    let x = self.pools.reference.take(k, &mut self.taken)?;
                    Some((x, MatchMethod::PurchaseInvoiceReference))
                })
        } else if is_stock_type(doc.doc_type) {
            self.in_narration(Some(doc.external_id))
                .map(|x| (x, MatchMethod::TaskIdInNarration))
                .or_else(|| {
                    self.in_narration(doc.number)
                        .or_else(|| self.in_narration(doc.reference))
                        .map(|x| (x, MatchMethod::ReferenceInNarration))
                })
        } else {
            None
        };
        if let Some((xero, method)) = found {
            self.record(Cin7Item::Document(i), xero, method);
        }
    }

    /// Matches the Cin7 payments: by paid document, date and amount first, then (`by_day`)
    /// by paid document and date. `numbers` gives the Xero number of a Cin7 document that has
    /// one. Consolidated payments are not paired by day: all of a day's payments of a
    /// consolidated invoice name the same Xero invoice, and are compared as a group instead.
    fn payments(&mut self, cin7: &Documents, numbers: &KeyMap<String, String>, by_day: bool) {
        let payments: Vec<(usize, (Option<String>, String))> = (cin7.iter().enumerate())
            .filter(|(_, doc)| doc.doc_type == DocType::Payment)
            .filter_map(|(i, doc)| {
                let ours = doc.reference.and_then(key)?;
                let paid = numbers.get(&ours).unwrap_or(&ours);
                Some((i, payment_keys(&doc, paid)?))
            })
            .collect();
        for (i, (exact, _)) in &payments {
            if let Some(x) =
                exact.as_deref().and_then(|k| self.pools.payment.take(k, &mut self.taken))
            {
                self.record(Cin7Item::Document(*i), x, MatchMethod::PaidDocument);
            }
        }
        for (i, (_, day)) in payments.iter().filter(|_| by_day) {
            if self.doc_matched[*i] {
                continue;
            }
            if let Some(x) = self.pools.payment_day.take(day, &mut self.taken) {
                self.record(Cin7Item::Document(*i), x, MatchMethod::PaidDocument);
            }
        }
    }

    fn ledger_by_id(&mut self, i: usize, entry: &Entry<'_>) {
        if self.roles[i] != LedgerRole::Missing {
            return;
        }
        let found = ledger_ids(entry)
            .find_map(|w| self.pools.narration.take(&w, &mut self.taken))
            .map(|x| (x, MatchMethod::TaskIdInNarration))
            .or_else(|| {
                let x = self.in_narration(entry.reference)?;
                Some((x, MatchMethod::ReferenceInNarration))
            });
        if let Some((xero, method)) = found {
            self.record(Cin7Item::Ledger(i), xero, method);
        }
    }

    fn by_lines(&mut self, signature: Option<&str>, cin7: Cin7Item) -> bool {
        let Some(xero) = signature.and_then(|s| self.pools.lines.take(s, &mut self.taken)) else {
            return false;
        };
        self.record(cin7, xero, MatchMethod::DateAccountAmount);
        true
    }
}
