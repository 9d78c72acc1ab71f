//! Checks: the claims a step makes, in a form `nslab verify` can prove on the live kernel.
//!
//! There are two kinds. A [`Fact`] is read from the host side about the running sandbox, the
//! way an administrator would look at a container from outside: `/proc/PID/status`,
//! `/proc/PID/ns/*`, `/proc/PID/root`, `/proc/PID/mountinfo`. A [`RunCheck`] runs a command,
//! in the sandbox's shell or on the host, and compares its exit status and output with what the
//! text promises.

use serde::{Deserialize, Serialize};

use crate::lesson::Side;
use crate::spec::{IsolationSpec, Namespace, ProcMount, RootEntry, RootSpec};

/// One claim of a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// A kernel fact observed from the host side.
    Fact(Fact),
    /// A command and what it must do.
    Run(RunCheck),
}

/// A kernel fact about the live sandbox, as the host sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    /// The sandbox has its own namespace of this kind: `/proc/PID/ns/KIND` differs from nslab's.
    NewNamespace(Namespace),
    /// The sandbox shares this namespace with the host.
    SharedNamespace(Namespace),
    /// The first process is PID 1 in its own PID namespace and has another, higher PID on the
    /// host, where the launcher lives too.
    PidOne,
    /// The first process has the same PID inside as on the host.
    SamePids,
    /// The sandbox's `/` is the host's `/`.
    SameRoot,
    /// The sandbox's `/` is another directory.
    NewRoot,
    /// `/proc` inside has no entries at all.
    EmptyProc,
    /// `/proc` inside shows the sandbox's own PID namespace: its PID 1 is the first process.
    OwnProc,
    /// `/proc` inside shows the host's processes: nslab itself is there under its host PID.
    HostProc,
    /// The host's hostname is what it was before the sandbox started.
    HostHostnameUnchanged,
    /// The host side's mount table has gained no mount.
    HostMountsUnchanged,
    /// The host side's mount table has gained a proc mount (the leak of a mount made without a
    /// mount namespace of its own).
    HostMountsGainProc,
    /// The host's root filesystem is still in the sandbox's mount table, out of sight.
    HostRootMounted,
    /// The host's root filesystem is not in the sandbox's mount table at all.
    HostRootGone,
}

/// A command, where it runs, and what it must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCheck {
    /// The sandbox's shell or the host.
    pub side: Side,
    /// A shell command line.
    pub command: String,
    /// The exit status it must end with.
    pub exit: i32,
    /// A regular expression its output (stdout and stderr together) must match.
    pub output: Option<String>,
}

impl Fact {
    /// Every fact with the name lesson files use for it; namespace facts take a namespace.
    pub const NAMES: [&'static str; 14] = [
        "new-namespace",
        "shared-namespace",
        "pid-one",
        "same-pids",
        "same-root",
        "new-root",
        "empty-proc",
        "own-proc",
        "host-proc",
        "host-hostname-unchanged",
        "host-mounts-unchanged",
        "host-mounts-gain-proc",
        "host-root-mounted",
        "host-root-gone",
    ];

    /// Builds a fact from its name in a lesson file and the namespace it names, if any.
    pub fn from_name(name: &str, namespace: Option<Namespace>) -> Result<Fact, String> {
        let needs_namespace = |make: fn(Namespace) -> Fact| {
            namespace.map(make).ok_or_else(|| {
                format!("the fact '{name}' needs a namespace: add namespace = \"pid\" or another")
            })
        };
        let fact = match name {
            "new-namespace" => return needs_namespace(Fact::NewNamespace),
            "shared-namespace" => return needs_namespace(Fact::SharedNamespace),
            "pid-one" => Fact::PidOne,
            "same-pids" => Fact::SamePids,
            "same-root" => Fact::SameRoot,
            "new-root" => Fact::NewRoot,
            "empty-proc" => Fact::EmptyProc,
            "own-proc" => Fact::OwnProc,
            "host-proc" => Fact::HostProc,
            "host-hostname-unchanged" => Fact::HostHostnameUnchanged,
            "host-mounts-unchanged" => Fact::HostMountsUnchanged,
            "host-mounts-gain-proc" => Fact::HostMountsGainProc,
            "host-root-mounted" => Fact::HostRootMounted,
            "host-root-gone" => Fact::HostRootGone,
            other => {
                return Err(format!(
                    "unknown fact '{other}': use one of {}",
                    Fact::NAMES.join(", ")
                ));
            }
        };
        if namespace.is_some() {
            return Err(format!("the fact '{name}' takes no namespace: remove it"));
        }
        Ok(fact)
    }

