//! The Cin7 Core API client: authenticated GETs of JSON through the shared layer.
//!
//! It knows Cin7 Core's two credential headers (`api-auth-accountid`,
//! `api-auth-applicationkey`, both marked sensitive so they never reach a log), reports 401
//! and 403 as the bad credentials they are, and 404 as a record that is gone. Rate limiting
//! (503 or 429 without `Retry-After`) is the shared layer's job, through the quota built by
//! [`super::quota_spec`]. It parses nothing beyond "is this JSON": records are the
//! normaliser's job, and where they go is the sync's.

use std::sync::Arc;

use reqwest::header::{ACCEPT, HeaderName, HeaderValue};
use serde_json::Value;
use url::Url;

use crate::config::{Cin7Credentials, Cin7Settings, Secret};
use crate::http::{ApiRequest, HttpError, HttpLayer, Quota};

const ACCOUNT_HEADER: HeaderName = HeaderName::from_static("api-auth-accountid");
const KEY_HEADER: HeaderName = HeaderName::from_static("api-auth-applicationkey");

/// Errors of one Cin7 Core API call. None carries a credential.
#[derive(Debug, thiserror::Error)]
pub enum Cin7Error {
    #[error(transparent)]
    Http(#[from] HttpError),
    /// Cin7 Core refused the account id and application key (HTTP 401 or 403).
    #[error(
        "Cin7 Core refused the credentials of connection `{connection}` (HTTP {status} on \
         {endpoint}): check that cin7.account_id (from {account_id_source}) and \
         cin7.application_key (from {key_source}) are the Account ID and Key of an API \
         application under Integrations → API in Cin7 Core, that the application is still \
         enabled, and that the Cin7 subscription is active"
    )]
    BadCredentials {
        connection: String,
        endpoint: String,
        status: u16,
        account_id_source: String,
        key_source: String,
    },
    /// The record asked for does not exist (any more): deleted between list and detail.
    #[error("Cin7 Core {endpoint}: not found (HTTP 404)")]
    NotFound { endpoint: String },
    /// The body is not JSON (cut short, an HTML error page…).
    #[error(
        "Cin7 Core {endpoint} answered with something that is not JSON ({detail}); it begins: \
         {excerpt}"
    )]
    NotJson { endpoint: String, detail: String, excerpt: String },
    /// The client cannot be built from this configuration.
    #[error("connection `{connection}`: {detail}")]
    Setup { connection: String, detail: String },
}

impl Cin7Error {
    /// Whether the next cycle may succeed without anyone acting.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Http(err) => err.is_transient(),
            Self::NotJson { .. } | Self::NotFound { .. } => true,
            Self::BadCredentials { .. } | Self::Setup { .. } => false,
        }
    }
}

/// One Cin7 Core account, as one connection reads it.
pub struct CoreClient {
    connection: String,
    api_url: Url,
    layer: Arc<HttpLayer>,
    quota: Arc<Quota>,
    account_id: Secret,
    application_key: Secret,
}

impl std::fmt::Debug for CoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreClient")
            .field("connection", &self.connection)
            .field("api_url", &self.api_url.as_str())
            .finish_non_exhaustive()
    }
}

impl CoreClient {
    /// A client for a `kind = "core"` connection; `quota` should come from
    /// [`super::quota_spec`].
    pub fn new(
        connection: &str,
        settings: &Cin7Settings,
        layer: Arc<HttpLayer>,
        quota: Arc<Quota>,
    ) -> Result<Self, Cin7Error> {
        let setup = |detail: &str| Cin7Error::Setup {
            connection: connection.into(),
            detail: detail.into(),
        };
        let Cin7Credentials::Core { account_id, application_key } = &settings.credentials else {
            return Err(setup("is a Cin7 Omni connection, not Cin7 Core"));
        };
        for (key, secret) in [("account_id", account_id), ("application_key", application_key)] {
            if HeaderValue::from_str(secret.expose()).is_err() {
                return Err(setup(&format!(
                    "cin7.{key} (from {}) holds characters an HTTP header cannot carry: copy \
                     it again from Cin7 Core (Integrations → API)",
                    secret.source()
                )));
            }
        }
        Ok(Self {
            connection: connection.into(),
            api_url: settings.api_url.clone(),
            layer,
            quota,
            account_id: account_id.clone(),
            application_key: application_key.clone(),
        })
    }

    /// The connection this client reads for.
    pub fn connection(&self) -> &str {
        &self.connection
    }

    /// The quota this client's calls count against (for status and budgets).
    pub fn quota(&self) -> &Arc<Quota> {
        &self.quota
    }

    /// `GET {api_url}/{path}?{query}`, parsed as JSON.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, Cin7Error> {
        let mut url = self.api_url.clone();
        url.path_segments_mut()
            .map_err(|()| Cin7Error::Setup {
                connection: self.connection.clone(),
                detail: "cin7.api_url cannot be a base URL".into(),
            })?
            .pop_if_empty()
            .extend(path.split('/'));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        match self.layer.send(&self.quota, &self.request(url)).await {
            Ok(response) => {
                serde_json::from_slice(&response.body).map_err(|err| Cin7Error::NotJson {
                    endpoint: path.into(),
                    detail: err.to_string(),
                    excerpt: String::from_utf8_lossy(&response.body).chars().take(200).collect(),
                })
            }
            Err(HttpError::Status { status: status @ (401 | 403), .. }) => {
                Err(Cin7Error::BadCredentials {
                    connection: self.connection.clone(),
                    endpoint: path.into(),
                    status,
                    account_id_source: self.account_id.source().to_string(),
                    key_source: self.application_key.source().to_string(),
                })
            }
            Err(HttpError::Status { status: 404, .. }) => {
                Err(Cin7Error::NotFound { endpoint: path.into() })
            }
            Err(err) => Err(err.into()),
        }
    }

    fn request(&self, url: Url) -> ApiRequest {
        let mut request = ApiRequest::get(url);
        for (name, secret) in
            [(ACCOUNT_HEADER, &self.account_id), (KEY_HEADER, &self.application_key)]
        {
            let mut value =
                HeaderValue::from_str(secret.expose()).expect("checked in CoreClient::new");
            value.set_sensitive(true);
            request.headers.insert(name, value);
        }
        request.headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        request
    }
}
