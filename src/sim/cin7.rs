//! The simulated Cin7 Core: the API's authentication headers, its 60-calls-a-minute limit
//! answered with 503, a chart of accounts mirroring the simulated Xero organisation's, the
//! sales the generator made (`saleList` by `UpdatedSince`, unordered pages, `sale?ID=`), and
//! the `transactions` ledger feed by effective date. Purchases and stock tasks are empty.

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
        Self {
            account_id: account_id.into(),
            application_key: application_key.into(),
            accounts,
            world,
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
    let paged = |rows: Vec<&Value>, key: &str| {
        let total = rows.len();
        let slice: Vec<&Value> = rows.into_iter().skip((page - 1) * limit).take(limit).collect();
        json!({ "Total": total, "Page": page, key: slice })
    };
    match path {
        "saleList" => {
            let since = query
                .get("UpdatedSince")
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.timestamp_millis());
            // Cin7 promises no order: newest first here, so a reader must read the window whole.
            let rows: Vec<&Value> = sim
                .world
                .sales
                .iter()
                .rev()
                .filter(|(at, ..)| since.is_none_or(|s| *at >= s))
                .map(|(_, row, _)| row)
                .collect();
            return ok(&paged(rows, "SaleList"));
        }
        "sale" => {
            let id = query.get("ID").map(String::as_str).unwrap_or_default();
            return match sim.world.sales.iter().find(|(_, row, _)| row["SaleID"] == id) {
                Some((_, _, detail)) => ok(detail),
                None => (StatusCode::NOT_FOUND, "sale not found").into_response(),
            };
        }
        "transactions" => {
            let day = |key: &str| {
                query
                    .get(key)
                    .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                    .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis())
            };
            let (from, to) = (day("FromDate"), day("ToDate"));
            let rows: Vec<&Value> = sim
                .world
                .transactions
                .iter()
                .filter(|(at, _)| from.is_none_or(|f| *at >= f) && to.is_none_or(|t| *at <= t))
                .map(|(_, row)| row)
                .collect();
            return ok(&paged(rows, "Transactions"));
        }
        _ => {}
    }
    let lists: HashMap<&str, &str> = [
        ("product", "Products"),
        ("saleCreditNoteList", "SaleList"),
        ("purchaseList", "PurchaseList"),
        ("stockadjustmentList", "StockAdjustmentList"),
        ("stockTransferList", "StockTransferList"),
        ("finishedGoodsList", "FinishedGoods"),
        ("transactions", "Transactions"),
    ]
    .into_iter()
    .collect();
    let body = match path {
        "ref/account" => {
            json!({ "Total": sim.accounts.len(), "Page": 1, "AccountsList": sim.accounts })
        }
        list => match lists.get(list) {
            Some(key) => json!({ "Total": 0, "Page": 1, *key: [] }),
            None => {
                return (StatusCode::NOT_FOUND, format!("no such endpoint: {list}"))
                    .into_response();
            }
        },
    };
    ok(&body)
}

fn ok(body: &Value) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
