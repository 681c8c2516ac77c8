//! Cin7 Core purchases and stock adjustments, on both sides, as Cin7's Xero integration
//! posts them with purchase accruals on (seed 002, "PO Accruals"):
//!
//! - A purchase received before it is invoiced (stock first): the receipt debits inventory
//!   (630) and credits the accrual for goods received not invoiced (GRNI, 815), pushed to Xero
//!   as a manual journal whose narration names the order and the task; the supplier's invoice,
//!   three days later, is an `ACCPAY` bill coded to GRNI (clearing it) with GST, whose number is
//!   Cin7's invoice number and whose reference is the order number.
//! - A purchase invoiced before it is received (invoice first): the bill is coded to stock in
//!   transit (650); the receipt three days later moves it to inventory by manual journal.
//! - A stock adjustment: inventory against the adjustment's account (COGS here), pushed as a
//!   manual journal naming the stocktake number and the `TaskID`.
//!
//! Every posting is a row of the `transactions` feed (purchase receipts by order number,
//! invoices by invoice number, adjustments by stocktake number) and, for purchases, a line of
//! the detail's `Transactions` too.
//!
//! Planted (by number, listed in the ground truth): a bill whose amount differs in Xero
//! (`amount_mismatch`), a bill never pushed (`missing_in_xero`), a purchase received and never
//! invoiced and one invoiced and never received (`unclosed_accrual` on GRNI and on stock in
//! transit), an adjustment journal never pushed (`missing_in_xero`), and an adjustment booked
//! to the inventory account itself (`inventory_self_adjustment`); an adjustment journal
//! edited in Xero (`amount_mismatch`).

use rand::Rng as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{Generator, cin7_date, day_of, id, money, ms_date, num};

/// Days between a purchase's first event (receipt or invoice) and its second.
const SECOND_EVENT_DAYS: i64 = 3;

/// The planted error of one purchase, if any (deterministic from its number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PurchasePlant {
    None,
    /// Xero's bill is 5.00 more than Cin7's invoice.
    AmountMismatch,
    /// Cin7 never pushed the bill (the receipt's journal did arrive).
    MissingBill,
    /// Received, never invoiced: GRNI stays open.
    ReceivedNotInvoiced,
    /// Invoiced, never received: stock in transit stays open.
    InvoicedNotReceived,
}

impl PurchasePlant {
    fn for_purchase(p: usize) -> Self {
        match p {
            p if p % 11 == 5 => Self::AmountMismatch,
            p if p % 13 == 7 => Self::MissingBill,
            p if p % 17 == 3 => Self::ReceivedNotInvoiced,
            p if p % 19 == 9 => Self::InvoicedNotReceived,
            _ => Self::None,
        }
    }
}

