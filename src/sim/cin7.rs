//! The simulated Cin7 Core: the API's authentication headers, its 60-calls-a-minute limit
//! answered with 503, a chart of accounts mirroring the simulated Xero organisation's, the
//! sales, purchases and stock adjustments the generator made (`saleList` and `purchaseList` by
//! `UpdatedSince`, in no promised order; `sale?ID=`, `purchase?ID=`;
//! `stockadjustmentList` read whole and `stockadjustment?TaskID=`), and the `transactions`
//! ledger feed by effective date. Products, sale credit note lists, stock transfers and
//! assemblies are empty. Every request costs its own page: lists are ordered (by update time,
//! the feed by effective date) and windows found by bisection, details through an index by id.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::faults::{Dice, Fault, cut_short};
use super::limits::Limiter;

/// The simulated Cin7 Core account.
pub struct Cin7Sim {
    pub account_id: String,
    pub application_key: String,
    /// `ref/account` rows.
    pub accounts: Vec<Value>,
    pub world: super::data::Cin7World,
    /// Positions in `world` by id: a detail request costs a lookup, not a scan.
    sales: HashMap<String, usize>,
    purchases: HashMap<String, usize>,
    adjustments: HashMap<String, usize>,
    limiter: Limiter,
    dice: Dice,
    minute: std::time::Duration,
}

impl Cin7Sim {
    pub fn new(
        account_id: &str,
        application_key: &str,
        accounts: Vec<Value>,
        world: super::data::Cin7World,
        limiter: Limiter,
        dice: Dice,
        minute: std::time::Duration,
    ) -> Self {
        let index = |ids: Vec<Option<&str>>| -> HashMap<String, usize> {
            ids.into_iter().enumerate().filter_map(|(i, id)| Some((id?.to_string(), i))).collect()
        };
        let sales = index(world.sales.iter().map(|(_, row, _)| row["SaleID"].as_str()).collect());
        let purchases =
            index(world.purchases.iter().map(|(_, row, _)| row["ID"].as_str()).collect());
        let adjustments =
            index(world.adjustments.iter().map(|(row, _)| row["TaskID"].as_str()).collect());
        Self {
            account_id: account_id.into(),
            application_key: application_key.into(),
            accounts,
            world,
            sales,
            purchases,
            adjustments,
            limiter,
            dice,
            minute,
        }
    }

    pub fn router(self: Arc<Self>) -> Router {
        Router::new().route("/ExternalApi/v2/{*path}", get(with_faults)).with_state(self)
    }
}

/// The seeded faults (see `faults`), then the API: a storm is Cin7's 503, an outage a 500.
async fn with_faults(
    State(state): State<Arc<Cin7Sim>>,
    Path(path): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let fault = state.dice.roll();
    match fault {
        Fault::ServerError => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "simulated outage").into_response();
        }
        Fault::TooMany => {
            return (StatusCode::SERVICE_UNAVAILABLE, "Too many requests").into_response();
        }
        Fault::Slow => tokio::time::sleep(state.minute / 12).await,
        Fault::None | Fault::Truncated | Fault::Dropped => {}
    }
    let response = api(&state, &path, &headers, &uri);
    if !matches!(fault, Fault::Truncated | Fault::Dropped) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let first =
        if fault == Fault::Truncated { bytes.slice(..bytes.len() / 2) } else { bytes.slice(..0) };
    Response::from_parts(parts, cut_short(first))
}

