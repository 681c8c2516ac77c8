//! Cin7 Omni: the API client and its records.
//!
//! Facts that shape it (see `tests/fixtures/omni/README.md` for where each came from): base
//! `https://api.cin7.com/api/v1`; HTTP Basic with the API user name and key; about 3 calls a
//! second, 60 a minute and 5,000 a day, a breach answered with 429; lists paged by 1-based
//! `page` and `rows` (at most 250) that come back as bare JSON arrays, so a short page is the
//! last; `where=modifieddate>'…'` for incremental reads; field names in `camelCase` (the
//! help pages' models are `PascalCase`, and both are accepted). Omni posts to Xero through its
//! own integration and reports each document's outcome in
//! `accountingAttributes.accountingImportStatus`.
//!
//! Architecture:
//! - [`quota_spec`]: the shared layer's quota from the connection's configured limits.
//! - [`client`]: [`OmniClient`], authenticated GETs of one page; [`OmniError`].
//! - `fields`: case-insensitive field reading, exact amounts, Omni's dates.
//! - [`models`]: the one transaction shape every endpoint shares.
//! - [`normalise`]: [`Endpoint`], records → [`crate::model::Record`]s and
//!   [`crate::model::OmniDocument`]s (what Omni says about its own posting).
//! - [`ledger`]: the Cin7-side ledger Omni's documents imply (its monthly COGS journals).

pub mod client;
mod fields;
pub mod ledger;
pub mod models;
pub mod normalise;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use client::{OmniClient, OmniError};
pub use normalise::{Endpoint, NormaliseError};

use crate::config::Cin7Limits;
use crate::http::{Pacing, QuotaSpec};

/// The largest page Omni serves.
pub const MAX_ROWS: usize = 250;

/// The shared layer's quota for one Omni account: per second, minute and day as configured
/// (defaults 3, 60 and 5,000). Omni answers a breach with 429 (with `Retry-After` where it
/// sends one), which the layer honours; 503 is an outage, not a limit.
pub fn quota_spec(limits: &Cin7Limits) -> QuotaSpec {
    QuotaSpec {
        per_minute: limits.per_minute,
        per_second: limits.per_second,
        concurrent: Some(1),
        per_day: limits.per_day,
        rate_limit_503: false,
        minute: Duration::from_millis(u64::from(limits.minute_ms)),
        pacing: Pacing::Even,
    }
}
