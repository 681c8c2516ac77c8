//! `cxsync check`: is the configuration usable? Loads and validates the config (done by the
//! caller), opens and migrates the store, and reports per connection what is set and what is
//! missing. It makes no network calls.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Context as _;

use super::Failure;
use crate::clock::{Clock, SystemClock};
use crate::config::{Cin7Credentials, Connection, ReportSettings, Settings, XeroAuth};
use crate::store::Store;

pub(super) fn run(settings: &Settings, out: &mut dyn Write) -> Result<(), Failure> {
    let store = Store::open(&settings.store.path).context("opening the store")?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "config: {} ({} connection(s))",
        settings.source.display(),
        settings.connections.len()
    );
    let _ = writeln!(
        text,
        "store: {} (schema version {})",
        store.path().display(),
        store.schema_version().context("reading the schema version")?
    );
    for connection in &settings.connections {
        store
            .ensure_connection(&connection.name, connection.cin7.kind(), SystemClock.now())
            .with_context(|| format!("recording connection `{}` in the store", connection.name))?;
        describe(&store, &settings.report, connection, &mut text)
            .with_context(|| format!("checking connection `{}`", connection.name))?;
    }
    text.push_str(
        "\nNot checked (no network in `check` yet): credentials, connectivity, tenant access.\n",
    );
    out.write_all(text.as_bytes()).context("writing the report")?;
    Ok(())
}

/// Where and when the connection's daily report goes.
fn describe_report(settings: &ReportSettings, c: &Connection, text: &mut String) {
    let r = &c.report;
    if !r.enabled {
        let _ = writeln!(
            text,
            "  report: not sent by the daemon ([connections.report] enabled = false)"
        );
        return;
    }
    let mut to = Vec::new();
    if settings.log {
        to.push("the log".to_string());
    }
    if let Some(dir) = &settings.directory {
        to.push(format!("files in {}", dir.join(&c.name).display()));
    }
    if let Some(email) = settings.email.as_ref().filter(|_| !r.to.is_empty()) {
        to.push(format!(
            "email to {} via {}:{} ({})",
            r.to.join(", "),
            email.host,
            email.port,
            email.security.as_str()
        ));
    }
    let zone = c.timezone.map_or_else(|| "UTC".to_string(), |tz| tz.to_string());
    let _ = writeln!(
        text,
        "  report: daily at {} {zone}, to {}",
        r.time.format("%H:%M"),
        if to.is_empty() { "nowhere".to_string() } else { to.join(", ") }
    );
}

fn describe(
    store: &Store,
    report: &ReportSettings,
    c: &Connection,
    text: &mut String,
) -> anyhow::Result<()> {
    let mut todo = Vec::new();
    let _ = writeln!(text, "\nconnection {}", c.name);
    match c.timezone {
        Some(tz) => {
            let _ = writeln!(text, "  timezone: {tz}");
        }
        None => {
            let _ = writeln!(
                text,
                "  timezone: not set (the Xero organisation's, once synced; UTC until then)"
            );
        }
    }
    let x = &c.xero;
    let auth = match x.auth {
        XeroAuth::ClientCredentials => "client_credentials (custom connection)",
        XeroAuth::AuthorizationCode => "authorization_code (standard app)",
    };
    let _ = writeln!(text, "  xero: {auth}, api {}", x.api_url);
    let _ = writeln!(
        text,
        "    client id {}; tenant {}",
        x.client_id,
        x.tenant_id.as_deref().unwrap_or("not set (read from /connections)")
    );
    let _ = writeln!(
        text,
        "    limits: {}/minute, {} at once, {}/day",
        x.limits.per_minute, x.limits.concurrent, x.limits.per_day
    );
    if x.auth == XeroAuth::AuthorizationCode {
        match store.refresh_token_stored_at(&c.name)? {
            Some(at) => {
                let _ = writeln!(text, "    refresh token stored {at}");
            }
            None => {
                todo.push(format!("sign in to Xero: `cxsync auth xero --connection {}`", c.name));
            }
        }
    }
    let _ = writeln!(text, "  cin7: {}, api {}", c.cin7.kind(), c.cin7.api_url);
    if let Cin7Credentials::Omni { username, .. } = &c.cin7.credentials {
        let _ = writeln!(text, "    api user {username}");
    }
    let l = &c.cin7.limits;
    let _ = writeln!(
        text,
        "    limits: {}/minute{}{}",
        l.per_minute,
        l.per_second.map(|n| format!(", {n}/second")).unwrap_or_default(),
        l.per_day.map(|n| format!(", {n}/day")).unwrap_or_default()
    );
    for (key, secret) in c.secrets() {
        let _ = writeln!(text, "  secret {key}: from {}", secret.source());
    }
    describe_report(report, c, text);
    let _ = writeln!(text, "  accounts:");
    for (role, code) in c.accounts.roles() {
        match code {
            Some(code) => {
                let _ = writeln!(text, "    {role:<22} {code}");
            }
            None => {
                let _ = writeln!(text, "    {role:<22} not mapped");
            }
        }
    }
    if todo.is_empty() {
        let _ = writeln!(text, "  ok");
    } else {
        for item in todo {
            let _ = writeln!(text, "  to do: {item}");
        }
    }
    Ok(())
}
