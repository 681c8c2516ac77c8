//! Every shipped config file loads, and every kind of bad config fails with a message that
//! names the file and the key.

use std::path::{Path, PathBuf};

use cxsync::config::{Cin7Credentials, ConfigError, Env, SecretSource, Settings, XeroAuth};
use rstest::rstest;

fn config_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_file_in_config_loads() {
    let files = config_files();
    assert!(files.len() >= 2, "expected example.toml and minimal.toml, found {files:?}");
    for path in files {
        let settings = Settings::load(&path, &Env::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!settings.connections.is_empty(), "{}", path.display());
    }
}

#[test]
fn example_config_shows_both_cin7_kinds_and_both_xero_auth_modes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let settings = Settings::load(&path, &Env::default()).unwrap();
    let [core, omni] = settings.connections.as_slice() else { panic!("two connections expected") };
    assert!(matches!(core.cin7.credentials, Cin7Credentials::Core { .. }));
    assert!(matches!(omni.cin7.credentials, Cin7Credentials::Omni { .. }));
    assert_eq!(core.xero.auth, XeroAuth::ClientCredentials);
    assert_eq!(omni.xero.auth, XeroAuth::AuthorizationCode);
    assert_eq!(omni.cin7.limits.per_second, Some(3));
    assert_eq!(core.accounts.grni.as_deref(), Some("815"));
}

const GOOD: &str = r#"
[[connections]]
name = "acme-au"
[connections.xero]
client_id = "id"
client_secret = "xero-secret-value"
[connections.cin7]
kind = "core"
account_id = "acct-value"
application_key = "app-key-value"
[connections.accounts]
inventory = "630"
"#;

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("cxsync.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn load(text: &str, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), text);
    Settings::load(&path, &Env::from_pairs(env.iter().copied()))
}

#[rstest]
#[case::typo_in_a_key(GOOD.replace("application_key", "aplication_key"), "unknown field `aplication_key`", "connections[0].cin7")]
#[case::unknown_section(format!("{GOOD}\n[smtp]\nhost = \"x\"\n"), "unknown field `smtp`", "")]
#[case::wrong_type(GOOD.replace("inventory = \"630\"", "inventory = \"630\"\n[connections.xero.limits]\nper_minute = \"many\""), "expected an integer", "xero.limits.per_minute")]
#[case::missing_secret(GOOD.replace("client_secret = \"xero-secret-value\"", ""), "`xero.client_secret` is not set", "CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET")]
#[case::secret_twice(GOOD.replace("client_secret = \"xero-secret-value\"", "client_secret = \"a\"\nclient_secret_file = \"b\""), "both set", "acme-au.xero.client_secret")]
#[case::unreadable_secret_file(GOOD.replace("client_secret = \"xero-secret-value\"", "client_secret_file = \"/nonexistent/secret\""), "cannot read `acme-au.xero.client_secret_file`", "/nonexistent/secret")]
#[case::unknown_time_zone(GOOD.replace("name = \"acme-au\"", "name = \"acme-au\"\ntimezone = \"Mars/Olympus\""), "not an IANA time zone", "Mars/Olympus")]
#[case::plain_http_to_the_internet(GOOD.replace("client_id = \"id\"", "client_id = \"id\"\napi_url = \"http://api.xero.com/api.xro/2.0\""), "must use https", "xero.api_url")]
#[case::no_connections("[store]\npath = \"/tmp/x.db\"\n".to_string(), "no [[connections]]", "")]
#[case::duplicate_names(format!("{GOOD}{GOOD}"), "two connections are named `acme-au`", "")]
#[case::bad_connection_name(GOOD.replace("acme-au", "acme au"), "connection name `acme au`", "")]
#[case::dots_for_a_connection_name(GOOD.replace("\"acme-au\"", "\"..\""), "connection name `..` needs a letter or digit", "")]
#[case::core_key_on_omni(GOOD.replace("kind = \"core\"", "kind = \"omni\""), "`cin7.account_id` does not apply to `kind = \"omni\"`", "")]
#[case::omni_without_user(GOOD.replace("kind = \"core\"\naccount_id = \"acct-value\"\napplication_key = \"app-key-value\"", "kind = \"omni\"\napi_key = \"k\""), "`cin7.username`", "")]
#[case::zero_limit(GOOD.replace("inventory = \"630\"", "inventory = \"630\"\n[connections.cin7.limits]\nper_minute = 0"), "`cin7.limits.per_minute` is 0", "")]
#[case::zero_reread_days(GOOD.replace("application_key = \"app-key-value\"", "application_key = \"app-key-value\"\nreread_days = 0"), "`cin7.reread_days` is 0", "")]
#[case::not_a_backfill_date(GOOD.replace("application_key = \"app-key-value\"", "application_key = \"app-key-value\"\nbackfill_from = \"last year\""), "input contains invalid characters", "backfill_from")]
#[case::reread_days_on_omni(GOOD.replace("kind = \"core\"\naccount_id = \"acct-value\"\napplication_key = \"app-key-value\"", "kind = \"omni\"\nusername = \"u\"\napi_key = \"k\"\nreread_days = 30"), "`cin7.reread_days` does not apply to `kind = \"omni\"`", "")]
#[case::empty_account_code(GOOD.replace("inventory = \"630\"", "inventory = \"630\"\ncogs = \" \""), "`accounts.cogs` is empty", "")]
#[case::unknown_account_role(GOOD.replace("inventory = \"630\"", "inventory = \"630\"\ninventroy = \"631\""), "unknown field `inventroy`", "")]
#[case::mistyped_secret_is_not_echoed(GOOD.replace("client_secret = \"xero-secret-value\"", "client_secret = \"xero-secret-value\\q\""), "TOML parse error at line", "")]
#[case::unknown_consolidated_type(format!("{GOOD}[connections.reconcile]\nconsolidated = [\"sales_invoices\"]\n"), "unknown document type", "sales_invoice, sales_credit_note")]
#[case::fair_use_warning_as_a_percentage(format!("{GOOD}[connections.reconcile]\nfair_use_warning = \"90\"\n"), "between 0 and 1", "fair_use_warning")]
#[case::invalid_toml(GOOD.replace("[connections.accounts]", "[connections.accounts"), "TOML parse error", "")]
fn bad_config_is_rejected_with_a_message_naming_file_and_key(
    #[case] text: String,
    #[case] expected: &str,
    #[case] also: &str,
) {
    let err = load(&text, &[]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("cxsync.toml"), "names the file: {message}");
    assert!(message.contains(expected), "expected `{expected}` in: {message}");
    assert!(message.contains(also), "expected `{also}` in: {message}");
    assert!(
        !message.contains("xero-secret-value") && !message.contains("app-key-value"),
        "{message}"
    );
}

