//! One connection's clients, built once and reused every cycle, and one cycle of both sides:
//! what `sync --once` and each daemon worker run.

use std::sync::{Arc, Mutex};

use tracing::Instrument as _;

use crate::cin7::core::CoreClient;
use crate::cin7::omni::OmniClient;
use crate::clock::Clock;
use crate::config::{Cin7Kind, Connection};
use crate::http::{HttpLayer, Quota};
use crate::store::{Store, TokenVault};
use crate::xero::auth::TokenSource;
use crate::xero::client::XeroClient;

use super::EndpointReport;
use super::cin7::{Cin7Sync, History};
use super::omni::OmniSync;
use super::xero::XeroSync;

/// How often the slower parts of a cycle run.
#[derive(Debug, Clone, Copy)]
pub struct Cadences {
    /// Full re-read of open Xero documents.
    pub reread_open: chrono::Duration,
    /// Organisation, charts of accounts, tracking categories, products.
    pub settings: chrono::Duration,
}

/// A connection's Cin7 client: Core or Omni.
enum Cin7Client {
    Core(CoreClient),
    Omni(OmniClient),
}

/// The API clients of one connection.
pub struct ConnectionClients {
    pub xero: XeroClient,
    /// Why the Cin7 client could not be built, if it could not.
    cin7: Result<Cin7Client, String>,
}

impl ConnectionClients {
    pub fn new(
        connection: &Connection,
        layer: &Arc<HttpLayer>,
        vault: &Arc<TokenVault>,
        clock: &Arc<dyn Clock>,
    ) -> Self {
        let xero = &connection.xero;
        let name = &connection.name;
        let quota = layer.quota(
            "xero",
            name,
            crate::xero::quota_spec(&xero.limits),
            Some(xero.limits.app_per_minute),
        );
        let tokens = Arc::new(TokenSource::new(
            name,
            xero.clone(),
            vault.clone(),
            layer.clone(),
            quota.clone(),
            clock.clone(),
        ));
        let xero_client = XeroClient::new(
            name,
            xero.api_url.clone(),
            xero.identity_url.clone(),
            xero.tenant_id.clone(),
            layer.clone(),
            quota,
            tokens,
        );
        let limits = &connection.cin7.limits;
        let cin7 = match connection.cin7.kind() {
            Cin7Kind::Core => {
                let quota = layer.quota("cin7", name, crate::cin7::core::quota_spec(limits), None);
                CoreClient::new(name, &connection.cin7, layer.clone(), quota)
                    .map(Cin7Client::Core)
                    .map_err(|err| err.to_string())
            }
            Cin7Kind::Omni => {
                let quota = layer.quota("cin7", name, crate::cin7::omni::quota_spec(limits), None);
                OmniClient::new(name, &connection.cin7, layer.clone(), quota)
                    .map(Cin7Client::Omni)
                    .map_err(|err| err.to_string())
            }
        };
        Self { xero: xero_client, cin7 }
    }

    /// The Xero quota (for health and budget figures).
    pub fn xero_quota(&self) -> &Arc<Quota> {
        self.xero.quota()
    }

    /// One cycle of both sides: `(system, report)` for every endpoint.
    pub async fn sync(
        &self,
        connection: &Connection,
        store: &Mutex<Store>,
        clock: &dyn Clock,
        cadence: &Cadences,
    ) -> Vec<(&'static str, EndpointReport)> {
        let span = tracing::info_span!("sync", connection = %connection.name);
        self.sync_in_span(connection, store, clock, cadence).instrument(span).await
    }

    async fn sync_in_span(
        &self,
        connection: &Connection,
        store: &Mutex<Store>,
        clock: &dyn Clock,
        cadence: &Cadences,
    ) -> Vec<(&'static str, EndpointReport)> {
        let name = &connection.name;
        let xero = XeroSync { connection: name, client: &self.xero, store, clock };
        let reread = xero.reread_due(cadence.reread_open);
        // One clock for the settings of both sides: Xero's accounts stand for both.
        let refresh_settings = xero.settings_due(cadence.settings);
        let mut reports: Vec<_> = xero
            .run_once(crate::daemon::report_date(connection, clock.now()), reread, refresh_settings)
            .await
            .into_iter()
            .map(|r| ("xero", r))
            .collect();
        match &self.cin7 {
            Ok(Cin7Client::Core(client)) => {
                let history = History::from_settings(&connection.cin7, clock.now().date_naive());
                let cin7 =
                    Cin7Sync { connection: name, client, store, clock, history, refresh_settings };
                reports.extend(cin7.run_once().await.into_iter().map(|r| ("cin7", r)));
            }
            Ok(Cin7Client::Omni(client)) => {
                let backfill_from = connection.cin7.backfill_from(clock.now().date_naive());
                let omni = OmniSync { connection: name, client, store, clock, backfill_from };
                reports.extend(omni.run_once().await.into_iter().map(|r| ("cin7", r)));
            }
            Err(err) => {
                tracing::error!(connection = %name, "{err}");
                reports.push((
                    "cin7",
                    EndpointReport {
                        endpoint: "client".into(),
                        error: Some(err.clone()),
                        ..EndpointReport::default()
                    },
                ));
            }
        }
        reports
    }
}
