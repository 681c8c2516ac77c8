//! The simulated Xero: the token endpoint (client credentials, authorization code, refresh
//! tokens that rotate and die after a grace), `/connections`, a sign-in page that redirects
//! straight back, and the Accounting API lists cxsync reads, with Xero's paging,
//! `If-Modified-Since`, Journals `offset`, the trial balance, its rate limits and headers.
//! `GET /sim/stats` (no token) counts the requests it answered, by endpoint and status, for
//! benchmarks that compare clients by the calls they make.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use chrono::NaiveDateTime;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::data::XeroWorld;
use super::faults::{Dice, Fault, cut_short};
use super::limits::{Breach, Limiter};

/// Refresh tokens stay usable this long (in Xero minutes) after they were rotated.
const REFRESH_GRACE_MINUTES: u32 = 30;
/// Access tokens live this long (in Xero minutes).
const ACCESS_MINUTES: u32 = 30;

/// The simulated organisation and its server-side state.
pub struct XeroSim {
    pub world: XeroWorld,
    pub client_id: String,
    pub client_secret: String,
    pub minute: Duration,
    limiter: Limiter,
    dice: Dice,
    counter: AtomicU64,
    tokens: Mutex<Tokens>,
    /// Requests answered: endpoint → status code → count.
    stats: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
}

#[derive(Default)]
struct Tokens {
    access: HashMap<String, Instant>,
    /// Refresh token → when it was rotated away (`None`: current).
    refresh: HashMap<String, Option<Instant>>,
}

