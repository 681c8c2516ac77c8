//! The binary's command-line contract: exit codes, read-only queries, JSON shapes, and that
//! no secret ever reaches stdout or stderr.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SECRETS: [&str; 3] = ["xero-secret-value", "acct-value", "app-key-value"];

const CONFIG: &str = r#"
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
"#;

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new(config: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cxsync.toml"), config).unwrap();
        Self { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("cxsync.toml")
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("state/cxsync.db")
    }

    /// Runs cxsync with this sandbox's config and store, and a clean environment.
    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
            .args(args)
            .env_clear()
            .env("CXSYNC_CONFIG", self.config())
            .env("CXSYNC__STORE__PATH", self.store())
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        let all = format!("{}{}", stdout(&output), stderr(&output));
        for secret in SECRETS {
            assert!(!all.contains(secret), "secret {secret} leaked in output of {args:?}:\n{all}");
        }
        output
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

#[test]
fn check_reports_the_connection_and_creates_a_private_store() {
    let sandbox = Sandbox::new(CONFIG);
    let output = sandbox.run(&["check"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("connection acme-au"), "{text}");
    assert!(text.contains("secret xero.client_secret: from the config file"), "{text}");
    assert!(text.contains("cogs                   not mapped"), "{text}");
    assert!(text.contains("report: daily at 07:00 "), "the report's schedule is shown: {text}");
    assert!(text.contains(", to the log"), "and where it goes: {text}");
    let mode = std::fs::metadata(sandbox.store()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn check_accepts_the_shipped_minimal_config() {
    let sandbox = Sandbox::new("");
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/minimal.toml");
    let output = sandbox.run(&["check", "--config", minimal.to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_typo_in_the_config_exits_2_naming_key_and_file() {
    let sandbox = Sandbox::new(&CONFIG.replace("client_id", "clientid"));
    let output = sandbox.run(&["check"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(err.contains("unknown field `clientid`") && err.contains("cxsync.toml"), "{err}");
}

#[test]
fn a_missing_secret_exits_2_naming_it() {
    let sandbox = Sandbox::new(&CONFIG.replace("application_key = \"app-key-value\"", ""));
    let output = sandbox.run(&["check"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("`cin7.application_key` is not set"), "{}", stderr(&output));
}

#[test]
fn query_refuses_writes_and_leaves_the_data_alone() {
    let sandbox = Sandbox::new(CONFIG);
    assert_eq!(code(&sandbox.run(&["check"])), 0);
    let output = sandbox.run(&["query", "DELETE FROM connections"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("read-only"), "{}", stderr(&output));
    let count = sandbox.run(&["query", "SELECT count(*) AS n FROM connections", "--format", "csv"]);
    assert_eq!(stdout(&count), "n\r\n1\r\n");
}

#[test]
fn query_of_a_view_prints_json() {
    let sandbox = Sandbox::new(CONFIG);
    assert_eq!(code(&sandbox.run(&["check"])), 0);
    let output =
        sandbox.run(&["query", "SELECT name, cin7_kind FROM connections", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(rows, serde_json::json!([{ "name": "acme-au", "cin7_kind": "core" }]));
    let view = sandbox.run(&["query", "SELECT * FROM open_findings", "--format", "json"]);
    assert_eq!(code(&view), 0, "{}", stderr(&view));
    assert_eq!(stdout(&view).trim(), "[]");
}

#[test]
fn query_reads_a_database_given_directly_without_a_config() {
    let sandbox = Sandbox::new(CONFIG);
    assert_eq!(code(&sandbox.run(&["check"])), 0);
    let store = sandbox.store();
    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["query", "--store", store.to_str().unwrap(), "SELECT name FROM connections"])
        .env_clear()
        .env("CXSYNC_CONFIG", "/nonexistent.toml")
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("acme-au"));
}

#[test]
fn query_without_a_store_says_how_to_create_one() {
    let sandbox = Sandbox::new(CONFIG);
    let output = sandbox.run(&["query", "SELECT 1"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("cxsync check"), "{}", stderr(&output));
}

#[test]
fn findings_on_an_empty_store_is_an_empty_list() {
    let sandbox = Sandbox::new(CONFIG);
    assert_eq!(code(&sandbox.run(&["check"])), 0);
    let json = sandbox.run(&["findings", "--format", "json", "--all"]);
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    assert_eq!(stdout(&json).trim(), "[]");
    let table = sandbox.run(&["findings", "--kind", "missing_in_xero"]);
    assert!(stdout(&table).contains("(0 rows)"), "{}", stdout(&table));
}

#[test]
fn an_unknown_finding_kind_is_a_usage_error() {
    let sandbox = Sandbox::new(CONFIG);
    let output = sandbox.run(&["findings", "--kind", "missing_in_xreo"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing_in_xero"), "{}", stderr(&output));
}

#[test]
fn report_send_without_a_store_exits_2_and_resend_needs_send() {
    let sandbox = Sandbox::new(CONFIG);
    let output = sandbox.run(&["report", "--send"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("there is no store"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "report --send printed output it should not have");
    assert!(!sandbox.store().exists(), "report --send created a store");
    let output = sandbox.run(&["report", "--resend"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}

#[test]
fn json_logs_are_one_object_per_line() {
    let sandbox = Sandbox::new(CONFIG);
    std::fs::set_permissions(sandbox.config(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = sandbox.run(&["check", "--log-format", "json"]);
    assert_eq!(code(&output), 0);
    let err = stderr(&output);
    assert!(!err.is_empty(), "a world-readable config with secrets is warned about");
    for line in err.lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(event.get("level").is_some(), "{line}");
    }
}
