//! cxsync watches the accounting link between Cin7 (Core and Omni) and Xero: it syncs both
//! sides read-only into a SQLite cache, finds sync errors and discrepancies, and reports the
//! variance per control account. See `DESIGN.md` in the shared docs and `README.md`.

pub mod amount;
pub mod cin7;
pub mod cli;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod deliver;
pub mod http;
pub mod logging;
pub mod model;
pub mod reconcile;
pub mod report;
pub mod sim;
pub mod store;
pub mod sync;
pub mod table;
pub mod xero;