impl XeroSim {
    pub fn new(
        world: XeroWorld,
        client_id: &str,
        client_secret: &str,
        minute: Duration,
        limiter: Limiter,
        dice: Dice,
    ) -> Self {
        Self {
            world,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            minute,
            limiter,
            dice,
            counter: AtomicU64::new(1),
            tokens: Mutex::new(Tokens::default()),
            stats: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn router(self: std::sync::Arc<Self>) -> Router {
        Router::new()
            .route("/connect/token", post(token))
            .route("/identity/connect/authorize", get(authorize))
            .route("/connections", get(connections))
            .route("/api.xro/2.0/Reports/TrialBalance", get(trial_balance))
            .route("/api.xro/2.0/{endpoint}", get(list))
            .route("/sim/stats", get(stats))
            .with_state(self)
    }

    /// Counts one answered request.
    fn count(&self, endpoint: &str, response: &Response) {
        let mut stats = self.stats.lock().expect("stats lock");
        *stats
            .entry(endpoint.to_owned())
            .or_default()
            .entry(response.status().as_u16())
            .or_default() += 1;
    }

    fn issue(&self, with_refresh: bool) -> Value {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let access = format!("sim-access-{n}");
        let mut tokens = self.tokens.lock().expect("token lock");
        tokens.access.insert(access.clone(), Instant::now() + self.minute * ACCESS_MINUTES);
        let mut body = json!({ "access_token": access, "token_type": "Bearer", "expires_in": ACCESS_MINUTES * 60 });
        if with_refresh {
            let refresh = format!("sim-refresh-{n}");
            tokens.refresh.insert(refresh.clone(), None);
            body["refresh_token"] = refresh.into();
        }
        body
    }

    fn authorised(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        self.tokens
            .lock()
            .expect("token lock")
            .access
            .get(token)
            .is_some_and(|expiry| *expiry > Instant::now())
    }
}

type Sim = std::sync::Arc<XeroSim>;

fn oauth_error(error: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": error }).to_string(),
    )
        .into_response()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn token(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let response = grant(&sim, &headers, &body);
    sim.count("token", &response);
    response
}

/// `{"Invoices": {"200": 13, "429": 0}, "token": {"200": 1}, …}`: the requests answered.
async fn stats(State(sim): State<Sim>) -> Response {
    let stats = sim.stats.lock().expect("stats lock");
    let body: serde_json::Map<String, Value> = stats
        .iter()
        .map(|(endpoint, by_status)| {
            let counts = by_status.iter().map(|(status, n)| (status.to_string(), json!(n)));
            (endpoint.clone(), Value::Object(counts.collect()))
        })
        .collect();
    json_response(StatusCode::OK, &Value::Object(body))
}

fn grant(sim: &XeroSim, headers: &HeaderMap, body: &Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let client_ok = basic.as_deref() == Some(&format!("{}:{}", sim.client_id, sim.client_secret))
        || form.get("client_id") == Some(&sim.client_id);
    if !client_ok {
        return oauth_error("invalid_client");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => json_response(StatusCode::OK, &sim.issue(false)),
        Some("authorization_code") if form.get("code").is_some_and(|c| c == "sim-code") => {
            json_response(StatusCode::OK, &sim.issue(true))
        }
        Some("refresh_token") => {
            let presented = form.get("refresh_token").cloned().unwrap_or_default();
            {
                let mut tokens = sim.tokens.lock().expect("token lock");
                let grace = sim.minute * REFRESH_GRACE_MINUTES;
                match tokens.refresh.get(&presented) {
                    Some(None) => {
                        tokens.refresh.insert(presented, Some(Instant::now()));
                    }
                    Some(Some(rotated)) if rotated.elapsed() < grace => {}
                    _ => return oauth_error("invalid_grant"),
                }
            }
            json_response(StatusCode::OK, &sim.issue(true))
        }
        _ => oauth_error("unsupported_grant_type"),
    }
}

/// The sign-in page: grants at once and sends the browser back with a code.
async fn authorize(uri: Uri) -> Response {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let (Some(redirect), Some(state)) = (query.get("redirect_uri"), query.get("state")) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri and state are required").into_response();
    };
    let Ok(mut target) = url::Url::parse(redirect) else {
        return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response();
    };
    target.query_pairs_mut().append_pair("code", "sim-code").append_pair("state", state);
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

async fn connections(State(sim): State<Sim>, headers: HeaderMap) -> Response {
    if !sim.authorised(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    json_response(
        StatusCode::OK,
        &json!([{ "id": "sim-connection", "tenantId": sim.world.tenant_id, "tenantName": "Simulated Trading Pty Ltd", "tenantType": "ORGANISATION" }]),
    )
}

/// Authentication, tenant, rate limits and faults, then `body` with Xero's limit headers.
async fn guarded(
    sim: &XeroSim,
    headers: &HeaderMap,
    body: impl FnOnce() -> Result<Value, (StatusCode, Value)>,
) -> Response {
    if !sim.authorised(headers) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({ "Title": "Unauthorized", "Status": 401, "Detail": "AuthenticationUnsuccessful" }),
        );
    }
    if headers.get("xero-tenant-id").and_then(|v| v.to_str().ok())
        != Some(sim.world.tenant_id.as_str())
    {
        return json_response(
            StatusCode::FORBIDDEN,
            &json!({ "Title": "Forbidden", "Status": 403, "Detail": "AuthorizationUnsuccessful" }),
        );
    }
    let fault = sim.dice.roll();
    let (flight, remaining) = match (fault, sim.limiter.admit()) {
        (Fault::TooMany, _) | (_, Err(Breach::Minute)) => return too_many("minute", 60),
        (_, Err(Breach::Concurrent)) => {
            // Too many at once says nothing about the minute's allowance.
            let mut response = too_many("concurrent", 1);
            response.headers_mut().remove("x-minlimit-remaining");
            return response;
        }
        (_, Err(Breach::Day { retry_after })) => {
            let real = retry_after.as_secs_f64() * 60.0 / sim.minute.as_secs_f64();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            // a small positive count of seconds
            return too_many("day", real.ceil() as u64);
        }
        (_, Ok(admitted)) => admitted,
    };
    let body = match body() {
        Ok(body) => body.to_string(),
        Err((status, problem)) => return json_response(status, &problem),
    };
    let response = match fault {
        Fault::ServerError => {
            return (StatusCode::SERVICE_UNAVAILABLE, "simulated outage").into_response();
        }
        Fault::Slow => {
            tokio::time::sleep(sim.minute / 12).await;
            Body::from(body)
        }
        Fault::Truncated => {
            let bytes = Bytes::from(body);
            cut_short(bytes.slice(..bytes.len() / 2))
        }
        Fault::Dropped => cut_short(Bytes::new()),
        Fault::None | Fault::TooMany => Body::from(body),
    };
    drop(flight);
    let mut response = Response::new(response);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, "application/json".parse().expect("static"));
    h.insert("x-minlimit-remaining", remaining.minute.into());
    h.insert("x-daylimit-remaining", remaining.day.into());
    h.insert("x-appminlimit-remaining", 9_999_usize.into());
    response
}

