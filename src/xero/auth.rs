//! Xero OAuth2: access tokens for the API, from `client_credentials` (custom connections) or
//! from rotating refresh tokens (standard apps), and the one-time authorization-code sign-in.
//!
//! Rules this module keeps (DESIGN.md, "The two APIs"):
//! - A refresh token rotates on every use. The new one is committed to the store (through
//!   [`TokenStore`]) *before* the new access token is handed out, so a crash at any point
//!   leaves a usable token in the store (Xero keeps the old one alive for a 30-minute grace).
//! - Refreshes of one connection are single-flight: callers wait on one lock and reuse the
//!   token the first caller got.
//! - Access tokens are reused until [`EXPIRY_MARGIN`] before they expire.
//! - A refused refresh (`invalid_grant`) tells the admin to sign in again; it affects only
//!   that connection.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse as _,
    TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::config::{XeroAuth, XeroSettings};
use crate::http::{ApiRequest, HttpError, HttpLayer, Quota};

/// A token is refreshed when less than this is left of its life.
pub const EXPIRY_MARGIN: Duration = Duration::from_mins(2);

/// A stored refresh token and what it grants.
#[derive(Clone)]
pub struct StoredToken {
    pub refresh_token: SecretString,
    pub tenant_id: Option<String>,
    pub scopes: Option<String>,
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredToken")
            .field("refresh_token", &"<redacted>")
            .field("tenant_id", &self.tenant_id)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// Durable storage for refresh tokens (the store implements it; this module writes no SQL).
pub trait TokenStore: Send + Sync {
    /// The live refresh token of a connection, if it has signed in.
    fn current(&self, connection: &str) -> Result<Option<StoredToken>, String>;
    /// Makes `token` the connection's live refresh token and retires the previous one, in one
    /// durable transaction. With `replaces`, only if that is still the live token (compare and
    /// swap): a sign-in that happened meanwhile is never overwritten by an older grant.
    fn rotate(
        &self,
        connection: &str,
        token: &StoredToken,
        replaces: Option<&StoredToken>,
        now: DateTime<Utc>,
    ) -> Result<(), String>;
}

/// Why no access token could be had.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A standard-app connection has never signed in.
    #[error(
        "connection `{connection}` has not signed in to Xero yet: run `cxsync auth xero \
         --connection {connection}`"
    )]
    NotSignedIn { connection: String },
    /// Xero refused the refresh token (expired, revoked, or used twice).
    #[error(
        "Xero refused the stored sign-in of connection `{connection}` ({detail}): run `cxsync \
         auth xero --connection {connection}` to sign in again; other connections keep running"
    )]
    ReauthRequired { connection: String, detail: String },
    /// Xero refused the client credentials or the request.
    #[error("Xero refused the token request of connection `{connection}`: {detail}")]
    Rejected { connection: String, detail: String },
    /// The token endpoint could not be reached or kept failing.
    #[error("Xero's token endpoint failed for connection `{connection}`: {source}")]
    Http { connection: String, source: HttpError },
    /// The token endpoint answered something that is not a token response.
    #[error(
        "Xero's token endpoint sent an unreadable answer for connection `{connection}`: {detail}"
    )]
    InvalidResponse { connection: String, detail: String },
    /// The new refresh token could not be saved; the access token was not used.
    #[error(
        "cannot save the new Xero refresh token of connection `{connection}` ({detail}); the \
         previous one stays valid for 30 minutes, so fix the store and retry"
    )]
    Store { connection: String, detail: String },
}

impl AuthError {
    /// Whether only an admin can fix this (signing in again, fixing credentials).
    pub fn needs_admin(&self) -> bool {
        matches!(
            self,
            Self::NotSignedIn { .. } | Self::ReauthRequired { .. } | Self::Rejected { .. }
        )
    }
}

/// A bearer token and the tenant it is for.
#[derive(Clone)]
pub struct AccessToken {
    pub secret: SecretString,
    pub tenant_id: Option<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("tenant_id", &self.tenant_id)
            .finish()
    }
}

struct Cached {
    token: AccessToken,
    expires_at: Instant,
}

/// Hands out access tokens for one connection.
pub struct TokenSource {
    parts: Arc<Parts>,
    cached: Mutex<Option<Cached>>,
}

