//! The Xero Accounting API client: authenticated GETs of JSON through the shared layer.
//!
//! It knows Xero's headers (`xero-tenant-id`, `If-Modified-Since` in Xero's own format), turns
//! 304 into "nothing changed", retries once with a new token after a 401, and reports a 403
//! as the missing scope or tier it is. It parses nothing beyond "is this JSON": records are
//! the normaliser's job, and where they go is the sync's.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue};
use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use super::auth::{AccessToken, AuthError, TokenSource};
use super::identity::{self, IdentityError};
use crate::http::{ApiRequest, HttpError, HttpLayer, Quota};

/// Errors of one Xero API call.
#[derive(Debug, thiserror::Error)]
pub enum XeroError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Which organisation to read could not be settled.
    #[error("connection `{connection}`: {detail}")]
    Tenant { connection: String, detail: String },
    /// The app may not read this endpoint (a missing scope, or a Xero tier without it).
    #[error(
        "Xero refused {endpoint} for connection `{connection}` (HTTP {status}): the app is not \
         granted it (scope or Xero plan)"
    )]
    Refused { connection: String, endpoint: String, status: u16 },
    /// The body is not JSON (cut short, an HTML error page…).
    #[error(
        "Xero {endpoint} answered with something that is not JSON ({detail}); it begins: {excerpt}"
    )]
    NotJson { endpoint: String, detail: String, excerpt: String },
}

impl XeroError {
    /// A body from `endpoint` that `err` says is not JSON, quoting its beginning.
    pub fn not_json(endpoint: &str, err: &serde_json::Error, body: &[u8]) -> Self {
        Self::NotJson {
            endpoint: endpoint.into(),
            detail: err.to_string(),
            excerpt: String::from_utf8_lossy(body).chars().take(200).collect(),
        }
    }

    /// Whether the next cycle may succeed without anyone acting.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http(err) => err.is_transient(),
            Self::Auth(err) => !err.needs_admin(),
            Self::NotJson { .. } => true,
            Self::Tenant { .. } | Self::Refused { .. } => false,
        }
    }
}

/// One Xero organisation, as one connection reads it.
pub struct XeroClient {
    connection: String,
    api_url: Url,
    identity_url: Url,
    layer: Arc<HttpLayer>,
    quota: Arc<Quota>,
    tokens: Arc<TokenSource>,
    /// The tenant id: configured, stored at sign-in, or read from `/connections` once.
    tenant: Mutex<Option<String>>,
}

impl std::fmt::Debug for XeroClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XeroClient")
            .field("connection", &self.connection)
            .field("api_url", &self.api_url.as_str())
            .finish_non_exhaustive()
    }
}

impl XeroClient {
    pub fn new(
        connection: &str,
        api_url: Url,
        identity_url: Url,
        tenant_id: Option<String>,
        layer: Arc<HttpLayer>,
        quota: Arc<Quota>,
        tokens: Arc<TokenSource>,
    ) -> Self {
        Self {
            connection: connection.into(),
            api_url,
            identity_url,
            layer,
            quota,
            tokens,
            tenant: Mutex::new(tenant_id),
        }
    }

    /// Gets (or reuses) an access token: a cheap first step that tells a cycle whether this
    /// connection can run at all.
    pub async fn authenticate(&self) -> Result<(), XeroError> {
        self.tokens.access_token().await.map(drop).map_err(XeroError::from)
    }

    /// The quota this client's calls count against (for status and budgets).
    pub fn quota(&self) -> &Arc<Quota> {
        &self.quota
    }

    /// `GET {api_url}/{path}?{query}`, parsed; `None` when `modified_since` is given and Xero
    /// answers 304 Not Modified.
    pub async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        modified_since: Option<DateTime<Utc>>,
    ) -> Result<Option<Value>, XeroError> {
        let Some(body) = self.get_body(path, query, modified_since).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|err| XeroError::not_json(path, &err, &body))
    }

    /// [`Self::get`] without parsing: the body as Xero sent it, for a caller that reads it
    /// itself (and reports a body that is not JSON with [`XeroError::not_json`]).
    pub async fn get_body(
        &self,
        path: &str,
        query: &[(&str, String)],
        modified_since: Option<DateTime<Utc>>,
    ) -> Result<Option<Vec<u8>>, XeroError> {
        let mut url = self.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| HttpError::Setup("xero.api_url cannot be a base URL".into()))?
            .pop_if_empty()
            .extend(path.split('/'));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut retried_auth = false;
        loop {
            let token = self.tokens.access_token().await?;
            let tenant = self.tenant(&token).await?;
            let request = self.request(url.clone(), &token, &tenant, modified_since)?;
            match self.layer.send(&self.quota, &request).await {
                Ok(response) => return Ok(Some(response.body)),
                Err(HttpError::Status { status: 304, .. }) if modified_since.is_some() => {
                    return Ok(None);
                }
                Err(HttpError::Status { status: 401, .. }) if !retried_auth => {
                    // The token may have been revoked or expired early: one fresh try.
                    retried_auth = true;
                    self.tokens.invalidate().await;
                }
                Err(HttpError::Status { status: status @ (401 | 403), .. }) => {
                    return Err(XeroError::Refused {
                        connection: self.connection.clone(),
                        endpoint: path.into(),
                        status,
                    });
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    fn request(
        &self,
        url: Url,
        token: &AccessToken,
        tenant: &str,
        modified_since: Option<DateTime<Utc>>,
    ) -> Result<ApiRequest, XeroError> {
        let mut request = ApiRequest::get(url);
        request.headers.insert(AUTHORIZATION, super::bearer(&token.secret)?);
        request.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let tenant = HeaderValue::from_str(tenant).map_err(|_| XeroError::Tenant {
            connection: self.connection.clone(),
            detail: format!("tenant id {tenant:?} is not a valid header value"),
        })?;
        request.headers.insert(HeaderName::from_static("xero-tenant-id"), tenant);
        if let Some(since) = modified_since {
            // Xero wants its own format, UTC, whole seconds: 2009-11-12T00:00:00.
            let value = since.format("%Y-%m-%dT%H:%M:%S").to_string();
            request.headers.insert(
                reqwest::header::IF_MODIFIED_SINCE,
                HeaderValue::from_str(&value).expect("ASCII"),
            );
        }
        Ok(request)
    }

    async fn tenant(&self, token: &AccessToken) -> Result<String, XeroError> {
        let mut tenant = self.tenant.lock().await;
        if let Some(id) = tenant.as_ref().or(token.tenant_id.as_ref()) {
            return Ok(id.clone());
        }
        let tenants =
            identity::tenants(&self.layer, &self.quota, &self.identity_url, &token.secret)
                .await
                .map_err(|err| match err {
                    IdentityError::Http(err) => XeroError::Http(err),
                    IdentityError::Parse(err) => XeroError::Tenant {
                        connection: self.connection.clone(),
                        detail: err.to_string(),
                    },
                })?;
        let chosen = identity::choose_tenant(&tenants, None, &self.connection)
            .map_err(|detail| XeroError::Tenant { connection: self.connection.clone(), detail })?;
        tracing::info!(connection = %self.connection, tenant = %chosen.tenant_id, name = chosen.tenant_name.as_deref().unwrap_or(""), "using the only Xero organisation this app is connected to");
        *tenant = Some(chosen.tenant_id.clone());
        Ok(chosen.tenant_id.clone())
    }
}
