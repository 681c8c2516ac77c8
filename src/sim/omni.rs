//! The simulated Cin7 Omni: HTTP Basic sign-in (401 otherwise), Omni's limits (3 calls a
//! second, then the minute and day) answered with 429 and `Retry-After`, and the five
//! endpoints cxsync reads as bare JSON arrays: `page`/`rows` (at most 250), ordered by id,
//! filtered by `where=modifieddate>'…'` (or `>=`).
//!
//! Its data is the generated business's sales seen as Omni holds them ([`omni_world`]): each
//! Cin7 sale becomes a sales order (its invoice number the one Xero has), each credit note a
//! credit note, each payment of its invoice a payment against the order; purchase orders and
//! stock adjustments ([`super::omni_stock`]). The Xero side trades the per-sale COGS manual journals Cin7
//! Core posts (and their general-ledger journals) for Omni's: one COGS manual journal per
//! month, Dr COGS 310, Cr inventory 630, of the cost of the units dispatched on the month's
//! costed sales orders less the cost of the completed credit notes' returns, as the simulator
//! counts it from its own Omni records.
//!
//! Planted for Omni, on top of the shared plants (listed in the ground truth):
//! - `sync_error`: every sale never pushed to Xero reports its import as `Error`;
//! - `missing_document_date`: sales orders invoiced but never dispatched, the first credit
//!   note without its completed date, a purchase order received but not invoiced;
//! - `blank_cogs`: the shared plant's lines without cost are Omni lines with `unitCost: 0`,
//!   dispatched long before Omni's daily COGS run;
//! - `amount_mismatch`: the first month's COGS journal in Xero is 12.34 more than Omni's COGS
//!   (a journal edited in Xero, or not re-synced after Omni recalculated);
//! - purchase orders and stock adjustments with their bills and journals, and their plants:
//!   see [`super::omni_stock`].
//!
//! [`OmniWorld::variance`] is the report's ground truth for the accounts cxsync derives.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr as _;

use super::data::XeroWorld;
use super::limits::{Breach, Limiter, SimLimits};
use super::omni_stock::{self, StockPlants};

/// The largest page Omni serves.
const MAX_ROWS: usize = 250;

/// One endpoint's records: `(modified ms, record)`.
type Records = Vec<(i64, Value)>;

/// Omni's records by endpoint: `(modified ms, record)`, ordered by id.
#[derive(Debug, Clone, Default)]
pub struct OmniWorld {
    pub lists: BTreeMap<&'static str, Records>,
    /// The report's ground truth: Cin7 − Xero (debit positive) per account the derived Omni
    /// ledger is whole for (COGS 310, inventory 630), as the plants leave it.
    pub variance: BTreeMap<String, Decimal>,
}

/// The simulated Cin7 Omni account.
pub struct OmniSim {
    /// `Basic base64(user:key)`.
    authorization: String,
    world: OmniWorld,
    per_second: Limiter,
    limiter: Limiter,
}

impl OmniSim {
    pub fn new(
        username: &str,
        api_key: &str,
        world: OmniWorld,
        limits: SimLimits,
        minute: Duration,
    ) -> Self {
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{api_key}"));
        let second =
            SimLimits { per_minute: 3, concurrent: limits.concurrent, per_day: usize::MAX };
        Self {
            authorization: format!("Basic {token}"),
            world,
            per_second: Limiter::new(second, minute / 60),
            limiter: Limiter::new(limits, minute),
        }
    }

    pub fn router(self: Arc<Self>) -> Router {
        Router::new().route("/api/v1/{endpoint}", get(api)).with_state(self)
    }
}

