//! The simulated Xero organisation's data, generated deterministically from a seed and a
//! size: sales invoices, credit notes, bills, payments, stock journals (manual journals, as
//! Cin7's integration posts them), bank transactions, and the general-ledger journals of all
//! of them, on a chart of accounts with one archived account.
//!
//! Records are built here as JSON directly, in Xero's shapes, from the simulator's own
//! numbers: never through cxsync's serde models, so a parsing mistake in the client cannot be
//! mirrored here and go unseen.

use std::collections::BTreeMap;
use std::str::FromStr as _;

mod purchases;

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use rust_decimal::Decimal;
use serde_json::{Number, Value, json};

/// 2026-01-01T00:00:00Z, in milliseconds: the first document's time.
pub const START_MS: i64 = 1_767_225_600_000;

/// One record of a list endpoint, with the time it was last updated.
#[derive(Debug, Clone)]
pub struct Item {
    pub updated_ms: i64,
    pub status: String,
    pub json: Value,
}

/// Everything one simulated organisation holds.
#[derive(Debug, Clone, Default)]
pub struct XeroWorld {
    pub tenant_id: String,
    pub organisation: Value,
    pub accounts: Vec<Value>,
    pub tracking_categories: Vec<Value>,
    /// By collection key (`Invoices`, `CreditNotes`, `Payments`, `ManualJournals`,
    /// `BankTransactions`), each ordered by `updated_ms`.
    pub lists: BTreeMap<&'static str, Vec<Item>>,
    /// Ordered by `JournalNumber`.
    pub journals: Vec<Value>,
    /// `(date ms, account code, amount debit-positive)` of every journal line, for the trial
    /// balance.
    pub postings: Vec<(i64, String, Decimal)>,
    /// The Cin7 Core side of the same business.
    pub cin7: Cin7World,
    /// The errors planted between the two sides: `(finding kind, document reference)`.
    pub truth: Vec<(&'static str, String)>,
}

/// What the simulated Cin7 Core account holds.
#[derive(Debug, Clone, Default)]
pub struct Cin7World {
    /// Sales: `(updated ms, saleList row, sale detail)`, in the order they were made (so by
    /// updated time).
    pub sales: Vec<(i64, Value, Value)>,
    /// Purchases: `(updated ms, purchaseList row, purchase detail)`, by updated time.
    pub purchases: Vec<(i64, Value, Value)>,
    /// Stock adjustments: `(stockadjustmentList row, stockadjustment detail)`.
    pub adjustments: Vec<(Value, Value)>,
    /// Rows of the `transactions` ledger feed: `(effective date ms, row)`, by effective date.
    pub transactions: Vec<(i64, Value)>,
}

/// The planted error of one sale, if any (deterministic from its number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Plant {
    None,
    /// Xero's copy has a different total.
    AmountMismatch,
    /// Cin7 never pushed the invoice.
    MissingInXero,
    /// Voided in Cin7, still live in Xero.
    VoidMismatch,
    /// A shipped line without cost.
    BlankCogs,
    /// Shipped (COGS booked on both sides) but not invoiced yet, across a month end.
    ShippedNotInvoiced,
}

impl Plant {
    fn for_sale(n: usize) -> Self {
        match n {
            n if n % 97 == 13 => Self::AmountMismatch,
            n if n % 89 == 11 => Self::MissingInXero,
            n if n % 83 == 7 => Self::VoidMismatch,
            n if n % 101 == 17 => Self::BlankCogs,
            n if n % 103 == 31 => Self::ShippedNotInvoiced,
            _ => Self::None,
        }
    }
}

/// The planted error of one sale's payment, if any (only on sales without another plant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PaymentPlant {
    /// Cin7 recorded the payment and never pushed it: Xero's invoice is unpaid.
    NotPushed,
    /// Xero's payment was edited to a dollar less (the invoice stays part-paid).
    Edited,
}

impl PaymentPlant {
    fn for_sale(n: usize) -> Option<Self> {
        match n {
            n if n % 107 == 5 => Some(Self::NotPushed),
            n if n % 109 == 9 => Some(Self::Edited),
            _ => None,
        }
    }
}

