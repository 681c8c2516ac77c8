//! Xero: reading its Accounting API records into cxsync's normalised model.
//!
//! This module owns everything that knows Xero's shapes: the serde models of its JSON, its
//! `/Date(..)/` and ISO date spellings, exact amounts, and the mapping of each endpoint's
//! records (and the trial balance report) onto [`crate::model`]. It must not do SQL or touch
//! the store, read the clock, or decide what a discrepancy is: it turns JSON into records and
//! nothing more. Xero is only ever read, never written.
//!
//! Architecture:
//! - [`dates`]: `/Date(1518685950940+0000)/` and ISO text → chrono.
//! - [`amount`]: JSON numbers and strings → exact [`rust_decimal::Decimal`], never through `f64`.
//! - [`models`]: tolerant serde structs in Xero's `PascalCase` shapes.
//! - [`normalise`]: [`Endpoint`], [`normalise()`] (one record → [`crate::model::Record`]) and
//!   [`trial_balance()`].

pub mod amount;
pub mod dates;
pub mod models;
pub mod normalise;

pub use amount::AmountError;
pub use dates::DateError;
pub use normalise::{Endpoint, NormaliseError, normalise, records, trial_balance};
