//! The shared HTTP layer against wiremock: retries, rate-limit handling, parking, and the call
//! log. Time is scaled: a "minute" lasts 600 ms here, so a `Retry-After: 1` waits 10 ms.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cxsync::clock::SystemClock;
use cxsync::http::{
    ApiRequest, CallRecord, CallRecorder, HttpError, HttpLayer, HttpSettings, Pacing, QuotaSpec,
    RetryPolicy,
};
use tokio::io::AsyncWriteExt as _;
use url::Url;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Default)]
struct Recorder(Mutex<Vec<CallRecord>>);

impl CallRecorder for Recorder {
    fn record(&self, call: &CallRecord) {
        self.0.lock().unwrap().push(call.clone());
    }
}

impl Recorder {
    fn statuses(&self) -> Vec<Option<u16>> {
        self.0.lock().unwrap().iter().map(|c| c.status).collect()
    }
}

fn layer(max_attempts: u32) -> (HttpLayer, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let settings = HttpSettings {
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts,
            base: Duration::from_millis(10),
            ..RetryPolicy::default()
        },
        ..HttpSettings::default()
    };
    let layer = HttpLayer::new(&settings, recorder.clone(), Arc::new(SystemClock)).unwrap();
    (layer, recorder)
}

fn spec() -> QuotaSpec {
    QuotaSpec {
        per_minute: 6000,
        per_second: None,
        concurrent: Some(5),
        per_day: None,
        rate_limit_503: false,
        minute: Duration::from_millis(600),
        pacing: Pacing::Even,
    }
}

fn get(server: &MockServer, route: &str) -> ApiRequest {
    ApiRequest::get(Url::parse(&format!("{}{route}", server.uri())).unwrap())
}

/// Fails the test on any request no other mock expects (mounted last, lowest priority).
async fn fail_on_unexpected(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .mount(server)
        .await;
}

#[tokio::test]
async fn server_errors_are_retried_until_success_and_every_attempt_is_logged() {
    let server = MockServer::start().await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/flaky"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    fail_on_unexpected(&server).await;
    let (layer, recorder) = layer(5);
    let quota = layer.quota("xero", "acme", spec(), None);
    let response = layer.send(&quota, &get(&server, "/flaky")).await.unwrap();
    assert_eq!(response.body, b"ok");
    assert_eq!(recorder.statuses(), [Some(502), Some(502), Some(200)]);
}

