//! The only code in nslab that needs `unsafe`: fork, and the clean slate before exec.
//!
//! Everything else in the sandbox goes through nix's safe wrappers.
#![allow(unsafe_code)]

use nix::sys::signal::SigSet;
use nix::unistd::{ForkResult, Pid};

/// The kernel's `struct sigaction` (not libc's), as rt_sigaction(2) takes it on Linux.
#[repr(C)]
struct KernelSigaction {
    handler: libc::sighandler_t,
    flags: libc::c_ulong,
    restorer: libc::c_ulong,
    mask: u64,
}

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
    // glibc's sigaction refuses signals 32 and 33, which it keeps for itself, yet they can
    // arrive ignored, so the kernel's rt_sigaction is called directly for every signal.
    let default = KernelSigaction {
        handler: libc::SIG_DFL,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    for signal in 1..=libc::SIGRTMAX() {
        if signal == libc::SIGKILL || signal == libc::SIGSTOP {
            continue;
        }
        // SAFETY: `default` is a valid kernel_sigaction that installs SIG_DFL, so no code of
        // ours runs in a signal handler; the old action is not asked for.
        let result = unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                signal,
                &default as *const KernelSigaction,
                std::ptr::null_mut::<KernelSigaction>(),
                std::mem::size_of::<u64>(),
            )
        };
        nix::errno::Errno::result(result)?;
    }

    SigSet::empty().thread_set_mask()?;

    // Mark every descriptor above 2 close-on-exec, however it was opened.
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only sets flags; it touches no memory.
    let result =
        unsafe { libc::close_range(3, libc::c_uint::MAX, libc::CLOSE_RANGE_CLOEXEC as i32) };
    nix::errno::Errno::result(result).map(drop)
}
