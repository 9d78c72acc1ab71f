//! Kernel facts about a live sandbox, read from the host side through `/proc`.
//!
//! Everything here looks from outside, as `nsenter`-free tools do: `/proc/PID/status` for the
//! PIDs a process has in each PID namespace (the `NSpid` line, see proc(5)), the links in
//! `/proc/PID/ns/` whose inode numbers name namespaces (two processes share a namespace exactly
//! when the numbers match), `/proc/PID/root` for the directory a process sees as `/`, and
//! `/proc/PID/mountinfo` for a mount table.
//!
//! "The host side" of a sandbox is its launcher: the launcher never leaves the host's mount
//! namespace, except when a step would mount something onto the host, in which case nslab
//! gives the launcher a throwaway copy of the host's mount table to stand in for it.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use procfs::process::Process;

use crate::lesson::Fact;

/// What the host looked like before the sandbox started.
#[derive(Clone, Debug)]
pub struct Baseline {
    hostname: String,
    mounts: BTreeMap<(PathBuf, String), usize>,
}

/// The outcome of looking at one fact: whether it holds, and what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// Whether the fact holds.
    pub holds: bool,
    /// What was seen, in words, for the report.
    pub seen: String,
}

/// The two host PIDs that describe a sandbox.
#[derive(Clone, Copy, Debug)]
pub struct SandboxPids {
    /// The launcher, on the host side.
    pub launcher: u32,
    /// The sandbox's first process.
    pub first: u32,
}

impl Baseline {
    /// Records the host's hostname and mount table (of the mount namespace nslab runs in).
    pub fn take() -> Baseline {
        Baseline {
            hostname: host_hostname(),
            mounts: mount_counts(std::process::id()).unwrap_or_default(),
        }
    }

    /// Mounts in nslab's own mount namespace that were not there at the baseline: after a
    /// step this must be empty, whatever the step did.
    pub fn mounts_gained_by_real_host(&self) -> Vec<String> {
        match mount_counts(std::process::id()) {
            Some(now) => gained(&self.mounts, &now),
            None => vec!["(cannot read /proc/self/mountinfo)".to_string()],
        }
    }
}

/// Looks at one fact about the sandbox.
pub fn observe(fact: Fact, pids: SandboxPids, baseline: &Baseline) -> Observation {
    let first = pids.first;
    match fact {
        Fact::NewNamespace(ns) | Fact::SharedNamespace(ns) => {
            let inside = ns_link(&format!("/proc/{first}/ns/{}", ns.proc_name()));
            let host = ns_link(&format!("/proc/self/ns/{}", ns.proc_name()));
            let new = inside != host;
            let seen = format!("sandbox {inside}, host {host}");
            Observation::new(new == matches!(fact, Fact::NewNamespace(_)), seen)
        }
        Fact::PidOne | Fact::SamePids => {
            let inner = nspid(first);
            let outer = nspid(pids.launcher);
            let seen = format!(
                "launcher PID {} (NSpid {outer:?}), first process PID {first} (NSpid {inner:?})",
                pids.launcher
            );
            let nested = inner.len() == outer.len() + 1 && inner.last() == Some(&1);
            let same = !outer.is_empty() && inner.len() == outer.len();
            let holds = match fact {
                Fact::PidOne => nested && pids.launcher > 1 && first > 1,
                _ => same,
            };
            Observation::new(holds, seen)
        }
        Fact::SameRoot | Fact::NewRoot => {
            let root = format!("/proc/{first}/root");
            let same =
                file_id(Path::new(&root)).is_some_and(|id| Some(id) == file_id(Path::new("/")));
            let seen = std::fs::read_link(&root).map_or_else(
                |e| format!("{root}: {e}"),
                |to| format!("/ is {}", to.display()),
            );
            Observation::new(same == (fact == Fact::SameRoot), seen)
        }
        Fact::EmptyProc => {
            let entries = proc_entries(first);
            let seen = match entries.len() {
                0 => "no entries".to_string(),
                n => format!(
                    "{n} entries: {}",
                    entries
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            };
            Observation::new(entries.is_empty(), seen)
        }
        Fact::OwnProc => {
            let inside = start_time(&format!("/proc/{first}/root/proc/1"));
            let actual = start_time(&format!("/proc/{first}"));
            let seen = format!("PID 1 inside started at {inside:?}, the shell at {actual:?}");
            Observation::new(inside.is_some() && inside == actual, seen)
        }
        Fact::HostProc => {
            let me = std::process::id();
            let inside = start_time(&format!("/proc/{first}/root/proc/{me}"));
            let actual = start_time("/proc/self");
            let seen = format!("nslab (host PID {me}) inside: {}", describe_found(inside));
            Observation::new(inside.is_some() && inside == actual, seen)
        }
        Fact::HostHostnameUnchanged => {
            let now = host_hostname();
            let seen = format!("before '{}', now '{now}'", baseline.hostname);
            Observation::new(now == baseline.hostname, seen)
        }
        Fact::HostMountsUnchanged | Fact::HostMountsGainProc => {
            let Some(now) = mount_counts(pids.launcher) else {
                let seen = format!("cannot read /proc/{}/mountinfo", pids.launcher);
                return Observation::new(false, seen);
            };
            let new = gained(&baseline.mounts, &now);
            let seen = if new.is_empty() {
                "nothing new".to_string()
            } else {
                new.join(", ")
            };
            let holds = match fact {
                Fact::HostMountsUnchanged => new.is_empty(),
                _ => new.iter().any(|mount| mount.starts_with("proc ")),
            };
            Observation::new(holds, seen)
        }
        Fact::HostRootMounted | Fact::HostRootGone => host_root(pids, fact),
    }
}

impl Observation {
    fn new(holds: bool, seen: String) -> Observation {
        Observation { holds, seen }
    }
}

/// A chrooted process's own mountinfo omits every mount outside its root, so the host's `/`
/// is looked for in two places: is the sandbox still in the host side's mount namespace, and
/// does its own table (after pivot_root, a table whose `/` is the new root) hold the host's
/// root filesystem anywhere?
fn host_root(pids: SandboxPids, fact: Fact) -> Observation {
    let same_ns = ns_link(&format!("/proc/{}/ns/mnt", pids.first))
        == ns_link(&format!("/proc/{}/ns/mnt", pids.launcher));
    let host_root = mounts(std::process::id())
        .unwrap_or_default()
        .into_iter()
        .find(|m| m.mount_point == Path::new("/"))
        .map(|m| (m.majmin, m.root));
    let Some(table) = mounts(pids.first) else {
        let seen = format!("cannot read /proc/{}/mountinfo", pids.first);
        return Observation::new(false, seen);
    };
    let own_root = table.iter().any(|m| m.mount_point == Path::new("/"));
    let holds_host_root = table
        .iter()
        .any(|m| Some((m.majmin.clone(), m.root.clone())) == host_root);

    let mounted = same_ns || holds_host_root;
    let seen = format!(
        "{} mounts in the sandbox's table; {}; host's / {}",
        table.len(),
        if same_ns {
            "same mount namespace as the host side"
        } else {
            "own mount namespace"
        },
        if holds_host_root {
            "among them"
        } else {
            "not among them"
        },
    );
    let holds = match fact {
        Fact::HostRootMounted => mounted,
        _ => !mounted && own_root,
    };
    Observation::new(holds, seen)
}

fn ns_link(path: &str) -> String {
    std::fs::read_link(path).map_or_else(
        |e| format!("unreadable ({e})"),
        |to| to.display().to_string(),
    )
}

fn nspid(pid: u32) -> Vec<i32> {
    let status = i32::try_from(pid)
        .ok()
        .and_then(|pid| Process::new(pid).ok()?.status().ok());
    status.and_then(|status| status.nspid).unwrap_or_default()
}

fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path)
        .ok()
        .map(|meta| (meta.dev(), meta.ino()))
}

