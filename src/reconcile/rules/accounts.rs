//! Account and posting hygiene:
//! - `archived_account`: an account code on a Cin7 document line or ledger line (voided
//!   documents aside), or in an active Cin7 product's account mapping, that Xero has
//!   archived, deleted or does not have. One finding per code. An error when an unsynced Cin7
//!   record uses it (the sync fails now) or a product maps to it (the next sale or purchase of
//!   it will fail), a warning when only synced history does (returns and reversals reuse the
//!   historical account, and will fail). Skipped until Xero's chart of accounts has been
//!   synced.
//! - `inventory_self_adjustment`: a Cin7 stock adjustment whose line accounts are all the
//!   inventory account itself, or a Cin7 ledger entry that only moves amounts within it.
//! - `blank_cogs`: a Cin7 sale invoice line for a stock item, with quantity, whose cost is zero.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::{Context, label};
use crate::model::DocType;
use crate::reconcile::FindingKind;
use crate::reconcile::finding::{Draft, Finding, Severity};
use crate::reconcile::keys::account_code;
use crate::reconcile::matching::LedgerRole;
use crate::reconcile::status::Lifecycle;

pub(crate) fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    archived_accounts(ctx, out);
    self_adjustments(ctx, out);
    blank_cogs(ctx, out);
}

#[derive(Default)]
struct Usage {
    records: usize,
    /// SKUs of the products mapped to it, sorted.
    products: Vec<String>,
    /// (label, id) of the first record, by label.
    example: Option<(String, String)>,
    unsynced: bool,
}

fn archived_accounts(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    if ctx.input.xero_accounts.is_empty() {
        return;
    }
    let status: HashMap<String, &str> = ctx
        .input
        .xero_accounts
        .iter()
        .filter_map(|a| {
            Some((account_code(a.code.as_deref()?)?.to_ascii_uppercase(), a.status.as_str()))
        })
        .collect();
    let usable = |code: &str| {
        status
            .get(code)
            .is_some_and(|s| !matches!(s.to_ascii_uppercase().as_str(), "ARCHIVED" | "DELETED"))
    };
    let mut used: BTreeMap<String, Usage> = BTreeMap::new();
    let mut note = |code: &str, name: String, id: &str, unsynced: bool| {
        let Some(code) = account_code(code) else { return };
        let code = code.to_ascii_uppercase();
        if usable(&code) {
            return;
        }
        let usage = used.entry(code).or_default();
        usage.records += 1;
        usage.unsynced |= unsynced;
        if usage.example.as_ref().is_none_or(|(l, _)| name < *l) {
            usage.example = Some((name, id.to_owned()));
        }
    };
    for (i, doc) in ctx.input.cin7_documents.iter().enumerate() {
        if doc.life() == Lifecycle::Voided {
            continue;
        }
        let unsynced = !ctx.matching.cin7_document_matched[i];
        for code in doc.lines().filter_map(|l| l.account_code) {
            note(code, label(&doc), doc.external_id, unsynced);
        }
    }
    for (i, entry) in ctx.input.cin7_ledger.iter().enumerate() {
        let unsynced = ctx.matching.ledger[i] == LedgerRole::Missing;
        let name = entry.reference.unwrap_or(entry.source_id);
        for line in entry.lines() {
            note(line.account_code, name.to_owned(), entry.source_id, unsynced);
        }
    }
    for product in &ctx.input.product_accounts {
        for code in &product.codes {
            let Some(code) = account_code(code) else { continue };
            let code = code.to_ascii_uppercase();
            if !usable(&code) {
                used.entry(code).or_default().products.push(product.sku.clone());
            }
        }
    }
    for (code, usage) in used {
        let state = status.get(&code).map_or("absent from", |s| {
            if s.eq_ignore_ascii_case("DELETED") { "deleted in" } else { "archived in" }
        });
        let mut products = usage.products;
        products.sort();
        let example = usage
            .example
            .map(|(label, _)| label)
            .or_else(|| products.first().map(|sku| format!("product {sku}")))
            .unwrap_or_default();
        let users = match (usage.records, products.len()) {
            (records, 0) => format!("{records} Cin7 record(s) use it (e.g. {example})"),
            (0, n) => format!("{n} Cin7 product(s) map to it ({})", listed(&products)),
            (records, n) => format!(
                "{records} Cin7 record(s) use it (e.g. {example}) and {n} product(s) map to it \
                 ({})",
                listed(&products)
            ),
        };
        let (severity, consequence) = if usage.unsynced {
            (Severity::Error, "Cin7 cannot sync records that use it")
        } else if !products.is_empty() {
            (Severity::Error, "the next sale or purchase of those products will fail to sync")
        } else {
            (Severity::Warning, "returns and reversals of these records reuse it and will fail")
        };
        let message = format!(
            "Account {code} is {state} Xero but {users}; {consequence}: restore the account in \
             Xero, or map the products and settings in Cin7 to an active account"
        );
        let draft = Draft { cin7_ref: Some(example), account_code: Some(code), ..Draft::default() };
        out.push(draft.finish(FindingKind::ArchivedAccount, severity, message));
    }
}