fn too_many(problem: &str, retry_after_s: u64) -> Response {
    let mut response =
        json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "Title": "Too Many Requests" }));
    let h = response.headers_mut();
    h.insert(header::RETRY_AFTER, retry_after_s.into());
    h.insert("x-rate-limit-problem", problem.parse().expect("ASCII"));
    h.insert("x-minlimit-remaining", 0.into());
    response
}

fn query_map(uri: &Uri) -> HashMap<String, String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect()
}

async fn list(
    State(sim): State<Sim>,
    Path(endpoint): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = query_map(&uri);
    let since =
        headers.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()).and_then(|v| {
            NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
                .map(|t| t.and_utc())
                // Xero takes a zoned time too (tap-xero sends `2026-01-02T03:04:05.000000Z`).
                .or_else(|_| chrono::DateTime::parse_from_rfc3339(v).map(|t| t.to_utc()))
                .ok()
                .map(|t| t.timestamp_millis())
        });
    let response = guarded(&sim, &headers, || {
        let world = &sim.world;
        Ok(match endpoint.as_str() {
            "Organisation" => json!({ "Status": "OK", "Organisations": [world.organisation] }),
            "Accounts" => json!({ "Status": "OK", "Accounts": world.accounts }),
            "TrackingCategories" => json!({ "Status": "OK", "TrackingCategories": world.tracking_categories }),
            "Journals" => {
                let offset: i64 = query.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0);
                // Journals are ordered by number: find the first after `offset` by bisection.
                let first = world.journals.partition_point(|j| j["JournalNumber"].as_i64().unwrap_or(0) <= offset);
                let page: Vec<&Value> = world.journals[first..].iter().take(100).collect();
                json!({ "Status": "OK", "Journals": page })
            }
            other => {
                let Some((key, items)) = world.lists.get_key_value(other) else {
                    return Err((StatusCode::NOT_FOUND, json!({ "Title": "Resource not found" })));
                };
                // Xero takes `Statuses` on Invoices only; other lists filter by `where`
                // (the simulator understands `Status=="X"`).
                let statuses: Option<Vec<&str>> = match other {
                    "Invoices" => query.get("Statuses").map(|s| s.split(',').collect()),
                    _ => query.get("where").and_then(|w| w.strip_prefix("Status==\"")).and_then(|w| w.strip_suffix('"')).map(|s| vec![s]),
                };
                let page: usize = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1);
                let size: usize = query.get("pageSize").and_then(|p| p.parse().ok()).unwrap_or(100).clamp(1, 1000);
                // Items are ordered by `updated_ms`: the window starts at a bisection.
                let first = since.map_or(0, |s| items.partition_point(|item| item.updated_ms < s));
                let records: Vec<&Value> = items[first..]
                    .iter()
                    .filter(|item| statuses.as_ref().is_none_or(|wanted| wanted.contains(&item.status.as_str())))
                    .skip((page - 1) * size)
                    .take(size)
                    .map(|item| &item.json)
                    .collect();
                json!({ "Status": "OK", "pagination": { "page": page, "pageSize": size }, *key: records })
            }
        })
    })
    .await;
    sim.count(&endpoint, &response);
    response
}

