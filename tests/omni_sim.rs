//! The simulated Cin7 Omni behaves like the API cxsync reads: Basic sign-in, 3 calls a second
//! answered with 429 and `Retry-After`, bare-array pages filtered by `where`.

use std::time::Duration;

use base64::Engine as _;
use cxsync::sim::{SimCin7, SimConfig, Simulator};
use serde_json::Value;

async fn omni() -> Simulator {
    Simulator::start(SimConfig {
        size: 300,
        // A slow clock: the simulator's "second" lasts ten, so the test cannot outrun it.
        minute: Duration::from_mins(10),
        cin7: SimCin7::Omni,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// The simulator's own config names the API user and key it accepts.
fn credentials(sim: &Simulator) -> (String, String) {
    let toml = sim.config_toml(std::path::Path::new("unused.db"));
    let value = |key: &str| {
        let line = toml.lines().find(|l| l.starts_with(&format!("{key} = "))).unwrap();
        line.split('"').nth(1).unwrap().to_string()
    };
    (value("username"), value("api_key"))
}

fn get(sim: &Simulator, auth: Option<(&str, &str)>, query: &str) -> reqwest::RequestBuilder {
    let url = format!("http://{}/api/v1/SalesOrders?{query}", sim.cin7_addr);
    let request = reqwest::Client::new().get(url);
    match auth {
        Some((user, key)) => {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{key}"));
            request.header("authorization", format!("Basic {token}"))
        }
        None => request,
    }
}

async fn records(request: reqwest::RequestBuilder) -> Vec<Value> {
    let body = request.send().await.unwrap().bytes().await.unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn omni_is_served_with_its_sign_in_its_limits_and_its_pages() {
    let sim = omni().await;
    let (user, key) = credentials(&sim);
    let refused = get(&sim, Some((&user, "wrong")), "page=1&rows=250").send().await.unwrap();
    assert_eq!(refused.status(), 401);

    let first = records(get(&sim, Some((&user, &key)), "page=1&rows=250")).await;
    assert_eq!(first.len(), 250);
    let filter = "modifieddate>'2026-01-01T00:00:00Z' AND id>250";
    let rest = records(get(&sim, Some((&user, &key)), "").query(&[
        ("where", filter),
        ("page", "1"),
        ("rows", "250"),
    ]))
    .await;
    assert_eq!(rest.len(), 50, "a short last page");
    assert_eq!(rest[0]["id"], 251);

    // Three calls a second: the third is served, the fourth in the same second refused.
    let third = get(&sim, Some((&user, &key)), "page=1&rows=1").send().await.unwrap();
    assert_eq!(third.status(), 200);
    let limited = get(&sim, Some((&user, &key)), "page=1&rows=1").send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().get("retry-after").is_some());
}