/// Up to five SKUs, then how many more.
fn listed(skus: &[String]) -> String {
    match skus.len() {
        0..=5 => skus.join(", "),
        n => format!("{} and {} more", skus[..5].join(", "), n - 5),
    }
}

fn self_adjustments(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(inventory) = account_code(&ctx.input.accounts.inventory) else { return };
    let is_inventory =
        |code: &str| account_code(code).is_some_and(|c| c.eq_ignore_ascii_case(inventory));
    let message = |what: &str, c: &str| {
        format!(
            "Cin7 {what} {c} posts against the inventory account {inventory} itself, so stock \
             moves but the ledger does not: set the adjustment's account to the inventory \
             discrepancy (or another P&L) account in Cin7 and redo the adjustment"
        )
    };
    for doc in ctx.input.cin7_documents.iter() {
        let mut codes = doc.lines().filter_map(|l| l.account_code).peekable();
        let only_inventory = codes.peek().is_some() && codes.all(is_inventory);
        if doc.doc_type != DocType::StockAdjustment
            || doc.life() == Lifecycle::Voided
            || !only_inventory
        {
            continue;
        }
        let c = label(&doc);
        let draft = Draft {
            cin7_id: Some(doc.external_id),
            cin7_ref: Some(c.clone()),
            account_code: Some(inventory.to_owned()),
            amount: doc.total,
            date: doc.date,
            ..Draft::default()
        };
        let text = message("stock adjustment", &c);
        out.push(draft.finish(FindingKind::InventorySelfAdjustment, Severity::Warning, text));
    }
    for (i, entry) in ctx.input.cin7_ledger.iter().enumerate() {
        let within = entry.lines().len() >= 2
            && entry.lines().all(|l| is_inventory(l.account_code))
            && entry.lines().any(|l| !l.amount.is_zero());
        if !within || ctx.matching.ledger[i] == LedgerRole::Represented {
            continue;
        }
        let c = entry.reference.unwrap_or(entry.source_id).to_owned();
        let draft = Draft {
            cin7_id: Some(entry.source_id),
            cin7_ref: Some(c.clone()),
            account_code: Some(inventory.to_owned()),
            amount: Some(entry.lines().map(|l| l.amount).filter(Decimal::is_sign_positive).sum()),
            date: entry.lines().map(|l| l.date).min(),
            ..Draft::default()
        };
        let text = message("ledger transaction", &c);
        out.push(draft.finish(FindingKind::InventorySelfAdjustment, Severity::Warning, text));
    }
}

fn blank_cogs(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for doc in ctx.input.cin7_documents.iter() {
        if doc.doc_type != DocType::SalesInvoice || doc.life() != Lifecycle::Posted {
            continue;
        }
        let skus: Vec<&str> =
            doc.lines().filter(|l| l.ships && l.zero_cost).filter_map(|l| l.shipped_item).collect();
        if skus.is_empty() {
            continue;
        }
        let c = label(&doc);
        let message = format!(
            "Cin7 sale invoice {c} ships {} with zero cost, so no COGS reaches Xero: enter the \
             product cost in Cin7 (receive the purchase or fix the opening cost), then re-cost \
             the sale",
            skus.join(", ")
        );
        let draft = Draft {
            cin7_id: Some(doc.external_id),
            cin7_ref: Some(c),
            date: doc.date,
            ..Draft::default()
        };
        out.push(draft.finish(FindingKind::BlankCogs, Severity::Warning, message));
    }
}
