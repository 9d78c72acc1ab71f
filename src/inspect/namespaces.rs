//! The namespaces panel: for each kind, the sandbox's namespace against the host's.
//!
//! `/proc/PID/ns/KIND` is a link whose target names the namespace, such as `uts:[4026532174]`;
//! two processes are in the same namespace exactly when the numbers (inode numbers of the nsfs
//! filesystem) are equal. The launcher is shown too: it unshares the uts, ipc, net, cgroup and
//! user namespaces itself, so it sits inside those, but it stays in the host's PID and mount
//! namespaces, since `CLONE_NEWPID` only moves its children and the first process inside
//! unshares the mount namespace.

use std::fs::File;

use serde::Serialize;

use crate::inspect::process;

/// Every kind the kernel lists under `/proc/PID/ns/`, in the order the panel shows them.
pub const KINDS: [&str; 8] = ["pid", "mnt", "uts", "net", "ipc", "user", "cgroup", "time"];

/// Whether the sandbox got its own namespace of one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sharing {
    /// A namespace of its own.
    New,
    /// The same namespace as the host.
    Shared,
    /// The mount namespace of the stand-in host: new to the real host, but shared with the
    /// launcher and the host pane, which is where the step's mounts are meant to show.
    #[serde(rename = "stand-in")]
    StandIn,
    /// One side could not be read.
    Unknown,
}

/// One kind of namespace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamespaceRow {
    /// `pid`, `mnt`, `uts`...
    pub kind: String,
    /// The sandbox's namespace id, from its first process.
    pub sandbox: Option<u64>,
    /// The launcher's namespace id.
    pub launcher: Option<u64>,
    /// The host's namespace id, from the inspecting process.
    pub host: Option<u64>,
    /// New or shared.
    pub sharing: Sharing,
}

/// The namespaces panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NamespaceView {
    /// One row per kind the kernel knows.
    pub rows: Vec<NamespaceRow>,
    /// The hostname inside the sandbox's UTS namespace.
    pub hostname_inside: Option<String>,
    /// How `hostname_inside` was found, or why it could not be.
    pub hostname_source: String,
    /// The host's hostname.
    pub hostname_host: Option<String>,
}

impl Sharing {
    /// How the panel and `inspect` spell it.
    pub fn label(self) -> &'static str {
        match self {
            Sharing::New => "new",
            Sharing::Shared => "shared",
            Sharing::StandIn => "stand-in",
            Sharing::Unknown => "unknown",
        }
    }
}

impl NamespaceView {
    /// The sharing of one kind, `Unknown` when it is not listed.
    pub fn sharing(&self, kind: &str) -> Sharing {
        self.rows
            .iter()
            .find(|row| row.kind == kind)
            .map_or(Sharing::Unknown, |row| row.sharing)
    }
}

/// Compares the namespaces of the sandbox's first process and the launcher with those of the
/// inspecting process. `set_hostname` is the spec's hostname, the fallback when the UTS
/// namespace cannot be entered.
pub fn collect(
    first: Option<i32>,
    launcher: Option<i32>,
    set_hostname: Option<&str>,
) -> NamespaceView {
    let me = std::process::id() as i32;
    let id =
        |pid: Option<i32>, kind: &str| pid.and_then(|pid| process::namespace_id(pid, kind).ok());

    let rows: Vec<NamespaceRow> = KINDS
        .iter()
        // A kernel without time namespaces (before 5.6) has no `time` link at all.
        .filter(|kind| id(Some(me), kind).is_some())
        .map(|kind| {
            let sandbox = id(first, kind);
            let host = id(Some(me), kind);
            let launcher = id(launcher, kind);
            let sharing = match (sandbox, host) {
                (Some(a), Some(b)) if a == b => Sharing::Shared,
                (Some(a), Some(_)) if *kind == "mnt" && launcher == Some(a) => Sharing::StandIn,
                (Some(_), Some(_)) => Sharing::New,
                _ => Sharing::Unknown,
            };
            NamespaceRow {
                kind: kind.to_string(),
                sandbox,
                launcher,
                host,
                sharing,
            }
        })
        .collect();

    let hostname_host = nix::unistd::gethostname()
        .ok()
        .map(|name| name.to_string_lossy().into_owned());
    let uts_shared = rows
        .iter()
        .any(|r| r.kind == "uts" && r.sharing == Sharing::Shared);
    let (hostname_inside, hostname_source) = match first {
        None => (None, "the sandbox is not running".to_string()),
        Some(_) if uts_shared => (
            hostname_host.clone(),
            "the host's UTS namespace: the same hostname".to_string(),
        ),
        Some(pid) => match hostname_in(pid) {
            Ok(name) => (Some(name), "read inside its UTS namespace".to_string()),
            Err(err) => (
                set_hostname.map(str::to_string),
                format!("as set at setup; the live name needs setns into the namespace: {err}"),
            ),
        },
    };

    NamespaceView {
        rows,
        hostname_inside,
        hostname_source,
        hostname_host,
    }
}

/// Reads the hostname of the UTS namespace that `pid` is in.
///
/// No file under `/proc` shows another UTS namespace's hostname: `/proc/sys/kernel/hostname`
/// answers for the namespace of the process *reading* it, wherever it is reached from. So a
/// short-lived thread joins the namespace with setns(2) and asks uname(2). Namespaces belong to
/// threads, so the rest of nslab is untouched and the thread ends with it. setns needs
/// CAP_SYS_ADMIN both here and in the namespace's owning user namespace: root has it, an
/// ordinary user does not, and then the caller falls back to the name set at setup.
pub fn hostname_in(pid: i32) -> Result<String, String> {
    let link = process::dir(pid).join("ns/uts");
    let file = File::open(&link).map_err(|err| format!("{}: {err}", link.display()))?;
    let reader = std::thread::spawn(move || {
        nix::sched::setns(&file, nix::sched::CloneFlags::CLONE_NEWUTS)
            .map_err(|errno| format!("setns: {}", errno.desc().to_lowercase()))?;
        nix::unistd::gethostname()
            .map(|name| name.to_string_lossy().into_owned())
            .map_err(|errno| format!("gethostname: {errno}"))
    });
    reader
        .join()
        .unwrap_or_else(|_| Err("the reading thread panicked".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_shares_every_namespace_with_itself() {
        let me = std::process::id() as i32;
        let view = collect(Some(me), Some(me), None);
        assert!(view.rows.len() >= 7, "{view:?}");
        assert!(view.rows.iter().all(|row| row.sharing == Sharing::Shared));
        assert_eq!(view.hostname_inside, view.hostname_host);
        assert_eq!(view.sharing("uts"), Sharing::Shared);
    }

    #[test]
    fn a_vanished_sandbox_is_unknown_not_an_error() {
        let view = collect(Some(i32::MAX), None, Some("box"));
        assert!(view.rows.iter().all(|row| row.sharing == Sharing::Unknown));
        assert_eq!(view.hostname_inside.as_deref(), Some("box"));
    }
}
