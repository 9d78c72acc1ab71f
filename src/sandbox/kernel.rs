//! The privileged calls a sandbox makes, as data.
//!
//! Every call that changes the kernel's view for the sandbox (unshare, mount, pivot_root,
//! sethostname, writing a uid map...) is a [`Call`] value passed to a [`Kernel`]. The real kernel
//! makes the syscall and writes each call and its result to the setup trace; the recording kernel
//! used in tests only remembers the calls. That is how the order of the setup steps, which is
//! the whole lesson, is tested without root.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use nix::sched::CloneFlags;

use crate::sandbox::trace::{Phase, TraceEvent, TraceWriter};

/// One privileged call, with its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `unshare(2)`: move the caller into new namespaces.
    Unshare(CloneFlags),
    /// Write a small file such as `/proc/self/uid_map`.
    WriteFile { path: PathBuf, contents: String },
    /// `mount(2)`, including bind mounts and propagation changes.
    Mount {
        source: Option<String>,
        target: PathBuf,
        fstype: Option<String>,
        flags: MsFlags,
    },
    /// `umount2(2)`.
    Umount { target: PathBuf, flags: MntFlags },
    /// `sethostname(2)`.
    SetHostname(String),
    /// `chroot(2)`.
    Chroot(PathBuf),
    /// `chdir(2)`.
    Chdir(PathBuf),
    /// `pivot_root(2)`.
    PivotRoot { new_root: PathBuf, put_old: PathBuf },
    /// `mkdir(2)` of a missing mount point, mode 0555.
    Mkdir(PathBuf),
}

impl Call {
    /// The syscall's name, as the trace and the setup panel show it.
    pub fn name(&self) -> &'static str {
        match self {
            Call::Unshare(_) => "unshare",
            Call::WriteFile { .. } => "write",
            Call::Mount { .. } => "mount",
            Call::Umount { .. } => "umount2",
            Call::SetHostname(_) => "sethostname",
            Call::Chroot(_) => "chroot",
            Call::Chdir(_) => "chdir",
            Call::PivotRoot { .. } => "pivot_root",
            Call::Mkdir(_) => "mkdir",
        }
    }
}

/// Formats a call the way a C programmer would write it, for the trace and the lessons.
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = |text: &Option<String>| match text {
            Some(text) => format!("{text:?}"),
            None => "NULL".to_string(),
        };
        match self {
            Call::Unshare(flags) => write!(f, "unshare({})", clone_flag_names(*flags)),
            Call::WriteFile { path, contents } => {
                write!(f, "write({:?}, {:?})", path.display().to_string(), contents)
            }
            Call::Mount {
                source,
                target,
                fstype,
                flags,
            } => write!(
                f,
                "mount({}, {:?}, {}, {})",
                quoted(source),
                target.display().to_string(),
                quoted(fstype),
                mount_flag_names(*flags)
            ),
            Call::Umount { target, flags } => {
                let flags = if flags.contains(MntFlags::MNT_DETACH) {
                    "MNT_DETACH"
                } else {
                    "0"
                };
                write!(f, "umount2({:?}, {flags})", target.display().to_string())
            }
            Call::SetHostname(name) => write!(f, "sethostname({name:?})"),
            Call::Chroot(path) => write!(f, "chroot({:?})", path.display().to_string()),
            Call::Chdir(path) => write!(f, "chdir({:?})", path.display().to_string()),
            Call::PivotRoot { new_root, put_old } => write!(
                f,
                "pivot_root({:?}, {:?})",
                new_root.display().to_string(),
                put_old.display().to_string()
            ),
            Call::Mkdir(path) => write!(f, "mkdir({:?}, 0555)", path.display().to_string()),
        }
    }
}

/// `CLONE_NEWUTS | CLONE_NEWPID`, in the order the flags are listed in clone(2).
pub fn clone_flag_names(flags: CloneFlags) -> String {
    const NAMES: [(CloneFlags, &str); 7] = [
        (CloneFlags::CLONE_NEWUSER, "CLONE_NEWUSER"),
        (CloneFlags::CLONE_NEWNS, "CLONE_NEWNS"),
        (CloneFlags::CLONE_NEWUTS, "CLONE_NEWUTS"),
        (CloneFlags::CLONE_NEWIPC, "CLONE_NEWIPC"),
        (CloneFlags::CLONE_NEWPID, "CLONE_NEWPID"),
        (CloneFlags::CLONE_NEWNET, "CLONE_NEWNET"),
        (CloneFlags::CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
    ];
    join_flags(
        NAMES
            .iter()
            .filter(|(flag, _)| flags.contains(*flag))
            .map(|(_, name)| *name),
    )
}

/// `MS_REC | MS_PRIVATE`, or `0`.
pub fn mount_flag_names(flags: MsFlags) -> String {
    const NAMES: [(MsFlags, &str); 9] = [
        (MsFlags::MS_BIND, "MS_BIND"),
        (MsFlags::MS_REC, "MS_REC"),
        (MsFlags::MS_PRIVATE, "MS_PRIVATE"),
        (MsFlags::MS_SLAVE, "MS_SLAVE"),
        (MsFlags::MS_SHARED, "MS_SHARED"),
        (MsFlags::MS_NOSUID, "MS_NOSUID"),
        (MsFlags::MS_NODEV, "MS_NODEV"),
        (MsFlags::MS_NOEXEC, "MS_NOEXEC"),
        (MsFlags::MS_RDONLY, "MS_RDONLY"),
    ];
    join_flags(
        NAMES
            .iter()
            .filter(|(flag, _)| flags.contains(*flag))
            .map(|(_, name)| *name),
    )
}

fn join_flags<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let joined = names.collect::<Vec<_>>().join(" | ");
    if joined.is_empty() {
        "0".to_string()
    } else {
        joined
    }
}

