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
    sales: Documents,
    purchases: Documents,
    /// Stock adjustments (their list has no change time: all at 0).
    adjustments: Documents,
    /// The `transactions` feed: `(effective date ms, row)`, by date.
    transactions: Vec<(i64, Value)>,
    limiter: Limiter,
    dice: Dice,
    minute: std::time::Duration,
}

/// One kind of document as served: list rows by update time, and each detail as the JSON text
/// it is sent as (a third of its size as a `Value`), found through an index by id.
struct Documents {
    rows: Vec<(i64, Value)>,
    details: Vec<Box<str>>,
    index: HashMap<String, usize>,
}

impl Documents {
    fn new(documents: Vec<(i64, Value, Value)>, id_field: &str) -> Self {
        let mut served = Self { rows: Vec::new(), details: Vec::new(), index: HashMap::new() };
        for (i, (at, row, detail)) in documents.into_iter().enumerate() {
            if let Some(id) = row[id_field].as_str() {
                served.index.insert(id.to_string(), i);
            }
            served.rows.push((at, row));
            served.details.push(detail.to_string().into_boxed_str());
        }
        served
    }

    /// The detail whose id is the query's `field`.
    fn detail(&self, query: &HashMap<String, String>, field: &str) -> Response {
        let id = query.get(field).map(String::as_str).unwrap_or_default();
        match self.index.get(id) {
            Some(&i) => ok_text(self.details[i].to_string()),
            None => (StatusCode::NOT_FOUND, format!("no record with {field} {id}")).into_response(),
        }
    }
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
        let adjustments = world.adjustments.into_iter().map(|(row, detail)| (0, row, detail));
        Self {
            account_id: account_id.into(),
            application_key: application_key.into(),
            accounts,
            sales: Documents::new(world.sales, "SaleID"),
            purchases: Documents::new(world.purchases, "ID"),
            adjustments: Documents::new(adjustments.collect(), "TaskID"),
            transactions: world.transactions,
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
    let body = match path {
        // Cin7 promises no order: newest first here, so a reader must read the window whole.
        "saleList" => window.newest_first(&sim.sales.rows, since, "SaleList"),
        "purchaseList" => window.newest_first(&sim.purchases.rows, since, "PurchaseList"),
        "stockadjustmentList" => {
            window.page(sim.adjustments.rows.iter().map(|(_, row)| row), "StockAdjustmentList")
        }
        "sale" => return sim.sales.detail(&query, "ID"),
        "purchase" => return sim.purchases.detail(&query, "ID"),
        "stockadjustment" => return sim.adjustments.detail(&query, "TaskID"),
        "transactions" => {
            let day = |key: &str| {
                query
                    .get(key)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis())
            };
            let (from, to) = (day("FromDate"), day("ToDate"));
            // The feed is ordered by effective date: the window is found by bisection.
            let rows = &sim.transactions;
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

    /// The page of the documents updated at or after `since`, newest first. `rows` is ordered
    /// by update time, so the window starts at a bisection and a page costs its own rows only.
    fn newest_first(self, rows: &[(i64, Value)], since: Option<i64>, key: &str) -> Value {
        let first = since.map_or(0, |s| rows.partition_point(|(at, _)| *at < s));
        self.page(rows[first..].iter().rev().map(|(_, row)| row), key)
    }
}

fn ok(body: &Value) -> Response {
    ok_text(body.to_string())
}

fn ok_text(body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, StatusCode, Uri};
    use serde_json::Value;

    use super::{Cin7Sim, api};
    use crate::sim::data::{Cin7World, generate};
    use crate::sim::faults::{Dice, Faults};
    use crate::sim::limits::{Limiter, SimLimits};

    fn sim(world: Cin7World) -> Cin7Sim {
        let minute = std::time::Duration::from_mins(1);
        let limits = SimLimits { per_minute: 1_000_000, concurrent: 10, per_day: 1_000_000_000 };
        Cin7Sim::new(
            "a",
            "k",
            Vec::new(),
            world,
            Limiter::new(limits, minute),
            Dice::new(Faults::default(), 1),
            minute,
        )
    }

    /// `GET path_and_query` as the simulator answers it: the status and the JSON body.
    async fn get(sim: &Cin7Sim, path_and_query: &str) -> (StatusCode, Value) {
        let mut headers = HeaderMap::new();
        headers.insert("api-auth-accountid", "a".parse().unwrap());
        headers.insert("api-auth-applicationkey", "k".parse().unwrap());
        let uri: Uri = format!("/ExternalApi/v2/{path_and_query}").parse().unwrap();
        let path = uri.path().trim_start_matches("/ExternalApi/v2/").to_string();
        let response = api(sim, &path, &headers, &uri);
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn lists_page_their_update_window_newest_first_and_details_are_found_by_id() {
        let world = generate(4, 900).cin7;
        let sim = sim(world.clone());
        // The sales updated since the 300th's time, 100 a page, newest first: page 2.
        let since = world.sales[300].0;
        let stamp = chrono::DateTime::from_timestamp_millis(since).unwrap().to_rfc3339();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("UpdatedSince", &stamp)
            .append_pair("Page", "2")
            .append_pair("Limit", "100")
            .finish();
        let (status, page) = get(&sim, &format!("saleList?{query}")).await;
        assert_eq!(status, StatusCode::OK);
        let window: Vec<&Value> =
            world.sales.iter().filter(|(at, ..)| *at >= since).map(|(_, row, _)| row).collect();
        assert_eq!(page["Total"], window.len());
        let expected: Vec<&Value> = window.iter().rev().skip(100).take(100).copied().collect();
        assert_eq!(page["SaleList"].as_array().unwrap().iter().collect::<Vec<_>>(), expected);

        let (_, purchases) = get(&sim, &format!("purchaseList?{query}")).await;
        let window = world.purchases.iter().filter(|(at, ..)| *at >= since).count();
        assert!(window > 10, "purchases are listed: {window}");
        assert_eq!(purchases["Total"], window);
        let (_, adjustments) = get(&sim, "stockadjustmentList?Page=2&Limit=10").await;
        assert_eq!(adjustments["Total"], world.adjustments.len());
        assert_eq!(adjustments["StockAdjustmentList"][0], world.adjustments[10].0);

        for n in [0, 417, 899] {
            let (_, row, detail) = &world.sales[n];
            let (status, body) =
                get(&sim, &format!("sale?ID={}", row["SaleID"].as_str().unwrap())).await;
            assert_eq!((status, &body), (StatusCode::OK, detail));
        }
        let (_, row, detail) = &world.purchases[33];
        let (_, body) = get(&sim, &format!("purchase?ID={}", row["ID"].as_str().unwrap())).await;
        assert_eq!(&body, detail);
        let (row, detail) = &world.adjustments[5];
        let task = row["TaskID"].as_str().unwrap();
        assert_eq!(&get(&sim, &format!("stockadjustment?TaskID={task}")).await.1, detail);
        assert_eq!(get(&sim, "sale?ID=nope").await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&sim, "purchase?ID=nope").await.0, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn the_ledger_feed_serves_its_effective_date_window() {
        let world = generate(4, 900).cin7;
        let sim = sim(world.clone());
        // From a purchase's second event (three days after the sales) to the last late restock
        // (a month after): both ends hold rows, and the sales' own day is outside.
        let date_of =
            |i: usize| world.transactions[i].1["EffectiveDate"].as_str().unwrap()[..10].to_string();
        let last = world.transactions.len() - 1;
        let (from, to) = (date_of(last - 10), date_of(last));
        let (from, to) = (from.as_str(), to.as_str());
        assert_ne!(from, to);
        let (_, page) =
            get(&sim, &format!("transactions?FromDate={from}&ToDate={to}&Limit=1000")).await;
        let day = |d: &str| {
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let expected: Vec<&Value> = world
            .transactions
            .iter()
            .filter(|(at, _)| *at >= day(from) && *at <= day(to))
            .map(|(_, row)| row)
            .collect();
        assert!(!expected.is_empty() && expected.len() < world.transactions.len());
        assert_eq!(page["Total"], expected.len());
        assert_eq!(page["Transactions"].as_array().unwrap().iter().collect::<Vec<_>>(), expected);
        let (_, all) = get(&sim, "transactions?Limit=1000").await;
        assert_eq!(all["Total"], world.transactions.len());
    }
}
