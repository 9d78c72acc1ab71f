//! The code panel: the step's isolation written as code, from the calls nslab itself makes.
//!
//! The setup plan is run against a kernel that only records, which yields the exact calls in
//! order. They are written twice: as Go in the style of the classic "containers from scratch"
//! tutorial (`SysProcAttr.Cloneflags`, then `syscall.Sethostname`, `syscall.Chroot`...), and as
//! Rust with the nix crate. Lines that the previous step did not have are marked.

mod go;
mod rust;

use std::collections::HashMap;
use std::path::PathBuf;

use nix::errno::Errno;
use nix::unistd::{Gid, Uid};
use serde::Serialize;

use crate::sandbox::kernel::{Call, Kernel};
use crate::sandbox::plan::SetupPlan;
use crate::spec::IsolationSpec;

/// One line of a snippet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CodeLine {
    /// The text, indented.
    pub text: String,
    /// True when the previous step's snippet has no such line.
    pub changed: bool,
}

/// The code panel's data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CodeView {
    /// The calls as C, in order, launcher first.
    pub calls: Vec<String>,
    /// The Go snippet.
    pub go: Vec<CodeLine>,
    /// The Rust snippet, with nix.
    pub rust: Vec<CodeLine>,
}

/// A kernel that keeps each call, to be written out as code.
#[derive(Default)]
struct CallList(Vec<Call>);

impl Kernel for CallList {
    fn apply(&mut self, call: &Call) -> Result<(), Errno> {
        self.0.push(call.clone());
        Ok(())
    }
}

/// The calls of one step: the launcher's, then the first process's.
pub fn planned_calls(spec: &IsolationSpec, root_dir: Option<PathBuf>) -> (Vec<Call>, Vec<Call>) {
    let plan = SetupPlan::new(spec.clone(), root_dir, Uid::current(), Gid::current());
    let mut launcher = CallList::default();
    let mut child = CallList::default();
    // The recording kernel never refuses, so the plan runs to its end.
    if plan.launcher_setup(&mut launcher).is_ok() {
        let _ = plan.child_setup(&mut child);
    }
    (launcher.0, child.0)
}

/// Writes the step as code, marking what changed since `previous`.
pub fn collect(
    spec: &IsolationSpec,
    previous: Option<&IsolationSpec>,
    root_dir: Option<PathBuf>,
) -> CodeView {
    let (launcher, child) = planned_calls(spec, root_dir.clone());
    let go = go::snippet(spec, &launcher, &child);
    let rust = rust::snippet(spec, &launcher, &child);

    let (go, rust) = match previous {
        Some(previous) => {
            let (before_launcher, before_child) = planned_calls(previous, root_dir);
            (
                mark(go, &go::snippet(previous, &before_launcher, &before_child)),
                mark(
                    rust,
                    &rust::snippet(previous, &before_launcher, &before_child),
                ),
            )
        }
        None => (mark(go, &[]), mark(rust, &[])),
    };
    let calls = launcher.iter().chain(&child).map(Call::to_string).collect();
    CodeView { calls, go, rust }
}

/// Marks the lines of `now` that `before` does not have, counting repeats: a second identical
/// mount line is new even if the previous step had one.
pub fn mark(now: Vec<String>, before: &[String]) -> Vec<CodeLine> {
    let mut available: HashMap<&str, usize> = HashMap::new();
    for line in before {
        *available.entry(line.as_str()).or_default() += 1;
    }
    let first_step = before.is_empty();
    now.into_iter()
        .map(|text| {
            let left = available.get_mut(text.as_str()).filter(|n| **n > 0);
            let changed = match left {
                Some(n) => {
                    *n -= 1;
                    false
                }
                None => !first_step && !text.trim().is_empty(),
            };
            CodeLine { text, changed }
        })
        .collect()
}

/// The program the step runs: its command, or a shell.
fn program(spec: &IsolationSpec) -> String {
    spec.command
        .first()
        .cloned()
        .unwrap_or_else(|| "/bin/sh".to_string())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Namespace, ProcMount, RootSpec};

    fn spec(namespaces: &str) -> IsolationSpec {
        IsolationSpec {
            namespaces: Namespace::parse_list(namespaces).unwrap(),
            ..IsolationSpec::default()
        }
    }

    fn texts(lines: &[CodeLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn go_snippet_has_the_tutorials_cloneflags_and_setup_calls() {
        if !Uid::current().is_root() {
            return; // an ordinary user's plan adds a user namespace; covered below
        }
        let mut step = spec("uts,pid");
        step.hostname = Some("box".into());
        step.root = RootSpec::Dir("/srv/root".into());
        let view = collect(&step, None, None);
        let go = texts(&view.go);
        assert!(
            go.contains(&"\tCloneflags: syscall.CLONE_NEWUTS |"),
            "{go:#?}"
        );
        assert!(go.contains(&"\t\tsyscall.CLONE_NEWPID,"), "{go:#?}");
        assert!(
            go.contains(&r#"syscall.Sethostname([]byte("box"))"#),
            "{go:#?}"
        );
        assert!(go.contains(&r#"syscall.Chroot("/srv/root")"#), "{go:#?}");
        assert!(
            view.go.iter().all(|l| !l.changed),
            "a first step marks nothing"
        );
    }

    #[test]
    fn rust_snippet_names_a_pid_namespace_only_when_there_is_one() {
        // Regression: the comment at the fork claimed a new PID namespace in every step.
        let without = texts(&collect(&spec("uts"), None, None).rust).join("\n");
        assert!(
            without.contains("shares the host's PID namespace"),
            "{without}"
        );
        assert!(!without.contains("new PID namespace"), "{without}");
        let with = texts(&collect(&spec("uts,pid"), None, None).rust).join("\n");
        assert!(with.contains("PID 1 of the new PID namespace"), "{with}");
    }

    #[test]
    fn adding_a_fresh_proc_marks_only_the_new_lines() {
        let before = spec("uts,pid,mnt");
        let mut now = before.clone();
        now.proc = ProcMount::Fresh;
        let view = collect(&now, Some(&before), None);
        let changed: Vec<&str> = view
            .rust
            .iter()
            .filter(|l| l.changed)
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(
            changed,
            [
                r#"mount(Some("proc"), "/proc", Some("proc"), MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC, None::<&str>)?;"#
            ]
        );
    }

    #[test]
    fn repeated_lines_count_as_new_beyond_the_previous_number() {
        let before = vec!["a".to_string()];
        let marked = mark(vec!["a".into(), "a".into()], &before);
        assert_eq!(
            marked.iter().map(|l| l.changed).collect::<Vec<_>>(),
            [false, true]
        );
    }
}
