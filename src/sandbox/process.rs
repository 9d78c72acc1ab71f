//! The only code in nslab that needs `unsafe`: fork, and the clean slate before exec.
//!
//! Everything else in the sandbox goes through nix's safe wrappers.
#![allow(unsafe_code)]

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::unistd::{ForkResult, Pid};

/// Which side of a fork we are on.
pub enum Forked {
    /// The original process, with the new child's PID as the parent sees it.
    Parent(Pid),
    /// The new process.
    Child,
}

/// Forks the calling process.
///
/// The launcher calls this while it is single-threaded (it never starts a thread), so the child
/// may go on running ordinary Rust code before it execs.
pub fn fork() -> nix::Result<Forked> {
    // SAFETY: the launcher is single-threaded when it forks, so no lock held by another thread
    // can be left locked in the child, and the child may allocate freely.
    match unsafe { nix::unistd::fork() }? {
        ForkResult::Parent { child } => Ok(Forked::Parent(child)),
        ForkResult::Child => Ok(Forked::Child),
    }
}

/// Gives the command the start a shell would give it: every signal at its default action,
/// no signal blocked, and no descriptor but 0, 1 and 2 left open across exec.
///
/// Rust programs ignore SIGPIPE and nslab's launcher blocks several signals; both would be
/// inherited across exec and make the shell behave oddly (a pipeline that never ends, a Ctrl-C
/// that does nothing).
pub fn reset_for_exec() -> nix::Result<()> {
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for signal in Signal::iterator() {
        if matches!(signal, Signal::SIGKILL | Signal::SIGSTOP) {
            continue;
        }
        // SAFETY: installing SIG_DFL runs no code of ours in a signal handler.
        unsafe { sigaction(signal, &default) }?;
    }

    SigSet::empty().thread_set_mask()?;

    // Mark every descriptor above 2 close-on-exec, however it was opened.
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags; it touches no memory.
    let result =
        unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as i32) };
    nix::errno::Errno::result(result).map(drop)
}
