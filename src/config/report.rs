//! The daily report's settings: when it is sent (a local time per connection), and where to
//! (the log, a directory of dated files, email over SMTP). Resolved from `[report]`,
//! `[report.email]` and each connection's `[connections.report]`.
//!
//! Plain SMTP is accepted only to this machine: a password or a report crossing the network in
//! clear is refused here, before anything runs.

use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::Duration;

use chrono::NaiveTime;

use super::raw::{RawConnectionReport, RawEmail, RawReport};
use super::secrets::{self, SecretInput};
use super::{Secret, env};

/// `[report]`, resolved.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// The default local send time (connections may override it).
    pub time: NaiveTime,
    /// Where dated report files are written, one folder per connection; none when unset.
    pub directory: Option<PathBuf>,
    /// Whether the report is written to the log (a summary at `info`, the text at `debug`).
    pub log: bool,
    pub email: Option<EmailSettings>,
}

/// How a report travels by email.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Connect in clear, then upgrade with STARTTLS before anything else (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
    /// No encryption: only to localhost, 127.0.0.1 or `::1` (port 25).
    Plain,
}

impl SmtpSecurity {
    /// The word the config uses for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::Plain => "plain",
        }
    }

    /// The port used when `report.email.port` is not set.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::Plain => 25,
        }
    }
}

/// `[report.email]`, resolved. `Debug` never shows the password (see [`Secret`]).
#[derive(Debug, Clone)]
pub struct EmailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// A PEM file of CA certificates trusted besides the public web PKI roots (a relay with a
    /// certificate from a private CA).
    pub ca_file: Option<PathBuf>,
    /// With `password`: SMTP AUTH (PLAIN or LOGIN).
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The sender, e.g. `cxsync <reports@acme.example>`.
    pub from: String,
    /// The default recipients (connections may override them).
    pub to: Vec<String>,
    /// How many times a transient failure (4xx, connection error) is retried.
    pub retries: u32,
    /// The wait before the first retry; it doubles after each one.
    pub retry_delay: Duration,
    /// The timeout of each SMTP command.
    pub timeout: Duration,
}

/// One connection's report settings, with `[report]`'s defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    /// Whether the daemon sends this connection's report.
    pub enabled: bool,
    /// The local time (in the connection's time zone) the report of yesterday is sent at.
    pub time: NaiveTime,
    /// The email recipients (empty when no email is configured).
    pub to: Vec<String>,
}

/// The environment override key (`report.email.password`) and the systemd credential name of
/// the SMTP password.
const PASSWORD_KEY: &str = "report.email.password";

/// Resolves `[report]` and `[report.email]`.
pub(super) fn resolve(
    raw: &RawReport,
    config_dir: &Path,
    credentials_dir: Option<&Path>,
    overrides: &[env::Override],
) -> Result<ReportSettings, String> {
    let time = local_time("report.time", &raw.time)?;
    let email = raw
        .email
        .as_ref()
        .map(|email| resolve_email(email, config_dir, credentials_dir, overrides))
        .transpose()?;
    if raw.directory.as_deref().is_some_and(|d| d.as_os_str().is_empty()) {
        return Err("`report.directory` is empty: give a folder or remove the key".into());
    }
    Ok(ReportSettings { time, directory: raw.directory.clone(), log: raw.log, email })
}

/// Resolves one connection's `[connections.report]` against `[report]`.
pub(super) fn resolve_connection(
    raw: &RawConnectionReport,
    report: &ReportSettings,
) -> Result<ConnectionReport, String> {
    let time = match &raw.time {
        Some(text) => local_time("report.time", text)?,
        None => report.time,
    };
    let to = match (&raw.to, &report.email) {
        (Some(to), Some(_)) => addresses("report.to", &to.list())?,
        (Some(_), None) => {
            return Err("`report.to` is set but there is no [report.email] section to send \
                        with: add one (host, from) or remove `report.to`"
                .into());
        }
        (None, Some(email)) => email.to.clone(),
        (None, None) => Vec::new(),
    };
    let enabled = raw.enabled.unwrap_or(true);
    let nowhere = !report.log && report.directory.is_none() && to.is_empty();
    if enabled && nowhere {
        return Err("the report has nowhere to go: `report.log` is false and neither \
                    `report.directory` nor email recipients are set (set one, or \
                    `enabled = false` under [connections.report])"
            .into());
    }
    Ok(ConnectionReport { enabled, time, to })
}