/// Cin7 Core's date-time text (`2026-01-02T00:00:00`).
fn cin7_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%S").to_string())
}

fn id(kind: u32, n: usize) -> String {
    format!("{kind:08x}-0000-4000-8000-{n:012x}")
}

fn money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A JSON number written exactly as the decimal (`40.00`), as Xero writes amounts.
fn num(amount: Decimal) -> Value {
    Value::Number(Number::from_str(&format!("{amount:.2}")).expect("a decimal is a JSON number"))
}

fn ms_date(ms: i64) -> String {
    format!("/Date({ms}+0000)/")
}

/// Midnight UTC of the day `ms` falls on.
fn day_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(86_400_000)
}

const ACCOUNTS: [(&str, &str, &str, &str); 11] = [
    ("090", "Business Bank Account", "BANK", "ACTIVE"),
    ("200", "Sales", "REVENUE", "ACTIVE"),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "ACTIVE"),
    ("425", "Freight & Courier", "EXPENSE", "ACTIVE"),
    ("610", "Accounts Receivable", "CURRENT", "ACTIVE"),
    ("630", "Inventory", "INVENTORY", "ACTIVE"),
    ("631", "Inventory (old)", "INVENTORY", "ARCHIVED"),
    ("800", "Accounts Payable", "CURRLIAB", "ACTIVE"),
    ("815", "Inventory Accrual (GRNI)", "CURRLIAB", "ACTIVE"),
    ("820", "GST", "CURRLIAB", "ACTIVE"),
    ("650", "Stock in Transit", "CURRENT", "ACTIVE"),
];

/// Builds the organisation as Cin7 Core and its Xero integration made it: `size` sales and
/// the documents that go with them, a purchase every ten sales and a stock adjustment every
/// twenty-five (see `purchases`).
pub fn generate(seed: u64, size: usize) -> XeroWorld {
    build(seed, size, true)
}

/// The same sales without Cin7 Core's purchases and stock adjustments (and their Xero
/// bills and journals): the business Cin7 Omni's simulator starts from (`omni::omni_world`).
/// The sales are the same as [`generate`]'s: purchases draw from their own random stream.
pub fn generate_sales(seed: u64, size: usize) -> XeroWorld {
    build(seed, size, false)
}

fn build(seed: u64, size: usize, core_stock: bool) -> XeroWorld {
    let mut g = Generator::new(seed);
    let mut at = START_MS;
    for n in 0..size {
        // One document every few seconds; now and then several in the same second (bulk).
        at += if g.rng.random_ratio(1, 10) { 0 } else { g.rng.random_range(1_000..9_000) };
        let net = g.sale(n, at);
        if n % 20 == 19 {
            g.credit_note(n, at + 900);
        }
        let _ = net;
        if n == 50 {
            g.manual_stock_journal(at + 200);
        }
        if n == 60 {
            g.xero_only_invoice(size + 1, at + 250);
        }
        if n % 50 == 7 {
            g.spend(n, at + 100);
        }
        if core_stock && n % 10 == 4 {
            g.purchase(n / 10, at + 300);
        }
        if core_stock && n % 25 == 12 {
            g.adjustment(n / 25, at + 400);
        }
    }
    g.finish()
}

/// The generator's state: the random streams, the world so far, the next journal number.
struct Generator {
    rng: StdRng,
    /// Purchases' and stock adjustments' own stream, so the sales do not depend on them.
    stock_rng: StdRng,
    world: XeroWorld,
    journal_no: i64,
}

