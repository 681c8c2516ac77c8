//! Xero: OAuth2, the API client, the serde models of its responses, and its date format.
//!
//! This module speaks Xero's HTTP API through the shared layer (`crate::http`) and turns
//! responses into `crate::model` records. It writes no SQL and never touches the store: token
//! persistence goes through [`auth::TokenStore`], which the store implements.

pub mod auth;
