//! A wiremock Xero with a token endpoint, a catch-all that fails on unexpected requests, and
//! one configured connection with its store; runs `XeroSync` cycles against it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use cxsync::clock::{Clock, SystemClock};
use cxsync::config::{Cin7Kind, Env, Settings};
use cxsync::http::{HttpLayer, HttpSettings, NoRecorder, QuotaSpec, RetryPolicy};
use cxsync::store::{Store, TokenVault};
use cxsync::sync::EndpointReport;
use cxsync::sync::xero::XeroSync;
use cxsync::table::Value as Cell;
use cxsync::xero::auth::TokenSource;
use cxsync::xero::client::XeroClient;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::fake_xero::{self, Behaviour};

pub const API: &str = "/api.xro/2.0";

pub fn fixture(name: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("wiremock-fixtures/xero").join(name);
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

pub struct Harness {
    pub server: MockServer,
    _dir: tempfile::TempDir,
    pub db: PathBuf,
    settings: Settings,
    /// How long a "minute" of Xero's limits lasts for the client.
    pub minute: Duration,
}

impl Harness {
    pub async fn new() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/connect/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({ "access_token": "access-1", "token_type": "Bearer", "expires_in": 1800 }),
            ))
            .mount(&server)
            .await;
        // Anything not expected fails loudly (lowest priority, must never match).
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
            .with_priority(u8::MAX)
            .expect(0)
            .named("catch-all for unexpected requests")
            .mount(&server)
            .await;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cxsync.db");
        let file = dir.path().join("cxsync.toml");
        std::fs::write(
            &file,
            format!(
                r#"
[store]
path = "{db}"
[[connections]]
name = "acme"
[connections.xero]
api_url = "{uri}{API}"
token_url = "{uri}/connect/token"
identity_url = "{uri}/"
client_id = "id"
client_secret = "secret"
tenant_id = "tenant-1"
[connections.cin7]
kind = "core"
account_id = "a"
application_key = "k"
[connections.accounts]
inventory = "630"
"#,
                db = db.display(),
                uri = server.uri()
            ),
        )
        .unwrap();
        let settings = Settings::load(&file, &Env::default()).unwrap();
        Store::open(&db)
            .unwrap()
            .ensure_connection("acme", Cin7Kind::Core, DateTime::UNIX_EPOCH)
            .unwrap();
        Self { server, _dir: dir, db, settings, minute: Duration::from_millis(60) }
    }

    pub async fn mount_list(
        &self,
        endpoint: &str,
        key: &'static str,
        records: Vec<Value>,
        fail_calls: &'static [usize],
    ) {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .and(header("xero-tenant-id", "tenant-1"))
            .and(header("authorization", "Bearer access-1"))
            .respond_with(fake_xero::list(
                key,
                records,
                Behaviour { fail_calls: fail_calls.to_vec(), limit: None },
            ))
            .mount(&self.server)
            .await;
    }

    pub async fn mount_fixture(&self, endpoint: &str, name: &str) {
        Mock::given(method("GET"))
            .and(path(format!("{API}/{endpoint}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture(name)))
            .mount(&self.server)
            .await;
    }

    /// Settings endpoints and empty document lists, for tests about one endpoint.
    pub async fn mount_quiet_defaults(&self) {
        self.mount_fixture("Organisation", "organisation_get.json").await;
        self.mount_fixture("Accounts", "accounts_statuses_get.json").await;
        self.mount_fixture("TrackingCategories", "tracking_categories_get.json").await;
        for (endpoint, key) in [
            ("CreditNotes", "CreditNotes"),
            ("Payments", "Payments"),
            ("ManualJournals", "ManualJournals"),
            ("BankTransactions", "BankTransactions"),
        ] {
            self.mount_list(endpoint, key, vec![], &[]).await;
        }
    }

    pub async fn run(&self, reread_open: bool) -> Vec<EndpointReport> {
        self.run_with(reread_open, true).await
    }

    /// One cycle, reading the settings lists only when `refresh_settings`.
    pub async fn run_with(&self, reread_open: bool, refresh_settings: bool) -> Vec<EndpointReport> {
        let connection = &self.settings.connections[0];
        let http = HttpSettings {
            retry: RetryPolicy {
                max_attempts: 2,
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
            ..HttpSettings::default()
        };
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let layer = Arc::new(HttpLayer::new(&http, Arc::new(NoRecorder), clock.clone()).unwrap());
        let spec =
            QuotaSpec { minute: self.minute, ..cxsync::xero::quota_spec(&connection.xero.limits) };
        let quota = layer.quota("xero", "acme", spec, Some(10_000));
        let vault = Arc::new(TokenVault::open(&self.db).unwrap());
        let tokens = Arc::new(TokenSource::new(
            "acme",
            connection.xero.clone(),
            vault,
            layer.clone(),
            quota.clone(),
            clock.clone(),
        ));
        let client = XeroClient::new(
            "acme",
            connection.xero.api_url.clone(),
            connection.xero.identity_url.clone(),
            connection.xero.tenant_id.clone(),
            layer,
            quota,
            tokens,
        );
        let store = Mutex::new(Store::open(&self.db).unwrap());
        let sync =
            XeroSync { connection: "acme", client: &client, store: &store, clock: clock.as_ref() };
        sync.run_once(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(), reread_open, refresh_settings)
            .await
    }

    pub fn store(&self) -> Store {
        Store::open_read_only(&self.db).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        match self.store().query(sql).unwrap().rows[0][0] {
            Cell::Integer(n) => n,
            ref other => panic!("{other:?}"),
        }
    }
}
