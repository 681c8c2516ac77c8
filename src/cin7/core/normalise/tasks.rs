//! Stock tasks: a stock adjustment, stock transfer or finished goods (assembly) detail → one
//! [`Document`] (stored with the whole detail as its raw JSON) and its ledger postings.
//!
//! Decisions:
//! - Stock adjustment: number `StocktakeNumber`, date `EffectiveDate`; lines are
//!   `NewStockLines` (quantity `Quantity`, unit cost `UnitCost`) then `ExistingStockLines`
//!   (quantity `Adjustment`), each with the task's `Account` (the other side of the inventory
//!   posting).
//! - Stock transfer: number `Number`, date `CompletionDate` (else `DepartureDate`); lines carry
//!   `TransferQuantity` and the `InTransitAccount`.
//! - Finished goods: number `AssemblyNumber`, date `CompletionDate`; the first line is the
//!   finished product (its `Quantity`, the task's `Account`), then the picked components
//!   (`PickLines`, unit cost `Cost`).
//! - No stock task has a change time; totals are left empty (the value is in the postings).

use serde_json::Value;

use super::{
    Detail, Endpoint, NormaliseError, RecordRef, account_code, id_of, ledger, parse, text,
};
use crate::cin7::core::models::{FinishedGoods, StockAdjustment, StockTransfer};
use crate::model::{DocType, Document, DocumentLine, Payload, Record};

pub(super) fn task(endpoint: Endpoint, raw: &Value) -> Detail {
    let Some(id) = id_of(endpoint, raw).map(String::from) else {
        return Detail::rejected_whole(endpoint, raw, NormaliseError::MissingId { endpoint });
    };
    let record = RecordRef::new(endpoint, id.clone());
    let (document, source_type, reference) = match endpoint {
        Endpoint::StockAdjustment => {
            (adjustment(&record, raw), "Stock Adjustment", "StocktakeNumber")
        }
        Endpoint::StockTransfer => (transfer(&record, raw), "Stock Transfer", "Number"),
        _ => (assembly(&record, raw), "Finished Goods", "AssemblyNumber"),
    };
    let mut detail = Detail::default();
    let result = document.map(|document| Record {
        external_id: id.clone(),
        updated_at: None,
        payload: Payload::Document(document),
    });
    detail.push(raw, id.clone(), result);
    let number = raw.get(reference).and_then(Value::as_str).map(String::from);
    let (cut, source_id, ledger) =
        ledger::task_ledger(endpoint, &id, raw, Some(source_type), text(number));
    detail.push(&cut, source_id, ledger);
    detail
}

fn document(record: &RecordRef, doc_type: DocType) -> Document {
    Document {
        doc_type,
        external_id: record.id.clone().unwrap_or_default(),
        number: None,
        reference: None,
        contact: None,
        status: String::new(),
        date: None,
        due_date: None,
        currency: None,
        total: None,
        tax_total: None,
        amount_paid: None,
        amount_credited: None,
        updated_at: None,
        channel: None,
        lines: Vec::new(),
    }
}

fn adjustment(record: &RecordRef, raw: &Value) -> Result<Document, NormaliseError> {
    let task: StockAdjustment = parse(record, raw)?;
    let account = task.account.as_deref().and_then(account_code);
    let line = |sku, name, quantity, unit_cost| DocumentLine {
        item_code: text(sku),
        description: text(name),
        quantity,
        account_code: account.clone(),
        unit_cost,
        ..DocumentLine::default()
    };
    let new = task
        .new_stock_lines
        .into_iter()
        .map(|l| line(l.sku, l.product_name, l.quantity, l.unit_cost));
    let existing = task
        .existing_stock_lines
        .into_iter()
        .map(|l| line(l.sku, l.product_name, l.adjustment.or(l.quantity), l.unit_cost));
    Ok(Document {
        number: text(task.stocktake_number),
        reference: text(task.reference),
        status: task.status.unwrap_or_default(),
        date: record.date("EffectiveDate", task.effective_date)?,
        lines: new.chain(existing).collect(),
        ..document(record, DocType::StockAdjustment)
    })
}

fn transfer(record: &RecordRef, raw: &Value) -> Result<Document, NormaliseError> {
    let task: StockTransfer = parse(record, raw)?;
    let account = task.in_transit_account.as_deref().and_then(account_code);
    let date = match record.date("CompletionDate", task.completion_date)? {
        Some(date) => Some(date),
        None => record.date("DepartureDate", task.departure_date)?,
    };
    Ok(Document {
        number: text(task.number),
        reference: text(task.reference),
        status: task.status.unwrap_or_default(),
        date,
        lines: task
            .lines
            .into_iter()
            .map(|l| DocumentLine {
                item_code: text(l.sku),
                description: text(l.product_name),
                quantity: l.transfer_quantity,
                account_code: account.clone(),
                ..DocumentLine::default()
            })
            .collect(),
        ..document(record, DocType::StockTransfer)
    })
}

fn assembly(record: &RecordRef, raw: &Value) -> Result<Document, NormaliseError> {
    let task: FinishedGoods = parse(record, raw)?;
    let product = DocumentLine {
        item_code: text(task.product_code),
        description: text(task.product_name),
        quantity: task.quantity,
        account_code: task.account.as_deref().and_then(account_code),
        ..DocumentLine::default()
    };
    let components = task.pick_lines.into_iter().map(|l| DocumentLine {
        item_code: text(l.product_code),
        description: text(l.name),
        quantity: l.quantity,
        unit_cost: l.cost,
        ..DocumentLine::default()
    });
    Ok(Document {
        number: text(task.assembly_number),
        status: task.status.unwrap_or_default(),
        date: record.date("CompletionDate", task.completion_date)?,
        lines: std::iter::once(product).chain(components).collect(),
        ..document(record, DocType::Assembly)
    })
}
