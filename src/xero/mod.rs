//! Xero: OAuth2, the API client, and reading its records into cxsync's normalised model.
//!
//! This module owns everything that knows Xero: sign-in and tokens, the HTTP client (through
//! the shared layer, `crate::http`), and its shapes: the serde models of its JSON, its
//! `/Date(..)/` and ISO date spellings, exact amounts, and the mapping of each endpoint's
//! records (and the trial balance report) onto [`crate::model`]. It must not do SQL or touch
//! the store (token persistence goes through [`auth::TokenStore`], which the store
//! implements), read the clock except through an injected [`crate::clock::Clock`], or decide
//! what a discrepancy is. Xero is only ever read, never written.
//!
//! Architecture:
//! - [`dates`]: `/Date(1518685950940+0000)/` and ISO text → chrono.
//! - [`amount`] (re-exported from [`crate::amount`], shared with Cin7): JSON numbers and
//!   strings → exact [`rust_decimal::Decimal`], never through `f64`.
//! - [`models`]: tolerant serde structs in Xero's `PascalCase` shapes.
//! - [`auth`], [`identity`], [`loopback`]: OAuth2 tokens, `/connections`, the sign-in listener.
//! - [`client`]: authenticated GETs with Xero's headers, 304 and 401/403 handling.
//! - [`normalise`](mod@normalise): [`Endpoint`], [`normalise()`] (one record → [`crate::model::Record`]) and
//!   [`trial_balance()`].

pub mod auth;
pub mod client;
pub mod dates;
pub mod identity;
pub mod loopback;
pub mod models;
pub mod normalise;

/// Exact amounts live in [`crate::amount`] (shared with Cin7); re-exported for Xero's paths.
pub use crate::amount;

use std::time::Duration;

pub use amount::AmountError;
pub use dates::DateError;
pub use normalise::{Endpoint, NormaliseError, normalise, records, trial_balance};

use crate::config::XeroLimits;
use crate::http::{Pacing, QuotaSpec};

/// An `Authorization: Bearer …` header value, marked sensitive so it never prints.
pub(crate) fn bearer(
    token: &secrecy::SecretString,
) -> Result<reqwest::header::HeaderValue, crate::http::HttpError> {
    use secrecy::ExposeSecret as _;
    let mut value =
        reqwest::header::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                crate::http::HttpError::Setup("the access token is not a valid header value".into())
            })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The shared layer's quota for one Xero organisation, from its configured limits.
pub fn quota_spec(limits: &XeroLimits) -> QuotaSpec {
    QuotaSpec {
        per_minute: limits.per_minute,
        per_second: None,
        concurrent: Some(limits.concurrent),
        per_day: Some(limits.per_day),
        rate_limit_503: false,
        minute: Duration::from_millis(u64::from(limits.minute_ms)),
        pacing: Pacing::Window,
    }
}
