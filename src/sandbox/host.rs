//! The host-side shell: the tutorial's second terminal.
//!
//! It runs on the host, except when a step mounts into a stand-in host mount namespace: then the
//! host shell enters that namespace, so that the learner sees the "leak" there.

use nix::unistd::Pid;

use crate::sandbox::LaunchError;

/// A command for the host shell. With `launcher`, the shell joins that launcher's mount
/// namespace when it differs from nslab's own (the stand-in host).
pub fn host_shell_command(
    launcher: Option<Pid>,
) -> Result<portable_pty::CommandBuilder, LaunchError> {
    // TODO: enter the stand-in host mount namespace of `launcher`.
    let _ = launcher;
    let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".to_string());
    Ok(portable_pty::CommandBuilder::new(shell))
}