impl Generator {
    fn new(seed: u64) -> Self {
        let tenant_id = id(0x7e4a_0001, usize::try_from(seed % 4096).unwrap_or(0));
        let mut world = XeroWorld { tenant_id, ..XeroWorld::default() };
        world.organisation = json!({
            "OrganisationID": world.tenant_id, "Name": "Simulated Trading Pty Ltd", "BaseCurrency": "AUD",
            "CountryCode": "AU", "Timezone": "AUSEASTERNSTANDARDTIME", "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 30, "FinancialYearEndMonth": 6,
            "PeriodLockDate": ms_date(START_MS - 86_400_000), "EndOfYearLockDate": ms_date(START_MS - 86_400_000 * 185),
        });
        world.accounts = ACCOUNTS
            .iter()
            .enumerate()
            .map(|(n, (code, name, kind, status))| {
                json!({ "AccountID": id(0xacc0_0000, n), "Code": code, "Name": name, "Type": kind, "Status": status,
                        "UpdatedDateUTC": ms_date(START_MS - 86_400_000 * 30) })
            })
            .collect();
        world.tracking_categories = vec![
            json!({ "TrackingCategoryID": id(0x7ac0_0000, 0), "Name": "Region", "Status": "ACTIVE",
            "Options": [{ "TrackingOptionID": id(0x7ac1_0000, 0), "Name": "North", "Status": "ACTIVE" }] }),
        ];
        for key in ["Invoices", "CreditNotes", "Payments", "ManualJournals", "BankTransactions"] {
            world.lists.insert(key, Vec::new());
        }
        Self {
            rng: StdRng::seed_from_u64(seed),
            stock_rng: StdRng::seed_from_u64(seed ^ 0x5707_c0de_0000_0000),
            world,
            journal_no: 0,
        }
    }

    fn finish(mut self) -> XeroWorld {
        for items in self.world.lists.values_mut() {
            items.sort_by_key(|item| item.updated_ms);
        }
        // Stable: rows of one date keep the order they were posted in.
        self.world.cin7.transactions.sort_by_key(|(date, _)| *date);
        self.world.cin7.purchases.sort_by_key(|(updated, ..)| *updated);
        self.world
    }

    fn push(&mut self, key: &'static str, updated_ms: i64, status: &str, json: Value) {
        self.world.lists.entry(key).or_default().push(Item {
            updated_ms,
            status: status.into(),
            json,
        });
    }

    /// The general-ledger journal a document posts.
    fn journal(&mut self, at: i64, source: &str, source_id: &str, lines: &[(&str, Decimal)]) {
        self.journal_no += 1;
        let n = usize::try_from(self.journal_no).unwrap_or(0);
        for (code, amount) in lines {
            self.world.postings.push((day_of(at), (*code).to_string(), *amount));
        }
        let lines: Vec<Value> = lines
            .iter()
            .enumerate()
            .map(|(line, (code, amount))| {
                json!({ "JournalLineID": format!("{}-{line}", id(0x5100_0000, n)), "AccountCode": code,
                        "NetAmount": num(*amount), "GrossAmount": num(*amount), "TaxAmount": 0 })
            })
            .collect();
        self.world.journals.push(json!({
            "JournalID": id(0x5000_0000, n), "JournalNumber": self.journal_no, "JournalDate": ms_date(day_of(at)),
            "CreatedDateUTC": ms_date(at), "SourceType": source, "SourceID": source_id, "JournalLines": lines
        }));
    }

