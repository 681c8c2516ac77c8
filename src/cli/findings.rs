//! `cxsync findings`: open (or all) findings as a table, JSON or CSV.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

use super::{Failure, FindingsArgs};
use crate::store::{FindingFilter, Store};

pub(super) fn run(
    store_path: &Path,
    args: &FindingsArgs,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let store = Store::open_read_only(store_path).map_err(Failure::usage)?;
    let filter = FindingFilter {
        kind: args.kind.map(|kind| kind.as_str().to_string()),
        connection: args.connection.clone(),
        include_resolved: args.all,
    };
    let table = store
        .findings(&filter)
        .with_context(|| format!("reading findings from {}", store_path.display()))?;
    out.write_all(table.render(args.format).as_bytes()).context("writing findings")?;
    Ok(())
}