fn resolve_email(
    raw: &RawEmail,
    config_dir: &Path,
    credentials_dir: Option<&Path>,
    overrides: &[env::Override],
) -> Result<EmailSettings, String> {
    let host = raw.host.trim().trim_start_matches('[').trim_end_matches(']').to_string();
    if host.is_empty() {
        return Err("`report.email.host` is empty: give the SMTP server's name".into());
    }
    let loopback = matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1");
    if raw.security == SmtpSecurity::Plain && !loopback {
        return Err(format!(
            "`report.email.security = \"plain\"` sends the report (and any password) in clear, \
             so it is accepted only for localhost, 127.0.0.1 or ::1, not `{host}`: use \
             \"starttls\" (port 587) or \"tls\" (port 465)"
        ));
    }
    let inline_from_env =
        overrides.iter().rev().find(|o| o.key == PASSWORD_KEY).map(|o| o.var.as_str());
    let input = SecretInput {
        qualified_key: PASSWORD_KEY.into(),
        inline: raw.password.as_ref(),
        inline_from_env,
        file: raw.password_file.as_deref(),
    };
    let password = secrets::resolve(&input, config_dir, credentials_dir)?;
    let username = raw.username.clone().filter(|u| !u.trim().is_empty());
    match (&username, &password) {
        (Some(_), None) => {
            return Err("`report.email.username` is set but no password: give \
                        `password_file = \"/path\"`, a systemd credential named \
                        `report.email.password`, CXSYNC__REPORT__EMAIL__PASSWORD, or \
                        `password = \"…\"`"
                .into());
        }
        (None, Some(_)) => {
            return Err("a password for `report.email` is set but no `username`".into());
        }
        _ => {}
    }
    if raw.retry_delay_ms == 0 {
        return Err("`report.email.retry_delay_ms` is 0: give the wait before a retry (default \
                    30000)"
            .into());
    }
    if raw.timeout_s == 0 {
        return Err("`report.email.timeout_s` is 0: give the seconds an SMTP command may take \
                    (default 60)"
            .into());
    }
    addresses("report.email.from", std::slice::from_ref(&raw.from))?;
    let ca_file = raw.ca_file.as_ref().map(|f| config_dir.join(f));
    if let Some(path) = &ca_file {
        if raw.security == SmtpSecurity::Plain {
            return Err("`report.email.ca_file` needs `security = \"starttls\"` or \"tls\"".into());
        }
        let pem = std::fs::read_to_string(path).map_err(|err| {
            format!("cannot read `report.email.ca_file` {}: {err}", path.display())
        })?;
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(format!(
                "`report.email.ca_file` {} holds no PEM certificate",
                path.display()
            ));
        }
    }
    Ok(EmailSettings {
        ca_file,
        port: raw.port.unwrap_or_else(|| raw.security.default_port()),
        host,
        security: raw.security,
        username,
        password,
        from: raw.from.trim().to_string(),
        to: addresses("report.email.to", &raw.to.list())?,
        retries: raw.retries,
        retry_delay: Duration::from_millis(raw.retry_delay_ms),
        timeout: Duration::from_secs(raw.timeout_s),
    })
}

/// Checks each address parses as a mailbox (`a@x.example` or `Name <a@x.example>`).
fn addresses(key: &str, list: &[String]) -> Result<Vec<String>, String> {
    list.iter()
        .map(|address| {
            lettre::message::Mailbox::from_str(address.trim())
                .map(|_| address.trim().to_string())
                .map_err(|err| format!("`{key}`: `{address}` is not an email address ({err})"))
        })
        .collect()
}

/// `"HH:MM"` (or `"HH:MM:SS"`) as a time of day.
fn local_time(key: &str, text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M:%S"))
        .map_err(|_| format!("`{key} = \"{text}\"` is not a time of day: write it as \"07:00\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_hours_and_minutes() {
        assert_eq!(local_time("t", "07:00").unwrap(), NaiveTime::from_hms_opt(7, 0, 0).unwrap());
        assert_eq!(
            local_time("t", " 23:59 ").unwrap(),
            NaiveTime::from_hms_opt(23, 59, 0).unwrap()
        );
        assert!(local_time("t", "7am").unwrap_err().contains("\"07:00\""));
        assert!(local_time("t", "24:00").is_err());
    }

    #[test]
    fn addresses_must_parse() {
        let ok = addresses("to", &["a@x.example".into(), "Bo <b@y.example>".into()]).unwrap();
        assert_eq!(ok.len(), 2);
        assert!(addresses("to", &["not an address".into()]).unwrap_err().contains("`to`"));
    }
}