    /// A sales invoice, the COGS journal Cin7 posts for its shipment, and (half the time) its
    /// payment. Returns the invoice's net amount.
    fn sale(&mut self, n: usize, at: i64) -> Decimal {
        let quantity = self.rng.random_range(1..5_i64);
        let unit = money(self.rng.random_range(500..50_000));
        let net = unit * Decimal::from(quantity);
        let tax = (net / Decimal::from(10)).round_dp(2);
        let cost = (net * Decimal::new(55, 2)).round_dp(2);
        let invoice_id = id(0x1000_0000, n);
        let number = format!("INV-{:06}", n + 1);
        let plant = Plant::for_sale(n);
        // A paid copy turns an amount difference into a paid-document edit: planted ones stay unpaid.
        let coin = self.rng.random_ratio(1, 2);
        let payment_plant = PaymentPlant::for_sale(n).filter(|_| plant == Plant::None);
        let paid = coin && plant == Plant::None || payment_plant.is_some();
        self.cin7_sale(n, at, quantity, unit, tax, cost, plant);
        let cin7_total = net + tax;
        // The planted amount difference: Xero's line (and so its total) is 5.00 more.
        let net = match plant {
            Plant::AmountMismatch => net + Decimal::new(500, 2),
            _ => net,
        };
        let total = net + tax;
        let paid_at = at + 700;
        if paid {
            self.cin7_payment(n, day_of(paid_at), cin7_total, payment_plant);
        }
        // What Xero was told of the payment: nothing, when Cin7 never pushed it; a dollar less,
        // when the Xero copy was edited.
        let xero_paid = match payment_plant {
            Some(PaymentPlant::NotPushed) => None,
            Some(PaymentPlant::Edited) => Some(total - Decimal::ONE),
            None => paid.then_some(total),
        };
        let status = if xero_paid == Some(total) { "PAID" } else { "AUTHORISED" };
        let amount_paid = xero_paid.unwrap_or_default();
        // A missing invoice: Cin7 never pushed it (its shipment's COGS journal did arrive).
        // A sale shipped and not invoiced has no invoice on either side.
        if !matches!(plant, Plant::MissingInXero | Plant::ShippedNotInvoiced) {
            self.push("Invoices", at, status, json!({
                "Type": "ACCREC", "InvoiceID": invoice_id, "InvoiceNumber": number, "Reference": format!("SO-{:06}", n + 1),
                "Contact": { "ContactID": id(0xc000_0000, n % 97), "Name": format!("Customer {}", n % 97) },
                "Date": ms_date(day_of(at)), "DueDate": ms_date(day_of(at) + 86_400_000 * 30), "Status": status,
                "LineAmountTypes": "Exclusive", "CurrencyCode": "AUD",
                "SubTotal": num(net), "TotalTax": num(tax), "Total": num(total),
                "AmountPaid": num(amount_paid), "AmountCredited": num(Decimal::ZERO),
                "AmountDue": num(total - amount_paid),
                "LineItems": [{ "ItemCode": format!("SKU-{}", n % 50), "Description": "Widget", "Quantity": quantity,
                    "UnitAmount": num(unit), "LineAmount": num(net), "TaxAmount": num(tax), "AccountCode": "200", "TaxType": "OUTPUT" }],
                "UpdatedDateUTC": ms_date(at),
            }));
            self.journal(
                at,
                "ACCREC",
                &invoice_id,
                &[("610", total), ("200", -net), ("820", -tax)],
            );
        }
        let mj_id = id(0x2000_0000, n);
        self.push("ManualJournals", at + 500, "POSTED", json!({
            "ManualJournalID": mj_id, "Narration": format!("Cin7 COGS for SO-{:06} (task {})", n + 1, id(0x9000_0000, n)),
            "Date": ms_date(day_of(at)), "Status": "POSTED", "LineAmountTypes": "NoTax",
            "JournalLines": [{ "LineAmount": num(cost), "AccountCode": "310", "Description": "COGS" },
                             { "LineAmount": num(-cost), "AccountCode": "630", "Description": "COGS" }],
            "UpdatedDateUTC": ms_date(at + 500),
        }));
        self.journal(at + 500, "MANJOURNAL", &mj_id, &[("310", cost), ("630", -cost)]);
        if let Some(amount) = xero_paid {
            let payment_id = id(0x3000_0000, n);
            self.push("Payments", paid_at, "AUTHORISED", json!({
                "PaymentID": payment_id, "Date": ms_date(day_of(paid_at)), "Amount": num(amount), "Status": "AUTHORISED",
                "PaymentType": "ACCRECPAYMENT", "Invoice": { "InvoiceID": invoice_id, "InvoiceNumber": number },
                "Account": { "AccountID": id(0xacc0_0000, 0), "Code": "090" }, "UpdatedDateUTC": ms_date(paid_at),
            }));
            self.journal(
                paid_at,
                "ACCRECPAYMENT",
                &payment_id,
                &[("090", amount), ("610", -amount)],
            );
        }
        net
    }

