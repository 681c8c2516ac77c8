//! The report as an HTML email (and as a stand-alone HTML page for `cxsync report --format
//! html`). Pure: the figures are formatted here into plain view structs, and the embedded
//! `templates/email.html` (minijinja, HTML autoescape on) lays them out.
//!
//! The layout is for email clients: nested tables, every style inline (Gmail and Outlook
//! drop `<style>` blocks and ignore flex and grid), at most 680 pixels wide. Its order lets an
//! admin act without opening Cin7 or Xero: a headline, what to fix first, the accounts, the
//! trend chart, new and resolved findings, timing differences, fair use, the API budget and
//! where the figures came from.

use base64::Engine as _;
use minijinja::value::{Serde, Value};
use minijinja::{Environment, context};
use rust_decimal::Decimal;
use serde::Serialize;

use super::render::{budget_line, fair_use_lines, refs, source_lines, text};
use super::{
    AccountVariance, Email, Explained, FindingNote, InlineImage, OpenFinding,
    PROFIT_AND_LOSS_ROLES, Report, Trend, chart, money,
};

const TEMPLATE: &str = include_str!("templates/email.html");

/// `money` with thousands separators: `-1,234.56`.
pub fn grouped(amount: Decimal) -> String {
    let text = money(amount);
    let (sign, rest) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    let mut digits = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            digits.push(',');
        }
        digits.push(digit);
    }
    if fraction.is_empty() {
        format!("{sign}{digits}")
    } else {
        format!("{sign}{digits}.{fraction}")
    }
}

/// An amount as shown: grouped, `–` without a figure, flagged when negative.
#[derive(Serialize)]
struct Money {
    text: String,
    negative: bool,
}

impl Money {
    fn of(amount: Option<Decimal>) -> Self {
        Self {
            text: amount.map_or_else(|| "\u{2013}".into(), grouped),
            negative: amount.is_some_and(|a| a.is_sign_negative() && !a.is_zero()),
        }
    }
}

#[derive(Serialize)]
struct ExplainedView {
    kind: String,
    amount: Money,
    count: usize,
}

fn explained(e: &Explained) -> ExplainedView {
    ExplainedView { kind: e.kind.clone(), amount: Money::of(Some(e.amount)), count: e.count }
}

#[derive(Serialize)]
struct AccountView {
    role: &'static str,
    code: String,
    from: Option<String>,
    cin7: Money,
    xero: Money,
    variance: Money,
    explained: Vec<ExplainedView>,
    unexplained: Money,
}

fn account(report: &Report, a: &AccountVariance) -> AccountView {
    AccountView {
        role: a.role,
        code: a.code.clone(),
        from: report
            .year_start
            .filter(|_| PROFIT_AND_LOSS_ROLES.contains(&a.role))
            .map(|d| d.to_string()),
        cin7: Money::of(a.cin7_balance),
        xero: Money::of(a.xero_balance),
        variance: Money::of(a.variance),
        explained: a.explained.iter().map(explained).collect(),
        unexplained: Money::of(a.unexplained),
    }
}

/// A finding in a list: its kind, account, references, an amount and its message.
#[derive(Serialize)]
struct FindingView {
    kind: String,
    account: String,
    refs: String,
    amount: Money,
    /// For "fix first": how much of its account's variance it explains.
    explains: Money,
    message: String,
}

fn open_finding(f: &OpenFinding, explains: Option<Decimal>) -> FindingView {
    FindingView {
        kind: f.kind.clone(),
        account: f.account_code.clone().unwrap_or_else(|| "no account".into()),
        refs: refs(f.cin7_ref.as_deref(), f.xero_ref.as_deref()),
        amount: Money::of(f.amount),
        explains: Money::of(explains),
        message: f.message.clone(),
    }
}

fn note(f: &FindingNote) -> FindingView {
    FindingView {
        kind: f.kind.clone(),
        account: f.account_code.clone().unwrap_or_else(|| "no account".into()),
        refs: refs(f.cin7_ref.as_deref(), f.xero_ref.as_deref()),
        amount: Money::of(f.amount),
        explains: Money::of(None),
        message: f.message.clone(),
    }
}

#[derive(Serialize)]
struct FindingList {
    title: &'static str,
    count: usize,
    items: Vec<FindingView>,
}

