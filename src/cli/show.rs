//! `cxsync show REF`: one document's Cin7 and Xero versions side by side, how they were
//! matched, and its findings past and present.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

use super::{Failure, ShowArgs};
use crate::store::{DocumentView, Store};
use crate::table::{Table, Value};

pub(super) fn run(store_path: &Path, args: &ShowArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let store = Store::open_read_only(store_path).map_err(Failure::usage)?;
    let view = store
        .document_view(&args.reference)
        .with_context(|| format!("reading {}", store_path.display()))?;
    if view.documents.rows.is_empty() && view.findings.rows.is_empty() {
        return Err(anyhow::anyhow!(
            "nothing is stored under `{}`: give a document number (INV-0042), a reference or a Cin7/Xero id; \
             `cxsync query \"SELECT number FROM documents LIMIT 20\"` shows some",
            args.reference
        )
        .into());
    }
    out.write_all(render(&args.reference, &view).as_bytes()).context("writing")?;
    Ok(())
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "—".into(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Text(s) => s.clone(),
        Value::Blob(b) => format!("<{} bytes>", b.len()),
    }
}

fn column<'t>(table: &'t Table, row: &'t [Value], name: &str) -> &'t Value {
    table.columns.iter().position(|c| c == name).map_or(&Value::Null, |i| &row[i])
}

/// The documents as columns (one per stored version), fields as rows; then the match and the
/// findings with their history.
fn render(reference: &str, view: &DocumentView) -> String {
    let mut out = format!("{reference}\n\n");
    render_documents(&view.documents, &mut out);
    out.push_str("\nMatched\n");
    if view.matches.rows.is_empty() {
        out.push_str("  not matched in the latest reconciliation\n");
    }
    for row in &view.matches.rows {
        let m = &view.matches;
        let _ = writeln!(
            out,
            "  cin7 {} ↔ xero {} by {} (at {})",
            cell(column(m, row, "cin7_external_id")),
            cell(column(m, row, "xero_external_id")),
            cell(column(m, row, "method")),
            cell(column(m, row, "matched_at"))
        );
    }
    out.push_str("\nFindings\n");
    if view.findings.rows.is_empty() {
        out.push_str("  none, now or before\n");
    }
    for row in &view.findings.rows {
        let f = &view.findings;
        let state = match column(f, row, "resolved_at") {
            Value::Null => "OPEN".to_string(),
            at => format!("resolved {}", cell(at)),
        };
        let accounts = match column(f, row, "accounts") {
            Value::Null => String::new(),
            on => format!(" (on account {})", cell(on)),
        };
        let _ = writeln!(
            out,
            "  [{state}] {} ({}), amount {}{accounts}, first seen {}, last seen {}\n    {}",
            cell(column(f, row, "kind")),
            cell(column(f, row, "severity")),
            cell(column(f, row, "amount")),
            cell(column(f, row, "first_seen")),
            cell(column(f, row, "last_seen")),
            cell(column(f, row, "message"))
        );
    }
    if !view.events.rows.is_empty() {
        out.push_str("\nHistory\n");
        for row in &view.events.rows {
            let e = &view.events;
            let _ = writeln!(
                out,
                "  {} {} {}",
                cell(column(e, row, "at")),
                cell(column(e, row, "kind")),
                cell(column(e, row, "event"))
            );
        }
    }
    out
}

fn render_documents(docs: &Table, out: &mut String) {
    if docs.rows.is_empty() {
        out.push_str("No stored document carries this reference (only findings do).\n");
    } else {
        let headers: Vec<String> = docs
            .rows
            .iter()
            .map(|row| {
                format!(
                    "{} {}",
                    cell(column(docs, row, "system")),
                    cell(column(docs, row, "connection"))
                )
            })
            .collect();
        let fields = [
            "doc_type",
            "number",
            "reference",
            "contact",
            "status",
            "date",
            "total",
            "tax_total",
            "amount_paid",
            "amount_credited",
            "updated_at",
            "lines",
            "external_id",
        ];
        let mut table = Table {
            columns: std::iter::once(String::new()).chain(headers).collect(),
            rows: vec![],
        };
        for field in fields {
            let mut row = vec![Value::Text(field.into())];
            row.extend(docs.rows.iter().map(|r| Value::Text(cell(column(docs, r, field)))));
            table.rows.push(row);
        }
        let text = table.to_text();
        // Drop the row count: here rows are fields.
        out.push_str(text.rsplit_once("\n(").map_or(text.as_str(), |(head, _)| head));
        out.push('\n');
        let sides: Vec<String> =
            docs.rows.iter().map(|r| cell(column(docs, r, "system"))).collect();
        if !sides.iter().any(|s| s == "xero") {
            out.push_str(
                "\nNo Xero counterpart is stored (see any missing_in_xero finding below).\n",
            );
        } else if !sides.iter().any(|s| s == "cin7") {
            out.push_str("\nNo Cin7 source is stored.\n");
        }
    }
}
