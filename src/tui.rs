//! The terminal UI: a lesson beside a live sandboxed shell.

pub mod panels;

use std::path::PathBuf;

use crate::cli::LearnArgs;

/// Opens a lesson in the terminal UI.
pub fn learn(_args: LearnArgs, _fresh: bool, _extra_dirs: &[PathBuf]) -> anyhow::Result<i32> {
    anyhow::bail!(
        "the terminal UI is not built yet; try `nslab run --rootfs --ns uts,pid,mnt --proc`"
    )
}
