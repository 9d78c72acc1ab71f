//! `nslab doctor`: what this machine allows, and what to do about what it does not.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use nix::unistd::getuid;

use crate::rootfs;
use crate::sandbox::plan::clone_flag;
use crate::sandbox::user::{BLOCKERS, blocked_message, blockers_in_force, read_sysctl};
use crate::spec::Namespace;

/// The hidden subcommand that tries to create one namespace and reports the errno.
pub const PROBE_ARG: &str = "__probe";

/// What the machine said about one namespace kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The kind.
    pub namespace: Namespace,
    /// `Ok` when a namespace of this kind could be created, else the reason.
    pub result: Result<(), String>,
}

/// Everything `nslab doctor` looks at.
#[derive(Debug, Clone)]
pub struct Report {
    /// Whether nslab runs as root.
    pub root: bool,
    /// Each namespace kind, tried for real (through a user namespace when not root).
    pub probes: Vec<Probe>,
    /// Each sysctl that can block user namespaces, and its value if the kernel has it.
    pub sysctls: Vec<(&'static str, Option<String>)>,
    /// `v2`, `v1`, or `hybrid (v1 with a v2 mount)`.
    pub cgroup: &'static str,
    /// Whether `/proc/PID/status` has the `NSpid` line (Linux 4.1 and later).
    pub nspid: bool,
    /// The default root filesystem, if built.
    pub rootfs: Option<rootfs::RootfsInfo>,
}

impl Report {
    /// Looks at this machine.
    pub fn gather() -> Report {
        let sysctls = BLOCKERS
            .iter()
            .map(|blocker| (blocker.sysctl, read_sysctl(blocker.sysctl)))
            .collect();
        Report {
            root: getuid().is_root(),
            probes: Namespace::ALL.iter().map(|ns| probe(*ns)).collect(),
            sysctls,
            cgroup: cgroup_version(),
            nspid: std::fs::read_to_string("/proc/self/status")
                .is_ok_and(|status| status.contains("\nNSpid:")),
            rootfs: rootfs::info(&rootfs::default_dir()),
        }
    }

    /// True when every step of the first lesson can run here.
    pub fn ready(&self) -> bool {
        self.probes.iter().all(|probe| probe.result.is_ok())
    }

    /// The report as text, with advice under each problem.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let who = if self.root {
            "root".to_string()
        } else {
            format!(
                "uid {} (nslab adds a user namespace to each sandbox)",
                getuid()
            )
        };
        let _ = writeln!(out, "running as    {who}");
        for probe in &self.probes {
            let state = match &probe.result {
                Ok(()) => "ok".to_string(),
                Err(why) => format!("NOT AVAILABLE: {why}"),
            };
            let _ = writeln!(out, "namespace     {:<7} {state}", probe.namespace.name());
        }
        for ((name, value), blocker) in self.sysctls.iter().zip(&BLOCKERS) {
            let value = value.as_deref().unwrap_or("(not in this kernel)");
            let _ = writeln!(
                out,
                "sysctl        {name} = {value}   [{}]",
                blocker.meaning
            );
        }
        let _ = writeln!(out, "cgroups       {}", self.cgroup);
        let nspid = if self.nspid {
            "yes"
        } else {
            "no (kernel older than 4.1)"
        };
        let _ = writeln!(out, "NSpid         {nspid}");
        let rootfs = match &self.rootfs {
            Some(info) => format!("{} from {}", info.dir.display(), info.source),
            None => "not built yet (`nslab rootfs` builds it; lessons build it on first use)"
                .to_string(),
        };
        let _ = writeln!(out, "rootfs        {rootfs}");

        if !self.ready() {
            out.push('\n');
            out.push_str(&self.advice());
        }
        out
    }

    fn advice(&self) -> String {
        let user_blocked = self
            .probes
            .iter()
            .any(|p| p.namespace == Namespace::User && p.result.is_err());
        if user_blocked && !self.root {
            let read = |name: &str| {
                let found = self.sysctls.iter().find(|(sysctl, _)| *sysctl == name);
                found.and_then(|(_, value)| value.clone())
            };
            return format!(
                "Without root, nslab needs a user namespace for every step, and {}.\n",
                blocked_message(&blockers_in_force(read))
            );
        }
        "Some namespace kinds are missing: the kernel was built without them \
         (CONFIG_*_NS), or a container nslab runs in forbids them. Lessons that need them \
         will say so.\n"
            .to_string()
    }
}

/// Tries to create a namespace of this kind in a throwaway process: nslab itself, run again
/// with [`PROBE_ARG`], so that this process's own namespaces are never touched.
fn probe(namespace: Namespace) -> Probe {
    let result = Command::new("/proc/self/exe")
        .args([PROBE_ARG, namespace.name()])
        .output()
        .map_err(|err| format!("cannot run the probe: {err}"))
        .and_then(|output| {
            if output.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
            }
        });
    Probe { namespace, result }
}

/// The probe's own work, in the throwaway process: returns its exit status.
pub fn probe_main(name: &str) -> i32 {
    let Ok(namespace) = Namespace::parse(name) else {
        eprintln!("unknown namespace {name}");
        return 2;
    };
    // An ordinary user needs a user namespace first to hold CAP_SYS_ADMIN for the others.
    let mut flags = clone_flag(namespace);
    if !getuid().is_root() {
        flags |= clone_flag(Namespace::User);
    }
    match nix::sched::unshare(flags) {
        Ok(()) => 0,
        Err(errno) => {
            let call = crate::sandbox::kernel::Call::Unshare(flags);
            eprintln!("{errno:?}: {}", crate::sandbox::explain::why(&call, errno));
            1
        }
    }
}

fn cgroup_version() -> &'static str {
    let root = Path::new("/sys/fs/cgroup");
    if root.join("cgroup.controllers").exists() {
        "v2"
    } else if root.join("unified/cgroup.controllers").exists() {
        "hybrid (v1 controllers, v2 mounted at /sys/fs/cgroup/unified)"
    } else {
        "v1"
    }
}
