//! `[report]`, `[report.email]` and `[connections.report]`: defaults, overrides from the
//! environment, the SMTP password as a secret, and every mistake refused with a message
//! that names the file and the key and never the password.

use std::time::Duration;

use chrono::NaiveTime;
use cxsync::config::{ConfigError, Env, SecretSource, Settings, SmtpSecurity};
use rstest::rstest;

const CONNECTION: &str = r#"
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

const EMAIL: &str = r#"
[report.email]
host = "smtp.acme.example"
username = "cxsync"
password = "smtp-secret-value"
from = "cxsync <reports@acme.example>"
to = ["finance@acme.example", "books@keepers.example"]
"#;

fn load(text: &str, env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cxsync.toml");
    std::fs::write(&path, text).unwrap();
    Settings::load(&path, &Env::from_pairs(env.iter().copied()))
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

#[test]
fn without_a_report_section_the_report_is_logged_at_seven() {
    let settings = load(CONNECTION, &[]).unwrap();
    assert_eq!(settings.report.time, time(7, 0));
    assert!(settings.report.log);
    assert!(settings.report.directory.is_none() && settings.report.email.is_none());
    let report = &settings.connections[0].report;
    assert!(report.enabled);
    assert_eq!(report.time, time(7, 0));
    assert!(report.to.is_empty());
}

#[test]
fn email_defaults_follow_the_security_and_connections_inherit_recipients() {
    let settings = load(&format!("{CONNECTION}{EMAIL}"), &[]).unwrap();
    let email = settings.report.email.as_ref().unwrap();
    assert_eq!(email.security, SmtpSecurity::Starttls);
    assert_eq!(email.port, 587);
    assert_eq!(email.retries, 3);
    assert_eq!(email.retry_delay, Duration::from_secs(30));
    assert_eq!(email.password.as_ref().unwrap().expose(), "smtp-secret-value");
    assert_eq!(
        settings.connections[0].report.to,
        ["finance@acme.example", "books@keepers.example"]
    );
    let tls = load(
        &format!(
            "{CONNECTION}{}",
            EMAIL.replace("[report.email]", "[report.email]\nsecurity = \"tls\"")
        ),
        &[],
    )
    .unwrap();
    assert_eq!(tls.report.email.unwrap().port, 465);
    let shown = format!("{settings:?}");
    assert!(!shown.contains("smtp-secret-value"), "{shown}");
}

#[test]
fn a_connection_overrides_time_and_recipients_and_can_opt_out() {
    let text = format!(
        "{CONNECTION}[connections.report]\ntime = \"09:30\"\nto = [\"owner@client.example\"]\n\
         {}[connections.report]\nenabled = false\n{EMAIL}",
        CONNECTION.replace("acme-au", "beta")
    );
    let settings = load(&text, &[]).unwrap();
    let [acme, beta] = settings.connections.as_slice() else { panic!("two connections") };
    assert_eq!(acme.report.time, time(9, 30));
    assert_eq!(acme.report.to, ["owner@client.example"]);
    assert!(!beta.report.enabled);
    assert_eq!(beta.report.time, time(7, 0));
}

#[test]
fn the_environment_sets_recipients_as_a_list_and_the_password_as_a_secret() {
    let text = format!("{CONNECTION}{}", EMAIL.replace("password = \"smtp-secret-value\"\n", ""));
    let settings = load(
        &text,
        &[
            ("CXSYNC__REPORT__EMAIL__TO", "a@x.example, b@y.example"),
            ("CXSYNC__REPORT__EMAIL__PASSWORD", "env-smtp-secret"),
            ("CXSYNC__REPORT__TIME", "06:15"),
        ],
    )
    .unwrap();
    let email = settings.report.email.as_ref().unwrap();
    assert_eq!(email.to, ["a@x.example", "b@y.example"]);
    let password = email.password.as_ref().unwrap();
    assert_eq!(password.expose(), "env-smtp-secret");
    assert_eq!(
        password.source(),
        &SecretSource::Environment("CXSYNC__REPORT__EMAIL__PASSWORD".into())
    );
    assert_eq!(settings.report.time, time(6, 15));
}

#[test]
fn the_password_comes_from_a_file_or_a_systemd_credential() {
    let creds = tempfile::tempdir().unwrap();
    std::fs::write(creds.path().join("report.email.password"), "cred-smtp-secret\n").unwrap();
    let text = format!("{CONNECTION}{}", EMAIL.replace("password = \"smtp-secret-value\"\n", ""));
    let settings =
        load(&text, &[("CREDENTIALS_DIRECTORY", creds.path().to_str().unwrap())]).unwrap();
    let password = settings.report.email.unwrap().password.unwrap();
    assert_eq!(password.expose(), "cred-smtp-secret");
    assert!(matches!(password.source(), SecretSource::Credential(_)));

    let file = creds.path().join("smtp-password");
    std::fs::write(&file, "file-smtp-secret\n").unwrap();
    let text = format!(
        "{CONNECTION}{}",
        EMAIL.replace(
            "password = \"smtp-secret-value\"",
            &format!("password_file = \"{}\"", file.display())
        )
    );
    let password = load(&text, &[]).unwrap().report.email.unwrap().password.unwrap();
    assert_eq!(password.expose(), "file-smtp-secret");
    assert_eq!(password.source(), &SecretSource::File(file));
}

#[rstest]
#[case::plain_to_another_host(EMAIL.replace("[report.email]", "[report.email]\nsecurity = \"plain\""), "accepted only for localhost", "smtp.acme.example")]
#[case::unknown_security(EMAIL.replace("[report.email]", "[report.email]\nsecurity = \"ssl\""), "does not have variant constructor ssl", "report.email.security")]
#[case::typo_in_a_key(EMAIL.replace("from =", "form = \"x@y.example\"\nfrom ="), "unknown field `form`", "report.email")]
#[case::bad_recipient(EMAIL.replace("finance@acme.example", "finance at acme"), "not an email address", "report.email.to")]
#[case::bad_sender(EMAIL.replace("cxsync <reports@acme.example>", "reports"), "not an email address", "report.email.from")]
#[case::username_without_password(EMAIL.replace("password = \"smtp-secret-value\"\n", ""), "no password", "CXSYNC__REPORT__EMAIL__PASSWORD")]
#[case::password_without_username(EMAIL.replace("username = \"cxsync\"\n", ""), "no `username`", "")]
#[case::password_twice(EMAIL.replace("password = \"smtp-secret-value\"", "password = \"smtp-secret-value\"\npassword_file = \"p\""), "both set", "report.email.password")]
#[case::unreadable_ca_file(EMAIL.replace("[report.email]", "[report.email]\nca_file = \"/nonexistent/ca.pem\""), "cannot read `report.email.ca_file`", "/nonexistent/ca.pem")]
#[case::ca_file_on_plain(EMAIL.replace("smtp.acme.example", "127.0.0.1").replace("[report.email]", "[report.email]\nsecurity = \"plain\"\nca_file = \"ca.pem\""), "`report.email.ca_file` needs", "starttls")]
#[case::bad_time("[report]\ntime = \"7am\"\n".to_string(), "not a time of day", "report.time")]
#[case::nowhere_to_go("[report]\nlog = false\n".to_string(), "nowhere to go", "acme-au")]
#[case::unknown_report_key("[report]\nsend_at = \"07:00\"\n".to_string(), "unknown field `send_at`", "report")]
fn a_bad_report_config_is_refused_naming_the_key(
    #[case] report: String,
    #[case] expected: &str,
    #[case] also: &str,
) {
    let err = load(&format!("{CONNECTION}{report}"), &[]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("cxsync.toml"), "names the file: {message}");
    assert!(message.contains(expected), "expected `{expected}` in: {message}");
    assert!(message.contains(also), "expected `{also}` in: {message}");
    assert!(!message.contains("smtp-secret-value"), "{message}");
}

#[rstest]
#[case::recipients_without_email(
    "[connections.report]\nto = [\"a@x.example\"]\n",
    "no [report.email]"
)]
#[case::bad_connection_time("[connections.report]\ntime = \"25:00\"\n", "not a time of day")]
#[case::unknown_connection_key("[connections.report]\nenable = false\n", "unknown field `enable`")]
fn a_bad_connection_report_is_refused_naming_the_connection(
    #[case] section: &str,
    #[case] expected: &str,
) {
    let message = load(&format!("{CONNECTION}{section}"), &[]).unwrap_err().to_string();
    assert!(message.contains(expected), "expected `{expected}` in: {message}");
    assert!(message.contains("acme-au") || message.contains("connections[0]"), "{message}");
}

#[test]
fn plain_smtp_to_this_machine_is_accepted_on_port_25() {
    let text = format!(
        "{CONNECTION}[report.email]\nhost = \"::1\"\nsecurity = \"plain\"\nfrom = \"r@x.example\"\nto = \"a@x.example\"\n"
    );
    let email = load(&text, &[]).unwrap().report.email.unwrap();
    assert_eq!((email.host.as_str(), email.port), ("::1", 25));
}

#[test]
fn the_example_config_shows_every_report_key() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
    let settings = Settings::load(&path, &Env::default()).unwrap();
    let email = settings.report.email.as_ref().unwrap();
    assert_eq!(email.security, SmtpSecurity::Starttls);
    assert!(matches!(email.password.as_ref().unwrap().source(), SecretSource::File(_)));
    assert_eq!(settings.connections[0].report.time, time(6, 30));
    assert_eq!(settings.connections[1].report.to, email.to, "the second inherits the recipients");
}
