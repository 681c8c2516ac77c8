//! `cxsync query "SQL"`: one read-only statement on the cache.

use std::io::Write;
use std::path::Path;

use anyhow::Context as _;

use super::{Failure, QueryArgs};
use crate::store::{Store, StoreError};

pub(super) fn run(store_path: &Path, args: &QueryArgs, out: &mut dyn Write) -> Result<(), Failure> {
    let store = Store::open_read_only(store_path).map_err(Failure::usage)?;
    let table = store.query(&args.sql).map_err(|err| match err {
        refused @ (StoreError::WriteRefused { .. } | StoreError::MultipleStatements { .. }) => {
            Failure::usage(refused)
        }
        other => Failure::from(
            anyhow::Error::new(other).context(format!("query on {}", store_path.display())),
        ),
    })?;
    out.write_all(table.render(args.format).as_bytes()).context("writing the result")?;
    Ok(())
}