async fn trial_balance(State(sim): State<Sim>, headers: HeaderMap, uri: Uri) -> Response {
    let query = query_map(&uri);
    let response = guarded(&sim, &headers, || {
        let date = query.get("date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).ok_or_else(|| (StatusCode::BAD_REQUEST, json!({ "Title": "date=YYYY-MM-DD is required" })))?;
        let date_ms = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
        let rows: Vec<Value> = sim
            .world
            .balances(date_ms)
            .into_iter()
            .map(|(code, name, balance)| {
                let (debit, credit) = if balance.is_sign_negative() { (String::new(), format!("{:.2}", -balance)) } else { (format!("{balance:.2}"), String::new()) };
                json!({ "RowType": "Row", "Cells": [
                    { "Value": format!("{name} ({code})") }, { "Value": "" }, { "Value": "" }, { "Value": debit }, { "Value": credit }
                ] })
            })
            .collect();
        Ok(json!({ "Status": "OK", "Reports": [{
            "ReportID": "TrialBalance", "ReportName": "Trial Balance", "ReportType": "TrialBalance",
            "ReportDate": date.format("%-d %B %Y").to_string(),
            "Rows": [
                { "RowType": "Header", "Cells": [{ "Value": "Account" }, { "Value": "Debit" }, { "Value": "Credit" }, { "Value": "YTD Debit" }, { "Value": "YTD Credit" }] },
                { "RowType": "Section", "Title": "Accounts", "Rows": rows }
            ]
        }] }))
    })
    .await;
    sim.count("Reports/TrialBalance", &response);
    response
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::sim::{SimConfig, Simulator};

    async fn get(http: &reqwest::Client, url: &str, token: &str, tenant: &str) -> (u16, Value) {
        let response = http
            .get(url)
            .bearer_auth(token)
            .header("xero-tenant-id", tenant)
            .header("if-modified-since", "2026-01-01T00:10:00")
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn stats_count_answered_requests_and_pages_start_where_the_query_says() {
        let sim = Simulator::start(SimConfig { size: 300, ..SimConfig::default() }).await.unwrap();
        let (base, tenant) = (sim.xero_base(), sim.tenant_id.clone());
        let http = reqwest::Client::new();
        let token = http
            .post(format!("{base}/connect/token"))
            .basic_auth("sim-client", Some("sim-secret"))
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token: Value = serde_json::from_str(&token).unwrap();
        let token = token["access_token"].as_str().unwrap();

        let (_, journals) =
            get(&http, &format!("{base}/api.xro/2.0/Journals?offset=100"), token, &tenant).await;
        assert_eq!(journals["Journals"][0]["JournalNumber"], 101);
        let (_, invoices) =
            get(&http, &format!("{base}/api.xro/2.0/Invoices?page=2"), token, &tenant).await;
        // Page 2 of the invoices updated since 00:10 (If-Modified-Since), 100 a page.
        let since = 1_767_226_200_000;
        let world = crate::sim::data::generate(sim.config.seed, sim.config.size);
        let expected: Vec<&Value> = world.lists["Invoices"]
            .iter()
            .filter(|i| i.updated_ms >= since)
            .skip(100)
            .take(100)
            .map(|i| &i.json)
            .collect();
        assert!(!expected.is_empty(), "page 2 holds invoices");
        assert_eq!(invoices["Invoices"].as_array().unwrap().iter().collect::<Vec<_>>(), expected);
        let (refused, _) =
            get(&http, &format!("{base}/api.xro/2.0/Invoices"), "not-a-token", &tenant).await;
        assert_eq!(refused, 401);

        let answered = http.get(format!("{base}/sim/stats")).send().await.unwrap().text().await;
        let answered: Value = serde_json::from_str(&answered.unwrap()).unwrap();
        assert_eq!(
            answered,
            serde_json::json!({
                "token": { "200": 1 }, "Journals": { "200": 1 }, "Invoices": { "200": 1, "401": 1 }
            })
        );
    }
}