#[test]
fn a_missing_file_says_how_to_point_at_one() {
    let err = Settings::load(Path::new("/nonexistent/cxsync.toml"), &Env::default()).unwrap_err();
    assert!(matches!(err, ConfigError::NotFound { .. }));
    assert!(err.to_string().contains("--config"), "{err}");
}

#[test]
fn environment_overrides_the_file_by_connection_name_or_index() {
    let settings = load(
        GOOD,
        &[
            ("CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET", "from-env"),
            ("CXSYNC__CONNECTIONS__0__XERO__LIMITS__PER_DAY", "1000"),
            ("CXSYNC__STORE__PATH", "/tmp/override.db"),
        ],
    )
    .unwrap();
    let xero = &settings.connections[0].xero;
    let secret = xero.client_secret.as_ref().unwrap();
    assert_eq!(secret.expose(), "from-env");
    assert_eq!(
        secret.source(),
        &SecretSource::Environment("CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET".into())
    );
    assert_eq!(xero.limits.per_day, 1000);
    assert_eq!(xero.limits.per_minute, 60, "defaults stay where nothing overrides them");
    assert_eq!(settings.store.path, Path::new("/tmp/override.db"));
}

#[test]
fn environment_naming_an_unknown_connection_is_an_error() {
    let err = load(GOOD, &[("CXSYNC__CONNECTIONS__OTHER__XERO__CLIENT_ID", "x")]).unwrap_err();
    assert!(err.to_string().contains("CXSYNC__CONNECTIONS__OTHER__XERO__CLIENT_ID"), "{err}");
}

#[test]
fn secrets_come_from_systemd_credentials_when_the_file_has_none() {
    let creds = tempfile::tempdir().unwrap();
    std::fs::write(creds.path().join("acme-au.xero.client_secret"), "cred-secret\n").unwrap();
    let text = GOOD.replace("client_secret = \"xero-secret-value\"", "");
    let settings =
        load(&text, &[("CREDENTIALS_DIRECTORY", creds.path().to_str().unwrap())]).unwrap();
    let secret = settings.connections[0].xero.client_secret.as_ref().unwrap();
    assert_eq!(secret.expose(), "cred-secret");
    assert!(matches!(secret.source(), SecretSource::Credential(_)));
}

