//! The code panel: the step's isolation written as code, from the calls nslab itself makes.
//!
//! The setup plan is run against a kernel that only records, which yields the exact calls in
//! order. They are written twice: as Go in the style of the classic "containers from scratch"
//! tutorial (`SysProcAttr.Cloneflags`, then `syscall.Sethostname`, `syscall.Chroot`...), and as
//! Rust with the nix crate. Lines that the previous step did not have are marked.

use std::collections::HashMap;
use std::path::PathBuf;

use nix::errno::Errno;
use nix::unistd::{Gid, Uid};
use serde::Serialize;

use crate::sandbox::kernel::{Call, Kernel, clone_flag_names, mount_flag_names};
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
    let go = go_snippet(spec, &launcher, &child);
    let rust = rust_snippet(spec, &launcher, &child);

    let (go, rust) = match previous {
        Some(previous) => {
            let (before_launcher, before_child) = planned_calls(previous, root_dir);
            (
                mark(go, &go_snippet(previous, &before_launcher, &before_child)),
                mark(
                    rust,
                    &rust_snippet(previous, &before_launcher, &before_child),
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

/// The Go snippet: `run()` starts the child in new namespaces, `child()` sets them up.
pub fn go_snippet(spec: &IsolationSpec, launcher: &[Call], child: &[Call]) -> Vec<String> {
    let mut lines = vec!["// run(): on the host side".to_string()];
    let mut clone_flags = Vec::new();
    let mut attrs = Vec::new();
    for call in launcher {
        match call {
            Call::Unshare(flags) => clone_flags.extend(go_flags(&clone_flag_names(*flags))),
            Call::WriteFile { path, contents } => {
                if let Some(attr) = go_id_mapping(path, contents) {
                    attrs.push(attr);
                }
            }
            other => lines.push(go_call(other)),
        }
    }
    lines.push(
        r#"cmd := exec.Command("/proc/self/exe", append([]string{"child"}, os.Args[2:]...)...)"#
            .to_string(),
    );
    if !clone_flags.is_empty() || !attrs.is_empty() {
        lines.push("cmd.SysProcAttr = &syscall.SysProcAttr{".to_string());
        if !clone_flags.is_empty() {
            lines.push(format!("\tCloneflags: {},", clone_flags.join(" |\n\t\t")));
        }
        lines.extend(attrs.into_iter().map(|attr| format!("\t{attr},")));
        lines.push("}".to_string());
    }
    lines.push("cmd.Run()".to_string());
    lines.push(String::new());
    lines.push("// child(): the first process inside".to_string());
    lines.extend(child.iter().map(go_call));
    lines.push(format!("syscall.Exec({:?}, ...)", program(spec)));
    // A Cloneflags list spans several lines; each is its own line for marking.
    lines
        .iter()
        .flat_map(|l| l.split('\n'))
        .map(str::to_string)
        .collect()
}

/// The Rust snippet, with nix: the launcher's calls, fork, the child's calls, exec.
pub fn rust_snippet(spec: &IsolationSpec, launcher: &[Call], child: &[Call]) -> Vec<String> {
    let mut lines = vec!["// the launcher, on the host side".to_string()];
    lines.extend(launcher.iter().map(rust_call));
    lines.push("// fork(): the child is PID 1 of a new PID namespace".to_string());
    lines.push("let child = unsafe { fork() }?;".to_string());
    lines.push(String::new());
    lines.push("// in the child, the first process inside".to_string());
    lines.extend(child.iter().map(rust_call));
    lines.push(format!("execvp(c{:?}, &args)?;", program(spec)));
    lines
}

fn program(spec: &IsolationSpec) -> String {
    spec.command
        .first()
        .cloned()
        .unwrap_or_else(|| "/bin/sh".to_string())
}

/// `CLONE_NEWUTS | CLONE_NEWPID` → `["syscall.CLONE_NEWUTS", "syscall.CLONE_NEWPID"]`.
fn go_flags(c_flags: &str) -> Vec<String> {
    c_flags
        .split(" | ")
        .filter(|flag| *flag != "0")
        .map(|flag| format!("syscall.{flag}"))
        .collect()
}

fn go_mount_flags(c_flags: &str) -> String {
    match go_flags(c_flags).join("|") {
        empty if empty.is_empty() => "0".to_string(),
        flags => flags,
    }
}

/// `write("/proc/self/uid_map", "0 1000 1\n")` → `UidMappings: ...`.
fn go_id_mapping(path: &std::path::Path, contents: &str) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let field = match name {
        "uid_map" => "UidMappings",
        "gid_map" => "GidMappings",
        _ => return Some("GidMappingsEnableSetgroups: false".to_string()),
    };
    let mut ids = contents.split_whitespace();
    let (inside, outside, count) = (ids.next()?, ids.next()?, ids.next()?);
    Some(format!(
        "{field}: []syscall.SysProcIDMap{{{{ContainerID: {inside}, HostID: {outside}, Size: {count}}}}}"
    ))
}

fn go_call(call: &Call) -> String {
    let text = |path: &PathBuf| format!("{:?}", path.display().to_string());
    let or_empty = |value: &Option<String>| format!("{:?}", value.as_deref().unwrap_or(""));
    match call {
        Call::Unshare(flags) => format!(
            "syscall.Unshare({})",
            go_flags(&clone_flag_names(*flags)).join("|")
        ),
        Call::WriteFile { path, contents } => {
            format!("os.WriteFile({}, []byte({contents:?}), 0)", text(path))
        }
        Call::Mount {
            source,
            target,
            fstype,
            flags,
        } => format!(
            "syscall.Mount({}, {}, {}, {}, \"\")",
            or_empty(source),
            text(target),
            or_empty(fstype),
            go_mount_flags(&mount_flag_names(*flags))
        ),
        Call::Umount { target, .. } => {
            format!("syscall.Unmount({}, syscall.MNT_DETACH)", text(target))
        }
        Call::SetHostname(name) => format!("syscall.Sethostname([]byte({name:?}))"),
        Call::Chroot(path) => format!("syscall.Chroot({})", text(path)),
        Call::Chdir(path) => format!("os.Chdir({})", text(path)),
        Call::PivotRoot { new_root, put_old } => {
            format!("syscall.PivotRoot({}, {})", text(new_root), text(put_old))
        }
        Call::Mkdir(path) => format!("os.Mkdir({}, 0555)", text(path)),
    }
}

fn rust_flags(c_flags: &str, type_name: &str) -> String {
    if c_flags == "0" {
        return format!("{type_name}::empty()");
    }
    c_flags
        .split(" | ")
        .map(|flag| format!("{type_name}::{flag}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn rust_call(call: &Call) -> String {
    let text = |path: &PathBuf| format!("{:?}", path.display().to_string());
    let some = |value: &Option<String>| match value {
        Some(value) => format!("Some({value:?})"),
        None => "None::<&str>".to_string(),
    };
    match call {
        Call::Unshare(flags) => format!(
            "unshare({})?;",
            rust_flags(&clone_flag_names(*flags), "CloneFlags")
        ),
        Call::WriteFile { path, contents } => format!("fs::write({}, {contents:?})?;", text(path)),
        Call::Mount {
            source,
            target,
            fstype,
            flags,
        } => format!(
            "mount({}, {}, {}, {}, None::<&str>)?;",
            some(source),
            text(target),
            some(fstype),
            rust_flags(&mount_flag_names(*flags), "MsFlags")
        ),
        Call::Umount { target, .. } => format!("umount2({}, MntFlags::MNT_DETACH)?;", text(target)),
        Call::SetHostname(name) => format!("sethostname({name:?})?;"),
        Call::Chroot(path) => format!("chroot({})?;", text(path)),
        Call::Chdir(path) => format!("chdir({})?;", text(path)),
        Call::PivotRoot { new_root, put_old } => {
            format!("pivot_root({}, {})?;", text(new_root), text(put_old))
        }
        Call::Mkdir(path) => format!("mkdir({}, Mode::from_bits_truncate(0o555))?;", text(path)),
    }
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

    #[test]
    fn unprivileged_plans_write_id_maps_as_go_mappings() {
        let line = go_id_mapping(std::path::Path::new("/proc/self/uid_map"), "0 1000 1\n");
        assert_eq!(
            line.as_deref(),
            Some("UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 1000, Size: 1}}")
        );
    }
}
