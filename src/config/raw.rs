//! The config file's shape exactly as written, before validation. Unknown keys are errors.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

use super::env::{self, Env, Override};
use super::{AccountMap, Cin7Kind, ConfigError, XeroAuth, XeroLimits};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSettings {
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub daemon: super::DaemonSettings,
    #[serde(default)]
    pub connections: Vec<RawConnection>,
    #[serde(default)]
    pub report: RawReport,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStore {
    pub path: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnection {
    pub name: String,
    pub timezone: Option<String>,
    pub xero: RawXero,
    pub cin7: RawCin7,
    pub accounts: AccountMap,
    #[serde(default)]
    pub reconcile: super::ReconcileConfig,
    #[serde(default)]
    pub report: RawConnectionReport,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawXero {
    #[serde(default = "default_xero_api_url")]
    pub api_url: Url,
    #[serde(default = "default_xero_token_url")]
    pub token_url: Url,
    #[serde(default = "default_xero_identity_url")]
    pub identity_url: Url,
    #[serde(default = "default_xero_authorize_url")]
    pub authorize_url: Url,
    #[serde(default = "default_xero_redirect_uri")]
    pub redirect_uri: Url,
    #[serde(default = "default_xero_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "default_xero_auth")]
    pub auth: XeroAuth,
    pub client_id: String,
    pub client_secret: Option<SecretString>,
    pub client_secret_file: Option<PathBuf>,
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub limits: XeroLimits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCin7 {
    pub kind: Cin7Kind,
    pub api_url: Option<Url>,
    // Core
    pub account_id: Option<SecretString>,
    pub account_id_file: Option<PathBuf>,
    pub application_key: Option<SecretString>,
    pub application_key_file: Option<PathBuf>,
    // Omni
    pub username: Option<String>,
    pub api_key: Option<SecretString>,
    pub api_key_file: Option<PathBuf>,
    /// Where the first full read of history starts; resolved in `Resolver::cin7`.
    pub backfill_from: Option<chrono::NaiveDate>,
    /// Core: days of the ledger feed read again each cycle.
    pub reread_days: Option<u32>,
    #[serde(default)]
    pub limits: RawCin7Limits,
}

/// Cin7 limits whose defaults depend on the kind; resolved in `Resolver::cin7`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(clippy::struct_field_names)] // the names are the config keys
pub(super) struct RawCin7Limits {
    pub minute_ms: Option<u32>,
    pub per_minute: Option<u32>,
    pub per_second: Option<u32>,
    pub per_day: Option<u32>,
}

/// `[report]`: when and where the daily variance report goes; resolved in `config::report`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawReport {
    /// Local time (in each connection's time zone), "HH:MM".
    pub time: String,
    pub directory: Option<PathBuf>,
    pub log: bool,
    pub email: Option<RawEmail>,
}

impl Default for RawReport {
    fn default() -> Self {
        Self { time: "07:00".into(), directory: None, log: true, email: None }
    }
}

/// `[report.email]`: the SMTP server and the message's sender and recipients.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEmail {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: super::SmtpSecurity,
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    pub password_file: Option<PathBuf>,
    pub from: String,
    #[serde(default)]
    pub to: Addresses,
    #[serde(default = "default_email_retries")]
    pub retries: u32,
    #[serde(default = "default_email_retry_delay_ms")]
    pub retry_delay_ms: u64,
    #[serde(default = "default_email_timeout_s")]
    pub timeout_s: u64,
}

/// `[connections.report]`: one connection's overrides of `[report]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConnectionReport {
    pub enabled: Option<bool>,
    pub time: Option<String>,
    pub to: Option<Addresses>,
}

/// Email addresses: a TOML list, or one string of comma-separated addresses (which is how an
/// environment variable gives them).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub(super) enum Addresses {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Addresses {
    pub(super) fn list(&self) -> Vec<String> {
        let all: Vec<&str> = match self {
            Self::None => Vec::new(),
            Self::One(text) => text.split(',').collect(),
            Self::Many(list) => list.iter().map(String::as_str).collect(),
        };
        all.into_iter().map(str::trim).filter(|a| !a.is_empty()).map(String::from).collect()
    }
}

fn default_email_retries() -> u32 {
    3
}
fn default_email_retry_delay_ms() -> u64 {
    30_000
}
fn default_email_timeout_s() -> u64 {
    60
}

