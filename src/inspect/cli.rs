//! `nslab inspect`.

use crate::cli::InspectArgs;

/// Prints the facts about a running sandbox.
pub fn inspect(_args: InspectArgs) -> anyhow::Result<i32> {
    anyhow::bail!("inspect is not built yet")
}