#[derive(Serialize)]
struct Notes {
    title: &'static str,
    lines: Vec<String>,
}

/// Everything the template shows, formatted.
#[derive(Serialize)]
struct Page<'a> {
    subject: String,
    connection: &'a str,
    date: String,
    headline: String,
    /// No account disagrees.
    ok: bool,
    fix_first: Vec<FindingView>,
    accounts: Vec<AccountView>,
    unattributed: Vec<ExplainedView>,
    chart_error: Option<String>,
    finding_lists: Vec<FindingList>,
    notes: [Notes; 3],
}

/// The headline: how many accounts disagree and the unexplained total, or that all agree.
pub fn headline(report: &Report) -> String {
    let disagree = report.disagreeing().count();
    let unknown = report.accounts.iter().filter(|a| a.variance.is_none()).count();
    let line = match disagree {
        0 if unknown == 0 => format!("All {} control accounts agree", report.accounts.len()),
        0 => "No known variance".to_string(),
        1 => format!("1 account disagrees, {} unexplained", grouped(report.unexplained_total())),
        n => format!("{n} accounts disagree, {} unexplained", grouped(report.unexplained_total())),
    };
    match unknown {
        0 => line,
        1 => format!("{line}; 1 account has no figure on one side"),
        n => format!("{line}; {n} accounts have no figure on one side"),
    }
}

/// The email's subject: connection, date and the headline.
pub fn subject(report: &Report) -> String {
    format!("cxsync: {} variance {} \u{2014} {}", report.connection, report.date, headline(report))
}

/// The HTML of `report`, the chart shown from `chart_src` (a `cid:` or `data:` URI), or the
/// reason it is missing.
fn page(report: &Report, chart: Result<&str, String>) -> String {
    let mut env = Environment::new();
    env.add_template("email.html", TEMPLATE).expect("the embedded email template parses");
    let template = env.get_template("email.html").expect("the template was just added");
    let finding_lists = [
        ("New findings", report.new_findings.iter().map(note).collect::<Vec<_>>()),
        ("Resolved findings", report.resolved_findings.iter().map(note).collect()),
        (
            "Timing differences",
            report.timing_differences.iter().map(|f| open_finding(f, None)).collect(),
        ),
    ]
    .into_iter()
    .map(|(title, items)| FindingList { title, count: items.len(), items })
    .collect::<Vec<_>>();
    let notes = [
        Notes {
            title: "Xero fair use (sales invoices and bills a month, averaged over the quarter)",
            lines: fair_use_lines(report.fair_use.as_ref()),
        },
        Notes {
            title: "API calls in the 24 hours to the report's end",
            lines: report.api_budget.systems.iter().map(budget_line).collect(),
        },
        Notes { title: "Where the figures came from", lines: source_lines(report) },
    ];
    let (chart_src, chart_error) = match chart {
        Ok(src) => (Some(src.to_string()), None),
        Err(err) => (None, Some(format!("The trend chart could not be drawn: {err}"))),
    };
    let page = Page {
        subject: subject(report),
        connection: &report.connection,
        date: report.date.to_string(),
        headline: headline(report),
        ok: report.disagreeing().count() == 0,
        fix_first: report
            .fix_first
            .iter()
            .map(|item| open_finding(&item.finding, Some(item.explains)))
            .collect(),
        accounts: report.accounts.iter().map(|a| account(report, a)).collect(),
        unattributed: report.unattributed.iter().map(explained).collect(),
        chart_error,
        finding_lists,
        notes,
    };
    // The chart's URI goes in unescaped (autoescape would turn a data URI's `/` into
    // `&#x2f;`), which is safe only while it holds nothing but URI characters.
    let uri_safe =
        |src: &str| src.chars().all(|c| c.is_ascii_alphanumeric() || "+/=:;,.@-".contains(c));
    let chart_src = chart_src.filter(|src| uri_safe(src)).map(Value::from_safe_string);
    template
        .render(context! { chart_src, ..Value::from(Serde(page)) })
        .expect("the email template renders any report")
}

/// The chart's title.
fn chart_title(report: &Report) -> String {
    format!("{}: variance (Cin7 \u{2212} Xero), 30 days to {}", report.connection, report.date)
}

/// A Content-ID for the connection's chart: only characters every mail client accepts.
fn content_id(report: &Report) -> String {
    let name: String = report
        .connection
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' })
        .collect();
    format!("trend-{name}-{}@cxsync", report.date)
}

