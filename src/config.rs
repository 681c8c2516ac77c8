//! Typed settings: serde defaults, then the TOML file, then `CXSYNC__…` environment overrides;
//! secrets from the file, the environment, `*_file` keys or systemd credentials.
//!
//! This module reads files and the environment snapshot it is given, and nothing else: no
//! network, no store. [`Settings::load`] either returns settings that every later stage can
//! trust (URLs parsed, time zones known, secrets present) or a [`ConfigError`] that names the
//! file and the key. `config/README.md` is the user-facing description.
//!
//! Architecture:
//! - `raw`: the file's shape, `deny_unknown_fields` everywhere, so typos are errors.
//! - `env`: the environment snapshot and its override variables.
//! - `secrets`: secret values that never print, and where each came from.
//! - `report`: when and where the daily report is delivered (`[report]`, per connection).
//! - this file: loading, validation, and the resolved types the rest of cxsync uses.

mod env;
mod raw;
mod report;
mod secrets;

use std::fmt;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use url::Url;

pub use env::{Env, env_name};
pub use report::{ConnectionReport, EmailSettings, ReportSettings, SmtpSecurity};
pub use secrets::{Secret, SecretSource};

use raw::{RawCin7, RawConnection, RawXero};
use secrets::SecretInput;

/// Where the config file is looked for when neither `--config` nor `$CXSYNC_CONFIG` is given.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/cxsync/cxsync.toml";
/// The store's path when the config gives none and systemd gives no `$STATE_DIRECTORY`.
pub const DEFAULT_STORE_PATH: &str = "/var/lib/cxsync/cxsync.db";

/// Why the configuration cannot be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file does not exist.
    #[error(
        "no config file at {path}: pass --config FILE or set $CXSYNC_CONFIG \
         (config/example.toml documents every option)"
    )]
    NotFound { path: PathBuf },
    /// The file is not valid TOML, has an unknown key or a value of the wrong type.
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    /// The file parsed but a value is not usable (bad URL, unknown time zone, missing secret…).
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Everything cxsync is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The file these settings came from.
    pub source: PathBuf,
    pub store: StoreSettings,
    pub daemon: DaemonSettings,
    pub report: ReportSettings,
    pub connections: Vec<Connection>,
}

/// How `cxsync run` schedules work.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonSettings {
    /// Seconds between document syncs of a connection, when its daily allowance allows.
    pub sync_interval_s: u64,
    /// Up to this share of the interval is added at random (0 to 0.5).
    pub jitter: f64,
    /// The share of each API's daily call allowance scheduled syncs may use (0 to 1]; the
    /// interval stretches to stay within it.
    pub day_budget_share: f64,
    /// Hours between full re-reads of open (AUTHORISED) Xero documents.
    pub reread_open_hours: u64,
    /// Hours between reads of what changes rarely: the organisation, charts of accounts,
    /// tracking categories, products.
    pub settings_interval_hours: u64,
    /// Where `/healthz` and `/metrics` are served (e.g. "127.0.0.1:9187"); none when unset.
    pub health_listen: Option<std::net::SocketAddr>,
}

impl Default for DaemonSettings {
    fn default() -> Self {
        Self {
            sync_interval_s: 300,
            jitter: 0.1,
            day_budget_share: 0.5,
            reread_open_hours: 24,
            settings_interval_hours: 6,
            health_listen: None,
        }
    }
}

