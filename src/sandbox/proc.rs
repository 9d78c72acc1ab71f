//! A fresh `/proc`.
//!
//! `ps` and `top` know nothing of namespaces: they list `/proc`. A proc filesystem shows the PID
//! namespace of the process that mounted it, so after `CLONE_NEWPID` the host's `/proc` still
//! lists every host process, and a new root filesystem has an empty `/proc` (where `ps` shows
//! nothing at all). Mounting a new proc from inside the PID namespace fixes both.

use std::path::Path;

use nix::mount::MsFlags;

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};

/// Mounts a new proc filesystem on `proc` below `root`.
pub fn mount_fresh(kernel: &mut dyn Kernel, root: &Path) -> Result<(), SetupError> {
    // A hand-made root filesystem may lack the mount point.
    let target = root.join("proc");
    if !target.exists() {
        make(kernel, Call::Mkdir(target.to_path_buf()))?;
    }

    make(
        kernel,
        Call::Mount {
            source: Some("proc".to_string()),
            target: target.to_path_buf(),
            fstype: Some("proc".to_string()),
            flags: MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        },
    )
}
