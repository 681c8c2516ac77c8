//! Simulated Cin7 and Xero servers on 127.0.0.1, for `cxsync demo`, `cxsync sim serve`, tests
//! and benchmarks. They serve the real response shapes, paging and limits, on a clock that can
//! run faster than real time, with seeded faults.
//!
//! The simulator builds its JSON from its own data (`data`), never through the clients'
//! models, and depends on nothing of the clients, the sync or the store.
//!
//! Architecture:
//! - `data`: the generated organisation (deterministic from a seed and a size).
//! - `xero`: the Xero token endpoint, identity and Accounting API.
//! - `cin7`: Cin7 Core's API: chart of accounts, sales, purchases, stock adjustments, and the
//!   ledger feed.
//! - `omni`: Cin7 Omni's API instead, when [`SimConfig::cin7`] is [`SimCin7::Omni`]: the same
//!   sales and payments as Omni holds them, with Omni's own planted errors; `omni_stock`:
//!   Omni's purchase orders and stock adjustments, and the bills and journals Xero holds.
//! - `limits`: per-tenant rate limits; `faults`: seeded fault injection.
//!
//! The generator plants errors between the two sides and lists them (`Simulator::truth`):
//! `amount_mismatch`, `missing_in_xero`, `missing_in_cin7`, `void_mismatch`, `blank_cogs`,
//! `archived_account`, `control_account_journal`; on Cin7 Core's invoice payments a payment
//! never pushed (`missing_in_xero`) and one edited in Xero (`amount_mismatch`, both known as
//! `INV-… (paid DATE)`, against Omni too); from the Cin7 Core ledger
//! `timing_difference` and `return_misalignment`; on Core purchases and stock adjustments
//! (`data::purchases`) a bill's `amount_mismatch`, bills and adjustment journals never pushed
//! (`missing_in_xero`), `unclosed_accrual` (GRNI and stock in transit) and
//! `inventory_self_adjustment`, and an adjustment journal edited in Xero (`amount_mismatch`,
//! compared through the task's postings); against Cin7 Omni also `sync_error` and
//! `missing_document_date` (see `omni`), and on its bills and adjustment journals
//! `amount_mismatch` and `missing_in_xero` (see `omni_stock`). Not yet simulated: stock transfers, assemblies, and
//! the other finding kinds.

pub mod cin7;
pub mod data;
pub mod faults;
pub mod limits;
pub mod omni;
pub mod omni_stock;
pub mod xero;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

/// The simulated Cin7 Core account's credentials.
const CIN7_ACCOUNT: &str = "sim-account";
const CIN7_KEY: &str = "sim-key";
/// The simulated Cin7 Omni account's API user and key.
const OMNI_USER: &str = "sim-user";
const OMNI_KEY: &str = "sim-omni-key";

/// Which Cin7 product the simulator serves.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SimCin7 {
    #[default]
    Core,
    Omni,
}

pub use faults::Faults;
pub use limits::SimLimits;

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// Sales invoices to generate (the other documents follow from them).
    pub size: usize,
    /// How long a simulated minute lasts (60 s is real time).
    pub minute: Duration,
    pub faults: Faults,
    pub xero_limits: SimLimits,
    pub cin7_limits: SimLimits,
    pub client_id: String,
    pub client_secret: String,
    /// Cin7 Core (default) or Cin7 Omni.
    pub cin7: SimCin7,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            size: 1000,
            minute: Duration::from_mins(1),
            faults: Faults::default(),
            xero_limits: SimLimits { per_minute: 60, concurrent: 5, per_day: 5000 },
            cin7_limits: SimLimits { per_minute: 60, concurrent: 10, per_day: 1_000_000 },
            client_id: "sim-client".into(),
            client_secret: "sim-secret".into(),
            cin7: SimCin7::Core,
        }
    }
}

