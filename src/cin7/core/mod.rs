//! Cin7 Core (formerly DEAR Inventory): the API client and its records.
//!
//! Facts that shape it (see `shared/cin7/README.md` and the `OpenAPI` conversion there): base
//! `https://inventory.dearsystems.com/ExternalApi/v2`; two credential headers; 60 calls a
//! minute shared with every other integration on the account, a breach answered with 503 (or
//! 429) and no `Retry-After`; paging by `Page`/`Limit` (1000, products 100) with a `Total`;
//! results in no particular order; `UpdatedSince` on sales and purchases, `ModifiedSince` on
//! products, no change filter on stock tasks; `sale?ID=…&IncludeTransactions=true` carries a
//! sale's invoices, credit notes and ledger postings; `transactions` is the ledger by
//! effective date.
//!
//! Architecture:
//! - [`quota_spec`]: the shared layer's quota from the connection's configured limits.
//! - [`client`]: [`CoreClient`], authenticated GETs; [`Cin7Error`].
//! - [`models`]: tolerant serde structs in Cin7's `PascalCase` shapes.
//! - [`normalise`]: [`Endpoint`], list pages, summaries, details and ledger rows →
//!   [`crate::model::Record`]s; Cin7's dates and account fields.

pub mod client;
pub mod models;
pub mod normalise;

use std::time::Duration;

pub use client::{Cin7Error, CoreClient};
pub use normalise::{Endpoint, NormaliseError};

use crate::config::Cin7Limits;
use crate::http::{Pacing, QuotaSpec};

/// The shared layer's quota for one Cin7 Core account: the configured calls per minute
/// (default 50 of Cin7's 60, which other integrations share), an optional daily cap, and 503
/// counted as rate limiting like 429 (Cin7 Core sends either, without `Retry-After`, so the
/// layer waits out the minute).
pub fn quota_spec(limits: &Cin7Limits) -> QuotaSpec {
    QuotaSpec {
        per_minute: limits.per_minute,
        per_second: limits.per_second,
        concurrent: None,
        per_day: limits.per_day,
        rate_limit_503: true,
        minute: Duration::from_millis(u64::from(limits.minute_ms)),
        pacing: Pacing::Even,
    }
}
