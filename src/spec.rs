//! The isolation spec: what one lesson step asks the kernel for.
//!
//! A spec is plain data. Lesson files write it in TOML, `nslab run` builds it from flags, and the
//! launcher receives it as JSON. [`IsolationSpec::validate`] refuses combinations that cannot
//! work or would harm the host, with a message that states the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One kind of Linux namespace, as named by `unshare(1)` and `/proc/PID/ns/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Namespace {
    /// Hostname and NIS domain name.
    Uts,
    /// Process IDs: the first process inside is PID 1.
    Pid,
    /// The mount table.
    #[serde(alias = "mnt")]
    Mount,
    /// System V IPC and POSIX message queues.
    Ipc,
    /// Network devices, addresses, routes and ports.
    Net,
    /// User and group IDs, and the capabilities that go with them.
    User,
    /// The view of the cgroup hierarchy.
    Cgroup,
}

impl Namespace {
    /// Every kind, in the order nslab reports them.
    pub const ALL: [Namespace; 7] = [
        Namespace::Uts,
        Namespace::Pid,
        Namespace::Mount,
        Namespace::Ipc,
        Namespace::Net,
        Namespace::User,
        Namespace::Cgroup,
    ];

    /// The name used on the command line and in lesson files.
    pub fn name(self) -> &'static str {
        match self {
            Namespace::Uts => "uts",
            Namespace::Pid => "pid",
            Namespace::Mount => "mnt",
            Namespace::Ipc => "ipc",
            Namespace::Net => "net",
            Namespace::User => "user",
            Namespace::Cgroup => "cgroup",
        }
    }

    /// The entry under `/proc/PID/ns/` that names this namespace.
    pub fn proc_name(self) -> &'static str {
        self.name()
    }

    /// Parses a name as `unshare(1)` spells it; `mount` and `mnt` are both accepted.
    pub fn parse(name: &str) -> Result<Namespace, SpecError> {
        let found = match name.trim() {
            "uts" => Namespace::Uts,
            "pid" => Namespace::Pid,
            "mnt" | "mount" => Namespace::Mount,
            "ipc" => Namespace::Ipc,
            "net" | "network" => Namespace::Net,
            "user" => Namespace::User,
            "cgroup" => Namespace::Cgroup,
            other => return Err(SpecError::UnknownNamespace(other.to_string())),
        };
        Ok(found)
    }

    /// Parses a comma list such as `uts,pid,mnt`.
    pub fn parse_list(list: &str) -> Result<BTreeSet<Namespace>, SpecError> {
        list.split(',')
            .filter(|part| !part.trim().is_empty())
            .map(Namespace::parse)
            .collect()
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which directory becomes `/` for the command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RootSpec {
    /// The host's own `/`: no change of root.
    #[default]
    Host,
    /// The small root filesystem that `nslab rootfs` builds in the user's cache.
    Rootfs,
    /// A directory given by path.
    Dir(PathBuf),
}

impl RootSpec {
    fn as_text(&self) -> String {
        match self {
            RootSpec::Host => "host".to_string(),
            RootSpec::Rootfs => "rootfs".to_string(),
            RootSpec::Dir(path) => path.display().to_string(),
        }
    }

    fn from_text(text: &str) -> Result<RootSpec, SpecError> {
        match text {
            "host" | "/" => Ok(RootSpec::Host),
            "rootfs" => Ok(RootSpec::Rootfs),
            path if path.starts_with('/') => Ok(RootSpec::Dir(PathBuf::from(path))),
            other => Err(SpecError::BadRoot(other.to_string())),
        }
    }

    /// True when the command gets a root other than the host's.
    pub fn is_changed(&self) -> bool {
        !matches!(self, RootSpec::Host)
    }
}

impl Serialize for RootSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_text())
    }
}

impl<'de> Deserialize<'de> for RootSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RootSpec, D::Error> {
        let text = String::deserialize(deserializer)?;
        RootSpec::from_text(&text).map_err(serde::de::Error::custom)
    }
}

/// How the command enters a new root.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RootEntry {
    /// `chroot(2)` and `chdir("/")`: simple, and escapable by root.
    #[default]
    Chroot,
    /// `pivot_root(2)`: the old root is detached and gone.
    PivotRoot,
}

/// What happens to `/proc` in the root in use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcMount {
    /// Leave `/proc` as it is (in a fresh root filesystem that means an empty directory).
    #[default]
    Keep,
    /// Mount a new proc filesystem on `/proc`, showing the PID namespace of the command.
    Fresh,
}

/// The propagation type given to `/` in a new mount namespace, see mount_namespaces(7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Propagation {
    /// Mount events flow neither in nor out.
    #[default]
    Private,
    /// Mount events flow in from the host, never out.
    Slave,
    /// Mount events flow both ways: only for lessons that show the leak, and then inside a
    /// stand-in host mount namespace so that the real host never sees it.
    Shared,
}