async fn api(
    State(sim): State<Arc<OmniSim>>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let signed_in = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        == Some(sim.authorization.as_str());
    if !signed_in {
        return (StatusCode::UNAUTHORIZED, "Authorization has been denied for this request.")
            .into_response();
    }
    let admitted = sim.per_second.admit().and_then(|second| Ok((second, sim.limiter.admit()?)));
    let Ok((_second, (_flight, _))) = admitted else {
        let retry_after = match admitted.err() {
            Some(Breach::Day { retry_after }) => retry_after.as_secs().max(1),
            Some(Breach::Minute) => 60,
            _ => 1,
        };
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after.to_string())],
            "API rate limit exceeded",
        )
            .into_response();
    };
    let Some(records) = sim.world.lists.get(endpoint.as_str()) else {
        return (StatusCode::NOT_FOUND, format!("no such endpoint: {endpoint}")).into_response();
    };
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let rows: usize =
        query.get("rows").and_then(|r| r.parse().ok()).unwrap_or(50).clamp(1, MAX_ROWS);
    let Ok(filter) = query.get("where").map(|w| Filter::parse(w)).transpose() else {
        return (StatusCode::BAD_REQUEST, "cannot read the where filter").into_response();
    };
    let slice: Vec<&Value> = records
        .iter()
        .filter(|(at, record)| filter.is_none_or(|f| f.admits(*at, record)))
        .skip((page - 1) * rows)
        .take(rows)
        .map(|(_, record)| record)
        .collect();
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], json!(slice).to_string())
        .into_response()
}

/// The `where` filters the simulator understands: `modifieddate>'…'` (or `>=`), optionally
/// `AND id>N`.
#[derive(Debug, Clone, Copy, Default)]
struct Filter {
    /// (ms, inclusive)
    modified: Option<(i64, bool)>,
    after_id: Option<u64>,
}

impl Filter {
    fn parse(text: &str) -> Result<Self, ()> {
        let lower = text.trim().to_ascii_lowercase();
        let mut filter = Self::default();
        for term in lower.split(" and ").map(str::trim) {
            if let Some(rest) = term.strip_prefix("modifieddate") {
                let rest = rest.trim_start();
                let (inclusive, quoted) = match rest.strip_prefix(">=") {
                    Some(quoted) => (true, quoted),
                    None => (false, rest.strip_prefix('>').ok_or(())?),
                };
                let text = quoted.trim().trim_matches('\'').to_ascii_uppercase();
                let at = chrono::DateTime::parse_from_rfc3339(&text).map_err(|_| ())?;
                filter.modified = Some((at.timestamp_millis(), inclusive));
            } else if let Some(rest) = term.strip_prefix("id>") {
                filter.after_id = Some(rest.trim().parse().map_err(|_| ())?);
            } else {
                return Err(());
            }
        }
        Ok(filter)
    }

    fn admits(self, at: i64, record: &Value) -> bool {
        let modified =
            self.modified.is_none_or(|(since, inclusive)| at > since || (inclusive && at == since));
        let id =
            self.after_id.is_none_or(|after| record["id"].as_u64().is_some_and(|id| id > after));
        modified && id
    }
}

