//! Xero: OAuth2, the API client, the serde models of its responses, and its date format.
//!
//! This module speaks Xero's HTTP API through the shared layer (`crate::http`) and turns
//! responses into `crate::model` records. It writes no SQL and never touches the store: token
//! persistence goes through [`auth::TokenStore`], which the store implements.

pub mod auth;
pub mod identity;
pub mod loopback;

use std::time::Duration;

use crate::config::XeroLimits;
use crate::http::QuotaSpec;

/// The shared layer's quota for one Xero organisation, from its configured limits.
pub fn quota_spec(limits: &XeroLimits) -> QuotaSpec {
    QuotaSpec {
        per_minute: limits.per_minute,
        per_second: None,
        concurrent: Some(limits.concurrent),
        per_day: Some(limits.per_day),
        rate_limit_503: false,
        minute: Duration::from_mins(1),
    }
}
