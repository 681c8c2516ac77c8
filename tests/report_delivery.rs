//! Delivering the daily report: by email to a real SMTP server (aiosmtpd on 127.0.0.1), as
//! dated files, and exactly once per connection and date through the daemon's schedule and
//! the `reports` table.

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use cxsync::clock::{Clock, FixedClock};
use cxsync::config::{EmailSettings, Env, Secret, SecretSource, Settings, SmtpSecurity};
use cxsync::daemon::reporting::send_if_due;
use cxsync::deliver::{DeliveryError, files, smtp};
use cxsync::report::{Email, InlineImage};
use cxsync::store::Store;
use support::smtp::{SmtpSink, TINY_PNG};

const PASSWORD: &str = "smtp-pa55word-value";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn email_settings(port: u16) -> EmailSettings {
    EmailSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::Plain,
        ca_file: None,
        username: None,
        password: None,
        from: "cxsync <reports@acme.example>".into(),
        to: vec![],
        retries: 0,
        retry_delay: Duration::from_millis(20),
        timeout: Duration::from_secs(5),
    }
}

fn with_auth(mut settings: EmailSettings) -> EmailSettings {
    settings.username = Some("bob".into());
    settings.password = Some(Secret::new(PASSWORD.into(), SecretSource::Inline));
    settings
}

/// An email as the HTML renderer makes it: text, HTML showing a chart, the chart as a PNG.
fn chart_email() -> Email {
    Email {
        subject: "Variance report: acme-au, 2026-11-24".into(),
        text: "Variance report: acme-au, 2026-11-24\ninventory 630 10.00\n".into(),
        html: "<html><body><h1>acme-au</h1><img src=\"cid:trend-acme-au@cxsync\" alt=\"trend\"></body></html>".into(),
        images: vec![InlineImage {
            content_id: "trend-acme-au@cxsync".into(),
            filename: "trend-acme-au.png".into(),
            png: TINY_PNG.to_vec(),
        }],
    }
}

fn recipients() -> Vec<String> {
    vec!["finance@acme.example".into(), "Book Keeper <books@keepers.example>".into()]
}

fn part<'a>(message: &'a serde_json::Value, content_type: &str) -> &'a serde_json::Value {
    message["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["content_type"] == content_type)
        .unwrap_or_else(|| panic!("no {content_type} part in {message:#}"))
}

#[tokio::test]
async fn an_email_reaches_a_real_smtp_server_as_text_or_html_with_its_chart_inline() {
    let sink = SmtpSink::start(&[]);
    let now = at("2026-11-24T20:00:00Z");
    smtp::send(&email_settings(sink.port), &recipients(), &chart_email(), now).await.unwrap();
    let messages = sink.wait_for(1);
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["mail_from"], "reports@acme.example");
    assert_eq!(m["rcpt_tos"], serde_json::json!(["finance@acme.example", "books@keepers.example"]));
    assert_eq!(m["subject"], "Variance report: acme-au, 2026-11-24");
    assert_eq!(m["top_content_type"], "multipart/alternative");
    let kinds: Vec<&str> = m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["content_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["multipart/alternative", "text/plain", "multipart/related", "text/html", "image/png"]
    );
    let text = part(m, "text/plain")["text"].as_str().unwrap();
    assert!(text.contains("inventory 630 10.00"), "{text}");
    let html = part(m, "text/html")["text"].as_str().unwrap();
    assert!(html.contains("<img src=\"cid:trend-acme-au@cxsync\""), "{html}");
    let png = part(m, "image/png");
    assert_eq!(png["content_id"], "<trend-acme-au@cxsync>", "matches the cid: in the HTML");
    assert_eq!(png["disposition"], "inline");
    assert_eq!(png["filename"], "trend-acme-au.png");
    let bytes =
        base64::engine::general_purpose::STANDARD.decode(png["base64"].as_str().unwrap()).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "the PNG signature");
    assert_eq!(bytes, TINY_PNG);
}