/// Everything one step asks for: namespaces, hostname, root, `/proc`, and the command.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IsolationSpec {
    /// The namespaces to create.
    #[serde(default)]
    pub namespaces: BTreeSet<Namespace>,
    /// The hostname to set inside; needs the UTS namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The directory that becomes `/`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub root: RootSpec,
    /// How that root is entered.
    #[serde(default, skip_serializing_if = "is_default")]
    pub entry: RootEntry,
    /// Whether a new proc filesystem is mounted on `/proc`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub proc: ProcMount,
    /// The propagation of `/` in a new mount namespace.
    #[serde(default, skip_serializing_if = "is_default")]
    pub propagation: Propagation,
    /// The command and its arguments; empty means an interactive shell.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    /// Extra environment for the command, on top of nslab's known minimal set.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// Why a spec cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpecError {
    #[error("unknown namespace '{0}': use uts, pid, mnt, ipc, net, user or cgroup")]
    UnknownNamespace(String),
    #[error("root '{0}' is not understood: use \"host\", \"rootfs\" or an absolute path")]
    BadRoot(String),
    #[error("a hostname needs the uts namespace: without it the host itself would be renamed")]
    HostnameWithoutUts,
    #[error("hostname '{0}' is not valid: use 1 to 64 letters, digits, '-' or '.'")]
    BadHostname(String),
    #[error("pivot_root needs the mnt namespace: it changes the root of a whole mount namespace")]
    PivotWithoutMount,
    #[error("pivot_root needs a root filesystem to pivot into: set root to \"rootfs\" or a path")]
    PivotWithoutRoot,
    #[error("propagation '{0}' only means something with the mnt namespace: add \"mnt\"")]
    PropagationWithoutMount(&'static str),
    #[error("environment variable name '{0}' is not valid: use letters, digits and '_'")]
    BadEnvName(String),
    #[error("the command is empty: give a program to run, or leave the command out for a shell")]
    EmptyProgram,
}

impl IsolationSpec {
    /// Checks the rules that make a spec safe and meaningful.
    pub fn validate(&self) -> Result<(), SpecError> {
        let has = |ns| self.namespaces.contains(&ns);

        if let Some(name) = &self.hostname {
            if !has(Namespace::Uts) {
                return Err(SpecError::HostnameWithoutUts);
            }
            let valid_chars = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if name.is_empty() || name.len() > 64 || !valid_chars {
                return Err(SpecError::BadHostname(name.clone()));
            }
        }

        if self.entry == RootEntry::PivotRoot {
            if !has(Namespace::Mount) {
                return Err(SpecError::PivotWithoutMount);
            }
            if !self.root.is_changed() {
                return Err(SpecError::PivotWithoutRoot);
            }
        }

        if !has(Namespace::Mount) {
            match self.propagation {
                Propagation::Private => {}
                Propagation::Slave => return Err(SpecError::PropagationWithoutMount("slave")),
                Propagation::Shared => return Err(SpecError::PropagationWithoutMount("shared")),
            }
        }

        for name in self.env.keys() {
            let valid = !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(SpecError::BadEnvName(name.clone()));
            }
        }