/// Something that carries out privileged calls.
pub trait Kernel {
    /// Makes the call, or pretends to.
    fn apply(&mut self, call: &Call) -> Result<(), Errno>;
}

/// A privileged call that the kernel refused.
#[derive(Debug, thiserror::Error)]
#[error("{call} failed: {errno:?}: {}", crate::sandbox::explain::why(.call, *.errno))]
pub struct SetupError {
    /// The call, with its arguments.
    pub call: Call,
    /// The kernel's answer.
    pub errno: Errno,
}

/// Makes a call through `kernel`, turning a refusal into a [`SetupError`].
pub fn make(kernel: &mut dyn Kernel, call: Call) -> Result<(), SetupError> {
    kernel
        .apply(&call)
        .map_err(|errno| SetupError { call, errno })
}

/// The real kernel: each call is a syscall, recorded in the setup trace when there is one.
pub struct RealKernel {
    phase: Phase,
    trace: Option<TraceWriter>,
}

impl RealKernel {
    /// A kernel whose calls are traced as part of `phase`.
    pub fn new(phase: Phase, trace: Option<TraceWriter>) -> RealKernel {
        RealKernel { phase, trace }
    }

    /// Switches to another phase after a fork, keeping the trace.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }

    /// Records an event that is not a privileged call, such as the fork.
    pub fn note(&mut self, call: &str, detail: String) {
        if let Some(trace) = &mut self.trace {
            trace.record(&TraceEvent::note(self.phase, call, detail));
        }
    }

    /// The trace, to hand to the next phase.
    pub fn trace(&mut self) -> Option<&mut TraceWriter> {
        self.trace.as_mut()
    }

    fn syscall(call: &Call) -> Result<(), Errno> {
        match call {
            Call::Unshare(flags) => nix::sched::unshare(*flags),
            Call::WriteFile { path, contents } => {
                // uid_map and friends must be written in one write(2) call.
                let mut file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io_errno)?;
                file.write_all(contents.as_bytes()).map_err(io_errno)
            }
            Call::Mount {
                source,
                target,
                fstype,
                flags,
            } => nix::mount::mount(
                source.as_deref(),
                target.as_path(),
                fstype.as_deref(),
                *flags,
                None::<&str>,
            ),
            Call::Umount { target, flags } => nix::mount::umount2(target.as_path(), *flags),
            Call::SetHostname(name) => nix::unistd::sethostname(name),
            Call::Chroot(path) => nix::unistd::chroot(path.as_path()),
            Call::Chdir(path) => nix::unistd::chdir(path.as_path()),
            Call::PivotRoot { new_root, put_old } => {
                nix::unistd::pivot_root(new_root.as_path(), put_old.as_path())
            }
            Call::Mkdir(path) => nix::unistd::mkdir(
                path.as_path(),
                nix::sys::stat::Mode::from_bits_truncate(0o555),
            ),
        }
    }
}

impl Kernel for RealKernel {
    fn apply(&mut self, call: &Call) -> Result<(), Errno> {
        let result = RealKernel::syscall(call);
        tracing::debug!(phase = ?self.phase, %call, ?result, "setup call");
        if let Some(trace) = &mut self.trace {
            trace.record(&TraceEvent::call(self.phase, call, result));
        }
        result
    }
}

/// Turns an I/O error from the standard library back into the errno the kernel returned.
pub fn io_errno(err: std::io::Error) -> Errno {
    err.raw_os_error().map_or(Errno::EIO, Errno::from_raw)
}

/// A kernel that makes no call and remembers each one, for tests of the setup order.
#[derive(Default)]
pub struct RecordingKernel {
    /// Every call so far, formatted as [`Call`]'s `Display` does.
    pub calls: Vec<String>,
    /// A call name (such as `"pivot_root"`) that fails with this errno, to test error paths.
    pub fail: Option<(&'static str, Errno)>,
}

impl Kernel for RecordingKernel {
    fn apply(&mut self, call: &Call) -> Result<(), Errno> {
        self.calls.push(call.to_string());
        match self.fail {
            Some((name, errno)) if name == call.name() => Err(errno),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_read_like_c() {
        let call = Call::Mount {
            source: None,
            target: "/".into(),
            fstype: None,
            flags: MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        };
        assert_eq!(
            call.to_string(),
            r#"mount(NULL, "/", NULL, MS_REC | MS_PRIVATE)"#
        );
        let flags = CloneFlags::CLONE_NEWPID | CloneFlags::CLONE_NEWUTS;
        assert_eq!(
            Call::Unshare(flags).to_string(),
            "unshare(CLONE_NEWUTS | CLONE_NEWPID)"
        );
    }

    #[test]
    fn recording_kernel_fails_the_named_call_only() {
        let mut kernel = RecordingKernel {
            fail: Some(("chroot", Errno::EPERM)),
            ..RecordingKernel::default()
        };
        assert!(make(&mut kernel, Call::Chdir("/".into())).is_ok());
        let err = make(&mut kernel, Call::Chroot("/x".into())).unwrap_err();
        assert_eq!(err.errno, Errno::EPERM);
        assert!(
            err.to_string().starts_with(r#"chroot("/x") failed: EPERM"#),
            "{err}"
        );
    }
}
