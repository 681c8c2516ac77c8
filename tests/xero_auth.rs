//! Xero OAuth2 against a wiremock token endpoint: token reuse, single-flight refresh,
//! rotation persisted before use, `invalid_grant`, and the PKCE sign-in.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cxsync::clock::SystemClock;
use cxsync::config::{Env, Settings, XeroAuth, XeroSettings};
use cxsync::http::{HttpLayer, HttpSettings, NoRecorder, Pacing, Quota, QuotaSpec, RetryPolicy};
use cxsync::store::{Store, TokenVault};
use cxsync::xero::auth::{AuthError, SignIn, StoredToken, TokenSource, TokenStore};
use secrecy::ExposeSecret as _;
use wiremock::matchers::{body_string_contains, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn settings(server: &MockServer, auth: &str) -> XeroSettings {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cxsync.toml");
    std::fs::write(
        &file,
        format!(
            r#"
[[connections]]
name = "acme"
[connections.xero]
auth = "{auth}"
token_url = "{uri}/connect/token"
authorize_url = "{uri}/identity/connect/authorize"
client_id = "client-id"
client_secret = "client-secret"
[connections.cin7]
kind = "core"
account_id = "a"
application_key = "k"
[connections.accounts]
inventory = "630"
"#,
            uri = server.uri()
        ),
    )
    .unwrap();
    Settings::load(&file, &Env::default()).unwrap().connections.remove(0).xero
}

fn token_json(access: &str, refresh: Option<&str>, expires_in: u64) -> serde_json::Value {
    let mut body = serde_json::json!({ "access_token": access, "token_type": "Bearer", "expires_in": expires_in });
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    body
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    layer: Arc<HttpLayer>,
    quota: Arc<Quota>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cxsync.db");
        Store::open(&path)
            .unwrap()
            .ensure_connection("acme", cxsync::config::Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        let http = HttpSettings {
            retry: RetryPolicy {
                max_attempts: 2,
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
            ..HttpSettings::default()
        };
        let layer =
            Arc::new(HttpLayer::new(&http, Arc::new(NoRecorder), Arc::new(SystemClock)).unwrap());
        let spec = QuotaSpec {
            per_minute: 6000,
            per_second: None,
            concurrent: None,
            per_day: None,
            rate_limit_503: false,
            minute: Duration::from_millis(600),
            pacing: Pacing::Even,
        };
        let quota = layer.quota("xero", "acme", spec, None);
        Self { _dir: dir, path, layer, quota }
    }

    fn vault(&self) -> Arc<TokenVault> {
        Arc::new(TokenVault::open(&self.path).unwrap())
    }

    fn source(&self, settings: &XeroSettings, store: Arc<dyn TokenStore>) -> TokenSource {
        TokenSource::new(
            "acme",
            settings.clone(),
            store,
            self.layer.clone(),
            self.quota.clone(),
            Arc::new(SystemClock),
        )
    }

    fn seed(&self, refresh: &str) {
        let token = StoredToken {
            refresh_token: refresh.to_string().into(),
            tenant_id: Some("tenant-1".into()),
            scopes: None,
        };
        self.vault().rotate("acme", &token, None, DateTime::UNIX_EPOCH).unwrap();
    }
}

#[tokio::test]
async fn client_credentials_token_is_reused_until_shortly_before_expiry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("access-1", None, 1800)))
        .expect(1)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let source = fixture.source(&settings(&server, "client_credentials"), fixture.vault());
    let first = source.access_token().await.unwrap();
    let second = source.access_token().await.unwrap();
    assert_eq!(first.secret.expose_secret(), "access-1");
    assert_eq!(second.secret.expose_secret(), "access-1");
}

#[tokio::test]
async fn a_token_about_to_expire_is_replaced() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("short-lived", None, 60)))
        .expect(2)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let source = fixture.source(&settings(&server, "client_credentials"), fixture.vault());
    source.access_token().await.unwrap();
    source.access_token().await.unwrap();
}

