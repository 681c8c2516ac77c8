//! The Cin7 Omni API client: authenticated GETs of one list page through the shared layer.
//!
//! It knows Omni's HTTP Basic sign-in (the `Authorization` header is built once and marked
//! sensitive, so it never reaches a log), and tells apart the two refusals Omni gives: 401,
//! the user name or key is wrong (every call will fail), and 403, the API user may not read
//! this endpoint (the others may still work). Rate limiting (429, with `Retry-After` where
//! Omni sends one) is the shared layer's job, through [`super::quota_spec`]. It parses nothing
//! beyond "is this a JSON array": records are the normaliser's job.

use std::sync::Arc;

use base64::Engine as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::config::{Cin7Credentials, Cin7Settings, Secret};
use crate::http::{ApiRequest, HttpError, HttpLayer, Quota};

/// Errors of one Cin7 Omni API call. None carries a credential.
#[derive(Debug, thiserror::Error)]
pub enum OmniError {
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Omni refused the user name and key (HTTP 401): every call will be refused.
    #[error(
        "Cin7 Omni refused the sign-in of connection `{connection}` (HTTP 401 on {endpoint}): \
         the API username or key is wrong. Check cin7.username (`{username}`, from the config \
         file) and cin7.api_key (from {key_source}) against Settings → Integrations & API → \
         API v1 in Cin7 Omni; a key shown there once must be copied whole, and a regenerated \
         key replaces the old one"
    )]
    BadCredentials { connection: String, endpoint: String, username: String, key_source: String },
    /// The API user may not read this endpoint (HTTP 403); other endpoints may work.
    #[error(
        "Cin7 Omni: the API user `{username}` of connection `{connection}` lacks permission \
         for {endpoint} (HTTP 403): enable {endpoint} for this API user in Cin7 Omni → \
         Settings → Integrations & API → API v1 (its permission ticks); the other endpoints \
         are still synced"
    )]
    Forbidden { connection: String, endpoint: String, username: String },
    /// The body is not a JSON array (cut short, an HTML error page, an error object…).
    #[error(
        "Cin7 Omni {endpoint} answered with something that is not a JSON array of records \
         ({detail}); it begins: {excerpt}"
    )]
    NotArray { endpoint: String, detail: String, excerpt: String },
    /// The client cannot be built from this configuration.
    #[error("connection `{connection}`: {detail}")]
    Setup { connection: String, detail: String },
}

impl OmniError {
    /// Whether the next cycle may succeed without anyone acting.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http(err) => err.is_transient(),
            Self::NotArray { .. } => true,
            Self::BadCredentials { .. } | Self::Forbidden { .. } | Self::Setup { .. } => false,
        }
    }
}

/// One Cin7 Omni account, as one connection reads it.
pub struct OmniClient {
    connection: String,
    api_url: Url,
    layer: Arc<HttpLayer>,
    quota: Arc<Quota>,
    username: String,
    api_key: Secret,
    /// `Basic base64(username:key)`, marked sensitive.
    authorization: HeaderValue,
}

impl std::fmt::Debug for OmniClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OmniClient")
            .field("connection", &self.connection)
            .field("api_url", &self.api_url.as_str())
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl OmniClient {
    /// A client for a `kind = "omni"` connection; `quota` should come from
    /// [`super::quota_spec`].
    pub fn new(
        connection: &str,
        settings: &Cin7Settings,
        layer: Arc<HttpLayer>,
        quota: Arc<Quota>,
    ) -> Result<Self, OmniError> {
        let setup = |detail: String| OmniError::Setup { connection: connection.into(), detail };
        let Cin7Credentials::Omni { username, api_key } = &settings.credentials else {
            return Err(setup("is a Cin7 Core connection, not Cin7 Omni".into()));
        };
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{username}:{}", api_key.expose()));
        let mut authorization = HeaderValue::from_str(&format!("Basic {token}")).map_err(|_| {
            setup(format!(
                "cin7.api_key (from {}) cannot be sent in an HTTP header: copy it again from \
                 Cin7 Omni (Settings → Integrations & API → API v1)",
                api_key.source()
            ))
        })?;
        authorization.set_sensitive(true);
        Ok(Self {
            connection: connection.into(),
            api_url: settings.api_url.clone(),
            layer,
            quota,
            username: username.clone(),
            api_key: api_key.clone(),
            authorization,
        })
    }

    /// The connection this client reads for.
    pub fn connection(&self) -> &str {
        &self.connection
    }

    /// The quota this client's calls count against.
    pub fn quota(&self) -> &Arc<Quota> {
        &self.quota
    }

    /// `GET {api_url}/{endpoint}?{query}`: one page, a bare JSON array of records.
    pub async fn list(
        &self,
        endpoint: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<Value>, OmniError> {
        let url = self.url(endpoint, query)?;
        let mut request = ApiRequest::get(url);
        request.headers.insert(AUTHORIZATION, self.authorization.clone());
        request.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        match self.layer.send(&self.quota, &request).await {
            Ok(response) => match serde_json::from_slice(&response.body) {
                Ok(Value::Array(records)) => Ok(records),
                Ok(other) => Err(not_array(endpoint, "not an array", &other.to_string())),
                Err(err) => Err(not_array(
                    endpoint,
                    &err.to_string(),
                    &String::from_utf8_lossy(&response.body),
                )),
            },
            Err(HttpError::Status { status: 401, .. }) => Err(OmniError::BadCredentials {
                connection: self.connection.clone(),
                endpoint: endpoint.into(),
                username: self.username.clone(),
                key_source: self.api_key.source().to_string(),
            }),
            Err(HttpError::Status { status: 403, .. }) => Err(OmniError::Forbidden {
                connection: self.connection.clone(),
                endpoint: endpoint.into(),
                username: self.username.clone(),
            }),
            Err(err) => Err(err.into()),
        }
    }

    fn url(&self, endpoint: &str, query: &[(&str, String)]) -> Result<Url, OmniError> {
        let mut url = self.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| OmniError::Setup {
                connection: self.connection.clone(),
                detail: "cin7.api_url cannot be a base URL".into(),
            })?
            .pop_if_empty()
            .extend(endpoint.split('/'));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }
}

fn not_array(endpoint: &str, detail: &str, body: &str) -> OmniError {
    OmniError::NotArray {
        endpoint: endpoint.into(),
        detail: detail.into(),
        excerpt: body.chars().take(200).collect(),
    }
}
