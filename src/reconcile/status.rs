//! Where a document is in its life, from either side's status word. Xero: DRAFT, SUBMITTED,
//! AUTHORISED, PAID, VOIDED, DELETED (manual journals: DRAFT, POSTED, VOIDED). Cin7 Core:
//! invoice and task statuses (DRAFT, AUTHORISED, PAID, VOIDED, COMPLETED, INVOICED, …). An
//! undo in Cin7 puts a document back to DRAFT.

/// A status word reduced to what reconciliation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifecycle {
    /// Not posted: not expected in Xero (Cin7), or not yet approved (Xero).
    Draft,
    /// Posted to the ledger.
    Posted,
    /// Voided or deleted.
    Voided,
    /// A word we do not know: compared when matched, never reported missing.
    Unknown,
}

pub(crate) fn lifecycle(status: &str) -> Lifecycle {
    match status.trim().to_ascii_uppercase().as_str() {
        "VOIDED" | "VOID" | "DELETED" | "CANCELLED" | "CANCELED" => Lifecycle::Voided,
        "DRAFT" | "SUBMITTED" | "NOT AVAILABLE" | "ESTIMATING" | "ESTIMATED" | "ORDERING"
        | "INVOICING" | "IN PROGRESS" => Lifecycle::Draft,
        "AUTHORISED"
        | "AUTHORIZED"
        | "PAID"
        | "POSTED"
        | "COMPLETED"
        | "INVOICED"
        | "PARTIALLY INVOICED"
        | "PARTIALLY PAID"
        | "CREDITED"
        | "RECEIVED"
        | "RECEIVED / CREDITED"
        | "RECEIVING / CREDITED"
        | "FULFILLED"
        | "CLOSED" => Lifecycle::Posted,
        _ => Lifecycle::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words_are_read_case_insensitively_and_unknown_ones_stay_unknown() {
        assert_eq!(lifecycle("authorised"), Lifecycle::Posted);
        assert_eq!(lifecycle(" VOIDED "), Lifecycle::Voided);
        assert_eq!(lifecycle("SUBMITTED"), Lifecycle::Draft);
        assert_eq!(lifecycle("ARCHIVED?"), Lifecycle::Unknown);
    }
}
