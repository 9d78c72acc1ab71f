//! Entering a new root directory: `chroot` or `pivot_root`.
//!
//! `chroot` only changes how the caller resolves `/`. The old root is still mounted, and a root
//! process can climb out (chroot into a subdirectory, then `cd ..` past it). `pivot_root` swaps
//! the root mount of the whole mount namespace; once the old root is detached, there is nothing
//! left to climb back to.

use std::path::Path;

use nix::mount::{MntFlags, MsFlags};

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};

/// Makes `dir` the caller's root with `chroot`, then moves into it.
///
/// Without the `chdir("/")` the working directory would stay outside the new root, and
/// relative paths would still reach the host's files.
pub fn chroot(kernel: &mut dyn Kernel, dir: &Path) -> Result<(), SetupError> {
    make(kernel, Call::Chroot(dir.to_path_buf()))?;
    make(kernel, Call::Chdir("/".into()))
}

/// Bind-mounts `dir` onto itself: pivot_root(2) wants the new root to be a mount point.
pub fn bind_onto_itself(kernel: &mut dyn Kernel, dir: &Path) -> Result<(), SetupError> {
    make(
        kernel,
        Call::Mount {
            source: Some(dir.display().to_string()),
            target: dir.to_path_buf(),
            fstype: None,
            flags: MsFlags::MS_BIND | MsFlags::MS_REC,
        },
    )
}

/// Makes `dir`, already a mount point, the root of the caller's mount namespace.
///
/// `pivot_root(".", ".")` stacks the old root on top of the new one, which saves making a
/// directory for it inside the root filesystem. Before the old root is detached it is made a
/// slave, so that the unmount cannot propagate to any peer, including the host.
pub fn pivot_root(kernel: &mut dyn Kernel, dir: &Path) -> Result<(), SetupError> {
    make(kernel, Call::Chdir(dir.to_path_buf()))?;
    make(
        kernel,
        Call::PivotRoot {
            new_root: ".".into(),
            put_old: ".".into(),
        },
    )?;

    make(
        kernel,
        Call::Mount {
            source: None,
            target: ".".into(),
            fstype: None,
            flags: MsFlags::MS_REC | MsFlags::MS_SLAVE,
        },
    )?;
    make(
        kernel,
        Call::Umount {
            target: ".".into(),
            flags: MntFlags::MNT_DETACH,
        },
    )?;
    make(kernel, Call::Chdir("/".into()))
}