fn proc_entries(first: u32) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{first}/root/proc")) else {
        return vec!["(unreadable)".to_string()];
    };
    let mut names: Vec<String> = dir
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The start time of a host process, to tell it later from another one given the same PID.
pub fn process_start(pid: u32) -> Option<u64> {
    start_time(&format!("/proc/{pid}"))
}

/// Waits up to `limit` for the process that had this PID and start time to be dead, and tells
/// whether it is. A zombie counts as dead: it runs nothing, it only waits to be reaped.
///
/// SIGKILL is not instant: a killed process still exists while the kernel tears it down. And
/// the launcher does not wait for its killed child, so the child's zombie passes to the host's
/// init, which may take a while to reap it.
pub fn wait_until_gone(pid: u32, start: Option<u64>, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        let stat = Process::new_with_root(PathBuf::from(format!("/proc/{pid}")))
            .ok()
            .and_then(|process| process.stat().ok());
        let alive = stat
            .is_some_and(|stat| Some(stat.starttime) == start && !matches!(stat.state, 'Z' | 'X'));
        if start.is_none() || !alive {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// When the process behind a `/proc/PID` directory started, in clock ticks since boot: two
/// directories describe the same process exactly when these match.
fn start_time(dir: &str) -> Option<u64> {
    Process::new_with_root(PathBuf::from(dir))
        .ok()?
        .stat()
        .ok()
        .map(|stat| stat.starttime)
}

fn describe_found(start: Option<u64>) -> &'static str {
    if start.is_some() {
        "listed"
    } else {
        "not listed"
    }
}

fn host_hostname() -> String {
    nix::unistd::gethostname().map_or_else(
        |e| format!("unreadable ({e})"),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn mounts(pid: u32) -> Option<Vec<procfs::process::MountInfo>> {
    let pid = i32::try_from(pid).ok()?;
    let infos = Process::new(pid).ok()?.mountinfo().ok()?;
    Some(infos.into_iter().collect())
}

/// The mount table as a count of (mount point, filesystem type): mount IDs differ between a
/// mount namespace and its copy, these do not.
fn mount_counts(pid: u32) -> Option<BTreeMap<(PathBuf, String), usize>> {
    let mut counts = BTreeMap::new();
    for mount in mounts(pid)? {
        *counts
            .entry((mount.mount_point, mount.fs_type))
            .or_insert(0) += 1;
    }
    Some(counts)
}

fn gained(
    before: &BTreeMap<(PathBuf, String), usize>,
    after: &BTreeMap<(PathBuf, String), usize>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(key, count)| before.get(*key).copied().unwrap_or(0) < **count)
        .map(|((point, fs_type), _)| format!("{fs_type} on {}", point.display()))
        .collect()
}