fn api(sim: &Cin7Sim, path: &str, headers: &HeaderMap, uri: &axum::http::Uri) -> Response {
    let header_is = |name: &str, expected: &str| {
        headers.get(name).and_then(|v| v.to_str().ok()) == Some(expected)
    };
    if !header_is("api-auth-accountid", &sim.account_id)
        || !header_is("api-auth-applicationkey", &sim.application_key)
    {
        return (StatusCode::FORBIDDEN, "Incorrect credentials!").into_response();
    }
    // Cin7 Core answers a broken limit with 503 and no Retry-After.
    let Ok((_flight, _)) = sim.limiter.admit() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "Too many requests").into_response();
    };
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let page: usize = query.get("Page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
    let limit: usize =
        query.get("Limit").and_then(|l| l.parse().ok()).unwrap_or(100).clamp(1, 1000);
    let window = Window { page, limit };
    let since = query
        .get("UpdatedSince")
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp_millis());
    let world = &sim.world;
    let body = match path {
        // Cin7 promises no order: newest first here, so a reader must read the window whole.
        "saleList" => window.newest_first(&world.sales, since, "SaleList", |(_, row, _)| row),
        "purchaseList" => {
            window.newest_first(&world.purchases, since, "PurchaseList", |(_, row, _)| row)
        }
        "stockadjustmentList" => {
            window.page(world.adjustments.iter().map(|(row, _)| row), "StockAdjustmentList")
        }
        "sale" => return detail(&sim.sales, &query, "ID", |i| &world.sales[i].2),
        "purchase" => return detail(&sim.purchases, &query, "ID", |i| &world.purchases[i].2),
        "stockadjustment" => {
            return detail(&sim.adjustments, &query, "TaskID", |i| &world.adjustments[i].1);
        }
        "transactions" => {
            let day = |key: &str| {
                query
                    .get(key)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis())
            };
            let (from, to) = (day("FromDate"), day("ToDate"));
            // The feed is ordered by effective date: the window is found by bisection.
            let rows = &world.transactions;
            let first = from.map_or(0, |f| rows.partition_point(|(at, _)| *at < f));
            let last = to.map_or(rows.len(), |t| rows.partition_point(|(at, _)| *at <= t));
            window.page(rows[first..last.max(first)].iter().map(|(_, row)| row), "Transactions")
        }
        "ref/account" => {
            json!({ "Total": sim.accounts.len(), "Page": 1, "AccountsList": sim.accounts })
        }
        // What the simulated account does not hold: empty lists.
        "product" => json!({ "Total": 0, "Page": 1, "Products": [] }),
        "saleCreditNoteList" => json!({ "Total": 0, "Page": 1, "SaleList": [] }),
        "stockTransferList" => json!({ "Total": 0, "Page": 1, "StockTransferList": [] }),
        "finishedGoodsList" => json!({ "Total": 0, "Page": 1, "FinishedGoods": [] }),
        other => {
            return (StatusCode::NOT_FOUND, format!("no such endpoint: {other}")).into_response();
        }
    };
    ok(&body)
}

/// One page of a list: `Page` (from 1) of `Limit` rows.
#[derive(Debug, Clone, Copy)]
struct Window {
    page: usize,
    limit: usize,
}

impl Window {
    /// The page of `rows` (all of them counted for `Total`) under `key`.
    fn page<'a>(self, rows: impl ExactSizeIterator<Item = &'a Value>, key: &str) -> Value {
        let total = rows.len();
        let slice: Vec<&Value> =
            rows.skip((self.page - 1).saturating_mul(self.limit)).take(self.limit).collect();
        json!({ "Total": total, "Page": self.page, key: slice })
    }

    /// The page of the documents updated at or after `since`, newest first. `docs` is ordered
    /// by update time, so the window starts at a bisection and a page costs its own rows only.
    fn newest_first(
        self,
        docs: &[(i64, Value, Value)],
        since: Option<i64>,
        key: &str,
        row: impl Fn(&(i64, Value, Value)) -> &Value,
    ) -> Value {
        let first = since.map_or(0, |s| docs.partition_point(|(at, ..)| *at < s));
        self.page(docs[first..].iter().rev().map(row), key)
    }
}

/// The detail whose id is the query's `field`, found through its index.
fn detail<'a>(
    index: &HashMap<String, usize>,
    query: &HashMap<String, String>,
    field: &str,
    at: impl Fn(usize) -> &'a Value,
) -> Response {
    let id = query.get(field).map(String::as_str).unwrap_or_default();
    match index.get(id) {
        Some(&i) => ok(at(i)),
        None => (StatusCode::NOT_FOUND, format!("no record with {field} {id}")).into_response(),
    }
}

fn ok(body: &Value) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
