//! How numbers, narrations and account codes are compared: trimmed and upper-cased, narrations
//! cut into tokens, Cin7's `"630: Inventory"` account labels cut to the code.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A number or reference as a lookup key; `None` when blank.
pub(crate) fn key(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_ascii_uppercase())
}

const JOINERS: &str = "-_/.";

/// The words of a narration that could be an id or a document number (`SA-00012`, a `TaskID`
/// GUID), upper-cased. Separators inside a word (`-_/.`) are kept, at its ends dropped.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || JOINERS.contains(c)))
        .map(|word| word.trim_matches(|c| JOINERS.contains(c)))
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_uppercase)
}

/// `key(text)` if the text is a single narration token (so it can be found in a narration).
pub(crate) fn single_token(text: &str) -> Option<String> {
    let mut words = tokens(text);
    let first = words.next()?;
    words.next().is_none().then_some(first)
}

/// The account code of a Cin7 or Xero account field (`"630: Inventory"` → `"630"`).
pub(crate) fn account_code(text: &str) -> Option<&str> {
    let code = text.split(':').next().unwrap_or(text).trim();
    (!code.is_empty()).then_some(code)
}

/// The (date, account, amount) set of a journal, as one comparable string: amounts summed per
/// date and account, zero nets dropped, sorted. `None` when no line has an account and amount.
pub(crate) fn signature<'a>(
    lines: impl Iterator<Item = (NaiveDate, &'a str, Decimal)>,
) -> Option<String> {
    let mut sums: BTreeMap<(NaiveDate, String), Decimal> = BTreeMap::new();
    for (date, account, amount) in lines {
        if let Some(code) = account_code(account) {
            *sums.entry((date, code.to_ascii_uppercase())).or_default() += amount;
        }
    }
    let parts: Vec<String> = sums
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|((date, account), amount)| format!("{date}|{account}|{}", amount.normalize()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narration_tokens_keep_document_numbers_and_guids_whole() {
        let words: Vec<String> = tokens("Stock adjustment SA-00012: task 0f8e-AB12.").collect();
        assert_eq!(words, ["STOCK", "ADJUSTMENT", "SA-00012", "TASK", "0F8E-AB12"]);
    }

    #[test]
    fn cin7_account_labels_reduce_to_their_code() {
        assert_eq!(account_code("630: Inventory"), Some("630"));
        assert_eq!(account_code(" 200 "), Some("200"));
        assert_eq!(account_code(" : x"), None);
    }

    #[test]
    fn signatures_ignore_line_order_split_lines_and_trailing_zeros() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let a = signature(
            [(d, "630", Decimal::new(1000, 2)), (d, "310", Decimal::new(-10, 0))].into_iter(),
        );
        let b = signature(
            [
                (d, "310", Decimal::new(-4, 0)),
                (d, "630: Inventory", Decimal::new(10, 0)),
                (d, "310", Decimal::new(-6, 0)),
            ]
            .into_iter(),
        );
        assert_eq!(a, b);
        assert!(a.is_some());
    }
}
