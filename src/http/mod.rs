//! The shared HTTP layer every API client goes through: rate limiting, concurrency, retries
//! with backoff, limit-header feedback, and the call log. It knows no API: Xero and Cin7 pass
//! it requests and a [`Quota`]; it returns bodies or typed errors.
//!
//! Architecture:
//! - [`HttpLayer`]: one `reqwest` client (rustls, timeouts on every call), the retry policy,
//!   the call recorder, and the per-app limits shared across tenants.
//! - [`Quota`]: per (system, connection): a governor limiter per minute (and per second), a
//!   semaphore for concurrency, a rolling day log, pauses from limit headers, parking.
//! - [`RetryPolicy`]: which failures are retried, how many times, how long between.
//! - [`CallRecorder`]: where each call is written (the store's `api_calls`).

mod calls;
mod error;
mod quota;
mod retry;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use url::Url;

pub use calls::{CallRecord, CallRecorder, LimitHeaders, NoRecorder};
pub use error::{HttpError, TransportKind};
pub use quota::{AppLimit, Pacing, Quota, QuotaSpec, QuotaStatus};
pub use retry::RetryPolicy;

use crate::clock::Clock;
use quota::Admission;

/// How much of an error body is kept in errors and the call log.
const BODY_EXCERPT: usize = 300;

/// Settings of the layer itself.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// The whole request, body included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_mins(1),
            retry: RetryPolicy::default(),
            user_agent: format!("cxsync/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A request as clients describe it. Headers holding secrets must be marked sensitive.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
    /// Return 4xx responses (other than 429) as responses instead of errors, for protocols
    /// whose error bodies the caller must read (OAuth2's `invalid_grant`).
    pub accept_client_errors: bool,
}

impl ApiRequest {
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::GET,
            url,
            headers: HeaderMap::new(),
            body: None,
            accept_client_errors: false,
        }
    }
}

/// A complete response (the body is read inside the retry loop, so a body cut short is
/// retried like any other transport failure).
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub limits: LimitHeaders,
}

/// The shared client.
pub struct HttpLayer {
    client: reqwest::Client,
    retry: RetryPolicy,
    recorder: Arc<dyn CallRecorder>,
    clock: Arc<dyn Clock>,
    apps: Mutex<HashMap<&'static str, Arc<AppLimit>>>,
}

impl std::fmt::Debug for HttpLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpLayer").field("retry", &self.retry).finish_non_exhaustive()
    }
}