fn default_xero_api_url() -> Url {
    Url::parse("https://api.xero.com/api.xro/2.0").expect("constant URL")
}
fn default_xero_token_url() -> Url {
    Url::parse("https://identity.xero.com/connect/token").expect("constant URL")
}
fn default_xero_identity_url() -> Url {
    Url::parse("https://api.xero.com").expect("constant URL")
}
fn default_xero_authorize_url() -> Url {
    Url::parse("https://login.xero.com/identity/connect/authorize").expect("constant URL")
}
fn default_xero_redirect_uri() -> Url {
    Url::parse("http://localhost:8910/callback").expect("constant URL")
}
/// Read-only granular scopes (Xero apps created after March 2026 get no broad ones).
fn default_xero_scopes() -> Vec<String> {
    [
        "offline_access",
        "accounting.settings.read",
        "accounting.invoices.read",
        "accounting.payments.read",
        "accounting.banktransactions.read",
        "accounting.manualjournals.read",
        "accounting.journals.read",
        "accounting.reports.trialbalance.read",
    ]
    .map(String::from)
    .to_vec()
}
fn default_xero_auth() -> XeroAuth {
    XeroAuth::ClientCredentials
}

/// Reads the TOML file, applies environment overrides, and deserialises the result.
pub(super) fn parse(path: &Path, env: &Env) -> Result<(RawSettings, Vec<Override>), ConfigError> {
    let parse_error = |message: String| ConfigError::Parse { path: path.into(), message };
    let file = config::File::from(path).format(config::FileFormat::Toml).required(true);
    let base = config::Config::builder().add_source(file);
    // A first pass learns the connection names, so overrides can address connections by name.
    let first = base.clone().build().map_err(|e| parse_error(describe(&e, &[])))?;
    let names: Vec<String> = first
        .get_array("connections")
        .unwrap_or_default()
        .into_iter()
        .map(|value| {
            value
                .into_table()
                .ok()
                .and_then(|table| table.get("name").cloned())
                .and_then(|name| name.into_string().ok())
                .unwrap_or_default()
        })
        .collect();
    let overrides = env::overrides(env, &names).map_err(parse_error)?;
    let mut builder = base;
    for o in &overrides {
        builder = builder.set_override(o.key.as_str(), o.value.as_str()).map_err(|e| {
            parse_error(format!("environment variable {}: {}", o.var, describe(&e, &names)))
        })?;
    }
    let merged = builder.build().map_err(|e| parse_error(describe(&e, &names)))?;
    let raw = merged.try_deserialize::<RawSettings>().map_err(|e| {
        let mut message = describe(&e, &names);
        if let Some(o) = overrides.iter().find(|o| message.contains(&format!("`{}`", o.key))) {
            let _ = write!(message, " (the value comes from environment variable {})", o.var);
        }
        parse_error(message)
    })?;
    Ok((raw, overrides))
}

/// Removes the quoted value serde puts after `string`, `char` or `bytes` in type errors.
fn without_quoted_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = ["string \"", "character `", "bytes \""]
        .iter()
        .filter_map(|p| rest.find(p).map(|i| (i, *p)))
        .min()
    {
        let (index, pattern) = at;
        let close = if pattern.ends_with('`') { '`' } else { '"' };
        let value_start = index + pattern.len();
        out.push_str(&rest[..index + pattern.len() - 2]);
        match rest[value_start..].find(close) {
            Some(end) => rest = &rest[value_start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The config crate's message, tidied: the key path gets its missing dots back
/// (`connections[0]cin7` → `connections[0].cin7`), the file name is not repeated (our error
/// starts with it), and the connection's name follows its index.
///
/// Values are never repeated: a mistyped secret must not reach the terminal or the journal.
/// TOML syntax errors keep their position and the parser's reason but lose the quoted source
/// line; type errors lose the quoted value (`invalid type: string "…"` → `invalid type: string`).
fn describe(error: &config::ConfigError, names: &[String]) -> String {
    let text = without_quoted_values(&error.to_string());
    let Some(start) = text.find("for key `") else {
        // A TOML syntax error: "TOML parse error at line L, column C", the source line with
        // a caret (which may hold a secret), the reason, then "in <file>".
        let text = text.rsplit_once("\n in ").map_or(text.as_str(), |(head, _)| head);
        let kept: Vec<&str> = text
            .lines()
            .filter(|line| {
                let trimmed = line.trim_start();
                !(trimmed.starts_with('|')
                    || trimmed
                        .split_once('|')
                        .is_some_and(|(n, _)| n.trim().parse::<u32>().is_ok()))
            })
            .collect();
        return kept.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let key_start = start + "for key `".len();
    let Some(key_len) = text[key_start..].find('`') else { return text };
    let mut key = String::new();
    let mut chars = text[key_start..key_start + key_len].chars().peekable();
    while let Some(c) = chars.next() {
        key.push(c);
        if c == ']' && chars.peek().is_some_and(|next| *next != '.' && *next != '[') {
            key.push('.');
        }
    }
    let mut message = format!("{}for key `{key}`", &text[..start]);
    if let Some(index) = key.strip_prefix("connections[").and_then(|rest| rest.split(']').next())
        && let Some(name) = index.parse::<usize>().ok().and_then(|i| names.get(i))
    {
        let _ = write!(message, " (connection `{name}`)");
    }
    message
}
