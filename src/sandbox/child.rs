//! The first process inside: finish the setup, then become the command.
//!
//! In the classic tutorial this is `child()`, the process that prints PID 1.

use std::ffi::CString;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;
use nix::unistd::{Pid, getpgrp, setpgid};

use crate::sandbox::LaunchRequest;
use crate::sandbox::kernel::RealKernel;
use crate::sandbox::launcher::SETUP_FAILED;
use crate::sandbox::plan::SetupPlan;
use crate::sandbox::process;
use crate::spec::RootSpec;

/// The search path inside the sandbox, whatever the host's is.
pub const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Sets up the inside and execs the command. Returns only on failure, with the exit status.
pub fn run(
    plan: &SetupPlan,
    request: &LaunchRequest,
    kernel: &mut RealKernel,
    launcher_alive: OwnedFd,
) -> i32 {
    // Die with the launcher. PID 1 of a PID namespace ignores signals it has no handler for,
    // but not SIGKILL sent from outside, and the death signal counts as sent from outside.
    if nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).is_err() || launcher_gone(&launcher_alive) {
        return SETUP_FAILED;
    }
    drop(launcher_alive);

    if let Err(err) = plan.child_setup(kernel) {
        eprintln!("nslab: cannot set up the sandbox: {err}");
        return SETUP_FAILED;
    }

    let argv = command_line(plan);
    let Some(program) = resolve(&argv[0]) else {
        eprintln!(
            "nslab: {}: command not found inside the sandbox (PATH={PATH}){}",
            argv[0],
            damaged_rootfs_hint(plan)
        );
        return 127;
    };
    let env = environment(request);

    take_terminal();
    kernel.note("exec", format!("{} as PID {}", argv.join(" "), Pid::this()));

    if let Err(err) = process::reset_for_exec() {
        eprintln!("nslab: cannot reset signals before exec: {err}");
        return SETUP_FAILED;
    }
    let Some((program, argv, env)) = to_c_strings(&program, &argv, &env) else {
        eprintln!("nslab: the command or its environment holds a NUL byte");
        return SETUP_FAILED;
    };
    let err = nix::unistd::execve(&program, &argv, &env).unwrap_err();
    let program = program.to_string_lossy();
    // The shells' convention: 127 when there is no such program, 126 when it cannot run.
    if err == nix::errno::Errno::ENOENT {
        eprintln!(
            "nslab: {program}: not found inside the sandbox{}",
            damaged_rootfs_hint(plan)
        );
        return 127;
    }
    eprintln!("nslab: cannot run {program}: {err}");
    126
}

/// A hint for a program missing from nslab's own root filesystem, which a learner may have
/// damaged in an earlier step (it is kept between runs).
fn damaged_rootfs_hint(plan: &SetupPlan) -> &'static str {
    if plan.spec.root == RootSpec::Rootfs {
        "; if it was there before, `nslab rootfs --rebuild` restores the root filesystem"
    } else {
        ""
    }
}

/// True when the launcher has already died (its end of the pipe is closed).
fn launcher_gone(read_end: &OwnedFd) -> bool {
    let mut fds = [PollFd::new(read_end.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(0) => false,
        _ => fds[0]
            .revents()
            .is_none_or(|events| events.contains(PollFlags::POLLHUP)),
    }
}

/// The command to run: the spec's, or an interactive shell found in the root in use.
fn command_line(plan: &SetupPlan) -> Vec<String> {
    if !plan.spec.command.is_empty() {
        return plan.spec.command.clone();
    }
    // bash reads no startup file with these flags, so nslab's prompt stays in place.
    if Path::new("/bin/bash").exists() {
        return vec!["/bin/bash".into(), "--norc".into(), "--noprofile".into()];
    }
    vec!["/bin/sh".into()]
}

/// Finds `program` in [`PATH`] inside the current root, as a shell would.
fn resolve(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    PATH.split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
}

/// The command's environment: a small known set, not whatever nslab was started with.
fn environment(request: &LaunchRequest) -> Vec<(String, String)> {
    let mut env = vec![
        ("PATH".to_string(), PATH.to_string()),
        ("HOME".to_string(), "/root".to_string()),
        (
            "TERM".to_string(),
            request.term.clone().unwrap_or_else(|| "dumb".into()),
        ),
        (
            "PS1".to_string(),
            format!("[{}] \\u@\\h:\\w\\$ ", request.label),
        ),
    ];
    if let Some(lang) = &request.lang {
        env.push(("LANG".to_string(), lang.clone()));
    }
    for (name, value) in &request.spec.env {
        env.retain(|(existing, _)| existing != name);
        env.push((name.clone(), value.clone()));
    }
    env
}

/// Puts the command in a process group of its own and, on a terminal, in the foreground, as
/// a shell does for a job. The command keeps the launcher's session and controlling terminal:
/// calling setsid here would cut it off from the terminal and break job control.
fn take_terminal() {
    let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
    let stdin = std::io::stdin();
    if nix::unistd::isatty(stdin.as_fd()).unwrap_or(false) {
        // SIGTTOU is still blocked (inherited from the launcher), so this cannot stop us.
        let _ = nix::unistd::tcsetpgrp(stdin.as_fd(), getpgrp());
    }
}

type CStrings = (CString, Vec<CString>, Vec<CString>);

fn to_c_strings(program: &Path, argv: &[String], env: &[(String, String)]) -> Option<CStrings> {
    let program = CString::new(program.as_os_str().as_encoded_bytes()).ok()?;
    let argv = argv
        .iter()
        .map(|arg| CString::new(arg.as_str()).ok())
        .collect::<Option<Vec<_>>>()?;
    let env = env
        .iter()
        .map(|(name, value)| CString::new(format!("{name}={value}")).ok())
        .collect::<Option<Vec<_>>>()?;
    Some((program, argv, env))
}