        if self
            .command
            .first()
            .is_some_and(|program| program.is_empty())
        {
            return Err(SpecError::EmptyProgram);
        }
        Ok(())
    }

    /// True when the step asks for this namespace.
    pub fn has(&self, namespace: Namespace) -> bool {
        self.namespaces.contains(&namespace)
    }

    /// True when mounts made for this step could reach the mount namespace nslab runs in, so
    /// the launcher must first step into a throwaway mount namespace that stands in for the
    /// host. That is the case when the command mounts proc without a mount namespace of its
    /// own, or when its mount namespace keeps `/` shared on purpose.
    pub fn needs_stand_in_host(&self) -> bool {
        let mounts_something = self.proc == ProcMount::Fresh || self.entry == RootEntry::PivotRoot;
        if !self.has(Namespace::Mount) {
            return mounts_something;
        }
        self.propagation == Propagation::Shared
    }

    /// The summary as it applies to a caller: an ordinary user also gets the user namespace
    /// that nslab adds for them, and should see it named.
    pub fn summary_for(&self, privileged: bool) -> String {
        let summary = self.summary();
        if privileged || self.has(Namespace::User) {
            return summary;
        }
        match summary.strip_prefix("no namespaces") {
            Some(rest) => format!("user (added: not root){rest}"),
            None => format!("{summary} +user (added: not root)"),
        }
    }

    /// The summary for the user running this process.
    pub fn summary_here(&self) -> String {
        self.summary_for(nix::unistd::geteuid().is_root())
    }

    /// A one-line summary such as `uts,pid,mnt hostname=box root=rootfs proc=fresh`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let names: Vec<&str> = self.namespaces.iter().map(|ns| ns.name()).collect();
        parts.push(if names.is_empty() {
            "no namespaces".to_string()
        } else {
            names.join(",")
        });
        if let Some(name) = &self.hostname {
            parts.push(format!("hostname={name}"));
        }
        if self.root.is_changed() {
            let how = match self.entry {
                RootEntry::Chroot => "chroot",
                RootEntry::PivotRoot => "pivot_root",
            };
            parts.push(format!("root={} ({how})", self.root.as_text()));
        }
        if self.proc == ProcMount::Fresh {
            parts.push("proc=fresh".to_string());
        }
        if self.has(Namespace::Mount) && self.propagation != Propagation::Private {
            parts.push(format!("propagation={:?}", self.propagation).to_lowercase());
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(namespaces: &str) -> IsolationSpec {
        IsolationSpec {
            namespaces: Namespace::parse_list(namespaces).unwrap(),
            ..IsolationSpec::default()
        }
    }

    #[test]
    fn parses_unshare_style_lists() {
        let list = Namespace::parse_list("uts,pid,mnt").unwrap();
        assert_eq!(
            list.into_iter().collect::<Vec<_>>(),
            vec![Namespace::Uts, Namespace::Pid, Namespace::Mount]
        );
        assert_eq!(
            Namespace::parse_list("uts,time"),
            Err(SpecError::UnknownNamespace("time".into()))
        );
    }

    #[test]
    fn hostname_without_uts_is_refused_because_it_would_rename_the_host() {
        let mut step = spec("pid");
        step.hostname = Some("box".into());
        assert_eq!(step.validate(), Err(SpecError::HostnameWithoutUts));
        step.namespaces.insert(Namespace::Uts);
        assert_eq!(step.validate(), Ok(()));
    }

    #[test]
    fn bad_hostnames_are_refused() {
        let mut step = spec("uts");
        for bad in ["", "a b", "x/y", &"a".repeat(65)] {
            step.hostname = Some(bad.to_string());
            assert!(
                matches!(step.validate(), Err(SpecError::BadHostname(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn pivot_root_needs_a_mount_namespace_and_a_root() {
        let mut step = spec("pid");
        step.entry = RootEntry::PivotRoot;
        step.root = RootSpec::Rootfs;
        assert_eq!(step.validate(), Err(SpecError::PivotWithoutMount));
        step.namespaces.insert(Namespace::Mount);
        assert_eq!(step.validate(), Ok(()));
        step.root = RootSpec::Host;
        assert_eq!(step.validate(), Err(SpecError::PivotWithoutRoot));
    }

    #[test]
    fn propagation_needs_a_mount_namespace() {
        let mut step = spec("uts");
        step.propagation = Propagation::Shared;
        assert_eq!(
            step.validate(),
            Err(SpecError::PropagationWithoutMount("shared"))
        );
    }

    #[test]
    fn stand_in_host_is_used_exactly_when_mounts_could_leak() {
        let mut step = spec("pid");
        assert!(!step.needs_stand_in_host(), "nothing is mounted");
        step.proc = ProcMount::Fresh;
        assert!(step.needs_stand_in_host(), "proc without a mount namespace");
        step.namespaces.insert(Namespace::Mount);
        assert!(!step.needs_stand_in_host(), "private mount namespace");
        step.propagation = Propagation::Shared;
        assert!(step.needs_stand_in_host(), "shared on purpose");
    }

    #[test]
    fn an_ordinary_users_summary_names_the_added_user_namespace() {
        assert_eq!(spec("").summary_for(false), "user (added: not root)");
        assert_eq!(
            spec("uts").summary_for(false),
            "uts +user (added: not root)"
        );
        assert_eq!(spec("uts").summary_for(true), "uts");
        assert_eq!(spec("user,uts").summary_for(false), "uts,user");
    }

    #[test]
    fn reads_lesson_toml_and_round_trips_through_json() {
        let text = r#"
            namespaces = ["uts", "pid", "mount"]
            hostname = "box"
            root = "rootfs"
            entry = "pivot-root"
            proc = "fresh"
            command = ["/bin/sh"]
        "#;
        let step: IsolationSpec = toml::from_str(text).unwrap();
        assert_eq!(step.root, RootSpec::Rootfs);
        assert_eq!(step.entry, RootEntry::PivotRoot);
        assert_eq!(step.validate(), Ok(()));

        let json = serde_json::to_string(&step).unwrap();
        let back: IsolationSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, step);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<IsolationSpec>("namespaces = []\nhostnme = \"x\"").unwrap_err();
        assert!(err.to_string().contains("hostnme"), "{err}");
    }
}
