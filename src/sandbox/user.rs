//! The user namespace: root inside, an ordinary user outside.
//!
//! After `unshare(CLONE_NEWUSER)` the caller has every capability, but only over namespaces that
//! the new user namespace owns, and its ids are unmapped (it shows as `nobody`) until the maps
//! are written. Each map may be written once. An unprivileged writer may map only its own id,
//! and must first write `deny` to `/proc/self/setgroups` before the gid map, or it could drop
//! supplementary groups that deny it access (see user_namespaces(7)).

use nix::sched::CloneFlags;
use nix::unistd::{Gid, Uid};

use crate::sandbox::kernel::{Call, Kernel, SetupError, make};

/// Enters a new user namespace and maps root inside to `uid`/`gid` outside, as
/// `unshare --map-root-user` does.
pub fn enter(
    kernel: &mut dyn Kernel,
    uid: Uid,
    gid: Gid,
    privileged: bool,
) -> Result<(), SetupError> {
    make(kernel, Call::Unshare(CloneFlags::CLONE_NEWUSER))?;

    // Root outside may keep setgroups(2); anyone else has to give it up to write a gid map.
    if !privileged {
        make(kernel, write("/proc/self/setgroups", "deny"))?;
    }

    make(kernel, write("/proc/self/uid_map", &format!("0 {uid} 1\n")))?;
    make(kernel, write("/proc/self/gid_map", &format!("0 {gid} 1\n")))
}

fn write(path: &str, contents: &str) -> Call {
    Call::WriteFile {
        path: path.into(),
        contents: contents.to_string(),
    }
}