    /// The customer's payment of sale `n`'s invoice as Cin7 records it (the invoice's
    /// `Payments[]`), with its planted error in the ground truth.
    fn cin7_payment(&mut self, n: usize, day: i64, amount: Decimal, plant: Option<PaymentPlant>) {
        let Some((_, _, detail)) = self.world.cin7.sales.last_mut() else { return };
        let invoice = &mut detail["Invoices"][0];
        invoice["Paid"] = num(amount);
        invoice["Payments"] = json!([{
            "ID": id(0x8200_0000, n), "Reference": format!("Payment {}", n + 1), "Amount": num(amount),
            "DatePaid": cin7_date(day), "Account": "090: Business Bank Account",
        }]);
        let date = chrono::DateTime::from_timestamp_millis(day).map(|t| t.date_naive());
        let label =
            format!("INV-{:06} (paid {})", n + 1, date.map(|d| d.to_string()).unwrap_or_default());
        match plant {
            Some(PaymentPlant::NotPushed) => self.world.truth.push(("missing_in_xero", label)),
            Some(PaymentPlant::Edited) => self.world.truth.push(("amount_mismatch", label)),
            None => {}
        }
    }

    fn credit_note(&mut self, n: usize, at: i64) {
        let credit_id = id(0x4000_0000, n);
        let net = money(self.rng.random_range(500..50_000));
        let tax = (net / Decimal::from(10)).round_dp(2);
        self.push("CreditNotes", at, "AUTHORISED", json!({
            "Type": "ACCRECCREDIT", "CreditNoteID": credit_id, "CreditNoteNumber": format!("CR-{:06}", n + 1),
            "Contact": { "Name": format!("Customer {}", n % 97) }, "Date": ms_date(day_of(at)), "Status": "AUTHORISED",
            "SubTotal": num(net), "TotalTax": num(tax), "Total": num(net + tax),
            "LineItems": [{ "Description": "Return", "Quantity": 1, "UnitAmount": num(net), "LineAmount": num(net), "AccountCode": "200" }],
            "UpdatedDateUTC": ms_date(at),
        }));
        self.journal(
            at,
            "ACCRECCREDIT",
            &credit_id,
            &[("200", net), ("820", tax), ("610", -(net + tax))],
        );
        // Cin7's side: the credit note inside its sale, and its postings in the feed.
        let task = id(0x8200_0000, n);
        if let Some((_, _, detail)) = self.world.cin7.sales.get_mut(n) {
            detail["CreditNotes"] = json!([{
                "TaskID": task, "CreditNoteNumber": format!("CR-{:06}", n + 1), "CreditNoteDate": cin7_date(day_of(at)),
                "Status": "AUTHORISED", "Total": num(net + tax), "Tax": num(tax), "TotalBeforeTax": num(net),
                "Lines": [{ "Account": "200: Sales", "Name": "Return", "Quantity": 1, "Price": num(net), "Tax": num(tax), "Total": num(net) }],
                "Restock": [], "Refunds": []
            }]);
        }
        self.post(
            n,
            day_of(at),
            &task,
            &format!("CR-{:06}", n + 1),
            &[("200", "610", net), ("820", "610", tax)],
        );
        if n % 200 == 139 {
            self.late_restock(n, at);
        }
    }

    /// A return restocked a month after its credit note: both systems hold it, in different
    /// periods. The restock is its own task, posted to Xero as a manual journal.
    fn late_restock(&mut self, n: usize, at: i64) {
        let task = id(0x8300_0000, n);
        let cost = money(self.rng.random_range(500..20_000));
        let day = day_of(at) + 86_400_000 * 32;
        let mj_id = id(0x2200_0000, n);
        self.push("ManualJournals", day, "POSTED", json!({
            "ManualJournalID": mj_id, "Narration": format!("Cin7 restock (task {task})"),
            "Date": ms_date(day), "Status": "POSTED", "LineAmountTypes": "NoTax",
            "JournalLines": [{ "LineAmount": num(cost), "AccountCode": "630", "Description": "Restock" },
                             { "LineAmount": num(-cost), "AccountCode": "310", "Description": "Restock" }],
            "UpdatedDateUTC": ms_date(day),
        }));
        self.journal(day, "MANJOURNAL", &mj_id, &[("630", cost), ("310", -cost)]);
        self.post(n, day, &task, &format!("RS-{:06}", n + 1), &[("630", "310", cost)]);
        // The sale's postings are known by its invoice number.
        self.world.truth.push(("return_misalignment", format!("INV-{:06}", n + 1)));
    }