#[test]
fn store_defaults_to_the_systemd_state_directory() {
    let settings = load(GOOD, &[("STATE_DIRECTORY", "/var/lib/cxsync-test:/other")]).unwrap();
    assert_eq!(settings.store.path, Path::new("/var/lib/cxsync-test/cxsync.db"));
    let settings = load(GOOD, &[]).unwrap();
    assert_eq!(settings.store.path, Path::new(cxsync::config::DEFAULT_STORE_PATH));
}

#[test]
fn debug_output_of_settings_hides_every_secret() {
    let settings = load(GOOD, &[]).unwrap();
    let shown = format!("{settings:?}");
    for secret in ["xero-secret-value", "acct-value", "app-key-value"] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
}

#[rstest]
#[case::toml_date("backfill_from = 2024-07-01")]
#[case::quoted_date("backfill_from = \"2024-07-01\"")]
fn the_cin7_backfill_date_is_a_toml_date_or_a_quoted_one(#[case] line: &str) {
    let text = GOOD.replace(
        "application_key = \"app-key-value\"",
        &format!("application_key = \"app-key-value\"\n{line}\nreread_days = 30"),
    );
    let cin7 = &load(&text, &[]).unwrap().connections[0].cin7;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert_eq!(cin7.backfill_from(today), chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap());
    assert_eq!(cin7.reread_days, 30);
}

#[test]
fn cin7_history_defaults_to_two_years_and_sixty_days_of_reread() {
    let cin7 = &load(GOOD, &[]).unwrap().connections[0].cin7;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
    assert_eq!(cin7.backfill_from(today), chrono::NaiveDate::from_ymd_opt(2024, 2, 28).unwrap());
    assert_eq!(cin7.reread_days, 60);
}

#[test]
fn authorization_code_needs_no_client_secret() {
    let text =
        GOOD.replace("client_secret = \"xero-secret-value\"", "auth = \"authorization_code\"");
    let settings = load(&text, &[]).unwrap();
    assert!(settings.connections[0].xero.client_secret.is_none());
}

#[test]
fn a_wrong_value_from_the_environment_is_not_echoed() {
    let err =
        load(GOOD, &[("CXSYNC__CONNECTIONS__ACME_AU__XERO__LIMITS__PER_DAY", "hunter2-secret")])
            .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("expected an integer")
            && message.contains("CXSYNC__CONNECTIONS__ACME_AU__XERO__LIMITS__PER_DAY"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[test]
fn an_environment_secret_overrides_a_file_secret_and_empty_variables_are_ignored() {
    let text = GOOD.replace(
        "client_secret = \"xero-secret-value\"",
        "client_secret_file = \"/nonexistent/secret\"",
    );
    let settings = load(
        &text,
        &[
            ("CXSYNC__CONNECTIONS__ACME_AU__XERO__CLIENT_SECRET", "from-env"),
            ("CXSYNC__STORE__PATH", ""),
        ],
    )
    .unwrap();
    assert_eq!(settings.connections[0].xero.client_secret.as_ref().unwrap().expose(), "from-env");
    assert_eq!(settings.store.path, std::path::Path::new(cxsync::config::DEFAULT_STORE_PATH));
}

#[test]
fn reconciliation_tolerance_and_grace_come_from_the_connection() {
    let text =
        format!("{GOOD}[connections.reconcile]\namount_tolerance = \"0.05\"\ngrace_hours = 6\n");
    let settings = load(&text, &[]).unwrap().connections[0].reconcile.settings();
    assert_eq!(settings.amount_tolerance.to_string(), "0.05");
    assert_eq!(settings.grace, chrono::Duration::hours(6));
    let defaults = load(GOOD, &[]).unwrap().connections[0].reconcile.settings();
    assert_eq!(defaults, cxsync::reconcile::Settings::default());
    let export = format!(
        "{GOOD}[connections.reconcile]\naccrual_days = 45\nconsolidated = [\"sales_invoice\", \"payment\"]\nexcluded_channels = [\"Shopify\"]\n"
    );
    let settings = load(&export, &[]).unwrap().connections[0].reconcile.settings();
    assert_eq!(settings.accrual_age, chrono::Duration::days(45));
    assert_eq!(
        settings.consolidated,
        [cxsync::model::DocType::SalesInvoice, cxsync::model::DocType::Payment]
    );
    assert!(settings.excluded(Some("shopify")) && !settings.excluded(Some("B2B")));
    let negative = format!("{GOOD}[connections.reconcile]\namount_tolerance = \"-1\"\n");
    assert!(load(&negative, &[]).unwrap_err().to_string().contains("negative"));
}