/// What a token request needs; shared with the task a refresh runs in.
struct Parts {
    connection: String,
    settings: XeroSettings,
    store: Arc<dyn TokenStore>,
    layer: Arc<HttpLayer>,
    quota: Arc<Quota>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("connection", &self.parts.connection)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// `quota` paces calls to the token endpoint (Xero limits it separately from the API).
    pub fn new(
        connection: &str,
        settings: XeroSettings,
        store: Arc<dyn TokenStore>,
        layer: Arc<HttpLayer>,
        quota: Arc<Quota>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let parts = Parts { connection: connection.into(), settings, store, layer, quota, clock };
        Self { parts: Arc::new(parts), cached: Mutex::new(None) }
    }

    /// A valid access token: the cached one, or a fresh one (one request at a time).
    pub async fn access_token(&self) -> Result<AccessToken, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some(current) =
            cached.as_ref().filter(|c| c.expires_at > Instant::now() + EXPIRY_MARGIN)
        {
            return Ok(current.token.clone());
        }
        let fresh = match self.parts.settings.auth {
            XeroAuth::ClientCredentials => self.parts.client_credentials().await?,
            XeroAuth::AuthorizationCode => {
                // Once Xero has rotated the refresh token, the new one must reach the store even
                // if this caller is cancelled (a daemon stopping): the refresh runs in its own
                // task, which dropping this future does not stop.
                let parts = Arc::clone(&self.parts);
                tokio::spawn(async move { parts.refresh().await }).await.map_err(|err| {
                    AuthError::InvalidResponse {
                        connection: self.parts.connection.clone(),
                        detail: format!("the token refresh task failed: {err}"),
                    }
                })??
            }
        };
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached access token (after the API answered 401).
    pub async fn invalidate(&self) {
        *self.cached.lock().await = None;
    }
}

impl Parts {
    async fn client_credentials(&self) -> Result<Cached, AuthError> {
        let client = configured_client(&self.settings);
        let response = client
            .exchange_client_credentials()
            .request_async(&self.http())
            .await
            .map_err(|err| self.token_error(err))?;
        let expires_at = Instant::now() + response.expires_in().unwrap_or(Duration::from_mins(30));
        let secret = SecretString::from(response.access_token().secret().clone());
        tracing::debug!(connection = %self.connection, "got a Xero access token (client credentials)");
        Ok(Cached {
            token: AccessToken { secret, tenant_id: self.settings.tenant_id.clone() },
            expires_at,
        })
    }

    async fn refresh(&self) -> Result<Cached, AuthError> {
        let connection = &self.connection;
        let stored = self
            .store
            .current(connection)
            .map_err(|detail| AuthError::Store { connection: connection.clone(), detail })?
            .ok_or_else(|| AuthError::NotSignedIn { connection: connection.clone() })?;
        let client = configured_client(&self.settings);
        let refresh = RefreshToken::new(stored.refresh_token.expose_secret().to_string());
        let response = client
            .exchange_refresh_token(&refresh)
            .request_async(&self.http())
            .await
            .map_err(|err| self.token_error(err))?;
        let Some(new_refresh) = response.refresh_token() else {
            return Err(AuthError::InvalidResponse {
                connection: connection.clone(),
                detail: "no refresh_token in the answer (was offline_access granted?)".into(),
            });
        };
        let rotated = StoredToken {
            refresh_token: SecretString::from(new_refresh.secret().clone()),
            tenant_id: stored.tenant_id.clone().or_else(|| self.settings.tenant_id.clone()),
            scopes: stored.scopes.clone(),
        };
        // Durable first: if this fails, the new access token is never used.
        self.store
            .rotate(connection, &rotated, Some(&stored), self.clock.now())
            .map_err(|detail| AuthError::Store { connection: connection.clone(), detail })?;
        tracing::info!(connection = %connection, "Xero refresh token rotated and saved");
        let expires_at = Instant::now() + response.expires_in().unwrap_or(Duration::from_mins(30));
        let tenant_id = self.settings.tenant_id.clone().or(rotated.tenant_id);
        Ok(Cached {
            token: AccessToken {
                secret: SecretString::from(response.access_token().secret().clone()),
                tenant_id,
            },
            expires_at,
        })
    }

    fn http(&self) -> OauthHttp<'_> {
        OauthHttp { layer: &self.layer, quota: &self.quota }
    }

    fn token_error(
        &self,
        err: RequestTokenError<HttpError, oauth2::basic::BasicErrorResponse>,
    ) -> AuthError {
        token_error(&self.connection, err)
    }
}

type ConfiguredClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn configured_client(settings: &XeroSettings) -> ConfiguredClient {
    let mut client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(settings.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(settings.token_url.clone()));
    if let Some(secret) = &settings.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    client
}

/// oauth2's HTTP hook: every token call goes through the shared layer (paced, retried on
/// 5xx, logged), with 4xx answers passed back so oauth2 can read `invalid_grant`. A named type
/// rather than a closure, so the futures stay `Send`.
struct OauthHttp<'a> {
    layer: &'a HttpLayer,
    quota: &'a Quota,
}

impl<'c> oauth2::AsyncHttpClient<'c> for OauthHttp<'_> {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, HttpError>> + Send + 'c>,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send_oauth(self.layer, self.quota, request))
    }
}

async fn send_oauth(
    layer: &HttpLayer,
    quota: &Quota,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let url = url::Url::parse(&parts.uri.to_string())
        .map_err(|err| HttpError::Setup(format!("token URL: {err}")))?;
    let mut headers = parts.headers;
    for value in headers.values_mut() {
        value.set_sensitive(true);
    }
    let api = ApiRequest {
        method: parts.method,
        url,
        headers,
        body: Some(body),
        accept_client_errors: true,
    };
    let response = layer.send(quota, &api).await?;
    let mut builder = oauth2::http::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    builder.body(response.body).map_err(|err| HttpError::Setup(format!("token response: {err}")))
}

fn token_error(
    connection: &str,
    err: RequestTokenError<HttpError, oauth2::basic::BasicErrorResponse>,
) -> AuthError {
    let connection = connection.to_string();
    match err {
        RequestTokenError::ServerResponse(response) => {
            let detail = match response.error_description() {
                Some(description) => format!("{}: {description}", response.error()),
                None => response.error().to_string(),
            };
            if *response.error() == BasicErrorResponseType::InvalidGrant {
                AuthError::ReauthRequired { connection, detail }
            } else {
                AuthError::Rejected { connection, detail }
            }
        }
        RequestTokenError::Request(source) => AuthError::Http { connection, source },
        RequestTokenError::Parse(err, _) => {
            AuthError::InvalidResponse { connection, detail: err.to_string() }
        }
        RequestTokenError::Other(detail) => AuthError::InvalidResponse { connection, detail },
    }
}

/// The first half of a sign-in: the URL to open, and what the second half needs.
pub struct SignIn {
    pub url: url::Url,
    csrf: CsrfToken,
    verifier: PkceCodeVerifier,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn").field("url", &self.url.as_str()).finish_non_exhaustive()
    }
}

impl SignIn {
    /// Builds the authorization URL (PKCE S256, a random `state`).
    pub fn start(settings: &XeroSettings) -> Self {
        let client = configured_client(settings)
            .set_redirect_uri(RedirectUrl::from_url(settings.redirect_uri.clone()));
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, csrf) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        Self { url, csrf, verifier }
    }

    /// The `state` the redirect must carry back.
    pub fn state(&self) -> &str {
        self.csrf.secret()
    }

    /// The second half: checks `state`, exchanges the code, and returns the refresh token and
    /// a first access token.
    pub async fn finish(
        self,
        connection: &str,
        settings: &XeroSettings,
        layer: &HttpLayer,
        quota: &Quota,
        code: &str,
        state: &str,
    ) -> Result<(StoredToken, AccessToken), AuthError> {
        if state != self.csrf.secret() {
            return Err(AuthError::Rejected {
                connection: connection.into(),
                detail: "the sign-in answer carried the wrong `state` (a stale or forged redirect); start again".into(),
            });
        }
        let client = configured_client(settings)
            .set_redirect_uri(RedirectUrl::from_url(settings.redirect_uri.clone()));
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(self.verifier)
            .request_async(&OauthHttp { layer, quota })
            .await
            .map_err(|err| token_error(connection, err))?;
        let refresh = response.refresh_token().ok_or_else(|| AuthError::InvalidResponse {
            connection: connection.into(),
            detail: "no refresh_token in the answer: add the offline_access scope".into(),
        })?;
        let scopes = response
            .scopes()
            .map(|s| s.iter().map(|scope| scope.as_str()).collect::<Vec<_>>().join(" "));
        let stored = StoredToken {
            refresh_token: SecretString::from(refresh.secret().clone()),
            tenant_id: None,
            scopes,
        };
        let access = AccessToken {
            secret: SecretString::from(response.access_token().secret().clone()),
            tenant_id: None,
        };
        Ok((stored, access))
    }
}