#[tokio::test]
async fn smtp_auth_signs_in_and_a_refusal_is_reported_without_the_password() {
    let sink = SmtpSink::start(&["--auth", &format!("bob:{PASSWORD}")]);
    let settings = with_auth(email_settings(sink.port));
    smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z")).await.unwrap();
    assert_eq!(sink.wait_for(1)[0]["login"], "bob");

    // This server refuses with 550 and echoes the credentials it was given.
    let refusing = SmtpSink::start(&["--auth", &format!("bob:{PASSWORD}"), "--reject", "550"]);
    let mut settings = with_auth(email_settings(refusing.port));
    settings.retries = 3;
    let started = std::time::Instant::now();
    let err = smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z"))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, DeliveryError::Refused { .. }), "a 5xx is permanent: {err:?}");
    assert!(message.contains("550") && message.contains("Message refused"), "{message}");
    assert!(!message.contains(PASSWORD), "the password leaked: {message}");
    assert!(!format!("{err:?}").contains(PASSWORD), "the password leaked: {err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "a permanent refusal is not retried");
    assert!(refusing.messages().is_empty());
}

#[tokio::test]
async fn a_transient_refusal_is_retried_with_backoff_until_accepted() {
    let sink = SmtpSink::start(&["--fail-first", "2"]);
    let mut settings = email_settings(sink.port);
    settings.retries = 2;
    smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z")).await.unwrap();
    assert_eq!(sink.wait_for(1).len(), 1, "accepted on the third attempt");

    let flaky = SmtpSink::start(&["--fail-first", "5"]);
    let mut settings = email_settings(flaky.port);
    settings.retries = 1;
    let err = smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unreachable { attempts: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("451"), "{err}");
}

#[tokio::test]
async fn starttls_is_never_downgraded_and_an_unreachable_server_is_retried_then_reported() {
    // The sink offers no STARTTLS: a client asked for it must send nothing in clear.
    let sink = SmtpSink::start(&[]);
    let mut settings = with_auth(email_settings(sink.port));
    settings.security = SmtpSecurity::Starttls;
    settings.retries = 2;
    let err = smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Refused { .. }), "not retried: {err:?}");
    assert!(err.to_string().to_lowercase().contains("starttls"), "{err}");
    assert!(sink.messages().is_empty());

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut settings = email_settings(closed);
    settings.retries = 2;
    let err = smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unreachable { attempts: 3, .. }), "{err:?}");
}

#[rstest::rstest]
#[case::starttls("starttls", SmtpSecurity::Starttls)]
#[case::tls_from_the_first_byte("tls", SmtpSecurity::Tls)]
#[tokio::test]
async fn encrypted_smtp_delivers_to_a_trusted_certificate_and_refuses_an_unknown_one(
    #[case] mode: &str,
    #[case] security: SmtpSecurity,
) {
    let sink = SmtpSink::start(&["--tls", mode, "--auth", &format!("bob:{PASSWORD}")]);
    let mut settings = with_auth(email_settings(sink.port));
    settings.security = security;
    settings.retries = 2;
    // Without the test CA the certificate is unknown: refused, not retried, nothing sent.
    let err = smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Refused { .. }), "{err:?}");
    assert!(err.to_string().to_lowercase().contains("certificate"), "{err}");
    assert!(sink.messages().is_empty());

    settings.ca_file = Some(sink.ca_file());
    smtp::send(&settings, &recipients(), &chart_email(), at("2026-11-24T20:00:00Z")).await.unwrap();
    let messages = sink.wait_for(1);
    assert_eq!(messages[0]["login"], "bob");
    assert_eq!(part(&messages[0], "image/png")["content_id"], "<trend-acme-au@cxsync>");
}

