//! How numbers, narrations and account codes are compared: trimmed and upper-cased, narrations
//! cut into tokens, Cin7's `"630: Inventory"` account labels cut to the code.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A hash map of lookup keys. Reconciliation hashes millions of short keys (numbers, ids,
/// narration words, account codes): foldhash is several times faster on them than std's
/// `SipHash` and, seeded at random per map as std's is, still hard to flood with collisions.
/// Nothing iterates one where the order would show.
pub(crate) type KeyMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set of lookup keys (see [`KeyMap`]).
pub(crate) type KeySet<K> = HashSet<K, foldhash::fast::RandomState>;

/// A number or reference as a lookup key; `None` when blank.
pub(crate) fn key(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_ascii_uppercase())
}

/// [`key`] without a copy when the text already is its key (trimmed, no lower-case ASCII),
/// as most numbers and ids are.
pub(crate) fn key_ref(text: &str) -> Option<Cow<'_, str>> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
        Some(Cow::Owned(trimmed.to_ascii_uppercase()))
    } else {
        Some(Cow::Borrowed(trimmed))
    }
}

const JOINERS: &str = "-_/.";

/// The words of a narration that could be an id or a document number (`SA-00012`, a `TaskID`
/// GUID), upper-cased. Separators inside a word (`-_/.`) are kept, at its ends dropped.
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    words(text).map(str::to_ascii_uppercase)
}

/// The words [`tokens`] gives, as they stand in `text` (not upper-cased).
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || JOINERS.contains(c)))
        .map(|word| word.trim_matches(|c| JOINERS.contains(c)))
        .filter(|word| !word.is_empty())
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
/// Built in one small list sorted in place (stable, so each sum adds in line order) and one
/// string: a large connection signs a million ledger entries.
pub(crate) fn signature<'a>(
    lines: impl Iterator<Item = (NaiveDate, &'a str, Decimal)>,
) -> Option<String> {
    let mut sums: Vec<(NaiveDate, Cow<'a, str>, Decimal)> = lines
        .filter_map(|(date, account, amount)| {
            let code = account_code(account)?;
            let code = if code.bytes().any(|b| b.is_ascii_lowercase()) {
                Cow::Owned(code.to_ascii_uppercase())
            } else {
                Cow::Borrowed(code)
            };
            Some((date, code, amount))
        })
        .collect();
    sums.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    sums.dedup_by(|later, first| {
        let same = (later.0, &later.1) == (first.0, &first.1);
        if same {
            first.2 += later.2;
        }
        same
    });
    let mut out = String::new();
    for (date, account, amount) in sums.iter().filter(|(_, _, amount)| !amount.is_zero()) {
        if !out.is_empty() {
            out.push(';');
        }
        write!(out, "{date}|{account}|{}", amount.normalize()).expect("writing to a String");
    }
    (!out.is_empty()).then_some(out)
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

    /// The signature as it was first written (a sorted map of owned codes, parts joined).
    fn signature_by_map<'a>(
        lines: impl Iterator<Item = (NaiveDate, &'a str, Decimal)>,
    ) -> Option<String> {
        let mut sums: std::collections::BTreeMap<(NaiveDate, String), Decimal> =
            std::collections::BTreeMap::new();
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

    #[test]
    fn signatures_are_those_of_a_sorted_map_of_sums() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 1, day).unwrap();
        let cases: Vec<Vec<(NaiveDate, &str, Decimal)>> = vec![
            vec![],
            vec![(d(5), " : x", Decimal::ONE)],
            vec![(d(5), "630", Decimal::new(5, 1)), (d(5), "630", Decimal::new(-5, 1))],
            vec![
                (d(6), "inv", Decimal::new(1050, 2)),
                (d(5), "630: Inventory", Decimal::new(-3, 0)),
                (d(5), "INV", Decimal::new(2, 0)),
                (d(5), "310", Decimal::new(1, 0)),
                (d(6), "Inv: stock", Decimal::new(-50, 2)),
                (d(5), "630", Decimal::new(3, 0)),
                (d(5), "2a0", Decimal::new(7, 3)),
                (d(4), "200", Decimal::new(-7, 3)),
            ],
        ];
        for lines in cases {
            assert_eq!(
                signature(lines.iter().copied()),
                signature_by_map(lines.iter().copied()),
                "{lines:?}"
            );
        }
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