    /// Postings of sale `n`: rows of the ledger feed, and the same in the sale's detail.
    fn post(
        &mut self,
        n: usize,
        date: i64,
        task: &str,
        reference: &str,
        postings: &[(&str, &str, Decimal)],
    ) {
        self.feed(date, task, reference, "Sale", postings);
        if let Some((_, _, detail)) = self.world.cin7.sales.get_mut(n)
            && let Some(rows) = detail["Transactions"].as_array_mut()
        {
            for (debit, credit, amount) in postings {
                rows.push(json!({ "TaskID": task, "Debit": debit, "Credit": credit, "Amount": num(*amount),
                                  "EffectiveDate": cin7_date(date), "Description": reference }));
            }
        }
    }

    /// Rows of Cin7's `transactions` feed: one per `(debit, credit, amount)`.
    fn feed(
        &mut self,
        date: i64,
        task: &str,
        reference: &str,
        kind: &str,
        postings: &[(&str, &str, Decimal)],
    ) {
        for (debit, credit, amount) in postings {
            self.world.cin7.transactions.push((date, json!({
                "TaskID": task, "Amount": num(*amount), "DebitAccountCode": debit, "CreditAccountCode": credit,
                "EffectiveDate": cin7_date(date), "Reference": reference, "Transaction": format!("{kind} {reference}"), "Type": kind
            })));
        }
    }