    /// What the fact claims, in a few words.
    pub fn describe(&self) -> String {
        match self {
            Fact::NewNamespace(ns) => format!("the sandbox has its own {ns} namespace"),
            Fact::SharedNamespace(ns) => format!("the sandbox shares the host's {ns} namespace"),
            Fact::PidOne => {
                "the first process is PID 1 inside and has a high PID on the host".to_string()
            }
            Fact::SamePids => "the first process has the same PID inside and outside".to_string(),
            Fact::SameRoot => "the sandbox's / is the host's /".to_string(),
            Fact::NewRoot => "the sandbox's / is another directory".to_string(),
            Fact::EmptyProc => "/proc inside is empty".to_string(),
            Fact::OwnProc => "/proc inside shows the sandbox's own processes".to_string(),
            Fact::HostProc => "/proc inside shows the host's processes".to_string(),
            Fact::HostHostnameUnchanged => "the host's hostname is unchanged".to_string(),
            Fact::HostMountsUnchanged => "the host side's mount table gained nothing".to_string(),
            Fact::HostMountsGainProc => "the host side's mount table gained a proc".to_string(),
            Fact::HostRootMounted => {
                "the host's / is still in the sandbox's mount table".to_string()
            }
            Fact::HostRootGone => "the host's / is gone from the sandbox's mount table".to_string(),
        }
    }

    /// Refuses a fact that cannot hold for this step, because the step lacks (or has) what the
    /// fact is about. The message says what the step would need.
    pub fn fits(&self, spec: &IsolationSpec) -> Result<(), String> {
        let fresh_proc = spec.proc == ProcMount::Fresh;
        let own_root = spec.root != RootSpec::Host;
        let problem = match self {
            Fact::NewNamespace(ns) if !spec.has(*ns) => {
                format!("the step has no {ns} namespace: add \"{ns}\" to isolation.namespaces")
            }
            Fact::SharedNamespace(ns) if spec.has(*ns) => {
                format!("the step creates a {ns} namespace, so it cannot share the host's")
            }
            Fact::PidOne if !spec.has(Namespace::Pid) => {
                "the step has no pid namespace, so nothing inside is PID 1".to_string()
            }
            Fact::SamePids if spec.has(Namespace::Pid) => {
                "the step has a pid namespace, so PIDs differ inside".to_string()
            }
            Fact::SameRoot if own_root => "the step changes the root".to_string(),
            Fact::NewRoot if !own_root => {
                "the step keeps the host's root: set isolation.root".to_string()
            }
            Fact::EmptyProc | Fact::HostProc if fresh_proc => {
                "the step mounts a fresh proc, so /proc inside is its own".to_string()
            }
            Fact::EmptyProc if !own_root => {
                "the step keeps the host's root, so /proc inside is the host's".to_string()
            }
            Fact::OwnProc if !fresh_proc || !spec.has(Namespace::Pid) => {
                "a /proc of its own needs proc = \"fresh\" and a pid namespace".to_string()
            }
            Fact::HostMountsGainProc if !fresh_proc || spec.has(Namespace::Mount) => {
                "only a fresh proc without a mnt namespace leaks to the host side".to_string()
            }
            Fact::HostRootGone if spec.entry != RootEntry::PivotRoot => {
                "only pivot_root takes the host's / out of the sandbox's mount table".to_string()
            }
            _ => return Ok(()),
        };
        Err(problem)
    }
}

impl Check {
    /// What the check claims, for `nslab verify`'s report.
    pub fn describe(&self) -> String {
        match self {
            Check::Fact(fact) => fact.describe(),
            Check::Run(run) => {
                let side = match run.side {
                    Side::Sandbox => "inside",
                    Side::Host => "on the host",
                };
                let output = match &run.output {
                    Some(pattern) => format!(", output matches /{pattern}/"),
                    None => String::new(),
                };
                format!("`{}` {side} exits {}{output}", run.command, run.exit)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_understood() {
        for name in Fact::NAMES {
            let fact = Fact::from_name(name, None)
                .or_else(|_| Fact::from_name(name, Some(Namespace::Pid)));
            assert!(fact.is_ok(), "{name}: {fact:?}");
        }
        assert!(Fact::from_name("pid-two", None).is_err());
    }

    #[test]
    fn a_fact_about_a_missing_namespace_does_not_fit() {
        let spec = IsolationSpec::default();
        assert!(Fact::NewNamespace(Namespace::Uts).fits(&spec).is_err());
        assert!(Fact::SharedNamespace(Namespace::Uts).fits(&spec).is_ok());
        assert!(Fact::PidOne.fits(&spec).is_err());
        assert!(Fact::SamePids.fits(&spec).is_ok());
    }
}
