//! `cxsync demo --cin7 omni`: the same pipeline against a simulated Cin7 Omni.

use std::process::Command;

#[test]
fn the_demo_runs_an_omni_connection_and_finds_exactly_what_was_planted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let output = Command::new(env!("CARGO_BIN_EXE_cxsync"))
        .args(["demo", "--cin7", "omni", "--store", db.to_str().unwrap()])
        .env_clear()
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}{}", String::from_utf8_lossy(&output.stderr));
    for part in [
        "Cin7 Omni with 800 sales",
        "SalesOrders",
        "PurchaseOrders",
        "sync_error",
        "missing_document_date",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let kind: String =
        conn.query_row("SELECT cin7_kind FROM connections", [], |r| r.get(0)).unwrap();
    assert_eq!(kind, "omni");
    let planted: i64 = text
        .split(" errors planted")
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the planted count");
    let open: i64 = conn.query_row("SELECT count(*) FROM open_findings", [], |r| r.get(0)).unwrap();
    assert_eq!(open, planted, "{text}");
}