#[test]
fn report_files_are_written_whole_private_and_point_at_their_images() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("reports");
    let email = chart_email();
    let folder =
        files::write_report(&root, "acme-au", day("2026-11-24"), &email, "{\"a\":1}\n").unwrap();
    assert_eq!(folder, root.join("acme-au"));
    let mut names: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["2026-11-24-trend-acme-au.png", "2026-11-24.html", "2026-11-24.json", "2026-11-24.txt"],
        "no temporary file is left behind"
    );
    let read = |name: &str| std::fs::read(folder.join(name)).unwrap();
    assert_eq!(read("2026-11-24.txt"), email.text.as_bytes());
    assert_eq!(read("2026-11-24.json"), b"{\"a\":1}\n");
    assert_eq!(read("2026-11-24-trend-acme-au.png"), TINY_PNG);
    let html = String::from_utf8(read("2026-11-24.html")).unwrap();
    assert!(html.contains("<img src=\"2026-11-24-trend-acme-au.png\""), "{html}");
    assert!(!html.contains("cid:"), "{html}");
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    for name in &names {
        assert_eq!(mode(&folder.join(name)), 0o640, "{name}");
    }
    assert_eq!(mode(&folder), 0o750);
    assert_eq!(mode(&root), 0o750);

    // Writing again replaces the files in place.
    let mut again = email.clone();
    again.text = "second\n".into();
    files::write_report(&root, "acme-au", day("2026-11-24"), &again, "{}").unwrap();
    assert_eq!(read("2026-11-24.txt"), b"second\n");
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 4);
}

/// A config for one connection in Sydney whose report goes to a folder and to `port`;
/// `extra` is appended (after the connection's sections).
fn settings(dir: &Path, port: u16, extra: &str) -> Settings {
    let config = format!(
        r#"
[store]
path = "{db}"

[report]
time = "07:00"
directory = "{reports}"

[report.email]
host = "127.0.0.1"
port = {port}
security = "plain"
from = "reports@acme.example"
to = ["finance@acme.example", "books@keepers.example"]
retries = 0
retry_delay_ms = 10

[[connections]]
name = "acme-au"
timezone = "Australia/Sydney"
[connections.xero]
client_id = "id"
client_secret = "xero-secret-value"
[connections.cin7]
kind = "core"
account_id = "acct-value"
application_key = "app-key-value"
[connections.accounts]
inventory = "630"
{extra}
"#,
        db = dir.join("cxsync.db").display(),
        reports = dir.join("reports").display(),
    );
    let path = dir.join("cxsync.toml");
    std::fs::write(&path, config).unwrap();
    Settings::load(&path, &Env::default()).unwrap()
}

/// Opens the store as a (re)started daemon would.
fn open_store(settings: &Settings) -> Arc<Mutex<Store>> {
    let store = Store::open(&settings.store.path).unwrap();
    store
        .ensure_connection("acme-au", cxsync::config::Cin7Kind::Core, DateTime::UNIX_EPOCH)
        .unwrap();
    Arc::new(Mutex::new(store))
}

fn clock(text: &str) -> Arc<dyn Clock> {
    Arc::new(FixedClock(at(text)))
}

