//! The launcher: the process on the host side that makes the namespaces and waits.
//!
//! nslab runs it by executing itself again (`/proc/self/exe __sandbox`) so that it starts
//! single-threaded and clean, whatever the TUI was doing: a user namespace cannot be created by
//! a process with more than one thread. The request arrives as JSON in an environment variable,
//! because portable-pty closes every inherited descriptor above 2.
//!
//! In the classic tutorial this is `run()`: the process with the high host PID.

use std::os::fd::AsFd;

use nix::sys::signal::{SigSet, Signal, kill};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{Pid, getgid, getpgrp, getppid, getuid};

use crate::sandbox::child;
use crate::sandbox::kernel::RealKernel;
use crate::sandbox::plan::SetupPlan;
use crate::sandbox::process::{self, Forked};
use crate::sandbox::reap;
use crate::sandbox::trace::{Phase, TraceWriter};
use crate::sandbox::{LaunchRequest, REQUEST_ENV};
use crate::spec::Namespace;

/// The exit status the launcher uses when the sandbox could not be set up, as `env(1)` and
/// container runtimes use 125 for their own failures.
pub const SETUP_FAILED: i32 = 125;

/// Runs the launcher started as `nslab __sandbox` and returns its exit status: the command's,
/// or 128+N for signal N.
pub fn main() -> i32 {
    let launched = read_request().and_then(|request| {
        // If nslab dies, even by SIGKILL, the kernel sends the launcher SIGTERM and the
        // launcher takes the sandbox down with it. The parent may be gone before this call.
        nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(|e| format!("prctl: {e}"))?;
        if getppid().as_raw() as u32 != request.parent {
            return Err("nslab exited before the sandbox started".to_string());
        }
        run(&request)
    });
    match launched {
        Ok(code) => code,
        Err(message) => {
            eprintln!("nslab: {message}");
            SETUP_FAILED
        }
    }
}

/// Sets up the sandbox, forks its first process and waits for it; returns the exit status.
///
/// The caller must be single-threaded. nslab's own launcher process is; `nslab run` may call
/// this directly too, which saves starting a second program.
pub fn run(request: &LaunchRequest) -> Result<i32, String> {
    // The launcher handles these signals synchronously with sigwait, like a shell waiting for
    // its foreground job: Ctrl-C and Ctrl-\ are for the command, not for the launcher.
    let watched = watched_signals();
    watched
        .thread_block()
        .map_err(|e| format!("sigprocmask: {e}"))?;

    // Orphans of the sandbox come to the launcher, so it can find and stop them at the end.
    nix::sys::prctl::set_child_subreaper(true).map_err(|e| format!("prctl: {e}"))?;

    let trace = match &request.trace {
        Some(path) => Some(
            TraceWriter::open(path)
                .map_err(|e| format!("cannot open the setup trace {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let mut kernel = RealKernel::new(Phase::Launcher, trace);
    let plan = SetupPlan::new(
        request.spec.clone(),
        request.root_dir.clone(),
        getuid(),
        getgid(),
    );
    plan.launcher_setup(&mut kernel)
        .map_err(|e| format!("cannot set up the sandbox: {e}"))?;

    // The child watches this pipe: when the launcher is gone, its write end closes.
    let (alive_read, alive_write) =
        nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;

    match process::fork().map_err(|e| format!("fork: {e}"))? {
        Forked::Child => {
            drop(alive_write);
            kernel.set_phase(Phase::Child);
            std::process::exit(child::run(&plan, request, &mut kernel, alive_read));
        }
        Forked::Parent(child) => {
            drop(alive_read);
            kernel.note(
                "fork",
                format!("the first process inside is PID {child} on the host"),
            );
            let code = wait_for(child, &watched, plan.spec.has(Namespace::Pid));
            kernel.note("exit", format!("the sandbox ended with status {code}"));
            restore_foreground();
            drop(alive_write);
            Ok(code)
        }
    }
}

fn read_request() -> Result<LaunchRequest, String> {
    let json = std::env::var(REQUEST_ENV)
        .map_err(|_| format!("{REQUEST_ENV} is not set: this subcommand is for nslab itself"))?;
    serde_json::from_str(&json).map_err(|e| format!("bad launch request: {e}"))
}

pub(crate) fn watched_signals() -> SigSet {
    let mut set = SigSet::empty();
    for signal in [
        Signal::SIGCHLD,
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGQUIT,
        Signal::SIGTTOU,
    ] {
        set.add(signal);
    }
    set
}

/// Waits until the first process inside exits or the launcher is told to stop, then makes sure
/// nothing of the sandbox is left.
pub(crate) fn wait_for(child: Pid, watched: &SigSet, pid_namespace: bool) -> i32 {
    loop {
        if let Some(code) = reap_until(child) {
            // When PID 1 of a PID namespace exits, the kernel kills every other process in
            // it before PID 1 can be reaped, so there is nothing left to look for. Without a
            // PID namespace, background jobs of the shell may still run.
            if !pid_namespace {
                reap::kill_descendants(Pid::this());
            }
            return code;
        }

        // SIGCHLD means go round and reap; SIGINT and SIGQUIT stay pending, harmlessly.
        if let Ok(signal @ (Signal::SIGTERM | Signal::SIGHUP)) = watched.wait() {
            // Killing PID 1 of a PID namespace kills every process in it. Reaping it here,
            // rather than leaving the zombie to the host's init, means that once the launcher
            // has exited, the sandbox is gone.
            let _ = kill(child, Signal::SIGKILL);
            let _ = waitpid(child, None);
            reap::kill_descendants(Pid::this());
            return 128 + signal as i32;
        }
    }
}

/// Reaps every exited child; returns the status of `child` once it has exited.
fn reap_until(child: Pid) -> Option<i32> {
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(pid, code)) if pid == child => return Some(code),
            Ok(WaitStatus::Signaled(pid, signal, _)) if pid == child => {
                return Some(128 + signal as i32);
            }
            Ok(WaitStatus::StillAlive) | Err(_) => return None,
            // An orphan of the sandbox, reparented to the launcher.
            Ok(_) => continue,
        }
    }
}

/// Takes the terminal's foreground back after the command, as a shell does after a job, so
/// that the program that started nslab can read from it again.
pub(crate) fn restore_foreground() {
    let stdin = std::io::stdin();
    if !nix::unistd::isatty(stdin.as_fd()).unwrap_or(false) {
        return;
    }
    // SIGTTOU is blocked, so this works even from the background.
    let _ = nix::unistd::tcsetpgrp(stdin.as_fd(), getpgrp());
}
