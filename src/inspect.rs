//! The inspector: the kernel's view of a running sandbox, read from the host side.
//!
//! One [`snapshot`] reads everything the panels show: the sandbox's [pids], its [`/proc`](proc),
//! its [mounts] against the host side's, its [namespaces], the step as [code] and the setup
//! [trace]. The TUI draws a snapshot; `nslab inspect` prints it as text or JSON. Neither reads
//! `/proc` on its own, so both always agree.

pub mod cli;
pub mod code;
pub mod find;
pub mod mountinfo;
pub mod mounts;
pub mod namespaces;
pub mod pids;
pub mod proc;
pub mod process;
pub mod text;
pub mod trace;

use std::path::PathBuf;

use serde::Serialize;

use crate::rootfs;
use crate::spec::{IsolationSpec, RootSpec};

/// What to look at.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// The launcher's host PID, while the sandbox runs.
    pub launcher: Option<i32>,
    /// The step's isolation.
    pub spec: IsolationSpec,
    /// The previous step's isolation, to mark what changed in the code.
    pub previous: Option<IsolationSpec>,
    /// The sandbox's root directory on the host; found from the spec when not given.
    pub root_dir: Option<PathBuf>,
    /// The setup trace file.
    pub trace: Option<PathBuf>,
}

impl Target {
    /// The root directory on the host, resolving the default root filesystem.
    pub fn resolved_root_dir(&self) -> Option<PathBuf> {
        match &self.spec.root {
            RootSpec::Host => None,
            RootSpec::Rootfs => self
                .root_dir
                .clone()
                .or_else(|| Some(rootfs::default_dir())),
            RootSpec::Dir(dir) => Some(dir.clone()),
        }
    }
}

/// Everything the panels show, read in one go.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Snapshot {
    /// The step's isolation in one line.
    pub spec: String,
    /// The launcher's host PID.
    pub launcher: Option<i32>,
    /// The host PID of the sandbox's first process.
    pub first: Option<i32>,
    /// The PIDs panel.
    pub pids: pids::PidView,
    /// The /proc panel.
    pub proc: proc::ProcView,
    /// The mounts panel.
    pub mounts: mounts::MountView,
    /// The namespaces panel.
    pub namespaces: namespaces::NamespaceView,
    /// The code panel.
    pub code: code::CodeView,
    /// The setup trace panel.
    pub trace: trace::TraceView,
}

/// Reads the kernel's view of the sandbox. A sandbox that is gone, or a process that exits
/// halfway, gives a snapshot with less in it, never an error.
pub fn snapshot(target: &Target) -> Snapshot {
    let launcher = target.launcher;
    let first = launcher.and_then(find::first_process);
    let root_dir = target.resolved_root_dir();

    let namespaces = namespaces::collect(first, launcher, target.spec.hostname.as_deref());
    let own_pid_namespace = match namespaces.sharing("pid") {
        namespaces::Sharing::New => Some(true),
        namespaces::Sharing::Shared => Some(false),
        // Only mount namespaces are ever marked stand-in.
        namespaces::Sharing::StandIn | namespaces::Sharing::Unknown => None,
    };
    Snapshot {
        spec: target.spec.summary_here(),
        launcher,
        first,
        pids: launcher.map_or_else(pids::PidView::default, |l| {
            pids::collect(l, own_pid_namespace)
        }),
        proc: proc::collect(first),
        mounts: mounts::collect(first, launcher, root_dir.as_deref()),
        namespaces,
        code: code::collect(&target.spec, target.previous.as_ref(), root_dir),
        trace: trace::collect(target.trace.as_deref()),
    }
}
