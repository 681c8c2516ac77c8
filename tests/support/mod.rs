//! Test support shared by integration tests (and the sync benchmark). Each test binary uses
//! a part of it, and its items are public only to that binary.

#![allow(dead_code, unreachable_pub)]

pub mod fake_xero;
pub mod smtp;
pub mod xero_harness;