impl HttpLayer {
    pub fn new(
        settings: &HttpSettings,
        recorder: Arc<dyn CallRecorder>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(&settings.user_agent)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| HttpError::Setup(err.to_string()))?;
        Ok(Self {
            client,
            retry: settings.retry,
            recorder,
            clock,
            apps: Mutex::new(HashMap::new()),
        })
    }

    /// The `reqwest` client, for libraries that bring their own request code (OAuth2).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// A quota for one connection of one system. `app_per_minute` is the app-wide limit
    /// shared by every quota of `system` (Xero), if any.
    pub fn quota(
        &self,
        system: &'static str,
        connection: &str,
        spec: QuotaSpec,
        app_per_minute: Option<u32>,
    ) -> Arc<Quota> {
        let app = app_per_minute.map(|per_minute| {
            let mut apps = self.apps.lock().expect("apps lock");
            Arc::clone(
                apps.entry(system)
                    .or_insert_with(|| Arc::new(AppLimit::new(per_minute, spec.minute))),
            )
        });
        Arc::new(Quota::new(system, connection, spec, app))
    }

    /// Sends `request` under `quota`: paced, retried on transient failures, rate-limit waits
    /// honoured, every attempt recorded. Returns the response of a 2xx status, else an error.
    pub async fn send(
        &self,
        quota: &Quota,
        request: &ApiRequest,
    ) -> Result<ApiResponse, HttpError> {
        let endpoint = request.url.path().to_string();
        let system = quota.system;
        // Failures (transport errors, 5xx) count against `max_attempts`; rate-limit waits
        // count against `max_rate_limit_waits` only.
        let mut attempts = 0;
        let mut failures = 0;
        let mut rate_waits = 0;
        loop {
            let permit = match quota.admit(self.clock.now()).await {
                Admission::Go(permit) => permit,
                Admission::Parked(until) => {
                    return Err(HttpError::Parked {
                        system: system.into(),
                        connection: quota.connection.clone(),
                        until,
                    });
                }
            };
            attempts += 1;
            let outcome = self.attempt(quota, request, &endpoint).await;
            drop(permit);
            let failure = match outcome {
                Ok(response) if response.status.is_success() => return Ok(response),
                Ok(response) => response,
                Err((kind, message)) => {
                    failures += 1;
                    if failures >= self.retry.max_attempts {
                        return Err(HttpError::Transport {
                            system: system.into(),
                            endpoint,
                            kind,
                            attempts,
                            message,
                        });
                    }
                    tracing::warn!(system, connection = %quota.connection, %endpoint, attempt = attempts, "{kind}: {message}; retrying");
                    tokio::time::sleep(quota.spec.scaled(self.retry.backoff(failures))).await;
                    continue;
                }
            };
            let status = failure.status.as_u16();
            let is_rate_limit = status == 429 || (status == 503 && quota.spec.rate_limit_503);
            if is_rate_limit {
                let problem = failure.limits.problem.clone();
                // No Retry-After (Cin7): wait for the window to pass.
                let retry_after = failure
                    .limits
                    .retry_after_s
                    .map_or(Duration::from_mins(1), Duration::from_secs);
                let wait = quota.spec.scaled(retry_after);
                if problem.as_deref() == Some("day") {
                    let until = quota.park(wait, self.clock.now());
                    tracing::warn!(system, connection = %quota.connection, %until, "daily call limit reached: this connection is parked");
                    return Err(HttpError::Parked {
                        system: system.into(),
                        connection: quota.connection.clone(),
                        until,
                    });
                }
                rate_waits += 1;
                if rate_waits > self.retry.max_rate_limit_waits
                    || wait > quota.spec.scaled(self.retry.max_server_wait)
                {
                    return Err(HttpError::RateLimited {
                        system: system.into(),
                        endpoint,
                        retry_after,
                        problem,
                    });
                }
                tracing::info!(system, connection = %quota.connection, %endpoint, wait_ms = wait.as_millis(), problem = problem.as_deref().unwrap_or("unstated"), "rate limited: waiting");
                tokio::time::sleep(wait).await;
                continue;
            }
            if status < 500 && request.accept_client_errors {
                return Ok(failure);
            }
            let body = excerpt(&failure.body);
            failures += 1;
            if status < 500 || failures >= self.retry.max_attempts {
                return Err(HttpError::Status {
                    system: system.into(),
                    endpoint,
                    status,
                    attempts,
                    body,
                });
            }
            tracing::warn!(system, connection = %quota.connection, %endpoint, status, attempt = attempts, "server error; retrying");
            tokio::time::sleep(quota.spec.scaled(self.retry.backoff(failures))).await;
        }
    }

    /// One attempt: send, read the whole body, record it.
    async fn attempt(
        &self,
        quota: &Quota,
        request: &ApiRequest,
        endpoint: &str,
    ) -> Result<ApiResponse, (TransportKind, String)> {
        let started_at = self.clock.now();
        let started = tokio::time::Instant::now();
        let mut builder = self
            .client
            .request(request.method.clone(), request.url.clone())
            .headers(request.headers.clone());
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let result = match builder.send().await {
            Ok(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                match response.bytes().await {
                    Ok(body) => Ok((status, headers, body.to_vec())),
                    Err(err) => Err((TransportKind::Body, Some(status), describe(&err))),
                }
            }
            Err(err) => Err((classify(&err), None, describe(&err))),
        };
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status, limits, error) = match &result {
            Ok((status, headers, body)) => {
                let limits = LimitHeaders::from_headers(headers);
                let error = (!status.is_success()).then(|| excerpt(body));
                (Some(status.as_u16()), limits, error)
            }
            Err((kind, status, message)) => (
                status.map(|s| s.as_u16()),
                LimitHeaders::default(),
                Some(format!("{kind}: {message}")),
            ),
        };
        quota.observe(&limits);
        self.recorder.record(&CallRecord {
            system: quota.system,
            connection: Some(quota.connection.clone()),
            endpoint: endpoint.to_string(),
            method: request.method.to_string(),
            status,
            error,
            started_at,
            duration_ms,
            limits: limits.clone(),
        });
        match result {
            Ok((status, headers, body)) => Ok(ApiResponse { status, headers, body, limits }),
            Err((kind, _, message)) => Err((kind, message)),
        }
    }
}

fn classify(err: &reqwest::Error) -> TransportKind {
    if err.is_timeout() {
        TransportKind::Timeout
    } else if err.is_connect() {
        TransportKind::Connect
    } else if err.is_body() || err.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    }
}

/// The error and its causes (hyper's "connection reset" is two levels down). URLs carry no
/// secrets: every credential travels in headers or a form body.
fn describe(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