    /// The sale as Cin7 Core holds it: the saleList row, the detail with its invoice, and the
    /// invoice's and shipment's postings in the ledger feed. Planted errors change Cin7's side
    /// here (a voided invoice, a line without cost) and are listed in the ground truth.
    #[allow(clippy::too_many_arguments)] // the amounts of one sale, computed once by `sale`
    fn cin7_sale(
        &mut self,
        n: usize,
        at: i64,
        quantity: i64,
        unit: Decimal,
        tax: Decimal,
        cost: Decimal,
        plant: Plant,
    ) {
        let sale_id = id(0x8000_0000, n);
        let invoice_task = id(0x8100_0000, n);
        let cogs_task = id(0x9000_0000, n);
        let number = format!("INV-{:06}", n + 1);
        let order = format!("SO-{:06}", n + 1);
        let net = unit * Decimal::from(quantity);
        let status = if plant == Plant::VoidMismatch { "VOIDED" } else { "AUTHORISED" };
        // One product still mapped to an account archived in Xero.
        let account = if n == 21 { "631: Inventory (old)" } else { "200: Sales" };
        let average_cost = if plant == Plant::BlankCogs {
            Decimal::ZERO
        } else {
            (cost / Decimal::from(quantity)).round_dp(4)
        };
        let updated = chrono::DateTime::from_timestamp_millis(at)
            .map_or_else(String::new, |t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
        let summary = json!({
            "SaleID": sale_id, "OrderNumber": order, "Status": "COMPLETED", "InvoiceNumber": number,
            "Customer": format!("Customer {}", n % 97), "Updated": updated, "Type": "Simple Sale"
        });
        let detail = json!({
            "ID": sale_id, "Customer": format!("Customer {}", n % 97), "CustomerReference": order, "Status": "COMPLETED",
            "BaseCurrency": "AUD", "LastModifiedOn": updated,
            "Invoices": [{
                "TaskID": invoice_task, "InvoiceNumber": number, "InvoiceDate": cin7_date(day_of(at)),
                "InvoiceDueDate": cin7_date(day_of(at) + 86_400_000 * 30), "Status": status,
                "Total": num(net + tax), "Tax": num(tax), "TotalBeforeTax": num(net), "Paid": num(Decimal::ZERO),
                "Lines": [{ "Account": account, "SKU": format!("SKU-{}", n % 50), "Name": "Widget", "Quantity": quantity,
                            "Price": num(unit), "Tax": num(tax), "Total": num(net), "AverageCost": average_cost.to_string() }],
                "AdditionalCharges": []
            }],
            "CreditNotes": [], "Transactions": []
        });
        let mut detail = detail;
        if plant == Plant::ShippedNotInvoiced {
            detail["Invoices"] = json!([]);
        }
        self.world.cin7.sales.push((at, summary, detail));
        if plant != Plant::ShippedNotInvoiced {
            self.post(
                n,
                day_of(at),
                &invoice_task,
                &number,
                &[("610", "200", net), ("610", "820", tax)],
            );
        }
        // Voiding an authorised invoice reverses its postings in Cin7's ledger.
        if plant == Plant::VoidMismatch {
            let reversal = [("200", "610", net), ("820", "610", tax)];
            self.post(n, day_of(at), &invoice_task, &number, &reversal);
        }
        self.post(n, day_of(at), &cogs_task, &order, &[("310", "630", cost)]);
        if n == 21 {
            self.world.truth.push(("archived_account", number.clone()));
        }
        let kind = match plant {
            Plant::None => return,
            Plant::AmountMismatch => "amount_mismatch",
            Plant::MissingInXero => "missing_in_xero",
            Plant::VoidMismatch => "void_mismatch",
            Plant::BlankCogs => "blank_cogs",
            // The sale has no invoice: people know it by its order number.
            Plant::ShippedNotInvoiced => {
                self.world.truth.push(("timing_difference", order));
                return;
            }
        };
        self.world.truth.push((kind, number));
    }

    /// An invoice numbered like Cin7's that only Xero has (raised by hand in Xero).
    fn xero_only_invoice(&mut self, n: usize, at: i64) {
        let invoice_id = id(0x1100_0000, n);
        let number = format!("INV-{n:06}");
        let net = Decimal::new(12_000, 2);
        let tax = Decimal::new(1_200, 2);
        self.push("Invoices", at, "AUTHORISED", json!({
            "Type": "ACCREC", "InvoiceID": invoice_id, "InvoiceNumber": number, "Contact": { "Name": "Walk-in" },
            "Date": ms_date(day_of(at)), "Status": "AUTHORISED", "SubTotal": num(net), "TotalTax": num(tax), "Total": num(net + tax),
            "AmountPaid": num(Decimal::ZERO),
            "LineItems": [{ "Description": "Service", "Quantity": 1, "UnitAmount": num(net), "LineAmount": num(net), "TaxAmount": num(tax), "AccountCode": "200" }],
            "UpdatedDateUTC": ms_date(at),
        }));
        self.journal(
            at,
            "ACCREC",
            &invoice_id,
            &[("610", net + tax), ("200", -net), ("820", -tax)],
        );
        self.world.truth.push(("missing_in_cin7", number));
    }

    /// A manual journal into the inventory account that Cin7 did not make.
    fn manual_stock_journal(&mut self, at: i64) {
        let mj_id = id(0x2100_0000, 1);
        let amount = Decimal::new(25_000, 2);
        self.push("ManualJournals", at, "POSTED", json!({
            "ManualJournalID": mj_id, "Narration": "Stock write-off agreed with the accountant",
            "Date": ms_date(day_of(at)), "Status": "POSTED", "LineAmountTypes": "NoTax",
            "JournalLines": [{ "LineAmount": num(amount), "AccountCode": "425", "Description": "Write-off" },
                             { "LineAmount": num(-amount), "AccountCode": "630", "Description": "Write-off" }],
            "UpdatedDateUTC": ms_date(at),
        }));
        self.journal(at, "MANJOURNAL", &mj_id, &[("425", amount), ("630", -amount)]);
        self.world.truth.push(("control_account_journal", mj_id.clone()));
    }

    /// A spend-money transaction for freight.
    fn spend(&mut self, n: usize, at: i64) {
        let spend_id = id(0x7000_0000, n);
        let freight = money(self.rng.random_range(1_000..9_000));
        self.push("BankTransactions", at, "AUTHORISED", json!({
            "BankTransactionID": spend_id, "Type": "SPEND", "Contact": { "Name": "Courier" }, "Date": ms_date(day_of(at)),
            "Status": "AUTHORISED", "Total": num(freight), "BankAccount": { "Code": "090" },
            "LineItems": [{ "Description": "Freight", "Quantity": 1, "UnitAmount": num(freight), "LineAmount": num(freight), "AccountCode": "425" }],
            "UpdatedDateUTC": ms_date(at),
        }));
        self.journal(at, "CASHPAID", &spend_id, &[("425", freight), ("090", -freight)]);
    }
}

/// The chart of accounts as Cin7 Core's `ref/account` lists it (Cin7 mirrors Xero's).
pub fn cin7_accounts() -> Vec<Value> {
    ACCOUNTS
        .iter()
        .map(|(code, name, kind, status)| {
            json!({ "Code": code, "Name": name, "DisplayName": format!("{code}: {name}"), "Type": kind, "Status": status,
                    "Class": "ASSET", "ForPayments": false, "SystemAccount": null, "Description": null })
        })
        .collect()
}

impl XeroWorld {
    /// `(code, name, balance debit-positive)` of every account with postings on or before
    /// `date_ms` (midnight UTC).
    /// The ground truth of the variance report: per account code, the Cin7 ledger feed's
    /// balance (debit positive) minus the Xero journals' over all the data, computed from the
    /// simulator's own records (never through cxsync).
    pub fn ledger_variance(&self) -> BTreeMap<String, Decimal> {
        let mut variance: BTreeMap<String, Decimal> = BTreeMap::new();
        for (_, row) in &self.cin7.transactions {
            let amount = row["Amount"].to_string().parse::<Decimal>().unwrap_or_default();
            for (field, signed) in [("DebitAccountCode", amount), ("CreditAccountCode", -amount)] {
                let code = row[field].as_str().unwrap_or_default().to_string();
                *variance.entry(code).or_default() += signed;
            }
        }
        for (_, code, amount) in &self.postings {
            *variance.entry(code.clone()).or_default() -= *amount;
        }
        variance
    }

