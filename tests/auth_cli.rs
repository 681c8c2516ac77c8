//! `cxsync auth xero` end to end: the binary prints the sign-in URL, a "browser" (this test)
//! follows the redirect back to the loopback listener, and the refresh token and tenant land
//! in the store.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn auth_xero_signs_in_picks_the_tenant_and_stores_the_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connect/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=browser-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "access-1", "refresh_token": "refresh-1", "token_type": "Bearer",
            "expires_in": 1800, "scope": "offline_access accounting.invoices.read"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .and(header("authorization", "Bearer access-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            { "id": "c1", "tenantId": "tenant-42", "tenantName": "Acme Pty Ltd", "tenantType": "ORGANISATION" }
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("cxsync.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[store]
path = "{store}"
[[connections]]
name = "acme"
[connections.xero]
auth = "authorization_code"
client_id = "client-id"
token_url = "{uri}/connect/token"
identity_url = "{uri}/"
authorize_url = "{uri}/authorize"
redirect_uri = "http://127.0.0.1:{port}/callback"
[connections.cin7]
kind = "core"
account_id = "a"
application_key = "k"
[connections.accounts]
inventory = "630"
"#,
            store = dir.path().join("cxsync.db").display(),
            uri = server.uri()
        ),
    )
    .unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["--config", config.to_str().unwrap(), "auth", "xero"])
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let sign_in_url = loop {
        let line = lines.next().expect("the URL is printed").unwrap();
        if line.starts_with(&server.uri()) {
            break url::Url::parse(&line).unwrap();
        }
    };
    assert_eq!(sign_in_url.path(), "/authorize");
    let state = sign_in_url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();

    // The browser: first a stray favicon request, then the redirect.
    let browser = reqwest::Client::new();
    let favicon = browser.get(format!("http://127.0.0.1:{port}/favicon.ico")).send().await.unwrap();
    assert_eq!(favicon.status(), 404);
    let page = browser
        .get(format!("http://127.0.0.1:{port}/callback?code=browser-code&state={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);

    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(rest.iter().any(|l| l.contains("Signed in") && l.contains("Acme Pty Ltd")), "{rest:?}");
    assert!(!stderr.contains("refresh-1") && !stderr.contains("access-1"), "{stderr}");

    let conn = rusqlite::Connection::open(dir.path().join("cxsync.db")).unwrap();
    let (token, tenant): (String, String) = conn
        .query_row(
            "SELECT refresh_token, tenant_id FROM oauth_tokens WHERE superseded_at IS NULL",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((token.as_str(), tenant.as_str()), ("refresh-1", "tenant-42"));
}
