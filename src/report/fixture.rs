//! A small hand-made report shared by the renderers' tests (text, JSON, CSV, HTML).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::{
    AccountVariance, CallCount, Explained, FindingNote, FindingWindow, FixFirst, MonthCount,
    OpenFinding, Report, Trend, TrendSeries, XeroSource, api_budget, fair_use, trend_days,
};

pub(crate) fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

pub(crate) fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn account(role: &'static str, code: &str, cin7: &str, xero: Option<&str>) -> AccountVariance {
    let (cin7, xero) = (d(cin7), xero.map(d));
    let variance = xero.map(|x| cin7 - x);
    AccountVariance {
        role,
        code: code.into(),
        cin7_balance: Some(cin7),
        xero_balance: xero,
        variance,
        explained: vec![],
        unexplained: variance,
    }
}

fn open(id: i64, kind: &str, cin7_ref: Option<&str>, amount: &str, message: &str) -> OpenFinding {
    OpenFinding {
        id,
        kind: kind.into(),
        severity: "warning".into(),
        cin7_ref: cin7_ref.map(String::from),
        xero_ref: None,
        account_code: Some("630".into()),
        amount: Some(d(amount)),
        date: None,
        message: message.into(),
        ..OpenFinding::default()
    }
}

/// A small report by hand: inventory partly explained, COGS without a Xero figure, GRNI
/// (a credit-balance account) negative on both sides; one new finding, two to fix first, a
/// timing difference, fair use below the first tier and some API calls.
pub(crate) fn sample() -> Report {
    let mut inventory = account("inventory", "630", "1000.00", Some("800.00"));
    inventory.explained = vec![
        Explained { kind: "amount_mismatch".into(), amount: d("-5.50"), count: 1 },
        Explained { kind: "missing_in_xero".into(), amount: d("150.00"), count: 2 },
    ];
    inventory.unexplained = Some(d("55.50"));
    let until = at("2026-11-24T13:00:00Z");
    let date = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let timing = open(
        9,
        "timing_difference",
        Some("SO-77"),
        "42.00",
        "SO-77 was invoiced on 30 Oct and shipped on 2 Nov: accrue the COGS at month end",
    );
    Report {
        connection: "acme".into(),
        date,
        xero_source: XeroSource::Journals,
        year_start: NaiveDate::from_ymd_opt(2026, 7, 1),
        accounts: vec![
            inventory,
            account("cogs", "310", "5.00", None),
            account("grni", "815", "-500.00", Some("-450.00")),
        ],
        unattributed: vec![Explained {
            kind: "missing_in_xero".into(),
            amount: d("310.00"),
            count: 3,
        }],
        new_findings: vec![FindingNote {
            id: 7,
            kind: "missing_in_xero".into(),
            severity: "warning".into(),
            cin7_ref: Some("INV-1".into()),
            xero_ref: None,
            account_code: Some("630".into()),
            amount: Some(d("120.00")),
            message: "Send INV-1 to Xero".into(),
            at: at("2026-11-24T02:00:00Z"),
        }],
        resolved_findings: vec![],
        window: FindingWindow { previous_report: None, since: at("2026-11-23T13:00:00Z"), until },
        fix_first: vec![
            FixFirst {
                finding: open(7, "missing_in_xero", Some("INV-1"), "120.00", "Send INV-1 to Xero"),
                explains: d("120.00"),
            },
            FixFirst { finding: timing.clone(), explains: d("42.00") },
        ],
        timing_differences: vec![timing],
        fair_use: Some(fair_use(
            date,
            &[
                MonthCount {
                    month: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                    sales_invoices: 3100,
                    bills: 400,
                },
                MonthCount {
                    month: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    sales_invoices: 2500,
                    bills: 310,
                },
            ],
        )),
        api_budget: api_budget(
            until - chrono::Duration::hours(24),
            until,
            &[
                CallCount {
                    system: "xero".into(),
                    calls: 1234,
                    rate_limited: 2,
                    lowest_day_remaining: Some(3766),
                    limit: Some(5000),
                },
                CallCount {
                    system: "cin7".into(),
                    calls: 310,
                    rate_limited: 0,
                    lowest_day_remaining: None,
                    limit: None,
                },
            ],
        ),
    }
}

/// A trend for [`sample`]: inventory drifting up, COGS without figures, GRNI steady.
pub(crate) fn sample_trend() -> Trend {
    let days = trend_days(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    let inventory = (0..30).map(|i| Some(Decimal::from(i * 7) - d("3.00"))).collect();
    let grni = (0..30).map(|i| (i % 5 != 0).then(|| d("-50.00"))).collect();
    Trend {
        days,
        series: vec![
            TrendSeries { role: "inventory", code: "630".into(), variance: inventory },
            TrendSeries { role: "cogs", code: "310".into(), variance: vec![None; 30] },
            TrendSeries { role: "grni", code: "815".into(), variance: grni },
        ],
    }
}
