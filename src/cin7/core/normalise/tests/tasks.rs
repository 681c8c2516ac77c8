//! Stock adjustments, transfers and assemblies.

use chrono::NaiveDate;

use super::{Endpoint, dec, detail, documents, ledger, postings, raw_of};
use crate::model::DocType;

#[test]
fn a_stock_adjustment_is_a_document_with_its_postings() {
    let task = detail(Endpoint::StockAdjustment, "stockadjustment.json");
    let docs = documents(&task);
    let [adjustment] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(adjustment.doc_type, DocType::StockAdjustment);
    assert_eq!(adjustment.external_id, "1df013cf-9487-4d39-abac-2d1d973f4b62");
    assert_eq!(adjustment.number.as_deref(), Some("ST-00022"));
    assert_eq!(adjustment.status, "COMPLETED");
    assert_eq!(adjustment.date, NaiveDate::from_ymd_opt(2017, 12, 1));
    let line = &adjustment.lines[0];
    assert_eq!(line.item_code.as_deref(), Some("AF308"));
    assert_eq!((line.quantity, line.unit_cost), (Some(dec("600")), Some(dec("1"))));
    assert_eq!(line.account_code.as_deref(), Some("403"));
    let entry = ledger(&task);
    assert_eq!(entry.source_id, "stockadjustment/1df013cf-9487-4d39-abac-2d1d973f4b62");
    assert_eq!(entry.source_type.as_deref(), Some("Stock Adjustment"));
    assert_eq!(entry.reference.as_deref(), Some("ST-00022"));
    assert_eq!(
        postings(entry),
        [("715", dec("600")), ("403", dec("-600"))],
        "codes before the colon"
    );
    assert!(raw_of(&task, &adjustment.external_id).contains("NewStockLines"), "kept whole");
}

#[test]
fn a_stock_transfer_carries_its_in_transit_account_on_each_line() {
    let task = detail(Endpoint::StockTransfer, "stockTransfer.json");
    let docs = documents(&task);
    let [transfer] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(transfer.doc_type, DocType::StockTransfer);
    assert_eq!(transfer.number.as_deref(), Some("TR-00005"));
    assert_eq!(transfer.date, NaiveDate::from_ymd_opt(2017, 12, 19));
    assert_eq!(transfer.lines[0].quantity, Some(dec("100")));
    assert_eq!(transfer.lines[0].account_code.as_deref(), Some("715"));
    assert!(ledger(&task).lines.is_empty());
}

#[test]
fn an_assembly_lists_the_finished_product_then_its_components() {
    let task = detail(Endpoint::FinishedGoods, "finishedGoods.json");
    let docs = documents(&task);
    let [assembly] = docs.as_slice() else { panic!("{docs:?}") };
    assert_eq!(assembly.doc_type, DocType::Assembly);
    assert_eq!(assembly.number.as_deref(), Some("FG-00001"));
    assert_eq!(assembly.date, NaiveDate::from_ymd_opt(2018, 1, 3));
    let items: Vec<_> = assembly.lines.iter().map(|l| l.item_code.as_deref().unwrap()).collect();
    assert_eq!(items, ["Bread", "BOOK"]);
    assert_eq!(assembly.lines[0].account_code.as_deref(), Some("715"));
    assert_eq!(assembly.lines[1].unit_cost, Some(dec("0")));
}