/// Omni's date-time text (`2026-01-02T00:00:00Z`).
fn omni_date(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms)
        .map_or(Value::Null, |t| Value::String(t.format("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

/// Midnight UTC of the day `ms` falls on.
fn day_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(86_400_000)
}

/// A decimal text from Cin7 Core's JSON as an exact JSON number.
fn number(value: &Value) -> Value {
    match value {
        Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// Builds the Omni side of `world` and adapts the rest (see the module notes): Omni's records,
/// the Xero organisation without Core's per-sale COGS journals, and the extra ground truth.
pub fn omni_world(world: &mut XeroWorld) -> OmniWorld {
    // Core's ledger-side postings and the plants only a Cin7 ledger shows (a sale shipped
    // and not invoiced, a late restock) have no Omni counterpart.
    drop_core_stock_journals(world);
    world.truth.retain(|(kind, _)| !matches!(*kind, "timing_difference" | "return_misalignment"));
    let planted: HashSet<String> = world.truth.iter().map(|(_, r)| r.clone()).collect();
    let never_pushed: HashSet<String> = world
        .truth
        .iter()
        .filter(|(kind, _)| *kind == "missing_in_xero")
        .map(|(_, r)| r.clone())
        .collect();
    let mut omni = OmniWorld::default();
    let mut truth = Vec::new();
    let mut orders = Vec::new();
    let mut notes = Vec::new();
    for (n, (at, _, detail)) in world.cin7.sales.iter().enumerate() {
        let invoice = &detail["Invoices"][0];
        if invoice.is_null() {
            continue;
        }
        let number_text = invoice["InvoiceNumber"].as_str().unwrap_or_default().to_string();
        let error = never_pushed.contains(&number_text);
        let undispatched = n % 73 == 3 && !planted.contains(&number_text);
        if error {
            truth.push(("sync_error", number_text.clone()));
        }
        if undispatched {
            truth.push(("missing_document_date", number_text.clone()));
        }
        orders.push((*at, sales_order(n, *at, detail, invoice, error, undispatched)));
        if let Some(note) = detail["CreditNotes"].get(0) {
            let first = notes.is_empty();
            if first {
                truth.push((
                    "missing_document_date",
                    note["CreditNoteNumber"].as_str().unwrap_or_default().to_string(),
                ));
            }
            notes.push((*at + 900, credit_note(n, *at + 900, detail, note, !first)));
        }
    }
    let mut stock = StockPlants::default();
    omni_stock::add_adjustment_account(world);
    let purchases = omni_stock::purchase_orders(world, world.cin7.sales.len() / 100, &mut stock);
    let adjustments = omni_stock::adjustments(world, &mut stock);
    let payments = payments(world);
    let (cogs_truth, cogs) = monthly_cogs_journals(world, &orders, &notes);
    // The report's ground truth: what Omni's documents post, by the simulator's reckoning,
    // less every posting Xero holds (its copies with their plants, and the shared plants).
    let xero = |code: &str| -> Decimal {
        world.postings.iter().filter(|(_, c, _)| c == code).map(|(_, _, amount)| *amount).sum()
    };
    omni.variance.insert("310".into(), cogs - xero("310"));
    omni.variance.insert("630".into(), stock.cin7_inventory - cogs - xero("630"));
    truth.extend(cogs_truth);
    truth.extend(stock.truth);
    for (key, records) in [
        ("SalesOrders", orders),
        ("CreditNotes", notes),
        ("PurchaseOrders", purchases),
        ("Adjustments", adjustments),
        ("Payments", payments),
    ] {
        omni.lists.insert(key, records);
    }
    world.truth.extend(truth);
    omni
}

/// Removes Cin7 Core's per-sale COGS and restock manual journals, with their general-ledger
/// journals and trial-balance postings (one posting per journal line, in journal order).
fn drop_core_stock_journals(world: &mut XeroWorld) {
    let mut dropped: HashSet<String> = HashSet::new();
    if let Some(journals) = world.lists.get_mut("ManualJournals") {
        journals.retain(|item| {
            let core = item.json["Narration"]
                .as_str()
                .is_some_and(|n| n.starts_with("Cin7 COGS for") || n.starts_with("Cin7 restock"));
            if core {
                dropped.insert(item.json["ManualJournalID"].as_str().unwrap_or_default().into());
            }
            !core
        });
    }
    let mut postings = std::mem::take(&mut world.postings).into_iter();
    let mut kept = Vec::new();
    world.journals.retain(|journal| {
        let lines = journal["JournalLines"].as_array().map_or(0, Vec::len);
        let these: Vec<_> = postings.by_ref().take(lines).collect();
        let keep = !dropped.contains(journal["SourceID"].as_str().unwrap_or_default());
        if keep {
            kept.extend(these);
        }
        keep
    });
    kept.extend(postings);
    world.postings = kept;
}

/// An exact amount as a JSON number with two places, as Xero writes it.
fn xero_amount(amount: Decimal) -> Value {
    Value::Number(serde_json::Number::from_str(&format!("{amount:.2}")).unwrap_or(0.into()))
}

/// A JSON number as an exact decimal (zero when absent).
fn decimal(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_default()
}

/// Omni's monthly COGS journals in Xero (see the module notes): per month of invoice date,
/// `Σ qtyShipped × unitCost` of the live, dispatched sales orders Omni imported, less per
/// month of credit-note date `Σ qty × unitCost` of the completed credit notes. Returns the
/// planted difference's ground truth and the COGS Omni's side holds (the months' sum).
fn monthly_cogs_journals(
    world: &mut XeroWorld,
    orders: &[(i64, Value)],
    notes: &[(i64, Value)],
) -> (Vec<(&'static str, String)>, Decimal) {
    let mut months: BTreeMap<String, Decimal> = BTreeMap::new();
    for (_, note) in notes {
        if note["completedDate"].is_null() || note["creditNoteDate"].is_null() {
            continue;
        }
        let month =
            note["creditNoteDate"].as_str().unwrap_or_default().get(..7).unwrap_or_default();
        let restock: Decimal = note["lineItems"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|line| decimal(&line["qty"]) * decimal(&line["unitCost"]))
            .sum();
        *months.entry(month.to_string()).or_default() -= restock;
    }
    for (_, order) in orders {
        let imported = order["accountingAttributes"]["accountingImportStatus"] == "Imported";
        if order["isVoid"] == true || order["dispatchedDate"].is_null() || !imported {
            continue;
        }
        let month = order["invoiceDate"].as_str().unwrap_or_default().get(..7).unwrap_or_default();
        let cost: Decimal = order["lineItems"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|line| decimal(&line["qtyShipped"]) * decimal(&line["unitCost"]))
            .sum();
        *months.entry(month.to_string()).or_default() += cost;
    }
    let mut truth = Vec::new();
    let mut total = Decimal::ZERO;
    let mut number = world.journals.iter().filter_map(|j| j["JournalNumber"].as_i64()).max();
    for (n, (month, cost)) in months.into_iter().enumerate() {
        let Ok(first) = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        else {
            continue;
        };
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(first);
        let day = last.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis();
        let planted = n == 0;
        let omni =
            cost.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        total += omni;
        let amount = omni + if planted { Decimal::new(1234, 2) } else { Decimal::ZERO };
        if planted {
            truth.push(("amount_mismatch", format!("Omni COGS journal {month}")));
        }
        let mj_id = format!("{:08x}-0000-4000-8000-{n:012x}", 0x2200_0000_u32);
        let date = format!("/Date({day}+0000)/");
        let updated = format!("/Date({}+0000)/", day + 3_600_000);
        let items = world.lists.entry("ManualJournals").or_default();
        items.push(super::data::Item { updated_ms: day + 3_600_000, status: "POSTED".into(), json: json!({
            "ManualJournalID": mj_id, "Narration": format!("Cin7 Omni COGS {}", first.format("%B %Y")),
            "Date": date, "Status": "POSTED", "LineAmountTypes": "NoTax",
            "JournalLines": [{ "LineAmount": xero_amount(amount), "AccountCode": "310", "Description": "COGS" },
                             { "LineAmount": xero_amount(-amount), "AccountCode": "630", "Description": "COGS" }],
            "UpdatedDateUTC": updated,
        })});
        items.sort_by_key(|item| item.updated_ms);
        let journal_number = number.map_or(1, |n| n + 1);
        number = Some(journal_number);
        let lines: Vec<Value> = [("310", amount), ("630", -amount)]
            .iter()
            .enumerate()
            .map(|(line, (code, amount))| {
                world.postings.push((day, (*code).to_string(), *amount));
                json!({ "JournalLineID": format!("{mj_id}-{line}"), "AccountCode": code,
                        "NetAmount": xero_amount(*amount), "GrossAmount": xero_amount(*amount), "TaxAmount": 0 })
            })
            .collect();
        world.journals.push(json!({
            "JournalID": format!("{:08x}-0000-4000-8000-{n:012x}", 0x5200_0000_u32),
            "JournalNumber": journal_number, "JournalDate": date, "CreatedDateUTC": updated,
            "SourceType": "MANJOURNAL", "SourceID": mj_id, "JournalLines": lines,
        }));
    }
    (truth, total)
}

/// A sale as an Omni sales order: invoiced and dispatched the day it was made.
fn sales_order(
    n: usize,
    at: i64,
    detail: &Value,
    invoice: &Value,
    import_error: bool,
    undispatched: bool,
) -> Value {
    let voided = invoice["Status"] == "VOIDED";
    let lines: Vec<Value> = invoice["Lines"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, line)| {
            let account = line["Account"].as_str().and_then(|a| a.split(':').next());
            let quantity = number(&line["Quantity"]);
            json!({
                "id": n * 10 + i + 1, "transactionId": n + 1, "code": line["SKU"], "name": line["Name"],
                "qty": quantity, "qtyShipped": if undispatched { json!(0) } else { quantity.clone() },
                "unitPrice": number(&line["Price"]), "unitCost": number(&line["AverageCost"]), "discount": 0,
                "accountCode": if account == Some("631") { json!("631") } else { Value::Null },
            })
        })
        .collect();
    let status = if import_error { "Error" } else { "Imported" };
    json!({
        "id": n + 1, "createdDate": omni_date(at), "modifiedDate": omni_date(at),
        "reference": detail["CustomerReference"], "company": detail["Customer"], "currencyCode": "AUD",
        "total": number(&invoice["Total"]), "productTotal": number(&invoice["TotalBeforeTax"]),
        "invoiceNumber": invoice["InvoiceNumber"], "invoiceDate": omni_date(day_of(at)),
        "dispatchedDate": if undispatched { Value::Null } else { omni_date(at) },
        "isVoid": voided, "status": if voided { "Void" } else { "Approved" },
        "stage": if undispatched { "Processing" } else { "Dispatched" },
        "accountingAttributes": { "importDate": omni_date(at + 60_000), "accountingImportStatus": status },
        "lineItems": lines,
    })
}

/// A sale's credit note as Omni's credit note; `completed` false plants a missing date.
/// The returned goods go back into stock at 55 % of the credited amount (the simulator's cost
/// ratio).
fn credit_note(n: usize, at: i64, detail: &Value, note: &Value, completed: bool) -> Value {
    let restock = (decimal(&number(&note["TotalBeforeTax"])) * Decimal::new(55, 2)).round_dp(2);
    json!({
        "id": n + 1, "createdDate": omni_date(at), "modifiedDate": omni_date(at),
        "reference": format!("CN-{:06}", n + 1), "salesReference": detail["CustomerReference"],
        "company": detail["Customer"], "currencyCode": "AUD", "total": number(&note["Total"]),
        "creditNoteNumber": note["CreditNoteNumber"], "creditNoteDate": omni_date(day_of(at)),
        "completedDate": if completed { omni_date(day_of(at)) } else { Value::Null },
        "isVoid": false, "status": "Approved",
        "accountingAttributes": { "accountingImportStatus": "Imported" },
        "lineItems": [{ "code": null, "name": "Return", "qty": 1, "unitPrice": number(&note["TotalBeforeTax"]),
                        "unitCost": xero_amount(restock) }],
    })
}

/// The customers' payments as Omni records them against their sales orders (`orderId`,
/// `orderType`, `orderRef`): the payments of the shared business's invoices, whose planted
/// errors ("INV-… (paid …)": a payment never pushed to Xero, one edited there) stay in the
/// ground truth, as against Core.
fn payments(world: &XeroWorld) -> Records {
    let mut records = Vec::new();
    for (n, (at, _, detail)) in world.cin7.sales.iter().enumerate() {
        let paid = detail["Invoices"][0]["Payments"].as_array().into_iter().flatten();
        for payment in paid {
            let day = payment["DatePaid"]
                .as_str()
                .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok())
                .map_or(Value::Null, |t| omni_date(t.and_utc().timestamp_millis()));
            let modified = at + 700;
            records.push((modified, json!({
                "id": records.len() + 1, "createdDate": omni_date(modified), "modifiedDate": omni_date(modified),
                "paymentDate": day, "amount": number(&payment["Amount"]), "method": "Card",
                "isAuthorized": true, "orderId": n + 1, "orderType": "SalesOrder",
                "orderRef": detail["CustomerReference"],
            })));
        }
    }
    records.sort_by_key(|(modified, _)| *modified);
    for (index, (_, record)) in records.iter_mut().enumerate() {
        record["id"] = json!(index + 1);
    }
    records
}
