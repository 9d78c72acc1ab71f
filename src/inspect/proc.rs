//! The /proc panel: what `/proc` holds inside the sandbox, against the host's.
//!
//! `ps`, `top` and `mount` read `/proc`, so what they show inside depends on what is mounted
//! there: nothing (a fresh root has an empty directory), the host's proc, or a proc mounted
//! for the sandbox's own PID namespace. The inside is read through `/proc/PID/root/proc`,
//! which follows the sandbox's root and its mount namespace.

use std::fs;
use std::path::Path;

use serde::Serialize;

/// How many PIDs and other names a listing keeps for display.
const SAMPLE: usize = 40;

/// What one `/proc` directory holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProcListing {
    /// Why it could not be listed, such as `permission denied`.
    pub error: Option<String>,
    /// How many entries are process directories (all digits).
    pub pid_count: usize,
    /// The lowest PIDs, in numeric order.
    pub pids: Vec<i32>,
    /// How many other entries there are (`self`, `mounts`, `sys`...).
    pub other_count: usize,
    /// The first other entries, in name order.
    pub others: Vec<String>,
}

impl ProcListing {
    /// True when the directory could be read and has nothing in it.
    pub fn is_empty(&self) -> bool {
        self.error.is_none() && self.pid_count == 0 && self.other_count == 0
    }
}

/// What a `/proc` inside the sandbox is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcKind {
    /// The sandbox is not running, or its root cannot be read.
    #[default]
    Unknown,
    /// An empty directory: nothing is mounted on it.
    Empty,
    /// A proc showing the host's processes.
    Host,
    /// A proc of the sandbox's own PID namespace.
    Sandbox,
}

/// The /proc panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProcView {
    /// `/proc` inside the sandbox.
    pub inside: ProcListing,
    /// `/proc` on the host.
    pub host: ProcListing,
    /// What the inside is.
    pub kind: ProcKind,
    /// What that means for `ps` and `mount` inside, in plain words.
    pub reason: String,
}

/// Compares the sandbox's `/proc` with the host's. `first` is the host PID of the sandbox's
/// first process.
pub fn collect(first: Option<i32>) -> ProcView {
    let host = list(Path::new("/proc"));
    let Some(first) = first else {
        return ProcView {
            host,
            reason: "the sandbox is not running".to_string(),
            ..ProcView::default()
        };
    };

    let inside_dir = format!("/proc/{first}/root/proc");
    let inside = list(Path::new(&inside_dir));
    let lists_host_pid = first != 1 && Path::new(&format!("{inside_dir}/{first}")).exists();
    let kind = classify(&inside, lists_host_pid);
    let reason = match kind {
        ProcKind::Unknown => format!(
            "cannot list /proc inside: {}",
            inside.error.as_deref().unwrap_or("unknown error")
        ),
        ProcKind::Empty => "/proc inside is an empty directory: no proc filesystem is mounted \
             there, so `ps` finds no processes and `mount` fails (it reads /proc/mounts)"
            .to_string(),
        ProcKind::Host => "/proc inside is a proc of the host's PID namespace: `ps` inside \
             lists every host process, with host PIDs"
            .to_string(),
        ProcKind::Sandbox => "/proc inside is a fresh proc of the sandbox's PID namespace: `ps` \
             inside lists only the sandbox's processes, numbered from 1"
            .to_string(),
    };
    ProcView {
        inside,
        host,
        kind,
        reason,
    }
}

/// Decides what a `/proc` inside is. A proc filesystem shows the PID namespace of whoever
/// mounted it (pid_namespaces(7)): if it has a directory for the first process under its
/// host PID, it belongs to the host's namespace (or one above the sandbox's).
pub fn classify(inside: &ProcListing, lists_host_pid: bool) -> ProcKind {
    if inside.error.is_some() {
        return ProcKind::Unknown;
    }
    if inside.is_empty() {
        return ProcKind::Empty;
    }
    if lists_host_pid {
        ProcKind::Host
    } else {
        ProcKind::Sandbox
    }
}

/// Lists a `/proc` directory, keeping a sample of its names.
pub fn list(dir: &Path) -> ProcListing {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            return ProcListing {
                error: Some(err.to_string()),
                ..ProcListing::default()
            };
        }
    };

    let mut pids = Vec::new();
    let mut others = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        match name.parse::<i32>() {
            Ok(pid) => pids.push(pid),
            Err(_) => others.push(name),
        }
    }
    pids.sort_unstable();
    others.sort();
    ProcListing {
        error: None,
        pid_count: pids.len(),
        other_count: others.len(),
        pids: pids.into_iter().take(SAMPLE).collect(),
        others: others.into_iter().take(SAMPLE).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(pids: &[i32], others: usize) -> ProcListing {
        ProcListing {
            pid_count: pids.len(),
            pids: pids.to_vec(),
            other_count: others,
            ..ProcListing::default()
        }
    }

    #[test]
    fn an_empty_directory_is_empty_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let inside = list(dir.path());
        assert!(inside.is_empty());
        assert_eq!(classify(&inside, false), ProcKind::Empty);
    }

    #[test]
    fn a_proc_listing_the_first_process_by_host_pid_is_the_hosts() {
        assert_eq!(classify(&listing(&[1, 2, 4242], 60), true), ProcKind::Host);
        assert_eq!(classify(&listing(&[1, 5], 60), false), ProcKind::Sandbox);
    }

    #[test]
    fn an_unreadable_root_is_unknown() {
        let inside = list(Path::new("/proc/2147483647/root/proc"));
        assert!(inside.error.is_some());
        assert_eq!(classify(&inside, false), ProcKind::Unknown);
    }

    #[test]
    fn the_hosts_proc_has_this_process() {
        let host = list(Path::new("/proc"));
        assert!(host.pid_count > 0);
        assert!(host.other_count > 0);
    }
}