impl DaemonSettings {
    fn validate(&self) -> Result<(), String> {
        if self.sync_interval_s == 0 {
            return Err(
                "`daemon.sync_interval_s` is 0: give the seconds between syncs (default 300)"
                    .into(),
            );
        }
        if !(0.0..=0.5).contains(&self.jitter) {
            return Err(format!(
                "`daemon.jitter` is {}: give a share between 0 and 0.5",
                self.jitter
            ));
        }
        if !(self.day_budget_share > 0.0 && self.day_budget_share <= 1.0) {
            return Err(format!(
                "`daemon.day_budget_share` is {}: give a share above 0, at most 1",
                self.day_budget_share
            ));
        }
        if self.settings_interval_hours == 0 {
            return Err("`daemon.settings_interval_hours` is 0: give the hours between reads of accounts and products (default 6)".into());
        }
        if self.reread_open_hours == 0 {
            return Err(
                "`daemon.reread_open_hours` is 0: give the hours between re-reads (default 24)"
                    .into(),
            );
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub path: PathBuf,
}

/// One Cin7↔Xero pair.
#[derive(Debug, Clone)]
pub struct Connection {
    pub name: String,
    /// The business's time zone; `None` means "use the Xero organisation's once it is synced".
    pub timezone: Option<Tz>,
    pub xero: XeroSettings,
    pub cin7: Cin7Settings,
    pub accounts: AccountMap,
    pub reconcile: ReconcileConfig,
    pub report: ConnectionReport,
}

impl Connection {
    /// Reconciliation's settings for this connection, its time zone included.
    pub fn reconcile_settings(&self) -> crate::reconcile::Settings {
        crate::reconcile::Settings { timezone: self.timezone, ..self.reconcile.settings() }
    }
}

/// How forgiving reconciliation is, and how the connection's Cin7 integration exports.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReconcileConfig {
    /// Largest total difference still "the same" (Xero rounds tax per line). A decimal string,
    /// so it stays exact: "0.01".
    #[serde(with = "rust_decimal::serde::str")]
    pub amount_tolerance: rust_decimal::Decimal,
    /// Hours after a Cin7 change during which its Xero copy may still be missing or stale.
    pub grace_hours: u32,
    /// Cin7 Omni: hours after a dispatch before a line without cost is reported (Omni computes
    /// COGS once a day).
    pub cogs_lag_hours: u32,
    /// Days goods may stay received and not invoiced (or invoiced and not received) before
    /// the open GRNI accrual is reported.
    pub accrual_days: u32,
    /// Share of a Xero fair-use tier (5k, 10k, 15k, 20k invoices a month) at which the
    /// projected monthly average is reported: "0.9". A decimal string.
    #[serde(with = "rust_decimal::serde::str")]
    pub fair_use_warning: rust_decimal::Decimal,
    /// Document types Cin7 consolidates on export (its Xero integration's "Consolidate
    /// transactions on export"), e.g. `["sales_invoice", "payment"]`.
    #[serde(deserialize_with = "doc_types")]
    pub consolidated: Vec<crate::model::DocType>,
    /// Cin7 sales channels excluded from the Xero export (`SourceChannel`, e.g. "Shopify").
    pub excluded_channels: Vec<String>,
}

/// A list of cxsync document type codes (`sales_invoice`…).
fn doc_types<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<crate::model::DocType>, D::Error> {
    use crate::model::DocType;
    let words: Vec<String> = serde::Deserialize::deserialize(deserializer)?;
    words
        .iter()
        .map(|word| {
            DocType::parse(word.trim()).ok_or_else(|| {
                let known: Vec<&str> = DocType::ALL.iter().map(|t| t.as_str()).collect();
                serde::de::Error::custom(format!(
                    "unknown document type `{word}`; use one of {}",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

impl Default for ReconcileConfig {
    fn default() -> Self {
        let settings = crate::reconcile::Settings::default();
        Self {
            amount_tolerance: settings.amount_tolerance,
            grace_hours: 2,
            cogs_lag_hours: 24,
            accrual_days: 30,
            fair_use_warning: settings.fair_use_warning,
            consolidated: settings.consolidated,
            excluded_channels: settings.excluded_channels,
        }
    }
}

impl ReconcileConfig {
    /// As reconciliation takes it.
    pub fn settings(&self) -> crate::reconcile::Settings {
        crate::reconcile::Settings {
            amount_tolerance: self.amount_tolerance,
            grace: chrono::Duration::hours(i64::from(self.grace_hours)),
            accrual_age: chrono::Duration::days(i64::from(self.accrual_days)),
            fair_use_warning: self.fair_use_warning,
            consolidated: self.consolidated.clone(),
            excluded_channels: self.excluded_channels.clone(),
            timezone: None,
            cogs_lag: chrono::Duration::hours(i64::from(self.cogs_lag_hours)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct XeroSettings {
    pub api_url: Url,
    pub token_url: Url,
    pub identity_url: Url,
    /// Where an admin signs in (`authorization_code` only).
    pub authorize_url: Url,
    /// The loopback address `cxsync auth xero` listens on; registered in the Xero app.
    pub redirect_uri: Url,
    /// Scopes requested at sign-in.
    pub scopes: Vec<String>,
    pub auth: XeroAuth,
    pub client_id: String,
    /// Required for `client_credentials`; optional for `authorization_code` (PKCE).
    pub client_secret: Option<Secret>,
    /// `None`: read from `/connections` (custom connections have exactly one).
    pub tenant_id: Option<String>,
    pub limits: XeroLimits,
}

/// How cxsync signs in to Xero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum XeroAuth {
    /// A Xero custom connection: client id and secret, no user sign-in.
    ClientCredentials,
    /// A standard app: an admin signs in once with `cxsync auth xero`; refresh tokens rotate.
    AuthorizationCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct XeroLimits {
    pub per_minute: u32,
    pub concurrent: u32,
    pub per_day: u32,
    /// Xero's per-app limit across every tenant the app serves.
    pub app_per_minute: u32,
    /// How long the limits' "minute" lasts, in milliseconds: 60000 against Xero; shorter only
    /// against the simulator running on a fast clock.
    pub minute_ms: u32,
}

impl Default for XeroLimits {
    fn default() -> Self {
        Self {
            per_minute: 60,
            concurrent: 5,
            per_day: 5000,
            app_per_minute: 10_000,
            minute_ms: 60_000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cin7Settings {
    pub api_url: Url,
    pub credentials: Cin7Credentials,
    pub limits: Cin7Limits,
    /// Where history starts: the first sync reads documents updated since this date and the
    /// ledger from it. `None`: two years before the sync runs ([`Cin7Settings::backfill_from`]).
    pub backfill_from: Option<chrono::NaiveDate>,
    /// Core: how many days back the ledger feed (`transactions`) is read again every cycle,
    /// because Cin7 effective dates can be back-dated.
    pub reread_days: u32,
}

/// Default of `cin7.reread_days`.
pub const DEFAULT_REREAD_DAYS: u32 = 60;

/// How far back history starts when `cin7.backfill_from` is not set.
pub const DEFAULT_BACKFILL_YEARS: u32 = 2;

impl Cin7Settings {
    /// The configured start of history, else two years before `today`.
    pub fn backfill_from(&self, today: chrono::NaiveDate) -> chrono::NaiveDate {
        self.backfill_from.unwrap_or_else(|| {
            today
                .checked_sub_months(chrono::Months::new(12 * DEFAULT_BACKFILL_YEARS))
                .unwrap_or(today)
        })
    }

    pub fn kind(&self) -> Cin7Kind {
        match self.credentials {
            Cin7Credentials::Core { .. } => Cin7Kind::Core,
            Cin7Credentials::Omni { .. } => Cin7Kind::Omni,
        }
    }
}

/// Which Cin7 product a connection reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cin7Kind {
    Core,
    Omni,
}

impl Cin7Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Core => "core",
            Self::Omni => "omni",
        }
    }
}

impl fmt::Display for Cin7Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone)]
pub enum Cin7Credentials {
    /// `api-auth-accountid` / `api-auth-applicationkey` headers.
    Core { account_id: Secret, application_key: Secret },
    /// HTTP Basic with the API user name and key.
    Omni { username: String, api_key: Secret },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cin7Limits {
    pub per_minute: u32,
    /// Omni also limits calls per second; Core does not.
    pub per_second: Option<u32>,
    pub per_day: Option<u32>,
    /// How long the limits' "minute" lasts, in milliseconds (60000; shorter only against the
    /// simulator's fast clock).
    pub minute_ms: u32,
}

/// Control-account codes as they appear in Xero. Only `inventory` is required.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountMap {
    pub inventory: String,
    pub cogs: Option<String>,
    pub revenue: Option<String>,
    /// Goods received, not invoiced (Cin7's inventory accrual).
    pub grni: Option<String>,
    /// Goods invoiced, not received.
    pub stock_in_transit: Option<String>,
    /// Work in progress (assemblies, production).
    pub wip: Option<String>,
    /// Where stocktake and adjustment differences go.
    pub inventory_discrepancy: Option<String>,
    pub supplier_deposits: Option<String>,
}

impl AccountMap {
    /// `(role, code)` for every mapped account, in a fixed order.
    pub fn roles(&self) -> Vec<(&'static str, Option<&str>)> {
        vec![
            ("inventory", Some(self.inventory.as_str())),
            ("cogs", self.cogs.as_deref()),
            ("revenue", self.revenue.as_deref()),
            ("grni", self.grni.as_deref()),
            ("stock_in_transit", self.stock_in_transit.as_deref()),
            ("wip", self.wip.as_deref()),
            ("inventory_discrepancy", self.inventory_discrepancy.as_deref()),
            ("supplier_deposits", self.supplier_deposits.as_deref()),
        ]
    }
}

#[cfg(test)]
impl AccountMap {
    /// Only the required inventory account mapped.
    pub(crate) fn inventory_only(code: &str) -> Self {
        Self {
            inventory: code.into(),
            cogs: None,
            revenue: None,
            grni: None,
            stock_in_transit: None,
            wip: None,
            inventory_discrepancy: None,
            supplier_deposits: None,
        }
    }
}

impl Settings {
    /// The config file to use: `--config`, else `$CXSYNC_CONFIG`, else the system default.
    /// (clap fills `explicit` from either of the first two.)
    pub fn path_or_default(explicit: Option<&Path>) -> PathBuf {
        explicit.map_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH), Path::to_path_buf)
    }

    /// Loads, validates and resolves the config at `path`, with `env` for overrides,
    /// `$CREDENTIALS_DIRECTORY` and `$STATE_DIRECTORY`.
    pub fn load(path: &Path, env: &Env) -> Result<Self, ConfigError> {
        if !path.is_file() {
            return Err(ConfigError::NotFound { path: path.into() });
        }
        let (raw, overrides) = raw::parse(path, env)?;
        let invalid = |message: String| ConfigError::Invalid { path: path.into(), message };
        if raw.connections.is_empty() {
            return Err(invalid(
                "no [[connections]] configured: add one (see config/minimal.toml)".into(),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for connection in &raw.connections {
            if !seen.insert(connection.name.as_str()) {
                return Err(invalid(format!("two connections are named `{}`", connection.name)));
            }
        }
        let config_dir = path.parent().unwrap_or(Path::new("."));
        let credentials_dir = env.get("CREDENTIALS_DIRECTORY").map(Path::new);
        let report = report::resolve(&raw.report, config_dir, credentials_dir, &overrides)
            .map_err(&invalid)?;
        let resolver =
            Resolver { config_dir, credentials_dir, overrides: &overrides, report: &report };
        let connections = raw
            .connections
            .iter()
            .enumerate()
            .map(|(index, c)| resolver.connection(index, c).map_err(&invalid))
            .collect::<Result<Vec<_>, _>>()?;
        let inline_password =
            report.email.as_ref().and_then(|e| e.password.as_ref()).map(Secret::source);
        if connections.iter().any(Connection::has_inline_secret)
            || inline_password == Some(&SecretSource::Inline)
        {
            secrets::warn_if_world_readable(path, "config file");
        }
        let store_path = raw.store.path.unwrap_or_else(|| match env.get("STATE_DIRECTORY") {
            // systemd may pass several, colon-separated: the first is ours.
            Some(dirs) => Path::new(dirs.split(':').next().unwrap_or(dirs)).join("cxsync.db"),
            None => PathBuf::from(DEFAULT_STORE_PATH),
        });
        raw.daemon.validate().map_err(invalid)?;
        Ok(Self {
            source: path.into(),
            store: StoreSettings { path: store_path },
            daemon: raw.daemon,
            report,
            connections,
        })
    }
}

impl Connection {
    /// Every secret of this connection.
    pub fn secrets(&self) -> Vec<(&'static str, &Secret)> {
        let mut out = Vec::new();
        if let Some(secret) = &self.xero.client_secret {
            out.push(("xero.client_secret", secret));
        }
        match &self.cin7.credentials {
            Cin7Credentials::Core { account_id, application_key } => {
                out.push(("cin7.account_id", account_id));
                out.push(("cin7.application_key", application_key));
            }
            Cin7Credentials::Omni { api_key, .. } => out.push(("cin7.api_key", api_key)),
        }
        out
    }

    fn has_inline_secret(&self) -> bool {
        self.secrets().iter().any(|(_, s)| *s.source() == SecretSource::Inline)
    }
}

/// Turns a raw connection into a resolved one.
struct Resolver<'a> {
    config_dir: &'a Path,
    credentials_dir: Option<&'a Path>,
    overrides: &'a [env::Override],
    report: &'a ReportSettings,
}

impl Resolver<'_> {
    fn connection(&self, index: usize, raw: &RawConnection) -> Result<Connection, String> {
        let name = &raw.name;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(format!(
                "connection name `{name}` must be letters, digits, `-`, `_` or `.` (it names \
                 systemd credentials and environment variables)"
            ));
        }
        if name.chars().all(|c| c == '.') {
            return Err(format!(
                "connection name `{name}` needs a letter or digit (it also names the folder of \
                 its report files)"
            ));
        }
        let in_conn = |message: String| format!("connection `{name}`: {message}");
        let timezone = raw
            .timezone
            .as_deref()
            .map(|tz| {
                tz.parse::<Tz>().map_err(|_| {
                    in_conn(format!(
                        "`timezone = \"{tz}\"` is not an IANA time zone (e.g. \"Australia/Sydney\")"
                    ))
                })
            })
            .transpose()?;
        let xero = self.xero(index, name, &raw.xero).map_err(in_conn)?;
        let cin7 = self.cin7(index, name, &raw.cin7).map_err(in_conn)?;
        for (role, code) in raw.accounts.roles() {
            if code.is_some_and(|c| c.trim().is_empty()) {
                return Err(in_conn(format!(
                    "`accounts.{role}` is empty: give the Xero account code or remove it"
                )));
            }
        }
        if raw.reconcile.amount_tolerance.is_sign_negative() {
            return Err(in_conn(
                "`reconcile.amount_tolerance` is negative: give an amount like \"0.01\"".into(),
            ));
        }
        let share = raw.reconcile.fair_use_warning;
        if share <= rust_decimal::Decimal::ZERO || share > rust_decimal::Decimal::ONE {
            return Err(in_conn(
                "`reconcile.fair_use_warning` is a share of a tier between 0 and 1: give a value \
                 like \"0.9\" (90 %)"
                    .into(),
            ));
        }
        let report = report::resolve_connection(&raw.report, self.report).map_err(in_conn)?;
        Ok(Connection {
            name: name.clone(),
            timezone,
            xero,
            cin7,
            accounts: raw.accounts.clone(),
            reconcile: raw.reconcile.clone(),
            report,
        })
    }

    fn xero(&self, index: usize, name: &str, raw: &RawXero) -> Result<XeroSettings, String> {
        for (key, url) in [
            ("api_url", &raw.api_url),
            ("token_url", &raw.token_url),
            ("identity_url", &raw.identity_url),
            ("authorize_url", &raw.authorize_url),
        ] {
            check_url(&format!("xero.{key}"), url)?;
        }
        if raw.redirect_uri.scheme() != "http"
            || !matches!(raw.redirect_uri.host_str(), Some("localhost" | "127.0.0.1"))
            || raw.redirect_uri.port().is_none()
        {
            return Err(format!(
                "`xero.redirect_uri` ({}) must be http://localhost:PORT/… or http://127.0.0.1:PORT/…: \
                 `cxsync auth xero` listens there for the sign-in to come back",
                raw.redirect_uri
            ));
        }
        if raw.client_id.trim().is_empty() {
            return Err("`xero.client_id` is empty".into());
        }
        let client_secret = self.secret(
            index,
            name,
            "xero",
            "client_secret",
            raw.client_secret.as_ref(),
            raw.client_secret_file.as_deref(),
        )?;
        if raw.auth == XeroAuth::ClientCredentials && client_secret.is_none() {
            return Err(missing_secret(name, "xero", "client_secret"));
        }
        check_limits(
            "xero.limits",
            &[
                ("per_minute", raw.limits.per_minute),
                ("concurrent", raw.limits.concurrent),
                ("per_day", raw.limits.per_day),
                ("app_per_minute", raw.limits.app_per_minute),
                ("minute_ms", raw.limits.minute_ms),
            ],
        )?;
        Ok(XeroSettings {
            api_url: raw.api_url.clone(),
            token_url: raw.token_url.clone(),
            identity_url: raw.identity_url.clone(),
            authorize_url: raw.authorize_url.clone(),
            redirect_uri: raw.redirect_uri.clone(),
            scopes: raw.scopes.clone(),
            auth: raw.auth,
            client_id: raw.client_id.clone(),
            client_secret,
            tenant_id: raw.tenant_id.clone().filter(|t| !t.trim().is_empty()),
            limits: raw.limits,
        })
    }

    fn cin7(&self, index: usize, name: &str, raw: &RawCin7) -> Result<Cin7Settings, String> {
        let kind = raw.kind;
        let foreign: &[(&str, bool)] = match kind {
            Cin7Kind::Core => &[
                ("username", raw.username.is_some()),
                ("api_key", raw.api_key.is_some() || raw.api_key_file.is_some()),
                ("limits.per_second", raw.limits.per_second.is_some()),
            ],
            Cin7Kind::Omni => &[
                ("reread_days", raw.reread_days.is_some()),
                ("account_id", raw.account_id.is_some() || raw.account_id_file.is_some()),
                (
                    "application_key",
                    raw.application_key.is_some() || raw.application_key_file.is_some(),
                ),
            ],
        };
        if let Some((key, _)) = foreign.iter().find(|(_, set)| *set) {
            return Err(format!("`cin7.{key}` does not apply to `kind = \"{kind}\"` connections"));
        }
        let api_url = raw.api_url.clone().unwrap_or_else(|| {
            Url::parse(match kind {
                Cin7Kind::Core => "https://inventory.dearsystems.com/ExternalApi/v2",
                Cin7Kind::Omni => "https://api.cin7.com/api/v1",
            })
            .expect("default URLs parse")
        });
        check_url("cin7.api_url", &api_url)?;
        let required = |key: &'static str, inline, file| {
            self.secret(index, name, "cin7", key, inline, file)?
                .ok_or_else(|| missing_secret(name, "cin7", key))
        };
        let credentials = match kind {
            Cin7Kind::Core => Cin7Credentials::Core {
                account_id: required(
                    "account_id",
                    raw.account_id.as_ref(),
                    raw.account_id_file.as_deref(),
                )?,
                application_key: required(
                    "application_key",
                    raw.application_key.as_ref(),
                    raw.application_key_file.as_deref(),
                )?,
            },
            Cin7Kind::Omni => Cin7Credentials::Omni {
                username: raw
                    .username
                    .clone()
                    .filter(|u| !u.trim().is_empty())
                    .ok_or("`cin7.username` (the Omni API user) is not set")?,
                api_key: required("api_key", raw.api_key.as_ref(), raw.api_key_file.as_deref())?,
            },
        };
        // Core's 60/minute is shared with every other integration on the account, so cxsync
        // leaves room by default. Omni: about 3/second, 60/minute, 5,000/day.
        let limits = match kind {
            Cin7Kind::Core => Cin7Limits {
                per_minute: raw.limits.per_minute.unwrap_or(50),
                per_second: None,
                per_day: raw.limits.per_day,
                minute_ms: raw.limits.minute_ms.unwrap_or(60_000),
            },
            Cin7Kind::Omni => Cin7Limits {
                per_minute: raw.limits.per_minute.unwrap_or(60),
                per_second: Some(raw.limits.per_second.unwrap_or(3)),
                per_day: Some(raw.limits.per_day.unwrap_or(5000)),
                minute_ms: raw.limits.minute_ms.unwrap_or(60_000),
            },
        };
        let mut checked = vec![("per_minute", limits.per_minute), ("minute_ms", limits.minute_ms)];
        checked.extend(limits.per_second.map(|n| ("per_second", n)));
        checked.extend(limits.per_day.map(|n| ("per_day", n)));
        check_limits("cin7.limits", &checked)?;
        let reread_days = raw.reread_days.unwrap_or(DEFAULT_REREAD_DAYS);
        if reread_days == 0 {
            return Err("`cin7.reread_days` is 0: give the days of ledger to read again each \
                        cycle (default 60), because Cin7 effective dates can be back-dated"
                .into());
        }
        Ok(Cin7Settings {
            api_url,
            credentials,
            limits,
            backfill_from: raw.backfill_from,
            reread_days,
        })
    }

    fn secret(
        &self,
        index: usize,
        name: &str,
        section: &str,
        key: &str,
        inline: Option<&secrecy::SecretString>,
        file: Option<&Path>,
    ) -> Result<Option<Secret>, String> {
        let config_path = format!("connections[{index}].{section}.{key}");
        let inline_from_env =
            self.overrides.iter().rev().find(|o| o.key == config_path).map(|o| o.var.as_str());
        let input = SecretInput {
            qualified_key: format!("{name}.{section}.{key}"),
            inline,
            inline_from_env,
            file,
        };
        secrets::resolve(&input, self.config_dir, self.credentials_dir)
    }
}

fn missing_secret(connection: &str, section: &str, key: &str) -> String {
    format!(
        "`{section}.{key}` is not set. Give it as `{key}_file = \"/path\"` (recommended), as a \
         systemd credential named `{connection}.{section}.{key}`, in the environment as \
         CXSYNC__CONNECTIONS__{}__{}__{}, or inline as `{key} = \"…\"`",
        env_name(connection),
        section.to_uppercase(),
        key.to_uppercase()
    )
}

/// Writes a config file that holds secrets: created with mode 0600.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// Only https, except plain http to this machine (tests, the simulator).
fn check_url(key: &str, url: &Url) -> Result<(), String> {
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(format!(
            "`{key}` ({url}) must use https: credentials would cross the network in clear (http is accepted only for 127.0.0.1 and localhost)"
        )),
        other => Err(format!("`{key}` ({url}) has scheme `{other}`: use https")),
    }
}

fn check_limits(section: &str, limits: &[(&str, u32)]) -> Result<(), String> {
    match limits.iter().find(|(_, n)| *n == 0) {
        Some((key, _)) => Err(format!("`{section}.{key}` is 0: cxsync could never make a call")),
        None => Ok(()),
    }
}
