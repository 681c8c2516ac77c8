//! The loopback listener of `cxsync auth xero`: waits for the browser to come back to the
//! redirect URI with `code` and `state`, answers with a short page, and hands them over.

use std::collections::HashMap;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// What the redirect carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub code: String,
    pub state: String,
}

/// Binds the redirect URI's port on the loopback interface.
pub async fn bind(redirect_uri: &url::Url) -> std::io::Result<TcpListener> {
    let port = redirect_uri.port().unwrap_or(80);
    TcpListener::bind(("127.0.0.1", port)).await
}

/// Serves the listener until a request to the redirect path arrives (other paths, such as a
/// browser's favicon request, get 404), or `timeout` passes.
pub async fn wait(
    listener: &TcpListener,
    redirect_uri: &url::Url,
    timeout: Duration,
) -> Result<Redirect, String> {
    tokio::time::timeout(timeout, serve(listener, redirect_uri.path())).await.map_err(|_| {
        format!(
            "no sign-in came back within {} minutes; run the command again",
            timeout.as_secs() / 60
        )
    })?
}

async fn serve(listener: &TcpListener, expected_path: &str) -> Result<Redirect, String> {
    loop {
        let (mut stream, _) =
            listener.accept().await.map_err(|e| format!("loopback listener: {e}"))?;
        let mut head = Vec::new();
        let mut buf = [0u8; 2048];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&head);
        let target =
            text.lines().next().and_then(|line| line.split_whitespace().nth(1)).unwrap_or("/");
        let url = url::Url::parse("http://localhost").and_then(|base| base.join(target));
        let url = match url {
            Ok(url) if url.path() == expected_path => url,
            _ => {
                let _ = stream
                    .write_all(
                        page(404, "Not found", "This is cxsync's sign-in listener.").as_bytes(),
                    )
                    .await;
                continue;
            }
        };
        let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
        if let Some(error) = query.get("error") {
            let _ = stream
                .write_all(
                    page(
                        400,
                        "Sign-in refused",
                        "Xero did not grant access. You can close this tab.",
                    )
                    .as_bytes(),
                )
                .await;
            let detail =
                query.get("error_description").map(|d| format!(": {d}")).unwrap_or_default();
            return Err(format!("Xero refused the sign-in ({error}{detail})"));
        }
        match (query.get("code"), query.get("state")) {
            (Some(code), Some(state)) => {
                let _ = stream
                    .write_all(page(200, "cxsync is signed in", "cxsync received the sign-in. You can close this tab and return to the terminal.").as_bytes())
                    .await;
                return Ok(Redirect { code: code.clone(), state: state.clone() });
            }
            _ => {
                let _ = stream
                    .write_all(
                        page(
                            400,
                            "Incomplete sign-in",
                            "The answer had no code. Run the command again.",
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        }
    }
}

fn page(status: u16, title: &str, body: &str) -> String {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let html = format!("<!doctype html><title>{title}</title><h1>{title}</h1><p>{body}</p>");
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
        html.len()
    )
}
