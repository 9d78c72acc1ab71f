//! The host-side shell: the tutorial's second terminal.
//!
//! It runs on the host, except when a step mounts into a stand-in host mount namespace (see
//! [`crate::sandbox::mount::enter_stand_in_host`]): then the host shell joins that namespace,
//! so that the learner sees the "leak" where nslab let it happen, and the real host stays clean.
//! Joining needs a process of its own, single-threaded, so nslab runs itself again with a
//! hidden subcommand, as it does for the launcher.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use nix::sched::CloneFlags;
use nix::sys::signal::Signal;
use nix::unistd::Pid;

use crate::sandbox::child::PATH;
use crate::sandbox::{LaunchError, launcher};

/// The hidden subcommand that starts the host shell.
pub const HOST_SHELL_ARG: &str = "__host-shell";

/// A command for the host shell. With `launcher`, the shell joins that launcher's mount
/// namespace when it differs from nslab's own (the stand-in host).
pub fn host_shell_command(
    launcher: Option<Pid>,
) -> Result<portable_pty::CommandBuilder, LaunchError> {
    let exe = std::env::current_exe().map_err(LaunchError::OwnExecutable)?;
    let mut command = portable_pty::CommandBuilder::new(exe);
    command.arg(HOST_SHELL_ARG);
    if let Some(pid) = launcher {
        command.arg(pid.to_string());
    }
    if let Ok(dir) = std::env::current_dir() {
        command.cwd(dir);
    }
    Ok(command)
}

/// The host shell's own work: join the stand-in if there is one, then exec the shell.
/// Returns only on failure, with the exit status.
pub fn main(launcher: Option<&str>) -> i32 {
    let stand_in = match launcher.map(str::parse::<i32>) {
        Some(Ok(pid)) => match join_stand_in(Pid::from_raw(pid)) {
            Ok(joined) => joined,
            Err(message) => {
                eprintln!("nslab: cannot join the sandbox's host side: {message}");
                false
            }
        },
        Some(Err(_)) => {
            eprintln!("nslab: {HOST_SHELL_ARG} takes the launcher's PID");
            return 2;
        }
        None => false,
    };

    let shell = std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".to_string());
    let mut command = Command::new(&shell);
    if stand_in {
        // A label, so nobody mistakes the stand-in for the real host.
        let bash = Path::new("/bin/bash");
        command = Command::new(if bash.exists() {
            "/bin/bash"
        } else {
            "/bin/sh"
        });
        if bash.exists() {
            command.args(["--norc", "--noprofile"]);
        }
        command
            .env("PS1", "[host: stand-in mount namespace] \\u@\\h:\\w\\$ ")
            .env("PATH", PATH)
            .current_dir("/");
    }
    if stand_in {
        return supervise(command);
    }
    let err = command.exec();
    eprintln!("nslab: cannot start the host shell {shell}: {err}");
    126
}

/// Runs the stand-in's host shell as a child and outlives it, the way the launcher outlives
/// the sandbox: a job the learner left running there (`nohup sleep 1000 &`) would otherwise
/// keep the stand-in mount namespace, and the sandbox's mounts in it, alive after nslab.
/// This process is a child subreaper, dies with nslab (parent death signal) and with the
/// terminal (SIGHUP), and stops every process below it when it ends.
fn supervise(mut command: Command) -> i32 {
    let started = nix::sys::prctl::set_child_subreaper(true)
        .and_then(|()| nix::sys::prctl::set_pdeathsig(Signal::SIGTERM))
        .map_err(|err| err.to_string())
        .and_then(|()| {
            let watched = launcher::watched_signals();
            watched.thread_block().map_err(|err| err.to_string())?;
            // std resets the signal mask and dispositions in the child before exec.
            let child = command.spawn().map_err(|err| err.to_string())?;
            Ok((watched, Pid::from_raw(child.id() as i32)))
        });
    match started {
        Ok((watched, child)) => {
            let code = launcher::wait_for(child, &watched, false);
            launcher::restore_foreground();
            code
        }
        Err(err) => {
            eprintln!("nslab: cannot start the host shell: {err}");
            126
        }
    }
}

/// Joins the launcher's mount namespace if it is not ours; returns whether it did.
///
/// An unprivileged launcher's stand-in belongs to its user namespace, and only a process in
/// that user namespace holds the CAP_SYS_ADMIN needed to join it, so the user namespace is
/// joined first.
fn join_stand_in(launcher: Pid) -> Result<bool, String> {
    let ns = |kind: &str| format!("/proc/{launcher}/ns/{kind}");
    if same_namespace(&ns("mnt"), "/proc/self/ns/mnt")? {
        return Ok(false);
    }
    if !same_namespace(&ns("user"), "/proc/self/ns/user")? {
        setns(&ns("user"), CloneFlags::CLONE_NEWUSER)?;
    }
    setns(&ns("mnt"), CloneFlags::CLONE_NEWNS)?;
    Ok(true)
}

fn same_namespace(a: &str, b: &str) -> Result<bool, String> {
    let inode = |path: &str| {
        std::fs::metadata(path)
            .map(|m| m.ino())
            .map_err(|e| format!("{path}: {e}"))
    };
    Ok(inode(a)? == inode(b)?)
}

fn setns(path: &str, kind: CloneFlags) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("{path}: {e}"))?;
    nix::sched::setns(file, kind).map_err(|e| format!("setns({path}): {e}"))
}
