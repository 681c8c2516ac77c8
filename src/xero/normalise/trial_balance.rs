//! `GET /Reports/TrialBalance?date=` → one [`TrialBalanceRow`] per coded account.
//!
//! The report is a header row (`Account`, `Debit`, `Credit`, `YTD Debit`, `YTD Credit`) and
//! sections of rows, one per account. Decisions:
//! - The balance is `YTD Debit − YTD Credit` (debit positive), the columns found by their
//!   header text; empty cells are zero.
//! - The cells do not carry the account code. The first cell reads `Sales (200)` and carries
//!   the `AccountID` in an `account` attribute; the code is taken from the trailing
//!   parentheses (text without spaces) and the name from what precedes them. An account
//!   without a code (typically a bank account) has no parentheses: its row is left out, as
//!   it can match no control account. A name that itself ends in parentheses without a code
//!   (`Loan (ANZ)`) cannot be told apart from a coded one from the report alone; callers
//!   needing certainty should check the codes against `/Accounts`.
//! - Rows without an `account` attribute (totals, `SummaryRow`s) are skipped. Rows come out
//!   in report order.
//! - Accepts the whole response (`{"Reports": [report]}`, first report used) or one report.

use serde::Deserialize;
use serde_json::Value;

use super::NormaliseError;
use crate::model::TrialBalanceRow;
use crate::xero::amount::{self, AmountError};
use crate::xero::models::{Report, ReportCell, ReportRow};

const YTD_DEBIT: &str = "YTD Debit";
const YTD_CREDIT: &str = "YTD Credit";

/// Reads a trial balance report (see the module documentation).
pub fn trial_balance(report: &Value) -> Result<Vec<TrialBalanceRow>, NormaliseError> {
    let report = match report.get("Reports") {
        Some(Value::Array(reports)) => {
            reports.first().ok_or_else(|| shape("the response holds no report"))?
        }
        Some(_) => return Err(shape("\"Reports\" is not an array")),
        None => report,
    };
    let report = Report::deserialize(report)
        .map_err(|error| shape(format!("not a Xero report: {error}")))?;
    if let Some(kind) = report.report_type.as_deref().filter(|kind| *kind != "TrialBalance") {
        return Err(shape(format!("this is a {kind:?} report, not \"TrialBalance\"")));
    }
    let header = report
        .rows
        .iter()
        .find(|row| row.row_type.as_deref() == Some("Header"))
        .ok_or_else(|| shape("the report has no header row"))?;
    let columns = Columns {
        debit: column(header, YTD_DEBIT)?,
        credit: column(header, YTD_CREDIT)?,
        count: header.cells.len(),
    };
    let mut rows = Vec::new();
    collect(&report.rows, &columns, &mut rows)?;
    Ok(rows)
}

/// Where the YTD columns are, and how many cells a row has.
struct Columns {
    debit: usize,
    credit: usize,
    count: usize,
}

fn column(header: &ReportRow, label: &str) -> Result<usize, NormaliseError> {
    header
        .cells
        .iter()
        .position(|cell| {
            cell.value.as_deref().is_some_and(|value| value.trim().eq_ignore_ascii_case(label))
        })
        .ok_or_else(|| shape(format!("the header has no {label:?} column")))
}

fn collect(
    rows: &[ReportRow],
    columns: &Columns,
    out: &mut Vec<TrialBalanceRow>,
) -> Result<(), NormaliseError> {
    for row in rows {
        collect(&row.rows, columns, out)?;
        if row.row_type.as_deref() == Some("Row")
            && let Some(parsed) = account_row(row, columns)?
        {
            out.push(parsed);
        }
    }
    Ok(())
}

/// One account's row, or `None` for a row that is not a coded account.
fn account_row(
    row: &ReportRow,
    columns: &Columns,
) -> Result<Option<TrialBalanceRow>, NormaliseError> {
    let Some(first) = row.cells.first().filter(|cell| is_account_cell(cell)) else {
        return Ok(None);
    };
    let label = first.value.as_deref().unwrap_or_default();
    let (name, Some(code)) = split_code(label) else {
        return Ok(None);
    };
    if row.cells.len() != columns.count {
        return Err(shape(format!(
            "row {label:?} has {} cells but the header has {}",
            row.cells.len(),
            columns.count
        )));
    }
    let debit = cell_amount(row, columns.debit, label, YTD_DEBIT)?;
    let credit = cell_amount(row, columns.credit, label, YTD_CREDIT)?;
    Ok(Some(TrialBalanceRow {
        account_code: code.to_owned(),
        account_name: (!name.is_empty()).then(|| name.to_owned()),
        balance: debit - credit,
    }))
}

fn is_account_cell(cell: &ReportCell) -> bool {
    cell.attributes.iter().any(|attribute| {
        attribute.id.as_deref().is_some_and(|id| id.eq_ignore_ascii_case("account"))
    })
}

/// `Sales (200)` → (`Sales`, `Some("200")`); `Business Bank` → (`Business Bank`, `None`).
fn split_code(label: &str) -> (&str, Option<&str>) {
    let label = label.trim();
    let Some(open) = label.strip_suffix(')').and_then(|rest| rest.rfind('(')) else {
        return (label, None);
    };
    let code = &label[open + 1..label.len() - 1];
    if code.is_empty() || code.chars().any(char::is_whitespace) || code.contains('(') {
        return (label, None);
    }
    (label[..open].trim_end(), Some(code))
}

fn cell_amount(
    row: &ReportRow,
    index: usize,
    account: &str,
    column: &str,
) -> Result<rust_decimal::Decimal, NormaliseError> {
    let value = row.cells.get(index).and_then(|cell| cell.value.as_deref()).unwrap_or_default();
    if value.trim().is_empty() {
        return Ok(rust_decimal::Decimal::ZERO);
    }
    amount::parse_amount(value).map_err(|source: AmountError| NormaliseError::ReportAmount {
        account: account.to_owned(),
        column: column.to_owned(),
        source,
    })
}

fn shape(problem: impl Into<String>) -> NormaliseError {
    NormaliseError::ReportShape { problem: problem.into() }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::split_code;

    #[rstest]
    #[case::plain("Sales (200)", ("Sales", Some("200")))]
    #[case::alphanumeric_code("Generic Inventory (INV-1)", ("Generic Inventory", Some("INV-1")))]
    #[case::long_numeric_code("MyExp51937 (1231239)", ("MyExp51937", Some("1231239")))]
    #[case::parentheses_in_the_name("Loan (ANZ) (2100)", ("Loan (ANZ)", Some("2100")))]
    #[case::no_code("Business Bank Account", ("Business Bank Account", None))]
    #[case::words_in_parentheses("Drawings (Owner A)", ("Drawings (Owner A)", None))]
    #[case::empty_parentheses("Odd ()", ("Odd ()", None))]
    #[case::only_a_code("(200)", ("", Some("200")))]
    #[case::padded("  Sales (200)  ", ("Sales", Some("200")))]
    #[case::empty("", ("", None))]
    fn the_account_code_comes_from_trailing_parentheses(
        #[case] label: &str,
        #[case] expected: (&str, Option<&str>),
    ) {
        assert_eq!(split_code(label), expected);
    }
}