#[tokio::test]
async fn refresh_token_rotation_is_persisted_and_used_after_a_restart() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("refresh_token=r1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a1", Some("r2"), 1800)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(body_string_contains("refresh_token=r2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a2", Some("r3"), 1800)))
        .expect(1)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    fixture.seed("r1");
    let xero = settings(&server, "authorization_code");
    let token = fixture.source(&xero, fixture.vault()).access_token().await.unwrap();
    assert_eq!(token.secret.expose_secret(), "a1");
    assert_eq!(token.tenant_id.as_deref(), Some("tenant-1"));
    assert_eq!(
        fixture.vault().current("acme").unwrap().unwrap().refresh_token.expose_secret(),
        "r2"
    );
    // A restart (a new source, nothing cached) refreshes with the rotated token, not r1.
    let restarted = fixture.source(&xero, fixture.vault()).access_token().await.unwrap();
    assert_eq!(restarted.secret.expose_secret(), "a2");
    assert_eq!(
        fixture.vault().current("acme").unwrap().unwrap().refresh_token.expose_secret(),
        "r3"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(token_json("a1", Some("r2"), 1800))
                .set_delay(Duration::from_millis(200)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    fixture.seed("r1");
    let source =
        Arc::new(fixture.source(&settings(&server, "authorization_code"), fixture.vault()));
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let source = source.clone();
            tokio::spawn(async move {
                source.access_token().await.map(|t| t.secret.expose_secret().to_string())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "a1");
    }
}

#[tokio::test]
async fn a_refused_refresh_tells_the_admin_to_sign_in_again() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(serde_json::json!({ "error": "invalid_grant" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    fixture.seed("r1");
    let err = fixture
        .source(&settings(&server, "authorization_code"), fixture.vault())
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::ReauthRequired { .. }), "{err}");
    assert!(err.to_string().contains("cxsync auth xero --connection acme"), "{err}");
    assert!(err.needs_admin());
}

#[tokio::test]
async fn never_signed_in_is_reported_without_calling_xero() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let err = fixture
        .source(&settings(&server, "authorization_code"), fixture.vault())
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::NotSignedIn { .. }), "{err}");
}

#[tokio::test]
async fn a_failing_token_endpoint_is_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(ResponseTemplate::new(503))
        .expect(2)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let err = fixture
        .source(&settings(&server, "client_credentials"), fixture.vault())
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Http { .. }), "{err}");
    assert!(!err.to_string().contains("client-secret"), "{err}");
}

/// A store whose writes fail, as a full disk would.
struct BrokenStore;

impl TokenStore for BrokenStore {
    fn current(&self, _: &str) -> Result<Option<StoredToken>, String> {
        Ok(Some(StoredToken {
            refresh_token: "r1".to_string().into(),
            tenant_id: None,
            scopes: None,
        }))
    }
    fn rotate(
        &self,
        _: &str,
        _: &StoredToken,
        _: Option<&StoredToken>,
        _: DateTime<Utc>,
    ) -> Result<(), String> {
        Err("disk full".into())
    }
}

#[tokio::test]
async fn a_new_access_token_is_not_used_unless_the_rotated_refresh_token_was_saved() {
    let server = MockServer::start().await;
    Mock::given(path("/connect/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a1", Some("r2"), 1800)))
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let err = fixture
        .source(&settings(&server, "authorization_code"), Arc::new(BrokenStore))
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Store { .. }), "{err}");
    assert!(err.to_string().contains("disk full"), "{err}");
}

#[tokio::test]
async fn sign_in_uses_pkce_and_checks_state() {
    let server = MockServer::start().await;
    Mock::given(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code_verifier="))
        .and(body_string_contains("code=the-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token_json("a1", Some("r1"), 1800)))
        .expect(1)
        .mount(&server)
        .await;
    let fixture = Fixture::new();
    let xero = settings(&server, "authorization_code");
    assert_eq!(xero.auth, XeroAuth::AuthorizationCode);
    let sign_in = SignIn::start(&xero);
    let query: std::collections::HashMap<_, _> = sign_in.url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["redirect_uri"], "http://localhost:8910/callback");
    assert!(query["scope"].contains("offline_access"));
    let forged = SignIn::start(&xero);
    let err = forged
        .finish("acme", &xero, &fixture.layer, &fixture.quota, "the-code", "wrong-state")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("state"), "{err}");
    let state = sign_in.state().to_string();
    let (stored, access) = sign_in
        .finish("acme", &xero, &fixture.layer, &fixture.quota, "the-code", &state)
        .await
        .unwrap();
    assert_eq!(stored.refresh_token.expose_secret(), "r1");
    assert_eq!(access.secret.expose_secret(), "a1");
}
