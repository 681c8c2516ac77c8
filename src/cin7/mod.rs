//! Cin7: the inventory side. Cin7 Core (formerly DEAR) lives in [`core`]; Cin7 Omni, a
//! separate product with its own API, in [`omni`].
//!
//! This module owns everything that knows Cin7: its HTTP client (through the shared layer,
//! [`crate::http`]), the serde models of its JSON, its date and account-field spellings, and
//! the mapping of its records onto [`crate::model`]. It must not do SQL or touch the store,
//! read the clock, or decide what a discrepancy is. Cin7 is only ever read, never written.

pub mod core;
pub mod omni;