/// A running simulator. Dropping it stops the servers.
#[derive(Debug)]
pub struct Simulator {
    /// The errors planted between the two sides: `(finding kind, reference)`.
    pub truth: Vec<(&'static str, String)>,
    /// Cin7 minus Xero per account code over all the data (debit positive), from the
    /// simulator's own ledgers; against Omni, whose Cin7 ledger cxsync derives, for the
    /// accounts derived whole (COGS and inventory), from the plants.
    pub variance: BTreeMap<String, rust_decimal::Decimal>,
    pub xero_addr: SocketAddr,
    pub cin7_addr: SocketAddr,
    pub tenant_id: String,
    pub config: SimConfig,
    stop: Option<tokio::sync::watch::Sender<bool>>,
}

impl Simulator {
    /// Generates the data and starts the servers on ephemeral loopback ports.
    pub async fn start(config: SimConfig) -> std::io::Result<Self> {
        // Cin7 Omni's business has no Core purchases or stock adjustments (it plants its own).
        let mut world = match config.cin7 {
            SimCin7::Core => data::generate(config.seed, config.size),
            SimCin7::Omni => data::generate_sales(config.seed, config.size),
        };
        let omni_world = (config.cin7 == SimCin7::Omni).then(|| omni::omni_world(&mut world));
        let truth = world.truth.clone();
        let variance = match &omni_world {
            Some(omni) => omni.variance.clone(),
            None => world.ledger_variance(),
        };
        // The Cin7 side moves to its server (the simulated Xero does not read it): one copy.
        let cin7_world = std::mem::take(&mut world.cin7);
        let tenant_id = world.tenant_id.clone();
        let limiter = limits::Limiter::new(config.xero_limits, config.minute);
        let dice = faults::Dice::new(config.faults, config.seed);
        let xero = Arc::new(xero::XeroSim::new(
            world,
            &config.client_id,
            &config.client_secret,
            config.minute,
            limiter,
            dice,
        ));
        let cin7_router = match omni_world {
            Some(omni_world) => Arc::new(omni::OmniSim::new(
                OMNI_USER,
                OMNI_KEY,
                omni_world,
                config.cin7_limits,
                config.minute,
            ))
            .router(),
            None => Arc::new(cin7::Cin7Sim::new(
                CIN7_ACCOUNT,
                CIN7_KEY,
                data::cin7_accounts(),
                cin7_world,
                limits::Limiter::new(config.cin7_limits, config.minute),
                // Its own stream of the same faults, so Xero's rolls do not move.
                faults::Dice::new(config.faults, config.seed.wrapping_add(1)),
                config.minute,
            ))
            .router(),
        };
        let xero_listener = TcpListener::bind("127.0.0.1:0").await?;
        let cin7_listener = TcpListener::bind("127.0.0.1:0").await?;
        let (xero_addr, cin7_addr) = (xero_listener.local_addr()?, cin7_listener.local_addr()?);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        for (listener, app) in [(xero_listener, xero.router()), (cin7_listener, cin7_router)] {
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                let served = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = stopped.changed().await;
                });
                if let Err(err) = served.await {
                    tracing::error!("simulator stopped: {err}");
                }
            });
        }
        Ok(Self { truth, variance, xero_addr, cin7_addr, tenant_id, config, stop: Some(stop) })
    }

    pub fn xero_base(&self) -> String {
        format!("http://{}", self.xero_addr)
    }

    /// A cxsync config file for one connection against this simulator.
    pub fn config_toml(&self, store: &std::path::Path) -> String {
        let base = self.xero_base();
        format!(
            r#"# cxsync config for the simulator at {base} (generated by `cxsync sim serve`)
[store]
path = "{store}"

[[connections]]
name = "sim"
timezone = "Australia/Sydney"

[connections.xero]
api_url = "{base}/api.xro/2.0"
token_url = "{base}/connect/token"
identity_url = "{base}/"
authorize_url = "{base}/identity/connect/authorize"
client_id = "{client_id}"
client_secret = "{client_secret}"
tenant_id = "{tenant}"

[connections.xero.limits]
minute_ms = {minute_ms}
per_minute = {xero_per_minute}

[connections.cin7]
{cin7_section}

[connections.cin7.limits]
minute_ms = {minute_ms}

[connections.accounts]
inventory = "630"
cogs = "310"
revenue = "200"
grni = "815"
stock_in_transit = "650"
{omni_accounts}"#,
            store = store.display(),
            client_id = self.config.client_id,
            client_secret = self.config.client_secret,
            tenant = self.tenant_id,
            minute_ms = self.config.minute.as_millis(),
            xero_per_minute = self.config.xero_limits.per_minute,
            cin7_section = self.cin7_section(),
            // Where Omni's adjustments without an account of their own post.
            omni_accounts = match self.config.cin7 {
                SimCin7::Core => String::new(),
                SimCin7::Omni => {
                    format!("inventory_discrepancy = \"{}\"\n", omni_stock::ADJUSTMENT_ACCOUNT)
                }
            },
        )
    }

    /// The `[connections.cin7]` keys of the product served.
    fn cin7_section(&self) -> String {
        let addr = self.cin7_addr;
        match self.config.cin7 {
            SimCin7::Core => format!(
                "kind = \"core\"\napi_url = \"http://{addr}/ExternalApi/v2\"\naccount_id = \
                 \"{CIN7_ACCOUNT}\"\napplication_key = \"{CIN7_KEY}\""
            ),
            SimCin7::Omni => format!(
                "kind = \"omni\"\napi_url = \"http://{addr}/api/v1\"\nusername = \
                 \"{OMNI_USER}\"\napi_key = \"{OMNI_KEY}\""
            ),
        }
    }
}

impl SimCin7 {
    /// The product's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Core => "Cin7 Core",
            Self::Omni => "Cin7 Omni",
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
    }
}
