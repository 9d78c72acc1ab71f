//! The sandbox engine: run a command under exactly the isolation a spec asks for.
//!
//! Two processes do the work, as in the classic "containers from scratch" tutorial:
//!
//! - the [launcher] (the tutorial's `run()`), which nslab starts by executing itself again with
//!   a hidden subcommand. It unshares the namespaces, forks, stays on the host side and waits;
//! - the [child] (the tutorial's `child()`), PID 1 of the new PID namespace, which enters its
//!   mount namespace, sets the hostname, changes root, mounts proc and execs the command.
//!
//! Every privileged call goes through [`kernel::Kernel`], so [`plan`] can be tested without
//! root, and is written to a [`trace`] that the setup panel shows.

pub mod child;
pub mod explain;
pub mod host;
pub mod kernel;
pub mod launcher;
pub mod mount;
pub mod plan;
pub mod proc;
pub mod process;
pub mod reap;
pub mod root;
pub mod trace;
pub mod user;
pub mod uts;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::rootfs;
use crate::spec::{IsolationSpec, RootSpec, SpecError};

/// The hidden subcommand that turns nslab into a launcher.
pub const LAUNCHER_ARG: &str = "__sandbox";

/// The environment variable that carries the [`LaunchRequest`] to the launcher.
pub const REQUEST_ENV: &str = "NSLAB_LAUNCH";

/// Everything the launcher needs, sent to it as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchRequest {
    /// The step's isolation.
    pub spec: IsolationSpec,
    /// The default root filesystem's directory, when the spec uses it.
    pub root_dir: Option<PathBuf>,
    /// Where to write the setup trace.
    pub trace: Option<PathBuf>,
    /// The PID of the nslab process that starts the launcher: if it is gone by the time the
    /// launcher runs, the launcher does nothing.
    pub parent: u32,
    /// Shown in the shell prompt, such as `nslab` or a step id.
    pub label: String,
    /// `TERM` for the command.
    pub term: Option<String>,
    /// `LANG` for the command.
    pub lang: Option<String>,
}

/// Why a sandbox could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("invalid isolation: {0}")]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Rootfs(#[from] rootfs::RootfsError),
    #[error("cannot find nslab's own executable to start the launcher: {0}")]
    OwnExecutable(std::io::Error),
}

impl LaunchRequest {
    /// Checks `spec` and prepares a request for it, building the default root filesystem
    /// first if the spec uses it and it is not there yet.
    pub fn new(spec: IsolationSpec) -> Result<LaunchRequest, LaunchError> {
        spec.validate()?;
        let root_dir = match spec.root {
            RootSpec::Rootfs => Some(rootfs::ensure()?),
            _ => None,
        };
        Ok(LaunchRequest {
            spec,
            root_dir,
            trace: None,
            parent: std::process::id(),
            label: "nslab".to_string(),
            term: std::env::var("TERM").ok(),
            lang: std::env::var("LANG").ok(),
        })
    }

    /// Asks the launcher to write its setup trace to `path`.
    pub fn with_trace(mut self, path: &Path) -> LaunchRequest {
        self.trace = Some(path.to_path_buf());
        self
    }

    /// Sets the label shown in the shell prompt.
    pub fn with_label(mut self, label: &str) -> LaunchRequest {
        self.label = label.to_string();
        self
    }

    /// A command that starts the launcher with the caller's stdio.
    ///
    /// Spawn it from a thread that lives as long as the sandbox should: the launcher's parent
    /// death signal fires when the spawning *thread* ends.
    pub fn command(&self) -> Result<std::process::Command, LaunchError> {
        let mut command = std::process::Command::new(own_executable()?);
        command.arg(LAUNCHER_ARG).env(REQUEST_ENV, self.to_json());
        Ok(command)
    }

    /// The same command, for a pseudo-terminal.
    pub fn pty_command(&self) -> Result<portable_pty::CommandBuilder, LaunchError> {
        let mut command = portable_pty::CommandBuilder::new(own_executable()?);
        command.arg(LAUNCHER_ARG);
        command.env(REQUEST_ENV, self.to_json());
        Ok(command)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a launch request always serialises")
    }
}

fn own_executable() -> Result<PathBuf, LaunchError> {
    std::env::current_exe().map_err(LaunchError::OwnExecutable)
}