#[tokio::test]
async fn persistent_server_errors_give_up_after_the_bound_with_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(path("/down"))
        .respond_with(ResponseTemplate::new(500).set_body_string("Xero is having a moment"))
        .expect(3)
        .mount(&server)
        .await;
    let (layer, _) = layer(3);
    let quota = layer.quota("xero", "acme", spec(), None);
    let err = layer.send(&quota, &get(&server, "/down")).await.unwrap_err();
    assert!(matches!(err, HttpError::Status { status: 500, attempts: 3, .. }), "{err}");
    assert!(err.to_string().contains("Xero is having a moment"), "{err}");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(path("/forbidden"))
        .respond_with(ResponseTemplate::new(403))
        .expect(1)
        .mount(&server)
        .await;
    let (layer, _) = layer(5);
    let quota = layer.quota("cin7", "acme", spec(), None);
    let err = layer.send(&quota, &get(&server, "/forbidden")).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_recorded() {
    let server = MockServer::start().await;
    Mock::given(path("/busy"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .insert_header("X-Rate-Limit-Problem", "minute")
                .insert_header("X-MinLimit-Remaining", "0"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/busy"))
        .respond_with(ResponseTemplate::new(200).insert_header("X-DayLimit-Remaining", "4990"))
        .expect(1)
        .mount(&server)
        .await;
    // A single attempt for errors: only the rate-limit wait can make this succeed.
    let (layer, recorder) = layer(1);
    let quota = layer.quota("xero", "acme", spec(), Some(10_000));
    layer.send(&quota, &get(&server, "/busy")).await.unwrap();
    let calls = recorder.0.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].limits.retry_after_s, Some(1));
    assert_eq!(calls[0].limits.problem.as_deref(), Some("minute"));
    assert_eq!(quota.status().last_limits.day_remaining, Some(4990));
}

#[tokio::test]
async fn a_day_limit_parks_only_that_connection() {
    let server = MockServer::start().await;
    Mock::given(path("/acme"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "3600")
                .insert_header("X-Rate-Limit-Problem", "day"),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/beta"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    fail_on_unexpected(&server).await;
    let (layer, _) = layer(3);
    let acme = layer.quota("xero", "acme", spec(), Some(10_000));
    let beta = layer.quota("xero", "beta", spec(), Some(10_000));
    let first = layer.send(&acme, &get(&server, "/acme")).await.unwrap_err();
    assert!(matches!(first, HttpError::Parked { .. }), "{first}");
    assert!(first.to_string().contains("other connections keep running"), "{first}");
    // Parked: the next call is refused without reaching the server (expect(1) above).
    let again = layer.send(&acme, &get(&server, "/acme")).await.unwrap_err();
    assert!(matches!(again, HttpError::Parked { .. }));
    assert!(acme.status().parked_until.is_some());
    layer.send(&beta, &get(&server, "/beta")).await.unwrap();
    layer.send(&beta, &get(&server, "/beta")).await.unwrap();
}

#[tokio::test]
async fn cin7_503_is_treated_as_rate_limiting_and_waited_out() {
    let server = MockServer::start().await;
    Mock::given(path("/sale"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/sale"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let (layer, recorder) = layer(1);
    let quota = layer.quota("cin7", "acme", QuotaSpec { rate_limit_503: true, ..spec() }, None);
    layer.send(&quota, &get(&server, "/sale")).await.unwrap();
    assert_eq!(recorder.statuses(), [Some(503), Some(503), Some(200)]);
}

#[tokio::test]
async fn a_long_server_wait_is_returned_to_the_caller_as_rate_limited() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "900")
                .insert_header("X-Rate-Limit-Problem", "minute"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (layer, _) = layer(3);
    let quota = layer.quota("xero", "acme", spec(), None);
    let err = layer.send(&quota, &get(&server, "/slow")).await.unwrap_err();
    match err {
        HttpError::RateLimited { retry_after, problem, .. } => {
            assert_eq!(retry_after, Duration::from_mins(15));
            assert_eq!(problem.as_deref(), Some("minute"));
        }
        other => panic!("expected RateLimited, got {other}"),
    }
}

#[tokio::test]
async fn the_daily_allowance_is_never_exceeded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&server)
        .await;
    let (layer, _) = layer(1);
    let quota = layer.quota("cin7", "omni", QuotaSpec { per_day: Some(3), ..spec() }, None);
    for _ in 0..3 {
        layer.send(&quota, &get(&server, "/x")).await.unwrap();
    }
    let err = layer.send(&quota, &get(&server, "/x")).await.unwrap_err();
    assert!(matches!(err, HttpError::Parked { .. }), "{err}");
    assert_eq!(quota.status().calls_last_day, 3);
}

#[tokio::test]
async fn a_dropped_connection_is_retried() {
    // A server that hangs up on the first connection and answers the second.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (first, _) = listener.accept().await.unwrap();
        drop(first);
        let (mut second, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = tokio::io::AsyncReadExt::read(&mut second, &mut buf).await;
        second
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .await
            .unwrap();
    });
    let (layer, recorder) = layer(3);
    let quota = layer.quota("xero", "acme", spec(), None);
    let request = ApiRequest::get(Url::parse(&format!("http://{addr}/x")).unwrap());
    let response = layer.send(&quota, &request).await.unwrap();
    assert_eq!(response.body, b"ok");
    let calls = recorder.0.lock().unwrap().clone();
    assert_eq!(calls[0].status, None, "the dropped attempt has no status");
    assert!(calls[0].error.is_some());
}

#[tokio::test]
async fn concurrency_is_capped_per_connection() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let (layer, _) = layer(1);
    let layer = Arc::new(layer);
    let quota = layer.quota("xero", "acme", QuotaSpec { concurrent: Some(2), ..spec() }, None);
    let request = get(&server, "/slow");
    let mut tasks = Vec::new();
    for _ in 0..3 {
        let (layer, quota, request) = (layer.clone(), quota.clone(), request.clone());
        tasks.push(tokio::spawn(async move { layer.send(&quota, &request).await.map(|_| ()) }));
    }
    // Wait until two requests are in flight (each is held for 2 s by the server)...
    for _ in 0..100 {
        if server.received_requests().await.unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // ...and the third is still waiting for a permit, not sent.
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn rate_limit_waits_do_not_use_up_the_retries_for_failures() {
    let server = MockServer::start().await;
    Mock::given(path("/mixed"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .insert_header("X-Rate-Limit-Problem", "minute"),
        )
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/mixed"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/mixed"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    // Two attempts for failures: two 429s and one 502 must still end in success.
    let (layer, recorder) = layer(2);
    let quota = layer.quota("xero", "acme", spec(), None);
    layer.send(&quota, &get(&server, "/mixed")).await.unwrap();
    assert_eq!(recorder.statuses(), [Some(429), Some(429), Some(502), Some(200)]);
}
