//! The command line: `nslab` opens the first course; subcommands do one thing each.

pub mod rootfs;
pub mod run;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Learn how Linux containers isolate a process, one namespace at a time, in a real shell.
#[derive(Debug, Parser)]
#[command(name = "nslab", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Start the course over instead of resuming where you left off.
    #[arg(long)]
    pub fresh: bool,

    #[command(flatten)]
    pub lessons: LessonDirs,
}

/// Where lessons come from besides the shipped ones and the config directory. Only the
/// commands that read lessons take it, so that it does not clutter the others' help.
#[derive(Clone, Debug, Default, Args)]
pub struct LessonDirs {
    /// Also read lessons from this directory (may be repeated).
    #[arg(long = "lessons", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
}

impl LessonDirs {
    /// These directories followed by `more`'s.
    pub fn and(&self, more: &LessonDirs) -> Vec<PathBuf> {
        self.dirs.iter().chain(&more.dirs).cloned().collect()
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open a lesson in the terminal UI, beside a live sandboxed shell.
    Learn(LearnArgs),
    /// Run a command under the isolation you ask for, like unshare(1).
    Run(RunArgs),
    /// Build (or rebuild) the small root filesystem that lessons chroot into.
    Rootfs(RootfsArgs),
    /// Show what this machine allows: root, namespaces, user namespaces, cgroups.
    Doctor,
    /// List the lessons and their steps.
    Lessons(LessonDirs),
    /// Validate lesson files (default: the shipped ones).
    Check(CheckArgs),
    /// Prove a lesson's claims on this kernel: start each step's sandbox and run its checks.
    Verify(VerifyArgs),
    /// Show the kernel's view of a running sandbox: PIDs, /proc, mounts, namespaces.
    Inspect(InspectArgs),
    /// Internal: the launcher that nslab starts to make a sandbox.
    #[command(name = "__sandbox", hide = true)]
    Launcher,
    /// Internal: try to create one namespace, for `nslab doctor`.
    #[command(name = "__probe", hide = true)]
    Probe { namespace: String },
}

/// Without a subcommand, nslab opens the lessons.
impl Default for Command {
    fn default() -> Command {
        Command::Learn(LearnArgs::default())
    }
}

#[derive(Debug, Default, Args)]
pub struct LearnArgs {
    /// The lesson id, such as containers-from-scratch.
    pub lesson: Option<String>,
    /// The step id to open at.
    #[arg(long)]
    pub step: Option<String>,
    /// Start the course over instead of resuming where you left off.
    #[arg(long)]
    pub fresh: bool,
    #[command(flatten)]
    pub lessons: LessonDirs,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Namespaces to create, as a comma list of uts,pid,mnt,ipc,net,user,cgroup.
    #[arg(long = "ns", value_name = "LIST", default_value = "")]
    pub namespaces: String,
    /// Hostname inside (needs uts).
    #[arg(long)]
    pub hostname: Option<String>,
    /// Mount a fresh proc on /proc of the root in use.
    #[arg(long)]
    pub proc: bool,
    /// Use this directory as the root filesystem.
    #[arg(long, value_name = "DIR", conflicts_with = "rootfs")]
    pub root: Option<PathBuf>,
    /// Use nslab's default root filesystem (built on first use).
    #[arg(long)]
    pub rootfs: bool,
    /// Enter the root with pivot_root instead of chroot (needs mnt).
    #[arg(long)]
    pub pivot: bool,
    /// Propagation of / in the new mount namespace: private, slave or shared.
    #[arg(long, value_name = "TYPE")]
    pub propagation: Option<String>,
    /// Write the setup trace (one JSON object per call) to this file.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// The command and its arguments (default: an interactive shell).
    #[arg(trailing_var_arg = true)]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RootfsArgs {
    /// Build it again even if it exists.
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Lesson files or directories.
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The lesson id (default: every lesson).
    pub lesson: Option<String>,
    /// Only this step.
    #[arg(long)]
    pub step: Option<String>,
    #[command(flatten)]
    pub lessons: LessonDirs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The host PID of any process of the sandbox (default: this user's newest sandbox).
    #[arg(long)]
    pub pid: Option<i32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}
