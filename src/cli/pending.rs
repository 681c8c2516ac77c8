//! Subcommands whose capability is not built yet: they say so and exit 2, doing nothing.

use super::Failure;

pub(super) fn not_built(command: &str, needs: &str) -> Failure {
    Failure::usage(anyhow::anyhow!(
        "`cxsync {command}` is not available in this version yet: it needs {needs}, which is \
         not built. Nothing was done."
    ))
}
