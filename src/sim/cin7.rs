//! The simulated Cin7 Core: the API's authentication headers, its 60-calls-a-minute limit
//! answered with 503, and an account whose chart of accounts mirrors the simulated Xero
//! organisation's but which holds no sales, purchases, stock tasks or ledger transactions yet
//! (the generator does not make a Cin7 side so far; see `super`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::limits::Limiter;

/// The simulated Cin7 Core account.
pub struct Cin7Sim {
    pub account_id: String,
    pub application_key: String,
    /// `ref/account` rows.
    pub accounts: Vec<Value>,
    limiter: Limiter,
}

impl Cin7Sim {
    pub fn new(
        account_id: &str,
        application_key: &str,
        accounts: Vec<Value>,
        limiter: Limiter,
    ) -> Self {
        Self {
            account_id: account_id.into(),
            application_key: application_key.into(),
            accounts,
            limiter,
        }
    }

    pub fn router(self: Arc<Self>) -> Router {
        Router::new().route("/ExternalApi/v2/{*path}", get(api)).with_state(self)
    }
}

async fn api(
    State(sim): State<Arc<Cin7Sim>>,
    Path(path): Path<String>,
    headers: HeaderMap,
) -> Response {
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
    let lists: HashMap<&str, &str> = [
        ("product", "Products"),
        ("saleList", "SaleList"),
        ("saleCreditNoteList", "SaleList"),
        ("purchaseList", "PurchaseList"),
        ("stockadjustmentList", "StockAdjustmentList"),
        ("stockTransferList", "StockTransferList"),
        ("finishedGoodsList", "FinishedGoods"),
        ("transactions", "Transactions"),
    ]
    .into_iter()
    .collect();
    let body = match path.as_str() {
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
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
