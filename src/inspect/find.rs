//! Finding a running sandbox: its launcher, from any of its processes or as the newest.
//!
//! A launcher is the process on the host side whose only child is the sandbox's first process.
//! It comes in two forms:
//!
//! - `nslab __sandbox`, which the TUI starts (and `nslab run` without a PID namespace). The
//!   request it was started with (spec, root, trace file) is still in its environment;
//! - `nslab run` itself when the step has a PID namespace: it does the launcher's work in its
//!   own process, and its spec is read back from its command line.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use clap::Parser;

use crate::cli::{Cli, Command, RunArgs};
use crate::inspect::process;
use crate::rootfs;
use crate::sandbox::{LAUNCHER_ARG, LaunchRequest, REQUEST_ENV};
use crate::spec::RootSpec;

/// Why no sandbox was found.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    #[error("no process {0}: it may have exited")]
    NoProcess(i32),
    #[error("process {0} is not part of an nslab sandbox (no nslab launcher above it)")]
    NotInSandbox(i32),
    #[error("no running nslab sandbox of this user; start one with `nslab run` or `nslab learn`")]
    NoSandbox,
    #[error("cannot read the launch request of launcher {0}: {1}")]
    Request(i32, String),
}

/// The arguments of an `nslab run` process, or `None` for any other process.
fn run_args(pid: i32) -> Option<RunArgs> {
    let args = process::cmdline(pid).ok()?;
    let program = std::path::Path::new(args.first()?).file_name()?;
    if program != "nslab" {
        return None;
    }
    match Cli::try_parse_from(&args).ok()?.command? {
        Command::Run(run) => Some(run),
        _ => None,
    }
}

fn is_hidden_launcher(pid: i32) -> bool {
    process::cmdline(pid).is_ok_and(|args| args.get(1).map(String::as_str) == Some(LAUNCHER_ARG))
}

/// True when `pid` is an nslab launcher: `nslab __sandbox`, or an `nslab run` that did not
/// start one.
pub fn is_launcher(pid: i32) -> bool {
    if is_hidden_launcher(pid) {
        return true;
    }
    run_args(pid).is_some() && !process::children(pid).into_iter().any(is_hidden_launcher)
}

/// The launcher of the sandbox that `pid` belongs to: `pid` itself or its nearest ancestor
/// that is a launcher.
pub fn launcher_of(pid: i32) -> Result<i32, FindError> {
    // `nslab run` without a PID namespace is above its launcher, not below it.
    if let Some(launcher) = process::children(pid)
        .into_iter()
        .find(|child| is_hidden_launcher(*child))
    {
        return Ok(launcher);
    }

    let mut current = pid;
    // The parent chain is short; the bound only guards against a loop of reused PIDs.
    for _ in 0..256 {
        if is_launcher(current) {
            return Ok(current);
        }
        let status = process::status(current).map_err(|_| match current == pid {
            true => FindError::NoProcess(pid),
            false => FindError::NotInSandbox(pid),
        })?;
        if status.ppid <= 0 {
            break;
        }
        current = status.ppid;
    }
    Err(FindError::NotInSandbox(pid))
}

/// The launcher of the newest sandbox owned by the calling user, by start time.
pub fn newest_launcher() -> Result<i32, FindError> {
    launchers().last().copied().ok_or(FindError::NoSandbox)
}

/// The launchers of every sandbox owned by the calling user, oldest first.
pub fn launchers() -> Vec<i32> {
    let uid = nix::unistd::getuid().as_raw();
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<(u64, i32)> = Vec::new();
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        // The owner of /proc/PID is the process's effective uid; check it before reading
        // anything else, so other users' processes cost one stat.
        let owned = entry.metadata().is_ok_and(|meta| meta.uid() == uid);
        if !owned || !is_launcher(pid) {
            continue;
        }
        if let Some(started) = process::start_time(pid) {
            found.push((started, pid));
        }
    }
    found.sort_unstable();
    found.into_iter().map(|(_, pid)| pid).collect()
}

/// The request a launcher was started with: from its environment, or for `nslab run`, from
/// its command line.
pub fn launch_request(launcher: i32) -> Result<LaunchRequest, FindError> {
    if let Some(args) = run_args(launcher) {
        return request_from_run_args(launcher, args);
    }

    let environ = fs::read(process::dir(launcher).join("environ"))
        .map_err(|err| FindError::Request(launcher, err.to_string()))?;
    let prefix = format!("{REQUEST_ENV}=");
    let value = environ
        .split(|b| *b == 0)
        .find_map(|var| var.strip_prefix(prefix.as_bytes()))
        .ok_or_else(|| FindError::Request(launcher, format!("no {REQUEST_ENV} variable")))?;
    serde_json::from_slice(value).map_err(|err| FindError::Request(launcher, err.to_string()))
}

/// Rebuilds the request of an `nslab run` process from its flags. Relative paths were meant
/// from its working directory, not ours.
fn request_from_run_args(pid: i32, mut args: RunArgs) -> Result<LaunchRequest, FindError> {
    let cwd = fs::read_link(process::dir(pid).join("cwd"))
        .map_err(|err| FindError::Request(pid, format!("its working directory: {err}")))?;
    let from_cwd = |path: Option<PathBuf>| path.map(|p| cwd.join(p));
    args.root = from_cwd(args.root.take());
    let trace = from_cwd(args.trace.take());

    let spec = crate::cli::run::spec_from_args(args)
        .map_err(|err| FindError::Request(pid, format!("{err:#}")))?;
    let root_dir = matches!(spec.root, RootSpec::Rootfs).then(rootfs::default_dir);
    Ok(LaunchRequest {
        spec,
        root_dir,
        trace,
        parent: 0,
        label: "nslab".to_string(),
        term: None,
        lang: None,
    })
}

/// The host PID of the sandbox's first process: the launcher's only child.
pub fn first_process(launcher: i32) -> Option<i32> {
    process::children(launcher).first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_process_is_not_in_a_sandbox() {
        let me = std::process::id() as i32;
        assert!(!is_launcher(me));
        assert!(matches!(launcher_of(me), Err(FindError::NotInSandbox(_))));
    }

    #[test]
    fn a_run_command_line_gives_back_its_spec() {
        let args = Cli::try_parse_from(["nslab", "run", "--ns", "uts,pid", "--hostname", "b"]);
        let Some(Command::Run(args)) = args.unwrap().command else {
            panic!("not parsed as run");
        };
        let me = std::process::id() as i32;
        let request = request_from_run_args(me, args).unwrap();
        assert_eq!(request.spec.summary(), "uts,pid hostname=b");
    }

    #[test]
    fn a_missing_process_is_named_as_missing() {
        assert!(matches!(
            launcher_of(i32::MAX),
            Err(FindError::NoProcess(i32::MAX))
        ));
    }
}
