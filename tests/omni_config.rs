//! An Omni connection's configuration: Omni's defaults, its secret, and the COGS lag.

use cxsync::config::{Cin7Credentials, Cin7Kind, Env, Settings};

const OMNI: &str = r#"
[[connections]]
name = "beta-nz"
[connections.xero]
client_id = "id"
client_secret = "xero-secret-value"
[connections.cin7]
kind = "omni"
username = "beta-api"
api_key = "omni-key-value"
[connections.accounts]
inventory = "630"
"#;

fn load(text: &str) -> Settings {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cxsync.toml");
    std::fs::write(&path, text).unwrap();
    Settings::load(&path, &Env::default()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_omni_connection_gets_omnis_url_and_limits_and_a_day_of_cogs_lag() {
    let settings = load(OMNI);
    let connection = &settings.connections[0];
    assert_eq!(connection.cin7.kind(), Cin7Kind::Omni);
    assert_eq!(connection.cin7.api_url.as_str(), "https://api.cin7.com/api/v1");
    let limits = connection.cin7.limits;
    assert_eq!((limits.per_second, limits.per_minute, limits.per_day), (Some(3), 60, Some(5000)));
    let Cin7Credentials::Omni { username, api_key } = &connection.cin7.credentials else {
        panic!("an Omni connection");
    };
    assert_eq!((username.as_str(), api_key.expose()), ("beta-api", "omni-key-value"));
    assert!(!format!("{connection:?}").contains("omni-key-value"), "the key is never printed");
    assert_eq!(connection.reconcile.settings().cogs_lag, chrono::Duration::hours(24));
}

#[test]
fn the_cogs_lag_is_configured_in_hours() {
    let settings = load(&format!("{OMNI}[connections.reconcile]\ncogs_lag_hours = 48\n"));
    let lag = settings.connections[0].reconcile.settings().cogs_lag;
    assert_eq!(lag, chrono::Duration::hours(48));
}