/// The report as an email: subject, the text report, the HTML with the trend chart inline
/// (`cid:`), and the chart as an [`InlineImage`]. Should the chart fail to draw, the HTML
/// says so and no image is attached.
pub fn email(report: &Report, trend: &Trend) -> Email {
    match chart::png(trend, &chart_title(report)) {
        Ok(png) => {
            let content_id = content_id(report);
            let html = page(report, Ok(&format!("cid:{content_id}")));
            let filename = format!("{}.png", content_id.replace('@', "-"));
            Email {
                subject: subject(report),
                text: text(report),
                html,
                images: vec![InlineImage { content_id, filename, png }],
            }
        }
        Err(err) => Email {
            subject: subject(report),
            text: text(report),
            html: page(report, Err(err.to_string())),
            images: vec![],
        },
    }
}

/// The report as one stand-alone HTML page, the chart embedded as a `data:` URI so the file
/// opens in a browser.
pub fn html(report: &Report, trend: &Trend) -> String {
    match chart::png(trend, &chart_title(report)) {
        Ok(png) => {
            let uri = format!(
                "data:image/png;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(png)
            );
            page(report, Ok(&uri))
        }
        Err(err) => page(report, Err(err.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture::{d, sample, sample_trend};

    /// The `src` of the first `<img>`.
    fn img_src(html: &str) -> &str {
        let start = html.find("<img src=\"").expect("an <img>") + "<img src=\"".len();
        let end = html[start..].find('"').unwrap();
        &html[start..start + end]
    }

    #[test]
    fn the_email_html_matches_its_snapshot() {
        insta::assert_snapshot!(email(&sample(), &sample_trend()).html);
    }

    #[test]
    fn the_email_carries_subject_text_and_the_chart_its_html_points_at() {
        let email = email(&sample(), &sample_trend());
        assert_eq!(
            email.subject,
            "cxsync: acme variance 2026-11-24 \u{2014} 2 accounts disagree, 105.50 unexplained; 1 \
             account has no figure on one side"
        );
        assert_eq!(email.text, text(&sample()));
        assert_eq!(email.images.len(), 1);
        let image = &email.images[0];
        assert_eq!(img_src(&email.html), format!("cid:{}", image.content_id));
        assert_eq!(image.content_id, "trend-acme-2026-11-24@cxsync");
        assert_eq!(image.filename, "trend-acme-2026-11-24-cxsync.png");
        assert_eq!(&image.png[..4], b"\x89PNG");
    }

    #[test]
    fn finding_messages_and_names_are_escaped() {
        let mut report = sample();
        report.connection = "acme <b>".into();
        report.fix_first[0].finding.message = "<script>alert('x')</script> & more".into();
        let html = email(&report, &sample_trend()).html;
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; more"));
        assert!(html.contains("acme &lt;b&gt;"));
        assert!(!html.contains("<style"), "inline styles only");
    }

    #[test]
    fn negative_amounts_are_marked_and_missing_figures_are_a_dash() {
        let html = html(&sample(), &sample_trend());
        assert!(html.contains("color:#b91c1c;font-weight:bold;\">-50.00</td>"), "GRNI variance");
        assert!(html.contains("\">\u{2013}</td>"), "COGS has no Xero figure");
        assert!(img_src(&html).starts_with("data:image/png;base64,iVBORw0KGgo"));
    }

    #[test]
    fn amounts_are_grouped_in_thousands() {
        assert_eq!(grouped(d("1234567.5")), "1,234,567.50");
        assert_eq!(grouped(d("-1234.56")), "-1,234.56");
        assert_eq!(grouped(d("999.00")), "999.00");
        assert_eq!(grouped(d("-0.001")), "-0.001");
    }

    #[test]
    fn the_headline_says_when_everything_agrees() {
        let mut report = sample();
        for a in &mut report.accounts {
            a.xero_balance = a.cin7_balance;
            a.variance = Some(Decimal::ZERO);
            a.unexplained = Some(Decimal::ZERO);
        }
        assert_eq!(headline(&report), "All 3 control accounts agree");
        let empty = sample_trend();
        assert!(email(&report, &empty).html.contains("#15803d"), "a green headline");
    }
}