fn report_files(settings: &Settings) -> Vec<String> {
    let folder = settings.report.directory.as_ref().unwrap().join("acme-au");
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map(|dir| dir.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn the_schedule_sends_each_days_report_once_even_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&[]);
    let settings = settings(dir.path(), sink.port, "");
    let connection = &settings.connections[0];
    let store = open_store(&settings);
    // 06:59 in Sydney on the 25th: the 24th is not due yet, the 23rd is (nothing was sent).
    let sent = send_if_due(&store, &settings.report, connection, &clock("2026-11-24T19:59:00Z"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.date, day("2026-11-23"));
    // 07:00: the 24th.
    let sent = send_if_due(&store, &settings.report, connection, &clock("2026-11-24T20:00:00Z"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.date, day("2026-11-24"));
    let reports = settings.report.directory.as_ref().unwrap().join("acme-au");
    assert_eq!(
        sent.to,
        format!(
            "log, file:{}, email:finance@acme.example,books@keepers.example",
            reports.display()
        )
    );
    assert_eq!(sink.wait_for(2).len(), 2);
    drop(store);

    // A restart an hour later: a new store handle, nothing due.
    let store = open_store(&settings);
    let again = send_if_due(&store, &settings.report, connection, &clock("2026-11-24T21:00:00Z"))
        .await
        .unwrap();
    assert_eq!(again, None);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(sink.messages().len(), 2, "nothing was sent twice");
    let row = store.lock().unwrap().report_sent("acme-au", day("2026-11-24")).unwrap().unwrap();
    assert!(row.delivered_to.contains("email:finance@acme.example"), "{row:?}");
    assert!(!row.delivered_to.contains("xero-secret-value"));

    // Down from the 25th to the 29th: only the 28th's report is sent, once.
    let sent = send_if_due(&store, &settings.report, connection, &clock("2026-11-28T22:00:00Z"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.date, day("2026-11-28"));
    assert_eq!(sink.wait_for(3).len(), 3);
    assert!(
        !report_files(&settings).iter().any(|f| f.starts_with("2026-11-25")),
        "{:?}",
        report_files(&settings)
    );
    assert!(report_files(&settings).contains(&"2026-11-28.json".to_string()));
}

#[tokio::test]
async fn a_failed_delivery_leaves_the_report_unsent_and_the_next_cycle_sends_it() {
    let dir = tempfile::tempdir().unwrap();
    let refusing = SmtpSink::start(&["--reject", "554"]);
    let settings_refused = settings(dir.path(), refusing.port, "");
    let connection = &settings_refused.connections[0];
    let store = open_store(&settings_refused);
    let now = clock("2026-11-24T20:00:00Z");
    let err = send_if_due(&store, &settings_refused.report, connection, &now).await.unwrap_err();
    assert!(err.to_string().contains("554"), "{err}");
    let row = store.lock().unwrap().report_sent("acme-au", day("2026-11-24")).unwrap();
    assert_eq!(row, None, "not marked sent");
    let (generated, body): (i64, String) = rusqlite::Connection::open(&settings_refused.store.path)
        .unwrap()
        .query_row("SELECT count(*), max(body_json) FROM reports WHERE sent_at IS NULL", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(generated, 1, "the generated report is stored");
    assert!(body.contains("\"connection\":\"acme-au\""), "{body}");

    let sink = SmtpSink::start(&[]);
    let settings = self::settings(dir.path(), sink.port, "");
    let later = clock("2026-11-24T20:05:00Z");
    let sent = send_if_due(&store, &settings.report, &settings.connections[0], &later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sent.date, day("2026-11-24"));
    assert_eq!(sink.wait_for(1).len(), 1);
}

#[tokio::test]
async fn a_connection_can_send_at_its_own_time_to_its_own_recipients_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let sink = SmtpSink::start(&[]);
    let own = "[connections.report]\ntime = \"09:30\"\nto = \"owner@client.example, cfo@client.example\"\n";
    let settings = settings(dir.path(), sink.port, own);
    let store = open_store(&settings);
    let connection = &settings.connections[0];
    // 09:29 in Sydney, the 24th was already sent: nothing due.
    store
        .lock()
        .unwrap()
        .save_report("acme-au", day("2026-11-23"), "{}", at("2026-11-24T00:00:00Z"))
        .unwrap();
    store
        .lock()
        .unwrap()
        .mark_report_sent("acme-au", day("2026-11-23"), at("2026-11-24T00:00:00Z"), "log")
        .unwrap();
    assert_eq!(
        send_if_due(&store, &settings.report, connection, &clock("2026-11-24T22:29:00Z"))
            .await
            .unwrap(),
        None
    );
    let sent = send_if_due(&store, &settings.report, connection, &clock("2026-11-24T22:30:00Z"))
        .await
        .unwrap()
        .unwrap();
    assert!(sent.to.ends_with("email:owner@client.example,cfo@client.example"), "{}", sent.to);
    assert_eq!(
        sink.wait_for(1)[0]["rcpt_tos"],
        serde_json::json!(["owner@client.example", "cfo@client.example"])
    );

    let mut disabled = settings.connections[0].clone();
    disabled.report.enabled = false;
    let later = clock("2026-11-30T22:30:00Z");
    assert_eq!(send_if_due(&store, &settings.report, &disabled, &later).await.unwrap(), None);
}