    pub fn balances(&self, date_ms: i64) -> Vec<(String, String, Decimal)> {
        let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (_, code, amount) in self.postings.iter().filter(|(at, ..)| *at <= date_ms) {
            *sums.entry(code.as_str()).or_default() += *amount;
        }
        sums.into_iter()
            .map(|(code, balance)| {
                let name = ACCOUNTS
                    .iter()
                    .find(|(c, ..)| *c == code)
                    .map_or("Unknown", |(_, name, ..)| *name);
                (code.to_string(), name.to_string(), balance)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_size_give_the_same_world() {
        let a = generate(42, 200);
        let b = generate(42, 200);
        assert_eq!(a.journals, b.journals);
        assert_eq!(a.lists["Invoices"].len(), b.lists["Invoices"].len());
        assert_ne!(generate(43, 200).journals, a.journals);
        assert_eq!(a.cin7.purchases, b.cin7.purchases);
        assert_eq!(a.cin7.adjustments, b.cin7.adjustments);
        assert_eq!(a.cin7.transactions, b.cin7.transactions);
    }

    #[test]
    fn purchases_and_adjustments_leave_the_sales_as_they_are() {
        let core = generate(8, 300);
        let sales = generate_sales(8, 300);
        assert!(core.cin7.purchases.len() == 30 && core.cin7.adjustments.len() == 12);
        assert!(sales.cin7.purchases.is_empty() && sales.cin7.adjustments.is_empty());
        assert_eq!(core.cin7.sales, sales.cin7.sales);
        assert!(core.truth.iter().any(|(kind, _)| *kind == "unclosed_accrual"));
        assert!(!sales.truth.iter().any(|(kind, _)| *kind == "unclosed_accrual"));
    }

    #[test]
    fn every_journal_balances_and_amounts_keep_two_places() {
        let world = generate(1, 100);
        let total: Decimal = world.postings.iter().map(|(_, _, amount)| *amount).sum();
        assert_eq!(total, Decimal::ZERO);
        let text = world.lists["Invoices"][0].json.to_string();
        assert!(text.contains('.') && !text.contains("e-"), "{text}");
        let balances = world.balances(i64::MAX);
        let sum: Decimal = balances.iter().map(|(_, _, b)| *b).sum();
        assert_eq!(sum, Decimal::ZERO);
    }

    #[test]
    fn lists_are_in_update_order() {
        let world = generate(5, 300);
        for items in world.lists.values() {
            assert!(items.windows(2).all(|w| w[0].updated_ms <= w[1].updated_ms));
        }
    }
}