/// Milliseconds as Cin7 Core's change times (`2026-01-01T00:01:02.345Z`).
fn cin7_instant(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

/// One purchase's figures, computed once.
struct Purchase {
    p: usize,
    id: String,
    order: String,
    /// Cin7's invoice number, which the Xero bill carries.
    number: String,
    supplier: String,
    sku: String,
    quantity: i64,
    unit: Decimal,
    net: Decimal,
    tax: Decimal,
    /// GRNI (815) when the goods came first, else stock in transit (650): the bill's account.
    accrual: &'static str,
    stock_first: bool,
    /// Midnight of the order's day.
    first: i64,
    received: Option<i64>,
    invoiced: Option<i64>,
    /// When Cin7 last changed it (its last event).
    updated: i64,
    plant: PurchasePlant,
}

impl Generator {
    /// Purchase `p`, ordered at `at`: its Cin7 purchase (list row, detail, feed rows) and what
    /// Cin7 pushed to Xero for it.
    pub(super) fn purchase(&mut self, p: usize, at: i64) {
        let plant = PurchasePlant::for_purchase(p);
        let quantity = self.stock_rng.random_range(1..20_i64);
        let unit = money(self.stock_rng.random_range(500..20_000));
        let net = unit * Decimal::from(quantity);
        let stock_first = match plant {
            PurchasePlant::ReceivedNotInvoiced => true,
            PurchasePlant::InvoicedNotReceived => false,
            _ => p.is_multiple_of(2),
        };
        let first = day_of(at);
        let second = first + 86_400_000 * SECOND_EVENT_DAYS;
        let (received, invoiced) = match plant {
            PurchasePlant::ReceivedNotInvoiced => (Some(first), None),
            PurchasePlant::InvoicedNotReceived => (None, Some(first)),
            _ if stock_first => (Some(first), Some(second)),
            _ => (Some(second), Some(first)),
        };
        let buy = Purchase {
            p,
            id: id(0xa000_0000, p),
            order: format!("PO-{:06}", p + 1),
            number: format!("SI-{:06}", p + 1),
            supplier: format!("Supplier {}", p % 23),
            sku: format!("SKU-{}", p % 50),
            quantity,
            unit,
            net,
            tax: (net / Decimal::from(10)).round_dp(2),
            accrual: if stock_first { "815" } else { "650" },
            stock_first,
            first,
            received,
            invoiced,
            updated: at + received.max(invoiced).unwrap_or(first) - first,
            plant,
        };
        let mut postings = Vec::new();
        if let Some(day) = received {
            self.purchase_postings(
                &buy,
                day,
                &buy.order,
                &[("630", buy.accrual, net)],
                &mut postings,
            );
            let mj_id = id(0x2300_0000, p);
            let updated = at + (day - first);
            self.push("ManualJournals", updated, "POSTED", json!({
                "ManualJournalID": mj_id, "Narration": format!("Cin7 stock received for {} (task {})", buy.order, buy.id),
                "Date": ms_date(day), "Status": "POSTED", "LineAmountTypes": "NoTax",
                "JournalLines": [{ "LineAmount": num(net), "AccountCode": "630", "Description": "Stock received" },
                                 { "LineAmount": num(-net), "AccountCode": buy.accrual, "Description": "Stock received" }],
                "UpdatedDateUTC": ms_date(updated),
            }));
            self.journal(day, "MANJOURNAL", &mj_id, &[("630", net), (buy.accrual, -net)]);
        }
        if let Some(day) = invoiced {
            let rows = [(buy.accrual, "800", net), ("820", "800", buy.tax)];
            self.purchase_postings(&buy, day, &buy.number, &rows, &mut postings);
            if plant != PurchasePlant::MissingBill {
                self.bill(&buy, at + (day - first), day);
            }
        }
        let (summary, detail) = buy.cin7(&postings);
        self.world.cin7.purchases.push((buy.updated, summary, detail));
        let planted = match plant {
            PurchasePlant::None => None,
            PurchasePlant::AmountMismatch => Some(("amount_mismatch", buy.number)),
            PurchasePlant::MissingBill => Some(("missing_in_xero", buy.number)),
            // The accrual is the purchase's: people know it by its order number.
            PurchasePlant::ReceivedNotInvoiced | PurchasePlant::InvoicedNotReceived => {
                Some(("unclosed_accrual", buy.order))
            }
        };
        self.world.truth.extend(planted);
    }

    /// Postings of a purchase: rows of the ledger feed, and the same in its detail.
    fn purchase_postings(
        &mut self,
        buy: &Purchase,
        date: i64,
        reference: &str,
        rows: &[(&str, &str, Decimal)],
        detail: &mut Vec<Value>,
    ) {
        self.feed(date, &buy.id, reference, "Purchase", rows);
        for (debit, credit, amount) in rows {
            detail.push(
                json!({ "TaskID": buy.id, "Debit": debit, "Credit": credit, "Amount": num(*amount),
                                "EffectiveDate": cin7_date(date), "Description": reference }),
            );
        }
    }

    /// The Xero bill Cin7 pushed for a purchase's invoice, and its journal.
    fn bill(&mut self, buy: &Purchase, updated: i64, day: i64) {
        let bill_id = id(0x1200_0000, buy.p);
        let mut net = buy.net;
        if buy.plant == PurchasePlant::AmountMismatch {
            net += Decimal::new(500, 2);
        }
        let (tax, account) = (buy.tax, buy.accrual);
        let total = net + tax;
        self.push("Invoices", updated, "AUTHORISED", json!({
            "Type": "ACCPAY", "InvoiceID": bill_id, "InvoiceNumber": buy.number, "Reference": buy.order,
            "Contact": { "ContactID": id(0x5500_0000, buy.p % 23), "Name": buy.supplier },
            "Date": ms_date(day), "DueDate": ms_date(day + 86_400_000 * 30), "Status": "AUTHORISED",
            "LineAmountTypes": "Exclusive", "CurrencyCode": "AUD",
            "SubTotal": num(net), "TotalTax": num(tax), "Total": num(total),
            "AmountPaid": num(Decimal::ZERO), "AmountCredited": num(Decimal::ZERO), "AmountDue": num(total),
            "LineItems": [{ "ItemCode": buy.sku, "Description": "Widget", "Quantity": buy.quantity, "UnitAmount": num(buy.unit),
                "LineAmount": num(net), "TaxAmount": num(tax), "AccountCode": account, "TaxType": "INPUT" }],
            "UpdatedDateUTC": ms_date(updated),
        }));
        self.journal(day, "ACCPAY", &bill_id, &[(account, net), ("820", tax), ("800", -total)]);
    }

    /// Stock adjustment `k`, effective the day of `at`: Cin7's task (list row, detail, feed
    /// rows) and the manual journal Cin7 pushed for it.
    pub(super) fn adjustment(&mut self, k: usize, at: i64) {
        let task = id(0xa500_0000, k);
        let number = format!("ST-{:05}", k + 1);
        let day = day_of(at);
        let quantity = self.stock_rng.random_range(1..10_i64);
        let unit_cost = money(self.stock_rng.random_range(200..8_000));
        let value = unit_cost * Decimal::from(quantity);
        // Planted: an adjustment booked against the inventory account itself.
        let self_adjusted = k == 2;
        let missing = k % 7 == 4;
        let (account, account_name) =
            if self_adjusted { ("630", "Inventory") } else { ("310", "Cost of Goods Sold") };
        let sku = format!("SKU-{}", k % 50);
        // Even adjustments find stock (new stock lines), odd ones write it off.
        let found = k.is_multiple_of(2);
        let (debit, credit) = if found { ("630", account) } else { (account, "630") };
        let label = |code: &str| {
            if code == "630" {
                "630: Inventory".to_string()
            } else {
                format!("{code}: {account_name}")
            }
        };
        let line = json!({ "SKU": sku, "ProductName": "Widget", "ProductID": id(0x9100_0000, k % 50),
                           "Location": "Main Warehouse", "UnitCost": num(unit_cost), "Comments": "" });
        let (new_lines, existing_lines) = if found {
            let mut line = line;
            line["Quantity"] = json!(quantity);
            line["ReceivedDate"] = json!(cin7_date(day));
            (vec![line], Vec::new())
        } else {
            let mut line = line;
            line["Adjustment"] = json!(-quantity);
            line["QuantityOnHand"] = json!(quantity + 20);
            (Vec::new(), vec![line])
        };
        let row = json!({
            "TaskID": task, "StocktakeNumber": number, "Status": "COMPLETED", "EffectiveDate": cin7_date(day),
            "Account": account, "Reference": ""
        });
        let detail = json!({
            "TaskID": task, "StocktakeNumber": number, "Status": "COMPLETED", "EffectiveDate": cin7_date(day),
            "Account": account, "Reference": "", "NewStockLines": new_lines, "ExistingStockLines": existing_lines,
            "Transactions": [{ "ID": id(0xa600_0000, k), "Amount": num(value), "Debit": label(debit),
                               "Credit": label(credit), "EffectiveDate": cin7_date(day) }]
        });
        self.world.cin7.adjustments.push((row, detail));
        self.feed(day, &task, &number, "Stock Adjustment", &[(debit, credit, value)]);
        // Planted: an adjustment journal edited in Xero to 10.00 more after Cin7 pushed it.
        let edited = k % 11 == 6 && !self_adjusted;
        if missing {
            self.world.truth.push(("missing_in_xero", number.clone()));
        } else {
            let value = if edited {
                self.world.truth.push(("amount_mismatch", number.clone()));
                value + Decimal::TEN
            } else {
                value
            };
            let mj_id = id(0x2400_0000, k);
            self.push("ManualJournals", at, "POSTED", json!({
                "ManualJournalID": mj_id, "Narration": format!("Cin7 stock adjustment {number} (task {task})"),
                "Date": ms_date(day), "Status": "POSTED", "LineAmountTypes": "NoTax",
                "JournalLines": [{ "LineAmount": num(value), "AccountCode": debit, "Description": "Stock adjustment" },
                                 { "LineAmount": num(-value), "AccountCode": credit, "Description": "Stock adjustment" }],
                "UpdatedDateUTC": ms_date(at),
            }));
            self.journal(day, "MANJOURNAL", &mj_id, &[(debit, value), (credit, -value)]);
        }
        if self_adjusted {
            self.world.truth.push(("inventory_self_adjustment", number));
        }
    }
}

impl Purchase {
    /// The purchase as Cin7 Core holds it: its `purchaseList` row and its `purchase` detail
    /// (a simple purchase: `StockReceived`, `Invoice` and `CreditNote` are objects; the
    /// invoice number is spelt `InvocieNumber`, as the API spells it).
    fn cin7(&self, postings: &[Value]) -> (Value, Value) {
        let (net, tax, unit, quantity) = (self.net, self.tax, self.unit, self.quantity);
        let invoice = match self.invoiced {
            Some(day) => json!({
                "InvocieNumber": self.number, "InvoiceDate": cin7_date(day), "InvoiceDueDate": cin7_date(day + 86_400_000 * 30),
                "Status": "AUTHORISED", "Total": num(net + tax), "Tax": num(tax), "TotalBeforeTax": num(net),
                "Paid": num(Decimal::ZERO), "Payments": [], "AdditionalCharges": [],
                "Lines": [{ "SKU": self.sku, "Name": "Widget", "Quantity": quantity, "Price": num(unit), "Tax": num(tax),
                            "Total": num(net), "Account": self.accrual }]
            }),
            None => json!({
                "InvocieNumber": null, "InvoiceDate": null, "InvoiceDueDate": null, "Status": "DRAFT", "Total": 0, "Tax": 0,
                "TotalBeforeTax": 0, "Paid": 0, "Payments": [], "AdditionalCharges": [], "Lines": []
            }),
        };
        let stock_received = match self.received {
            Some(day) => json!({ "Status": "AUTHORISED", "Lines": [{
                "SKU": self.sku, "ProductName": "Widget", "Quantity": quantity, "Cost": num(unit), "Total": num(net),
                "Date": cin7_date(day), "Location": "Main Warehouse" }] }),
            None => json!({ "Status": "NOT AVAILABLE", "Lines": [] }),
        };
        let (status, receiving, invoicing) = match (self.received, self.invoiced) {
            (Some(_), Some(_)) => ("COMPLETED", "FULLY RECEIVED", "INVOICED"),
            (Some(_), None) => ("RECEIVED", "FULLY RECEIVED", "NOT INVOICED"),
            _ => ("INVOICED", "NOT RECEIVED", "INVOICED"),
        };
        let supplier_id = id(0x5500_0000, self.p % 23);
        let summary = json!({
            "ID": self.id, "OrderNumber": self.order, "OrderDate": cin7_date(self.first), "Status": status, "OrderStatus": "AUTHORISED",
            "Supplier": self.supplier, "SupplierID": supplier_id, "BaseCurrency": "AUD", "SupplierCurrency": "AUD",
            "InvoiceNumber": self.invoiced.map(|_| self.number.clone()), "InvoiceDate": self.invoiced.map(cin7_date),
            "InvoiceAmount": num(if self.invoiced.is_some() { net + tax } else { Decimal::ZERO }), "PaidAmount": 0,
            "CombinedReceivingStatus": receiving, "CombinedInvoiceStatus": invoicing, "CombinedPaymentStatus": "UNPAID",
            "StockReceivedStatus": if self.received.is_some() { "AUTHORISED" } else { "NOT AVAILABLE" },
            "LastUpdatedDate": cin7_instant(self.updated), "Type": "Simple Purchase", "BlindReceipt": false, "IsServiceOnly": false
        });
        let detail = json!({
            "ID": self.id, "Supplier": self.supplier, "SupplierID": supplier_id, "Status": status,
            "OrderNumber": self.order, "OrderDate": cin7_date(self.first), "BaseCurrency": "AUD", "SupplierCurrency": "AUD",
            "CurrencyRate": 1, "Approach": if self.stock_first { "STOCK" } else { "INVOICE" }, "InventoryAccount": "630",
            "LastUpdatedDate": cin7_instant(self.updated), "Location": "Main Warehouse", "TaxRule": "GST on Expenses",
            "Order": { "Status": "AUTHORISED", "Total": num(net + tax), "Tax": num(tax), "TotalBeforeTax": num(net),
                       "Lines": [{ "SKU": self.sku, "Name": "Widget", "Quantity": quantity, "Price": num(unit), "Tax": num(tax), "Total": num(net) }],
                       "AdditionalCharges": [] },
            "StockReceived": stock_received, "Invoice": invoice,
            "CreditNote": { "Status": "NOT AVAILABLE", "CreditNoteNumber": "", "CreditNoteDate": null, "Total": 0, "Tax": 0,
                            "TotalBeforeTax": 0, "Lines": [], "AdditionalCharges": [], "Refunds": [] },
            "Transactions": postings,
        });
        (summary, detail)
    }
}
